"""The outbox transports of notify: e-mail (Django's mail backends) and group robots by webhook — the WeCom
(企业微信) group robot and the DingTalk (钉钉) custom robot, with DingTalk's signed-secret mode.

A robot post is signed at sending time with the robot's current secret, to the robot's current address (the
message keeps the robot's id: an administrator who corrects the address can send given-up posts again). Both
platforms answer HTTP 200 with `{"errcode": 0, ...}` when they took the message; anything else is a failure the
outbox tries again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote_plus

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import translation
from django.utils.translation import gettext as _

from ecohotline.notify import outbox
from ecohotline.notify.models import GroupRobot, OutboxMessage, RobotPlatform
from ecohotline.notify.routing import WECOM_MAX_BYTES


@outbox.register("email")
def send_email(message: OutboxMessage) -> None:
    """One e-mail to one member of staff, through the configured mail backend."""
    payload = message.payload
    mail = EmailMultiAlternatives(subject=str(payload.get("subject", "")), body=str(payload.get("text", "")),
                                  from_email=settings.DEFAULT_FROM_EMAIL, to=[message.address])
    if payload.get("html"):
        mail.attach_alternative(str(payload["html"]), "text/html")
    try:
        mail.send()
    except smtplib.SMTPRecipientsRefused as exc:
        raise outbox.DeliveryFailed(f"recipient refused: {exc.recipients}", permanent=True) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise outbox.DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc


def _robot(message: OutboxMessage, platform: str) -> GroupRobot:
    robot = GroupRobot.objects.filter(pk=message.target_id).first() if message.target_id is not None else None
    if robot is None:
        raise outbox.DeliveryFailed("the group robot was deleted", permanent=True)
    if not robot.is_active and message.event != "robot_test":
        raise outbox.DeliveryFailed("the group robot is switched off", permanent=True)
    if robot.platform != platform:
        raise outbox.DeliveryFailed(f"the robot is now a {robot.platform} robot", permanent=True)
    return robot


def _lines(payload: Mapping[str, Any]) -> tuple[str, list[str], str]:
    lines = [str(line) for line in payload.get("lines", [])]
    return str(payload.get("title", "")), lines, str(payload.get("link", ""))


def _link_line(link: str) -> list[str]:
    if not link:
        return []
    with translation.override("zh-hans"):
        return [f"[{_('View on the platform')}]({link})"]


def wecom_body(payload: Mapping[str, Any]) -> dict[str, Any]:
    """WeCom's markdown message: `{"msgtype": "markdown", "markdown": {"content": ...}}`, at most 4,096 bytes."""
    title, lines, link = _lines(payload)
    content = "\n".join([f"**{title}**", *(f"> {line}" for line in lines), *_link_line(link)])
    encoded = content.encode("utf-8")
    if len(encoded) > WECOM_MAX_BYTES:
        content = encoded[:WECOM_MAX_BYTES].decode("utf-8", "ignore") + "…"
    return {"msgtype": "markdown", "markdown": {"content": content}}


def dingtalk_body(payload: Mapping[str, Any]) -> dict[str, Any]:
    """DingTalk's markdown message: `{"msgtype": "markdown", "markdown": {"title": ..., "text": ...}}`."""
    title, lines, link = _lines(payload)
    text = "\n\n".join([f"#### {title}", *lines, *_link_line(link)])
    return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature: base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")), URL-encoded."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode("ascii"))


def dingtalk_url(url: str, secret: str, *, timestamp_ms: int | None = None) -> str:
    """The webhook address with `&timestamp=…&sign=…` when the robot has a signing secret."""
    if not secret:
        return url
    timestamp_ms = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


def _post(url: str, body: Mapping[str, Any]) -> None:
    _status, answer = outbox.post_json(url, json.dumps(body, ensure_ascii=False).encode("utf-8"))
    try:
        decoded = json.loads(answer.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError) as exc:
        raise outbox.DeliveryFailed(f"not a JSON answer: {answer[:200]!r}") from exc
    errcode = decoded.get("errcode") if isinstance(decoded, dict) else None
    if errcode != 0:
        message = decoded.get("errmsg", "") if isinstance(decoded, dict) else ""
        raise outbox.DeliveryFailed(f"errcode {errcode}: {message}")


@outbox.register(RobotPlatform.WECOM.value)
def send_wecom(message: OutboxMessage) -> None:
    robot = _robot(message, RobotPlatform.WECOM)
    _post(robot.webhook_url, wecom_body(message.payload))


@outbox.register(RobotPlatform.DINGTALK.value)
def send_dingtalk(message: OutboxMessage) -> None:
    robot = _robot(message, RobotPlatform.DINGTALK)
    _post(dingtalk_url(robot.webhook_url, robot.secret), dingtalk_body(message.payload))
