"""Background jobs of hooks: delivering a batch of queued webhooks (one task per chunk, not one per message)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from ecohotline.notify import outbox


@db_task()
def deliver_messages(message_ids: list[int]) -> int:
    """Try outbox messages queued together (an intake batch's webhooks) once their change has committed."""
    return sum(outbox.deliver(message_id) for message_id in message_ids)
