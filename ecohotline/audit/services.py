"""Writing to the audit log. `record` is what the rest of the platform calls (an export, a view of a complainant's
identity); the receivers in `audit.receivers` record sign-ins, role and account changes and the admin's changes."""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from ecohotline.audit.models import AuditEvent
from ecohotline.core.ratelimit import client_ip
from ecohotline.org.models import User

# The law asks for six months at least (网络安全法 第二十一条: 网络日志留存不少于六个月).
MIN_RETENTION_DAYS = 183


_request: ContextVar[HttpRequest | None] = ContextVar("ecohotline_audit_request", default=None)


class RequestMiddleware:
    """Keeps the request at hand, so that entries recorded by signal receivers (a role granted in the admin) name
    who did it and from where."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def record(kind: str, *, actor: Any = None, request: HttpRequest | None = None, target: str = "",
           **detail: Any) -> AuditEvent:
    """Add an entry. `actor`: the user (by default the request's); `request`: for the address (by default the
    request being served, if any)."""
    request = request or _request.get()
    if actor is None and request is not None and kind != "login_failed":
        actor = getattr(request, "user", None)
    user = actor if isinstance(actor, User) and actor.pk is not None else None
    return AuditEvent.objects.create(
        kind=kind, actor=user, actor_name=(user.get_username() if user else str(detail.pop("username", "")))[:150],
        ip=_address(request), target=target[:200], detail=detail)


def _address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    try:
        return str(ipaddress.ip_address(client_ip(request)))
    except ValueError:  # no address (a test client, a socket) or a malformed forwarded one
        return None


def retention_days() -> int:
    return max(int(settings.AUDIT_RETENTION_DAYS), MIN_RETENTION_DAYS)


def purge(now: dt.datetime | None = None) -> int:
    """Remove the entries older than the retention period; how many."""
    return AuditEvent.objects.purge((now or timezone.now()) - dt.timedelta(days=retention_days()))
