"""Every (action, status, role) combination against a hand-written specification of the lifecycle.

`EXPECTED` below is typed out from the business rules, independently of `workflow.TRANSITIONS`: if the two
disagree, one of them is wrong. Each combination calls the real service with valid input (after setting up
what the action needs: a pending extension or appeal, a joint handling, a paused clock, a merge target) and
checks the outcome:

* role allowed and status allowed: the service succeeds, the case moves to the expected status, exactly
  one new event with the action's name is appended (merging also writes `merge_received` on the target),
  and the version goes up by one;
* role not allowed: `ActionForbidden`, and nothing is written;
* role allowed, status not: `TransitionNotAllowed`, and nothing is written.

A merged duplicate (`merged`) is handled through its parent: the parent's handling people may log contact
with its own complainant and reply to it (a final reply makes it `replied`, then it has its own return
visit); dispatchers may still correct its category.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from ecohotline.cases import services
from ecohotline.cases.exceptions import ActionForbidden, TransitionNotAllowed
from ecohotline.cases.models import (
    Appeal,
    AppealReason,
    Attachment,
    Case,
    CaseEvent,
    CaseStatus,
    ContactAttempt,
    Extension,
    Inspection,
    JointHandling,
    JointReply,
    Measurement,
    Rectification,
    Reply,
    ReturnVisit,
    Satisfaction,
)
from ecohotline.cases.workflow import TRANSITIONS
from ecohotline.factories import UserFactory, force_status, make_case
from ecohotline.org.models import Role
from ecohotline.org.models import User as UserModel

pytestmark = pytest.mark.django_db


# --- the specification, typed out by hand ------------------------------------------------------------

STATUSES = ("new", "dispatched", "in_progress", "replied", "closed", "returned", "merged")
ROLES = ("dispatcher", "handler", "unit_head", "leader", "analyst", "street_liaison", "trainer", "admin")

# action: (the roles that may take it, {status it may be taken from: status after it})
EXPECTED: dict[str, tuple[set[str], dict[str, str]]] = {
    "dispatch": (
        {"dispatcher", "admin"},
        {"new": "dispatched", "returned": "dispatched"},
    ),
    "accept": (
        {"handler", "unit_head"},
        {"dispatched": "in_progress"},
    ),
    "return_order": (
        {"handler", "unit_head"},
        {"dispatched": "returned", "in_progress": "returned"},
    ),
    # Reassigned within the same unit here, so the status stays (another unit: see test_actions_inputs).
    "reassign": (
        {"dispatcher", "unit_head", "admin"},
        {"dispatched": "dispatched", "in_progress": "in_progress"},
    ),
    # A merged duplicate has its own complainant to reach.
    "record_contact": (
        {"handler", "unit_head"},
        {"in_progress": "in_progress", "merged": "merged"},
    ),
    "record_inspection": (
        {"handler", "unit_head"},
        {"in_progress": "in_progress"},
    ),
    "record_measurement": (
        {"handler", "unit_head"},
        {"in_progress": "in_progress"},
    ),
    "add_rectification": (
        {"handler", "unit_head"},
        {"in_progress": "in_progress"},
    ),
    "request_extension": (
        {"handler", "unit_head"},
        {"in_progress": "in_progress"},
    ),
    "decide_extension": (
        {"leader", "dispatcher", "admin"},
        {"in_progress": "in_progress"},
    ),
    "file_appeal": (
        {"handler", "unit_head", "dispatcher"},
        {"in_progress": "in_progress", "replied": "replied", "closed": "closed"},
    ),
    "decide_appeal": (
        {"leader", "dispatcher", "admin"},
        {"in_progress": "in_progress", "replied": "replied", "closed": "closed"},
    ),
    "call_joint_handling": (
        {"handler", "unit_head", "leader"},
        {"in_progress": "in_progress"},
    ),
    "record_joint_reply": (
        {"street_liaison", "handler", "unit_head", "dispatcher"},
        {"in_progress": "in_progress"},
    ),
    # A final reply here (an interim one keeps the case in progress: see test_actions_inputs); a merged
    # duplicate may be answered on its own before its parent (see test_merge).
    "reply": (
        {"handler", "unit_head"},
        {"in_progress": "replied", "merged": "replied"},
    ),
    # Solved and satisfied here (a reopening: see test_actions_inputs).
    "record_return_visit": (
        {"dispatcher", "admin"},
        {"replied": "closed"},
    ),
    "supervise": (
        {"leader", "admin"},
        {"new": "new", "dispatched": "dispatched", "in_progress": "in_progress", "returned": "returned",
         "replied": "replied"},
    ),
    "remind": (
        {"dispatcher", "unit_head", "leader"},
        {"dispatched": "dispatched", "in_progress": "in_progress", "returned": "returned"},
    ),
    "pause_clock": (
        {"dispatcher", "unit_head", "leader"},
        {"dispatched": "dispatched", "in_progress": "in_progress"},
    ),
    "resume_clock": (
        {"dispatcher", "unit_head", "leader"},
        {"dispatched": "dispatched", "in_progress": "in_progress"},
    ),
    "merge_into": (
        {"dispatcher", "admin"},
        {"new": "merged", "dispatched": "merged", "in_progress": "merged", "returned": "merged"},
    ),
    # Correcting the category: while the case is handled or waits for its reply, not once it is answered.
    "set_category": (
        {"dispatcher", "admin"},
        {"new": "new", "dispatched": "dispatched", "in_progress": "in_progress", "returned": "returned",
         "merged": "merged"},
    ),
    "add_note": (
        {"dispatcher", "handler", "unit_head", "leader", "street_liaison", "admin"},
        {"new": "new", "dispatched": "dispatched", "in_progress": "in_progress", "replied": "replied",
         "closed": "closed", "returned": "returned", "merged": "merged"},
    ),
}


def test_the_specification_covers_every_action_of_the_workflow() -> None:
    assert set(EXPECTED) == set(TRANSITIONS)
    assert set(STATUSES) == {str(status) for status in CaseStatus}
    assert set(ROLES) == {str(role) for role in Role}


# --- set-up: a case of the squad in the street, and what each action needs ---------------------------


def make_squad_case(org: Any, status: str, **fields: Any) -> Case:
    """A 12369 case (its policy allows pausing and up to 30 days' extension) in `status`, in the street of
    the org's street liaison, handled by the squad of the org's handler and unit head."""
    case = make_case(channel="eco_12369", street=org.street, complainant_name="张三丰",
                     complainant_phone="13812345678")
    assert case.policy is not None and case.policy.pause_allowed and case.policy.max_extension_days == 30
    return force_status(case, status, handling_unit=org.squad, **fields)


def _prepare(action: str, org: Any, case: Case) -> dict[str, Any]:
    """Create what `action` needs on `case` (none of it writes to the case or its timeline)."""
    if action == "decide_extension":
        return {"extension": Extension.objects.create(case=case, created_by=org.handler, requested_days=5,
                                                      reason="等待第三方检测报告")}
    if action == "decide_appeal":
        return {"appeal": Appeal.objects.create(case=case, created_by=org.handler, reason=AppealReason.DUPLICATE,
                                                evidence="与 2026050300001 号工单重复")}
    if action == "record_joint_reply":
        joint = JointHandling.objects.create(case=case, created_by=org.handler, reason="占道经营，需街道协同")
        joint.units.set([org.street])
        return {"joint": joint}
    if action == "resume_clock":
        force_status(case, case.status, paused_at=timezone.now() - dt.timedelta(hours=2))
        return {}
    if action == "merge_into":
        return {"into": make_case(channel="eco_12369", street=org.street, description="同一餐馆油烟扰民")}
    return {}


Call = Callable[[UserModel, Case, dict[str, Any], Any], Any]

CALLS: dict[str, Call] = {
    "dispatch": lambda u, c, p, o: services.dispatch_case(actor=u, case=c, unit=o.squad, version=c.version),
    "accept": lambda u, c, p, o: services.accept_case(actor=u, case=c, version=c.version),
    "return_order": lambda u, c, p, o: services.return_order(actor=u, case=c, reason="不属于本单位职责",
                                                             version=c.version),
    "reassign": lambda u, c, p, o: services.reassign_case(actor=u, case=c, handler=o.handler, version=c.version),
    "record_contact": lambda u, c, p, o: services.record_contact(actor=u, case=c, reached=True,
                                                                 summary="已电话联系", version=c.version),
    "record_inspection": lambda u, c, p, o: services.record_inspection(actor=u, case=c, findings="排风机未加装消声器",
                                                                       version=c.version),
    "record_measurement": lambda u, c, p, o: services.record_measurement(
        actor=u, case=c, kind="noise", values={"standard": "GB12523", "leq_db": 58.2}, version=c.version),
    "add_rectification": lambda u, c, p, o: services.add_rectification(
        actor=u, case=c, requirement="加装油烟净化设备", deadline=dt.date(2026, 6, 30), version=c.version),
    "request_extension": lambda u, c, p, o: services.request_extension(actor=u, case=c, days=5,
                                                                       reason="等待检测报告", version=c.version),
    "decide_extension": lambda u, c, p, o: services.decide_extension(actor=u, case=c, extension=p["extension"],
                                                                     approve=True, version=c.version),
    "file_appeal": lambda u, c, p, o: services.file_appeal(actor=u, case=c, reason=AppealReason.DUPLICATE,
                                                           evidence="重复工单", version=c.version),
    "decide_appeal": lambda u, c, p, o: services.decide_appeal(actor=u, case=c, appeal=p["appeal"], approve=True,
                                                               version=c.version),
    "call_joint_handling": lambda u, c, p, o: services.call_joint_handling(actor=u, case=c, units=[o.street],
                                                                           reason="需街道协同",
                                                                           version=c.version),
    "record_joint_reply": lambda u, c, p, o: services.record_joint_reply(actor=u, case=c, joint=p["joint"],
                                                                         unit=o.street, text="街道已到场",
                                                                         version=c.version),
    "reply": lambda u, c, p, o: services.reply_to_complainant(actor=u, case=c, text="已责令整改", final=True,
                                                              version=c.version),
    "record_return_visit": lambda u, c, p, o: services.record_return_visit(
        actor=u, case=c, contacted=True, solved=True, satisfaction=Satisfaction.SATISFIED, version=c.version),
    "supervise": lambda u, c, p, o: services.supervise_case(actor=u, case=c, note="请加快办理", version=c.version),
    "remind": lambda u, c, p, o: services.remind_case(actor=u, case=c, note="请尽快签收", version=c.version),
    "pause_clock": lambda u, c, p, o: services.pause_clock(actor=u, case=c, reason="等待检测结果",
                                                           version=c.version),
    "resume_clock": lambda u, c, p, o: services.resume_clock(actor=u, case=c, version=c.version),
    "merge_into": lambda u, c, p, o: services.merge_case(actor=u, case=c, into=p["into"], version=c.version),
    "set_category": lambda u, c, p, o: services.set_category(actor=u, case=c, sub_category="air.catering_fumes",
                                                             note="油烟，非噪声", version=c.version),
    "add_note": lambda u, c, p, o: services.add_note(actor=u, case=c, text="备注", version=c.version),
}

# Every table written by some service: a refused action must leave all of them as they were.
RECORD_MODELS = (ContactAttempt, Inspection, Attachment, Measurement, Rectification, Extension, Appeal,
                 JointHandling, JointReply, Reply, ReturnVisit)


def _snapshot() -> dict[str, Any]:
    return {
        "cases": list(Case.objects.order_by("pk").values()),
        "events": list(CaseEvent.objects.order_by("pk").values_list("pk", flat=True)),
        "extensions": list(Extension.objects.order_by("pk").values()),
        "appeals": list(Appeal.objects.order_by("pk").values()),
        **{model.__name__: model.objects.count() for model in RECORD_MODELS},
    }


def _expected_outcome(action: str, status: str, role: str) -> str | type[Exception]:
    roles, moves = EXPECTED[action]
    if role not in roles:
        return ActionForbidden
    if status not in moves:
        return TransitionNotAllowed
    return moves[status]


COMBINATIONS = [(action, status, role) for action in EXPECTED for status in STATUSES for role in ROLES]


@pytest.mark.parametrize(("action", "status", "role"), COMBINATIONS)
def test_action_status_role(org: Any, action: str, status: str, role: str) -> None:
    case = make_squad_case(org, status)
    prepared = _prepare(action, org, case)
    case.refresh_from_db()
    actor = org.by_role(role)
    before = _snapshot()
    case_events_before = case.events.count()
    version_before = case.version
    expected = _expected_outcome(action, status, role)

    if isinstance(expected, type):
        with pytest.raises(expected):
            CALLS[action](actor, case, prepared, org)
        assert _snapshot() == before, "a refused action must write nothing"
        return

    CALLS[action](actor, case, prepared, org)
    case.refresh_from_db()
    assert case.status == expected
    assert case.version == version_before + 1
    new_events = list(case.events.order_by("pk")[case_events_before:])
    assert [event.action for event in new_events] == [action]
    event = new_events[0]
    assert (event.from_status, event.to_status, event.actor_id) == (status, expected, actor.pk)
    if action == "merge_into":
        target = prepared["into"]
        target_version = target.version
        target.refresh_from_db()
        assert case.parent_id == target.pk
        assert target.version == target_version + 1
        assert list(target.events.values_list("action", flat=True)) == ["created", "merge_received"]
        assert CaseEvent.objects.count() == len(before["events"]) + 2
    else:
        assert CaseEvent.objects.count() == len(before["events"]) + 1
    if action == "set_category":
        assert (case.category, case.sub_category, case.category_confirmed) == ("air", "air.catering_fumes", True)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", STATUSES)
def test_offered_actions_match_the_specification(org: Any, status: str, role: str) -> None:
    """What the UI and the API offer is exactly what the specification allows."""
    case = make_squad_case(org, status)
    expected = [action for action, (roles, moves) in EXPECTED.items() if role in roles and status in moves]
    assert sorted(services.permitted_actions(org.by_role(role), case)) == sorted(expected)


# --- scope: a role counts only where its reach covers the case ---------------------------------------

# (action, who): each action a handler or unit head may take, tried by the other unit's person in that role.
OTHER_UNIT_ATTEMPTS = [
    (action, who)
    for action, (roles, _moves) in EXPECTED.items()
    for who, role in (("other_handler", "handler"), ("other_unit_head", "unit_head"))
    if role in roles
]


@pytest.mark.parametrize(("action", "who"), OTHER_UNIT_ATTEMPTS)
def test_another_units_people_may_not_act_on_this_units_case(org: Any, action: str, who: str) -> None:
    actor = getattr(org, who)
    status = "dispatched" if action == "accept" else "in_progress"
    case = make_squad_case(org, status)
    prepared = _prepare(action, org, case)
    case.refresh_from_db()
    before = _snapshot()
    with pytest.raises(ActionForbidden):
        CALLS[action](actor, case, prepared, org)
    assert _snapshot() == before
    assert services.permitted_actions(actor, case) == []


def test_other_unit_called_in_may_answer_and_note_but_not_handle(org: Any) -> None:
    """A unit called in (吹哨报到) acts on the case only to answer the call or to add a note."""
    case = make_squad_case(org, "in_progress")
    joint = JointHandling.objects.create(case=case, created_by=org.handler, reason="需二中队协同")
    joint.units.set([org.other_squad])
    assert sorted(services.allowed_actions(org.other_handler, case)) == ["add_note", "record_joint_reply"]
    services.record_joint_reply(actor=org.other_handler, case=case, joint=joint, unit=org.other_squad,
                                text="二中队已到场")
    services.add_note(actor=org.other_unit_head, case=case, text="已知悉")
    for action in ("record_contact", "reply", "request_extension"):
        case.refresh_from_db()
        with pytest.raises(ActionForbidden):
            CALLS[action](org.other_handler, case, {}, org)
    assert list(case.events.values_list("action", flat=True)) == ["created", "record_joint_reply", "add_note"]


@pytest.fixture
def other_liaison(org: Any) -> UserModel:
    return UserFactory(username="liaison2", unit=org.other_street, roles=[Role.STREET_LIAISON])


@pytest.mark.parametrize("action", ["add_note", "record_joint_reply"])
def test_liaison_of_another_street_may_not_act(org: Any, other_liaison: UserModel, action: str) -> None:
    case = make_squad_case(org, "in_progress")
    prepared = _prepare(action, org, case)
    case.refresh_from_db()
    before = _snapshot()
    with pytest.raises(ActionForbidden):
        CALLS[action](other_liaison, case, prepared, org)
    assert _snapshot() == before
    assert services.allowed_actions(other_liaison, case) == []


def test_liaison_of_a_street_called_in_answers_for_that_street_only(org: Any, other_liaison: UserModel) -> None:
    case = make_squad_case(org, "in_progress")
    joint = JointHandling.objects.create(case=case, created_by=org.handler, reason="两街道交界")
    joint.units.set([org.street, org.other_street])
    before = _snapshot()
    with pytest.raises(ActionForbidden):
        services.record_joint_reply(actor=other_liaison, case=case, joint=joint, unit=org.street, text="代答")
    assert _snapshot() == before
    services.record_joint_reply(actor=other_liaison, case=case, joint=joint, unit=org.other_street,
                                text="学院路街道已到场")
    assert JointReply.objects.get().unit == org.other_street
