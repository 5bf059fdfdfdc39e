"""The outbox transports of hooks: outgoing webhooks ("webhook") and hotline feedback ("hotline_feedback").

Both sign at sending time, with the target's current secret and URL (an administrator who fixes either and sends the
message again from the outbox admin is heard), over the exact bytes sent: HMAC-SHA256 of
f"{timestamp}.".encode() + body, as `sha256=<hex>` (`intake.push.signature_for`).

- Webhooks: `X-EcoHotline-Event` (the action), `X-EcoHotline-Delivery` (the outbox message id: the same on every
  attempt, for the receiver to drop repeats), `X-EcoHotline-Timestamp` (unix seconds), `X-EcoHotline-Signature`.
  Any 2xx answer acknowledges.
- Hotline feedback: `X-Source` (the source's code), `X-Timestamp`, `X-Signature`, the headers the platform itself
  sends with its pushes. A 2xx answer acknowledges unless its body is a JSON object that says otherwise: a `code`
  other than 0 or 200 (the usual conventions of Chinese government platforms) or an `ok` that is not true.
"""

from __future__ import annotations

import json
import time
from typing import Any

from ecohotline.hooks import feedback, webhooks
from ecohotline.hooks.models import WebhookSubscription
from ecohotline.intake.models import HotlineSource
from ecohotline.intake.push import signature_for
from ecohotline.notify import outbox
from ecohotline.notify.models import OutboxMessage


def encode(payload: Any) -> bytes:
    """The body sent (UTF-8 JSON; the bytes that are signed)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@outbox.register(webhooks.TRANSPORT)
def send_webhook(message: OutboxMessage) -> None:
    subscription = WebhookSubscription.objects.filter(pk=message.target_id or 0).first()
    if subscription is None:
        raise outbox.DeliveryFailed("The webhook subscription was deleted.", permanent=True)
    if not subscription.is_active:
        raise outbox.DeliveryFailed("The webhook subscription is inactive.", permanent=True)
    body = encode(message.payload)
    timestamp = str(int(time.time()))
    outbox.post_json(subscription.url, body, headers={
        "X-EcoHotline-Event": message.event, "X-EcoHotline-Delivery": str(message.pk),
        "X-EcoHotline-Timestamp": timestamp,
        "X-EcoHotline-Signature": signature_for(subscription.secret, timestamp, body),
    })


@outbox.register(feedback.TRANSPORT)
def send_feedback(message: OutboxMessage) -> None:
    source = HotlineSource.objects.filter(pk=message.target_id or 0).first()
    if source is None:
        raise outbox.DeliveryFailed("The hotline source was deleted.", permanent=True)
    if not source.is_active or not source.feedback_url:
        raise outbox.DeliveryFailed("The hotline source is inactive or takes no feedback any more.", permanent=True)
    body = encode(message.payload)
    timestamp = str(int(time.time()))
    _status, answer = outbox.post_json(source.feedback_url, body, headers={
        "X-Source": source.code, "X-Timestamp": timestamp, "X-Signature": signature_for(source.secret, timestamp, body),
    })
    refusal = refusal_in(answer)
    if refusal:
        raise outbox.DeliveryFailed(refusal)


def refusal_in(answer: bytes) -> str:
    """Why a 2xx answer of a hotline platform does not acknowledge the feedback ("" when it does)."""
    try:
        data = json.loads(answer.decode("utf-8-sig")) if answer.strip() else None
    except (UnicodeDecodeError, ValueError):
        return ""  # not JSON: the status acknowledged it
    if not isinstance(data, dict):
        return ""
    if "code" in data and str(data["code"]).strip() not in ("0", "200"):
        return f"Not acknowledged: {answer[:500].decode('utf-8', 'replace')}"
    if "ok" in data and data["ok"] is not True:
        return f"Not acknowledged: {answer[:500].decode('utf-8', 'replace')}"
    return ""
