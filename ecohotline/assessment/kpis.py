"""三率 and 按期办结率: the figures the hotline ranks the bureau by, computed from case records, per group.

* Assessed orders of a period: complaints of the scheme's channels whose latest valid return visit (有效回访)
  falls in the period, minus those with an approved appeal (申诉). The latest visit decides: a reopened case (重办)
  with two visits counts once, by its second.
* 响应率 = contacted / assessed; 解决率 = solved / assessed; 满意率 = (满意 + c × 基本满意) / assessed;
  综合成绩 = 100 × (w_r × 响应率 + w_s × 解决率 + w_m × 满意率), with c and the weights from the scheme in force on
  the period's last day.
* 按期办结率 = complaints completed in the period at or before their completion deadline (extensions move it) /
  complaints completed in the period, by the final reply that stands: a case reopened by 不满意 (重办) counts
  when its new reply comes, against its new deadline.

Every count behind a rate is returned with it, so a figure can be checked by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery

from ecohotline.assessment.models import KpiScheme
from ecohotline.cases.models import Appeal, Case, CaseKind, Decision, ReturnVisit, Satisfaction
from ecohotline.core.workdays import BEIJING

# group_by → the field of Case the figures are grouped by.
GROUPS = {"unit": "handling_unit_id", "handler": "handler_id", "street": "street_id", "category": "category",
          "leader": "leader_id"}


@dataclass
class Figures:
    """The counts of one group and the rates computed from them (None when there is nothing to divide by)."""

    assessed: int = 0
    contacted: int = 0
    solved: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    dissatisfied: int = 0
    completed: int = 0
    completed_on_time: int = 0
    response_rate: float | None = None
    resolution_rate: float | None = None
    satisfaction_rate: float | None = None
    composite: float | None = None
    on_time_rate: float | None = None

    def finish(self, scheme: KpiScheme) -> Figures:
        if self.assessed:
            self.response_rate = self.contacted / self.assessed
            self.resolution_rate = self.solved / self.assessed
            credit = float(scheme.basic_satisfaction_credit)
            self.satisfaction_rate = (self.satisfied + credit * self.basically_satisfied) / self.assessed
            self.composite = 100 * (float(scheme.response_weight) * self.response_rate
                                    + float(scheme.resolution_weight) * self.resolution_rate
                                    + float(scheme.satisfaction_weight) * self.satisfaction_rate)
        if self.completed:
            self.on_time_rate = self.completed_on_time / self.completed
        return self


@dataclass
class KpiReport:
    start: dt.date
    end: dt.date  # the last day, included
    scheme: KpiScheme
    group_by: str | None
    total: Figures
    groups: dict[Any, Figures] = field(default_factory=dict)


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[00:00 of `start`, 00:00 after `end`) in Beijing time."""
    return (dt.datetime.combine(start, dt.time(0), tzinfo=BEIJING),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=BEIJING))


def assessed_orders(scheme: KpiScheme, start: dt.date, end: dt.date) -> QuerySet[Case]:
    """The assessed orders of the period, each annotated with its latest valid return visit's answers."""
    since, until = _bounds(start, end)
    latest = ReturnVisit.objects.filter(case=OuterRef("pk"), valid=True).order_by("-at", "-pk")
    approved = Appeal.objects.filter(case=OuterRef("pk"), decision=Decision.APPROVED)
    return (Case.objects.filter(kind=CaseKind.COMPLAINT, channel__in=list(scheme.channels))
            .annotate(visit_at=Subquery(latest.values("at")[:1]),
                      visit_contacted=Subquery(latest.values("contacted")[:1]),
                      visit_solved=Subquery(latest.values("solved")[:1]),
                      visit_satisfaction=Subquery(latest.values("satisfaction")[:1]))
            .filter(visit_at__gte=since, visit_at__lt=until)
            .exclude(Exists(approved)))


def _count_by(queryset: QuerySet[Case], key: str | None, aggregates: dict[str, Any]) -> dict[Any, dict[str, int]]:
    if key is None:
        return {None: queryset.aggregate(**aggregates)}
    return {row.pop("group"): row for row in
            queryset.annotate(group=F(key)).values("group").order_by("group").annotate(**aggregates)}


def compute_kpis(start: dt.date, end: dt.date, *, group_by: str | None = None,
                 scheme: KpiScheme | None = None) -> KpiReport:
    """The figures of the period [start, end] (Beijing dates, both included) for the bureau and per group."""
    if group_by is not None and group_by not in GROUPS:
        raise ValueError(f"group_by must be one of {', '.join(GROUPS)}")
    scheme = scheme or KpiScheme.in_force(end)
    key = GROUPS[group_by] if group_by else None
    visits = _count_by(assessed_orders(scheme, start, end), key, {
        "assessed": Count("pk"),
        "contacted": Count("pk", filter=Q(visit_contacted=True)),
        "solved": Count("pk", filter=Q(visit_solved=True)),
        "satisfied": Count("pk", filter=Q(visit_satisfaction=Satisfaction.SATISFIED)),
        "basically_satisfied": Count("pk", filter=Q(visit_satisfaction=Satisfaction.BASICALLY_SATISFIED)),
        "dissatisfied": Count("pk", filter=Q(visit_satisfaction=Satisfaction.DISSATISFIED)),
    })
    since, until = _bounds(start, end)
    completed = Case.objects.filter(kind=CaseKind.COMPLAINT, channel__in=list(scheme.channels),
                                    completed_at__gte=since, completed_at__lt=until)
    timely = _count_by(completed, key, {
        "completed": Count("pk"),
        "completed_on_time": Count("pk", filter=Q(due_at__isnull=True) | Q(completed_at__lte=F("due_at"))),
    })
    groups: dict[Any, Figures] = {}
    for source in (visits, timely):
        for group, counts in source.items():
            figures = groups.setdefault(group, Figures())
            for name, value in counts.items():
                setattr(figures, name, value or 0)
    total = Figures()
    for figures in groups.values():
        for name in ("assessed", "contacted", "solved", "satisfied", "basically_satisfied", "dissatisfied",
                     "completed", "completed_on_time"):
            setattr(total, name, getattr(total, name) + getattr(figures, name))
        figures.finish(scheme)
    return KpiReport(start, end, scheme, group_by, total.finish(scheme),
                     {} if group_by is None else groups)


def period_of(day: dt.date, scheme: KpiScheme) -> tuple[dt.date, dt.date]:
    """The assessment month containing `day`: a calendar month, or from the scheme's start day (the 19th) to the
    day before it in the next month."""
    first = scheme.period_start_day
    start = day.replace(day=first) if day.day >= first else _previous_month(day).replace(day=first)
    next_start = _next_month(start).replace(day=first)
    return start, next_start - dt.timedelta(days=1)


def _previous_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)



# --- as data -------------------------------------------------------------------------------------------------------

FIGURE_NAMES = ("assessed", "contacted", "solved", "satisfied", "basically_satisfied", "dissatisfied", "completed",
                "completed_on_time", "response_rate", "resolution_rate", "satisfaction_rate", "composite",
                "on_time_rate")


def _names(group_by: str | None, keys: list[Any]) -> dict[Any, str]:
    """The display names of the groups (one query)."""
    from ecohotline.cases.selectors import category_label
    from ecohotline.org.models import OrgUnit, User

    ids = [key for key in keys if key is not None]
    if group_by in ("unit", "street"):
        return {unit.pk: unit.name for unit in OrgUnit.objects.filter(pk__in=ids)}
    if group_by in ("handler", "leader"):
        return {user.pk: str(user) for user in User.objects.filter(pk__in=ids)}
    if group_by == "category":
        return {key: category_label(key) for key in ids}
    return {}


def figures_json(figures: Figures) -> dict[str, Any]:
    return {name: (round(value, 6) if isinstance(value, float) else value)
            for name in FIGURE_NAMES for value in (getattr(figures, name),)}


def report_json(report: KpiReport) -> dict[str, Any]:
    """The report as the API and `ecohotline kpis --format json` give it: every count, every rate, the scheme."""
    names = _names(report.group_by, list(report.groups))
    scheme = report.scheme
    return {
        "start": report.start.isoformat(), "end": report.end.isoformat(), "group_by": report.group_by,
        "scheme": {"name": scheme.name, "effective_from": scheme.effective_from.isoformat(),
                   "channels": list(scheme.channels), "period_start_day": scheme.period_start_day,
                   "basic_satisfaction_credit": float(scheme.basic_satisfaction_credit),
                   "weights": {"response": float(scheme.response_weight),
                               "resolution": float(scheme.resolution_weight),
                               "satisfaction": float(scheme.satisfaction_weight)}},
        "total": figures_json(report.total),
        "groups": [{"group": key, "name": names.get(key, "" if key is None else str(key)), **figures_json(figures)}
                   for key, figures in sorted(report.groups.items(), key=lambda item: (item[0] is None,
                                                                                       str(item[0])))],
    }
