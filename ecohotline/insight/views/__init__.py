"""Insight pages (分析研判): one module per topic, each with its page routes and API routes."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from ecohotline.assessment.access import can_see_overview


def insight_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in and one of the overview roles (leaders, analysts, dispatchers, unit heads, admins); else 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_see_overview(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


class CanSeeInsight(BasePermission):
    """The API's form of `insight_required`."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return can_see_overview(request.user)
