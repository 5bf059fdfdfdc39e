"""Sending notifications."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

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


def mark_read(*, user: User, notification_id: int) -> bool:
    """Mark one of the user's notifications read; False if it is not theirs (or does not exist)."""
    found = Notification.objects.filter(recipient=user, pk=notification_id)
    if not found.exists():
        return False
    found.filter(read_at__isnull=True).update(read_at=timezone.now())
    return True


def mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
