"""Who may read the knowledge base: every member of staff (anyone holding a role, and superusers)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from ecohotline.org.models import User


def is_staff_member(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or (isinstance(user, User) and user.role_codes))


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Login required (anonymous → login page); then any staff role, else 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_staff_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
