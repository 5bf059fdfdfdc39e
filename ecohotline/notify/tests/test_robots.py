"""Group robots (群机器人): a WeCom and a DingTalk robot on loopback receive correctly formed (and, for DingTalk,
signed) markdown messages about their street's cases; a failing robot is tried again with the outbox's waits and
given up after the last attempt; a robot post never carries a complainant's name or phone."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import time
from typing import Any
from urllib.parse import quote_plus

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from ecohotline.cases import services as case_services
from ecohotline.factories import make_case
from ecohotline.notify import outbox
from ecohotline.notify.models import EventRoute, GroupRobot, OutboxMessage, OutboxStatus, RobotPlatform
from ecohotline.notify.routing import ROBOT_MAX_ATTEMPTS, scrub
from ecohotline.notify.transports import dingtalk_sign, dingtalk_url

pytestmark = pytest.mark.django_db

NAME = "欧阳锋"
PHONE = "13912345678"
SECRET = "SEC0123456789abcdef"


def robot(server: Any, platform: str, units: list[Any], *, secret: str = "", name: str = "中关村街道三级管家群",
          **fields: Any) -> GroupRobot:
    path = "/cgi-bin/webhook/send?key=k-123" if platform == RobotPlatform.WECOM else "/robot/send?access_token=t-1"
    made = GroupRobot.objects.create(name=name, platform=platform, webhook_url=f"{server.url}{path}", secret=secret,
                                     **fields)
    made.units.set(units)
    return made


def route(event: str, **fields: Any) -> EventRoute:
    found = EventRoute.objects.get(event=event)
    for key, value in fields.items():
        setattr(found, key, value)
    found.save()
    return found


def dispatched(org: Any, **fields: Any) -> Any:
    fields.setdefault("street", org.street)
    case = make_case(**fields)
    return case_services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad, handler=org.handler)


def deliver_all(transport: str) -> list[OutboxMessage]:
    messages = list(OutboxMessage.objects.filter(transport=transport).order_by("pk"))
    for message in messages:
        outbox.deliver(message.pk)
        message.refresh_from_db()
    return messages


def test_a_wecom_robot_of_the_street_receives_a_markdown_message(org, robot_server, settings) -> None:
    settings.SITE_URL = "https://hotline.example.gov.cn"
    route("case_assigned", unit_robots=True)
    street_robot = robot(robot_server, RobotPlatform.WECOM, [org.street])
    robot(robot_server, RobotPlatform.WECOM, [org.other_street], name="学院路街道群")

    case = dispatched(org, sub_category="noise.social")
    messages = deliver_all("wecom")

    assert [(m.target_id, m.status, m.event, m.case_id) for m in messages] == [
        (street_robot.pk, OutboxStatus.SENT, "case_assigned", case.pk)]
    assert messages[0].address.endswith("/cgi-bin/webhook/send?…")  # the key is not shown in the outbox list
    [request] = robot_server.received
    assert request.path == "/cgi-bin/webhook/send" and request.query == {"key": ["k-123"]}
    assert request.headers["Content-Type"].startswith("application/json")
    body = request.json
    assert set(body) == {"msgtype", "markdown"} and body["msgtype"] == "markdown"
    content = body["markdown"]["content"]
    assert set(body["markdown"]) == {"content"}
    assert case.reference in content and "中关村街道" in content
    assert "等待您办理" in content  # the robot speaks Chinese
    assert f"(https://hotline.example.gov.cn/cases/{case.pk}/)" in content
    assert len(content.encode()) <= 4096


def test_a_dingtalk_robot_receives_a_signed_markdown_message(org, robot_server) -> None:
    route("deadline_escalation", unit_robots=True)
    route("case_assigned", unit_robots=True)
    ding = robot(robot_server, RobotPlatform.DINGTALK, [org.squad], secret=SECRET)

    before = int(time.time() * 1000)
    case = dispatched(org)
    [message] = deliver_all("dingtalk")
    after = int(time.time() * 1000)

    assert (message.status, message.target_id) == (OutboxStatus.SENT, ding.pk)
    [request] = robot_server.received
    assert request.path == "/robot/send" and request.query["access_token"] == ["t-1"]
    timestamp = int(request.query["timestamp"][0])
    assert before <= timestamp <= after  # signed at sending time, in milliseconds
    expected = base64.b64encode(hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(),
                                         hashlib.sha256).digest()).decode()
    assert request.query["sign"] == [expected]  # parse_qs decoded the URL-encoding
    body = request.json
    assert body["msgtype"] == "markdown" and set(body["markdown"]) == {"title", "text"}
    assert case.reference in body["markdown"]["text"] and body["markdown"]["title"]


def test_dingtalk_signature_and_url() -> None:
    digest = hmac.new(b"SECx", b"1700000000000\nSECx", hashlib.sha256).digest()
    assert dingtalk_sign("SECx", 1_700_000_000_000) == quote_plus(base64.b64encode(digest).decode())
    assert dingtalk_url("https://oapi.dingtalk.com/robot/send?access_token=a", "SECx",
                        timestamp_ms=1_700_000_000_000) == (
        "https://oapi.dingtalk.com/robot/send?access_token=a&timestamp=1700000000000&sign="
        + dingtalk_sign("SECx", 1_700_000_000_000))
    assert dingtalk_url("https://oapi.dingtalk.com/robot/send?access_token=a", "") == (
        "https://oapi.dingtalk.com/robot/send?access_token=a")


@pytest.mark.parametrize("answers", [
    [(500, {"error": "down"})],
    [(200, {"errcode": 310000, "errmsg": "sign not match"})],
], ids=["http-500", "errcode"])
def test_a_failing_robot_is_retried_with_the_backoff_then_given_up(org, robot_server, answers) -> None:
    route("case_assigned", unit_robots=True)
    robot(robot_server, RobotPlatform.DINGTALK, [org.street], secret=SECRET)
    dispatched(org)
    message = OutboxMessage.objects.get(transport="dingtalk")
    assert message.max_attempts == ROBOT_MAX_ATTEMPTS
    robot_server.answers.extend(answers * ROBOT_MAX_ATTEMPTS)

    now = message.next_attempt_at
    for attempt in range(1, ROBOT_MAX_ATTEMPTS + 1):
        assert outbox.deliver_due(now=now) == 0
        message.refresh_from_db()
        assert message.attempts == attempt
        assert message.last_error.startswith("HTTP 500" if answers[0][0] == 500 else "errcode 310000")
        if attempt < ROBOT_MAX_ATTEMPTS:
            assert message.status == OutboxStatus.PENDING
            assert message.next_attempt_at == now + outbox.BACKOFF[attempt - 1]
            assert outbox.deliver_due(now=now + outbox.BACKOFF[attempt - 1] - dt.timedelta(seconds=1)) == 0
            now = message.next_attempt_at
    assert message.status == OutboxStatus.DEAD  # the dead-letter list
    assert len(robot_server.received) == ROBOT_MAX_ATTEMPTS
    assert outbox.deliver_due(now=now + dt.timedelta(days=30)) == 0

    # Sent again from the dead-letter list, it goes through once the robot answers.
    robot_server.answers.clear()
    outbox.retry(message_ids=[message.pk])
    assert outbox.deliver(message.pk) is True


def test_a_switched_off_or_deleted_robot_gives_the_post_up_at_once(org, robot_server) -> None:
    route("case_assigned", unit_robots=True)
    wecom = robot(robot_server, RobotPlatform.WECOM, [org.street])
    ding = robot(robot_server, RobotPlatform.DINGTALK, [org.street])
    dispatched(org)
    GroupRobot.objects.filter(pk=wecom.pk).update(is_active=False)
    ding.delete()
    for message in deliver_all("wecom") + deliver_all("dingtalk"):
        assert (message.status, message.attempts) == (OutboxStatus.DEAD, 1)
    assert robot_server.received == []


def test_robot_posts_and_e_mails_never_carry_the_complainants_details(org, robot_server, mailoutbox) -> None:
    org.handler.email = "handler@example.gov.cn"
    org.handler.save()
    for event in ("case_assigned", "case_supervised", "case_reminded", "case_returned"):
        route(event, unit_robots=True, email=True)
    robot(robot_server, RobotPlatform.WECOM, [org.street])
    robot(robot_server, RobotPlatform.DINGTALK, [org.squad], secret=SECRET)
    case = dispatched(org, complainant_name=NAME, complainant_phone=PHONE, address=f"{NAME}家楼下",
                      description=f"我是{NAME}，电话{PHONE}，楼下餐馆油烟扰民。")
    case_services.supervise_case(actor=org.leader, case=case, note=f"请立即联系{NAME}（{PHONE}）并回复。")
    case_services.remind_case(actor=org.leader, case=case, note=f"{NAME} 又来电 138-0013-8000")

    deliver_all("wecom")
    deliver_all("dingtalk")
    deliver_all("email")
    assert len(robot_server.received) == 6  # 3 events × 2 robots
    assert len(mailoutbox) >= 2
    raw = b"".join(request.body for request in robot_server.received)
    raw += b"".join(mail.message().as_bytes() for mail in mailoutbox)
    raw += "".join(mail.body + mail.alternatives[0][0] for mail in mailoutbox).encode()
    for secret in (NAME, PHONE, "13800138000", "138-0013-8000"):
        assert secret.encode() not in raw
        assert secret.encode("unicode_escape") not in raw
    assert case.reference.encode() in raw


@pytest.mark.parametrize(("text", "expected"), [
    ("请联系 13912345678", "请联系 ***"),
    ("电话+86 139-1234-5678。", "电话***。"),
    ("座机010-62881234或 0755 12345678", "座机***或 ***"),
    ("身份证11010519491231002X", "身份证***"),
    ("老证 110105491231002", "老证 ***"),
    ("EH-42 于 2026-05-20 10:00 到期，共 3 件", "EH-42 于 2026-05-20 10:00 到期，共 3 件"),
])
def test_the_scrub_removes_phone_and_id_numbers(text, expected) -> None:
    assert scrub(text) == expected


def test_the_admin_sends_a_test_message(org, robot_server, client) -> None:
    org.admin.is_staff = org.admin.is_superuser = True
    org.admin.language = "en"
    org.admin.save()
    client.force_login(org.admin)
    good = robot(robot_server, RobotPlatform.WECOM, [org.street])
    bad = robot(robot_server, RobotPlatform.DINGTALK, [org.street], secret=SECRET, name="坏群")
    GroupRobot.objects.filter(pk=bad.pk).update(webhook_url="http://127.0.0.1:9/robot/send?access_token=x")

    response = client.post(reverse("admin:notify_grouprobot_changelist"),
                           {"action": "send_test", "_selected_action": [good.pk, bad.pk]}, follow=True)

    assert response.status_code == 200
    texts = [str(message) for message in get_messages(response.wsgi_request)]
    assert any(str(good) in text and "failed" not in text for text in texts)
    assert any(str(bad) in text and "failed" in text and "URLError" in text for text in texts)
    assert len(robot_server.received) == 1
    assert robot_server.received[0].json["msgtype"] == "markdown"
    assert OutboxMessage.objects.filter(event="robot_test", status=OutboxStatus.SENT).count() == 1
    assert OutboxMessage.objects.filter(event="robot_test", status=OutboxStatus.DEAD).count() == 1
