"""Background jobs of intake (run by the huey worker)."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ecohotline.intake.importing import run_import
from ecohotline.intake.models import ImportRun, ImportStatus

logger = logging.getLogger(__name__)

# A run shows progress after every batch (a few seconds each); this long without any, its worker is gone.
STALE_AFTER = dt.timedelta(minutes=15)
STALE_ERROR = "导入中断：工作进程已停止（15 分钟无进展）。已导入的批次保留，可重新导入同一文件补齐（不会重复）。"


def import_uploaded_file(run_id: int, stored_name: str = "") -> None:
    """Import a file uploaded on the import page into its (already created) run, from where the run says the
    file is kept (`stored_name` only for runs recorded before runs kept it)."""
    run = ImportRun.objects.select_related("profile", "started_by").get(pk=run_id)
    if not run.stored_file and stored_name:
        run.stored_file = stored_name
        run.save(update_fields=["stored_file"])
    stored = run.stored_file
    if run.status != ImportStatus.RUNNING or run.finished_at is not None:
        logger.warning("Import run %s was already finished; not importing %s again", run_id, stored)
        return
    run_import(path=default_storage.path(stored), profile=run.profile, actor=run.started_by,
               dry_run=run.dry_run, run=run)


# `stored_name` is still accepted: tasks queued as `import_orders_file(run_id, stored_name)` before the run kept
# its file may still be waiting in the queue when the new code starts.
@db_task()
def import_orders_file(run_id: int, stored_name: str = "") -> None:
    """The worker's side of the import page."""
    import_uploaded_file(run_id, stored_name)


def fail_stale_runs(now: dt.datetime | None = None) -> int:
    """Mark as failed the runs still `running` that have shown no progress for `STALE_AFTER` (their worker
    died, or never took them up); the number marked. What their finished batches wrote stays, and importing
    the same file again completes it without duplicates."""
    now = now or timezone.now()
    limit = now - STALE_AFTER
    silent = Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True, started_at__lt=limit)
    # One conditional UPDATE: a worker finishing the run meanwhile is not overwritten.
    count = ImportRun.objects.filter(silent, status=ImportStatus.RUNNING, finished_at__isnull=True).update(
        status=ImportStatus.FAILED, error=STALE_ERROR, finished_at=now)
    if count:
        logger.warning("Marked %d import run(s) without progress since %s as failed", count, limit.isoformat())
    return count


@db_periodic_task(crontab(minute="*/5"))
def fail_stale_imports() -> int:
    """Every 5 minutes: give up on import runs whose worker stopped."""
    return fail_stale_runs()
