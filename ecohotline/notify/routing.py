"""What leaves the platform for an event, to whom, and in which words.

An event's `EventRoute` says whether the people concerned get it in the app and by e-mail, and which group robots
(群机器人) are told. E-mails and robot posts leave the platform, so they are built from a whitelist of parameters
(reference, category, street, deadline, due time, counts...) and never from free text (a 督办 note, a reason for
a return: people write names and numbers into them), and every text that goes out is scrubbed of anything that
looks like a phone or an ID-card number besides. Complainant details are never among the parameters callers give
(see `cases.services._case_facts`); the whitelist and the scrub are the second and third line of defence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ecohotline.notify import outbox
from ecohotline.notify.models import EventRoute, GroupRobot, NotifyEvent
from ecohotline.notify.selectors import RENDERERS, moment_text
from ecohotline.org.models import User

ROBOT_LANGUAGE = "zh-hans"  # the groups are the bureau's, streets' and city's people: Chinese
# Robot posts lose their point after a day: about 10 hours of attempts (1+5+15+60+180+360 minutes of waits).
ROBOT_MAX_ATTEMPTS = 7
WECOM_MAX_BYTES = 4000  # WeCom refuses markdown content over 4,096 bytes

# The only parameters that may leave the platform. Free text (note, reason, text) never does.
OUTSIDE_PARAMS = frozenset({
    "reference", "category", "category_zh", "category_en", "street", "deadline", "due_at", "due", "days",
    "approved", "observed", "expected", "week_start", "station", "parameter_zh", "parameter_en", "severity",
    "peak_value", "first_at", "alert_id", "link",
})

# Mainland mobiles (+86 optional, spaces or dashes between the groups), landlines with an area code, and
# 18-character resident ID numbers (15-digit old ones too).
_SCRUB_PATTERNS = (
    re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])"),
    re.compile(r"(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])"),
    re.compile(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)"),
    re.compile(r"(?<!\d)0\d{2,3}[ -]?\d{7,8}(?!\d)"),
)
SCRUBBED = "***"


def scrub(text: str) -> str:
    """The text without anything that looks like a phone number or an ID-card number."""
    for pattern in _SCRUB_PATTERNS:
        text = pattern.sub(SCRUBBED, text)
    return text


def _one_line(value: Any) -> str:
    return scrub(" ".join(str(value).split()))


def outside_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters an e-mail or a robot post may carry: whitelisted, texts on one line and scrubbed."""
    safe: dict[str, Any] = {}
    for key, value in params.items():
        if key not in OUTSIDE_PARAMS:
            continue
        safe[key] = _one_line(value) if isinstance(value, str) else value
    return safe


def route_for(kind: str) -> EventRoute | None:
    """The event's route; None (in-app only) for an event without one."""
    return EventRoute.objects.filter(event=kind).prefetch_related("robots").first()


def robots_for(route: EventRoute, unit_ids: Iterable[int | None]) -> list[GroupRobot]:
    """The active robots the route names, and those serving the units concerned when it asks for them."""
    chosen = {robot.pk: robot for robot in route.robots.all() if robot.is_active}
    units = {unit_id for unit_id in unit_ids if unit_id}
    if route.unit_robots and units:
        for robot in GroupRobot.objects.filter(is_active=True, units__in=units).distinct():
            chosen.setdefault(robot.pk, robot)
    return sorted(chosen.values(), key=lambda robot: robot.pk)


def absolute_link(kind: str, case_id: int | None, params: Mapping[str, Any]) -> str:
    """An absolute link to what the event is about (the case, else the caller's `link`); empty without SITE_URL."""
    site = str(getattr(settings, "SITE_URL", "") or "").rstrip("/")
    if not site:
        return ""
    path = ""
    if case_id is not None:
        try:
            path = reverse("ui:case-detail", args=[case_id])
        except NoReverseMatch:  # pragma: no cover - the desk is always installed
            path = ""
    path = path or str(params.get("link") or "")
    return f"{site}{path}" if path.startswith("/") else ""


def event_label(kind: str) -> str:
    return str(NotifyEvent(kind).label) if kind in NotifyEvent.values else kind


def event_text(kind: str, params: Mapping[str, Any]) -> str:
    """What the event says, in the active language (as the in-app notification says it)."""
    renderer = RENDERERS.get(kind)
    if renderer is None:
        reference = params.get("reference")
        return f"{event_label(kind)} · {reference}" if reference else event_label(kind)
    return renderer(params)


def _facts(params: Mapping[str, Any]) -> list[str]:
    zh = (translation.get_language() or ROBOT_LANGUAGE).startswith("zh")
    lines = []
    category = params.get("category_zh" if zh else "category_en") or ""
    if category:
        lines.append(_("Category: %(category)s") % {"category": category})
    if params.get("street"):
        lines.append(_("Street/town: %(street)s") % {"street": params["street"]})
    if params.get("due_at"):
        lines.append(_("Due: %(due)s") % {"due": moment_text(params["due_at"])})
    return lines


def robot_message(kind: str, case_id: int | None, params: Mapping[str, Any]) -> dict[str, Any]:
    """The post for a group robot, in Chinese: a title, lines of text and a link, all from whitelisted
    parameters and scrubbed (the transport lays them out for WeCom or DingTalk)."""
    safe = outside_params(params)
    with translation.override(ROBOT_LANGUAGE):
        title = _("[Complaint hotline] %(event)s") % {"event": event_label(kind)}
        lines = [event_text(kind, safe), *_facts(safe)]
    return {"title": scrub(title), "lines": [scrub(line) for line in lines if line],
            "link": absolute_link(kind, case_id, safe)}


def email_message(user: User, kind: str, case_id: int | None, params: Mapping[str, Any]) -> dict[str, str]:
    """The e-mail to one member of staff, in their language: subject, plain text and HTML. Like the robots'
    posts, only whitelisted parameters: the mail leaves the platform."""
    safe = outside_params(params)
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        label = event_label(kind)
        reference = safe.get("reference")
        subject = (_("%(event)s: %(reference)s") % {"event": label, "reference": reference}) if reference else label
        context = {"user": user, "event": label, "text": event_text(kind, safe), "facts": _facts(safe),
                   "link": absolute_link(kind, case_id, safe), "language": language}
        text = render_to_string("notify/email/notification.txt", context)
        html = render_to_string("notify/email/notification.html", context)
    return {"subject": scrub(" ".join(subject.split()))[:200], "text": scrub(text), "html": scrub(html),
            "language": language}


def masked_url(url: str) -> str:
    """The robot's address without its key or token (the outbox list shows where a post went, not the key)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "…" if parts.query else "", ""))


def queue_outside(*, route: EventRoute, recipients: Iterable[User], kind: str, case_id: int | None,
                  unit_ids: Iterable[int | None], params: Mapping[str, Any]) -> int:
    """Queue the e-mails and robot posts the route asks for, in the caller's transaction; returns how many."""
    queued = 0
    if route.email:
        for user in recipients:
            if not (user.is_active and user.email):
                continue
            outbox.enqueue(transport="email", payload=email_message(user, kind, case_id, params), address=user.email,
                           target_id=user.pk, event=kind, case_id=case_id)
            queued += 1
    robots = robots_for(route, unit_ids)
    if robots:
        message = robot_message(kind, case_id, params)
        for robot in robots:
            outbox.enqueue(transport=robot.platform, payload=message, address=masked_url(robot.webhook_url),
                           target_id=robot.pk, event=kind, case_id=case_id, max_attempts=ROBOT_MAX_ATTEMPTS)
            queued += 1
    return queued


def test_message(*, actor: User) -> dict[str, Any]:
    """A robot's test post: it says who sent it and nothing else."""
    with translation.override(ROBOT_LANGUAGE):
        return {"title": _("[Complaint hotline] Test message"),
                "lines": [_("This group robot is set up: %(name)s sent this test from the administration.") % {
                    "name": scrub(str(actor))}],
                "link": ""}
