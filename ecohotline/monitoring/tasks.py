"""Background jobs of the monitoring app (run by the huey worker)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from ecohotline.monitoring.services import scan


@db_periodic_task(crontab(minute="20"))
def scan_alerts() -> int:
    """Every hour at :20 (after the hourly readings of the hour before are in): run the detectors over the last
    35 days and raise or update the alerts of the last 48 hours; returns how many alerts were opened or updated."""
    result = scan()
    return len(result.opened) + len(result.updated)
