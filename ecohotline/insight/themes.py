"""每月一题 (the monthly theme): the complaints, tasks and figures of the recurring problem a leader picked for a
month. A complaint is the theme's when its category or sub-category is one of the theme's codes (or under one), or
its title or description holds one of the theme's keywords."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from ecohotline.cases.models import Case, CaseKind
from ecohotline.core.workdays import BEIJING
from ecohotline.insight.models import MonthlyTheme, TaskProposal

MONTHS_BEFORE = 3
MONTHS_AFTER = 3


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def theme_condition(theme: MonthlyTheme) -> Q:
    condition = Q()
    for code in theme.categories:
        condition |= Q(category=code) | Q(sub_category=code) | Q(sub_category__startswith=f"{code}.")
    for word in theme.keyword_list:
        condition |= Q(title__contains=word) | Q(description__contains=word)
    return condition


def theme_complaints(theme: MonthlyTheme) -> QuerySet[Case]:
    """Every complaint of the theme (any time)."""
    condition = theme_condition(theme)
    if not condition:
        return Case.objects.none()
    return Case.objects.filter(condition, kind=CaseKind.COMPLAINT)


def theme_tasks(theme: MonthlyTheme) -> QuerySet[TaskProposal]:
    """The proposals the planner tied to the theme (and the proactive cases they became)."""
    return theme.proposals.select_related("team", "case", "street").order_by("-created_at", "-pk")


@dataclass(frozen=True)
class MonthFigure:
    month: dt.date
    role: str  # before, theme, after
    complaints: int


@dataclass(frozen=True)
class ThemeFigures:
    """Complaints per month: the 3 months before the theme month, the month itself, and the months after it (up to
    3, none later than this month)."""

    months: list[MonthFigure]

    def _mean(self, role: str) -> float | None:
        values = [figure.complaints for figure in self.months if figure.role == role]
        return sum(values) / len(values) if values else None

    @property
    def before_mean(self) -> float | None:
        return self._mean("before")

    @property
    def theme_count(self) -> int:
        return sum(figure.complaints for figure in self.months if figure.role == "theme")

    @property
    def after_mean(self) -> float | None:
        return self._mean("after")

    @property
    def change(self) -> float | None:
        """After against before, as a share of before (−0.4: 40 % fewer complaints a month)."""
        before, after = self.before_mean, self.after_mean
        if before is None or after is None or before == 0:
            return None
        return round((after - before) / before, 4)


def theme_figures(theme: MonthlyTheme, *, today: dt.date | None = None, before: int = MONTHS_BEFORE,
                  after: int = MONTHS_AFTER) -> ThemeFigures:
    today = today or timezone.localdate()
    first = add_months(theme.month, -before)
    last = min(add_months(theme.month, after), today.replace(day=1))
    months: list[dt.date] = []
    month = first
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    if not months:
        return ThemeFigures([])
    lower = dt.datetime.combine(months[0], dt.time(), tzinfo=BEIJING)
    upper = dt.datetime.combine(add_months(months[-1], 1), dt.time(), tzinfo=BEIJING)
    counts = Counter(
        timezone.localtime(received_at, BEIJING).date().replace(day=1)
        for received_at in theme_complaints(theme).filter(received_at__gte=lower, received_at__lt=upper)
        .values_list("received_at", flat=True)
    )
    return ThemeFigures([
        MonthFigure(month, "before" if month < theme.month else "theme" if month == theme.month else "after",
                    counts.get(month, 0))
        for month in months
    ])
