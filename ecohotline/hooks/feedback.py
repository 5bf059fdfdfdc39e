"""Hotline feedback (办理结果反馈): what the bureau did with an order of a hotline platform goes back to that
platform, through the outbox, signed like the platform's own pushes (`intake.push.signature_for`).

Which events: a reply (interim and final), a return (退单), an extension request and its decision (延期), an appeal
and its decision (申诉). Which cases: those whose order came from a channel (`OrderRecord.channel`) that an active
`HotlineSource` with a feedback URL serves. The message is queued in the transaction of the change and tried until
the platform acknowledges it (`transports.acknowledged`), `MAX_ATTEMPTS` times over about two weeks; a failure shows
on the case page and in the outbox admin, where it can be sent again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction

from ecohotline.cases.models import Appeal, Reply
from ecohotline.cases.signals import AppendedEvent
from ecohotline.hooks.webhooks import UnitNames, iso_time
from ecohotline.intake.models import HotlineSource, OrderRecord
from ecohotline.notify import outbox

TRANSPORT = "hotline_feedback"
FEEDBACK_ACTIONS = frozenset({"reply", "return_order", "request_extension", "decide_extension", "file_appeal",
                              "decide_appeal"})
# With the outbox's waits (1 min … 1 day, then daily) 20 attempts span about two weeks.
MAX_ATTEMPTS = 20
CACHE_KEY = "hooks:feedback-sources"
CACHE_SECONDS = 60


@dataclass(frozen=True)
class FeedbackSource:
    id: int
    code: str
    channel: str
    url: str


def feedback_sources() -> list[FeedbackSource]:
    """The active sources that take feedback, from the cache."""
    found: list[FeedbackSource] | None = cache.get(CACHE_KEY)
    if found is None:
        found = [FeedbackSource(*row) for row in HotlineSource.objects.filter(is_active=True).exclude(feedback_url="")
                 .order_by("pk").values_list("pk", "code", "channel", "feedback_url")]
        cache.set(CACHE_KEY, found, CACHE_SECONDS)
    return found


def forget_sources(**kwargs: Any) -> None:
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))


def feedback_payload(event: AppendedEvent, order_number: str) -> dict[str, Any]:
    """What the platform is told about one event of its order."""
    case = event.case
    payload: dict[str, Any] = event.payload if isinstance(event.payload, dict) else {}
    body: dict[str, Any] = {
        "order_number": order_number, "action": event.action, "event_id": event.event_id, "at": iso_time(event.at),
        "status": event.to_status, "unit": UnitNames([case]).get(case.handling_unit_id),
        "due_at": iso_time(case.due_at),
    }
    if event.action == "reply":
        text, final = Reply.objects.values_list("text", "final").get(pk=payload["reply"])
        body.update(final=final, text=text)
    elif event.action == "return_order":
        body.update(text=payload.get("reason", ""))
    elif event.action == "request_extension":
        body.update(days=payload.get("days"), text=payload.get("reason", ""))
    elif event.action == "decide_extension":
        body.update(approved=payload.get("approved"), text=payload.get("note", ""))
    elif event.action == "file_appeal":
        reason, evidence = Appeal.objects.values_list("reason", "evidence").get(pk=payload["appeal"])
        body.update(reason=reason, text=evidence)
    elif event.action == "decide_appeal":
        body.update(approved=payload.get("approved"), text=payload.get("note", ""))
    return body


def queue_feedback(sender: Any, *, events: Sequence[AppendedEvent], **kwargs: Any) -> None:
    """Receiver of `cases.signals.case_events_appended`: queue the feedback of each event a hotline platform
    takes back, in the transaction of the event. Costs nothing for other events (the bulk intake's)."""
    relevant = [event for event in events if event.action in FEEDBACK_ACTIONS]
    if not relevant:
        return
    sources = feedback_sources()
    if not sources:
        return
    for event in relevant:
        record = OrderRecord.objects.filter(case_id=event.case.pk).values_list("channel", "external_id").first()
        if record is None:
            continue
        channel, order_number = record
        chosen = [source for source in sources if source.channel == channel]
        if not chosen:
            continue
        payload = feedback_payload(event, order_number)
        for source in chosen:
            outbox.enqueue(transport=TRANSPORT, payload=payload, address=source.url, target_id=source.id,
                           event=event.action, case_id=event.case.pk, max_attempts=MAX_ATTEMPTS,
                           dedup_key=f"{TRANSPORT}:{source.id}:{event.event_id}")
