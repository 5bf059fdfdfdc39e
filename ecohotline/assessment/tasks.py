"""Background jobs of the assessment app (run by the huey worker)."""

from __future__ import annotations

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from ecohotline.assessment.ledger import sync_ledger


@db_periodic_task(crontab(minute=f"*/{getattr(settings, 'LEDGER_SYNC_MINUTES', 15)}"))
def sync_ledger_task() -> dict[str, int]:
    """Every quarter of an hour (by default): bring the 台账 up to date and open the pending 回访回溯."""
    return sync_ledger().as_dict()
