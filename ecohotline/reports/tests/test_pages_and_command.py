"""The reports page (who sees it, generate now, the archive), downloads through a login-protected view, the
`ecohotline report` command, and a failed generation leaving nothing behind."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from ecohotline.reports import services
from ecohotline.reports.models import ReportKind, ReportRun

from .conftest import docx_text, workbook_rows

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize("role", ["dispatcher", "leader", "analyst", "unit_head", "admin"])
def test_the_overview_roles_see_the_page(client: Any, org: Any, clock: Any, role: str) -> None:
    client.force_login(getattr(org, role))
    response = client.get(reverse("reports:report-list"))
    assert response.status_code == 200
    assert 'id="generate-form"' in response.content.decode()


@pytest.mark.parametrize("role", ["handler", "street_liaison"])
def test_others_are_refused(client: Any, org: Any, role: str) -> None:
    client.force_login(getattr(org, role))
    assert client.get(reverse("reports:report-list")).status_code == 403
    assert client.post(reverse("reports:generate"), {"kind": "daily", "day": "2026-11-23"}).status_code == 403
    assert not ReportRun.objects.exists()


def test_anonymous_is_sent_to_log_in(client: Any) -> None:
    response = client.get(reverse("reports:report-list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_generate_now_then_download_from_the_archive(client: Any, org: Any, clock: Any) -> None:
    client.force_login(org.analyst)
    response = client.post(reverse("reports:generate"), {"kind": "weekly", "day": "2026-11-18"})
    assert response.status_code == 302
    run = ReportRun.objects.get()
    assert (run.kind, run.period_start, run.period_end, run.generated_by) == (
        ReportKind.WEEKLY, dt.date(2026, 11, 16), dt.date(2026, 11, 22), org.analyst)
    page = client.get(reverse("reports:report-list")).content.decode()
    docx_url, xlsx_url = (reverse("reports:download", args=[run.pk, fmt]) for fmt in ("docx", "xlsx"))
    assert docx_url in page and xlsx_url in page
    download = client.get(docx_url)
    assert download.status_code == 200 and download["Content-Type"] == DOCX
    assert download["Content-Disposition"].startswith("attachment;")
    assert "接诉即办周分析" in docx_text(b"".join(download.streaming_content))
    download = client.get(xlsx_url)
    assert download.status_code == 200 and download["Content-Type"] == XLSX
    assert "主要指标" in workbook_rows(b"".join(download.streaming_content))
    # Generating again adds a version; both stay in the archive.
    client.post(reverse("reports:generate"), {"kind": "weekly", "day": "2026-11-22"})
    assert list(ReportRun.objects.order_by("version").values_list("version", flat=True)) == [1, 2]


def test_downloads_are_for_the_overview_roles_only(client: Any, org: Any, clock: Any) -> None:
    run = services.generate_report(kind=ReportKind.DAILY, day=dt.date(2026, 11, 23), actor=None)
    url = reverse("reports:download", args=[run.pk, "docx"])
    assert client.get(url).status_code == 302  # to log in
    client.force_login(org.handler)
    assert client.get(url).status_code == 403
    client.force_login(org.dispatcher)
    assert client.get(reverse("reports:download", args=[run.pk, "pdf"])).status_code == 404
    assert client.get(reverse("reports:download", args=[run.pk + 1, "docx"])).status_code == 404
    run.docx.storage.delete(run.docx.name)
    assert client.get(url).status_code == 404


def test_a_bad_form_is_shown_again(client: Any, org: Any) -> None:
    client.force_login(org.dispatcher)
    response = client.post(reverse("reports:generate"), {"kind": "yearly", "day": "23/11/2026"})
    assert response.status_code == 400 and not ReportRun.objects.exists()


def test_the_command_writes_the_files_to_out(org: Any, clock: Any, tmp_path: Path, capsys: Any) -> None:
    out = tmp_path / "out"
    call_command("report", "daily", "--date", "2026-11-23", "--out", str(out))
    names = sorted(path.name for path in out.iterdir())
    assert names == ["日调度单_20261123_v1.docx", "日调度单_20261123_v1.xlsx"]
    assert "接诉即办日调度单 2026年11月23日" in docx_text((out / names[0]).read_bytes())
    call_command("report", "monthly", "--date", "2026-11-05", "--out", str(out))
    assert (out / "月总结_20261101-20261130_v1.docx").exists()
    call_command("report", "meeting", "--date", "2026-11-23", "--out", str(out))
    assert (out / "周调度会材料_20261116-20261122_v1.docx").exists()
    assert ReportRun.objects.filter(kind=ReportKind.MEETING, meeting__held_on=dt.date(2026, 11, 23)).exists()


def test_the_command_refuses_an_out_folder_it_cannot_make_before_making_anything(org: Any, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(CommandError, match="--out"):
        call_command("report", "daily", "--date", "2026-11-23", "--out", str(blocker / "out"))
    assert not ReportRun.objects.exists()


@pytest.mark.parametrize("value", ["2026-13-01", "23/11/2026", "yesterday"])
def test_the_command_refuses_a_bad_date(db: None, value: str) -> None:
    with pytest.raises(CommandError) as error:
        call_command("report", "daily", "--date", value)
    assert "YYYY-MM-DD" in str(error.value) and "日期" in str(error.value) and value in str(error.value)


def test_a_failed_generation_leaves_no_row_and_no_file(org: Any, clock: Any, media: Path,
                                                       monkeypatch: Any) -> None:
    def fail(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(ReportRun, "save", fail)
    with pytest.raises(OSError, match="disk full"):
        services.generate_report(kind=ReportKind.DAILY, day=dt.date(2026, 11, 23), actor=None)
    monkeypatch.undo()
    assert not ReportRun.objects.exists()
    assert not [path for path in media.rglob("*") if path.is_file()]
