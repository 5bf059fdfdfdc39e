"""The bulk intake path queues its webhooks in a fixed number of queries per batch, and none without subscribers."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from ecohotline.cases import services
from ecohotline.cases.services import CaseDraft
from ecohotline.hooks.models import WebhookSubscription
from ecohotline.hooks.tests.conftest import NAME, PHONE, beijing
from ecohotline.hooks.webhooks import active_subscriptions
from ecohotline.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db


def intake_batch(org: Any, size: int, start: int) -> tuple[int, int]:
    """Register and triage `size` orders as the intake does; the queries it took and the callbacks it left."""
    drafts = [CaseDraft(channel="hotline_12345", external_id=f"B{start + i}", received_at=beijing(2026, 5, 4, 9, 30),
                        description="油烟扰民", street=org.street, complainant_name=NAME, complainant_phone=PHONE)
              for i in range(size)]
    before = len(connection.run_on_commit)
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        cases = services.create_cases(actor=None, drafts=drafts)
        services.record_triages(results=[(case, {"route": {"unit": None}}, ["repeated"]) for case in cases])
        callbacks = len(connection.run_on_commit) - before
    return len(queries), callbacks


def test_the_bulk_intake_queues_webhooks_in_a_fixed_number_of_queries(org, receiver):
    active_subscriptions()  # cached, as in a running process
    without, _ = intake_batch(org, 50, 0)
    assert not OutboxMessage.objects.exists()

    WebhookSubscription.objects.create(name="全部", url=receiver.url, secret="s", all_events=True)
    WebhookSubscription.objects.create(name="新工单", url=receiver.url, secret="s", events=["created"])
    active_subscriptions()
    small, small_callbacks = intake_batch(org, 10, 100)
    large, large_callbacks = intake_batch(org, 50, 200)
    # Per batch of events (created, then triaged): one bulk insert of the messages (SQLite reserves its ids with
    # two reads first); nothing per order.
    assert large == small <= without + 2 * 3
    assert large_callbacks == small_callbacks == 2  # one delivery task per batch, not one per message
    assert OutboxMessage.objects.filter(event="created").count() == 2 * 60
    assert OutboxMessage.objects.filter(event="triaged").count() == 60
    message = OutboxMessage.objects.filter(event="triaged").first()
    assert message is not None and message.payload["case"]["street"]["name"] == org.street.name
    assert NAME not in str(message.payload) and PHONE not in str(message.payload)


def test_a_batchs_webhooks_are_delivered_once_it_commits(org, receiver, monkeypatch,
                                                         django_capture_on_commit_callbacks):
    from huey.contrib.djhuey import HUEY

    monkeypatch.setattr(HUEY, "immediate", True)
    WebhookSubscription.objects.create(name="全部", url=receiver.url, secret="s", all_events=True)
    drafts = [CaseDraft(channel="hotline_12345", external_id=f"C{i}", received_at=beijing(2026, 5, 4, 9, 30),
                        description="油烟扰民", street=org.street) for i in range(5)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.create_cases(actor=None, drafts=drafts)
    assert len(callbacks) == 1
    assert len(receiver.requests) == 5
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
