"""The dashboard's reads worked by hand: cases per street (received, still open, overdue; where each street sits on
the map), the assessment months to step through, and the headline figures against the previous month."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ecohotline.assessment import rankings, selectors
from ecohotline.assessment.kpis import Figures
from ecohotline.assessment.models import KpiScheme
from ecohotline.assessment.selectors import Period
from ecohotline.cases import services
from ecohotline.cases.models import Case, CaseStatus, Satisfaction
from ecohotline.core.workdays import BEIJING
from ecohotline.factories import StreetFactory, force_status, make_case

pytestmark = pytest.mark.django_db


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=BEIJING)


NOW = at(11, 20, 12)


def received(street: Any, when: dt.datetime, status: str = CaseStatus.NEW, due: dt.datetime | None = None,
             **fields: Any) -> Case:
    case = make_case(street=street, title="噪声扰民", received_at=when, **fields)
    return force_status(case, status, next_due_at=due)


def test_cases_per_street_worked_by_hand(org: Any) -> None:
    # 中关村街道: three received in November, two still open, one of them overdue at NOW.
    received(org.street, at(11, 2), CaseStatus.NEW, due=at(11, 5))                # open, overdue
    received(org.street, at(11, 10), CaseStatus.DISPATCHED, due=at(11, 25))       # open, on track
    received(org.street, at(11, 15), CaseStatus.CLOSED)                           # closed
    received(org.street, at(10, 31, 23, 59), CaseStatus.NEW, due=at(11, 3))       # October: left out
    received(org.street, at(12, 1, 0, 0), CaseStatus.NEW)                         # December: left out
    # 学院路街道: one returned to the hotline, no deadline of ours running; received on the last evening.
    received(org.other_street, at(11, 30, 23, 30), CaseStatus.RETURNED)
    # A street the gazetteer does not know: placed at the mean point of its cases.
    model = StreetFactory(name="示范街道", code="shifan")
    received(model, at(11, 5), CaseStatus.CLOSED, latitude=39.9, longitude=116.3)
    received(model, at(11, 6), CaseStatus.REPLIED, latitude=40.0, longitude=116.4)
    quiet = StreetFactory(name="无事街道", code="wushi")                            # nothing received
    StreetFactory(name="撤销街道", code="chexiao", is_active=False)                  # inactive, nothing: left out
    received(None, at(11, 4), CaseStatus.NEW, due=at(11, 6))                      # no street: open, overdue

    result = selectors.cases_per_street(dt.date(2026, 11, 1), dt.date(2026, 11, 30), now=NOW)

    rows = {street.name: street for street in result.streets}
    assert [street.name for street in result.streets] == ["中关村街道", "示范街道", "学院路街道", "无事街道"]
    zgc, xyl, shifan, wushi = rows["中关村街道"], rows["学院路街道"], rows["示范街道"], rows["无事街道"]
    assert (zgc.received, zgc.open, zgc.overdue) == (3, 2, 1)
    assert (xyl.received, xyl.open, xyl.overdue) == (1, 1, 0)
    assert (shifan.received, shifan.open, shifan.overdue) == (2, 0, 0)
    assert (wushi.received, wushi.open, wushi.overdue) == (0, 0, 0)
    assert (result.unplaced, result.unplaced_open, result.unplaced_overdue) == (1, 1, 1)
    assert (result.received, result.open, result.overdue) == (7, 4, 2)
    # Where each sits: the gazetteer's centre of 中关村街道 (Haidian), the mean of 示范街道's two cases, nowhere.
    assert (zgc.latitude, zgc.longitude, zgc.placed_by) == (39.98, 116.325, "gazetteer")
    assert shifan.placed_by == "cases"
    assert shifan.latitude == pytest.approx(39.95) and shifan.longitude == pytest.approx(116.35)
    assert (wushi.latitude, wushi.longitude, wushi.placed_by) == (None, None, None)
    assert quiet.pk == wushi.street_id


def test_cases_per_street_takes_two_queries(org: Any, django_assert_num_queries: Any) -> None:
    for day in range(1, 6):
        received(org.street, at(11, day))
        received(org.other_street, at(11, day))
    with django_assert_num_queries(2):
        selectors.cases_per_street(dt.date(2026, 11, 1), dt.date(2026, 11, 30), now=NOW)


def test_the_gazetteer_places_a_street_only_when_its_name_is_unambiguous() -> None:
    assert selectors.street_centre("学院路街道") == (39.998, 116.35)
    assert selectors.street_centre("海淀街道", "海淀区") == (39.974, 116.307)
    assert selectors.street_centre("示范街道") is None


def test_assessment_months_in_calendar_months(db: None) -> None:
    period = selectors.assessment_period(dt.date(2026, 3, 15))
    assert period == Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31)) and period.is_calendar_month
    assert selectors.previous_period(period) == Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert selectors.period_before(period) == Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert selectors.next_period(period) == Period(dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    assert selectors.previous_period(Period(dt.date(2026, 1, 1), dt.date(2026, 1, 31))) == Period(
        dt.date(2025, 12, 1), dt.date(2025, 12, 31))


def test_assessment_months_from_the_19th(db: None) -> None:
    KpiScheme.objects.create(name="海淀区考核方案", effective_from=dt.date(2026, 1, 1), period_start_day=19)
    period = selectors.assessment_period(dt.date(2026, 11, 5))
    assert period == Period(dt.date(2026, 10, 19), dt.date(2026, 11, 18)) and not period.is_calendar_month
    assert period.contains(dt.date(2026, 11, 18)) and not period.contains(dt.date(2026, 11, 19))
    assert selectors.previous_period(period) == Period(dt.date(2026, 9, 19), dt.date(2026, 10, 18))
    assert selectors.next_period(period) == Period(dt.date(2026, 11, 19), dt.date(2026, 12, 18))


@pytest.mark.parametrize(("day", "expected"), [
    (dt.date(2026, 6, 10), Period(dt.date(2026, 6, 1), dt.date(2026, 6, 18))),     # cut short by the new scheme
    (dt.date(2026, 6, 19), Period(dt.date(2026, 6, 19), dt.date(2026, 7, 18))),
    (dt.date(2026, 5, 31), Period(dt.date(2026, 5, 1), dt.date(2026, 5, 31))),
])
def test_a_change_of_scheme_leaves_a_short_month(db: None, day: dt.date, expected: Period) -> None:
    KpiScheme.objects.create(name="旧方案", effective_from=dt.date(2026, 1, 1), period_start_day=1)
    KpiScheme.objects.create(name="新方案", effective_from=dt.date(2026, 6, 19), period_start_day=19)
    assert selectors.assessment_period(day) == expected
    # As the trend has it.
    assert (expected.start, expected.end) in rankings.trend_periods(dt.date(2026, 7, 18))


def test_a_change_back_to_calendar_months(db: None) -> None:
    KpiScheme.objects.create(name="旧方案", effective_from=dt.date(2026, 1, 1), period_start_day=19)
    KpiScheme.objects.create(name="新方案", effective_from=dt.date(2026, 8, 1), period_start_day=1)
    short = selectors.assessment_period(dt.date(2026, 7, 25))
    assert short == Period(dt.date(2026, 7, 19), dt.date(2026, 7, 31))
    assert selectors.next_period(short) == Period(dt.date(2026, 8, 1), dt.date(2026, 8, 31))
    assert selectors.period_before(short) == Period(dt.date(2026, 6, 19), dt.date(2026, 7, 18))
    # The rankings compare a short month with as many days before it.
    assert selectors.previous_period(short) == Period(dt.date(2026, 7, 6), dt.date(2026, 7, 18))


def _handled(org: Any, replied: dt.datetime, satisfaction: str, *, solved: bool = True) -> None:
    case = make_case(street=org.street, title="噪声扰民", received_at=replied - dt.timedelta(days=2))
    services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad)
    services.accept_case(actor=org.handler, case=case)
    services.reply_to_complainant(actor=org.handler, case=case, text="已处理", at=replied)
    case.refresh_from_db()
    services.record_return_visit(actor=org.dispatcher, case=case, contacted=True, solved=solved,
                                 satisfaction=satisfaction, at=replied + dt.timedelta(days=1))


def test_headlines_against_the_previous_month(org: Any) -> None:
    # October: one satisfied.  November: one satisfied, one dissatisfied and unsolved.
    _handled(org, at(10, 10), Satisfaction.SATISFIED)
    _handled(org, at(11, 3), Satisfaction.SATISFIED)
    _handled(org, at(11, 5), Satisfaction.DISSATISFIED, solved=False)

    result = selectors.headlines(Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30)))

    assert result.previous_period == Period(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    items = {item.name: item for item in result.items}
    assert [item.name for item in result.items] == ["assessed", "response_rate", "resolution_rate",
                                                    "satisfaction_rate", "composite", "on_time_rate"]
    assert (items["assessed"].value, items["assessed"].previous, items["assessed"].change) == (2, 1, 1)
    assert items["response_rate"].change == 0
    assert (items["resolution_rate"].value, items["resolution_rate"].change) == (0.5, -0.5)
    assert (items["satisfaction_rate"].value, items["satisfaction_rate"].change) == (0.5, -0.5)
    # 100 × (0.1 × 1 + 0.5 × 0.5 + 0.4 × 0.5) = 55 against 100.
    assert items["composite"].value == pytest.approx(55) and items["composite"].change == pytest.approx(-45)
    assert items["composite"].kind == "score" and items["assessed"].kind == "count"


def test_a_headline_without_a_previous_figure_has_no_change(org: Any) -> None:
    _handled(org, at(11, 3), Satisfaction.SATISFIED)
    result = selectors.headlines(Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30)))
    composite = next(item for item in result.items if item.name == "composite")
    assert composite.value == pytest.approx(100) and composite.previous is None and composite.change is None


def test_headlines_use_figures_already_computed(org: Any, django_assert_num_queries: Any) -> None:
    november, october = Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30)), Period(dt.date(2026, 10, 1),
                                                                                   dt.date(2026, 10, 31))
    known = {(november.start, november.end): Figures(assessed=4), (october.start, october.end): Figures(assessed=3)}
    with django_assert_num_queries(0):
        result = selectors.headlines(november, october, known=known)
    assert (result.items[0].value, result.items[0].previous, result.items[0].change) == (4, 3, 1)
