"""What every page's navigation shows."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ecohotline.org.models import Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    labels = dict(Role.choices)
    return {
        "nav_roles": [labels[code] for code in sorted(user.role_codes) if code in labels],
        "nav_unread": user.notifications.filter(read_at__isnull=True).count(),
    }
