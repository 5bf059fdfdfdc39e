"""The forecast beats seasonal-naive on a seasonal series, its intervals hold about their share, short histories
fall back, and the weekly series are counted in Beijing weeks."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pytest

from ecohotline.cases.models import Channel
from ecohotline.cases.services import CaseDraft, create_cases
from ecohotline.core.workdays import BEIJING
from ecohotline.insight.forecast import backtest_series, forecast_categories, forecast_series, weekly_series


def seasonal_series(weeks: int = 156, seed: int = 7) -> np.ndarray:
    """Three years of weekly counts: a yearly cycle (40 to 120 a week, peak in summer) with Poisson noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(weeks)
    mean = 80 + 40 * np.sin(2 * math.pi * (t - 13) / (365.25 / 7))
    return rng.poisson(mean).astype(float)


FIRST_WEEK = dt.date(2023, 11, 27)  # a Monday: the weeks' dates, for the month-of-year model


@pytest.mark.parametrize(("first_week", "best_ratio"), [(FIRST_WEEK, 0.9), (None, 0.85)])
def test_a_seasonal_series_is_forecast_better_than_seasonal_naive(first_week: dt.date | None,
                                                                   best_ratio: float) -> None:
    """With the weeks' dates (the month-of-year profile, as the bureau's series run) and without (harmonics)."""
    y = seasonal_series()
    result = backtest_series(y, weeks=52, horizon=8, first_week=first_week)
    assert result.forecasts == sum(min(8, 52 - i) for i in range(52))  # every forecast of a week that happened
    assert result.ratio is not None and result.ratio < best_ratio      # clearly better than last year's week
    assert result.mase is not None and result.mase < result.naive_mase  # type: ignore[operator]
    # the intervals hold about their nominal share of the actual counts
    assert 0.70 <= result.coverage(0.80) <= 0.92  # type: ignore[operator]
    assert 0.88 <= result.coverage(0.95) <= 1.0  # type: ignore[operator]


def test_the_forecast_follows_the_season_and_its_intervals_nest() -> None:
    y = seasonal_series()
    t = np.arange(156, 164)
    truth = 80 + 40 * np.sin(2 * math.pi * (t - 13) / (365.25 / 7))
    for first_week, method in ((None, "seasonal_glm"), (FIRST_WEEK, "seasonal_month_glm")):
        found = forecast_series(y, horizon=8, first_week=first_week)
        assert found.method == method
        assert np.max(np.abs(np.array(found.mean) - truth)) < 12
        for step in range(8):
            assert found.lower[0.95][step] <= found.lower[0.80][step] <= found.mean[step]
            assert found.mean[step] <= found.upper[0.80][step] <= found.upper[0.95][step]


def test_the_month_profile_weighs_each_week_by_its_days() -> None:
    from ecohotline.insight.forecast import _month_profile

    profile = _month_profile(dt.date(2026, 9, 28), 2)   # Mon 28 Sep – Sun 4 Oct; then 5 – 11 Oct
    assert profile[0][8] == pytest.approx(3 / 7) and profile[0][9] == pytest.approx(4 / 7)
    assert profile[1][9] == pytest.approx(1.0) and profile.sum() == pytest.approx(2.0)


def test_short_histories_fall_back() -> None:
    assert forecast_series(seasonal_series(60), horizon=4).method == "seasonal_glm_no_trend"
    flat = forecast_series([10, 10, 10, 10, 10, 10], horizon=3)
    assert flat.method == "exponential_smoothing" and flat.mean == [10.0, 10.0, 10.0]
    assert flat.dispersion == 1.0 and flat.lower[0.95][0] < 10 < flat.upper[0.95][0]
    assert forecast_series([3, 5], horizon=2).mean == [4.0, 4.0]
    assert forecast_series([], horizon=2).mean == [0.0, 0.0]


@pytest.mark.django_db
def test_weekly_series_in_beijing_weeks(org: Any) -> None:
    utc = dt.UTC
    drafts = [
        # Sunday 2026-11-08 23:30 Beijing (15:30 UTC): the week of 11-02
        dt.datetime(2026, 11, 8, 15, 30, tzinfo=utc),
        # Sunday 16:30 UTC is Monday 2026-11-09 00:30 Beijing: the week of 11-09
        dt.datetime(2026, 11, 8, 16, 30, tzinfo=utc),
        dt.datetime(2026, 11, 10, 9, tzinfo=BEIJING),
        # the running week (of 11-16) is left out
        dt.datetime(2026, 11, 17, 9, tzinfo=BEIJING),
    ]
    create_cases(actor=None, drafts=[
        CaseDraft(channel=Channel.HOTLINE_12345, received_at=when, description="噪声", category="noise",
                  sub_category="noise.social", street=org.street) for when in drafts
    ] + [CaseDraft(channel=Channel.HOTLINE_12345, received_at=dt.datetime(2026, 11, 3, 9, tzinfo=BEIJING),
                   description="油烟", category="air", sub_category="air.catering_fumes", street=org.street)])
    series = weekly_series(until=dt.date(2026, 11, 18))
    assert series.weeks == [dt.date(2026, 11, 2), dt.date(2026, 11, 9)]
    assert series.counts == {"air": [1, 0], "noise": [1, 2]}
    found = forecast_categories(horizon=3, until=dt.date(2026, 11, 18))
    assert [item.category for item in found] == ["total", "noise", "air"]
    assert found[0].history == [2, 2] and found[0].weeks == [dt.date(2026, 11, 16), dt.date(2026, 11, 23),
                                                               dt.date(2026, 11, 30)]
    assert found[0].forecast.method == "mean" and found[0].forecast.mean == [2.0, 2.0, 2.0]


@pytest.mark.django_db
def test_demo_data_can_span_several_years_for_the_backtest() -> None:
    from django.core.management import CommandError, call_command

    from ecohotline.cases.models import Case

    call_command("demo-data", cases=120, days=800, end="2026-11-22", verbosity=0)
    first = Case.objects.filter(kind="complaint").order_by("received_at").first()
    assert first is not None
    day = first.received_at.astimezone(BEIJING).date()
    assert dt.date(2026, 11, 22) - dt.timedelta(days=800) <= day < dt.date(2026, 11, 22) - dt.timedelta(days=365)
    with pytest.raises(CommandError, match="days"):
        call_command("demo-data", cases=10, days="0", end="2026-11-22", append=True, verbosity=0)
