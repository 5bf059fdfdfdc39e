"""The 台账 (ledger): the living list of problem cases, each with an owner, a next step and a next date.

Who enters (`sync_ledger`, every few minutes, and `flag_difficult`):

* **unresolved**: an open case whose reply or completion deadline has passed (clock running), or which has been
  open longer than `LEDGER_OPEN_DAYS`;
* **unsatisfied**: a case whose latest valid return visit (有效回访) was 不满意 or 未解决;
* **difficult**: flagged by a leader, or a repeat complaint (triage counted `LEDGER_REPEAT_THRESHOLD` or more
  complaints about the place within 90 days).

Who leaves: only a case that closes solved and (basically) satisfied (满意/基本满意), or an entry a leader removes
with a reason. A case without a complainant (an alert verification) has no return visit; its closing counts as
settled. A case comes back with a new entry only for something that happened after it left (a new deadline
missed, a new unsatisfied visit, a new flag): otherwise the next run would put back what a leader just removed.

Every entry, change and exit is also an event on the case's timeline (`ledger_entered`, `ledger_updated`,
`ledger_left`). The selections read only open cases (status index), open entries (a partial index) and the
return visits of open cases; nothing here walks the whole case history.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from ecohotline.assessment.models import LedgerEntry, LedgerExit, LedgerReason, Retrospective, RetrospectiveStatus
from ecohotline.cases import access
from ecohotline.cases.exceptions import ActionForbidden, RuleViolation
from ecohotline.cases.models import OPEN_STATUSES, Case, CaseEvent, CaseStatus, Channel, ReturnVisit, Satisfaction
from ecohotline.cases.services import NO_RETURN_VISIT_KINDS, SATISFIED, record_management_event
from ecohotline.org.models import Role, User
from ecohotline.org.selectors import unit_heads_of

logger = logging.getLogger(__name__)
_M = TypeVar("_M", LedgerEntry, Retrospective)

LEDGER_ACTIONS = ("ledger_entered", "ledger_updated", "ledger_left", "retrospective")
# The statuses in which an unsatisfied visit still matters: a dissatisfied valid visit reopens the case (重办),
# which stays open (or replied, waiting for its next visit) until a satisfied visit closes it.
VISITED_STATUSES = (*OPEN_STATUSES, CaseStatus.REPLIED)
CHUNK = 500


def open_days() -> int:
    return int(getattr(settings, "LEDGER_OPEN_DAYS", 30))


def repeat_threshold() -> int:
    return int(getattr(settings, "LEDGER_REPEAT_THRESHOLD", 5))


def retrospective_days() -> int:
    return int(getattr(settings, "LEDGER_RETROSPECTIVE_DAYS", 90))


# --- reads ------------------------------------------------------------------------------------------------


def open_entries(*, reason: str | None = None) -> QuerySet[LedgerEntry]:
    """The entries on the ledger now, oldest first, with their case, its unit and leader, and the owner."""
    entries = LedgerEntry.objects.filter(left_at__isnull=True).select_related(
        "case", "case__handling_unit", "case__leader", "owner")
    if reason:
        entries = entries.filter(reasons__contains=[reason]) if _json_contains() else entries.filter(
            reasons__icontains=f'"{reason}"')
    return entries.order_by("entered_at", "pk")


def _json_contains() -> bool:
    """JSON containment is a PostgreSQL lookup; SQLite matches the quoted code in the stored text instead."""
    return connection.vendor == "postgresql"


def seen_by(user: User, rows: QuerySet[_M]) -> QuerySet[_M]:
    """The rows (entries, retrospectives) of cases `user` may see: a unit head those of their unit, the
    bureau-wide roles all."""
    if user.is_superuser or user.role_codes & access.GLOBAL_ROLES:
        return rows
    return rows.filter(case__in=access.visible_cases(user))


def history(case_ids: Iterable[int]) -> dict[int, list[CaseEvent]]:
    """The ledger and retrospective events of these cases, oldest first (one query)."""
    found: dict[int, list[CaseEvent]] = {}
    ids = list(case_ids)
    if not ids:
        return found
    events = CaseEvent.objects.filter(case_id__in=ids, action__in=LEDGER_ACTIONS).select_related("actor")
    for event in events.order_by("at", "pk"):
        found.setdefault(event.case_id, []).append(event)
    return found


def reason_label(code: str) -> str:
    return str(dict(LedgerReason.choices).get(code, code))


# --- who may do what --------------------------------------------------------------------------------------


def can_lead(user: Any) -> bool:
    """Leaders (and administrators) flag cases as difficult and take entries off the ledger."""
    return bool(user is not None and user.is_authenticated and user.is_active
                and (user.is_superuser or user.has_role(Role.LEADER, Role.ADMIN)))


def can_follow_up(user: Any, case: Case) -> bool:
    """Who sets an entry's owner, next step and date, and fills in the case's retrospectives: leaders,
    administrators, dispatchers, a head of the case's handling unit and the case's handler."""
    if not (user is not None and user.is_authenticated and user.is_active):
        return False
    if can_lead(user) or user.has_role(Role.DISPATCHER):
        return True
    if case.handler_id is not None and case.handler_id == user.pk:
        return True
    return bool(user.has_role(Role.UNIT_HEAD) and access.in_handling_unit(user, case))


def default_owner(case: Case, heads: dict[int, User | None] | None = None) -> User | None:
    """The case's handler, else a head of its handling unit (or of the nearest unit above with one)."""
    if case.handler_id is not None:
        return case.handler
    if case.handling_unit_id is None or case.handling_unit is None:
        return None
    cache = heads if heads is not None else {}
    if case.handling_unit_id not in cache:
        cache[case.handling_unit_id] = unit_heads_of(case.handling_unit).order_by("pk").first()
    return cache[case.handling_unit_id]


# --- writes by people -------------------------------------------------------------------------------------


def _owner_name(owner: User | None) -> str:
    return str(owner) if owner is not None else ""


def _lock_open_entry(entry: LedgerEntry) -> LedgerEntry:
    locked = LedgerEntry.objects.select_for_update(of=("self",)).select_related(
        "case", "case__handling_unit", "owner").get(pk=entry.pk)
    if locked.left_at is not None:
        raise RuleViolation("ledger_entry_closed", _("This entry has already left the ledger."))
    return locked


@transaction.atomic
def flag_difficult(*, actor: User, case: Case, reason: str) -> LedgerEntry:
    """A leader marks a case as difficult (疑难): it enters the ledger, or its entry gains the reason."""
    if not can_lead(actor):
        raise ActionForbidden(_("Only leaders may mark a case as difficult."))
    if not reason.strip():
        raise RuleViolation("reason_required", _("Say why the case is difficult."), field="reason")
    case = Case.objects.select_for_update(of=("self",)).select_related("handling_unit", "handler").get(pk=case.pk)
    if case.status == CaseStatus.CLOSED:
        raise RuleViolation("case_closed", _("The case is closed; it cannot go on the ledger."))
    entry = LedgerEntry.objects.filter(case=case, left_at__isnull=True).first()
    now = timezone.now()
    if entry is None:
        owner = default_owner(case)
        entry = LedgerEntry.objects.create(case=case, reasons=[LedgerReason.DIFFICULT], difficult_note=reason,
                                           owner=owner, entered_at=now)
        record_management_event(case=case, action="ledger_entered", actor=actor, at=now, payload={
            "entry": entry.pk, "reasons": [LedgerReason.DIFFICULT.value], "reason": reason,
            "responsible_name": _owner_name(owner)})
        return entry
    added = [] if LedgerReason.DIFFICULT in entry.reasons else [LedgerReason.DIFFICULT.value]
    entry.reasons = [*entry.reasons, *added]
    entry.difficult_note = reason
    entry.save(update_fields=["reasons", "difficult_note", "updated_at"])
    record_management_event(case=case, action="ledger_updated", actor=actor, at=now, payload={
        "entry": entry.pk, "reasons": added, "reason": reason})
    return entry


_UNSET: Any = object()


@transaction.atomic
def update_entry(*, actor: User, entry: LedgerEntry, owner: User | None = _UNSET, next_step: str | None = None,
                 next_date: dt.date | None = _UNSET, note: str = "") -> LedgerEntry:
    """Set who owns an entry, its next step and its next date (what is not given stays). One event with what
    changed; nothing when nothing did."""
    entry = _lock_open_entry(entry)
    if not can_follow_up(actor, entry.case):
        raise ActionForbidden(_("Your role does not allow you to plan this case."))
    if owner is not _UNSET and owner is not None and not owner.is_active:
        raise RuleViolation("inactive_owner", _("Choose an active member of staff as the owner."), field="owner")
    changed: dict[str, Any] = {}
    if owner is not _UNSET and owner != entry.owner:
        entry.owner = owner
        changed["owner"] = owner.pk if owner else None
        changed["responsible_name"] = _owner_name(owner) or "—"
    if next_step is not None and next_step.strip() != entry.next_step:
        entry.next_step = next_step.strip()
        changed["next_step"] = entry.next_step or "—"
    if next_date is not _UNSET and next_date != entry.next_date:
        entry.next_date = next_date
        changed["next_date"] = next_date.isoformat() if next_date else "—"
    if not changed:
        return entry
    fields = [name for name in ("owner", "next_step", "next_date") if name in changed]
    entry.save(update_fields=[*fields, "updated_at"])
    payload = {"entry": entry.pk, **changed}
    if note.strip():
        payload["note"] = note.strip()
    record_management_event(case=entry.case, action="ledger_updated", actor=actor, payload=payload)
    return entry


@transaction.atomic
def remove_entry(*, actor: User, entry: LedgerEntry, reason: str) -> LedgerEntry:
    """A leader takes an entry off the ledger, saying why (the reason stays on the entry and the timeline)."""
    if not can_lead(actor):
        raise ActionForbidden(_("Only leaders may take a case off the ledger."))
    if not reason.strip():
        raise RuleViolation("reason_required", _("Say why the case leaves the ledger."), field="reason")
    entry = _lock_open_entry(entry)
    now = timezone.now()
    entry.left_at = now
    entry.exit_kind = LedgerExit.REMOVED
    entry.exit_reason = reason.strip()
    entry.removed_by = actor
    entry.save(update_fields=["left_at", "exit_kind", "exit_reason", "removed_by", "updated_at"])
    record_management_event(case=entry.case, action="ledger_left", actor=actor, at=now, payload={
        "entry": entry.pk, "exit": LedgerExit.REMOVED.value, "reason": entry.exit_reason})
    return entry


# --- the worker -------------------------------------------------------------------------------------------


@dataclass
class SyncSummary:
    """What one run of `sync_ledger` did (case ids)."""

    entered: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    left: list[int] = field(default_factory=list)
    retrospectives: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"entered": len(self.entered), "updated": len(self.updated), "left": len(self.left),
                "retrospectives": self.retrospectives}


def _latest_visit() -> QuerySet[ReturnVisit]:
    return ReturnVisit.objects.filter(case=OuterRef("pk"), valid=True).order_by("-at", "-pk")


def _settled_q() -> Q:
    """Closed solved and (basically) satisfied by the latest valid visit, or closed without a complainant."""
    return Q(status=CaseStatus.CLOSED) & (
        Q(kind__in=NO_RETURN_VISIT_KINDS) | Q(last_solved=True, last_satisfaction__in=list(SATISFIED)))


def _with_latest_visit(cases: QuerySet[Case]) -> Any:  # annotated: beyond the typed fields
    latest = _latest_visit()
    return cases.annotate(last_solved=Subquery(latest.values("solved")[:1]),
                          last_satisfaction=Subquery(latest.values("satisfaction")[:1]),
                          last_visit_recorded=Subquery(latest.values("created_at")[:1]))


def qualifying_cases(now: dt.datetime) -> dict[int, dict[str, dt.datetime]]:
    """{case id: {reason: when the reason arose}} of every case that should be on the ledger now (bar leaders'
    flags, which are entries already). Four indexed selections over open cases."""
    found: dict[int, dict[str, dt.datetime]] = {}

    def add(case_id: int, reason: str, since: dt.datetime) -> None:
        reasons = found.setdefault(case_id, {})
        reasons[reason] = min(since, reasons.get(reason, since))

    # Unresolved: the answer is late (the reply or completion deadline passed, the clock running). The nearest
    # pending deadline is due first, so `next_due_at < now` narrows the search on the (status, next_due_at) index.
    overdue = Case.objects.filter(status__in=OPEN_STATUSES, next_due_at__lt=now, paused_at__isnull=True).filter(
        Q(reply_due_at__lt=now, replied_at__isnull=True) | Q(due_at__lt=now, completed_at__isnull=True))
    for pk, reply_due, replied, due, completed in overdue.values_list(
            "pk", "reply_due_at", "replied_at", "due_at", "completed_at").order_by():
        missed = [when for when, met in ((reply_due, replied), (due, completed))
                  if when is not None and met is None and when < now]
        add(pk, LedgerReason.UNRESOLVED, min(missed))
    # Unresolved: open for too long (on the (status, received_at) index).
    age = dt.timedelta(days=open_days())
    old = Case.objects.filter(status__in=OPEN_STATUSES, received_at__lt=now - age)
    for pk, received in old.values_list("pk", "received_at").order_by():
        add(pk, LedgerReason.UNRESOLVED, received + age)
    # Unsatisfied: the latest valid visit of a case still being handled says 不满意 or 未解决.
    visited = _with_latest_visit(Case.objects.filter(status__in=VISITED_STATUSES)).filter(
        Q(last_satisfaction=Satisfaction.DISSATISFIED) | Q(last_solved=False))
    for pk, recorded in visited.values_list("pk", "last_visit_recorded").order_by():
        add(pk, LedgerReason.UNSATISFIED, recorded)
    # Difficult: a repeat complaint, as triage counted it (intake's `TriageSuggestion`, reached by its relation).
    repeated = Case.objects.filter(status__in=OPEN_STATUSES, triage__repeat_count_90d__gte=repeat_threshold())
    for pk, received in repeated.values_list("pk", "received_at").order_by():
        add(pk, LedgerReason.DIFFICULT, received)
    return found


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def sync_ledger(now: dt.datetime | None = None) -> SyncSummary:
    """Bring the ledger up to date: enter the cases that qualify, add new reasons to open entries, take off the
    entries of cases closed solved and satisfied, and open the pending retrospectives. Idempotent; one
    transaction (a run that collides with a person's change fails whole, and the next run does it)."""
    now = now or timezone.now()
    summary = SyncSummary()
    with transaction.atomic():
        qualifying = qualifying_cases(now)
        open_by_case = {entry.case_id: entry for entry in
                        LedgerEntry.objects.filter(left_at__isnull=True).select_related("case", "case__handler")}
        _add_reasons(qualifying, open_by_case, now, summary)
        _fill_owners(open_by_case, now, summary)
        _enter(qualifying, open_by_case, now, summary)
        _leave_settled(list(open_by_case.values()), now, summary)
        summary.retrospectives = open_retrospectives(now)
    return summary


def _add_reasons(qualifying: dict[int, dict[str, dt.datetime]], open_by_case: dict[int, LedgerEntry],
                 now: dt.datetime, summary: SyncSummary) -> None:
    changed = []
    for case_id, reasons in qualifying.items():
        entry = open_by_case.get(case_id)
        if entry is None:
            continue
        added = [code for code in LedgerReason.values if code in reasons and code not in entry.reasons]
        if added:
            entry.reasons = [*entry.reasons, *added]
            changed.append((entry, added))
    if not changed:
        return
    LedgerEntry.objects.bulk_update([entry for entry, _added in changed], ["reasons"], batch_size=CHUNK)
    for entry, added in changed:
        record_management_event(case=entry.case, action="ledger_updated", actor=None, at=now,
                                payload={"entry": entry.pk, "reasons": added})
        summary.updated.append(entry.case_id)


def _fill_owners(open_by_case: dict[int, LedgerEntry], now: dt.datetime, summary: SyncSummary) -> None:
    """An entry without an owner (it entered before anyone handled the case) goes to the handler once there is
    one."""
    ownerless = [entry for entry in open_by_case.values()
                 if entry.owner_id is None and entry.case.handler_id is not None and entry.case.handler is not None]
    if not ownerless:
        return
    for entry in ownerless:
        entry.owner = entry.case.handler
    LedgerEntry.objects.bulk_update(ownerless, ["owner"], batch_size=CHUNK)
    for entry in ownerless:
        record_management_event(case=entry.case, action="ledger_updated", actor=None, at=now, payload={
            "entry": entry.pk, "owner": entry.owner_id, "responsible_name": _owner_name(entry.owner)})
        if entry.case_id not in summary.updated:
            summary.updated.append(entry.case_id)


def _enter(qualifying: dict[int, dict[str, dt.datetime]], open_by_case: dict[int, LedgerEntry],
           now: dt.datetime, summary: SyncSummary) -> None:
    candidates = sorted(case_id for case_id in qualifying if case_id not in open_by_case)
    if not candidates:
        return
    # A case that left comes back only for what arose after it left.
    last_left: dict[int, dt.datetime] = {}
    for chunk in _chunks(candidates):
        rows = (LedgerEntry.objects.filter(case_id__in=chunk, left_at__isnull=False).values("case_id")
                .annotate(last=Max("left_at")).values_list("case_id", "last").order_by())
        last_left.update(rows)
    entering: dict[int, list[str]] = {}
    for case_id in candidates:
        since = last_left.get(case_id)
        reasons = [code for code in LedgerReason.values
                   if code in qualifying[case_id] and (since is None or qualifying[case_id][code] > since)]
        if reasons:
            entering[case_id] = reasons
    if not entering:
        return
    heads: dict[int, User | None] = {}
    entries: list[LedgerEntry] = []
    cases: dict[int, Case] = {}
    for chunk in _chunks(sorted(entering)):
        for case in Case.objects.filter(pk__in=chunk).select_related("handling_unit", "handler").order_by("pk"):
            cases[case.pk] = case
            entries.append(LedgerEntry(case=case, reasons=entering[case.pk], owner=default_owner(case, heads),
                                       entered_at=now))
    LedgerEntry.objects.bulk_create(entries, batch_size=CHUNK)
    for entry in entries:
        record_management_event(case=cases[entry.case_id], action="ledger_entered", actor=None, at=now, payload={
            "entry": entry.pk, "reasons": entry.reasons, "responsible_name": _owner_name(entry.owner)})
        summary.entered.append(entry.case_id)


def _leave_settled(entries: list[LedgerEntry], now: dt.datetime, summary: SyncSummary) -> None:
    closed = [entry for entry in entries if entry.case.status == CaseStatus.CLOSED]
    if not closed:
        return
    by_case = {entry.case_id: entry for entry in closed}
    settled: set[int] = set()
    for chunk in _chunks(sorted(by_case)):
        settled.update(_with_latest_visit(Case.objects.filter(pk__in=chunk)).filter(_settled_q())
                       .values_list("pk", flat=True).order_by())
    for case_id in sorted(settled):
        _close_entry(by_case[case_id], now)
        summary.left.append(case_id)


def _close_entry(entry: LedgerEntry, now: dt.datetime) -> None:
    entry.left_at = now
    entry.exit_kind = LedgerExit.CLOSED_SATISFIED
    entry.save(update_fields=["left_at", "exit_kind", "updated_at"])
    record_management_event(case=entry.case, action="ledger_left", actor=None, at=now, payload={
        "entry": entry.pk, "exit": LedgerExit.CLOSED_SATISFIED.value})


def leave_if_settled(*, case_id: int, now: dt.datetime | None = None) -> bool:
    """Take the case's open entry off the ledger if the case is closed solved and satisfied (what happens the
    moment it closes: see `on_case_closed`). True when it left."""
    now = now or timezone.now()
    with transaction.atomic():
        entry = (LedgerEntry.objects.select_for_update(of=("self",)).select_related("case")
                 .filter(case_id=case_id, left_at__isnull=True).first())
        if entry is None:
            return False
        if not _with_latest_visit(Case.objects.filter(pk=case_id)).filter(_settled_q()).exists():
            return False
        _close_entry(entry, now)
    return True


def on_case_closed(sender: Any, *, case_id: int, **kwargs: Any) -> None:
    """Receiver of `cases.signals.case_closed` (sent after commit): a case closed satisfied leaves at once. A
    failure here must not break the closing itself; the next `sync_ledger` run catches up."""
    try:
        leave_if_settled(case_id=case_id)
    except Exception:
        logger.exception("ledger: could not settle case %s on closing", case_id)


def open_retrospectives(now: dt.datetime | None = None) -> int:
    """Open a pending retrospective (回访回溯) for every valid 不满意/未解决 return visit that has none: those of
    cases still being handled, and those recorded since the last visit that got one (by primary key, so a case
    that reopened and closed between two runs is not missed). Returns how many were opened. The visits are read
    from their own table, not through `Case.objects`: the training sandbox's (情景模拟) are left out here."""
    now = now or timezone.now()
    unhappy = ReturnVisit.objects.filter(valid=True).filter(
        Q(satisfaction=Satisfaction.DISSATISFIED) | Q(solved=False)).filter(retrospective__isnull=True).exclude(
        case__channel=Channel.TRAINING)
    watermark = Retrospective.objects.aggregate(last=Max("visit_id"))["last"] or 0
    recent = unhappy.filter(pk__gt=watermark, at__gte=now - dt.timedelta(days=retrospective_days()))
    current = unhappy.filter(case_id__in=Case.objects.filter(status__in=VISITED_STATUSES).values("pk"))
    visits: dict[int, tuple[int, dt.datetime]] = {}
    for query in (recent, current):
        for pk, case_id, at in query.values_list("pk", "case_id", "at").order_by():
            visits[pk] = (case_id, at)
    if not visits:
        return 0
    Retrospective.objects.bulk_create(
        [Retrospective(case_id=case_id, visit_id=pk, visit_at=at, status=RetrospectiveStatus.PENDING)
         for pk, (case_id, at) in sorted(visits.items())],
        batch_size=CHUNK, ignore_conflicts=True)  # a concurrent run may have opened some of them
    return len(visits)
