"""Complaints broken down (分类统计) by category, polluter industry, time segment and place, for a period, with the
previous period of the same length (环比) and the same dates a year before (同比).

What is counted: every case of kind complaint received in the period (Beijing days, both ends included),
duplicates merged into another (并案) included, since each is a call the bureau received. Proactive tasks and
alert verifications are not complaints.

The counting is done by the database (one GROUP BY per breakdown, the three periods as filtered counts of one
pass); only small results (a day, a month, a distinct polluter) are folded in Python. Times are Beijing times:
on PostgreSQL through Django's Extract/Trunc with `tzinfo`; on SQLite the same functions are compiled to
`strftime(..., '+8 hours')` instead of Django's per-row Python time-zone conversion (China has kept UTC+8 without
daylight saving since 1991), which is what keeps a year of 1,000,000 cases within seconds.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import chinese_calendar
from django.db.models import Case as SqlCase
from django.db.models import Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, ExtractHour, ExtractIsoWeekDay, ExtractMonth, TruncDate, TruncMonth
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ecohotline.cases.models import Case, CaseKind, Channel
from ecohotline.cases.selectors import category_label
from ecohotline.core.geo import CELL_DEGREES
from ecohotline.core.workdays import BEIJING, day_bounds, is_working_day
from ecohotline.insight.industries import UNKNOWN, assign_industry, industry_name
from ecohotline.org.models import OrgUnit

_CELL_ROW = 1_000_000  # as ecohotline.core.geo.grid_cell numbers the cells

BREAKDOWNS: dict[str, Promise] = {
    "category": _("Category"),
    "sub_category": _("Sub-category"),
    "industry": _("Industry"),
    "hour": _("Hour of day"),
    "weekday": _("Day of week"),
    "month": _("Month"),
    "season": _("Season"),
    "holiday": _("Workday or holiday"),
    "district": _("District"),
    "street": _("Street/town"),
    "community": _("Community"),
    "cell": _("Grid cell (about 500 m)"),
}

WEEKDAYS: tuple[Promise, ...] = (_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"),
                                 _("Saturday"), _("Sunday"))
SEASONS: dict[str, Promise] = {"spring": _("Spring (Mar–May)"), "summer": _("Summer (Jun–Aug)"),
                               "autumn": _("Autumn (Sep–Nov)"), "winter": _("Winter (Dec–Feb)")}
SEASON_OF_MONTH = {3: "spring", 4: "spring", 5: "spring", 6: "summer", 7: "summer", 8: "summer",
                   9: "autumn", 10: "autumn", 11: "autumn", 12: "winter", 1: "winter", 2: "winter"}
DAY_TYPES: dict[str, Promise] = {"workday": _("Working day"), "weekend": _("Weekend rest day"),
                                 "holiday": _("Public holiday")}


# --- Beijing-time parts of `received_at` ----------------------------------------------------------------------

def _sqlite_part(compiler: Any, lhs: Any, fmt: str) -> tuple[str, Any]:
    """A part of a stored UTC time in Beijing time, as SQLite computes it without a Python function per row."""
    sql, params = compiler.compile(lhs)
    return f"CAST(strftime('{fmt}', {sql}, '+8 hours') AS INTEGER)", params


class BeijingHour(ExtractHour):
    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return _sqlite_part(compiler, self.lhs, "%%H")


class BeijingMonth(ExtractMonth):
    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return _sqlite_part(compiler, self.lhs, "%%m")


class BeijingIsoWeekday(ExtractIsoWeekDay):
    """1 = Monday … 7 = Sunday."""

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        sql, params = compiler.compile(self.lhs)
        return f"((CAST(strftime('%%w', {sql}, '+8 hours') AS INTEGER) + 6) %% 7 + 1)", params


class BeijingDate(TruncDate):
    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        sql, params = compiler.compile(self.lhs)
        return f"date({sql}, '+8 hours')", params


class BeijingMonthStart(TruncMonth):
    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        sql, params = compiler.compile(self.lhs)
        return f"strftime('%%Y-%%m-01', {sql}, '+8 hours')", params


def hour_of(expression: str = "received_at") -> BeijingHour:
    return BeijingHour(expression, tzinfo=BEIJING)


def weekday_of(expression: str = "received_at") -> BeijingIsoWeekday:
    return BeijingIsoWeekday(expression, tzinfo=BEIJING)


def month_of(expression: str = "received_at") -> BeijingMonth:
    return BeijingMonth(expression, tzinfo=BEIJING)


def date_of(expression: str = "received_at") -> BeijingDate:
    return BeijingDate(expression, tzinfo=BEIJING)


def month_start_of(expression: str = "received_at") -> BeijingMonthStart:
    return BeijingMonthStart(expression, tzinfo=BEIJING)


def as_date(value: Any) -> dt.date:
    """A day from the database: a date (PostgreSQL, or SQLite through Django's converters) or ISO text."""
    if isinstance(value, dt.datetime):
        return value.astimezone(BEIJING).date() if value.tzinfo else value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


# --- periods --------------------------------------------------------------------------------------------------

def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class Period:
    """Beijing days `start` … `end`, both included."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("the end of a period must not be before its start")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before (环比)."""
        return Period(self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1))

    def year_before(self) -> Period:
        """The same dates a year before (同比)."""
        return Period(_year_before(self.start), _year_before(self.end))

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start 00:00, day after end 00:00) in Beijing time."""
        return day_bounds(self.start, self.end)

    def q(self) -> Q:
        low, high = self.bounds()
        return Q(received_at__gte=low, received_at__lt=high)

    def as_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


# --- results --------------------------------------------------------------------------------------------------

def change(current: int, before: int) -> tuple[int, float | None]:
    """(difference, relative change) of `current` against `before`; None when there is nothing to compare with."""
    return current - before, ((current - before) / before if before else None)


@dataclass
class Row:
    """One group's complaints in the period, the previous period (环比) and a year before (同比)."""

    key: str
    label: str
    current: int = 0
    previous: int = 0
    year_before: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def change_previous(self) -> int:
        return change(self.current, self.previous)[0]

    @property
    def change_previous_ratio(self) -> float | None:
        return change(self.current, self.previous)[1]

    @property
    def change_year(self) -> int:
        return change(self.current, self.year_before)[0]

    @property
    def change_year_ratio(self) -> float | None:
        return change(self.current, self.year_before)[1]

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "current": self.current, "previous": self.previous,
                "year_before": self.year_before, "change_previous": self.change_previous,
                "change_previous_ratio": _round(self.change_previous_ratio), "change_year": self.change_year,
                "change_year_ratio": _round(self.change_year_ratio), **self.extra}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@dataclass
class Breakdown:
    """Complaints of a period by one dimension, rows in the dimension's natural order (or the most first)."""

    by: str
    period: Period
    rows: list[Row]
    total: Row

    @property
    def previous_period(self) -> Period:
        return self.period.previous()

    @property
    def year_before_period(self) -> Period:
        return self.period.year_before()

    def as_dict(self) -> dict[str, Any]:
        return {"by": self.by, "period": self.period.as_dict(), "previous_period": self.previous_period.as_dict(),
                "year_before_period": self.year_before_period.as_dict(), "total": self.total.as_dict(),
                "rows": [row.as_dict() for row in self.rows]}


# --- counting -------------------------------------------------------------------------------------------------

def complaints() -> QuerySet[Case]:
    """Every complaint (the kind), unordered: the base of every breakdown. `channel IN (every channel)` selects
    nothing less, but lets the database read the covering index (kind, channel, received_at, ..., street,
    category) instead of the wide table."""
    return Case.objects.filter(kind=CaseKind.COMPLAINT, channel__in=Channel.values).order_by()


Counts = dict[Any, list[int]]  # group key → [current, previous, year before]


def _count(period: Period, *, group: Mapping[str, Any], base: QuerySet[Case] | None = None) -> Counts:
    """One GROUP BY over the three periods: {group values (a tuple if several, else the value): [cur, prev, year]}.

    The periods may overlap (a long period's previous period and its year before do): the time line is cut at
    every period's bounds into disjoint segments, each row is grouped by its segment (one CASE, cheaper than a
    filtered count per period), and a period's count is the sum of its segments."""
    periods = (period, period.previous(), period.year_before())
    spans = [p.bounds() for p in periods]
    cuts = sorted({moment for span in spans for moment in span})
    segment = SqlCase(*[When(received_at__lt=cuts[index + 1], then=Value(index)) for index in range(len(cuts) - 1)],
                      output_field=IntegerField())
    merged: list[list[dt.datetime]] = []
    for low, high in sorted(spans):
        if merged and low <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    within = Q()
    for low, high in merged:
        within |= Q(received_at__gte=low, received_at__lt=high)
    qs = (base if base is not None else complaints()).filter(within)
    names = list(group)
    rows = qs.annotate(**group, g_segment=segment).values(*names, "g_segment").annotate(n=Count("pk")).order_by()
    member = [[spans[j][0] <= cuts[i] and cuts[i + 1] <= spans[j][1] for j in range(3)]
              for i in range(len(cuts) - 1)]
    counts: Counts = {}
    for row in rows:
        key = tuple(row[name] for name in names) if len(names) > 1 else row[names[0]]
        target = counts.setdefault(key, [0, 0, 0])
        for j, inside in enumerate(member[row["g_segment"]]):
            if inside:
                target[j] += row["n"]
    return counts


def _plain(fields: Iterable[str]) -> dict[str, Any]:
    return {f"g_{name}": F(name) for name in fields}


def _text(fields: Iterable[str]) -> dict[str, Any]:
    """Group by text columns through COALESCE: the same values, but SQLite then reads the time range of the
    covering index instead of skip-scanning the (sub_category, street, received_at) index row by row."""
    return {f"g_{name}": Coalesce(F(name), Value("")) for name in fields}


def _fold(counts: Counts, key_of: Any) -> Counts:
    folded: Counts = defaultdict(lambda: [0, 0, 0])
    for key, values in counts.items():
        target = folded[key_of(key)]
        for index, value in enumerate(values):
            target[index] += value
    return dict(folded)


@lru_cache(maxsize=4096)
def day_type(day: dt.date) -> str:
    """`holiday` (a statutory public holiday, 法定节假日, and the rest days of its break), `weekend` (any other
    rest day) or `workday` (including make-up working days, 调休上班)."""
    working, _provisional = is_working_day(day)
    if working:
        return "workday"
    try:
        _is_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        name = None
    return "holiday" if name is not None else "weekend"


def _cell_centre(cell: int) -> tuple[float, float]:
    row, col = divmod(int(cell), _CELL_ROW)
    return round((col + 0.5) * CELL_DEGREES, 5), round((row + 0.5) * CELL_DEGREES, 5)


TIME_BREAKDOWNS = ("hour", "weekday", "month", "season", "holiday")


def day_hour_counts(period: Period, *, base: QuerySet[Case] | None = None) -> Counts:
    """{(Beijing day, hour): [cur, prev, year]}: one query from which every time segment is folded in Python."""
    raw = _count(period, group={"g_day": date_of(), "g_hour": hour_of()}, base=base)
    return {(as_date(day), int(hour)): values for (day, hour), values in raw.items()}


def _counts_by(by: str, period: Period, base: QuerySet[Case] | None,
               shared: dict[str, Any]) -> tuple[Counts, dict[Any, str], list[Any]]:
    """The counts keyed by the dimension's value, each key's label, and the keys in natural order ([] = by count).
    `shared` keeps what several breakdowns of the same period read (the day × hour counts)."""
    labels: dict[Any, str] = {}
    order: list[Any] = []
    base = base if base is not None else complaints()
    if by in ("category", "sub_category", "district", "community"):
        counts = _count(period, group=_text([by]), base=base)
        counts = {key or "": value for key, value in counts.items()}
        for key in counts:
            if by in ("category", "sub_category"):
                labels[key] = category_label(key) if key else str(_("Not classified"))
            else:
                labels[key] = key or str(_("Unknown"))
    elif by == "street":
        # COALESCE for the reason `_text` gives; -1 stands for "no street"
        counts = _count(period, group={"g_street": Coalesce(F("street"), Value(-1))}, base=base)
        counts = {(None if key == -1 else key): value for key, value in counts.items()}
        names = dict(OrgUnit.objects.filter(pk__in=[k for k in counts if k]).values_list("pk", "name"))
        for key in counts:
            labels[key] = names.get(key, "") if key else str(_("Unknown"))
    elif by == "cell":
        counts = _count(period, group=_plain(["geo_cell"]), base=base)
        for key in counts:
            labels[key] = str(key) if key is not None else str(_("No coordinates"))
    elif by == "industry":
        # by polluter (a few distinct names per source), and by title only where no polluter is named
        named = _count(period, group=_text(["sub_category", "polluter"]), base=base.exclude(polluter=""))
        counts = _fold(named, lambda key: assign_industry(sub_category=key[0], polluter=key[1]) or UNKNOWN)
        unnamed = _count(period, group=_text(["sub_category", "title"]), base=base.filter(polluter=""))
        for industry, values in _fold(unnamed, lambda key: assign_industry(sub_category=key[0], title=key[1])
                                      or UNKNOWN).items():
            target = counts.setdefault(industry, [0, 0, 0])
            for index, value in enumerate(values):
                target[index] += value
        chinese = (get_language() or "zh-hans").startswith("zh")
        for key in counts:
            labels[key] = industry_name(key, chinese=chinese)
    elif by in TIME_BREAKDOWNS:
        day_hours = shared.get("day_hour")
        if day_hours is None:
            day_hours = shared["day_hour"] = day_hour_counts(period, base=base)
        if by == "hour":
            counts = _fold(day_hours, lambda key: key[1])
            order = list(range(24))
            labels = {hour: f"{hour:02d}:00" for hour in order}
        elif by == "weekday":
            counts = _fold(day_hours, lambda key: key[0].isoweekday())
            order = list(range(1, 8))
            labels = {day: str(WEEKDAYS[day - 1]) for day in order}
        elif by == "month":
            counts = _fold(day_hours, lambda key: key[0].month)
            order = list(range(1, 13))
            labels = {month: str(_("Month %(month)s") % {"month": month}) for month in order}
        elif by == "season":
            counts = _fold(day_hours, lambda key: SEASON_OF_MONTH[key[0].month])
            order = list(SEASONS)
            labels = {key: str(value) for key, value in SEASONS.items()}
        else:
            counts = _fold(day_hours, lambda key: day_type(key[0]))
            order = list(DAY_TYPES)
            labels = {key: str(value) for key, value in DAY_TYPES.items()}
    else:
        raise ValueError(f"unknown breakdown {by!r}; one of {', '.join(BREAKDOWNS)}")
    return counts, labels, order


def breakdown(by: str, period: Period, *, limit: int | None = None, base: QuerySet[Case] | None = None,
              shared: dict[str, Any] | None = None) -> Breakdown:
    """Complaints of `period` by `by` (one of `BREAKDOWNS`) with 环比 and 同比. Time segments keep their natural
    order and show every segment (zeros included); other dimensions list the groups with complaints in any of the
    three periods, most in the period first, cut to `limit` rows if given (the total counts them all). Pass the
    same `shared` dict to several breakdowns of one period to count the time segments once."""
    counts, labels, order = _counts_by(by, period, base, shared if shared is not None else {})
    if order:
        keys = order
    else:
        keys = sorted(counts, key=lambda key: (-counts[key][0], -counts[key][1], str(labels.get(key, key))))
        if limit is not None:
            keys = keys[:limit]
    rows = []
    for key in keys:
        values = counts.get(key, [0, 0, 0])
        extra: dict[str, Any] = {}
        if by == "cell" and key is not None:
            extra["lng"], extra["lat"] = _cell_centre(key)
        rows.append(Row(key="" if key is None else str(key), label=labels.get(key, str(key)), current=values[0],
                        previous=values[1], year_before=values[2], extra=extra))
    totals = [sum(values[index] for values in counts.values()) for index in range(3)]
    total = Row(key="total", label=str(_("All complaints")), current=totals[0], previous=totals[1],
                year_before=totals[2])
    return Breakdown(by=by, period=period, rows=rows, total=total)


def hour_weekday_matrix(period: Period, *, base: QuerySet[Case] | None = None,
                        shared: dict[str, Any] | None = None) -> list[list[int]]:
    """Complaints of the period by weekday (rows, Monday first) and Beijing hour (columns 0–23)."""
    shared = shared if shared is not None else {}
    day_hours = shared.get("day_hour")
    if day_hours is None:
        day_hours = shared["day_hour"] = day_hour_counts(period, base=base)
    matrix = [[0] * 24 for _day in range(7)]
    for (day, hour), values in day_hours.items():
        matrix[day.weekday()][hour] += values[0]
    return matrix


def monthly_counts(period: Period, *, base: QuerySet[Case] | None = None) -> list[tuple[dt.date, int, int]]:
    """Complaints month by month over the period (whole calendar months it touches), each with the same month a
    year before: [(first day of the month, complaints, complaints a year before)]."""
    first = period.start.replace(day=1)
    months: list[dt.date] = []
    month = first
    while month <= period.end:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    after_last = (months[-1] + dt.timedelta(days=32)).replace(day=1)
    whole = Period(first, after_last - dt.timedelta(days=1))
    span = Q(received_at__gte=whole.year_before().bounds()[0], received_at__lt=whole.bounds()[1])
    qs = (base if base is not None else complaints()).filter(span)
    found: dict[dt.date, int] = {}
    for row in qs.annotate(g_month=month_start_of()).values("g_month").annotate(n=Count("pk")).order_by():
        found[as_date(row["g_month"])] = row["n"]
    return [(month, found.get(month, 0), found.get(month.replace(year=month.year - 1), 0)) for month in months]
