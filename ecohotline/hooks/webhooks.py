"""Outgoing webhooks: every case event a subscription asks for is queued in the outbox in the transaction that
appends the event (the transactional outbox), and posted by the worker (`hooks.transports`).

The receiver runs inside every case change, and once for a whole intake batch (`create_cases`, `record_triages`),
so it reads the active subscriptions from the cache (none: no query at all), and queues a batch's messages with one
bulk insert.

What a delivery carries (`event_payload`): the event (id, action, time, status before and after, a few coded
details) and the case as it is after the event (id, reference, kind, channel, status, category, street, handling
unit, deadlines). Never the complainant's name or phone, and no free text (which may name them).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise

from ecohotline.cases.models import Case
from ecohotline.cases.selectors import EVENT_LABELS
from ecohotline.cases.signals import AppendedEvent
from ecohotline.core import bulk
from ecohotline.notify import outbox
from ecohotline.notify.models import OutboxMessage
from ecohotline.org.models import OrgUnit

logger = logging.getLogger(__name__)

TRANSPORT = "webhook"
CACHE_KEY = "hooks:active-subscriptions"
# Another process sees a changed subscription within this time (the one that saved it, at once).
CACHE_SECONDS = 60
# Above this many messages in one signal, they are written with one bulk insert and delivered in chunks.
BULK_FROM = 4
DELIVERY_CHUNK = 50

# Event payload keys passed on as `details` (coded values only: no free text, nothing about the complainant).
DETAIL_KEYS = ("final", "approved", "days", "due_at", "outcome", "satisfaction", "solved", "contacted", "valid",
               "reached", "deadline", "into", "child", "parent", "unit", "handler", "leader", "auto", "via")


def event_choices() -> list[tuple[str, str | Promise]]:
    """Every event action a subscription may ask for, with its label (the timeline's)."""
    return list(EVENT_LABELS.items())


@dataclass(frozen=True)
class ActiveSubscription:
    id: int
    url: str
    all_events: bool
    events: frozenset[str]

    def wants(self, action: str) -> bool:
        return self.all_events or action in self.events


def active_subscriptions() -> list[ActiveSubscription]:
    """The active subscriptions, from the cache (read again at most every `CACHE_SECONDS`)."""
    found: list[ActiveSubscription] | None = cache.get(CACHE_KEY)
    if found is None:
        from ecohotline.hooks.models import WebhookSubscription

        found = [ActiveSubscription(pk, url, all_events, frozenset(events or ()))
                 for pk, url, all_events, events in WebhookSubscription.objects.filter(is_active=True)
                 .order_by("pk").values_list("pk", "url", "all_events", "events")]
        cache.set(CACHE_KEY, found, CACHE_SECONDS)
    return found


def forget_subscriptions(**kwargs: Any) -> None:
    """A subscription changed: read them again (now, and once the change is committed, so that no other request
    caches the old ones in between)."""
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))


def iso_time(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat()
    return value if isinstance(value, str) or value is None else str(value)


def _unit(unit: tuple[int, str, str] | None) -> dict[str, Any] | None:
    return None if unit is None else {"id": unit[0], "code": unit[1], "name": unit[2]}


class UnitNames:
    """The id, code and name of the streets and units of some cases: from the cases' loaded relations, else read
    with one query for all of them."""

    def __init__(self, cases: Iterable[Case]) -> None:
        self.units: dict[int, tuple[int, str, str]] = {}
        missing: set[int] = set()
        for case in cases:
            for name, unit_id in (("street", case.street_id), ("handling_unit", case.handling_unit_id)):
                if unit_id is None or unit_id in self.units:
                    continue
                if case._meta.get_field(name).is_cached(case):  # type: ignore[union-attr]
                    unit: OrgUnit | None = getattr(case, name)
                    if unit is not None:
                        self.units[unit.pk] = (unit.pk, unit.code, unit.name)
                        continue
                missing.add(unit_id)
        missing -= self.units.keys()
        if missing:
            for pk, code, name in OrgUnit.objects.filter(pk__in=missing).values_list("pk", "code", "name"):
                self.units[pk] = (pk, code, name)

    def get(self, unit_id: int | None) -> dict[str, Any] | None:
        return None if unit_id is None else _unit(self.units.get(unit_id))


def case_payload(case: Case, units: UnitNames) -> dict[str, Any]:
    """The case as an outside system may see it (no complainant, no free text)."""
    return {
        "id": case.pk, "reference": case.reference, "order_number": case.external_id, "kind": case.kind,
        "channel": case.channel, "request_type": case.request_type, "urgency": case.urgency, "status": case.status,
        "category": case.category, "sub_category": case.sub_category, "received_at": iso_time(case.received_at),
        "street": units.get(case.street_id), "unit": units.get(case.handling_unit_id),
        "deadlines": {
            "accept_due_at": iso_time(case.accept_due_at), "contact_due_at": iso_time(case.contact_due_at),
            "reply_due_at": iso_time(case.reply_due_at), "due_at": iso_time(case.due_at),
            "next_due_at": iso_time(case.next_due_at), "provisional": case.deadline_provisional,
            "paused": case.paused_at is not None,
        },
    }


def event_payload(event: AppendedEvent, units: UnitNames) -> dict[str, Any]:
    """The body of one delivery of `event` (the same for every subscription and every attempt)."""
    details = {}
    if isinstance(event.payload, dict):
        details = {key: event.payload[key] for key in DETAIL_KEYS
                   if key in event.payload and isinstance(event.payload[key], str | int | float | bool | None)}
    return {"event_id": event.event_id, "action": event.action, "at": iso_time(event.at),
            "from_status": event.from_status, "to_status": event.to_status, "details": details,
            "case": case_payload(event.case, units)}


def queue_webhooks(sender: Any, *, events: Sequence[AppendedEvent], **kwargs: Any) -> None:
    """Receiver of `cases.signals.case_events_appended`: queue a delivery to each active subscription that wants
    the event, in the transaction of the event."""
    subscriptions = active_subscriptions()
    if not subscriptions:
        return
    wanted = [(event, [s for s in subscriptions if s.wants(event.action)]) for event in events]
    wanted = [(event, chosen) for event, chosen in wanted if chosen]
    if not wanted:
        return
    units = UnitNames(event.case for event, _chosen in wanted)
    messages: list[dict[str, Any]] = []
    for event, chosen in wanted:
        payload = event_payload(event, units)
        messages += [{"transport": TRANSPORT, "payload": payload, "address": s.url, "target_id": s.id,
                      "event": event.action, "case_id": event.case.pk} for s in chosen]
    if len(messages) < BULK_FROM:
        for message in messages:
            outbox.enqueue(**message)
        return
    ids = bulk.insert_rows(OutboxMessage, messages)
    transaction.on_commit(lambda: _schedule(ids))


def _schedule(ids: list[int]) -> None:
    from ecohotline.hooks.tasks import deliver_messages

    for start in range(0, len(ids), DELIVERY_CHUNK):
        try:
            deliver_messages(ids[start:start + DELIVERY_CHUNK])
        except Exception:  # the queue is down: the outbox's periodic sweep delivers them
            logger.exception("Could not queue the delivery of %d webhook messages", len(ids))
            return
