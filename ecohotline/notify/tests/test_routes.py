"""What is sent to whom per event (EventRoute): the defaults, in-app off, e-mail in the recipient's language, the
robots of the street and the robots a route names; notices sent once; everything in the change's transaction."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from ecohotline.cases import services as case_services
from ecohotline.factories import UserFactory, make_case
from ecohotline.notify import outbox
from ecohotline.notify.models import (
    EventRoute,
    GroupRobot,
    Notification,
    NotifyEvent,
    OutboxMessage,
    RobotPlatform,
)
from ecohotline.notify.services import notify_once, notify_users
from ecohotline.org.models import Role

pytestmark = pytest.mark.django_db


def set_route(event: str, **fields: Any) -> EventRoute:
    EventRoute.objects.filter(event=event).update(**fields)
    return EventRoute.objects.get(event=event)


def make_robot(name: str, units: list[Any], *, platform: str = RobotPlatform.WECOM, **fields: Any) -> GroupRobot:
    made = GroupRobot.objects.create(name=name, platform=platform,
                                     webhook_url="http://127.0.0.1:9/cgi-bin/webhook/send?key=k", **fields)
    made.units.set(units)
    return made


def test_every_event_has_a_route_with_the_defaults() -> None:
    routes = {route.event: route for route in EventRoute.objects.prefetch_related("robots")}
    assert set(routes) == set(NotifyEvent.values)
    for route in routes.values():
        assert (route.in_app, route.email, route.unit_robots, list(route.robots.all())) == (True, False, False, [])


def test_by_default_only_in_app_notifications_are_written(org) -> None:
    org.handler.email = "handler@example.gov.cn"
    org.handler.save()
    make_robot("群", [org.street])
    assert notify_users(recipients=[org.handler, org.handler, org.unit_head], kind="case_assigned", case_id=1,
                        units=[org.street.pk], reference="EH-1") == 2
    assert Notification.objects.count() == 2
    assert not OutboxMessage.objects.exists()


def test_a_route_switched_off_queues_nothing(org) -> None:
    org.handler.email = "handler@example.gov.cn"
    org.handler.save()
    set_route("case_assigned", in_app=False, email=False, unit_robots=False)
    make_robot("群", [org.street])
    case = make_case(street=org.street)
    case_services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad, handler=org.handler)
    assert not Notification.objects.filter(kind="case_assigned").exists()
    assert not OutboxMessage.objects.exists()


def test_an_event_without_a_route_stays_in_app() -> None:
    user = UserFactory()
    EventRoute.objects.all().delete()
    assert notify_users(recipients=[user], kind="something_new", reference="EH-9") == 1
    assert not OutboxMessage.objects.exists()


def test_robots_of_the_street_and_unit_and_those_the_route_names(org) -> None:
    street_robot = make_robot("中关村街道群", [org.street])
    unit_robot = make_robot("执法一中队群", [org.squad], platform=RobotPlatform.DINGTALK)
    district_robot = make_robot("区级管家群", [], level="district")
    make_robot("学院路街道群", [org.other_street])
    make_robot("停用的群", [org.street], is_active=False)
    route = set_route("deadline_escalation", unit_robots=True)
    route.robots.add(district_robot, street_robot)

    notify_users(recipients=[org.handler], kind="deadline_escalation", case_id=5,
                 units=[org.street.pk, org.squad.pk, None], reference="EH-5", deadline="reply",
                 due_at="2026-05-20T10:00:00+08:00")

    sent = OutboxMessage.objects.order_by("target_id")
    assert [(m.transport, m.target_id) for m in sent] == [
        ("wecom", street_robot.pk), ("dingtalk", unit_robot.pk), ("wecom", district_robot.pk)]
    assert {m.event for m in sent} == {"deadline_escalation"} and {m.case_id for m in sent} == {5}

    # Without "robots of the street/unit", only the robots the route names.
    OutboxMessage.objects.all().delete()
    set_route("deadline_escalation", unit_robots=False)
    notify_users(recipients=[], kind="deadline_escalation", case_id=5, units=[org.street.pk], reference="EH-5")
    assert sorted(OutboxMessage.objects.values_list("target_id", flat=True)) == sorted(
        [street_robot.pk, district_robot.pk])


def test_e_mails_go_to_each_recipient_in_their_language(org, mailoutbox, settings) -> None:
    settings.SITE_URL = "https://hotline.example.gov.cn"
    set_route("case_assigned", email=True)
    english = UserFactory(username="en-handler", email="en@example.gov.cn", language="en", unit=org.squad,
                          roles=[Role.HANDLER])
    chinese = UserFactory(username="zh-handler", email="zh@example.gov.cn", language="", unit=org.squad,
                          roles=[Role.HANDLER])
    no_mail = UserFactory(username="no-mail", email="", unit=org.squad)
    gone = UserFactory(username="gone", email="gone@example.gov.cn", is_active=False)

    notify_users(recipients=[english, chinese, no_mail, gone], kind="case_assigned", case_id=77,
                 reference="EH-77", street="中关村街道", category_zh="社会生活噪声", category_en="Social noise",
                 note="not for mail")
    messages = list(OutboxMessage.objects.filter(transport="email").order_by("address"))
    assert [m.address for m in messages] == ["en@example.gov.cn", "zh@example.gov.cn"]
    assert all(outbox.deliver(m.pk) for m in messages)

    by_address = {mail.to[0]: mail for mail in mailoutbox}
    en, zh = by_address["en@example.gov.cn"], by_address["zh@example.gov.cn"]
    assert en.subject == "New case for my unit: EH-77"
    assert "EH-77 is waiting for you." in en.body and "Social noise" in en.body
    assert "https://hotline.example.gov.cn/cases/77/" in en.body
    assert "EH-77 等待您办理。" in zh.body and "社会生活噪声" in zh.body
    assert "EH-77" in zh.subject
    for mail in (en, zh):
        html, mimetype = mail.alternatives[0]
        assert mimetype == "text/html" and 'href="https://hotline.example.gov.cn/cases/77/"' in html
        assert "not for mail" not in mail.body + html
        assert mail.from_email == settings.DEFAULT_FROM_EMAIL


def test_notifications_and_outbox_rows_are_written_with_the_change_or_not_at_all(org) -> None:
    set_route("case_assigned", unit_robots=True)
    make_robot("中关村街道群", [org.street])
    case = make_case(street=org.street)
    with pytest.raises(RuntimeError), transaction.atomic():
        case_services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad, handler=org.handler)
        assert Notification.objects.filter(kind="case_assigned").count() == 1  # in the change's transaction
        assert OutboxMessage.objects.count() == 1
        raise RuntimeError
    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_notice_goes_out_once_per_key(org) -> None:
    set_route("meeting_decision_due", unit_robots=True)
    make_robot("中关村街道群", [org.street])
    first = notify_once(key="meeting_decision_due:1:2026-05-20", recipients=[org.handler],
                        kind="meeting_decision_due", case_id=3, units=[org.street.pk], reference="EH-3",
                        due="2026-05-20")
    again = notify_once(key="meeting_decision_due:1:2026-05-20", recipients=[org.handler],
                        kind="meeting_decision_due", case_id=3, units=[org.street.pk], reference="EH-3",
                        due="2026-05-20")
    assert (first, again) == (1, None)
    assert Notification.objects.count() == 1
    assert OutboxMessage.objects.count() == 1


def test_the_admin_lists_and_edits_routes(org, client) -> None:
    org.admin.is_staff = org.admin.is_superuser = True
    org.admin.save()
    client.force_login(org.admin)
    assert client.get(reverse("admin:notify_eventroute_changelist")).status_code == 200
    assert client.get(reverse("admin:notify_grouprobot_add")).status_code == 200
    assert client.get(reverse("admin:notify_grouprobot_changelist")).status_code == 200
    assert client.get(reverse("admin:notify_eventroute_add")).status_code == 403
    route = EventRoute.objects.get(event="monitoring_alert")
    robot = make_robot("区级管家群", [org.street])
    assert client.get(reverse("admin:notify_grouprobot_change", args=[robot.pk])).status_code == 200
    response = client.post(reverse("admin:notify_eventroute_change", args=[route.pk]),
                           {"in_app": "on", "email": "on", "unit_robots": "on", "robots": [robot.pk]})
    assert response.status_code == 302
    route.refresh_from_db()
    assert (route.email, route.unit_robots, list(route.robots.all())) == (True, True, [robot])
