"""The 台账: who enters it (overdue, open too long, 不满意/未解决, difficult by flag or by repeats), who leaves it (only
closed solved and satisfied, or removed by a leader with a reason), the timeline events, and coming back."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from ecohotline.assessment import ledger
from ecohotline.assessment.ledger import flag_difficult, open_entries, remove_entry, sync_ledger, update_entry
from ecohotline.assessment.models import LedgerEntry, LedgerExit, LedgerReason
from ecohotline.cases import services
from ecohotline.cases.exceptions import ActionForbidden, RuleViolation
from ecohotline.cases.models import Case, CaseEvent, CaseKind, CaseStatus, Satisfaction
from ecohotline.factories import force_status, make_case
from ecohotline.intake.models import TriageSuggestion

pytestmark = pytest.mark.django_db

S, B, D = Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED, Satisfaction.DISSATISFIED
U, UNSAT, DIFF = LedgerReason.UNRESOLVED, LedgerReason.UNSATISFIED, LedgerReason.DIFFICULT


def in_progress(org: Any, **fields: Any) -> Case:
    case = make_case(street=org.street, title="噪声扰民", **fields)
    services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad)
    services.accept_case(actor=org.handler, case=case)
    case.refresh_from_db()
    return case


def replied(org: Any) -> Case:
    case = in_progress(org)
    services.reply_to_complainant(actor=org.handler, case=case, text="已处理")
    case.refresh_from_db()
    return case


def visit(org: Any, case: Case, satisfaction: str, *, solved: bool = True, valid: bool = True) -> None:
    services.record_return_visit(actor=org.dispatcher, case=case, contacted=True, solved=solved,
                                 satisfaction=satisfaction, valid=valid)
    case.refresh_from_db()


@pytest.fixture
def clock(time_machine: Any) -> Any:
    return time_machine


def at(clock: Any, moment: dt.datetime) -> None:
    clock.move_to(moment, tick=False)


def entry_of(case: Case) -> LedgerEntry | None:
    return LedgerEntry.objects.filter(case=case, left_at__isnull=True).first()


def actions(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case, action__startswith="ledger_").values_list("action", flat=True))


# --- entering ---------------------------------------------------------------------------------------------


def test_a_case_past_its_reply_deadline_enters_as_unresolved_with_its_handler_as_owner(org):
    case = in_progress(org)
    assert case.reply_due_at is not None
    assert sync_ledger(now=case.reply_due_at - dt.timedelta(minutes=1)).entered == []
    summary = sync_ledger(now=case.reply_due_at + dt.timedelta(minutes=1))
    assert summary.entered == [case.pk]
    entry = entry_of(case)
    assert entry is not None and entry.reasons == [U] and entry.owner == org.handler
    event = CaseEvent.objects.get(case=case, action="ledger_entered")
    assert event.actor is None and event.payload["reasons"] == [U] and event.payload["responsible_name"] == str(
        org.handler)
    # A second run changes nothing.
    again = sync_ledger(now=case.reply_due_at + dt.timedelta(minutes=2))
    assert (again.entered, again.updated, again.left) == ([], [], [])
    assert actions(case) == ["ledger_entered"]


def test_a_paused_clock_is_not_overdue(org):
    case = in_progress(org)
    Case.objects.filter(pk=case.pk).update(paused_at=timezone.now(), next_due_at=None)
    assert sync_ledger(now=case.reply_due_at + dt.timedelta(hours=1)).entered == []


def test_a_case_open_longer_than_the_set_age_enters(org, settings):
    settings.LEDGER_OPEN_DAYS = 10
    case = make_case(street=org.street, received_at=timezone.now() - dt.timedelta(days=11))
    Case.objects.filter(pk=case.pk).update(next_due_at=None, reply_due_at=None, due_at=None)  # no deadline
    fresh = make_case(street=org.street, received_at=timezone.now() - dt.timedelta(days=9))
    Case.objects.filter(pk=fresh.pk).update(next_due_at=None, reply_due_at=None, due_at=None)
    assert sync_ledger().entered == [case.pk]
    entry = entry_of(case)
    assert entry is not None and entry.reasons == [U] and entry.owner is None  # nobody handles it yet


def test_an_unsatisfied_or_unsolved_latest_visit_enters_and_a_satisfied_one_does_not(org):
    dissatisfied, unsolved, happy, invalid = replied(org), replied(org), replied(org), replied(org)
    visit(org, dissatisfied, D)
    visit(org, unsolved, B, solved=False)
    visit(org, happy, S)
    visit(org, invalid, D, valid=False)  # 无效回访: counts for nothing
    assert sorted(sync_ledger().entered) == sorted([dissatisfied.pk, unsolved.pk])
    assert entry_of(dissatisfied).reasons == [UNSAT]  # type: ignore[union-attr]
    assert entry_of(unsolved).reasons == [UNSAT]  # type: ignore[union-attr]


def test_a_repeat_complaint_above_the_threshold_enters_as_difficult(org, settings):
    settings.LEDGER_REPEAT_THRESHOLD = 4
    repeated, below = in_progress(org), in_progress(org)
    TriageSuggestion.objects.create(case=repeated, repeat_count_90d=4)
    TriageSuggestion.objects.create(case=below, repeat_count_90d=3)
    assert sync_ledger().entered == [repeated.pk]
    assert entry_of(repeated).reasons == [DIFF]  # type: ignore[union-attr]


def test_a_leader_flags_a_case_difficult_and_others_may_not(org, clock):
    case = in_progress(org)
    for person in (org.handler, org.unit_head, org.dispatcher, org.analyst):
        with pytest.raises(ActionForbidden):
            flag_difficult(actor=person, case=case, reason="多次投诉")
    with pytest.raises(RuleViolation):
        flag_difficult(actor=org.leader, case=case, reason=" ")
    entry = flag_difficult(actor=org.leader, case=case, reason="涉及多个部门，需协调")
    assert entry.reasons == [DIFF] and entry.difficult_note == "涉及多个部门，需协调" and entry.owner == org.handler
    event = CaseEvent.objects.get(case=case, action="ledger_entered")
    assert event.actor == org.leader and event.payload["reason"] == "涉及多个部门，需协调"
    # Flagging a case already on the ledger adds the reason to its entry.
    other = in_progress(org)
    at(clock, other.reply_due_at + dt.timedelta(hours=1))
    sync_ledger()
    flag_difficult(actor=org.admin, case=other, reason="疑难")
    assert entry_of(other).reasons == [U, DIFF]  # type: ignore[union-attr]
    assert actions(other) == ["ledger_entered", "ledger_updated"]


def test_a_closed_case_cannot_be_flagged(org):
    case = force_status(in_progress(org), CaseStatus.CLOSED)
    with pytest.raises(RuleViolation):
        flag_difficult(actor=org.leader, case=case, reason="疑难")


def test_new_reasons_are_added_to_an_open_entry_with_an_event(org):
    case = replied(org)
    visit(org, case, D)  # reopened (重办) with fresh deadlines
    sync_ledger()
    assert entry_of(case).reasons == [UNSAT]  # type: ignore[union-attr]
    summary = sync_ledger(now=case.reply_due_at + dt.timedelta(hours=1))
    assert summary.updated == [case.pk] and summary.entered == []
    assert entry_of(case).reasons == [UNSAT, U]  # type: ignore[union-attr]
    event = CaseEvent.objects.get(case=case, action="ledger_updated")
    assert event.payload["reasons"] == [U]


def test_at_most_one_open_entry_per_case(org):
    case = in_progress(org)
    LedgerEntry.objects.create(case=case, reasons=[U], entered_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(case=case, reasons=[DIFF], entered_at=timezone.now())


# --- leaving ----------------------------------------------------------------------------------------------


def test_closing_satisfied_leaves_the_ledger_at_once(org, django_capture_on_commit_callbacks):
    case = replied(org)
    visit(org, case, D)
    sync_ledger()
    services.reply_to_complainant(actor=org.handler, case=case, text="重办后已解决")
    with django_capture_on_commit_callbacks(execute=True):
        visit(org, case, B)
    assert case.status == CaseStatus.CLOSED
    assert entry_of(case) is None
    entry = LedgerEntry.objects.get(case=case)
    assert entry.exit_kind == LedgerExit.CLOSED_SATISFIED and entry.left_at is not None
    left = CaseEvent.objects.get(case=case, action="ledger_left")
    assert left.payload["exit"] == LedgerExit.CLOSED_SATISFIED and left.actor is None
    assert actions(case) == ["ledger_entered", "ledger_left"]


def test_the_sync_takes_off_a_case_closed_satisfied_when_the_signal_was_missed(org):
    case = replied(org)
    visit(org, case, D)
    sync_ledger()
    services.reply_to_complainant(actor=org.handler, case=case, text="已解决")
    visit(org, case, S)  # no on-commit callbacks run here: the signal is not sent
    assert entry_of(case) is not None
    assert sync_ledger().left == [case.pk]
    assert entry_of(case) is None


def test_a_case_closed_dissatisfied_stays(org, django_capture_on_commit_callbacks):
    case = replied(org)
    visit(org, case, D, solved=False)
    sync_ledger()
    # The hotline closes the order although the complainant stays dissatisfied (不满意办结).
    force_status(case, CaseStatus.CLOSED, closed_at=timezone.now())
    from ecohotline.cases.signals import case_closed

    with django_capture_on_commit_callbacks(execute=True):
        transaction.on_commit(lambda: case_closed.send(sender=Case, case_id=case.pk, kind=case.kind, action="x"))
    assert entry_of(case) is not None
    assert sync_ledger().left == []
    assert entry_of(case) is not None


def test_a_case_closed_solved_but_dissatisfied_by_an_import_stays_too(org):
    case = in_progress(org)
    sync_ledger(now=case.reply_due_at + dt.timedelta(hours=1))
    force_status(case, CaseStatus.CLOSED)  # closed without any return visit
    assert sync_ledger(now=case.reply_due_at + dt.timedelta(hours=2)).left == []


def test_an_alert_verification_leaves_when_its_final_reply_closes_it(org, django_capture_on_commit_callbacks):
    case = in_progress(org, kind=CaseKind.ALERT_VERIFICATION)
    sync_ledger(now=case.reply_due_at + dt.timedelta(hours=1))
    assert entry_of(case) is not None
    with django_capture_on_commit_callbacks(execute=True):
        services.reply_to_complainant(actor=org.handler, case=case, text="核查完毕")
    assert entry_of(case) is None


def test_a_leader_removes_an_entry_with_a_reason_and_others_may_not(org):
    case = in_progress(org)
    sync_ledger(now=case.reply_due_at + dt.timedelta(hours=1))
    entry = entry_of(case)
    assert entry is not None
    for person in (org.handler, org.unit_head, org.dispatcher, org.analyst):
        with pytest.raises(ActionForbidden):
            remove_entry(actor=person, entry=entry, reason="已协调")
    with pytest.raises(RuleViolation):
        remove_entry(actor=org.leader, entry=entry, reason="")
    remove_entry(actor=org.leader, entry=entry, reason="已与街道协调，由城管牵头")
    entry.refresh_from_db()
    assert entry.left_at is not None and entry.exit_kind == LedgerExit.REMOVED and entry.removed_by == org.leader
    assert entry.exit_reason == "已与街道协调，由城管牵头"
    left = CaseEvent.objects.get(case=case, action="ledger_left")
    assert left.actor == org.leader and left.payload["reason"] == "已与街道协调，由城管牵头"
    with pytest.raises(RuleViolation):
        remove_entry(actor=org.leader, entry=entry, reason="again")


# --- coming back ------------------------------------------------------------------------------------------


def test_a_removed_case_does_not_come_back_for_the_same_reason(org, clock):
    case = in_progress(org)
    later = case.reply_due_at + dt.timedelta(hours=1)
    at(clock, later)
    sync_ledger()
    remove_entry(actor=org.leader, entry=entry_of(case), reason="已协调")  # type: ignore[arg-type]
    at(clock, later + dt.timedelta(days=1))
    assert sync_ledger().entered == []
    assert entry_of(case) is None


def test_a_removed_case_comes_back_with_a_new_entry_for_something_new(org):
    case = replied(org)
    visit(org, case, D)
    sync_ledger()
    first = entry_of(case)
    remove_entry(actor=org.leader, entry=first, reason="已当面沟通")  # type: ignore[arg-type]
    assert sync_ledger().entered == []
    services.reply_to_complainant(actor=org.handler, case=case, text="再次答复")
    visit(org, case, D)  # a new unsatisfied visit, after it left
    assert sync_ledger().entered == [case.pk]
    second = entry_of(case)
    assert second is not None and second.pk != first.pk  # type: ignore[union-attr]
    assert LedgerEntry.objects.filter(case=case).count() == 2
    assert actions(case) == ["ledger_entered", "ledger_left", "ledger_entered"]
    # A leader's flag always brings it back.
    remove_entry(actor=org.leader, entry=second, reason="再协调")
    flag_difficult(actor=org.leader, case=case, reason="第三次")
    assert LedgerEntry.objects.filter(case=case).count() == 3


# --- planning ---------------------------------------------------------------------------------------------


def test_owner_next_step_and_date_are_set_by_the_people_of_the_case_with_an_event(org):
    case = in_progress(org)
    sync_ledger(now=case.reply_due_at + dt.timedelta(hours=1))
    entry = entry_of(case)
    assert entry is not None
    for person in (org.other_handler, org.other_unit_head, org.analyst, org.street_liaison):
        with pytest.raises(ActionForbidden):
            update_entry(actor=person, entry=entry, next_step="现场复查")
    for person in (org.handler, org.unit_head, org.dispatcher, org.leader, org.admin):
        update_entry(actor=person, entry=entry, next_step=f"{person.username}：现场复查")
    when = dt.date(2026, 12, 1)
    update_entry(actor=org.unit_head, entry=entry, owner=org.unit_head, next_date=when)
    entry.refresh_from_db()
    assert (entry.owner, entry.next_step, entry.next_date) == (org.unit_head, "admin：现场复查", when)
    last = CaseEvent.objects.filter(case=case, action="ledger_updated").last()
    assert last is not None and last.payload["next_date"] == "2026-12-01" and last.payload["responsible_name"]
    assert "next_step" not in last.payload  # only what changed
    count = CaseEvent.objects.filter(case=case).count()
    update_entry(actor=org.handler, entry=entry, next_date=when)  # nothing changes: no event
    assert CaseEvent.objects.filter(case=case).count() == count


def test_open_entries_oldest_first_and_by_reason(org, clock):
    first, second = in_progress(org), replied(org)
    at(clock, first.reply_due_at + dt.timedelta(hours=1))
    sync_ledger()
    at(clock, first.reply_due_at + dt.timedelta(hours=2))
    visit(org, second, D)
    sync_ledger()
    assert [e.case_id for e in open_entries()] == [first.pk, second.pk]
    assert [e.case_id for e in open_entries(reason=UNSAT)] == [second.pk]
    assert [e.case_id for e in open_entries(reason=U)] == [first.pk]
    assert [e.case_id for e in open_entries(reason=DIFF)] == []


def test_the_sync_selects_in_a_fixed_number_of_queries(org, django_assert_max_num_queries):
    cases = [in_progress(org) for _ in range(3)]
    later = max(c.reply_due_at for c in cases) + dt.timedelta(hours=1)
    sync_ledger(now=later)
    for _ in range(3):
        cases.append(in_progress(org))
    later = max(c.reply_due_at for c in cases) + dt.timedelta(hours=1)
    with django_assert_max_num_queries(12 + 3 * 2) as context:  # the selections, plus one event per new entry
        summary = sync_ledger(now=later)
    assert len(summary.entered) == 3
    assert len(context.captured_queries) >= 3


def test_the_timeline_shows_the_ledger_events(org):
    from ecohotline.cases.timeline import timeline_entries

    case = in_progress(org)
    flag_difficult(actor=org.leader, case=case, reason="协调难度大")
    entry = entry_of(case)
    update_entry(actor=org.leader, entry=entry, next_step="组织联合执法", next_date=dt.date(2026, 12, 3))  # type: ignore[arg-type]
    shown = [e for e in timeline_entries(case, org.leader) if e.event.action.startswith("ledger_")]
    assert [e.event.action for e in shown] == ["ledger_entered", "ledger_updated"]
    assert any("协调难度大" in block.text for block in shown[0].blocks)
    values = {line.value for line in shown[1].lines}
    assert "组织联合执法" in values and "2026-12-03" in values


def test_the_periodic_task_is_registered_and_runs_the_sync(org):
    from huey.contrib.djhuey import HUEY

    from ecohotline.assessment.tasks import sync_ledger_task

    assert sync_ledger_task.task_class in HUEY._registry._periodic_tasks
    assert sync_ledger_task.task_class().validate_datetime(dt.datetime(2026, 11, 2, 9, 45))
    assert not sync_ledger_task.task_class().validate_datetime(dt.datetime(2026, 11, 2, 9, 46))
    case = in_progress(org)
    Case.objects.filter(pk=case.pk).update(received_at=timezone.now() - dt.timedelta(days=400))
    assert sync_ledger_task.call_local()["entered"] == 1
    assert ledger.open_entries().count() == 1


def test_an_entry_without_owner_goes_to_the_handler_once_there_is_one(org, settings):
    settings.LEDGER_OPEN_DAYS = 10
    case = make_case(street=org.street, received_at=timezone.now() - dt.timedelta(days=11))
    Case.objects.filter(pk=case.pk).update(next_due_at=None, reply_due_at=None, due_at=None)
    sync_ledger()
    assert entry_of(case).owner is None  # type: ignore[union-attr]
    services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad)
    services.accept_case(actor=org.handler, case=case)
    assert sync_ledger().updated == [case.pk]
    assert entry_of(case).owner == org.handler  # type: ignore[union-attr]
    assert sync_ledger().updated == []
