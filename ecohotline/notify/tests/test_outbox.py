"""The outbox: delivered once, retried with growing waits, given up after the last attempt, sent again on demand."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from django.db import connection
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from ecohotline.notify import outbox
from ecohotline.notify.models import OutboxMessage, OutboxStatus

pytestmark = pytest.mark.django_db

SENT: list[dict[str, object]] = []
FAILURES: list[str] = []


@pytest.fixture(autouse=True)
def _test_transport() -> Iterator[None]:
    """A transport that records what it sends and fails while FAILURES holds reasons."""

    def send(message: OutboxMessage) -> None:
        if FAILURES:
            raise outbox.DeliveryFailed(FAILURES.pop(0))
        SENT.append(message.payload)

    outbox.register("test")(send)
    SENT.clear()
    FAILURES.clear()
    yield
    del outbox.TRANSPORTS["test"]


def test_a_message_is_delivered_once_the_change_commits(django_capture_on_commit_callbacks, monkeypatch) -> None:
    monkeypatch.setattr(HUEY, "immediate", True)
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.enqueue(transport="test", payload={"n": 1}, event="case_assigned", case_id=7)
    assert message is not None
    message.refresh_from_db()
    assert (message.status, message.attempts, SENT) == (OutboxStatus.SENT, 1, [{"n": 1}])
    assert message.sent_at is not None
    # Delivered messages are not tried again.
    assert outbox.deliver(message.pk) is False
    assert outbox.deliver_due() == 0
    assert len(SENT) == 1


def test_a_rolled_back_change_sends_nothing(django_capture_on_commit_callbacks) -> None:
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True) as callbacks:
        from django.db import transaction

        with transaction.atomic():
            outbox.enqueue(transport="test", payload={"n": 1})
            raise RuntimeError
    assert callbacks == []
    assert not OutboxMessage.objects.exists()


def test_failures_are_retried_with_growing_waits_then_given_up() -> None:
    message = outbox.enqueue(transport="test", payload={"n": 2}, max_attempts=3)
    assert message is not None
    start = message.next_attempt_at
    FAILURES.extend(["HTTP 500: down", "timeout", "HTTP 502: bad gateway"])

    assert outbox.deliver(message.pk, now=start) is False
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (OutboxStatus.PENDING, 1, "HTTP 500: down")
    assert message.next_attempt_at == start + outbox.BACKOFF[0]
    # Not due yet: nothing is tried.
    assert outbox.deliver_due(now=start + dt.timedelta(seconds=30)) == 0
    assert OutboxMessage.objects.get().attempts == 1

    second = start + outbox.BACKOFF[0]
    assert outbox.deliver_due(now=second) == 0
    message.refresh_from_db()
    assert (message.attempts, message.next_attempt_at) == (2, second + outbox.BACKOFF[1])

    third = second + outbox.BACKOFF[1]
    assert outbox.deliver_due(now=third) == 0
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (OutboxStatus.DEAD, 3, "HTTP 502: bad gateway")
    assert outbox.deliver_due(now=third + dt.timedelta(days=30)) == 0
    assert SENT == []

    # From the dead-letter list, sent again on demand with a fresh count.
    assert outbox.retry(message_ids=[message.pk]) == 1
    assert outbox.deliver_due() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, SENT) == (OutboxStatus.SENT, 1, [{"n": 2}])


def test_a_permanent_failure_is_given_up_at_once() -> None:
    def gone(message: OutboxMessage) -> None:
        raise outbox.DeliveryFailed("the robot was deleted", permanent=True)

    outbox.register("gone")(gone)
    try:
        message = outbox.enqueue(transport="gone", payload={})
        assert message is not None
        outbox.deliver(message.pk)
    finally:
        del outbox.TRANSPORTS["gone"]
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.DEAD, 1)


def test_an_unexpected_error_of_a_transport_is_kept_and_retried() -> None:
    def broken(message: OutboxMessage) -> None:
        raise KeyError("url")

    outbox.register("broken")(broken)
    try:
        message = outbox.enqueue(transport="broken", payload={})
        assert message is not None
        assert outbox.deliver(message.pk) is False
    finally:
        del outbox.TRANSPORTS["broken"]
    message.refresh_from_db()
    assert (message.status, message.last_error) == (OutboxStatus.PENDING, "KeyError: 'url'")


def test_one_event_is_queued_once_by_its_key() -> None:
    first = outbox.enqueue(transport="test", payload={"n": 1}, dedup_key="deadline:1:reply")
    again = outbox.enqueue(transport="test", payload={"n": 1}, dedup_key="deadline:1:reply")
    assert first is not None and again is None
    assert OutboxMessage.objects.count() == 1


def test_an_unknown_transport_is_refused() -> None:
    with pytest.raises(ValueError, match="carrier-pigeon"):
        outbox.enqueue(transport="carrier-pigeon", payload={})


def test_two_workers_never_claim_the_same_attempt() -> None:
    message = outbox.enqueue(transport="test", payload={"n": 3})
    assert message is not None
    now = timezone.now()
    assert outbox._claim(message.pk, now) is not None
    assert outbox._claim(message.pk, now) is None  # the other worker finds it leased
    # A worker killed while sending: after the lease another one takes it over, and sends it once.
    assert outbox.deliver(message.pk, now=now + outbox.LEASE) is True
    assert outbox.deliver(message.pk, now=now + outbox.LEASE) is False
    assert SENT == [{"n": 3}]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads share one in-memory SQLite database")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps what migrations load for later tests
def test_concurrent_workers_send_each_message_exactly_once() -> None:
    for n in range(30):
        outbox.enqueue(transport="test", payload={"n": n})
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            outbox.deliver_due()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(payload["n"] for payload in SENT) == list(range(30))  # type: ignore[type-var]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}
