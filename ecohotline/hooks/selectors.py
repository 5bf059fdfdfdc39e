"""Reads of hooks: the messages a case sent to other systems (hotline feedback and webhooks)."""

from __future__ import annotations

from dataclasses import dataclass

from ecohotline.hooks import feedback, webhooks
from ecohotline.hooks.models import WebhookSubscription
from ecohotline.intake.models import HotlineSource
from ecohotline.notify.models import OutboxMessage, OutboxStatus

TRANSPORTS = (feedback.TRANSPORT, webhooks.TRANSPORT)


@dataclass(frozen=True)
class OutgoingMessage:
    message: OutboxMessage
    target: str  # the hotline source's or the subscription's name

    @property
    def is_feedback(self) -> bool:
        return self.message.transport == feedback.TRANSPORT

    @property
    def event_label(self) -> str:
        return str(dict(webhooks.event_choices()).get(self.message.event, self.message.event))

    @property
    def retrying(self) -> bool:
        return self.message.status == OutboxStatus.PENDING and bool(self.message.last_error)


def outgoing_of_case(case_id: int, *, limit: int = 50) -> list[OutgoingMessage]:
    """The latest messages the case sent out, newest first, each with the name of the system it went to (at most
    three queries)."""
    messages = list(OutboxMessage.objects.filter(case_id=case_id, transport__in=TRANSPORTS)
                    .order_by("-created_at", "-pk")[:limit])
    ids = {transport: {m.target_id for m in messages if m.transport == transport} for transport in TRANSPORTS}
    names: dict[tuple[str, int | None], str] = {}
    if ids[feedback.TRANSPORT]:
        names.update(((feedback.TRANSPORT, pk), name) for pk, name in
                     HotlineSource.objects.filter(pk__in=ids[feedback.TRANSPORT]).values_list("pk", "name"))
    if ids[webhooks.TRANSPORT]:
        names.update(((webhooks.TRANSPORT, pk), name) for pk, name in
                     WebhookSubscription.objects.filter(pk__in=ids[webhooks.TRANSPORT]).values_list("pk", "name"))
    return [OutgoingMessage(m, names.get((m.transport, m.target_id), m.address)) for m in messages]
