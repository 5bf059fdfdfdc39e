"""Reads of notifications, and how each kind is put into words in the reader's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ecohotline.notify.models import Notification
from ecohotline.org.models import User

# The deadline steps the worker reminds about (cases.models.DeadlineKind; notify may not import cases).
# Same words, so the same translations.
DEADLINE_NAMES: dict[str, Promise] = {
    "accept": gettext_lazy("Accept"),
    "contact": gettext_lazy("First contact"),
    "reply": gettext_lazy("Reply"),
    "completion": gettext_lazy("Completion"),
}


def notifications_for(user: User) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def moment_text(value: Any) -> str:
    """An ISO time from the parameters, in local time."""
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "Y-m-d H:i")  # as the desk shows times everywhere


def _deadline(params: Mapping[str, Any]) -> str:
    code = str(params.get("deadline", ""))
    return str(DEADLINE_NAMES.get(code, code))


def _with_note(with_note: str, without: str, params: Mapping[str, Any]) -> str:
    note = str(params.get("note") or "").strip()
    names = {"reference": params.get("reference", ""), "note": note}
    return (with_note if note else without) % names


def _reminder(params: Mapping[str, Any]) -> str:
    return _("%(reference)s: the “%(deadline)s” deadline is due at %(due)s.") % {
        "reference": params.get("reference", ""), "deadline": _deadline(params),
        "due": moment_text(params.get("due_at"))}


def _escalation(params: Mapping[str, Any]) -> str:
    return _("%(reference)s is overdue: the “%(deadline)s” deadline passed at %(due)s.") % {
        "reference": params.get("reference", ""), "deadline": _deadline(params),
        "due": moment_text(params.get("due_at"))}


def _extension_decided(params: Mapping[str, Any]) -> str:
    names = {"reference": params.get("reference", "")}
    if params.get("approved"):
        return _("%(reference)s: the extension is approved.") % names
    return _("%(reference)s: the extension is refused.") % names


def _insight_rise(params: Mapping[str, Any]) -> str:
    zh = (get_language() or "zh-hans").startswith("zh")
    category = params.get("category_zh" if zh else "category_en") or params.get("category", "")
    return _("%(category)s is rising in %(street)s: %(observed)s complaints in the week of %(week)s against "
             "%(expected)s expected.") % {"category": category, "street": params.get("street", ""),
                                         "observed": params.get("observed", ""), "week": params.get("week_start", ""),
                                         "expected": params.get("expected", "")}


def _returned(params: Mapping[str, Any]) -> str:
    # The reason is free text, left out of e-mails and robot posts (notify.routing).
    if not str(params.get("reason") or "").strip():
        return _("%(reference)s was returned.") % {"reference": params.get("reference", "")}
    return _("%(reference)s was returned: %(reason)s") % {
        "reference": params.get("reference", ""), "reason": params.get("reason", "")}


def _visit_unsatisfied(params: Mapping[str, Any]) -> str:
    return _("%(reference)s: the complainant was not satisfied at the return visit.") % {
        "reference": params.get("reference", "")}


SEVERITY_NAMES: dict[str, Promise] = {
    "low": gettext_lazy("Low"), "medium": gettext_lazy("Medium"), "high": gettext_lazy("High")}


def _monitoring_alert(params: Mapping[str, Any]) -> str:
    zh = (get_language() or "zh-hans").startswith("zh")
    parameter = params.get("parameter_zh" if zh else "parameter_en") or ""
    severity = params.get("severity", "")
    return _("Monitoring alert at %(station)s: %(parameter)s, severity %(severity)s, from %(first)s.") % {
        "station": params.get("station", ""), "parameter": parameter,
        "severity": str(SEVERITY_NAMES.get(str(severity), severity)), "first": moment_text(params.get("first_at"))}


def _meeting_decision_due(params: Mapping[str, Any]) -> str:
    names = {"reference": params.get("reference", ""), "due": params.get("due", ""),
             "note": str(params.get("note") or "").strip()}
    if names["note"]:
        return _("%(reference)s: the meeting's decision “%(note)s” is due on %(due)s.") % names
    return _("%(reference)s: the meeting's decision is due on %(due)s.") % names


# kind → the words for it; every message is built at the time it is read, in the reader's language.
RENDERERS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "case_assigned": lambda p: _("%(reference)s is waiting for you.") % {"reference": p.get("reference", "")},
    "case_returned": _returned,
    "case_reopened": lambda p: _("%(reference)s is reopened after the return visit.") % {
        "reference": p.get("reference", "")},
    "case_supervised": lambda p: _with_note(_("%(reference)s is under supervision: %(note)s"),
                                            _("%(reference)s is under supervision."), p),
    "case_reminded": lambda p: _with_note(_("You are reminded to move on %(reference)s: %(note)s"),
                                          _("You are reminded to move on %(reference)s."), p),
    "extension_requested": lambda p: _("%(reference)s: an extension of %(days)s days is requested.") % {
        "reference": p.get("reference", ""), "days": p.get("days", "")},
    "extension_decided": _extension_decided,
    "joint_handling_called": lambda p: _("Your unit is called in on %(reference)s.") % {
        "reference": p.get("reference", "")},
    "joint_reply_received": lambda p: _("A unit called in on %(reference)s has answered.") % {
        "reference": p.get("reference", "")},
    "deadline_reminder": _reminder,
    "deadline_escalation": _escalation,
    "insight_rise": _insight_rise,
    "visit_unsatisfied": _visit_unsatisfied,
    "monitoring_alert": _monitoring_alert,
    "meeting_decision_due": _meeting_decision_due,
}


def notification_text(notification: Notification) -> str:
    """What the notification says, in the active language (plain text: templates escape it)."""
    params = notification.params if isinstance(notification.params, dict) else {}
    renderer = RENDERERS.get(notification.kind)
    if renderer is None:
        reference = params.get("reference")
        return f"{notification.kind} · {reference}" if reference else notification.kind
    return renderer(params)
