"""Sending notifications."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from ecohotline.notify.models import Notification
from ecohotline.org.models import User


@transaction.atomic
def notify_users(*, recipients: Iterable[User], kind: str, case_id: int | None = None, **params: Any) -> int:
    """Queue one in-app notification per distinct recipient; returns how many were written."""
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(Notification(recipient=user, kind=kind, case_id=case_id, params=params))
    Notification.objects.bulk_create(rows)
    return len(rows)
