"""Unusual rises: a planted weekly rise of catering fumes in one street raises exactly one alert, tells the analyst and
that street's leader once, and a normal week raises none.

Eight weeks before the week of Monday 2026-11-09, each of four cells (catering fumes and social noise in
中关村 and 学院路) had 2 complaints a week; in the week tested 中关村's catering fumes has 12, the others 2.
Expectation (trailing method, no earlier year): 2 × (the other cells' 6 this week / their 6 a week before) = 2,
P(X ≥ 12 | Poisson(2)) ≈ 1.4e-6 (e^-2·2^12/12! ≈ 1.16e-6 plus the terms above); the others: P(X ≥ 2 | 2) ≈ 0.59.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ecohotline.cases.models import Channel
from ecohotline.cases.services import CaseDraft, create_cases
from ecohotline.core.workdays import BEIJING
from ecohotline.insight import rises
from ecohotline.insight.models import AlertStatus, InsightAlert
from ecohotline.notify.models import Notification

pytestmark = pytest.mark.django_db

WEEK = dt.date(2026, 11, 9)


def drafts(org: Any, monday: dt.date, counts: dict[tuple[str, str], int]) -> list[CaseDraft]:
    """`counts` complaints per (street attribute, sub-category), spread over the week's days at 10:00 Beijing."""
    found = []
    for (street, sub), number in counts.items():
        for index in range(number):
            when = dt.datetime.combine(monday + dt.timedelta(days=index % 7), dt.time(10, index), tzinfo=BEIJING)
            found.append(CaseDraft(channel=Channel.HOTLINE_12345, received_at=when, description="投诉",
                                   sub_category=sub, category=sub.split(".")[0], street=getattr(org, street)))
    return found


NORMAL = {("street", "air.catering_fumes"): 2, ("street", "noise.social"): 2,
          ("other_street", "air.catering_fumes"): 2, ("other_street", "noise.social"): 2}


@pytest.fixture
def planted_rise(org: Any) -> None:
    history = [d for back in range(1, 9) for d in drafts(org, WEEK - dt.timedelta(weeks=back), NORMAL)]
    week = drafts(org, WEEK, {**NORMAL, ("street", "air.catering_fumes"): 12})
    create_cases(actor=None, drafts=[*history, *week])


def test_the_poisson_tail_and_benjamini_hochberg() -> None:
    assert rises.upper_tail(12, 2.0) == pytest.approx(1.365e-6, rel=0.01)
    assert rises.upper_tail(2, 2.0) == pytest.approx(1 - 3 * 2.718281828 ** -2, rel=1e-6)
    assert rises.upper_tail(0, 2.0) == 1.0
    # m = 4, q = 0.05: thresholds 0.0125, 0.025, 0.0375, 0.05 for the sorted p-values
    assert rises.benjamini_hochberg([0.01, 0.02, 0.04, 0.5]) == [True, True, False, False]
    assert rises.benjamini_hochberg([0.04, 0.03, 0.045, 0.049]) == [True, True, True, True]
    assert rises.benjamini_hochberg([0.02, 0.5, 0.6, 0.7]) == [False, False, False, False]


def test_a_planted_rise_raises_one_alert_and_tells_the_analyst_and_the_streets_leader(
        org: Any, planted_rise: None, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        report = rises.detect_rises(week=WEEK + dt.timedelta(days=3))  # any day of the week
    assert report.week_start == WEEK and report.method == "trailing" and report.tested == 4
    assert len(report.rises) == 1 and len(report.created) == 1
    alert = InsightAlert.objects.get()
    assert (alert.category, alert.street_id, alert.week_start, alert.observed) == (
        "air.catering_fumes", org.street.pk, WEEK, 12)
    assert alert.expected == pytest.approx(2.0) and alert.p_value == pytest.approx(1.365e-6, rel=0.01)
    assert alert.status == AlertStatus.OPEN and alert.details["method"] == "trailing"
    told = Notification.objects.filter(kind="insight_rise")
    assert sorted(n.recipient.username for n in told) == ["analyst", "leader"]  # not leader2: not her street
    assert told.first().params["street"] == org.street.name
    assert told.first().params["alert_id"] == alert.pk
    assert told.first().params["category_zh"] == "餐饮油烟" and told.first().params["observed"] == 12

    with django_capture_on_commit_callbacks(execute=True):
        again = rises.detect_rises(week=WEEK)
    assert len(again.rises) == 1 and again.created == []
    assert InsightAlert.objects.count() == 1 and told.count() == 2


def test_a_normal_week_raises_nothing(org: Any, planted_rise: None) -> None:
    report = rises.detect_rises(week=WEEK - dt.timedelta(weeks=1))
    assert report.rises == [] and InsightAlert.objects.count() == 0
    assert report.tested == 4


def test_a_rise_everywhere_is_the_season_not_a_street(org: Any) -> None:
    """Every cell doubles at once: the bureau-wide index doubles the expectation, so nothing is unusual."""
    history = [d for back in range(1, 9) for d in drafts(org, WEEK - dt.timedelta(weeks=back), NORMAL)]
    doubled = {key: 6 for key in NORMAL}
    create_cases(actor=None, drafts=[*history, *drafts(org, WEEK, doubled)])
    _method, cells = rises.score_week(WEEK)
    assert all(cell.expected == pytest.approx(6.0) for cell in cells)  # 2 × (the others 18 / their 6) = 6
    assert not any(cell.significant for cell in cells)


def test_with_last_years_weeks_the_seasonal_peak_is_expected(org: Any) -> None:
    """A year before, the same weeks ±2 had 10 dust complaints a week in 学院路: 10 now is no rise, although the
    eight weeks before had 1 a week; 中关村's catering fumes, new this year, still is."""
    year_ago = WEEK - dt.timedelta(weeks=52)
    history = [d for offset in range(-2, 3)
               for d in drafts(org, year_ago + dt.timedelta(weeks=offset), {("other_street", "air.dust"): 10})]
    trailing = [d for back in range(1, 9)
                for d in drafts(org, WEEK - dt.timedelta(weeks=back), {("other_street", "air.dust"): 1})]
    week = drafts(org, WEEK, {("other_street", "air.dust"): 10, ("street", "air.catering_fumes"): 12})
    create_cases(actor=None, drafts=[*history, *trailing, *week])
    method, cells = rises.score_week(WEEK)
    assert method == "seasonal"
    found = {(cell.category, cell.street_id): cell for cell in cells}
    dust = found[("air.dust", org.other_street.pk)]
    assert dust.expected == pytest.approx(10.0) and not dust.significant
    fumes = found[("air.catering_fumes", org.street.pk)]
    assert fumes.expected == pytest.approx(rises.MIN_EXPECTED) and fumes.significant


def test_acknowledge_and_dismiss(org: Any, planted_rise: None) -> None:
    rises.detect_rises(week=WEEK)
    alert = InsightAlert.objects.get()
    handled = rises.handle_alert(actor=org.analyst, alert=alert, status=AlertStatus.ACKNOWLEDGED)
    assert handled.status == AlertStatus.ACKNOWLEDGED and handled.handled_by == org.analyst
    assert handled.handled_at is not None
    with pytest.raises(rises.AlertError) as refused:
        rises.handle_alert(actor=org.handler, alert=alert, status=AlertStatus.DISMISSED)
    assert refused.value.code == "forbidden"
    with pytest.raises(rises.AlertError) as invalid:
        rises.handle_alert(actor=org.leader, alert=alert, status=AlertStatus.OPEN)
    assert invalid.value.code == "invalid_status"
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED


def test_the_weekly_job_runs_on_monday_morning_beijing_time(settings: Any) -> None:
    from ecohotline.insight.tasks import rises_due

    settings.INSIGHT_RISES_HOUR = 7
    assert rises_due(dt.datetime(2026, 11, 15, 23, 30, tzinfo=dt.UTC))      # Monday 07:30 Beijing
    assert not rises_due(dt.datetime(2026, 11, 15, 22, 30, tzinfo=dt.UTC))  # Monday 06:30
    assert not rises_due(dt.datetime(2026, 11, 16, 23, 30, tzinfo=dt.UTC))  # Tuesday
    assert rises.last_full_week(dt.datetime(2026, 11, 15, 23, 30, tzinfo=dt.UTC)) == WEEK


def test_the_command_names_the_street_and_the_category(org: Any, planted_rise: None) -> None:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("insight", "rises", "--week", "2026-11-09", "--dry-run", stdout=out)
    assert "1 significant rise(s)" in out.getvalue() and InsightAlert.objects.count() == 0
    assert f"餐饮油烟 · {org.street.name}: 12 vs 2.0 expected" in out.getvalue()
    out = io.StringIO()
    call_command("insight", "rises", "--week", "2026-11-09", stdout=out)
    assert "1 new alert(s), 2 notification(s)" in out.getvalue() and InsightAlert.objects.count() == 1
