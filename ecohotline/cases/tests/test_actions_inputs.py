"""The parts of the lifecycle that depend on the input: final or interim replies, what a return visit
decides, reassignment inside or outside the unit, merges, stale versions, extension limits, and the
append-only timeline."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone

from ecohotline.cases import services
from ecohotline.cases.exceptions import ActionForbidden, RuleViolation, StaleVersion
from ecohotline.cases.models import (
    Case,
    CaseEvent,
    CaseStatus,
    Decision,
    Extension,
    Reply,
    ReturnVisit,
    Satisfaction,
)
from ecohotline.factories import UserFactory, force_status, make_case
from ecohotline.org.models import Role

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")


def beijing(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BEIJING)


def hotline_case(org: Any, status: str = CaseStatus.IN_PROGRESS, **fields: Any) -> Case:
    """A normal 12345 order (reply and completion within 7 natural days, extensions up to 7 days) of the
    squad, in the given status."""
    case = make_case(street=org.street, received_at=beijing(2026, 5, 4, 9, 30))
    assert case.policy is not None and case.policy.max_extension_days == 7
    return force_status(case, status, handling_unit=org.squad, **fields)


def replied_case(org: Any, done: dt.datetime) -> Case:
    """A 12345 order answered (first contact, final reply) on `done`, waiting for the return visit."""
    return hotline_case(org, CaseStatus.REPLIED, first_contact_at=beijing(2026, 5, 4, 11, 0), replied_at=done,
                        completed_at=done, next_due_at=None)


def eco_case(org: Any, status: str = CaseStatus.IN_PROGRESS, **fields: Any) -> Case:
    """A 12369 complaint (extensions up to 30 days, the clock may be paused) of the squad."""
    case = make_case(channel="eco_12369", street=org.street)
    return force_status(case, status, handling_unit=org.squad, **fields)


def snapshot() -> tuple[list[dict[str, Any]], int, int]:
    return list(Case.objects.order_by("pk").values()), CaseEvent.objects.count(), Extension.objects.count()


def actions_of(case: Case) -> list[str]:
    return list(case.events.order_by("pk").values_list("action", flat=True))


# --- replies -------------------------------------------------------------------------------------------


def test_final_reply_completes_the_case(org: Any) -> None:
    case = hotline_case(org)
    at = beijing(2026, 5, 6, 10, 0)
    reply = services.reply_to_complainant(actor=org.handler, case=case, text="已责令整改。", final=True, at=at)
    case.refresh_from_db()
    assert reply.final is True
    assert case.status == CaseStatus.REPLIED
    assert case.replied_at == at and case.completed_at == at
    assert case.events.last().payload["final"] is True


def test_interim_reply_meets_the_reply_deadline_only(org: Any) -> None:
    case = hotline_case(org)
    interim_at = beijing(2026, 5, 5, 10, 0)
    services.reply_to_complainant(actor=org.handler, case=case, text="正在协调检测。", final=False, at=interim_at)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.replied_at == interim_at and case.completed_at is None
    event = case.events.last()
    assert (event.action, event.from_status, event.to_status) == ("reply", "in_progress", "in_progress")
    assert event.payload["final"] is False

    final_at = beijing(2026, 5, 8, 16, 0)
    services.reply_to_complainant(actor=org.handler, case=case, text="已安装净化设备。", final=True, at=final_at)
    case.refresh_from_db()
    assert case.status == CaseStatus.REPLIED
    assert case.replied_at == interim_at, "the reply deadline was met by the first reply"
    assert case.completed_at == final_at
    assert list(Reply.objects.filter(case=case).values_list("final", flat=True)) == [False, True]


def test_blank_reply_is_refused(org: Any) -> None:
    case = hotline_case(org)
    before = snapshot()
    with pytest.raises(RuleViolation) as error:
        services.reply_to_complainant(actor=org.handler, case=case, text="  ")
    assert error.value.code == "text_required"
    assert snapshot() == before


# --- return visits -------------------------------------------------------------------------------------


@pytest.mark.parametrize("satisfaction", [Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED])
def test_solved_and_satisfied_visit_closes(org: Any, satisfaction: str) -> None:
    done = beijing(2026, 5, 8, 16, 0)
    case = replied_case(org, done)
    at = beijing(2026, 5, 10, 15, 0)
    services.record_return_visit(actor=org.dispatcher, case=case, contacted=True, solved=True,
                                 satisfaction=satisfaction, at=at)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_at == at
    assert case.reopen_count == 0 and case.completed_at == done
    assert case.events.last().payload["outcome"] == "closed"


@pytest.mark.parametrize(("solved", "satisfaction"), [
    (False, Satisfaction.DISSATISFIED),
    (True, Satisfaction.DISSATISFIED),
    (False, Satisfaction.SATISFIED),
    (False, Satisfaction.BASICALLY_SATISFIED),
])
def test_unsolved_or_dissatisfied_visit_reopens_with_fresh_deadlines(org: Any, solved: bool,
                                                                     satisfaction: str) -> None:
    done = beijing(2026, 5, 8, 16, 0)
    case = replied_case(org, done)
    assert case.due_at == beijing(2026, 5, 11, 23, 59, 59)  # received 4 May + 7 natural days
    version = case.version
    at = beijing(2026, 5, 10, 15, 0)
    visit = services.record_return_visit(actor=org.dispatcher, case=case, contacted=True, solved=solved,
                                         satisfaction=satisfaction, at=at)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.reopen_count == 1
    assert case.replied_at is None and case.completed_at is None and case.closed_at is None
    # 7 natural days counted from the visit (10 May), not from the receipt.
    assert case.due_at == beijing(2026, 5, 17, 23, 59, 59)
    assert case.reply_due_at == beijing(2026, 5, 17, 23, 59, 59)
    assert case.next_due_at == beijing(2026, 5, 17, 23, 59, 59)
    assert case.version == version + 1
    assert visit.valid and visit.solved == solved
    event = case.events.last()
    assert (event.action, event.from_status, event.to_status) == ("record_return_visit", "replied", "in_progress")
    assert event.payload["outcome"] == "reopened"


def test_second_reopening_counts_again(org: Any) -> None:
    case = hotline_case(org, CaseStatus.REPLIED)
    for count in (1, 2):
        services.record_return_visit(actor=org.dispatcher, case=case, contacted=True, solved=False,
                                     satisfaction=Satisfaction.DISSATISFIED)
        services.reply_to_complainant(actor=org.handler, case=case, text="再次处理。")
        case.refresh_from_db()
        assert case.reopen_count == count and case.status == CaseStatus.REPLIED


def test_invalid_visit_changes_nothing_but_the_record(org: Any) -> None:
    done = beijing(2026, 5, 8, 16, 0)
    case = replied_case(org, done)
    before = Case.objects.values().get(pk=case.pk)
    services.record_return_visit(actor=org.dispatcher, case=case, contacted=False, solved=False,
                                 satisfaction=Satisfaction.DISSATISFIED, valid=False,
                                 at=beijing(2026, 5, 10, 15, 0))
    after = Case.objects.values().get(pk=case.pk)
    changed = {key for key in before if before[key] != after[key]}
    assert changed <= {"version", "updated_at"}
    assert after["version"] == before["version"] + 1
    assert after["status"] == CaseStatus.REPLIED and after["reopen_count"] == 0
    assert ReturnVisit.objects.get(case=case).valid is False
    event = case.events.last()
    assert (event.action, event.to_status, event.payload["outcome"]) == ("record_return_visit", "replied",
                                                                        "recorded")


def test_visit_with_unknown_satisfaction_is_refused(org: Any) -> None:
    case = hotline_case(org, CaseStatus.REPLIED)
    before = snapshot()
    with pytest.raises(RuleViolation) as error:
        services.record_return_visit(actor=org.dispatcher, case=case, contacted=True, solved=True,
                                     satisfaction="ecstatic")
    assert error.value.code == "invalid_satisfaction"
    assert snapshot() == before and not ReturnVisit.objects.exists()


# --- dispatch and reassignment -------------------------------------------------------------------------


def test_dispatch_sets_unit_handler_and_leader(org: Any) -> None:
    case = make_case(street=org.street)
    services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad, handler=org.handler)
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED
    assert (case.handling_unit, case.handler, case.leader) == (org.squad, org.handler, org.leader)
    assert case.dispatched_at is not None


def test_dispatch_with_a_handler_not_in_the_unit_is_refused(org: Any) -> None:
    case = make_case(street=org.street)
    before = snapshot()
    with pytest.raises(RuleViolation) as error:
        services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad, handler=org.other_handler)
    assert error.value.code == "handler_not_in_unit"
    assert error.value.extra["field"] == "handler"
    assert snapshot() == before


def test_dispatch_to_a_parent_unit_accepts_a_handler_of_a_unit_under_it(org: Any) -> None:
    case = make_case(street=org.street)
    services.dispatch_case(actor=org.dispatcher, case=case, unit=org.brigade, handler=org.handler)
    case.refresh_from_db()
    assert case.handling_unit == org.brigade and case.handler == org.handler


def test_unit_head_reassigns_within_the_unit_and_the_status_stays(org: Any) -> None:
    accepted = timezone.now() - dt.timedelta(hours=3)
    case = hotline_case(org, CaseStatus.IN_PROGRESS, handler=org.handler, accepted_at=accepted)
    colleague = UserFactory(username="handler1b", unit=org.squad, roles=[Role.HANDLER])
    services.reassign_case(actor=org.unit_head, case=case, handler=colleague)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.handling_unit == org.squad and case.handler == colleague and case.accepted_at == accepted
    event = case.events.last()
    assert (event.action, event.from_status, event.to_status) == ("reassign", "in_progress", "in_progress")


@pytest.mark.parametrize("actor_name", ["dispatcher", "admin"])
def test_reassigning_to_another_unit_sends_it_back_to_dispatched(org: Any, actor_name: str) -> None:
    case = hotline_case(org, CaseStatus.IN_PROGRESS, handler=org.handler, accepted_at=timezone.now())
    services.reassign_case(actor=getattr(org, actor_name), case=case, unit=org.other_squad)
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED
    assert case.handling_unit == org.other_squad
    assert case.handler is None and case.accepted_at is None and case.dispatched_at is not None
    event = case.events.last()
    assert (event.action, event.from_status, event.to_status) == ("reassign", "in_progress", "dispatched")
    # The new unit must accept it; the old one no longer may act.
    with pytest.raises(ActionForbidden):
        services.accept_case(actor=org.handler, case=case)
    services.accept_case(actor=org.other_handler, case=case)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS and case.handler == org.other_handler


def test_unit_head_cannot_reassign_outside_their_unit(org: Any) -> None:
    case = hotline_case(org, CaseStatus.IN_PROGRESS, handler=org.handler)
    before = snapshot()
    with pytest.raises(ActionForbidden):
        services.reassign_case(actor=org.unit_head, case=case, unit=org.other_squad)
    with pytest.raises(ActionForbidden):
        services.reassign_case(actor=org.unit_head, case=case, unit=org.other_squad, handler=org.other_handler)
    assert snapshot() == before


def test_reassign_to_a_handler_of_another_unit_is_refused(org: Any) -> None:
    case = hotline_case(org, CaseStatus.IN_PROGRESS, handler=org.handler)
    before = snapshot()
    with pytest.raises(RuleViolation) as error:
        services.reassign_case(actor=org.unit_head, case=case, handler=org.other_handler)
    assert error.value.code == "handler_not_in_unit"
    assert snapshot() == before


def test_return_order_needs_a_reason_and_clears_the_handler(org: Any) -> None:
    case = hotline_case(org, CaseStatus.DISPATCHED, handler=org.handler)
    with pytest.raises(RuleViolation):
        services.return_order(actor=org.handler, case=case, reason=" ")
    services.return_order(actor=org.handler, case=case, reason="属城管职责")
    case.refresh_from_db()
    assert case.status == CaseStatus.RETURNED and case.handler is None
    services.dispatch_case(actor=org.dispatcher, case=case, unit=org.other_squad)
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED and case.handling_unit == org.other_squad


# --- merging -------------------------------------------------------------------------------------------


def test_merge_into_itself_is_refused(org: Any) -> None:
    case = hotline_case(org, CaseStatus.NEW)
    before = snapshot()
    with pytest.raises(RuleViolation) as error:
        services.merge_case(actor=org.dispatcher, case=case, into=case)
    assert error.value.code == "merge_into_self"
    assert snapshot() == before


def test_merge_into_a_merged_case_is_refused(org: Any) -> None:
    parent = hotline_case(org, CaseStatus.IN_PROGRESS)
    first = hotline_case(org, CaseStatus.NEW)
    services.merge_case(actor=org.dispatcher, case=first, into=parent)
    first.refresh_from_db()
    assert first.status == CaseStatus.MERGED and first.parent == parent
    second = hotline_case(org, CaseStatus.NEW)
    before = snapshot()
    with pytest.raises(RuleViolation) as error:
        services.merge_case(actor=org.dispatcher, case=second, into=first)
    assert error.value.code == "target_merged"
    assert snapshot() == before
    assert actions_of(parent) == ["created", "merge_received"]


# --- optimistic locking --------------------------------------------------------------------------------


def test_stale_version_is_refused_and_nothing_is_written(org: Any) -> None:
    case = hotline_case(org, CaseStatus.IN_PROGRESS)
    seen = case.version
    services.add_note(actor=org.dispatcher, case=case, text="第一条", version=seen)
    before = snapshot()
    with pytest.raises(StaleVersion) as error:
        services.add_note(actor=org.handler, case=case, text="第二条", version=seen)
    assert error.value.extra["current_version"] == seen + 1
    assert snapshot() == before
    services.add_note(actor=org.handler, case=case, text="第二条", version=seen + 1)
    assert actions_of(case) == ["created", "add_note", "add_note"]


# --- extensions ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("days", [0, 31, 365])
def test_extension_outside_the_policy_limit_is_refused(org: Any, days: int) -> None:
    case = eco_case(org)
    before = snapshot()
    with pytest.raises(RuleViolation) as error:
        services.request_extension(actor=org.handler, case=case, days=days, reason="等待检测报告")
    assert error.value.code == "extension_too_long" and error.value.extra["limit"] == 30
    assert snapshot() == before


def test_extension_up_to_the_limit_then_no_second_while_pending(org: Any) -> None:
    case = eco_case(org)
    first = services.request_extension(actor=org.handler, case=case, days=30, reason="等待检测报告")
    assert first.decision == Decision.PENDING
    before = snapshot()
    with pytest.raises(RuleViolation) as error:
        services.request_extension(actor=org.unit_head, case=case, days=3, reason="再等等")
    assert error.value.code == "extension_pending"
    assert snapshot() == before
    services.decide_extension(actor=org.leader, case=case, extension=first, approve=False, note="理由不足")
    second = services.request_extension(actor=org.handler, case=case, days=3, reason="补充材料")
    assert second.pk != first.pk


def test_approved_extension_moves_the_completion_deadline(org: Any) -> None:
    case = hotline_case(org)
    assert case.reply_due_at == case.due_at == beijing(2026, 5, 11, 23, 59, 59)
    extension = services.request_extension(actor=org.handler, case=case, days=5, reason="等待检测报告")
    services.decide_extension(actor=org.leader, case=case, extension=extension, approve=True)
    case.refresh_from_db()
    extension.refresh_from_db()
    assert case.due_at == case.reply_due_at == beijing(2026, 5, 16, 23, 59, 59)
    assert extension.decision == Decision.APPROVED and extension.decided_by == org.leader
    assert (extension.old_due_at, extension.new_due_at) == (beijing(2026, 5, 11, 23, 59, 59), case.due_at)
    with pytest.raises(RuleViolation) as error:
        services.decide_extension(actor=org.leader, case=case, extension=extension, approve=True)
    assert error.value.code == "not_pending"


def test_rejected_extension_leaves_the_deadline(org: Any) -> None:
    case = hotline_case(org)
    extension = services.request_extension(actor=org.handler, case=case, days=5, reason="等待检测报告")
    services.decide_extension(actor=org.dispatcher, case=case, extension=extension, approve=False)
    case.refresh_from_db()
    assert case.due_at == beijing(2026, 5, 11, 23, 59, 59)


# --- appeals, joint handling, the clock ----------------------------------------------------------------


def test_second_pending_appeal_is_refused(org: Any) -> None:
    case = eco_case(org)
    services.file_appeal(actor=org.handler, case=case, reason="duplicate", evidence="重复工单")
    with pytest.raises(RuleViolation) as error:
        services.file_appeal(actor=org.dispatcher, case=case, reason="other", evidence="再次申诉")
    assert error.value.code == "appeal_pending"


def test_joint_reply_for_a_unit_not_called_in_is_refused(org: Any) -> None:
    case = eco_case(org)
    joint = services.call_joint_handling(actor=org.handler, case=case, units=[org.street], reason="需街道协同")
    before = snapshot()
    with pytest.raises(RuleViolation) as error:
        services.record_joint_reply(actor=org.dispatcher, case=case, joint=joint, unit=org.department, text="到")
    assert error.value.code == "unit_not_called"
    assert snapshot() == before


def test_pause_is_refused_when_the_policy_does_not_allow_it(org: Any) -> None:
    case = hotline_case(org)
    before = snapshot()
    with pytest.raises(RuleViolation) as error:
        services.pause_clock(actor=org.dispatcher, case=case, reason="等待检测")
    assert error.value.code == "pause_not_allowed"
    assert snapshot() == before


def test_pause_and_resume_move_the_pending_deadlines(org: Any) -> None:
    case = eco_case(org, first_contact_at=timezone.now())
    due, accept_due = case.due_at, case.accept_due_at
    services.pause_clock(actor=org.unit_head, case=case, reason="等待检测结果")
    case.refresh_from_db()
    assert case.paused_at is not None and case.next_due_at is None
    with pytest.raises(RuleViolation) as error:
        services.pause_clock(actor=org.unit_head, case=case, reason="再停")
    assert error.value.code == "already_paused"
    force_status(case, case.status, paused_at=case.paused_at - dt.timedelta(hours=5))
    services.resume_clock(actor=org.leader, case=case)
    case.refresh_from_db()
    assert case.paused_at is None and 5 * 3600 <= case.paused_seconds < 5 * 3600 + 60
    assert dt.timedelta(hours=5) <= case.due_at - due < dt.timedelta(hours=5, minutes=1)
    assert dt.timedelta(hours=5) <= case.accept_due_at - accept_due < dt.timedelta(hours=5, minutes=1)
    assert case.next_due_at is not None
    with pytest.raises(RuleViolation) as error:
        services.resume_clock(actor=org.leader, case=case)
    assert error.value.code == "not_paused"


# --- the timeline is append-only -----------------------------------------------------------------------


def test_events_cannot_be_changed_or_deleted(org: Any) -> None:
    case = hotline_case(org)
    services.add_note(actor=org.handler, case=case, text="备注")
    event = case.events.last()
    event.payload = {"text": "改过的"}
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        CaseEvent.objects.filter(pk=event.pk).update(payload={})
    with pytest.raises(TypeError):
        CaseEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(TypeError):
        case.events.update(action="x")
    with pytest.raises(TypeError):
        case.events.all().delete()
    with pytest.raises(TypeError), transaction.atomic():  # bulk_update runs in an atomic block of its own
        CaseEvent.objects.bulk_update([event], ["payload"])
    assert CaseEvent.objects.get(pk=event.pk).payload == {"text": "备注"}
    assert actions_of(case) == ["created", "add_note"]


# --- where cases may go, who may be in charge, and what a clock may do ---------------------------------------


@pytest.mark.parametrize("target", ["street", "department"])
def test_dispatch_goes_to_a_unit_of_the_bureau_only(org: Any, target: str) -> None:
    case = make_case(street=org.street)
    with pytest.raises(RuleViolation) as error:
        services.dispatch_case(actor=org.dispatcher, case=case, unit=getattr(org, target))
    assert error.value.code == "not_a_handling_unit"
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW and case.version == 1


def test_reassign_to_a_street_is_refused(org: Any) -> None:
    case = hotline_case(org, CaseStatus.DISPATCHED)
    with pytest.raises(RuleViolation) as error:
        services.reassign_case(actor=org.dispatcher, case=case, unit=org.street)
    assert error.value.code == "not_a_handling_unit"


def test_the_leader_in_charge_must_be_a_leader(org: Any) -> None:
    case = make_case(street=org.street)
    with pytest.raises(RuleViolation) as error:
        services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad, leader=org.analyst)
    assert error.value.code == "not_a_leader"
    case = services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad, leader=org.other_leader)
    assert case.leader == org.other_leader


def test_a_clock_past_its_deadline_cannot_be_paused(org: Any, time_machine: Any) -> None:
    time_machine.move_to(beijing(2026, 5, 4, 9, 30), tick=False)
    case = make_case(street=org.street, channel="eco_12369")  # the 12369 policy allows pausing
    case = force_status(case, CaseStatus.IN_PROGRESS, handling_unit=org.squad)
    time_machine.move_to(beijing(2026, 8, 1, 9, 0), tick=False)  # 60 days have passed
    with pytest.raises(RuleViolation) as error:
        services.pause_clock(actor=org.unit_head, case=case, reason="等待检测")
    assert error.value.code == "already_overdue"
    case.refresh_from_db()
    assert case.paused_at is None


def test_a_time_of_receipt_without_time_zone_is_refused(org: Any) -> None:
    with pytest.raises(RuleViolation) as error:
        services.create_case(actor=org.dispatcher, channel="hotline_12345", received_at=dt.datetime(2026, 5, 4, 9),
                             description="噪声扰民")
    assert error.value.code == "naive_datetime"
    assert not Case.objects.exists()


def test_a_deadline_set_by_a_person_replaces_the_policys_and_must_come_after_receipt(org: Any) -> None:
    received = beijing(2026, 5, 4, 9, 0)
    with pytest.raises(RuleViolation) as error:
        services.create_case(actor=org.dispatcher, channel="proactive", kind="proactive_task", received_at=received,
                             description="巡查", due_at=received - dt.timedelta(hours=1))
    assert error.value.code == "invalid_due_at" and not Case.objects.exists()
    due = beijing(2026, 5, 8, 23, 59)
    case = services.create_case(actor=org.dispatcher, channel="proactive", kind="proactive_task",
                                received_at=received, description="巡查", due_at=due)
    assert case.due_at == due and case.reply_due_at is not None and case.reply_due_at <= due
    assert not case.deadline_provisional


# --- what is offered: permitted by the table and possible in the case's state -------------------------------


def test_offered_actions_follow_the_cases_state(org: Any) -> None:
    case = make_case(street=org.street, channel="eco_12369")  # pausing allowed, extensions up to 30 days
    case = force_status(case, CaseStatus.IN_PROGRESS, handling_unit=org.squad)
    offered = set(services.allowed_actions(org.unit_head, case))
    assert {"pause_clock", "request_extension", "file_appeal"} <= offered
    assert not offered & {"resume_clock", "decide_extension", "decide_appeal", "record_joint_reply"}

    services.pause_clock(actor=org.unit_head, case=case, reason="等待检测报告")
    extension = services.request_extension(actor=org.handler, case=case, days=10, reason="需补充监测")
    services.file_appeal(actor=org.handler, case=case, reason="duplicate", evidence="与上一工单重复")
    services.call_joint_handling(actor=org.handler, case=case, units=[org.street], reason="需街道配合")
    case.refresh_from_db()
    offered = set(services.allowed_actions(org.unit_head, case))
    assert "resume_clock" in offered and "record_joint_reply" in offered
    assert not offered & {"pause_clock", "request_extension", "file_appeal"}
    assert {"decide_extension", "decide_appeal"} <= set(services.allowed_actions(org.leader, case))
    services.decide_extension(actor=org.leader, case=case, extension=extension, approve=False)
    assert "decide_extension" not in services.allowed_actions(org.leader, case)
