"""The desk's exports through the API: the case list as CSV and XLSX (the same filters, visibility and masking as
`GET /api/v1/cases` and the desk's export) and the ledger as XLSX (the overview roles)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from ecohotline.api.tests.test_cases_api import client_for, squad_case
from ecohotline.assessment.ledger import sync_ledger
from ecohotline.cases.models import Case, CaseStatus
from ecohotline.factories import make_case

pytestmark = pytest.mark.django_db


def _csv_rows(response: Any) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_csv_export_filters_like_the_list_and_masks_the_complainant(org: Any) -> None:
    shown = squad_case(org, title="=HYPERLINK(\"x\")")
    squad_case(org, status=CaseStatus.NEW)
    elsewhere = make_case(street=org.other_street, complainant_name="李四", complainant_phone="13900001111")
    # the dispatcher sees everyone; the street's liaison sees the street's cases, complainants masked
    dispatcher = client_for(org.dispatcher).get("/api/v1/cases/export.csv", {"status": "in_progress"})
    assert dispatcher.status_code == 200 and dispatcher["Content-Type"].startswith("text/csv")
    rows = _csv_rows(dispatcher)
    assert len(rows) == 2 and "13812345678" in rows[1] and "张三丰" in rows[1]
    assert "'=HYPERLINK(\"x\")" in rows[1]  # a formula is written as text
    liaison = _csv_rows(client_for(org.street_liaison).get("/api/v1/cases/export.csv"))
    assert len(liaison) == 3 and all("13812345678" not in cell and "张三丰" not in cell
                                     for row in liaison for cell in row)
    assert not any(elsewhere.reference in row for row in liaison)
    assert shown.reference in {row[0] for row in liaison}


def test_the_xlsx_export_gives_the_same_rows(org: Any) -> None:
    squad_case(org)
    squad_case(org)
    response = client_for(org.handler).get("/api/v1/cases/export.xlsx", {"sort": "deadline"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3 and "13812345678" in rows[1]  # the handler's unit handles them: visible


@pytest.mark.parametrize("query", [{"status": "nope"}, {"street": "999999"}, {"received_from": "yesterday"},
                                   {"sort": "sideways"}])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_bad_filter_is_a_400_not_an_unfiltered_file(org: Any, query: dict[str, str], fmt: str) -> None:
    squad_case(org)
    response = client_for(org.dispatcher).get(f"/api/v1/cases/export.{fmt}", query)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and set(response.json()["errors"]) == set(query)


def test_a_stranger_exports_nothing(org: Any) -> None:
    squad_case(org)
    rows = _csv_rows(client_for(org.other_handler).get("/api/v1/cases/export.csv"))
    assert len(rows) == 1  # the header only


def test_the_case_export_query_count_does_not_grow_with_the_cases(org: Any,
                                                                  django_assert_max_num_queries: Any) -> None:
    for _ in range(3):
        squad_case(org)
    client = client_for(org.street_liaison)
    with CaptureQueriesContext(connection) as few:
        assert len(_csv_rows(client.get("/api/v1/cases/export.csv"))) == 4
    for _ in range(20):
        squad_case(org)
    with django_assert_max_num_queries(len(few)):
        assert len(_csv_rows(client.get("/api/v1/cases/export.csv"))) == 24


@pytest.fixture
def ledger_entry(org: Any) -> Case:
    case = squad_case(org, title="张三丰 13812345678 反映噪声")
    Case.objects.filter(pk=case.pk).update(received_at=timezone.now() - dt.timedelta(days=60))
    sync_ledger()
    return case


def test_the_ledger_export_for_the_overview_roles(org: Any, ledger_entry: Case) -> None:
    response = client_for(org.leader).get("/api/v1/ledger/export.xlsx", {"reason": "unresolved"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == ledger_entry.reference
    assert not any("13812345678" in str(cell) or "张三丰" in str(cell) for row in rows for cell in row)
    other = client_for(org.leader).get("/api/v1/ledger/export.xlsx", {"unit": org.other_squad.pk})
    assert len(list(load_workbook(io.BytesIO(other.content)).active.iter_rows())) == 1


def test_the_ledger_export_refuses_others_and_bad_filters(org: Any, ledger_entry: Case) -> None:
    refused = client_for(org.handler).get("/api/v1/ledger/export.xlsx")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    bad = client_for(org.leader).get("/api/v1/ledger/export.xlsx", {"reason": "nope", "leader": "x"})
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"reason", "leader"}


def test_the_export_works_with_a_token_alone(org: Any) -> None:
    squad_case(org)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=org.dispatcher).key}")
    response = client.get("/api/v1/cases/export.csv", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200 and len(_csv_rows(response)) == 2
    assert APIClient().get("/api/v1/cases/export.csv").status_code in (401, 403)
