"""The import page: a dispatcher uploads a 12345 export, the worker imports it, the page polls the progress and
shows the result with the rejected rows (downloadable as XLSX); other roles are refused."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from huey.contrib.djhuey import HUEY

from ecohotline.cases.models import Case
from ecohotline.intake import importing, tasks
from ecohotline.intake.models import ImportProfile, ImportRun, ImportStatus
from ecohotline.intake.tests.builders import order_row, realistic_rows, write_csv

pytestmark = pytest.mark.django_db

PAGE = "/intake/import/"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The worker's queue: the runs the page hands over (run one with `tasks.import_uploaded_file`)."""
    calls: list[int] = []
    monkeypatch.setattr(tasks, "import_orders_file", lambda run_id: calls.append(run_id))
    return calls


def upload(client: Any, path: Path, captured: Any, **fields: Any) -> Any:
    with path.open("rb") as handle, captured(execute=True):
        return client.post(PAGE, {"file": handle, **fields})


@pytest.mark.slow
def test_a_dispatcher_imports_a_gbk_export_of_2000_orders_and_sees_the_progress(
    org, client, enqueued, django_capture_on_commit_callbacks, monkeypatch, tmp_path, _media
):
    rows = realistic_rows(2000, seed=7)
    rows[1234]["受理时间"] = "2026-13-45"  # one bad row among them
    path = write_csv(tmp_path / "12345工单导出.csv", rows, encoding="gbk")
    client.force_login(org.dispatcher)
    page = client.get(PAGE)
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.content.decode()
    assert 'href="/intake/import/"' in page.content.decode()  # the dispatcher's menu links to it

    response = upload(client, path, django_capture_on_commit_callbacks)
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response.url == f"/intake/import/{run.pk}/"
    assert run.started_by == org.dispatcher and run.file_name == "12345工单导出.csv" and not run.dry_run
    (run_id,) = enqueued
    stored = run.stored_file
    assert run_id == run.pk and stored.startswith("imports/")
    kept = _media / stored
    assert kept.read_bytes() == path.read_bytes()

    waiting = client.get(response.url).content.decode()
    assert f'hx-get="/intake/import/{run.pk}/progress/"' in waiting and 'hx-trigger="every 1s"' in waiting

    fragments: list[str] = []
    save_progress = importing._Importer._save_progress

    def and_poll(self: Any) -> None:
        save_progress(self)
        fragments.append(client.get(f"/intake/import/{run.pk}/progress/").content.decode())

    monkeypatch.setattr(importing._Importer, "_save_progress", and_poll)
    tasks.import_uploaded_file(run_id)

    assert len(fragments) == 10  # one per batch of 200 rows
    middle = fragments[4]
    assert 'hx-trigger="every 1s"' in middle and "1,000" in middle and "2,000" in middle
    assert 'aria-valuenow="50"' in middle
    assert re.search(r'data-count="created">1,000<', middle)
    done = client.get(f"/intake/import/{run.pk}/progress/").content.decode()
    assert "hx-trigger" not in done  # polling stops
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE and run.rows_total == run.rows_done == 2000
    assert run.rejected == 1 and run.created + run.unchanged == 1999
    assert Case.objects.count() == run.created
    assert re.search(r'data-count="rejected">1<', done) and "2026-13-45" in done
    assert rows[1234]["工单编号"] in done and f'href="/intake/import/{run.pk}/rejections.xlsx"' in done


def test_rejected_rows_download_as_xlsx_with_their_reasons(org, client, enqueued,
                                                          django_capture_on_commit_callbacks, tmp_path):
    rows = [order_row(工单编号="G1"), order_row(工单编号="<script>x</script>", 紧急程度="特急"),
            order_row(工单编号="G3", 经度="abc")]
    client.force_login(org.dispatcher)
    upload(client, write_csv(tmp_path / "orders.csv", rows), django_capture_on_commit_callbacks)
    tasks.import_uploaded_file(enqueued[0])
    run = ImportRun.objects.get()
    html = client.get(f"/intake/import/{run.pk}/").content.decode()
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html

    response = client.get(f"/intake/import/{run.pk}/rejections.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == f'attachment; filename="rejected-rows-{run.pk}.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    table = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert table[0][:4] == ["行号", "列", "原因", "工单编号"]
    assert [line[:4] for line in table[1:]] == [
        [3, "紧急程度", "未知的紧急程度“特急”（可填：紧急、一般、普通、复杂、复杂疑难）", "<script>x</script>"],
        [4, "经度", "不是数字“abc”", "G3"],
    ]


def test_through_the_worker_queue_in_immediate_mode(org, client, django_capture_on_commit_callbacks, monkeypatch,
                                                    tmp_path):
    monkeypatch.setattr(HUEY, "immediate", True)
    ImportProfile.objects.create(name="另一种格式", column_map={"工单编号": "编号"})
    path = write_csv(tmp_path / "orders.csv", [order_row()], headers={"工单编号": "编号"})
    client.force_login(org.admin)
    profile = ImportProfile.objects.get()
    response = upload(client, path, django_capture_on_commit_callbacks, profile=profile.pk, dry_run="on")
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert run.status == ImportStatus.DONE and run.profile == profile and run.dry_run and run.created == 1
    assert Case.objects.count() == 0


def test_a_file_that_cannot_be_read_shows_why(org, client, enqueued, django_capture_on_commit_callbacks, tmp_path):
    path = tmp_path / "orders.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a workbook")
    client.force_login(org.dispatcher)
    upload(client, path, django_capture_on_commit_callbacks)
    tasks.import_uploaded_file(enqueued[0])
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED
    html = client.get(f"/intake/import/{run.pk}/progress/").content.decode()
    assert "XLSX 文件已损坏" in html and "hx-trigger" not in html


def test_only_csv_and_xlsx_are_accepted(org, client, enqueued):
    client.force_login(org.dispatcher)
    response = client.post(PAGE, {"file": SimpleUploadedFile("orders.pdf", b"%PDF-1.7")})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert not ImportRun.objects.exists() and enqueued == []


@pytest.mark.parametrize("role", ["handler", "unit_head", "leader", "analyst", "street_liaison"])
def test_other_roles_are_refused(org, client, role, tmp_path):
    run = ImportRun.objects.create(file_name="x.csv", status=ImportStatus.DONE)
    client.force_login(getattr(org, role))
    for url in (PAGE, f"/intake/import/{run.pk}/", f"/intake/import/{run.pk}/progress/",
                f"/intake/import/{run.pk}/rejections.xlsx", f"/intake/import/{run.pk}/file/"):
        assert client.get(url).status_code == 403, url
    with (tmp_path / "o.csv").open("wb+") as handle:
        handle.write(b"x")
        handle.seek(0)
        assert client.post(PAGE, {"file": handle}).status_code == 403
    assert 'href="/intake/import/"' not in client.get("/cases/").content.decode()


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and response.url.startswith("/login/")
