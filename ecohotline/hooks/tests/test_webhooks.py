"""Outgoing webhooks: the events a subscription asks for are queued with the change, posted signed, retried, and
given up after the last attempt; nothing about the complainant ever leaves."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any

import pytest
import time_machine
from django.db import transaction

from ecohotline.cases import services
from ecohotline.cases.models import CaseEvent
from ecohotline.hooks.models import WebhookSubscription
from ecohotline.hooks.tests.conftest import NAME, PHONE, Receiver, beijing, hotline_order
from ecohotline.hooks.webhooks import active_subscriptions
from ecohotline.notify import outbox
from ecohotline.notify.models import OutboxMessage, OutboxStatus

pytestmark = pytest.mark.django_db

HOOK_SECRET = "the-secret-of-the-city-platform"


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(beijing(2026, 5, 4, 10, 0), tick=False) as traveller:
        yield traveller


def subscribe(receiver: Receiver, *, events: list[str] | None = None, **fields: Any) -> WebhookSubscription:
    return WebhookSubscription.objects.create(name="城市管理平台", url=receiver.url.replace("feedback", "hook"),
                                              secret=HOOK_SECRET, all_events=events is None, events=events or [],
                                              **fields)


def webhooks() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(transport="webhook").order_by("pk"))


def test_a_subscribed_event_is_posted_signed_and_well_formed(org, receiver):
    subscription = subscribe(receiver, events=["dispatch"])
    case = hotline_order(org)
    assert webhooks() == []  # created and triaged: not subscribed
    services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad)
    [message] = webhooks()
    assert (message.event, message.case_id, message.target_id) == ("dispatch", case.pk, subscription.pk)

    assert outbox.deliver_due() == 1
    [request] = receiver.requests
    headers = request.headers
    assert request.path == "/hook"
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert (headers["X-EcoHotline-Event"], headers["X-EcoHotline-Delivery"]) == ("dispatch", str(message.pk))
    assert headers["X-EcoHotline-Timestamp"] == str(int(beijing(2026, 5, 4, 10, 0).timestamp()))
    # What a receiver computes to check it:
    expected = hmac.new(HOOK_SECRET.encode(), headers["X-EcoHotline-Timestamp"].encode() + b"." + request.body,
                        hashlib.sha256).hexdigest()
    assert headers["X-EcoHotline-Signature"] == f"sha256={expected}"

    body = json.loads(request.body)
    event = CaseEvent.objects.get(case=case, action="dispatch")
    case.refresh_from_db()
    local = dt.timezone(dt.timedelta(hours=8))
    assert body == {
        "event_id": event.pk, "action": "dispatch", "at": "2026-05-04T10:00:00+08:00", "from_status": "new",
        "to_status": "dispatched",
        "details": {"unit": org.squad.pk, "handler": None, "leader": org.leader.pk},
        "case": {
            "id": case.pk, "reference": "2026050300001", "order_number": "2026050300001", "kind": "complaint",
            "channel": "hotline_12345", "request_type": "complaint", "urgency": "normal", "status": "dispatched",
            "category": case.category, "sub_category": case.sub_category,
            "received_at": "2026-05-04T09:30:00+08:00",
            "street": {"id": org.street.pk, "code": "zhongguancun", "name": "中关村街道"},
            "unit": {"id": org.squad.pk, "code": "squad-1", "name": "执法一中队"},
            "deadlines": {
                "accept_due_at": case.accept_due_at and case.accept_due_at.astimezone(local).isoformat(),
                "contact_due_at": case.contact_due_at.astimezone(local).isoformat(),
                "reply_due_at": case.reply_due_at.astimezone(local).isoformat(),
                "due_at": case.due_at.astimezone(local).isoformat(),
                "next_due_at": case.next_due_at.astimezone(local).isoformat(),
                "provisional": case.deadline_provisional, "paused": False,
            },
        },
    }
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT


def test_nothing_about_the_complainant_leaves(org, receiver):
    subscribe(receiver)  # all events
    case = hotline_order(org, address=f"{NAME}家楼下", description=f"我是{NAME}，电话{PHONE}，楼下油烟。")
    services.record_triages(results=[(case, {"place": {"address": case.address}, "repeat": {"phone": PHONE}}, [])])
    services.record_order_update(case=case, via="push", changes={
        "complainant_name": {"old": NAME, "new": "李四"}, "complainant_phone": {"old": PHONE, "new": "13900001111"}})
    services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad, note=f"请联系{NAME}")
    services.accept_case(actor=org.handler, case=case)
    services.record_contact(actor=org.handler, case=case, reached=True, summary=f"{NAME}说晚上最吵")
    services.add_note(actor=org.handler, case=case, text=f"{PHONE} 已回电")
    services.reply_to_complainant(actor=org.handler, case=case, text=f"{NAME}您好，已处理。", final=True)

    delivered = outbox.deliver_due()
    assert delivered == len(webhooks()) == CaseEvent.objects.filter(case=case).count() == 8
    everything = b"".join(request.body for request in receiver.requests)
    for secret in (NAME, PHONE, "李四", "13900001111", "联系", "已回电", "您好"):
        assert secret.encode() not in everything
        assert json.dumps(secret).strip('"').encode() not in everything  # nor \\u-escaped
    assert [json.loads(r.body)["action"] for r in receiver.requests] == [
        "created", "triaged", "order_updated", "dispatch", "accept", "record_contact", "add_note", "reply"]


def test_a_failing_endpoint_is_retried_then_given_up(org, receiver):
    receiver.default = (500, b"internal error")
    subscribe(receiver, events=["dispatch"])
    case = hotline_order(org)
    services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad)
    [message] = webhooks()
    now = message.next_attempt_at
    for attempt in range(1, message.max_attempts + 1):
        assert outbox.deliver_due(now=now) == 0
        message.refresh_from_db()
        assert message.attempts == attempt
        if attempt < message.max_attempts:
            assert message.status == OutboxStatus.PENDING
            now = message.next_attempt_at
    assert (message.status, message.last_error) == (OutboxStatus.DEAD, "HTTP 500: internal error")
    assert len(receiver.requests) == message.max_attempts
    assert outbox.deliver_due(now=now + dt.timedelta(days=30)) == 0  # the dead-letter list is not tried
    # Each attempt is the same delivery (same id and body) for the receiver to recognise.
    assert len({(r.headers["X-EcoHotline-Delivery"], r.body) for r in receiver.requests}) == 1


def test_unsubscribed_events_and_inactive_subscriptions_send_nothing(org, receiver):
    subscribe(receiver, events=["reply"])
    subscribe(receiver, is_active=False)
    case = hotline_order(org)
    services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad)
    services.accept_case(actor=org.handler, case=case)
    assert webhooks() == []
    services.reply_to_complainant(actor=org.handler, case=case, text="已处理。", final=True)
    assert [m.event for m in webhooks()] == ["reply"]


def test_a_rolled_back_change_sends_nothing(org, receiver, django_capture_on_commit_callbacks):
    subscribe(receiver)
    case = hotline_order(org)
    before = len(webhooks())
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True) as callbacks, \
            transaction.atomic():
        services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad)
        assert len(webhooks()) == before + 1
        raise RuntimeError("the change fails after the dispatch")
    assert callbacks == []
    assert len(webhooks()) == before


def test_a_new_or_changed_subscription_applies_at_once(org, receiver):
    assert active_subscriptions() == []  # cached: no subscription
    subscription = subscribe(receiver, events=["dispatch"])
    case = hotline_order(org)
    services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad)
    assert len(webhooks()) == 1
    subscription.is_active = False
    subscription.save()
    services.accept_case(actor=org.handler, case=case)
    subscription.delete()
    services.reply_to_complainant(actor=org.handler, case=case, text="已处理。", final=False)
    assert len(webhooks()) == 1


def test_a_deleted_subscription_gives_its_messages_up(org, receiver):
    subscription = subscribe(receiver, events=["dispatch"])
    case = hotline_order(org)
    services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad)
    subscription.delete()
    assert outbox.deliver_due() == 0
    [message] = webhooks()
    assert message.status == OutboxStatus.DEAD and "deleted" in message.last_error
    assert receiver.requests == []
