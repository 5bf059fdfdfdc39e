"""Background jobs of the audit log (run by the huey worker)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from ecohotline.audit.services import purge


@db_periodic_task(crontab(hour="3", minute="30"))
def purge_old_entries() -> int:
    """Every night: remove the entries older than the retention period (`AUDIT_RETENTION_DAYS`, six months at
    least)."""
    return purge()
