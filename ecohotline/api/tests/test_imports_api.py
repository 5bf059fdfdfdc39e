"""File import of 12345 orders through the API: upload → ImportRun, its progress, its rejections (JSON and XLSX)
and the file as uploaded, with the import page's rules."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from ecohotline.api.tests.test_cases_api import client_for
from ecohotline.cases.models import Case
from ecohotline.factories import UserFactory
from ecohotline.intake import tasks
from ecohotline.intake.models import ImportRun, ImportStatus
from ecohotline.intake.tests.builders import order_row, write_csv
from ecohotline.org.models import Role

pytestmark = pytest.mark.django_db

IMPORTS = "/api/v1/imports"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    monkeypatch.setattr(tasks, "import_orders_file", lambda run_id: calls.append(run_id))
    return calls


def post_file(client: Any, path: Path, captured: Any, **fields: Any) -> Any:
    with path.open("rb") as handle, captured(execute=True):
        return client.post(IMPORTS, {"file": handle, **fields}, format="multipart")


def test_a_dispatcher_uploads_follows_and_reads_the_rejections(org: Any, enqueued: list[int], tmp_path: Path,
                                                               django_capture_on_commit_callbacks: Any) -> None:
    rows = [order_row(工单编号="A1"), order_row(工单编号="A2", 紧急程度="特急"), order_row(工单编号="A3")]
    client = client_for(org.dispatcher)
    response = post_file(client, write_csv(tmp_path / "orders.csv", rows), django_capture_on_commit_callbacks)
    assert response.status_code == 202, response.content
    run_id = response.json()["id"]
    assert response.json()["status"] == ImportStatus.RUNNING and enqueued == [run_id]

    tasks.import_uploaded_file(run_id)
    run = client.get(f"{IMPORTS}/{run_id}").json()
    assert run["status"] == ImportStatus.DONE and run["created"] == 2 and run["rejected"] == 1
    assert run["percent"] == 100 and Case.objects.count() == 2

    rejections = client.get(f"{IMPORTS}/{run_id}/rejections").json()
    assert rejections["count"] == 1 and rejections["results"][0]["values"]["工单编号"] == "A2"
    sheet = client.get(f"{IMPORTS}/{run_id}/rejections.xlsx")
    assert sheet.status_code == 200 and sheet["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert openpyxl.load_workbook(io.BytesIO(sheet.content)).active.max_row == 2
    original = client.get(f"{IMPORTS}/{run_id}/file")
    assert original.status_code == 200
    assert b"".join(original.streaming_content) == (tmp_path / "orders.csv").read_bytes()
    listed = client.get(IMPORTS).json()
    assert [item["id"] for item in listed["results"]] == [run_id]


def test_the_uploaded_file_goes_back_only_to_the_uploader_and_administrators(
        org: Any, enqueued: list[int], tmp_path: Path, django_capture_on_commit_callbacks: Any) -> None:
    response = post_file(client_for(org.dispatcher), write_csv(tmp_path / "o.csv", [order_row()]),
                         django_capture_on_commit_callbacks)
    run_id = response.json()["id"]
    other = UserFactory(username="dispatcher2", unit=org.bureau, roles=[Role.DISPATCHER])
    refused = client_for(other).get(f"{IMPORTS}/{run_id}/file")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert client_for(other).get(f"{IMPORTS}/{run_id}").status_code == 200  # the run itself is shared
    assert client_for(org.admin).get(f"{IMPORTS}/{run_id}/file").status_code == 200


@pytest.mark.parametrize("who", ["handler", "unit_head", "leader", "analyst", "street_liaison"])
def test_other_roles_may_not_import(org: Any, who: str, tmp_path: Path, enqueued: list[int],
                                   django_capture_on_commit_callbacks: Any) -> None:
    client = client_for(getattr(org, who))
    response = post_file(client, write_csv(tmp_path / "o.csv", [order_row()]), django_capture_on_commit_callbacks)
    assert response.status_code == 403 and not ImportRun.objects.exists() and enqueued == []
    assert client.get(IMPORTS).status_code == 403


def test_a_file_that_is_not_csv_or_xlsx_is_a_400(org: Any, tmp_path: Path, enqueued: list[int],
                                                 django_capture_on_commit_callbacks: Any) -> None:
    path = tmp_path / "orders.exe"
    path.write_bytes(b"MZ")
    response = post_file(client_for(org.dispatcher), path, django_capture_on_commit_callbacks)
    assert response.status_code == 400 and "file" in response.json()["errors"]
    assert not ImportRun.objects.exists()
    missing = client_for(org.dispatcher).post(IMPORTS, {}, format="multipart")
    assert missing.status_code == 400 and "file" in missing.json()["errors"]


def test_the_list_of_imports_has_a_flat_query_count(org: Any, django_assert_max_num_queries: Any) -> None:
    for number in range(8):
        ImportRun.objects.create(file_name=f"{number}.csv", started_by=org.dispatcher)
    client = client_for(org.dispatcher)
    with django_assert_max_num_queries(5):
        assert client.get(IMPORTS).json()["count"] == 8
    run = ImportRun.objects.first()
    assert run is not None
    for number in range(8):
        run.rejections.create(row_number=number + 2, column="受理时间", reason="x", values={})
    with django_assert_max_num_queries(6):
        assert client.get(f"{IMPORTS}/{run.pk}/rejections").json()["count"] == 8
