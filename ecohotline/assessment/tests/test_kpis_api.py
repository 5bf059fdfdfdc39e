"""Every figure of November's cohort (worked out by hand in `test_kpis`) as the API, the command's JSON and its
workbook give it, and the command's table laid out in columns with Chinese names."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from ecohotline.assessment.kpis import FIGURE_NAMES
from ecohotline.assessment.management.commands.kpis import width
from ecohotline.assessment.tests.test_kpis import the_november_cohort

pytestmark = pytest.mark.django_db

# November: p, t (merged into p), q and s with the squad; r with the other squad, visited once (不满意, unsolved) and
# reopened. Completed in November: p, t, q, r, all within 7 days of receipt (r: of its 重办 visit).
TOTAL = {
    "assessed": 1, "contacted": 1, "not_contacted": 0, "solved": 0, "unsolved": 1, "satisfied": 0,
    "basically_satisfied": 0, "dissatisfied": 1, "reopened": 1, "completed": 4, "completed_on_time": 4,
    "received": 5, "merged": 1, "contact_due": 5, "contacted_in_time": 2, "contact_timed": 3, "reply_timed": 4,
    "appeals_filed": 0, "appeals_approved": 0,
    "contact_hours_mean": 11.0, "contact_hours_median": 2.0, "reply_hours_mean": 27.75, "reply_hours_median": 27.0,
    "response_rate": 1.0, "resolution_rate": 0.0, "satisfaction_rate": 0.0, "composite": 10.0, "on_time_rate": 1.0,
    "reopen_rate": 1.0, "contact_in_time_rate": 0.4, "duplicate_rate": 0.2, "appeal_approval_rate": None,
}
SQUAD = {
    "assessed": 0, "contacted": 0, "not_contacted": 0, "solved": 0, "unsolved": 0, "satisfied": 0,
    "basically_satisfied": 0, "dissatisfied": 0, "reopened": 0, "completed": 3, "completed_on_time": 3,
    "received": 4, "merged": 1, "contact_due": 4, "contacted_in_time": 1, "contact_timed": 2, "reply_timed": 3,
    "appeals_filed": 0, "appeals_approved": 0,
    "contact_hours_mean": 16.0, "contact_hours_median": 16.0, "reply_hours_mean": 25.0, "reply_hours_median": 24.0,
    "response_rate": None, "resolution_rate": None, "satisfaction_rate": None, "composite": None,
    "on_time_rate": 1.0, "reopen_rate": None, "contact_in_time_rate": 0.25, "duplicate_rate": 0.25,
    "appeal_approval_rate": None,
}
OTHER_SQUAD = {
    "assessed": 1, "contacted": 1, "not_contacted": 0, "solved": 0, "unsolved": 1, "satisfied": 0,
    "basically_satisfied": 0, "dissatisfied": 1, "reopened": 1, "completed": 1, "completed_on_time": 1,
    "received": 1, "merged": 0, "contact_due": 1, "contacted_in_time": 1, "contact_timed": 1, "reply_timed": 1,
    "appeals_filed": 0, "appeals_approved": 0,
    "contact_hours_mean": 1.0, "contact_hours_median": 1.0, "reply_hours_mean": 36.0, "reply_hours_median": 36.0,
    "response_rate": 1.0, "resolution_rate": 0.0, "satisfaction_rate": 0.0, "composite": 10.0, "on_time_rate": 1.0,
    "reopen_rate": 1.0, "contact_in_time_rate": 1.0, "duplicate_rate": 0.0, "appeal_approval_rate": None,
}
NOVEMBER = ["--start", "2026-11-01", "--end", "2026-11-30"]


@pytest.fixture
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def check(found: dict[str, Any], expected: dict[str, Any]) -> None:
    assert set(expected) == set(FIGURE_NAMES)
    for name, value in expected.items():
        assert found[name] == (None if value is None else pytest.approx(value, abs=1e-6)), name


def test_the_api_gives_every_figure(org: Any) -> None:
    from rest_framework.test import APIClient

    the_november_cohort(org)
    api = APIClient()
    api.force_authenticate(org.analyst)
    body = api.get("/api/v1/assessment/kpis", {"start": "2026-11-01", "end": "2026-11-30", "group_by": "unit"}).json()
    check(body["total"], TOTAL)
    groups = {group["group"]: group for group in body["groups"]}
    check(groups[org.squad.pk], SQUAD)
    check(groups[org.other_squad.pk], OTHER_SQUAD)
    assert groups[org.squad.pk]["name"] == org.squad.name


def test_the_command_writes_every_figure_to_json_and_xlsx(org: Any, tmp_path: Any) -> None:
    from openpyxl import load_workbook

    the_november_cohort(org)
    out = io.StringIO()
    call_command("kpis", *NOVEMBER, "--format", "json", stdout=out)
    check(json.loads(out.getvalue())["total"], TOTAL)
    xlsx = tmp_path / "kpis.xlsx"
    call_command("kpis", *NOVEMBER, "--group-by", "unit", "--format", "xlsx", "--out", str(xlsx),
                 stdout=io.StringIO())
    header, *rows = load_workbook(xlsx).active.iter_rows(values_only=True)
    assert list(header[1:]) == list(FIGURE_NAMES)
    by_name = {row[0]: dict(zip(FIGURE_NAMES, row[1:], strict=True)) for row in rows}
    bureau = rows[0][0]                        # the bureau comes first, then the units
    assert set(by_name) == {bureau, org.squad.name, org.other_squad.name}
    check(by_name[bureau], TOTAL)
    check(by_name[org.squad.name], SQUAD)
    check(by_name[org.other_squad.name], OTHER_SQUAD)


def test_the_table_lines_up_chinese_names_and_shows_the_counts(org: Any, english: None) -> None:
    the_november_cohort(org)
    out = io.StringIO()
    call_command("kpis", *NOVEMBER, "--group-by", "unit", stdout=out)
    lines = out.getvalue().splitlines()
    rates = lines[2:6]                         # header, the bureau, 执法一中队, 执法二中队
    assert rates[1].startswith("Whole bureau") and {line.split()[0] for line in rates[2:]} == {
        org.squad.name, org.other_squad.name}
    # Right-aligned columns end at the same place on every line, counting a Chinese character as two columns.
    assert len({width(line) for line in rates}) == 1
    other = lines[8:12]
    assert len({width(line) for line in other}) == 1
    assert "2/5 40.00%" in other[1]            # contacted in time / contact due
    assert "1/5 20.00%" in other[1]            # duplicates / received
    assert "11.0 / 2.0" in other[1] and "27.8 / 27.0" in other[1]      # hours: mean / median
    assert width("执法一中队") == 10 and width("Bureau") == 6


def test_the_command_errors_go_through_gettext(org: Any, english: None) -> None:
    with pytest.raises(CommandError, match="--end must be on or after --start"):
        call_command("kpis", "--start", "2026-11-30", "--end", "2026-11-01")
    with pytest.raises(CommandError, match="--format xlsx needs --out"):
        call_command("kpis", *NOVEMBER, "--format", "xlsx")
