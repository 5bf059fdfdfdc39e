"""The new events are really sent from their places: an unsatisfied return visit (cases), a new monitoring alert
(monitoring's scan), a meeting decision falling due (reports' hourly reminder, once per decision), and the case
events reach the robots of the case's street with the case's facts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
import time_machine
from django.utils import translation

from ecohotline.cases import services as case_services
from ecohotline.cases.models import CaseStatus, Satisfaction
from ecohotline.factories import force_status, make_case
from ecohotline.monitoring.detectors import Series
from ecohotline.monitoring.models import Station
from ecohotline.monitoring.services import scan
from ecohotline.notify.models import EventRoute, GroupRobot, Notification, OutboxMessage, RobotPlatform
from ecohotline.notify.selectors import notification_text
from ecohotline.reports import services as report_services
from ecohotline.reports.models import Meeting
from ecohotline.reports.reminders import remind_due_decisions

pytestmark = pytest.mark.django_db

BEIJING = dt.timezone(dt.timedelta(hours=8))


def street_robot(org: Any, *events: str) -> GroupRobot:
    robot = GroupRobot.objects.create(name="中关村街道三级管家群", platform=RobotPlatform.WECOM,
                                      webhook_url="http://127.0.0.1:9/cgi-bin/webhook/send?key=k")
    robot.units.set([org.street])
    EventRoute.objects.filter(event__in=events).update(unit_robots=True)
    return robot


def replied_case(org: Any) -> Any:
    case = make_case(street=org.street, sub_category="noise.social")
    case = case_services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad, handler=org.handler,
                                       leader=org.leader)
    case = case_services.accept_case(actor=org.handler, case=case)
    case_services.record_contact(actor=org.handler, case=case, reached=True)
    case_services.reply_to_complainant(actor=org.handler, case=case, text="已处理")
    case.refresh_from_db()
    return case


def test_an_unsatisfied_return_visit_tells_the_unit_heads_and_the_leader(org) -> None:
    robot = street_robot(org, "visit_unsatisfied")
    case = replied_case(org)
    case_services.record_return_visit(actor=org.dispatcher, case=case, contacted=True, solved=False,
                                      satisfaction=Satisfaction.DISSATISFIED)
    told = Notification.objects.filter(kind="visit_unsatisfied")
    assert {n.recipient for n in told} == {org.unit_head, org.leader}
    assert {n.case_id for n in told} == {case.pk}
    with translation.override("en"):
        assert notification_text(told[0]) == f"{case.reference}: the complainant was not satisfied at the return visit."
    [post] = OutboxMessage.objects.filter(event="visit_unsatisfied")
    assert post.target_id == robot.pk and case.reference in "".join(post.payload["lines"])
    assert "中关村街道" in "".join(post.payload["lines"])


def test_a_satisfied_visit_or_an_invalid_one_tells_nobody(org) -> None:
    case = replied_case(org)
    case_services.record_return_visit(actor=org.dispatcher, case=case, contacted=True, solved=False,
                                      satisfaction=Satisfaction.DISSATISFIED, valid=False)
    case_services.record_return_visit(actor=org.dispatcher, case=case, contacted=True, solved=True,
                                      satisfaction=Satisfaction.SATISFIED)
    assert not Notification.objects.filter(kind="visit_unsatisfied").exists()


# --- monitoring alerts ------------------------------------------------------------------------------------------

END = dt.datetime(2026, 11, 20, 0, tzinfo=dt.UTC)
HOURS = 35 * 24


def spike_series(code: str) -> dict[tuple[str, str], Series]:
    values = np.round(30.0 + np.random.default_rng(7).normal(0.0, 3.0, HOURS), 1)
    values[HOURS - 10:HOURS - 6] = 250.0
    start = END - dt.timedelta(hours=HOURS)
    return {(code, "pm25"): Series(code, "pm25", start, values)}


def test_a_new_monitoring_alert_tells_the_dispatchers_and_the_streets_robot(org, settings) -> None:
    settings.SITE_URL = "https://hotline.example.gov.cn"
    robot = street_robot(org, "monitoring_alert")
    Station.objects.create(code="s1", name="万柳", latitude=39.987, longitude=116.287, street=org.street)
    with time_machine.travel(END, tick=False):
        result = scan(series=spike_series("s1"))
        assert result.opened
        told = list(Notification.objects.filter(kind="monitoring_alert"))
        assert {n.recipient for n in told} == {org.dispatcher}
        assert len(told) == len(result.opened)
        with translation.override("en"):
            text = notification_text(told[0])
        assert text.startswith("Monitoring alert at 万柳: PM2.5, severity")
        posts = list(OutboxMessage.objects.filter(event="monitoring_alert"))
        assert {p.target_id for p in posts} == {robot.pk} and len(posts) == len(result.opened)
        assert posts[0].payload["link"].startswith("https://hotline.example.gov.cn/monitoring/alerts/")

        # The next hourly scan over the same data raises nothing new and tells nobody again.
        scan(series=spike_series("s1"))
        assert Notification.objects.filter(kind="monitoring_alert").count() == len(told)


def test_a_backfill_of_old_alerts_tells_nobody(org) -> None:
    Station.objects.create(code="s1", name="万柳", street=org.street)
    with time_machine.travel(END + dt.timedelta(days=10), tick=False):
        result = scan(series=spike_series("s1"), start=END - dt.timedelta(days=5), end=END)
    assert result.opened
    assert not Notification.objects.filter(kind="monitoring_alert").exists()


# --- meeting decisions ------------------------------------------------------------------------------------------


def test_a_meeting_decision_falling_due_is_reminded_once(org) -> None:
    robot = street_robot(org, "meeting_decision_due")
    case = make_case(street=org.street, sub_category="noise.social")
    case_services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad, handler=org.handler)
    closed = make_case(street=org.street)
    meeting = Meeting.objects.create(held_on=dt.date(2026, 11, 23), title="周调度会", week_start=dt.date(2026, 11, 16),
                                     week_end=dt.date(2026, 11, 22))
    due = report_services.record_decision(actor=org.leader, meeting=meeting, case=case, text="约谈施工单位",
                                          responsible=org.unit_head, due=dt.date(2026, 11, 26))
    report_services.record_decision(actor=org.leader, meeting=meeting, case=case, text="下周复查",
                                    responsible=org.handler, due=dt.date(2026, 12, 10))
    report_services.record_decision(actor=org.leader, meeting=meeting, case=closed, text="已办结",
                                    responsible=org.handler, due=dt.date(2026, 11, 26))
    force_status(closed, CaseStatus.CLOSED)

    with time_machine.travel(dt.datetime(2026, 11, 24, 9, 0, tzinfo=BEIJING), tick=False):
        assert remind_due_decisions() == 0  # two days before: not yet
    for hour in (9, 10, 11):  # the day before, every hour: once
        with time_machine.travel(dt.datetime(2026, 11, 25, hour, 25, tzinfo=BEIJING), tick=False):
            assert remind_due_decisions() == (1 if hour == 9 else 0)
    with time_machine.travel(dt.datetime(2026, 11, 26, 9, 0, tzinfo=BEIJING), tick=False):
        assert remind_due_decisions() == 0  # the day itself: reminded already

    [told] = Notification.objects.filter(kind="meeting_decision_due")
    assert (told.recipient, told.case_id, told.params["decision_id"]) == (org.unit_head, case.pk, due.pk)
    with translation.override("en"):
        assert notification_text(told) == (
            f"{case.reference}: the meeting's decision “约谈施工单位” is due on 2026-11-26.")
    [post] = OutboxMessage.objects.filter(event="meeting_decision_due")
    assert post.target_id == robot.pk
    assert "约谈施工单位" not in str(post.payload)  # the decision's text is free text: not for the group


def test_case_events_carry_the_cases_facts_to_the_robots(org) -> None:
    street_robot(org, "case_supervised", "case_assigned", "deadline_escalation")
    case = make_case(street=org.street, sub_category="noise.social")
    case_services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad, handler=org.handler)
    case_services.supervise_case(actor=org.leader, case=case, note="三天内办结")
    events = list(OutboxMessage.objects.order_by("pk").values_list("event", flat=True))
    assert events == ["case_assigned", "case_supervised"]
    supervised = OutboxMessage.objects.get(event="case_supervised")
    assert "三天内办结" not in str(supervised.payload)
    assert Notification.objects.filter(kind="case_supervised", params__note="三天内办结").exists()  # in-app keeps it
