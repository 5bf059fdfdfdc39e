"""Background jobs of notify: delivering the outbox."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ecohotline.notify import outbox


@db_task()
def deliver_message(message_id: int) -> bool:
    """Try one outbox message as soon as the change that queued it commits."""
    return outbox.deliver(message_id)


@db_periodic_task(crontab(minute="*"))
def deliver_outbox() -> int:
    """Every minute: the messages whose next attempt is due (retries, and any a stopped worker left)."""
    return outbox.deliver_due()
