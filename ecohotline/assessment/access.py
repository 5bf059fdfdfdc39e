"""Who sees the bureau's overview: the KPIs, the dashboard, the ledger and the reports."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from ecohotline.org.models import Role

# The desk's overview roles (a handler sees their own cases on the desk; the figures are the managers').
OVERVIEW_ROLES = (Role.LEADER, Role.ANALYST, Role.DISPATCHER, Role.UNIT_HEAD, Role.ADMIN)


def can_see_overview(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active
                and (user.is_superuser or user.has_role(*OVERVIEW_ROLES)))


def overview_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in and one of the overview roles; everyone else gets 403 (the overview's pages)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_see_overview(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


class CanSeeOverview(BasePermission):
    """The API's form of `overview_required`."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return can_see_overview(request.user)
