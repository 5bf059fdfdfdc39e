"""Rankings and the monthly trend worked out by hand: ties share a rank, a unit without assessed orders comes last
without one, the change against the previous month, the previous period of a 19th-start month and of a stretch of
days, and a trend across a change of scheme from calendar months to months from the 19th."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest

from ecohotline.assessment.kpis import period_of
from ecohotline.assessment.models import KpiScheme
from ecohotline.assessment.rankings import monthly_trend, previous_period, rankings, trend_periods
from ecohotline.assessment.tests.test_kpis import B, D, S, at, handled, visit
from ecohotline.cases import services
from ecohotline.cases.models import Case
from ecohotline.factories import OrgUnitFactory, UserFactory, make_case
from ecohotline.org.models import Role, UnitKind

pytestmark = pytest.mark.django_db


def handled_by(org: Any, unit: Any, handler: Any, *, replied: dt.datetime) -> Case:
    case = make_case(street=org.street, title="噪声扰民", received_at=replied - dt.timedelta(days=2))
    services.dispatch_case(actor=org.dispatcher, case=case, unit=unit)
    services.accept_case(actor=handler, case=case)
    services.reply_to_complainant(actor=handler, case=case, text="已处理", at=replied)
    case.refresh_from_db()
    return case


@pytest.fixture
def units(org: Any) -> dict[str, Any]:
    """Four squads: 一 and 二 of the `org` fixture, 三 and 四 with a handler each."""
    found = {"one": (org.squad, org.handler), "two": (org.other_squad, org.other_handler)}
    for key, name, code in (("three", "执法三中队", "squad-3"), ("four", "执法四中队", "squad-4")):
        unit = OrgUnitFactory(name=name, code=code, kind=UnitKind.SQUAD, parent=org.brigade)
        found[key] = (unit, UserFactory(username=f"handler-{code}", unit=unit, roles=[Role.HANDLER]))
    return found


@pytest.fixture
def two_months(org: Any, units: dict[str, Any]) -> dict[str, Any]:
    """October: 一 10 (contacted only), 二 100, 四 96 (基本满意). November: 一 and 二 100, 三 96, 四 a reply but no
    visit yet."""
    for key, replied, when, answer, solved in (("one", at(10, 9), at(10, 10), D, False),
                                               ("two", at(10, 11), at(10, 12), S, True),
                                               ("four", at(10, 13), at(10, 14), B, True),
                                               ("one", at(11, 2), at(11, 3), S, True),
                                               ("two", at(11, 3), at(11, 4), S, True),
                                               ("three", at(11, 4), at(11, 5), B, True)):
        unit, handler = units[key]
        visit(org, handled_by(org, unit, handler, replied=replied), when, answer, solved=solved)
    handled_by(org, *units["four"], replied=at(11, 6))
    return {key: unit.pk for key, (unit, _handler) in units.items()}


def test_ranks_ties_a_unit_without_assessed_orders_and_the_change(two_months: dict[str, Any]) -> None:
    rows = rankings(dt.date(2026, 11, 1), dt.date(2026, 11, 30), by="unit")
    keys = two_months
    by_key = {row.key: row for row in rows}
    assert [row.key for row in rows] == [keys["one"], keys["two"], keys["three"], keys["four"]]
    assert [row.name for row in rows] == ["执法一中队", "执法二中队", "执法三中队", "执法四中队"]
    # November: 100, 100, 96 (0.1 + 0.5 + 0.4 × 0.9), none → 1, 1, 3, None (equal composites share a rank).
    assert [row.rank for row in rows] == [1, 1, 3, None]
    assert by_key[keys["three"]].figures.composite == pytest.approx(96.0)
    four = by_key[keys["four"]]
    assert (four.figures.assessed, four.figures.completed, four.figures.composite) == (0, 1, None)
    # October: 二 100, 四 96, 一 10 (0.1 × 1 + 0.5 × 0 + 0.4 × 0) → 1, 2, 3; 三 had nothing.
    assert [row.previous_rank for row in rows] == [3, 1, None, 2]
    assert by_key[keys["one"]].previous is not None and by_key[keys["one"]].previous.composite == pytest.approx(10)
    assert by_key[keys["three"]].previous is None
    assert [row.rank_change for row in rows] == [2, 0, None, None]          # previous rank − rank: 一 rose two
    changes = [row.composite_change for row in rows]
    assert changes[0] == pytest.approx(90.0) and changes[1] == pytest.approx(0.0) and changes[2:] == [None, None]


def test_by_street_and_by_handler(org: Any, two_months: dict[str, Any], units: dict[str, Any]) -> None:
    streets = rankings(dt.date(2026, 11, 1), dt.date(2026, 11, 30), by="street")
    assert [(row.name, row.rank, row.previous_rank) for row in streets] == [(org.street.name, 1, 1)]
    # The street: November (100 + 100 + 96 composites' orders) 3 assessed; October 3 assessed.
    assert (streets[0].figures.assessed, streets[0].previous and streets[0].previous.assessed) == (3, 3)
    handlers = rankings(dt.date(2026, 11, 1), dt.date(2026, 11, 30), by="handler")
    assert {row.key: (row.rank, row.previous_rank) for row in handlers} == {
        org.handler.pk: (1, 3), org.other_handler.pk: (1, 1), units["three"][1].pk: (3, None),
        units["four"][1].pk: (None, 2)}
    with pytest.raises(ValueError):
        rankings(dt.date(2026, 11, 1), dt.date(2026, 11, 30), by="category")


def test_the_previous_period() -> None:
    assert previous_period(dt.date(2026, 11, 1), dt.date(2026, 11, 30)) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert previous_period(dt.date(2026, 3, 1), dt.date(2026, 3, 31)) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    # Not an assessment month: the same number of days just before (10 days).
    assert previous_period(dt.date(2026, 11, 5), dt.date(2026, 11, 14)) == (dt.date(2026, 10, 26), dt.date(2026, 11, 4))
    KpiScheme.objects.create(name="海淀区考核方案", effective_from=dt.date(2026, 1, 1), period_start_day=19)
    assert previous_period(dt.date(2026, 10, 19), dt.date(2026, 11, 18)) == (dt.date(2026, 9, 19),
                                                                             dt.date(2026, 10, 18))
    # A calendar month is not an assessment month under this scheme: 30 days before it.
    assert previous_period(dt.date(2026, 11, 1), dt.date(2026, 11, 30)) == (dt.date(2026, 10, 2),
                                                                            dt.date(2026, 10, 31))


def test_a_ranking_under_months_from_the_19th(org: Any) -> None:
    scheme = KpiScheme.objects.create(name="海淀区考核方案", effective_from=dt.date(2026, 1, 1), period_start_day=19)
    start, end = period_of(dt.date(2026, 11, 5), scheme)
    visit(org, handled(org, replied=at(10, 17)), at(10, 18), D, solved=False)     # the month before: 10
    visit(org, handled(org, replied=at(10, 18)), at(10, 19), S)                   # this month: 100
    [row] = rankings(start, end, by="unit")
    assert (row.figures.assessed, row.previous and row.previous.assessed) == (1, 1)
    assert row.composite_change == pytest.approx(90.0) and (row.rank, row.previous_rank, row.rank_change) == (1, 1, 0)


@pytest.fixture
def scheme_change(db: None) -> None:
    """Calendar months until June; from 1 July months from the 19th, and 基本满意 earns 0.8."""
    KpiScheme.objects.create(name="上半年", effective_from=dt.date(2026, 1, 1))
    KpiScheme.objects.create(name="下半年", effective_from=dt.date(2026, 7, 1), period_start_day=19,
                             basic_satisfaction_credit=Decimal("0.8"))


def test_the_trend_across_a_change_of_scheme(org: Any, scheme_change: None) -> None:
    visit(org, handled(org, replied=at(5, 19)), at(5, 20), S)
    visit(org, handled(org, replied=at(6, 9)), at(6, 10), B)           # 1–18 June, old scheme: 0.9
    visit(org, handled(org, replied=at(6, 24)), at(6, 25), B)          # 19 June – 18 July, new scheme: 0.8
    visit(org, handled(org, replied=at(8, 17)), at(8, 18, 23), S)      # the last day of 19 July – 18 August
    visit(org, handled(org, replied=at(8, 18)), at(8, 19, 0), D, solved=False)   # the first of 19 Aug – 18 Sep

    points = monthly_trend(dt.date(2026, 9, 5), months=5)
    assert [(p.start, p.end, p.label) for p in points] == [
        (dt.date(2026, 5, 1), dt.date(2026, 5, 31), "2026-05"),
        (dt.date(2026, 6, 1), dt.date(2026, 6, 18), "2026-06"),        # cut short by the change
        (dt.date(2026, 6, 19), dt.date(2026, 7, 18), "2026-07"),
        (dt.date(2026, 7, 19), dt.date(2026, 8, 18), "2026-08"),
        (dt.date(2026, 8, 19), dt.date(2026, 9, 18), "2026-09"),
    ]
    assert [p.figures.assessed for p in points] == [1, 1, 1, 1, 1]
    assert points[0].figures.composite == pytest.approx(100.0)
    assert points[1].figures.satisfaction_rate == pytest.approx(0.9)
    assert points[2].figures.satisfaction_rate == pytest.approx(0.8)
    assert points[3].figures.resolution_rate == 1.0 and points[4].figures.resolution_rate == 0.0
    assert points[4].figures.composite == pytest.approx(10.0)


def test_the_trend_ends_where_a_new_scheme_begins(scheme_change: None) -> None:
    """10 June falls in June under the old scheme, but the new scheme's first month starts on 19 June: the trend's
    last month is 1–18 June, as the dashboard has it, not all of June overlapping 19 June – 18 July."""
    assert trend_periods(dt.date(2026, 6, 10), months=2) == [(dt.date(2026, 5, 1), dt.date(2026, 5, 31)),
                                                             (dt.date(2026, 6, 1), dt.date(2026, 6, 18))]
    assert trend_periods(dt.date(2026, 6, 19), months=2)[-1] == (dt.date(2026, 6, 19), dt.date(2026, 7, 18))


def test_twelve_contiguous_months_by_default(db: None) -> None:
    periods = trend_periods(dt.date(2026, 11, 22))
    assert len(periods) == 12 and periods[-1] == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert periods[0] == (dt.date(2025, 12, 1), dt.date(2025, 12, 31))
    assert all(later[0] == earlier[1] + dt.timedelta(days=1) for earlier, later in itertools.pairwise(periods))
    assert [p.label for p in monthly_trend(dt.date(2026, 11, 22))][-2:] == ["2026-10", "2026-11"]
    with pytest.raises(ValueError):
        monthly_trend(dt.date(2026, 11, 22), months=0)


# --- the API ---------------------------------------------------------------------------------------------------


def test_the_rankings_endpoint(org: Any, two_months: dict[str, Any]) -> None:
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(org.leader)
    url = "/api/v1/assessment/rankings"
    body = api.get(url, {"start": "2026-11-01", "end": "2026-11-30", "by": "unit"}).json()
    assert body["previous"] == {"start": "2026-10-01", "end": "2026-10-31"} and body["by"] == "unit"
    rows = body["rows"]
    assert [row["key"] for row in rows] == [two_months[key] for key in ("one", "two", "three", "four")]
    assert [row["rank"] for row in rows] == [1, 1, 3, None]
    assert [row["previous_rank"] for row in rows] == [3, 1, None, 2]
    assert [row["rank_change"] for row in rows] == [2, 0, None, None]
    assert [row["composite_change"] for row in rows] == [pytest.approx(90.0), 0.0, None, None]
    assert rows[0]["figures"]["composite"] == pytest.approx(100.0) and rows[0]["name"] == "执法一中队"
    assert rows[0]["previous_figures"]["resolution_rate"] == 0.0 and rows[2]["previous_figures"] is None
    assert rows[3]["figures"]["assessed"] == 0 and rows[3]["figures"]["completed"] == 1


def test_the_trend_endpoint(org: Any, scheme_change: None) -> None:
    from rest_framework.test import APIClient

    visit(org, handled(org, replied=at(6, 24)), at(6, 25), B)
    api = APIClient()
    api.force_authenticate(org.analyst)
    body = api.get("/api/v1/assessment/trend", {"end": "2026-09-05", "months": "3"}).json()
    assert [(p["label"], p["start"], p["end"], p["assessed"]) for p in body["points"]] == [
        ("2026-07", "2026-06-19", "2026-07-18", 1), ("2026-08", "2026-07-19", "2026-08-18", 0),
        ("2026-09", "2026-08-19", "2026-09-18", 0)]
    assert body["points"][0]["satisfaction_rate"] == pytest.approx(0.8)
    assert len(api.get("/api/v1/assessment/trend", {"end": "2026-09-05"}).json()["points"]) == 12


DATE = "Give a date as YYYY-MM-DD."
MONTHS = "Give a number of months from 1 to %(most)d."
BY = "Rank by unit, handler or street."


@pytest.mark.parametrize(("url", "query", "field", "message"), [
    ("rankings", {"start": "2026-11-01", "end": "2026-11-30", "by": "colour"}, "by", BY),
    ("rankings", {"start": "2026-11-01", "end": "2026-11-30"}, "by", BY),
    ("rankings", {"start": "1 November", "end": "2026-11-30", "by": "unit"}, "start", DATE),
    ("rankings", {"start": "2026-11-01", "end": "", "by": "unit"}, "end", DATE),
    ("rankings", {"start": "2026-11-30", "end": "2026-11-01", "by": "unit"}, "end",
     "The end must be on or after the start, within three years."),
    ("trend", {"end": "soon"}, "end", DATE),
    ("trend", {"end": "2026-11-30", "months": "0"}, "months", MONTHS),
    ("trend", {"end": "2026-11-30", "months": "twelve"}, "months", MONTHS),
    ("trend", {"end": "2026-11-30", "months": "37"}, "months", MONTHS),
])
def test_bad_parameters_are_named_in_the_active_language(org: Any, url: str, query: dict[str, str], field: str,
                                                         message: str) -> None:
    from django.conf import settings
    from django.utils import translation
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(org.leader)
    response = api.get(f"/api/v1/assessment/{url}", query)
    assert response.status_code == 400
    body = response.json()
    with translation.override(settings.LANGUAGE_CODE):
        expected = translation.gettext(message) % ({"most": 36} if message == MONTHS else {})
    assert body == {"code": "invalid", "detail": expected, "errors": {field: [expected]}}


@pytest.mark.parametrize("url", ["rankings?start=2026-11-01&end=2026-11-30&by=unit", "trend?end=2026-11-30"])
def test_only_the_overview_roles_see_them(org: Any, url: str) -> None:
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(org.handler)
    assert api.get(f"/api/v1/assessment/{url}").status_code == 403
    api.force_authenticate(org.unit_head)
    assert api.get(f"/api/v1/assessment/{url}").status_code == 200
