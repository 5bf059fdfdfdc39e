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

Figures beside the 三率 (each count is returned with its rate):

* By outcome of the assessed orders' deciding visit: contacted / not_contacted, solved / unsolved, satisfied /
  basically_satisfied / dissatisfied; 重办率 reopen_rate = reopened / assessed, where reopened counts the assessed
  orders reopened at least once (`reopen_count` > 0, as the case stands now).
* Received in the period (the cohort of complaints of the scheme's channels whose `received_at` falls in it,
  duplicates merged into another case included, as each is an order of its own):
  - duplicate_rate = merged / received: the cases of the cohort merged into another (并案, `parent` set);
  - contact_in_time_rate = contacted_in_time / contact_due: of the cohort's cases with a contact deadline, those
    first contacted at or before it (`first_contact_at` ≤ `contact_due_at`; a case not contacted yet is late);
  - contact_hours_mean / _median: `first_contact_at` − `received_at` in hours, over the contact_timed cases of the
    cohort contacted so far;
  - reply_hours_mean / _median: hours from `received_at` to the first reply (答复, interim or final: either meets the
    reply deadline), over the reply_timed cases of the cohort answered so far: `first_replied_at`, which a 重办
    does not clear (it clears `replied_at`).
  Medians of an even count are the mean of the two middle values (as PERCENTILE_CONT(0.5) and statistics.median
  have it); the cohort's rows are read once and counted, averaged and their medians taken here, by numpy.
* Appeals (申诉) filed in the period (`Appeal.created_at`) on complaints of the scheme's channels:
  appeal_approval_rate = appeals_approved / appeals_filed, where appeals_approved are those of them approved so far.

Every count behind a rate is returned with it, so a figure can be checked by hand. The groups' counts add up to
the bureau's; the bureau's medians are computed over all its cases, not from the groups'.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Value,
)
from django.db.models.sql.compiler import SQLCompiler

from ecohotline.assessment.models import KpiScheme
from ecohotline.cases.models import Appeal, Case, CaseKind, Decision, Satisfaction
from ecohotline.core.workdays import day_bounds

# group_by → the field of Case the figures are grouped by.
GROUPS = {"unit": "handling_unit_id", "handler": "handler_id", "street": "street_id", "category": "category",
          "leader": "leader_id"}

# The counts of a group (they add up to the bureau's) and, below, the timings (means and medians).
COUNT_NAMES = ("assessed", "contacted", "not_contacted", "solved", "unsolved", "satisfied", "basically_satisfied",
               "dissatisfied", "reopened", "completed", "completed_on_time", "received", "merged", "contact_due",
               "contacted_in_time", "contact_timed", "reply_timed", "appeals_filed", "appeals_approved")
HOURS = 3600.0
TOTAL = object()  # the bureau's row among the groups' (a group key may be None)


@dataclass
class Figures:
    """The counts of one group and the rates computed from them (None when there is nothing to divide by)."""

    assessed: int = 0
    contacted: int = 0
    not_contacted: int = 0
    solved: int = 0
    unsolved: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    dissatisfied: int = 0
    reopened: int = 0
    completed: int = 0
    completed_on_time: int = 0
    received: int = 0
    merged: int = 0
    contact_due: int = 0
    contacted_in_time: int = 0
    contact_timed: int = 0
    reply_timed: int = 0
    appeals_filed: int = 0
    appeals_approved: int = 0
    contact_hours_mean: float | None = None
    contact_hours_median: float | None = None
    reply_hours_mean: float | None = None
    reply_hours_median: float | None = None
    response_rate: float | None = None
    resolution_rate: float | None = None
    satisfaction_rate: float | None = None
    composite: float | None = None
    on_time_rate: float | None = None
    reopen_rate: float | None = None
    contact_in_time_rate: float | None = None
    duplicate_rate: float | None = None
    appeal_approval_rate: float | None = None

    def finish(self, scheme: KpiScheme) -> Figures:
        if self.assessed:
            self.response_rate = self.contacted / self.assessed
            self.resolution_rate = self.solved / self.assessed
            credit = float(scheme.basic_satisfaction_credit)
            self.satisfaction_rate = (self.satisfied + credit * self.basically_satisfied) / self.assessed
            self.composite = 100 * (float(scheme.response_weight) * self.response_rate
                                    + float(scheme.resolution_weight) * self.resolution_rate
                                    + float(scheme.satisfaction_weight) * self.satisfaction_rate)
            self.reopen_rate = self.reopened / self.assessed
        if self.completed:
            self.on_time_rate = self.completed_on_time / self.completed
        if self.contact_due:
            self.contact_in_time_rate = self.contacted_in_time / self.contact_due
        if self.received:
            self.duplicate_rate = self.merged / self.received
        if self.appeals_filed:
            self.appeal_approval_rate = self.appeals_approved / self.appeals_filed
        return self


@dataclass
class KpiReport:
    start: dt.date
    end: dt.date  # the last day, included
    scheme: KpiScheme
    group_by: str | None
    total: Figures
    groups: dict[Any, Figures] = field(default_factory=dict)


def assessed_orders(scheme: KpiScheme, start: dt.date, end: dt.date) -> QuerySet[Case]:
    """The assessed orders of the period: complaints of the scheme's channels whose deciding visit (`visit_at`, the
    latest valid return visit, kept by `record_return_visit`) falls in the period, without an approved appeal.

    Read from the cases alone through the covering index `cases_kpi_visit`; the visits themselves are not joined."""
    since, until = day_bounds(start, end)
    # Approved appeals are few: the database reads them once (NOT IN) rather than probing once per case.
    approved = Appeal.objects.filter(decision=Decision.APPROVED).values("case_id")
    return Case.objects.filter(kind=CaseKind.COMPLAINT, channel__in=list(scheme.channels), visit_at__gte=since,
                               visit_at__lt=until).exclude(pk__in=approved)


class Seconds(Func):
    """`later` − `earlier` in seconds as a float, in native SQL (Django's own SQLite duration calls Python)."""

    output_field = FloatField()
    arity = 2

    def __init__(self, later: Any, earlier: Any) -> None:
        super().__init__(later, earlier)

    def as_sql(self, compiler: SQLCompiler, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        if connection.vendor == "sqlite":
            return super().as_sql(compiler, connection, template="((julianday(%(expressions)s)) * 86400.0)",
                                  arg_joiner=") - julianday(", **extra)
        if connection.vendor == "postgresql":
            # date_part gives a double at once; EXTRACT gives a numeric (since PostgreSQL 14), three times slower.
            return super().as_sql(compiler, connection, template="date_part('epoch', %(expressions)s)",
                                  arg_joiner=" - ", **extra)
        raise NotImplementedError(f"no duration in seconds on {connection.vendor}")


def _group(key: str | None) -> Any:
    return Value(0) if key is None else F(key)


def _count_by(queryset: QuerySet[Any], key: str | None, aggregates: dict[str, Any]) -> dict[Any, dict[str, Any]]:
    # Aliased apart from the fields (an aggregate may not share a field's name, e.g. `contacted`).
    aliased = {f"kpi_{name}": aggregate for name, aggregate in aggregates.items()}
    if key is None:
        rows = [{"kpi_group": None, **queryset.aggregate(**aliased)}]
    else:
        rows = list(queryset.annotate(kpi_group=F(key)).values("kpi_group").order_by("kpi_group").annotate(**aliased))
    return {row.pop("kpi_group"): {name.removeprefix("kpi_"): value for name, value in row.items()} for row in rows}


def _cohort(cohort: QuerySet[Case], key: str | None) -> dict[Any, dict[str, Any]]:
    """The counts, mean and median seconds of the cohort (see the module docstring) per group (when `key` is given)
    and the bureau's timings (under the key `TOTAL`).

    The database reads the cohort's rows once, from the covering index `cases_kpi_cohort`. Medians need every value
    in order, and sorting them in the database (PERCENTILE_CONT) cost more than everything else, so numpy takes
    them: PostgreSQL counts each group and hands over its durations packed in one bytea per group (a few rows,
    not a row per case); elsewhere (SQLite) the rows are read with the raw cursor and counted here."""
    names = ("contact_seconds", "reply_seconds")
    rows = cohort.annotate(kpi_group=_group(key)).order_by().annotate(
        kpi_merged=ExpressionWrapper(Q(parent__isnull=False), output_field=BooleanField()),
        kpi_due=ExpressionWrapper(Q(contact_due_at__isnull=False), output_field=BooleanField()),
        kpi_in_time=ExpressionWrapper(Q(first_contact_at__lte=F("contact_due_at")), output_field=BooleanField()))
    sql, params = rows.values_list("kpi_group", "kpi_merged", "kpi_due", "kpi_in_time", *names).query.sql_with_params()
    if connection.vendor == "postgresql":
        return _cohort_postgresql(key, sql, params)
    return _cohort_figures(key, *_columns(sql, params, text=key is not None and not key.endswith("_id")))


def _cohort_postgresql(key: str | None, sql: str, params: Any) -> dict[Any, dict[str, Any]]:
    """`_cohort` on PostgreSQL: one GROUP BY; each group's durations come as big-endian doubles (float8send)
    strung together, read by numpy without a Python object per value."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT kpi_group, COUNT(*), COUNT(*) FILTER (WHERE kpi_merged), COUNT(*) FILTER (WHERE kpi_due),"
            " COUNT(*) FILTER (WHERE kpi_in_time), string_agg(float8send(contact_seconds), ''::bytea),"
            " string_agg(float8send(reply_seconds), ''::bytea)"
            f" FROM ({sql}) found(kpi_group, kpi_merged, kpi_due, kpi_in_time, contact_seconds, reply_seconds)"
            " GROUP BY kpi_group", params)
        found = cursor.fetchall()
    result: dict[Any, dict[str, Any]] = {}
    everyone: tuple[list[numpy.ndarray], list[numpy.ndarray]] = ([], [])
    for group, received, merged, due, in_time, *packed in found:
        contacts, replies = (numpy.frombuffer(values or b"", dtype=">f8").astype(float) for values in packed)
        everyone[0].append(contacts)
        everyone[1].append(replies)
        result[None if key is None else group] = {
            "received": received, "merged": merged, "contact_due": due, "contacted_in_time": in_time,
            "contact_timed": len(contacts), "reply_timed": len(replies), **_timings(contacts, replies)}
    result[TOTAL] = _timings(*(numpy.concatenate(values) if values else numpy.zeros(0) for values in everyone))
    return result


Columns = tuple[numpy.ndarray, list[Any], numpy.ndarray, numpy.ndarray, numpy.ndarray]


# Stands for "none" in the numeric columns SQLite hands over (it has no NaN); no duration comes near it.
_NONE = -1e300
_ROW = numpy.dtype([("group", "i8"), ("flags", "i8"), ("contact", "f8"), ("reply", "f8")])


def _columns(sql: str, params: Any, *, text: bool) -> Columns:
    """The cohort's columns: each row's group as a number (an index into the list of group keys that follows), the
    flags (1 merged, 2 contact due, 4 contacted in time) and the seconds (NaN where there are none). The rows go
    from the cursor straight into one numpy array (no Python tuple kept per row); a text group (the category) is
    numbered here."""
    groups = "kpi_group" if text else "COALESCE(kpi_group, 0)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {groups}, kpi_merged + 2 * kpi_due + 4 * COALESCE(kpi_in_time, 0),"
            f" COALESCE(contact_seconds, {_NONE}), COALESCE(reply_seconds, {_NONE})"
            f" FROM ({sql}) found", params)
        if text:
            numbers: dict[Any, int] = {}
            rows = numpy.fromiter(((numbers.setdefault(group, len(numbers)), *rest) for group, *rest in cursor),
                                  dtype=_ROW)
            keys: list[Any] = list(numbers)
            codes = rows["group"]
        else:
            rows = numpy.fromiter(cursor, dtype=_ROW)
            ids, codes = numpy.unique(rows["group"], return_inverse=True)
            keys = [None if group == 0 else group for group in ids.tolist()]
    contact, reply = (numpy.where(rows[name] == _NONE, numpy.nan, rows[name]) for name in ("contact", "reply"))
    return codes.astype(numpy.int64), keys, rows["flags"], contact, reply


def _cohort_figures(key: str | None, codes: numpy.ndarray, keys: list[Any], flags: numpy.ndarray,
                    contact: numpy.ndarray, reply: numpy.ndarray) -> dict[Any, dict[str, Any]]:
    """Count the cohort's columns per group: each group's counts and timings, and the bureau's timings."""
    size = len(keys)
    received = numpy.bincount(codes, minlength=size)
    merged = numpy.bincount(codes[(flags & 1) > 0], minlength=size)
    due = numpy.bincount(codes[(flags & 2) > 0], minlength=size)
    in_time = numpy.bincount(codes[(flags & 6) == 6], minlength=size)
    # The rows in group order (a stable sort of small integers), so that each group's values are one slice.
    order = numpy.argsort(codes, kind="stable")
    ends = numpy.cumsum(received).tolist()
    slices = [slice(start, end) for start, end in zip([0, *ends][:-1], ends, strict=True)]
    contact_by_group, reply_by_group = contact[order], reply[order]
    result: dict[Any, dict[str, Any]] = {}
    for code, group in enumerate(keys):
        contacts, replies = (_present(values[slices[code]]) for values in (contact_by_group, reply_by_group))
        result[None if key is None else group] = {
            "received": int(received[code]), "merged": int(merged[code]), "contact_due": int(due[code]),
            "contacted_in_time": int(in_time[code]), "contact_timed": len(contacts), "reply_timed": len(replies),
            **_timings(contacts, replies)}
    result[TOTAL] = _timings(_present(contact), _present(reply))
    return result


def _present(values: numpy.ndarray) -> numpy.ndarray:
    return values[~numpy.isnan(values)]


def _timings(contacts: numpy.ndarray, replies: numpy.ndarray) -> dict[str, float | None]:
    return {"contact_mean": _mean(contacts), "reply_mean": _mean(replies),
            "contact_median": _median(contacts), "reply_median": _median(replies)}


def _mean(values: numpy.ndarray) -> float | None:
    return float(numpy.mean(values)) if len(values) else None


def _median(values: numpy.ndarray) -> float | None:
    """The middle value (the mean of the two middle ones for an even count), as statistics.median gives it."""
    return float(numpy.median(values)) if len(values) else None


def compute_kpis(start: dt.date, end: dt.date, *, group_by: str | None = None,
                 scheme: KpiScheme | None = None) -> KpiReport:
    """The figures of the period [start, end] (Beijing dates, both included) for the bureau and per group."""
    if group_by is not None and group_by not in GROUPS:
        raise ValueError(f"group_by must be one of {', '.join(GROUPS)}")
    if connection.vendor != "postgresql":
        return _compute(start, end, group_by, scheme)  # no transaction: SQLite's would take the write lock
    with transaction.atomic(), connection.cursor() as cursor:
        # A year's scans are costed high enough to be JIT-compiled, which takes longer (about 0.2 s a query) than
        # these short scans gain from it.
        cursor.execute("SET LOCAL jit = off")
        # The cohort's durations are gathered per group (a year of 800,000 received cases: about 13 MB) in memory
        # rather than spilled to disk (the default is 4 MB).
        cursor.execute("SET LOCAL work_mem = '128MB'")
        return _compute(start, end, group_by, scheme)


def _compute(start: dt.date, end: dt.date, group_by: str | None, scheme: KpiScheme | None) -> KpiReport:
    scheme = scheme or KpiScheme.in_force(end)
    key = GROUPS[group_by] if group_by else None
    case_key = f"case__{key}" if key else None
    channels = list(scheme.channels)
    visits = _count_by(assessed_orders(scheme, start, end), key, {
        "assessed": Count("pk"),
        "contacted": Count("pk", filter=Q(visit_contacted=True)),
        "not_contacted": Count("pk", filter=Q(visit_contacted=False)),
        "solved": Count("pk", filter=Q(visit_solved=True)),
        "unsolved": Count("pk", filter=Q(visit_solved=False)),
        "satisfied": Count("pk", filter=Q(visit_satisfaction=Satisfaction.SATISFIED)),
        "basically_satisfied": Count("pk", filter=Q(visit_satisfaction=Satisfaction.BASICALLY_SATISFIED)),
        "dissatisfied": Count("pk", filter=Q(visit_satisfaction=Satisfaction.DISSATISFIED)),
        "reopened": Count("pk", filter=Q(reopen_count__gt=0)),
    })
    since, until = day_bounds(start, end)
    complaints = Case.objects.filter(kind=CaseKind.COMPLAINT, channel__in=channels)
    completed = complaints.filter(completed_at__gte=since, completed_at__lt=until)
    timely = _count_by(completed, key, {
        "completed": Count("pk"),
        "completed_on_time": Count("pk", filter=Q(due_at__isnull=True) | Q(completed_at__lte=F("due_at"))),
    })
    cohort = complaints.filter(received_at__gte=since, received_at__lt=until).annotate(
        contact_seconds=Seconds(F("first_contact_at"), F("received_at")),
        reply_seconds=Seconds(F("first_replied_at"), F("received_at")))
    received = _cohort(cohort, key)
    appeals = _count_by(Appeal.objects.filter(created_at__gte=since, created_at__lt=until,
                                              case__kind=CaseKind.COMPLAINT, case__channel__in=channels),
                        case_key, {"appeals_filed": Count("pk"),
                                   "appeals_approved": Count("pk", filter=Q(decision=Decision.APPROVED))})
    groups: dict[Any, Figures] = {}
    for source in (visits, timely, received, appeals):
        for group, counts in source.items():
            if group is TOTAL:
                continue
            figures = groups.setdefault(group, Figures())
            for name, value in counts.items():
                if name in COUNT_NAMES:
                    setattr(figures, name, value or 0)
    total = Figures()
    for figures in groups.values():
        for name in COUNT_NAMES:
            setattr(total, name, getattr(total, name) + getattr(figures, name))
    for group, timings in received.items():
        figures = total if group is TOTAL else groups[group]
        figures.contact_hours_mean = _hours(timings.get("contact_mean"))
        figures.reply_hours_mean = _hours(timings.get("reply_mean"))
        figures.contact_hours_median = _hours(timings.get("contact_median"))
        figures.reply_hours_median = _hours(timings.get("reply_median"))
    for figures in groups.values():
        figures.finish(scheme)
    return KpiReport(start, end, scheme, group_by, total.finish(scheme),
                     {} if group_by is None else groups)


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / HOURS


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

FIGURE_NAMES = (*COUNT_NAMES, "contact_hours_mean", "contact_hours_median", "reply_hours_mean", "reply_hours_median",
                "response_rate", "resolution_rate", "satisfaction_rate", "composite", "on_time_rate", "reopen_rate",
                "contact_in_time_rate", "duplicate_rate", "appeal_approval_rate")


def group_names(group_by: str | None, keys: list[Any]) -> dict[Any, str]:
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
    names = group_names(report.group_by, list(report.groups))
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
