"""Who sees the bureau's overview: the KPIs, the dashboard, the ledger and the reports."""

from __future__ import annotations

from typing import Any

from ecohotline.org.models import Role

# The desk's overview roles (a handler sees their own cases on the desk; the figures are the managers').
OVERVIEW_ROLES = (Role.LEADER, Role.ANALYST, Role.DISPATCHER, Role.UNIT_HEAD, Role.ADMIN)


def can_see_overview(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active
                and (user.is_superuser or user.has_role(*OVERVIEW_ROLES)))
