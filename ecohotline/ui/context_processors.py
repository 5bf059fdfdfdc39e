"""What every page's navigation shows."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ecohotline.assessment.access import can_see_overview
from ecohotline.cases.inbox import inbox_total
from ecohotline.notify.selectors import unread_count
from ecohotline.org.models import Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The user's roles, how many cases wait in their inbox and how many notifications are unread: two
    queries (the roles are read once per request and kept on the user; the inbox counts too, so the inbox
    page and its navigation share one query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    labels = dict(Role.choices)
    return {
        "nav_roles": [labels[code] for code in sorted(user.role_codes) if code in labels],
        "nav_inbox": inbox_total(user),
        "nav_unread": unread_count(user),
        "nav_overview": can_see_overview(user),
    }
