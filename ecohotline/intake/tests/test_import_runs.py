"""Import runs: the uploaded file kept on the run and given back only to whom uploaded it (or an admin), the
worker's heartbeat, and runs whose worker died marked failed so that they can be imported again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from huey.contrib.djhuey import HUEY

from ecohotline.cases.models import Case
from ecohotline.core.workdays import BEIJING
from ecohotline.factories import UserFactory
from ecohotline.intake import tasks
from ecohotline.intake.importing import run_import, start_upload
from ecohotline.intake.models import ImportRun, ImportStatus
from ecohotline.intake.tests.builders import order_row, write_csv
from ecohotline.org.models import Role

pytestmark = pytest.mark.django_db

PAGE = "/intake/import/"
NOW = dt.datetime(2026, 5, 4, 10, 0, tzinfo=BEIJING)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    monkeypatch.setattr(tasks, "import_orders_file", lambda run_id: calls.append(run_id))
    return calls


def csv_bytes(tmp_path: Path, rows: list[dict[str, Any]], name: str = "orders.csv") -> bytes:
    return write_csv(tmp_path / name, rows, encoding="gbk").read_bytes()


def uploaded(org: Any, tmp_path: Path, captured: Any, *, name: str = "12345工单.csv", actor: Any = None) -> ImportRun:
    content = csv_bytes(tmp_path, [order_row()])
    with captured(execute=True):
        return start_upload(upload=SimpleUploadedFile(name, content), profile=None, dry_run=False,
                            actor=actor or org.dispatcher)


# --- the file kept on the run ----------------------------------------------------------------------------


def test_the_run_keeps_where_its_file_is_and_the_worker_reads_it_from_there(
    org, client, enqueued, django_capture_on_commit_callbacks, tmp_path, _media
):
    content = csv_bytes(tmp_path, [order_row()])
    client.force_login(org.dispatcher)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(PAGE, {"file": SimpleUploadedFile("12345工单.csv", content)})
    run = ImportRun.objects.get()
    assert enqueued == [run.pk]  # the run id is all the worker is given
    assert run.stored_file.startswith("imports/") and run.stored_file.endswith("-12345工单.csv")
    assert (_media / run.stored_file).read_bytes() == content
    assert run.heartbeat_at is None  # no worker has taken it up yet

    tasks.import_uploaded_file(run.pk)
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE and run.created == 1 and run.heartbeat_at is not None


def test_a_task_queued_the_old_way_with_the_file_name_still_imports(org, monkeypatch, tmp_path, _media):
    monkeypatch.setattr(HUEY, "immediate", True)
    (_media / "imports").mkdir(parents=True)
    write_csv(_media / "imports" / "old.csv", [order_row()])
    run = ImportRun.objects.create(file_name="old.csv", started_by=org.dispatcher)  # recorded without its file
    tasks.import_orders_file(run.pk, "imports/old.csv")
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE and run.created == 1
    assert run.stored_file == "imports/old.csv"  # now it can be downloaded too


def test_whoever_started_the_run_downloads_the_file_as_uploaded(org, client, tmp_path,
                                                               django_capture_on_commit_callbacks, enqueued):
    run = uploaded(org, tmp_path, django_capture_on_commit_callbacks)
    client.force_login(org.dispatcher)
    response = client.get(f"/intake/import/{run.pk}/file/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == (tmp_path / "orders.csv").read_bytes()
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''12345%E5%B7%A5%E5%8D%95.csv"
    assert response["Content-Type"].startswith("text/csv")

    link = f'href="/intake/import/{run.pk}/file/"'
    assert link in client.get(PAGE).content.decode()
    assert link in client.get(f"/intake/import/{run.pk}/").content.decode()


def test_an_admin_downloads_anyones_file(org, client, tmp_path, django_capture_on_commit_callbacks, enqueued):
    run = uploaded(org, tmp_path, django_capture_on_commit_callbacks, name="orders.csv")
    client.force_login(org.admin)
    response = client.get(f"/intake/import/{run.pk}/file/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="orders.csv"'
    assert f'href="/intake/import/{run.pk}/file/"' in client.get(PAGE).content.decode()


def test_another_dispatcher_is_refused_the_file_and_not_offered_it(org, client, tmp_path,
                                                                   django_capture_on_commit_callbacks, enqueued):
    run = uploaded(org, tmp_path, django_capture_on_commit_callbacks)
    colleague = UserFactory(username="dispatcher2", unit=org.bureau, roles=[Role.DISPATCHER])
    client.force_login(colleague)
    assert client.get(f"/intake/import/{run.pk}/file/").status_code == 403
    page = client.get(PAGE).content.decode()
    assert f'href="/intake/import/{run.pk}/"' in page  # the run itself is listed
    assert f'href="/intake/import/{run.pk}/file/"' not in page
    assert "/file/" not in client.get(f"/intake/import/{run.pk}/").content.decode()


def test_whoever_started_the_run_is_refused_once_they_may_no_longer_import(org, client, tmp_path,
                                                                           django_capture_on_commit_callbacks,
                                                                           enqueued):
    run = uploaded(org, tmp_path, django_capture_on_commit_callbacks, actor=org.handler)  # a former dispatcher
    client.force_login(org.handler)
    assert client.get(f"/intake/import/{run.pk}/file/").status_code == 403


def test_anonymous_is_sent_to_log_in_for_the_file(org, client, tmp_path, django_capture_on_commit_callbacks,
                                                  enqueued):
    run = uploaded(org, tmp_path, django_capture_on_commit_callbacks)
    response = client.get(f"/intake/import/{run.pk}/file/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_a_run_without_a_kept_file_has_nothing_to_download(org, client, tmp_path, _media,
                                                           django_capture_on_commit_callbacks, enqueued):
    from_command = ImportRun.objects.create(file_name="orders.csv", started_by=org.dispatcher,
                                            status=ImportStatus.DONE)
    gone = uploaded(org, tmp_path, django_capture_on_commit_callbacks)
    (_media / gone.stored_file).unlink()
    client.force_login(org.dispatcher)
    assert client.get(f"/intake/import/{from_command.pk}/file/").status_code == 404
    assert client.get(f"/intake/import/{gone.pk}/file/").status_code == 404
    assert f'href="/intake/import/{from_command.pk}/file/"' not in client.get(PAGE).content.decode()


# --- heartbeat and runs whose worker died ----------------------------------------------------------------


def test_the_heartbeat_is_set_at_the_start_and_with_every_batch(org, tmp_path):
    rows = [order_row(工单编号=f"H{n}") for n in range(5)]
    beats: list[dt.datetime | None] = []

    def progress(run: ImportRun) -> None:
        beats.append(ImportRun.objects.get(pk=run.pk).heartbeat_at)

    report = run_import(path=write_csv(tmp_path / "orders.csv", rows), batch_size=2, progress=progress)
    assert len(beats) == 1 + 3  # rows counted, then 3 batches
    assert all(beat is not None for beat in beats) and beats == sorted(beats)
    assert report.run.heartbeat_at >= beats[-1]  # and once more when the run is finished


def _run(status: str = ImportStatus.RUNNING, *, started: dt.timedelta, heartbeat: dt.timedelta | None,
         **fields: Any) -> ImportRun:
    run = ImportRun.objects.create(file_name="orders.csv", status=status, **fields)
    ImportRun.objects.filter(pk=run.pk).update(
        started_at=NOW - started, heartbeat_at=None if heartbeat is None else NOW - heartbeat)
    return run


def test_runs_without_progress_for_15_minutes_are_failed():
    silent = _run(started=dt.timedelta(hours=1), heartbeat=dt.timedelta(minutes=15, seconds=1))
    never_taken_up = _run(started=dt.timedelta(minutes=16), heartbeat=None)
    slow = _run(started=dt.timedelta(hours=1), heartbeat=dt.timedelta(minutes=14))
    queued = _run(started=dt.timedelta(minutes=5), heartbeat=None)
    done = _run(ImportStatus.DONE, started=dt.timedelta(days=1), heartbeat=dt.timedelta(days=1))
    failed = _run(ImportStatus.FAILED, started=dt.timedelta(days=1), heartbeat=None, error="文件是空的")

    assert tasks.fail_stale_runs(now=NOW) == 2
    for run in (silent, never_taken_up):
        run.refresh_from_db()
        assert run.status == ImportStatus.FAILED and run.finished_at == NOW
        assert run.error == ("导入中断：工作进程已停止（15 分钟无进展）。"
                             "已导入的批次保留，可重新导入同一文件补齐（不会重复）。")
    for run in (slow, queued):
        run.refresh_from_db()
        assert run.status == ImportStatus.RUNNING and run.finished_at is None and run.error == ""
    done.refresh_from_db()
    failed.refresh_from_db()
    assert (done.status, done.error) == (ImportStatus.DONE, "")
    assert (failed.status, failed.error) == (ImportStatus.FAILED, "文件是空的")
    assert tasks.fail_stale_runs(now=NOW) == 0


def test_the_page_of_a_stale_run_says_it_was_interrupted_and_stops_polling(org, client):
    run = _run(started=dt.timedelta(hours=1), heartbeat=dt.timedelta(minutes=20), rows_total=400, rows_done=200)
    client.force_login(org.dispatcher)
    assert 'hx-trigger="every 1s"' in client.get(f"/intake/import/{run.pk}/progress/").content.decode()
    tasks.fail_stale_runs(now=NOW)
    html = client.get(f"/intake/import/{run.pk}/progress/?lang=en").content.decode()
    assert "hx-trigger" not in html and "工作进程已停止" in html
    assert "The import was interrupted." in html and "The file could not be read." not in html


def test_importing_the_same_file_again_completes_a_stale_run_without_duplicates(org, tmp_path):
    rows = [order_row(工单编号=f"S{n}") for n in range(5)]
    # The worker died after the first two rows' batch: the run stays `running`, its file half imported.
    first = run_import(path=write_csv(tmp_path / "part.csv", rows[:2]), actor=org.dispatcher).run
    ImportRun.objects.filter(pk=first.pk).update(status=ImportStatus.RUNNING, finished_at=None,
                                                 heartbeat_at=NOW - dt.timedelta(minutes=30))
    assert tasks.fail_stale_runs(now=NOW) == 1

    again = run_import(path=write_csv(tmp_path / "orders.csv", rows), actor=org.dispatcher).run
    assert (again.status, again.created, again.unchanged, again.rejected) == (ImportStatus.DONE, 3, 2, 0)
    assert Case.objects.count() == 5


def test_the_worker_looks_for_stale_runs_every_5_minutes():
    def due(minute: int) -> bool:
        return "fail_stale_imports" in {task.name for task in HUEY.read_periodic(dt.datetime(2026, 5, 4, 10, minute))}

    assert due(0) and due(5) and due(55)
    assert not due(7)
