"""Background jobs of intake (run by the huey worker)."""

from __future__ import annotations

import logging

from django.core.files.storage import default_storage
from huey.contrib.djhuey import db_task

from ecohotline.intake.importing import run_import
from ecohotline.intake.models import ImportRun, ImportStatus

logger = logging.getLogger(__name__)


def import_uploaded_file(run_id: int, stored_name: str) -> None:
    """Import a file uploaded on the import page into its (already created) run."""
    run = ImportRun.objects.select_related("profile", "started_by").get(pk=run_id)
    if run.status != ImportStatus.RUNNING or run.finished_at is not None:
        logger.warning("Import run %s was already finished; not importing %s again", run_id, stored_name)
        return
    run_import(path=default_storage.path(stored_name), profile=run.profile, actor=run.started_by,
               dry_run=run.dry_run, run=run)


@db_task()
def import_orders_file(run_id: int, stored_name: str) -> None:
    """The worker's side of the import page."""
    import_uploaded_file(run_id, stored_name)
