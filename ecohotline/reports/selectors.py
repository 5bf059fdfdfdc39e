"""Reads behind the documents: the cases of the daily dispatch sheet, the counts of a period by category and by
street, the figures of a week or an assessment month, and the archive.

Every case list leaves the complainant out: a row carries the order number, the place, the category, who handles
it and its deadline, never a name or a phone (mobile numbers typed into an address are masked as well).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from ecohotline.assessment.kpis import Figures, compute_kpis
from ecohotline.cases.access import mask_complainant
from ecohotline.cases.deadlines import overdue_q
from ecohotline.cases.inbox import STILL_OPEN, WAITING_FOR_DISPATCH
from ecohotline.cases.models import Case
from ecohotline.cases.selectors import category_label, status_label
from ecohotline.core.selectors import workday_overrides
from ecohotline.core.workdays import BEIJING, is_working_day
from ecohotline.reports.models import Meeting, MeetingDecision, ReportRun

# --- days and weeks ------------------------------------------------------------------------------------------------


def midnight(day: dt.date) -> dt.datetime:
    """00:00 of a Beijing day."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=BEIJING)


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The Monday and the Sunday of the week containing `day`."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(BEIJING).date()


# --- case rows -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    """One case as a document lists it (no complainant)."""

    pk: int
    reference: str
    received_at: dt.datetime
    address: str
    category: str
    unit: str
    handler: str
    due_at: dt.datetime | None
    status: str


def case_row(case: Case) -> CaseRow:
    """Call under `translation.override` for labels in the document's language."""
    return CaseRow(
        pk=case.pk, reference=case.reference, received_at=case.received_at,
        address=mask_complainant(case, case.address or (case.street.name if case.street else "")),
        category=category_label(case.sub_category or case.category),
        unit=case.handling_unit.name if case.handling_unit else "",
        handler=str(case.handler) if case.handler else "",
        due_at=case.next_due_at, status=status_label(case.status),
    )


def _rows(cases: QuerySet[Case]) -> list[CaseRow]:
    return [case_row(case) for case in cases.select_related("street", "handling_unit", "handler")]


def previous_working_day(day: dt.date) -> dt.date:
    """The working day before `day` (the statutory calendar with the administrator's corrections); the day before
    when none is found within a month."""
    overrides = workday_overrides()
    for back in range(1, 32):
        candidate = day - dt.timedelta(days=back)
        if is_working_day(candidate, overrides)[0]:
            return candidate
    return day - dt.timedelta(days=1)


@dataclass(frozen=True)
class DailySheet:
    """日调度: the cases to dispatch and to chase on one day. Deadlines are measured against 00:00 of the day; the
    cases are as they stand when the sheet is made. "New" runs from the previous working day: after a weekend or
    a holiday the sheet lists every order received since the last sheet (`new_since`..the day before)."""

    day: dt.date
    new_since: dt.date
    new: list[CaseRow]  # 昨日新增
    due_today: list[CaseRow]
    due_tomorrow: list[CaseRow]
    overdue: list[CaseRow]
    unassigned: list[CaseRow]  # 未派单: waiting for dispatch, new or sent back


def daily_sheet(day: dt.date) -> DailySheet:
    start, tomorrow, after = midnight(day), midnight(day + dt.timedelta(days=1)), midnight(day + dt.timedelta(days=2))
    by_deadline = ("next_due_at", "received_at", "pk")
    cases = Case.objects.all()
    since = previous_working_day(day)
    return DailySheet(
        day=day,
        new_since=since,
        new=_rows(cases.filter(received_at__gte=midnight(since), received_at__lt=start)
                  .order_by("received_at", "pk")),
        due_today=_rows(cases.filter(overdue_q(tomorrow), next_due_at__gte=start).order_by(*by_deadline)),
        due_tomorrow=_rows(cases.filter(overdue_q(after), next_due_at__gte=tomorrow).order_by(*by_deadline)),
        overdue=_rows(cases.filter(overdue_q(start)).order_by(*by_deadline)),
        unassigned=_rows(cases.filter(status__in=WAITING_FOR_DISPATCH).order_by("received_at", "pk")),
    )


# --- counts of a period --------------------------------------------------------------------------------------------


def _between(field: str, start: dt.date, end: dt.date) -> Q:
    return Q(**{f"{field}__gte": midnight(start), f"{field}__lt": midnight(end + dt.timedelta(days=1))})


@dataclass(frozen=True)
class PeriodFigures:
    """What happened in [start, end]: orders received and completed (every kind and channel), and the 三率 and the
    on-time rate of the assessed orders (`assessment.kpis`)."""

    start: dt.date
    end: dt.date
    received: int
    completed: int
    kpis: Figures


def period_figures(start: dt.date, end: dt.date) -> PeriodFigures:
    counts = Case.objects.aggregate(received=Count("pk", filter=_between("received_at", start, end)),
                                    completed=Count("pk", filter=_between("completed_at", start, end)))
    return PeriodFigures(start, end, counts["received"] or 0, counts["completed"] or 0,
                         compute_kpis(start, end).total)


@dataclass(frozen=True)
class OpenFigures:
    """The cases still open, and those past a deadline, at a moment."""

    open: int
    overdue: int


def open_figures(moment: dt.datetime) -> OpenFigures:
    counts = Case.objects.aggregate(open=Count("pk", filter=Q(status__in=STILL_OPEN)),
                                    overdue=Count("pk", filter=overdue_q(moment)))
    return OpenFigures(counts["open"] or 0, counts["overdue"] or 0)


def received_by_day(start: dt.date, end: dt.date) -> dict[dt.date, int]:
    """Orders received on each day of [start, end] (every day present)."""
    counts: Counter[dt.date] = Counter(
        local_day(at) for at in Case.objects.filter(_between("received_at", start, end))
        .values_list("received_at", flat=True))
    days = (end - start).days + 1
    return {start + dt.timedelta(days=n): counts[start + dt.timedelta(days=n)] for n in range(days)}


def received_by_category(start: dt.date, end: dt.date) -> dict[str, int]:
    """{category name: orders received in [start, end]}, most first ("未分类" for none). Call under
    `translation.override` for names in the document's language."""
    rows = (Case.objects.filter(_between("received_at", start, end)).values("category")
            .annotate(count=Count("pk")).order_by("-count", "category"))
    return {(category_label(row["category"]) or "未分类"): row["count"] for row in rows}


def received_by_street(start: dt.date, end: dt.date) -> dict[str, int]:
    """{street or town: orders received in [start, end]}, most first ("未定位" for none)."""
    rows = (Case.objects.filter(_between("received_at", start, end)).values(name=F("street__name"))
            .annotate(count=Count("pk")).order_by("-count", "name"))
    return {(row["name"] or "未定位"): row["count"] for row in rows}


# --- the archive ---------------------------------------------------------------------------------------------------


def archive(kind: str | None = None) -> QuerySet[ReportRun]:
    """The generated documents, newest period first, then the latest version first."""
    runs = ReportRun.objects.select_related("generated_by", "meeting")
    if kind:
        runs = runs.filter(kind=kind)
    return runs.order_by("-period_start", "kind", "-version")


def meetings() -> QuerySet[Meeting]:
    return Meeting.objects.order_by("-held_on")


@dataclass
class AgendaItem:
    """One case before a meeting, with the decisions the meeting took on it."""

    case: Case
    summary: str
    decisions: list[MeetingDecision]


def agenda(meeting: Meeting) -> list[AgendaItem]:
    """The cases of the meeting's pack in its order (the ledger's open cases, difficult ones first, while no pack
    was made yet), then any other case the meeting decided on."""
    from ecohotline.assessment.ledger import open_entries
    from ecohotline.reports.meeting_pack import agenda as ledger_order

    ids = list(meeting.case_ids) or [entry.case_id for entry in ledger_order(list(open_entries()))]
    decisions: dict[int, list[MeetingDecision]] = {}
    for decision in meeting.decisions.select_related("responsible", "created_by").order_by("created_at", "pk"):
        decisions.setdefault(decision.case_id, []).append(decision)
    ids += [case_id for case_id in decisions if case_id not in ids]
    cases = Case.objects.select_related("handling_unit", "leader").in_bulk(ids)
    return [AgendaItem(case, mask_complainant(case, case.title or case.description)[:60], decisions.get(pk, []))
            for pk in ids if (case := cases.get(pk)) is not None]
