"""The planner's collectors for hotspots, repeated sources and forecast peaks, on data built so the answer is known:
a planted cluster becomes one hotspot signal about its category, a restaurant complained of again and again one
repeated-source signal, a category heading for its summer peak one forecast signal; a quiet district gives none."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ecohotline.cases.models import Case, CaseKind, Channel
from ecohotline.cases.services import CaseDraft, create_cases
from ecohotline.core.workdays import BEIJING
from ecohotline.insight.models import SignalSource, TaskProposal
from ecohotline.insight.planner import forecast_signals, hotspot_signals, propose_tasks, source_signals
from ecohotline.insight.tests.test_hotspots import CLUSTER, drafts, poisson_field

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 10, 29)  # the day the planner runs: the hotspot field of test_hotspots lies on 1 October


def test_a_planted_cluster_becomes_one_hotspot_signal_about_its_category(org: Any) -> None:
    field = poisson_field(seed=11, rate=2)
    for cell in CLUSTER:
        field[cell] += 20
    create_cases(actor=None, drafts=drafts(field, category="air"))

    signals = hotspot_signals(DAY)

    assert len(signals) == 1
    signal = signals[0]
    assert signal.source == SignalSource.HOTSPOT and signal.category == "air.social"
    assert signal.score > 5 and signal.evidence["complaints"] >= 4 * 20
    assert signal.latitude is not None and signal.radius_m >= 300
    assert set(signal.case_ids) <= set(Case.objects.values_list("pk", flat=True)) and len(signal.case_ids) == 100
    proposals = propose_tasks(signals, now=dt.datetime.combine(DAY, dt.time(9), tzinfo=BEIJING))
    assert [proposal.source for proposal in proposals] == [SignalSource.HOTSPOT]
    assert propose_tasks(hotspot_signals(DAY), now=dt.datetime.combine(DAY, dt.time(10), tzinfo=BEIJING)) == []


def test_a_uniform_field_gives_no_hotspot_signal(org: Any) -> None:
    create_cases(actor=None, drafts=drafts(poisson_field(seed=2, rate=3)))
    assert hotspot_signals(DAY) == []


def _restaurant(north_m: float, day: int, phone: str) -> CaseDraft:
    return CaseDraft(channel=Channel.HOTLINE_12345, description="烧烤油烟扰民",
                     received_at=dt.datetime(2026, 10, day, 20, tzinfo=BEIJING), latitude=39.98 + north_m / 111_320,
                     longitude=116.31, polluter="老王烧烤", address="中关村大街1号", complainant_phone=phone,
                     category="air", sub_category="air.catering_fumes")


def test_a_restaurant_complained_of_again_and_again_becomes_a_source_signal(org: Any) -> None:
    create_cases(actor=None, drafts=[_restaurant(10 * k, 3 + 5 * k, f"1380000000{k}") for k in range(4)])
    create_cases(actor=None, drafts=[_restaurant(2000, 10, "13900000000")])  # 2 km away: another place

    signals = source_signals(DAY)

    assert len(signals) == 1
    signal = signals[0]
    assert (signal.source, signal.category) == (SignalSource.REPEATED_SOURCE, "air.catering_fumes")
    assert "老王烧烤" in signal.title and signal.evidence["complaints"] == 4
    assert signal.evidence["complainants"] == 4 and len(signal.case_ids) == 4
    assert "1380000000" not in str(signal.evidence)


def test_a_category_heading_for_its_peak_becomes_a_forecast_signal(org: Any) -> None:
    """Two years of weekly noise complaints that triple each summer; the planner runs in early May."""
    made = []
    start = dt.date(2024, 5, 6)
    for week in range(104):
        monday = start + dt.timedelta(weeks=week)
        per_week = 12 if monday.month in (6, 7, 8) else 4
        made += [CaseDraft(channel=Channel.HOTLINE_12345, description="夜间施工噪声",
                           received_at=dt.datetime.combine(monday + dt.timedelta(days=k % 7), dt.time(22),
                                                           tzinfo=BEIJING),
                           category="noise", sub_category="noise.construction") for k in range(per_week)]
    create_cases(actor=None, drafts=made)
    may = dt.date(2026, 5, 4)

    signals = forecast_signals(may)

    assert [signal.category for signal in signals] == ["noise"]
    signal = signals[0]
    assert signal.source == SignalSource.FORECAST_PEAK and signal.score >= 1.3
    assert signal.evidence["recent_weekly"] == pytest.approx(4.0)
    peak_week = dt.date.fromisoformat(signal.evidence["peak_week"])
    assert peak_week.month in (6, 7) and signal.key == peak_week.isoformat()
    assert not TaskProposal.objects.exists() and Case.objects.filter(kind=CaseKind.PROACTIVE_TASK).count() == 0
