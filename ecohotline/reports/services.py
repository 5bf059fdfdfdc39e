"""Writes of the reports app: generate a document into the archive, open a dispatch meeting, record its decisions.

A document is composed and rendered in memory first; only then are its files stored and its row written, in one
transaction. Should storing or writing fail, the files already stored are removed again: the archive never holds
a row without its files, nor a half-written file.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ecohotline.assessment.models import KpiScheme
from ecohotline.cases.models import Case
from ecohotline.cases.services import record_management_event
from ecohotline.core.selectors import workday_overrides
from ecohotline.core.workdays import BEIJING, is_working_day
from ecohotline.org.models import Role, User
from ecohotline.reports import compose
from ecohotline.reports.documents import Document, render_docx, render_xlsx
from ecohotline.reports.models import Meeting, MeetingDecision, ReportKind, ReportRun

logger = logging.getLogger(__name__)

# Who may open a dispatch meeting and enter its decisions (调度意见).
MEETING_ROLES = (Role.LEADER, Role.DISPATCHER, Role.ADMIN)

FILE_STEMS = {ReportKind.DAILY: "日调度单", ReportKind.WEEKLY: "周分析", ReportKind.MONTHLY: "月总结",
              ReportKind.MEETING: "周调度会材料"}


def can_run_meetings(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active
                and (user.is_superuser or user.has_role(*MEETING_ROLES)))


def compose_document(kind: str, day: dt.date) -> Document:
    """The document of `kind` for `day` (not the meeting pack: see `generate_meeting_pack`)."""
    builders = {ReportKind.DAILY: compose.daily_document, ReportKind.WEEKLY: compose.weekly_document,
                ReportKind.MONTHLY: compose.monthly_document}
    if kind not in builders:
        raise ValueError(f"unknown report kind {kind!r}")
    return builders[ReportKind(kind)](day)


def _store(*, kind: str, start: dt.date, end: dt.date, document: Document, actor: User | None,
           meeting: Meeting | None = None) -> ReportRun:
    docx, xlsx = render_docx(document), render_xlsx(document)
    stem = f"{FILE_STEMS[ReportKind(kind)]}_{start:%Y%m%d}" + ("" if start == end else f"-{end:%Y%m%d}")
    for _attempt in range(3):  # two runs of the same period at once: the loser takes the next version
        run = ReportRun(kind=kind, period_start=start, period_end=end, generated_by=actor, meeting=meeting)
        try:
            with transaction.atomic():
                latest = (ReportRun.objects.filter(kind=kind, period_start=start, period_end=end)
                          .aggregate(latest=Max("version"))["latest"])
                run.version = (latest or 0) + 1
                name = f"{stem}_v{run.version}"
                run.docx.save(f"{name}.docx", ContentFile(docx), save=False)
                run.xlsx.save(f"{name}.xlsx", ContentFile(xlsx), save=False)
                run.save()
        except IntegrityError:
            _remove_files(run)
            continue
        except BaseException:
            _remove_files(run)
            raise
        return run
    raise RuntimeError(f"could not store a new version of {kind} {start}–{end}")


def _remove_files(run: ReportRun) -> None:
    for field in (run.docx, run.xlsx):
        if field.name:
            try:
                field.storage.delete(field.name)
            except OSError:  # pragma: no cover - best effort: the row was not written
                logger.exception("could not remove %s", field.name)


def generate_report(*, kind: str, day: dt.date, actor: User | None) -> ReportRun:
    """Generate the 日调度单, 周分析 or 月总结 for `day` into the archive (a new version if that period has one);
    `actor` None is the worker."""
    if actor is not None and not _can_generate(actor):
        raise PermissionDenied
    if kind == ReportKind.MEETING:
        meeting = open_meeting(held_on=day, actor=actor)
        return generate_meeting_pack(meeting=meeting, actor=actor)
    start, end = compose.period_for(kind, day)
    return _store(kind=kind, start=start, end=end, document=compose_document(kind, day), actor=actor)


def _can_generate(user: User) -> bool:
    from ecohotline.assessment.access import can_see_overview

    return can_see_overview(user)


def has_scheduled_run(kind: str, day: dt.date) -> bool:
    """Whether the worker already generated the document of `kind` for `day` (a scheduled job runs once)."""
    start, end = compose.period_for(kind, day)
    return ReportRun.objects.filter(kind=kind, period_start=start, period_end=end, generated_by__isnull=True).exists()


# --- 周调度会 -------------------------------------------------------------------------------------------------------


def reviewed_week(held_on: dt.date) -> tuple[dt.date, dt.date]:
    """The week a meeting reviews: the Monday-to-Sunday week before the week it is held in."""
    monday = held_on - dt.timedelta(days=held_on.weekday())
    return monday - dt.timedelta(days=7), monday - dt.timedelta(days=1)


@transaction.atomic
def open_meeting(*, held_on: dt.date, actor: User | None, title: str = "") -> Meeting:
    """周调度会: the meeting held on `held_on` (one a day), opened now if it is not yet; `actor` None is the worker."""
    if actor is not None and not can_run_meetings(actor):
        raise PermissionDenied
    week_start, week_end = reviewed_week(held_on)
    meeting, _created = Meeting.objects.get_or_create(
        held_on=held_on,
        defaults={"title": title or f"周调度会 {compose.zh_date(held_on)}", "week_start": week_start,
                  "week_end": week_end, "created_by": actor})
    return meeting


def generate_meeting_pack(*, meeting: Meeting, actor: User | None) -> ReportRun:
    """周调度会材料: the reviewed week's figures and the ledger's open cases with their progress and room for the
    decisions; the cases it lists become the meeting's agenda."""
    from ecohotline.reports import meeting_pack

    if actor is not None and not can_run_meetings(actor):
        raise PermissionDenied
    document, case_ids = meeting_pack.meeting_document(meeting)
    with transaction.atomic():
        Meeting.objects.filter(pk=meeting.pk).update(case_ids=case_ids)
        meeting.case_ids = case_ids
        return _store(kind=ReportKind.MEETING, start=meeting.week_start, end=meeting.week_end, document=document,
                      actor=actor, meeting=meeting)


@transaction.atomic
def record_decision(*, actor: User, meeting: Meeting, case: Case, text: str, responsible: User,
                    due: dt.date) -> MeetingDecision:
    """调度意见: record what the meeting decided on a case, and put it on the case's timeline with the person
    responsible and the date."""
    if not can_run_meetings(actor):
        raise PermissionDenied(_("Only leaders, dispatchers and administrators enter the meeting's decisions."))
    text = text.strip()
    if not text:
        raise ValueError("a decision needs a text")
    decision = MeetingDecision.objects.create(meeting=meeting, case=case, text=text, responsible=responsible,
                                              due=due, created_by=actor)
    record_management_event(case=case, action="meeting_decision", actor=actor, at=timezone.now(), payload={
        "text": text, "responsible_name": str(responsible), "responsible": responsible.pk,
        "due": due.isoformat(), "meeting": meeting.pk, "decision": decision.pk})
    return decision


# --- the schedule (run by the worker) ---------------------------------------------------------------------


def _beijing_now(now: dt.datetime | None) -> dt.datetime:
    return timezone.localtime(now or timezone.now(), BEIJING)


def scheduled_daily(now: dt.datetime | None = None) -> ReportRun | None:
    """日调度单: on each working day, from `REPORTS_DAILY_HOUR`, once (a later run the same day catches up on a
    missed hour and otherwise does nothing)."""
    moment = _beijing_now(now)
    day = moment.date()
    if moment.hour < settings.REPORTS_DAILY_HOUR or not is_working_day(day, workday_overrides())[0]:
        return None
    if has_scheduled_run(ReportKind.DAILY, day):
        return None
    return generate_report(kind=ReportKind.DAILY, day=day, actor=None)


def scheduled_weekly(now: dt.datetime | None = None) -> list[ReportRun]:
    """On Mondays, from `REPORTS_WEEKLY_HOUR`: the 周分析 of the week just ended, and the day's 周调度会 opened with
    its pack (unless it has one already); each once."""
    moment = _beijing_now(now)
    day = moment.date()
    if day.weekday() != 0 or moment.hour < settings.REPORTS_WEEKLY_HOUR:
        return []
    runs = []
    last_week = day - dt.timedelta(days=1)
    if not has_scheduled_run(ReportKind.WEEKLY, last_week):
        runs.append(generate_report(kind=ReportKind.WEEKLY, day=last_week, actor=None))
    meeting = open_meeting(held_on=day, actor=None)
    if not meeting.packs.exists():  # unless someone made it already this morning
        runs.append(generate_meeting_pack(meeting=meeting, actor=None))
    return runs


def scheduled_monthly(now: dt.datetime | None = None) -> ReportRun | None:
    """On the first day of an assessment month (the scheme's `period_start_day`), from `REPORTS_MONTHLY_HOUR`: the
    月总结 of the month just ended, once."""
    moment = _beijing_now(now)
    day = moment.date()
    if day.day != KpiScheme.in_force(day).period_start_day or moment.hour < settings.REPORTS_MONTHLY_HOUR:
        return None
    last_day = day - dt.timedelta(days=1)
    if has_scheduled_run(ReportKind.MONTHLY, last_day):
        return None
    return generate_report(kind=ReportKind.MONTHLY, day=last_day, actor=None)
