"""The outbox: everything the platform sends outside itself (e-mail, group robots, webhooks, feedback to the
hotline) is first written as an `OutboxMessage` in the transaction of the change that caused it, then delivered
by the worker. Nothing is lost when a receiver is down or the worker is killed, and nothing is sent twice by two
workers.

- `enqueue` writes the message (once per `dedup_key`) and asks the worker to try it as soon as the transaction
  commits.
- `deliver` claims one due message with a compare-and-swap update: the attempt counter goes up and the next
  attempt is pushed past the lease, so a second worker finds nothing to claim. A worker killed while sending
  leaves the message pending; it is tried again when the lease has passed (at least once, never two at a time).
- A transport raises `DeliveryFailed` when the receiver did not acknowledge. The message is then tried again after
  `BACKOFF[attempts]`. After `max_attempts` it is given up (status `dead`: the dead-letter list), where `retry`
  puts it back.

Transports are registered by name (`register("email")`) by the app that knows the target (notify for e-mail
and robots, hooks for webhooks and hotline feedback), so that notify imports none of them.
"""

from __future__ import annotations

import datetime as dt
import logging
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from ecohotline.notify.models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

# The wait before attempt n + 1 after n failed attempts (the last wait repeats).
BACKOFF: tuple[dt.timedelta, ...] = tuple(
    dt.timedelta(minutes=minutes) for minutes in (1, 5, 15, 60, 180, 360, 720, 1440))
# How long a claimed message is left to the worker that claimed it before another may try it.
LEASE = dt.timedelta(minutes=5)
HTTP_TIMEOUT_SECONDS = 10
MAX_ERROR_CHARS = 2000

Transport = Callable[[OutboxMessage], None]
TRANSPORTS: dict[str, Transport] = {}


class DeliveryFailed(Exception):
    """The receiver did not take the message. `permanent`: trying again cannot help (the target is gone)."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


def register(name: str) -> Callable[[Transport], Transport]:
    """Register the function that sends the messages of transport `name`."""

    def decorate(function: Transport) -> Transport:
        TRANSPORTS[name] = function
        return function

    return decorate


def enqueue(*, transport: str, payload: Mapping[str, Any], address: str = "", target_id: int | None = None,
            event: str = "", case_id: int | None = None, dedup_key: str | None = None,
            max_attempts: int | None = None) -> OutboxMessage | None:
    """Queue one message in the caller's transaction; the worker tries it once the transaction commits.
    With `dedup_key`, a message already queued under that key is not queued again (None is returned)."""
    if transport not in TRANSPORTS:
        raise ValueError(f"Unknown outbox transport: {transport}")
    fields: dict[str, Any] = {"transport": transport, "payload": dict(payload), "address": address[:500],
                              "target_id": target_id, "event": event, "case_id": case_id, "dedup_key": dedup_key}
    if max_attempts is not None:
        fields["max_attempts"] = max_attempts
    if dedup_key is not None:
        try:
            with transaction.atomic():
                message = OutboxMessage.objects.create(**fields)
        except IntegrityError:
            return None
    else:
        message = OutboxMessage.objects.create(**fields)
    message_id = message.pk
    transaction.on_commit(lambda: _schedule(message_id))
    return message


def _schedule(message_id: int) -> None:
    from ecohotline.notify.tasks import deliver_message  # the task module imports this one

    try:
        deliver_message(message_id)
    except Exception:  # the queue is down: the periodic sweep delivers it
        logger.exception("Could not queue the delivery of outbox message %s", message_id)


def _claim(message_id: int, now: dt.datetime) -> OutboxMessage | None:
    """The message, if it is due and this worker won it (attempts + 1, leased); else None."""
    current = OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.PENDING,
                                           next_attempt_at__lte=now).values_list("attempts", flat=True).first()
    if current is None:
        return None
    won = OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.PENDING, attempts=current,
                                       next_attempt_at__lte=now).update(attempts=current + 1,
                                                                        next_attempt_at=now + LEASE)
    if not won:
        return None
    return OutboxMessage.objects.get(pk=message_id)


def deliver(message_id: int, *, now: dt.datetime | None = None) -> bool:
    """Try one message if it is due and no other worker holds it; True if it was delivered now."""
    now = now or timezone.now()
    message = _claim(message_id, now)
    if message is None:
        return False
    transport = TRANSPORTS.get(message.transport)
    try:
        if transport is None:
            raise DeliveryFailed(f"Unknown transport: {message.transport}", permanent=True)
        transport(message)
    except DeliveryFailed as failure:
        _failed(message, failure.reason, permanent=failure.permanent, now=now)
        return False
    except Exception as exc:  # a bug or an unexpected error of the transport: kept on the message, tried again
        logger.exception("Outbox message %s (%s) failed", message.pk, message.transport)
        _failed(message, f"{type(exc).__name__}: {exc}", permanent=False, now=now)
        return False
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.SENT, sent_at=timezone.now(),
                                                       last_error="")
    return True


def _failed(message: OutboxMessage, reason: str, *, permanent: bool, now: dt.datetime) -> None:
    update: dict[str, Any] = {"last_error": reason[:MAX_ERROR_CHARS]}
    if permanent or message.attempts >= message.max_attempts:
        update["status"] = OutboxStatus.DEAD
        logger.warning("Outbox message %s (%s → %s) given up after %d attempts: %s", message.pk,
                       message.transport, message.address, message.attempts, reason)
    else:
        update["next_attempt_at"] = now + BACKOFF[min(message.attempts, len(BACKOFF)) - 1]
    OutboxMessage.objects.filter(pk=message.pk).update(**update)


def deliver_due(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Try every due message (oldest first, at most `limit`); returns how many were delivered."""
    now = now or timezone.now()
    due = list(OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
               .order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    return sum(deliver(pk, now=now) for pk in due)


@transaction.atomic
def retry(*, message_ids: list[int]) -> int:
    """Put given-up (or pending) messages back to be tried at once, with a fresh count of attempts."""
    chosen = OutboxMessage.objects.filter(pk__in=message_ids).exclude(status=OutboxStatus.SENT)
    ids = list(chosen.values_list("pk", flat=True))
    count = chosen.update(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=timezone.now())
    for message_id in ids:
        transaction.on_commit(lambda message_id=message_id: _schedule(message_id))  # type: ignore[misc]
    return count


def post_json(url: str, body: bytes, *, headers: Mapping[str, str] | None = None,
              timeout: float = HTTP_TIMEOUT_SECONDS) -> tuple[int, bytes]:
    """POST `body` as JSON; the status and the body of a 2xx answer. Anything else raises DeliveryFailed."""
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8",
                                              "User-Agent": "EcoHotline", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # URLs are set by administrators
            return response.status, response.read(1024 * 1024)
    except urllib.error.HTTPError as exc:
        text = exc.read(500).decode("utf-8", "replace")
        raise DeliveryFailed(f"HTTP {exc.code}: {text}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}") from exc
