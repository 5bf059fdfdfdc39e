"""并案: duplicates merged into one handling case. The duplicates are handled through the parent (its unit,
handler and leader, which they follow while they wait), keep their own deadlines, and each order still gets
its own reply and its own return visit.

Reference orders: 12345 normal orders received Wed 6 May 2026 09:30 (Beijing); contact within 24 hours
(Thu 7 May 09:30), reply and completion within 7 natural days (Wed 13 May 23:59:59).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.urls import reverse

from ecohotline.cases import access, services
from ecohotline.cases.deadlines import overdue_q
from ecohotline.cases.exceptions import ActionForbidden, RuleViolation
from ecohotline.cases.models import (
    AlertKind,
    Case,
    CaseEvent,
    CaseStatus,
    Channel,
    DeadlineAlert,
    Reply,
    ReturnVisit,
    Satisfaction,
)
from ecohotline.cases.services import send_deadline_alerts
from ecohotline.core.workdays import BEIJING
from ecohotline.factories import force_status, make_case
from ecohotline.notify.models import Notification

pytestmark = pytest.mark.django_db


def bj(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BEIJING)


T0 = bj(2026, 5, 6, 9, 30)
CONTACT_DUE = bj(2026, 5, 7, 9, 30)
COMPLETION_DUE = bj(2026, 5, 13, 23, 59, 59)


@pytest.fixture
def clock(time_machine: Any) -> Any:
    time_machine.move_to(T0, tick=False)
    return time_machine


def at(clock: Any, moment: dt.datetime) -> None:
    clock.move_to(moment, tick=False)


def order(org: Any, name: str, phone: str, **fields: Any) -> Case:
    return make_case(received_at=T0, street=org.street, complainant_name=name, complainant_phone=phone,
                     description="中关村大街12号楼下烧烤店油烟直排", **fields)


@pytest.fixture
def pair(org: Any, clock: Any) -> tuple[Case, Case]:
    """Two 12345 orders about the same restaurant; the second is merged into the first, which is then
    dispatched to the squad's handler and accepted."""
    parent = order(org, "张三丰", "13812345678")
    child = order(org, "李四", "13900001111")
    services.merge_case(actor=org.dispatcher, case=child, into=parent, note="同一烧烤店")
    services.dispatch_case(actor=org.dispatcher, case=parent, unit=org.squad, handler=org.handler)
    services.accept_case(actor=org.handler, case=parent)
    parent.refresh_from_db()
    child.refresh_from_db()
    return parent, child


def actions_of(case: Case) -> list[str]:
    return list(case.events.order_by("pk").values_list("action", flat=True))


# --- one handling ----------------------------------------------------------------------------------------


def test_two_orders_merged_are_handled_as_one(org: Any, pair: tuple[Case, Case]) -> None:
    parent, child = pair
    assert child.status == CaseStatus.MERGED and child.parent == parent
    assert (child.handling_unit, child.handler, child.leader) == (org.squad, org.handler, org.leader)
    assert child.accepted_at == parent.accepted_at  # the parent's acceptance meets the order's accept step
    assert actions_of(child) == ["created", "merge_into", "follow_parent", "follow_parent"]
    follows = CaseEvent.objects.filter(case=child, action="follow_parent").order_by("pk")
    assert [(e.payload["via"], e.payload["parent"], e.payload["unit"], e.payload["handler"]) for e in follows] == [
        ("dispatch", parent.pk, org.squad.pk, org.handler.pk), ("accept", parent.pk, org.squad.pk, org.handler.pk)]
    assert actions_of(parent) == ["created", "merge_received", "dispatch", "accept"]
    assert list(parent.merged_children.all()) == [child]

    # The parent's handling people may reach the order's own complainant and answer it; nothing else.
    assert sorted(services.allowed_actions(org.handler, child)) == ["add_note", "record_contact", "reply"]
    assert sorted(services.allowed_actions(org.dispatcher, child)) == ["add_note", "set_category"]
    assert services.allowed_actions(org.other_handler, child) == []

    # Reassigned to another unit, the parent takes its waiting duplicates along.
    services.reassign_case(actor=org.dispatcher, case=parent, unit=org.other_squad, handler=org.other_handler)
    child.refresh_from_db()
    assert (child.status, child.handling_unit, child.handler) == (CaseStatus.MERGED, org.other_squad,
                                                                  org.other_handler)
    assert CaseEvent.objects.filter(case=child, action="follow_parent").last().payload["via"] == "reassign"
    assert services.allowed_actions(org.handler, child) == []
    assert "reply" in services.allowed_actions(org.other_handler, child)


def test_a_return_and_a_new_dispatch_carry_the_waiting_duplicates_along(org: Any, pair: tuple[Case, Case]) -> None:
    parent, child = pair
    services.return_order(actor=org.handler, case=parent, reason="不属于本中队辖区")
    child.refresh_from_db()
    assert (child.status, child.handling_unit, child.handler) == (CaseStatus.MERGED, org.squad, None)
    services.dispatch_case(actor=org.dispatcher, case=parent, unit=org.other_squad)
    child.refresh_from_db()
    assert (child.status, child.handling_unit, child.handler) == (CaseStatus.MERGED, org.other_squad, None)
    vias = [e.payload["via"] for e in CaseEvent.objects.filter(case=child, action="follow_parent").order_by("pk")]
    assert vias == ["dispatch", "accept", "return_order", "dispatch"]


def test_merging_takes_the_parents_handling(org: Any, clock: Any) -> None:
    parent = services.dispatch_case(actor=org.dispatcher, case=order(org, "张三丰", "13812345678"),
                                    unit=org.squad, handler=org.handler)
    child = services.dispatch_case(actor=org.dispatcher, case=order(org, "李四", "13900001111"),
                                   unit=org.other_squad, handler=org.other_handler)
    services.merge_case(actor=org.dispatcher, case=child, into=parent)
    child.refresh_from_db()
    assert (child.status, child.handling_unit, child.handler, child.leader) == (
        CaseStatus.MERGED, org.squad, org.handler, org.leader)
    event = CaseEvent.objects.get(case=child, action="merge_into")
    assert (event.from_status, event.to_status) == (CaseStatus.DISPATCHED, CaseStatus.MERGED)
    assert (event.payload["into"], event.payload["unit"], event.payload["handler"]) == (
        parent.pk, org.squad.pk, org.handler.pk)


# --- each order its own reply --------------------------------------------------------------------------


def test_the_parents_final_reply_answers_every_waiting_duplicate_on_its_own(org: Any,
                                                                           pair: tuple[Case, Case]) -> None:
    parent, child = pair
    third = order(org, "王五", "13700002222")
    services.merge_case(actor=org.dispatcher, case=third, into=parent)

    # An interim reply answers the parent only.
    services.reply_to_complainant(actor=org.handler, case=parent, text="已到现场核查，正在整改", final=False)
    assert Reply.objects.filter(case__in=[child, third]).count() == 0

    reply = services.reply_to_complainant(actor=org.handler, case=parent, text="已责令烧烤店安装油烟净化器")
    for case in (parent, child, third):
        case.refresh_from_db()
        assert case.status == CaseStatus.REPLIED and case.replied_at == case.completed_at
    assert child.replied_at == parent.completed_at
    replies = {r.case_id: r for r in Reply.objects.filter(case__in=[parent, child, third])}
    assert replies[parent.pk] == reply
    assert len({r.pk for r in replies.values()}) == 3  # a row of its own for each order
    for case in (child, third):
        own = replies[case.pk]
        assert (own.text, own.final, own.at, own.created_by) == (reply.text, True, reply.at, org.handler)
        event = CaseEvent.objects.filter(case=case, action="reply").get()
        assert (event.from_status, event.to_status, event.actor) == (CaseStatus.MERGED, CaseStatus.REPLIED,
                                                                     org.handler)
        assert (event.payload["reply"], event.payload["via_parent"], event.payload["parent_reply"]) == (
            own.pk, parent.pk, reply.pk)
    parent_event = CaseEvent.objects.filter(case=parent, action="reply", payload__final=True).get()
    assert "via_parent" not in parent_event.payload


def test_a_duplicate_may_be_answered_before_its_parent(org: Any, pair: tuple[Case, Case]) -> None:
    parent, child = pair
    with pytest.raises(ActionForbidden):
        services.reply_to_complainant(actor=org.other_handler, case=child, text="代答")
    services.record_contact(actor=org.handler, case=child, reached=True, summary="已电话联系李四")
    services.reply_to_complainant(actor=org.handler, case=child, text="已约谈店主", final=False)
    child.refresh_from_db()
    assert child.status == CaseStatus.MERGED and child.first_contact_at and child.replied_at
    services.reply_to_complainant(actor=org.handler, case=child, text="已责令整改（李四诉求）")
    child.refresh_from_db()
    assert child.status == CaseStatus.REPLIED

    # The parent's final reply does not answer it a second time.
    services.reply_to_complainant(actor=org.handler, case=parent, text="已责令整改")
    assert list(Reply.objects.filter(case=child).values_list("text", flat=True)) == [
        "已约谈店主", "已责令整改（李四诉求）"]
    assert not CaseEvent.objects.filter(case=child, payload__via_parent=parent.pk).exists()


# --- each order its own return visit -------------------------------------------------------------------


def test_each_order_has_its_own_return_visit(org: Any, pair: tuple[Case, Case]) -> None:
    parent, child = pair
    services.reply_to_complainant(actor=org.handler, case=parent, text="已责令整改")
    parent.refresh_from_db()
    child.refresh_from_db()
    services.record_return_visit(actor=org.dispatcher, case=parent, contacted=True, solved=True,
                                 satisfaction=Satisfaction.SATISFIED)
    services.record_return_visit(actor=org.dispatcher, case=child, contacted=True, solved=False,
                                 satisfaction=Satisfaction.DISSATISFIED, note="油烟依旧")
    parent.refresh_from_db()
    child.refresh_from_db()
    assert (parent.status, parent.reopen_count) == (CaseStatus.CLOSED, 0)
    # 重办: the duplicate is reopened on its own, with its handler, and no longer waits for the parent.
    assert (child.status, child.reopen_count, child.handling_unit, child.handler) == (
        CaseStatus.IN_PROGRESS, 1, org.squad, org.handler)
    assert child.reply_due_at is not None and child.replied_at is None and child.next_due_at is not None
    visits = {v.case_id: v.satisfaction for v in ReturnVisit.objects.all()}
    assert visits == {parent.pk: Satisfaction.SATISFIED, child.pk: Satisfaction.DISSATISFIED}
    outcome = {e.case_id: e.payload["outcome"] for e in CaseEvent.objects.filter(action="record_return_visit")}
    assert outcome == {parent.pk: "closed", child.pk: "reopened"}

    services.reply_to_complainant(actor=org.handler, case=child, text="已复查，净化器已开启")
    child.refresh_from_db()
    services.record_return_visit(actor=org.dispatcher, case=child, contacted=True, solved=True,
                                 satisfaction=Satisfaction.BASICALLY_SATISFIED)
    child.refresh_from_db()
    assert child.status == CaseStatus.CLOSED and child.parent == parent


# --- each order its own deadlines ----------------------------------------------------------------------


def received(kind: str, deadline: str, case: Case) -> Counter[str]:
    rows = Notification.objects.filter(kind=f"deadline_{kind}", params__deadline=deadline, case_id=case.pk)
    return Counter(rows.values_list("recipient__username", flat=True))


def test_a_waiting_duplicate_keeps_its_own_deadlines(org: Any, pair: tuple[Case, Case], clock: Any) -> None:
    parent, child = pair
    # The parent's complainant was reached, the duplicate's not yet.
    services.record_contact(actor=org.handler, case=parent, reached=True)
    child.refresh_from_db()
    assert child.next_due_at == CONTACT_DUE

    late = CONTACT_DUE + dt.timedelta(minutes=1)
    at(clock, late)
    assert list(Case.objects.filter(overdue_q(late))) == [child]
    assert send_deadline_alerts() == 1
    assert set(DeadlineAlert.objects.values_list("case_id", "deadline", "kind")) == {
        (child.pk, "contact", AlertKind.ESCALATION)}
    # To the people handling the parent, who handle the duplicate too.
    assert received("escalation", "contact", child) == Counter({"handler": 1, "unit_head": 1, "leader": 1})
    assert send_deadline_alerts() == 0

    services.record_contact(actor=org.handler, case=child, reached=True, summary="已联系李四")
    at(clock, COMPLETION_DUE - dt.timedelta(hours=12))
    assert send_deadline_alerts() == 2  # each order's own completion reminder
    assert received("reminder", "completion", child) == Counter({"handler": 1})
    assert received("reminder", "completion", parent) == Counter({"handler": 1})

    # Once the parent's final reply has answered it too, the duplicate has nothing pending.
    services.reply_to_complainant(actor=org.handler, case=parent, text="已责令整改")
    child.refresh_from_db()
    assert child.next_due_at is None
    at(clock, COMPLETION_DUE + dt.timedelta(hours=1))
    assert send_deadline_alerts() == 0


def test_a_paused_clock_restarts_when_the_case_is_merged(org: Any, clock: Any) -> None:
    parent = make_case(channel=Channel.ECO_12369, street=org.street)
    child = force_status(make_case(channel=Channel.ECO_12369, street=org.street), CaseStatus.IN_PROGRESS,
                         handling_unit=org.squad, accepted_at=T0)
    services.pause_clock(actor=org.unit_head, case=child, reason="等待检测报告")
    child.refresh_from_db()
    due = child.due_at
    at(clock, T0 + dt.timedelta(days=2))
    services.merge_case(actor=org.dispatcher, case=child, into=parent)
    child.refresh_from_db()
    assert child.paused_at is None and child.paused_seconds == 2 * 86400
    assert child.due_at == due + dt.timedelta(days=2) and child.next_due_at == child.due_at


# --- what may not be merged ----------------------------------------------------------------------------


def test_merge_into_a_merged_case_is_still_refused(org: Any, pair: tuple[Case, Case]) -> None:
    _parent, child = pair
    other = order(org, "王五", "13700002222")
    with pytest.raises(RuleViolation) as error:
        services.merge_case(actor=org.dispatcher, case=other, into=child)
    assert error.value.code == "target_merged"
    other.refresh_from_db()
    assert other.status == CaseStatus.NEW and other.parent is None and actions_of(other) == ["created"]


def test_a_case_with_waiting_duplicates_is_not_merged_itself(org: Any, pair: tuple[Case, Case]) -> None:
    parent, _child = pair
    other = order(org, "王五", "13700002222")
    with pytest.raises(RuleViolation) as error:
        services.merge_case(actor=org.dispatcher, case=parent, into=other)
    assert error.value.code == "has_merged_children"
    services.merge_case(actor=org.dispatcher, case=other, into=parent)  # the other way round
    assert parent.merged_children.count() == 2


def test_merge_into_an_answered_case_is_refused(org: Any, pair: tuple[Case, Case]) -> None:
    parent, _child = pair
    services.reply_to_complainant(actor=org.handler, case=parent, text="已责令整改")
    late = order(org, "王五", "13700002222")
    with pytest.raises(RuleViolation) as error:
        services.merge_case(actor=org.dispatcher, case=late, into=parent)
    assert error.value.code == "target_not_open"
    late.refresh_from_db()
    assert late.status == CaseStatus.NEW


# --- who sees it ---------------------------------------------------------------------------------------


def test_the_parents_handler_sees_the_duplicate_and_its_complainant(org: Any, pair: tuple[Case, Case]) -> None:
    parent, child = pair
    assert access.can_see_case(org.handler, child) and access.can_see_case(org.unit_head, child)
    assert access.can_see_complainant(org.handler, child)
    assert not access.can_see_case(org.other_handler, child)
    services.reassign_case(actor=org.dispatcher, case=parent, unit=org.other_squad)
    child.refresh_from_db()
    assert access.can_see_case(org.other_handler, child) and access.can_see_complainant(org.other_handler, child)
    assert not access.can_see_case(org.handler, child)


def test_the_case_page_links_the_parent_and_its_duplicates(org: Any, pair: tuple[Case, Case], client: Any) -> None:
    parent, child = pair
    client.force_login(org.handler)
    page = client.get(reverse("ui:case-detail", args=[parent.pk])).content.decode()
    assert f'href="{reverse("ui:case-detail", args=[child.pk])}"' in page and child.reference in page
    page = client.get(reverse("ui:case-detail", args=[child.pk])).content.decode()
    assert f'href="{reverse("ui:case-detail", args=[parent.pk])}"' in page
