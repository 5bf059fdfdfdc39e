"""Sending notifications: in the app, by e-mail and to group robots, as each event's route says."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from ecohotline.notify import outbox, routing
from ecohotline.notify.models import GroupRobot, NoticeSent, Notification, OutboxMessage
from ecohotline.org.models import User


@transaction.atomic
def notify_users(*, recipients: Iterable[User], kind: str, case_id: int | None = None,
                 units: Iterable[int | None] = (), **params: Any) -> int:
    """Tell the people concerned of an event, in the caller's transaction: one in-app notification per distinct
    recipient, and the e-mails and group-robot posts the event's route (`EventRoute`) asks for, queued in the
    outbox. `units`: the org units the event concerns (the case's street and handling unit, an alert's street),
    whose robots are told when the route says so. Returns how many in-app notifications were written."""
    seen: set[int] = set()
    people: list[User] = []
    for user in recipients:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        people.append(user)
    route = routing.route_for(kind)
    written = 0
    if route is None or route.in_app:
        Notification.objects.bulk_create(
            [Notification(recipient=user, kind=kind, case_id=case_id, params=params) for user in people])
        written = len(people)
    if route is not None:
        routing.queue_outside(route=route, recipients=people, kind=kind, case_id=case_id, unit_ids=list(units),
                              params=params)
    return written


@transaction.atomic
def notify_once(*, key: str, recipients: Iterable[User], kind: str, case_id: int | None = None,
                units: Iterable[int | None] = (), **params: Any) -> int | None:
    """`notify_users` for a notice that must go out once only (a meeting decision falling due): None, and
    nothing sent, when the notice under `key` was sent already."""
    try:
        with transaction.atomic():
            NoticeSent.objects.create(key=key[:200], kind=kind)
    except IntegrityError:
        return None
    return notify_users(recipients=recipients, kind=kind, case_id=case_id, units=units, **params)


@transaction.atomic
def send_robot_test(*, actor: User, robot: GroupRobot) -> OutboxMessage:
    """Queue a test post to a group robot (admin's “send a test message”), tried once."""
    message = routing.test_message(actor=actor)
    queued = outbox.enqueue(transport=robot.platform, payload=message, address=routing.masked_url(robot.webhook_url),
                            target_id=robot.pk, event="robot_test", max_attempts=1)
    assert queued is not None  # no dedup key: always queued
    return queued


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
