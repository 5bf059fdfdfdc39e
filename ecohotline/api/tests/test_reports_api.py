"""Reports and the weekly dispatch meeting through the API: the archive, generating and downloading documents,
opening a meeting, its pack and its decisions; the overview roles only, meetings run by leaders and dispatchers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from ecohotline.api.tests.test_cases_api import client_for
from ecohotline.assessment import ledger
from ecohotline.cases import services as case_services
from ecohotline.cases.models import CaseEvent
from ecohotline.core.workdays import BEIJING
from ecohotline.factories import make_case
from ecohotline.reports import services
from ecohotline.reports.models import MeetingDecision, ReportKind, ReportRun

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 8, 30, tzinfo=BEIJING)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path, time_machine: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    time_machine.move_to(NOW, tick=False)


def test_an_analyst_generates_lists_and_downloads_a_document(org: Any) -> None:
    client = client_for(org.analyst)
    response = client.post("/api/v1/reports/generate", {"kind": "daily", "day": "2026-11-20"}, format="json")
    assert response.status_code == 201, response.content
    run = response.json()
    assert run["kind"] == ReportKind.DAILY and run["period_start"] == "2026-11-20" and "docx" in run["downloads"]
    listed = client.get("/api/v1/reports?kind=daily").json()
    assert [item["id"] for item in listed["results"]] == [run["id"]]
    download = client.get(run["downloads"]["docx"], HTTP_ACCEPT="application/octet-stream")
    assert download.status_code == 200 and download["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert b"".join(download.streaming_content)[:2] == b"PK"
    assert client.get(f"/api/v1/reports/{run['id']}/pdf").status_code == 404


def test_a_wrong_kind_or_day_is_a_400(org: Any) -> None:
    client = client_for(org.analyst)
    response = client.post("/api/v1/reports/generate", {"kind": "meeting", "day": "x"}, format="json")
    assert response.status_code == 400 and {"kind", "day"} <= set(response.json()["errors"])
    assert not ReportRun.objects.exists()


@pytest.mark.parametrize("role", ["handler", "street_liaison"])
def test_others_may_not_see_or_generate(org: Any, role: str) -> None:
    run = services.generate_report(kind=ReportKind.DAILY, day=dt.date(2026, 11, 20), actor=None)
    client = client_for(getattr(org, role))
    assert client.get("/api/v1/reports").status_code == 403
    assert client.get(f"/api/v1/reports/{run.pk}/docx").status_code == 403
    assert client.post("/api/v1/reports/generate", {"kind": "daily", "day": "2026-11-20"},
                       format="json").status_code == 403
    assert client.get("/api/v1/meetings").status_code == 403


def test_a_leader_runs_the_weekly_meeting(org: Any) -> None:
    case = make_case(street=org.street, title="张三丰反映餐馆油烟", complainant_name="张三丰",
                     complainant_phone="13812345678")
    case_services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad)
    ledger.flag_difficult(actor=org.leader, case=case, reason="反复投诉")
    client = client_for(org.leader)
    opened = client.post("/api/v1/meetings", {"held_on": "2026-11-23"}, format="json")
    assert opened.status_code == 201, opened.content
    meeting = opened.json()
    assert meeting["week_start"] == "2026-11-16" and [item["case"] for item in meeting["agenda"]] == [case.pk]
    assert "张三丰" not in meeting["agenda"][0]["summary"]

    pack = client.post(f"/api/v1/meetings/{meeting['id']}/pack")
    assert pack.status_code == 201 and pack.json()["kind"] == ReportKind.MEETING

    decided = client.post(f"/api/v1/meetings/{meeting['id']}/decisions", {
        "case": case.pk, "text": "联合街道约谈", "responsible": org.handler.pk, "due": "2026-11-30"}, format="json")
    assert decided.status_code == 201, decided.content
    assert MeetingDecision.objects.get().responsible == org.handler
    assert CaseEvent.objects.filter(case=case, action="meeting_decision").exists()
    detail = client.get(f"/api/v1/meetings/{meeting['id']}").json()
    assert detail["agenda"][0]["decisions"][0]["text"] == "联合街道约谈" and len(detail["packs"]) == 1

    other = make_case(street=org.street)
    off_agenda = client.post(f"/api/v1/meetings/{meeting['id']}/decisions", {
        "case": other.pk, "text": "x", "responsible": org.handler.pk, "due": "2026-11-30"}, format="json")
    assert off_agenda.status_code == 404


def test_an_analyst_sees_meetings_but_does_not_run_them(org: Any) -> None:
    meeting = services.open_meeting(held_on=dt.date(2026, 11, 23), actor=org.leader)
    client = client_for(org.analyst)
    assert client.get("/api/v1/meetings").json()["count"] == 1
    assert client.get(f"/api/v1/meetings/{meeting.pk}").json()["may_decide"] is False
    assert client.post("/api/v1/meetings", {"held_on": "2026-11-30"}, format="json").status_code == 403
    assert client.post(f"/api/v1/meetings/{meeting.pk}/pack").status_code == 403


def test_the_archive_has_a_flat_query_count(org: Any, django_assert_max_num_queries: Any) -> None:
    for day in range(16, 21):
        services.generate_report(kind=ReportKind.DAILY, day=dt.date(2026, 11, day), actor=None)
    client = client_for(org.analyst)
    with django_assert_max_num_queries(5):
        assert client.get("/api/v1/reports").json()["count"] == 5
