"""The worker's reminders before deadlines and escalations after them: to whom, and exactly once each.

Reference case: a 12345 normal order received Wed 6 May 2026 09:30 (Beijing), dispatched to the squad
with its handler; the street's 包片 leader is `org.leader`. Its contact deadline is Thu 7 May 09:30 (24 h,
"due soon" in the last 6 h: from 03:30), its reply and completion deadlines Wed 13 May 23:59:59 (7 natural
days, "due soon" in the last 24 h: from Tue 12 May 23:59:59).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from ecohotline.cases import services
from ecohotline.cases.models import AlertKind, CaseEvent, CaseStatus, Channel, DeadlineAlert
from ecohotline.cases.services import _send_alert, send_deadline_alerts
from ecohotline.cases.tasks import check_deadlines
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
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


def at(clock, moment: dt.datetime) -> None:
    clock.move_to(moment, tick=False)


def dispatched_case(org, *, accept: bool = False, **fields):
    fields.setdefault("street", org.street)
    case = make_case(received_at=T0, **fields)
    case = services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad, handler=org.handler)
    if accept:
        case = services.accept_case(actor=org.handler, case=case)
    return case


def alerts(case) -> set[tuple[str, str, dt.datetime]]:
    return set(DeadlineAlert.objects.filter(case=case).values_list("deadline", "kind", "due_at"))


def received(kind: str, deadline: str, case=None) -> Counter:
    """How many notifications of this kind and deadline each user got."""
    rows = Notification.objects.filter(kind=f"deadline_{kind}", params__deadline=deadline)
    if case is not None:
        rows = rows.filter(case_id=case.pk)
    return Counter(rows.values_list("recipient__username", flat=True))


def test_nothing_before_a_deadline_is_due_soon(org, clock):
    dispatched_case(org)
    at(clock, CONTACT_DUE - dt.timedelta(hours=6, seconds=1))
    assert send_deadline_alerts() == 0
    assert not DeadlineAlert.objects.exists() and not Notification.objects.filter(kind__startswith="deadline").exists()


def test_reminder_then_escalation_each_exactly_once(org, clock):
    case = dispatched_case(org)
    Notification.objects.all().delete()  # the assignment notice is not what this test is about

    # Due soon: one reminder, to the handler only.
    at(clock, CONTACT_DUE - dt.timedelta(hours=6))
    assert send_deadline_alerts() == 1
    assert alerts(case) == {("contact", AlertKind.REMINDER, CONTACT_DUE)}
    assert received("reminder", "contact") == Counter({"handler": 1})
    at(clock, CONTACT_DUE - dt.timedelta(hours=1))
    assert send_deadline_alerts() == 0
    assert send_deadline_alerts() == 0
    assert received("reminder", "contact") == Counter({"handler": 1})

    # Exactly at the due time it is still a reminder (already sent): nothing new.
    at(clock, CONTACT_DUE)
    assert send_deadline_alerts() == 0

    # Past due: one escalation, to the handler, the head of the handling unit and the case's leader.
    at(clock, CONTACT_DUE + dt.timedelta(seconds=1))
    assert send_deadline_alerts() == 1
    assert received("escalation", "contact") == Counter({"handler": 1, "unit_head": 1, "leader": 1})
    for _ in range(3):
        at(clock, CONTACT_DUE + dt.timedelta(hours=5))
        assert send_deadline_alerts() == 0
    assert received("escalation", "contact") == Counter({"handler": 1, "unit_head": 1, "leader": 1})
    # Nobody outside the case is told.
    others = {"unit_head2", "handler2", "leader2", "dispatcher", "analyst", "admin", "liaison"}
    assert not Notification.objects.filter(recipient__username__in=others).exists()

    # The timeline shows both, once each.
    events = list(CaseEvent.objects.filter(case=case, action__startswith="deadline_").order_by("pk"))
    assert [(e.action, e.actor_id, e.payload["deadline"]) for e in events] == [
        ("deadline_reminder", None, "contact"), ("deadline_escalation", None, "contact")]
    assert dt.datetime.fromisoformat(events[0].payload["due_at"]) == CONTACT_DUE
    assert events[1].at == CONTACT_DUE + dt.timedelta(seconds=1)


def test_each_deadline_of_a_case_gets_its_own_alerts(org, clock):
    case = dispatched_case(org)
    at(clock, COMPLETION_DUE - dt.timedelta(hours=24))
    # The contact deadline is long past (escalation); completion is due soon (reminder). The reply
    # deadline falls back to the completion limit and coincides with it: one deadline, one reminder.
    assert send_deadline_alerts() == 2
    assert alerts(case) == {
        ("contact", AlertKind.ESCALATION, CONTACT_DUE),
        ("completion", AlertKind.REMINDER, COMPLETION_DUE),
    }
    # A contact reminder is never sent late, once the deadline has passed.
    assert received("reminder", "contact") == Counter()
    assert send_deadline_alerts() == 0
    at(clock, COMPLETION_DUE + dt.timedelta(minutes=1))
    assert send_deadline_alerts() == 1
    assert received("escalation", "completion") == Counter({"handler": 1, "unit_head": 1, "leader": 1})
    assert received("escalation", "reply") == Counter()
    assert send_deadline_alerts() == 0
    assert DeadlineAlert.objects.filter(case=case).count() == 3


def test_without_a_handler_the_unit_heads_are_reminded(org, clock):
    case = services.dispatch_case(actor=org.dispatcher, case=make_case(received_at=T0, street=org.street),
                                   unit=org.squad)
    at(clock, CONTACT_DUE - dt.timedelta(hours=1))
    assert send_deadline_alerts() == 1
    assert received("reminder", "contact", case) == Counter({"unit_head": 1})
    at(clock, CONTACT_DUE + dt.timedelta(hours=1))
    assert send_deadline_alerts() == 1
    # The unit head is both "the handling people" and a superior: told once.
    assert received("escalation", "contact", case) == Counter({"unit_head": 1, "leader": 1})


def test_met_deadline_gets_no_alert(org, clock):
    case = dispatched_case(org, accept=True)
    at(clock, bj(2026, 5, 6, 20, 0))
    services.record_contact(actor=org.handler, case=case, reached=True, summary="已电话联系")
    for moment in (CONTACT_DUE - dt.timedelta(hours=1), CONTACT_DUE + dt.timedelta(hours=1)):
        at(clock, moment)
        assert send_deadline_alerts() == 0
    assert not alerts(case)


def test_contact_met_just_after_the_reminder_gets_no_escalation(org, clock):
    case = dispatched_case(org, accept=True)
    at(clock, CONTACT_DUE - dt.timedelta(hours=2))
    assert send_deadline_alerts() == 1
    services.record_contact(actor=org.handler, case=case, reached=True)
    at(clock, CONTACT_DUE + dt.timedelta(hours=2))
    assert send_deadline_alerts() == 0
    assert alerts(case) == {("contact", AlertKind.REMINDER, CONTACT_DUE)}


def test_paused_case_gets_no_alert(org, clock):
    case = dispatched_case(org, accept=True, channel=Channel.ECO_12369)  # accept met; due Jul 5 23:59:59
    services.pause_clock(actor=org.unit_head, case=case, reason="等待第三方检测报告")
    for moment in (bj(2026, 7, 5, 12, 0), bj(2026, 7, 6, 12, 0), bj(2026, 9, 1)):
        at(clock, moment)
        assert send_deadline_alerts() == 0
    assert not alerts(case)


def test_closed_and_replied_cases_get_no_alert(org, clock):
    # A merged duplicate keeps its own deadlines until it is replied to: see test_merge.
    closed = force_status(dispatched_case(org), CaseStatus.CLOSED)
    replied = force_status(dispatched_case(org), CaseStatus.REPLIED)
    at(clock, bj(2026, 6, 1))
    assert send_deadline_alerts() == 0
    assert not DeadlineAlert.objects.filter(case__in=[closed, replied]).exists()


def test_extension_makes_a_new_deadline_with_its_own_alerts(org, clock):
    case = dispatched_case(org, accept=True, channel=Channel.ECO_12369)
    due = bj(2026, 7, 5, 23, 59, 59)
    at(clock, bj(2026, 7, 5, 10, 0))
    assert send_deadline_alerts() == 1  # one reminder: reply and completion coincide
    at(clock, bj(2026, 7, 6, 8, 0))
    assert send_deadline_alerts() == 1  # ... and one escalation
    assert send_deadline_alerts() == 0

    extension = services.request_extension(actor=org.handler, case=case, days=10, reason="需补充监测")
    services.decide_extension(actor=org.leader, case=case, extension=extension, approve=True)
    new_due = bj(2026, 7, 15, 23, 59, 59)
    case.refresh_from_db()
    assert case.due_at == case.reply_due_at == new_due
    assert send_deadline_alerts() == 0  # ten days ahead: nothing to say yet

    at(clock, bj(2026, 7, 15, 9, 0))
    assert send_deadline_alerts() == 1
    assert send_deadline_alerts() == 0
    at(clock, bj(2026, 7, 16, 9, 0))
    assert send_deadline_alerts() == 1
    assert send_deadline_alerts() == 0
    assert alerts(case) == {
        ("completion", kind, when)
        for kind in (AlertKind.REMINDER, AlertKind.ESCALATION)
        for when in (due, new_due)
    }
    assert received("escalation", "completion", case) == Counter({"handler": 2, "unit_head": 2, "leader": 2})


def test_the_periodic_task_runs_the_same_check(org, clock):
    dispatched_case(org)
    at(clock, CONTACT_DUE + dt.timedelta(hours=1))
    assert check_deadlines.call_local() == 1
    assert check_deadlines.call_local() == 0


def test_a_second_send_of_the_same_alert_is_a_no_op(org, clock):
    """What a second worker racing the first finds: the alert already written, nothing sent twice."""
    case = dispatched_case(org)
    at(clock, CONTACT_DUE + dt.timedelta(minutes=5))
    notifications = Notification.objects.count()
    events = CaseEvent.objects.filter(case=case).count()
    assert _send_alert(case, "contact", AlertKind.ESCALATION, CONTACT_DUE) == 1
    assert Notification.objects.count() == notifications + 3
    assert _send_alert(case, "contact", AlertKind.ESCALATION, CONTACT_DUE) == 0
    assert Notification.objects.count() == notifications + 3
    assert CaseEvent.objects.filter(case=case).count() == events + 1
    assert DeadlineAlert.objects.filter(case=case).count() == 1
    # And the regular run that comes afterwards does not send it again.
    assert send_deadline_alerts() == 0


def test_run_with_a_stale_view_of_the_alerts_does_not_double_send(org, clock, monkeypatch):
    """Two runs that both read "not sent yet" before either wrote: the unique constraint stops the second."""
    case = dispatched_case(org)
    at(clock, CONTACT_DUE + dt.timedelta(minutes=5))
    assert send_deadline_alerts() == 1
    # Make the next run blind to what is already written, as a concurrent run would be.
    real_filter = DeadlineAlert.objects.filter
    attempts = []

    def blind_filter(*args, **kwargs):
        return real_filter(*args, **kwargs).none()

    def counting_send(*args, **kwargs):
        result = _send_alert(*args, **kwargs)
        attempts.append(result)
        return result

    monkeypatch.setattr(DeadlineAlert.objects, "filter", blind_filter)
    monkeypatch.setattr(services, "_send_alert", counting_send)
    assert send_deadline_alerts() == 0
    monkeypatch.undo()
    assert attempts == [0]  # it did try, and the database refused the duplicate
    assert received("escalation", "contact", case) == Counter({"handler": 1, "unit_head": 1, "leader": 1})
    assert CaseEvent.objects.filter(case=case, action="deadline_escalation").count() == 1


# --- who moves next, reopened windows, and the re-check at send time ----------------------------------------


def test_a_returned_order_alerts_the_dispatchers_not_the_unit_that_returned_it(org, clock):
    case = dispatched_case(org)
    services.return_order(actor=org.handler, case=case, reason="不属于我队辖区")
    at(clock, CONTACT_DUE + dt.timedelta(hours=1))
    assert send_deadline_alerts() == 1
    assert received("escalation", "contact", case) == Counter({"dispatcher": 1, "leader": 1})


def test_a_reopened_urgent_reply_is_due_soon_only_in_its_last_half_hour(org, clock):
    from ecohotline.cases.deadlines import DeadlineLevel, deadline_state
    from ecohotline.cases.models import Satisfaction, Urgency

    case = dispatched_case(org, accept=True, urgency=Urgency.URGENT)
    services.record_contact(actor=org.handler, case=case, reached=True)
    services.reply_to_complainant(actor=org.handler, case=case, text="已处理")
    at(clock, bj(2026, 5, 20, 10, 0))
    services.record_return_visit(actor=org.dispatcher, case=case, contacted=True, solved=False,
                                 satisfaction=Satisfaction.DISSATISFIED)
    case.refresh_from_db()
    assert case.reply_due_at == bj(2026, 5, 20, 12, 0)  # 2 hours from the visit
    assert send_deadline_alerts() == 0  # not "due soon" right after reopening
    assert deadline_state(case, bj(2026, 5, 20, 11, 29)).level == DeadlineLevel.ON_TRACK
    assert deadline_state(case, bj(2026, 5, 20, 11, 31)).level == DeadlineLevel.DUE_SOON
    at(clock, bj(2026, 5, 20, 11, 31))
    assert send_deadline_alerts() == 1
    assert alerts(case) >= {("reply", AlertKind.REMINDER, bj(2026, 5, 20, 12, 0))}


def test_an_alert_is_not_sent_for_a_case_that_moved_on_since_it_was_read(org, clock):
    case = dispatched_case(org, accept=True)
    at(clock, CONTACT_DUE + dt.timedelta(hours=1))
    services.record_contact(actor=org.handler, case=case, reached=True)  # met after the candidates were read
    assert _send_alert(case, "contact", AlertKind.ESCALATION, CONTACT_DUE) == 0
    assert alerts(case) == set()
    assert not Notification.objects.filter(case_id=case.pk, kind__startswith="deadline_").exists()
