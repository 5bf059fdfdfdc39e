"""Background jobs of the cases app (run by the huey worker)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from ecohotline.cases.services import send_deadline_alerts


@db_periodic_task(crontab(minute="*"))
def check_deadlines() -> int:
    """Every minute: reminders before deadlines, escalations after them."""
    return send_deadline_alerts()
