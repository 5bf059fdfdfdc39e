"""The leaders' dashboard (领导驾驶舱): headline figures, rankings, trend and cases per street match cases worked by
hand; stepping through assessment months; who may see it; and a bounded number of queries."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ecohotline.assessment.models import KpiScheme
from ecohotline.cases import services
from ecohotline.cases.models import Case, CaseStatus, Satisfaction
from ecohotline.core.workdays import BEIJING
from ecohotline.factories import StreetFactory, UserFactory, force_status, make_case
from ecohotline.org.models import OrgUnit, Role, UnitKind

pytestmark = pytest.mark.django_db

URL = reverse("ui:dashboard")
# Every figure on the page comes from a fixed set of grouped queries, whatever the number of cases: 83 on SQLite and
# 155 on PostgreSQL today, nearly all of them the twelve months of the trend and the three rankings (each
# compute_kpis runs four grouped queries; on PostgreSQL in a transaction of its own that sets two options).
MAX_QUERIES = 160


def at(month: int, day: int, hour: int = 10, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=BEIJING)


@pytest.fixture(autouse=True)
def clock(time_machine: Any) -> None:
    time_machine.move_to(at(11, 20, 12), tick=False)


def handled(org: Any, *, replied: dt.datetime, satisfaction: str, solved: bool = True, unit: OrgUnit | None = None,
            street: OrgUnit | None = None, handler: Any = None) -> Case:
    """A 12345 complaint received two days before its reply, visited the day after."""
    unit = unit or org.squad
    case = make_case(street=street or org.street, title="噪声扰民", received_at=replied - dt.timedelta(days=2))
    services.dispatch_case(actor=org.dispatcher, case=case, unit=unit)
    handler = handler or (org.handler if unit == org.squad else org.other_handler)
    services.accept_case(actor=handler, case=case)
    services.reply_to_complainant(actor=handler, case=case, text="已处理", at=replied)
    case.refresh_from_db()
    services.record_return_visit(actor=org.dispatcher, case=case, contacted=True, solved=solved,
                                 satisfaction=satisfaction, at=replied + dt.timedelta(days=1))
    case.refresh_from_db()
    return case


@pytest.fixture
def months(org: Any) -> None:
    """October: one satisfied (squad 1).  November: one satisfied (squad 1), one dissatisfied and unsolved
    (squad 2)."""
    handled(org, replied=at(10, 10), satisfaction=Satisfaction.SATISFIED)
    handled(org, replied=at(11, 3), satisfaction=Satisfaction.SATISFIED)
    handled(org, replied=at(11, 5), satisfaction=Satisfaction.DISSATISFIED, solved=False, unit=org.other_squad)


def text_of(fragment: str) -> str:
    """The text of an HTML fragment, tags dropped and white space collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def element(page: str, element_id: str) -> str:
    """The text of the element with `element_id` up to the next element of the same kind (cards, sections)."""
    start = page.index(f'id="{element_id}"')
    tag = page.rfind("<", 0, start)
    name = page[tag + 1:start].split()[0]
    depth, position = 0, tag
    pattern = re.compile(rf"<(/?){name}\b")
    for match in pattern.finditer(page, tag):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            position = page.index(">", match.end()) + 1
            break
    return text_of(page[tag:position])


def ranking_rows(page: str, key: str) -> list[list[str]]:
    section = page[page.index(f'id="ranking-{key}"'):]
    section = section[:section.index("</table>")]
    body = section[section.index("<tbody>"):]
    return [[text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def dashboard_data(page: str) -> Any:
    found = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', page, re.S)
    assert found is not None
    return json.loads(found.group(1))


def get(client: Any, user: Any, **params: str) -> str:
    """The page in English (the assertions read its English labels)."""
    client.force_login(user)
    response = client.get(URL, {"lang": "en", **params})
    assert response.status_code == 200
    return str(response.content.decode())


# --- who may see it ------------------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client: Any) -> None:
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", [Role.HANDLER, Role.STREET_LIAISON])
def test_handlers_and_street_liaisons_are_refused(client: Any, org: Any, role: str) -> None:
    client.force_login(org.by_role(role))
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("role", [Role.LEADER, Role.ANALYST, Role.DISPATCHER, Role.UNIT_HEAD, Role.ADMIN])
def test_overview_roles_see_it(client: Any, org: Any, role: str) -> None:
    client.force_login(org.by_role(role))
    assert client.get(URL).status_code == 200


# --- the figures ---------------------------------------------------------------------------------------------------


def test_headline_figures_match_the_cases(client: Any, org: Any, months: None) -> None:
    page = get(client, org.leader)
    # November: 2 assessed, both contacted, one solved, one satisfied → 100.0%, 50.0%, 50.0%;
    # composite 100 × (0.1 × 1 + 0.5 × 0.5 + 0.4 × 0.5) = 55.0; October: 1 assessed, everything 100%.
    assert element(page, "headline-assessed") == "Assessed orders 2 ▲ +1 previous month 1"
    assert element(page, "headline-response_rate") == "Response rate 100.0% – ±0.0 pts previous month 100.0%"
    assert element(page, "headline-resolution_rate") == "Resolution rate 50.0% ▼ −50.0 pts previous month 100.0%"
    assert element(page, "headline-satisfaction_rate") == (
        "Satisfaction rate 50.0% ▼ −50.0 pts previous month 100.0%")
    assert element(page, "headline-composite") == "Composite score 55.0 ▼ −45.0 previous month 100.0"
    # All three replied two days after receipt, well within the time limit.
    assert element(page, "headline-on_time_rate") == (
        "On-time rate 100.0% – ±0.0 pts previous month 100.0%")
    assert "2026-11-01 to 2026-11-30" in element(page, "dashboard-period")


def test_the_share_found_proactively_sits_beside_the_three_rates(client: Any, org: Any) -> None:
    """未诉先办: a patrol finished in November found 1 problem; 3 complaints came in → 1 / (1 + 3) = 25.0%.
    October had neither, so there is nothing to compare with."""
    from ecohotline.insight.models import ProposalStatus, SignalSource, TaskProposal

    for day in (3, 9, 17):
        make_case(street=org.street, title="噪声扰民", received_at=at(11, day))
    TaskProposal.objects.create(title="夜间施工巡查", source=SignalSource.SEASONAL, source_key="test",
                                status=ProposalStatus.APPROVED, problems_found=1, finished_at=at(11, 18))
    TaskProposal.objects.create(title="九月巡查", source=SignalSource.SEASONAL, source_key="test-9",
                                status=ProposalStatus.APPROVED, problems_found=5, finished_at=at(9, 18))
    assert element(get(client, org.leader), "headline-proactive_share") == (
        "Found proactively (未诉先办) 25.0% previous month —")


def test_rankings_match_the_cases(client: Any, org: Any, months: None) -> None:
    page = get(client, org.leader)
    # Squad 1: composite 100 (as in October: rank unchanged); squad 2: 100 × 0.1 = 10.0, new this month. Squad
    # 2's case was reopened by its 不满意 (重办): not completed until its new reply, so no on-time rate yet.
    assert ranking_rows(page, "unit") == [
        ["1", "– (Rank in the previous month: 1)", "执法一中队", "100.0 ±0.0", "100.0%", "100.0%", "100.0%",
         "100.0%", "1", "1"],
        ["2", "", "执法二中队", "10.0", "100.0%", "0.0%", "0.0%", "—", "1", "0"],
    ]
    handlers = ranking_rows(page, "handler")
    assert [(row[0], row[2], row[3]) for row in handlers] == [("1", str(org.handler), "100.0 ±0.0"),
                                                               ("2", str(org.other_handler), "10.0")]
    assert ranking_rows(page, "street") == [
        ["1", "– (Rank in the previous month: 1)", "中关村街道", "55.0 −45.0", "100.0%", "50.0%", "50.0%", "100.0%",
         "2", "1"],
    ]


def test_a_rank_change_shows_its_arrow(client: Any, org: Any) -> None:
    # October: squad 2 ahead of squad 1; November the other way round.
    handled(org, replied=at(10, 3), satisfaction=Satisfaction.SATISFIED, unit=org.other_squad)
    handled(org, replied=at(10, 5), satisfaction=Satisfaction.BASICALLY_SATISFIED)
    handled(org, replied=at(11, 3), satisfaction=Satisfaction.SATISFIED)
    handled(org, replied=at(11, 5), satisfaction=Satisfaction.BASICALLY_SATISFIED, unit=org.other_squad)
    rows = ranking_rows(get(client, org.leader), "unit")
    # 基本满意 counts 0.9: 100 × (0.1 + 0.5 + 0.4 × 0.9) = 96.0.
    assert [row[:4] for row in rows] == [["1", "▲ 1 (Rank in the previous month: 2)", "执法一中队", "100.0 +4.0"],
                                         ["2", "▼ 1 (Rank in the previous month: 1)", "执法二中队", "96.0 −4.0"]]


def test_the_trend_has_twelve_months_in_the_page_data(client: Any, org: Any, months: None) -> None:
    page = get(client, org.leader)
    trend = dashboard_data(page)["trend"]
    assert [point["label"] for point in trend] == [
        "2025-12", *(f"2026-{month:02d}" for month in range(1, 12))]
    assert (trend[0]["start"], trend[-1]["end"]) == ("2025-12-01", "2026-11-30")
    october, november = trend[-2], trend[-1]
    assert (october["assessed"], october["composite"]) == (1, 100)
    assert (november["assessed"], november["resolution_rate"], november["composite"]) == (2, 0.5, 55)
    assert all(point["assessed"] == 0 and point["composite"] is None for point in trend[:-2])
    # The same without JavaScript: the table under the chart.
    table = element(page, "dashboard-trend-table")
    # November: one completed (the reopened case waits for its new reply).
    assert "2026-11 2 1 100.0% 50.0% 50.0% 55.0 100.0%" in table
    assert "2026-10 1 1 100.0% 100.0% 100.0% 100.0 100.0%" in table
    assert "2025-12 0 0 — — — — —" in table


def test_cases_per_street_on_the_map_and_in_the_table(client: Any, org: Any, months: None) -> None:
    far = StreetFactory(name="示范街道", code="shifan")
    waiting = make_case(street=far, title="工地噪声", received_at=at(11, 12), latitude=39.9, longitude=116.3)
    force_status(waiting, CaseStatus.NEW, next_due_at=at(11, 25))
    make_case(street=org.other_street, title="工地噪声", received_at=at(10, 12))   # October: not counted
    page = get(client, org.leader)
    streets = {point["name"]: point for point in dashboard_data(page)["streets"]}
    # November: two complaints received in 中关村街道 (1 and 3 November); the second was reopened (重办) by its
    # 不满意 on 6 November and its fresh deadlines have passed by the 20th.
    assert {name: (point["received"], point["open"], point["overdue"]) for name, point in streets.items()} == {
        "中关村街道": (2, 1, 1), "示范街道": (1, 1, 0), "学院路街道": (0, 0, 0)}
    # On the map in GCJ-02, the outlines' system: a few hundred metres off the WGS-84 centre (39.98, 116.325).
    zgc = streets["中关村街道"]
    assert zgc["lng"] == pytest.approx(116.325, abs=0.01) and zgc["lat"] == pytest.approx(39.98, abs=0.01)
    assert (zgc["lng"], zgc["lat"]) != (116.325, 39.98)
    assert streets["示范街道"]["lng"] == pytest.approx(116.3, abs=0.01)
    table = element(page, "dashboard-street-table")
    assert "中关村街道 2 1 1" in table and "示范街道 1 1 0" in table and "Total 3 2 1" in table
    assert f"street={far.pk}&amp;received_from=2026-11-01&amp;received_to=2026-11-30" in page


# --- stepping through months ---------------------------------------------------------------------------------------


def test_the_current_month_by_default_with_no_next_month(client: Any, org: Any) -> None:
    page = get(client, org.leader)
    assert "2026-11-01 to 2026-11-30" in element(page, "dashboard-period")
    assert f'href="{URL}?period=2026-10-01"' in page and 'id="dashboard-next"' not in page


def test_an_earlier_month_links_both_ways(client: Any, org: Any, months: None) -> None:
    page = get(client, org.leader, period="2026-10-05")
    assert "Assessment month 2026-10: 2026-10-01 to 2026-10-31" in element(page, "dashboard-period")
    assert f'href="{URL}?period=2026-09-01"' in page and f'href="{URL}?period=2026-11-01"' in page
    assert element(page, "headline-assessed") == "Assessed orders 1 ▲ +1 previous month 0"
    assert element(page, "headline-composite").startswith("Composite score 100.0 ")
    assert dashboard_data(page)["trend"][-1]["label"] == "2026-10"


@pytest.mark.parametrize("value", ["2027-01-15", "not-a-date", ""])
def test_a_future_or_unreadable_month_shows_the_current_one(client: Any, org: Any, value: str) -> None:
    page = get(client, org.leader, period=value)
    assert "2026-11-01 to 2026-11-30" in element(page, "dashboard-period")


def test_months_from_the_19th(client: Any, org: Any) -> None:
    KpiScheme.objects.create(name="海淀区考核方案", effective_from=dt.date(2026, 1, 1), period_start_day=19)
    page = get(client, org.leader)
    assert "Assessment month 2026-12: 2026-11-19 to 2026-12-18" in element(page, "dashboard-period")
    page = get(client, org.leader, period="2026-11-05")
    assert "Assessment month 2026-11: 2026-10-19 to 2026-11-18" in element(page, "dashboard-period")
    assert f'href="{URL}?period=2026-09-19"' in page and f'href="{URL}?period=2026-11-19"' in page


def test_a_month_cut_short_by_a_new_scheme(client: Any, org: Any) -> None:
    KpiScheme.objects.create(name="旧方案", effective_from=dt.date(2026, 1, 1), period_start_day=1)
    KpiScheme.objects.create(name="新方案", effective_from=dt.date(2026, 10, 19), period_start_day=19)
    page = get(client, org.leader, period="2026-10-05")
    assert "2026-10-01 to 2026-10-18" in element(page, "dashboard-period")
    assert f'href="{URL}?period=2026-09-01"' in page and f'href="{URL}?period=2026-10-19"' in page
    assert dashboard_data(page)["trend"][-1]["start"] == "2026-10-01"


# --- cost ----------------------------------------------------------------------------------------------------------


def test_the_page_needs_a_bounded_number_of_queries(client: Any, org: Any, months: None,
                                                    django_assert_max_num_queries: Any) -> None:
    client.force_login(org.leader)
    client.get(URL)  # warm the per-process caches (category names, the gazetteer)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    # Many more cases, units, handlers and streets: not one query more.
    for number in range(6):
        unit = OrgUnit.objects.create(name=f"执法{number + 3}中队", code=f"squad-x{number}", kind=UnitKind.SQUAD,
                                      parent=org.brigade)
        handler = UserFactory(username=f"extra{number}", unit=unit, roles=[Role.HANDLER])
        street = StreetFactory(name=f"测试街道{number}", code=f"test-street-{number}")
        for month in (9, 10, 11):
            handled(org, replied=at(month, 3 + number), satisfaction=Satisfaction.SATISFIED, street=street,
                    unit=unit, handler=handler)
    with CaptureQueriesContext(connection) as many:
        client.get(URL)
    assert len(many) == len(few), len(few)
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(URL)
