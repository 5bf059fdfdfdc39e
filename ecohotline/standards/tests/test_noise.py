"""Noise verdicts against GB 3096 / GB 12348 / GB 22337 / GB 12523, worked by hand from shared/domain/standards.md.

Every expected limit below is typed from the tables in standards.md §1–4, not read from the module's constants.
"""

from __future__ import annotations

import datetime
import inspect
import json
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from ecohotline.standards.errors import StandardsError
from ecohotline.standards.noise import (
    NOISE_FIELDS,
    NOISE_STANDARDS,
    NoiseOutcome,
    NoiseStandard,
    NoiseVerdict,
    noise_verdict,
)

DAY = datetime.datetime(2026, 11, 22, 10, 0)  # naive = Beijing wall clock, 10:00 is 昼间
NIGHT = datetime.datetime(2026, 11, 22, 23, 0)  # 23:00 is 夜间
UTC = datetime.UTC
BEIJING = ZoneInfo("Asia/Shanghai")


def judge(**kwargs: Any) -> NoiseVerdict:
    kwargs.setdefault("measured_at", DAY)
    return noise_verdict(**kwargs)


def raises(code: str, field: str | None = None, **kwargs: Any) -> StandardsError:
    with pytest.raises(StandardsError) as info:
        judge(**kwargs)
    assert info.value.code == code
    if field is not None:
        assert info.value.field == field
    return info.value


# --- GB 3096-2008 表1 ------------------------------------------------------------------------------------------

# (zone, period, limit): standards.md §1.1, one case per cell: 0 50/40, 1 55/45, 2 60/50, 3 65/55, 4a 70/55, 4b 70/60.
GB3096_CELLS = [
    ("0", "day", 50),
    ("0", "night", 40),
    ("1", "day", 55),
    ("1", "night", 45),
    ("2", "day", 60),
    ("2", "night", 50),
    ("3", "day", 65),
    ("3", "night", 55),
    ("4a", "day", 70),
    ("4a", "night", 55),
    ("4b", "day", 70),
    ("4b", "night", 60),
]


def _at(period: str) -> datetime.datetime:
    return DAY if period == "day" else NIGHT


def _gb3096_extra(zone: str) -> dict[str, Any]:
    return {"existing_railway": False} if zone == "4b" else {}


@pytest.mark.parametrize(("zone", "period", "limit"), GB3096_CELLS)
def test_gb3096_table_1_at_the_limit_complies(zone: str, period: str, limit: int) -> None:
    # Leq equal to the limit: exceedance = limit − limit = 0.0, "不得超过" so compliant.
    v = judge(standard="GB3096", zone_class=zone, measured_at=_at(period), leq=limit, **_gb3096_extra(zone))
    assert (v.limit, v.period, v.verdict, v.exceedance, v.clause) == (limit, period, "compliant", 0.0, "5.1 表1")
    assert v.standard == "GB 3096-2008"
    assert v.corrected == float(limit)
    assert v.correction is None
    assert v.reasons == ("leq_compliant",)


@pytest.mark.parametrize(("zone", "period", "limit"), GB3096_CELLS)
def test_gb3096_table_1_a_tenth_over_exceeds(zone: str, period: str, limit: int) -> None:
    # Leq = limit + 0.1: exceedance 0.1 dB(A).
    v = judge(standard="GB3096", zone_class=zone, measured_at=_at(period), leq=limit + 0.1, **_gb3096_extra(zone))
    assert (v.verdict, v.exceedance, v.reasons) == ("exceeds", 0.1, ("leq_exceeds",))


@pytest.mark.parametrize(
    ("period", "limit"),
    [("day", 70), ("night", 55)],  # §5.3: existing railway, no train passing: 70 / 55
)
def test_gb3096_existing_railway_background(period: str, limit: int) -> None:
    v = judge(standard="GB3096", zone_class="4b", existing_railway=True, measured_at=_at(period), leq=58)
    assert (v.limit, v.limit_clause, v.clause) == (limit, "5.3", "5.3")
    assert v.reasons[0] == "existing_railway_background"
    # night: 58 − 55 = 3.0 over; day: 58 − 70 = −12.0
    assert v.exceedance == (58 - limit)


def test_gb3096_new_railway_4b_night_is_60() -> None:
    # §5.2: new line (EIA approved from 2011) → 4b 夜间 60; 58 complies.
    v = judge(standard="GB3096", zone_class="4B", existing_railway=False, measured_at=NIGHT, leq=58)
    assert (v.zone_class, v.limit, v.verdict) == ("4b", 60, "compliant")


@pytest.mark.parametrize(
    ("lmax", "verdict", "lmax_exceedance"),
    [
        (65.0, "compliant", 0.0),  # 2类 night limit 50 + 15 = 65; 65 − 65 = 0
        (65.1, "exceeds", 0.1),  # 65.1 − 65 = 0.1
        (80.0, "exceeds", 15.0),  # 80 − 65 = 15
    ],
)
def test_gb3096_night_burst_lmax_plus_15(lmax: float, verdict: str, lmax_exceedance: float) -> None:
    v = judge(standard="GB3096", zone_class="2", measured_at=NIGHT, leq=45, lmax=lmax)
    assert (v.lmax_limit, v.lmax_clause, v.lmax_exceedance, v.verdict) == (65, "5.4", lmax_exceedance, verdict)
    assert v.exceedance == -5.0  # Leq 45 − 50
    if verdict == "exceeds":
        assert v.clause == "5.4"  # Leq complies, Lmax decided
        assert v.reasons == ("leq_compliant", "lmax_exceeds")


def test_gb3096_lmax_by_day_is_recorded_not_judged() -> None:
    v = judge(standard="GB3096", zone_class="2", measured_at=DAY, leq=55, lmax=95)
    assert (v.lmax, v.lmax_limit, v.lmax_exceedance, v.verdict) == (95.0, None, None, "compliant")
    assert "lmax_not_assessed_day" in v.reasons


def test_gb3096_existing_railway_night_lmax_uses_the_53_limit() -> None:
    # §5.3 night 55 + §5.4 15 = 70.
    v = judge(standard="GB3096", zone_class="4b", existing_railway=True, measured_at=NIGHT, leq=50, lmax=70.1)
    assert (v.lmax_limit, v.lmax_exceedance, v.verdict) == (70, 0.1, "exceeds")


# --- GB 12348-2008 / GB 22337-2008 表1 --------------------------------------------------------------------------

EMISSION = ["GB12348", "GB22337"]
# standards.md §2.1 / §3.1: 0 50/40, 1 55/45, 2 60/50, 3 65/55, 4 70/55; 4a and 4b use the one class 4.
EMISSION_TABLE_1_CELLS = [
    ("0", "day", 50),
    ("0", "night", 40),
    ("1", "day", 55),
    ("1", "night", 45),
    ("2", "day", 60),
    ("2", "night", 50),
    ("3", "day", 65),
    ("3", "night", 55),
    ("4", "day", 70),
    ("4", "night", 55),
    ("4a", "day", 70),
    ("4a", "night", 55),
    ("4b", "day", 70),
    ("4b", "night", 55),  # not GB 3096's 60
]


@pytest.mark.parametrize("standard", EMISSION)
@pytest.mark.parametrize(("zone", "period", "limit"), EMISSION_TABLE_1_CELLS)
def test_emission_table_1(standard: str, zone: str, period: str, limit: int) -> None:
    at_limit = judge(standard=standard, zone_class=zone, measured_at=_at(period), leq=limit)
    assert (at_limit.limit, at_limit.verdict, at_limit.exceedance) == (limit, "compliant", 0.0)
    assert at_limit.clause == "4.1 表1"
    over = judge(standard=standard, zone_class=zone, measured_at=_at(period), leq=limit + 0.1)
    assert (over.verdict, over.exceedance) == ("exceeds", 0.1)


@pytest.mark.parametrize(
    ("standard", "clause", "name"),
    [("GB12348", "4.1.5 表1", "GB 12348-2008"), ("GB22337", "4.1.3 表1", "GB 22337-2008")],
)
@pytest.mark.parametrize(("period", "limit"), [("day", 50), ("night", 40)])  # 2类 60/50 − 10
def test_emission_indoor_minus_10(standard: str, clause: str, name: str, period: str, limit: int) -> None:
    v = judge(standard=standard, zone_class="2", indoor=True, measured_at=_at(period), leq=limit + 2.5)
    assert (v.standard, v.limit, v.clause, v.exceedance, v.verdict) == (name, limit, clause, 2.5, "exceeds")
    assert v.reasons == ("indoor_limit_minus_10", "leq_exceeds")


# --- GB 12348 Lmax: 频发 +10, 偶发 +15, night only ----------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "lmax", "lmax_limit", "clause", "verdict"),
    [
        ("frequent", 60.0, 60, "4.1.2", "compliant"),  # 2类 night 50 + 10 = 60
        ("frequent", 60.1, 60, "4.1.2", "exceeds"),
        ("occasional", 65.0, 65, "4.1.3", "compliant"),  # 50 + 15 = 65
        ("occasional", 65.1, 65, "4.1.3", "exceeds"),
        ("OCCASIONAL", 62.0, 65, "4.1.3", "compliant"),
    ],
)
def test_gb12348_night_lmax(kind: str, lmax: float, lmax_limit: int, clause: str, verdict: str) -> None:
    v = judge(standard="GB12348", zone_class="2", measured_at=NIGHT, leq=48, lmax=lmax, lmax_kind=kind)
    assert (v.lmax_limit, v.lmax_clause, v.verdict) == (lmax_limit, clause, verdict)
    assert v.lmax_exceedance == round(lmax - lmax_limit, 1)


def test_gb12348_indoor_night_lmax_is_relative_to_the_reduced_limit() -> None:
    # 2类 night 50 − 10 = 40 indoors; frequent + 10 = 50.
    v = judge(
        standard="GB12348", zone_class="2", indoor=True, measured_at=NIGHT, leq=38, lmax=50.1, lmax_kind="frequent"
    )
    assert (v.limit, v.lmax_limit, v.lmax_exceedance, v.clause) == (40, 50, 0.1, "4.1.2")


def test_gb12348_lmax_by_day_is_not_judged_and_needs_no_kind() -> None:
    v = judge(standard="GB12348", zone_class="2", measured_at=DAY, leq=55, lmax=90)
    assert (v.lmax_limit, v.verdict) == (None, "compliant")
    assert v.reasons[-1] == "lmax_not_assessed_day"


def test_gb12348_night_lmax_needs_its_kind() -> None:
    raises("lmax_kind_required", "lmax_kind", standard="GB12348", zone_class="2", measured_at=NIGHT, leq=48, lmax=60)


def test_gb22337_boundary_has_no_lmax_rule() -> None:
    v = judge(standard="GB22337", zone_class="2", measured_at=NIGHT, leq=48, lmax=90)
    assert (v.lmax_limit, v.verdict) == (None, "compliant")
    assert v.reasons == ("leq_compliant", "lmax_no_rule")


# --- Structure-borne noise: Table 2 (Leq) ---------------------------------------------------------------------

# standards.md §2.2 (= GB 22337 §3.2): zone, room, day, night.
# 0: A 40/30, B 40/30; 1: A 40/30, B 45/35; 2、3、4: A 45/35, B 50/40.
TABLE_2_CELLS = [
    ("0", "A", 40, 30),
    ("0", "B", 40, 30),
    ("1", "A", 40, 30),
    ("1", "B", 45, 35),
    ("2", "A", 45, 35),
    ("2", "B", 50, 40),
    ("3", "A", 45, 35),
    ("3", "B", 50, 40),
    ("4", "A", 45, 35),
    ("4", "B", 50, 40),
    ("4a", "A", 45, 35),
    ("4b", "B", 50, 40),
]


@pytest.mark.parametrize(("standard", "clause"), [("GB12348", "4.2 表2"), ("GB22337", "4.2.1 表2")])
@pytest.mark.parametrize(("zone", "room", "day", "night"), TABLE_2_CELLS)
@pytest.mark.parametrize("period", ["day", "night"])
def test_structure_borne_table_2(
    standard: str, clause: str, zone: str, room: str, day: int, night: int, period: str
) -> None:
    limit = day if period == "day" else night
    common = {"standard": standard, "zone_class": zone, "structure_borne": True, "measured_at": _at(period)}
    at_limit = judge(room_type=room.lower(), leq=limit, **common)
    assert (at_limit.limit, at_limit.clause, at_limit.verdict, at_limit.room_type) == (limit, clause, "compliant", room)
    assert at_limit.reasons == ("structure_borne", "leq_compliant")
    over = judge(room_type=room, leq=limit + 0.1, **common)
    assert (over.verdict, over.exceedance) == ("exceeds", 0.1)


# --- Structure-borne noise: Table 3 (octave bands, dB) ---------------------------------------------------------

# standards.md §2.3, one line per printed row, expanded over the zones and rooms it covers.
# bands 31.5 / 63 / 125 / 250 / 500 Hz
ROW_0_DAY = (76, 59, 48, 39, 34)
ROW_0_NIGHT = (69, 51, 39, 30, 24)
TABLE_3_CELLS = [
    ("0", "day", "A", ROW_0_DAY),
    ("0", "day", "B", ROW_0_DAY),
    ("0", "night", "A", ROW_0_NIGHT),
    ("0", "night", "B", ROW_0_NIGHT),
    ("1", "day", "A", (76, 59, 48, 39, 34)),
    ("1", "day", "B", (79, 63, 52, 44, 38)),
    ("1", "night", "A", (69, 51, 39, 30, 24)),
    ("1", "night", "B", (72, 55, 43, 35, 29)),
    *[
        (zone, period, room, limits)
        for zone in ("2", "3", "4", "4a", "4b")
        for period, room, limits in (
            ("day", "A", (79, 63, 52, 44, 38)),
            ("day", "B", (82, 67, 56, 49, 43)),
            ("night", "A", (72, 55, 43, 35, 29)),
            ("night", "B", (76, 59, 48, 39, 34)),
        )
    ],
]
BANDS = (31.5, 63, 125, 250, 500)


@pytest.mark.parametrize(("standard", "clause"), [("GB12348", "4.2 表3"), ("GB22337", "4.2.1 表3")])
@pytest.mark.parametrize(("zone", "period", "room", "limits"), TABLE_3_CELLS)
def test_structure_borne_table_3(
    standard: str, clause: str, zone: str, period: str, room: str, limits: tuple[int, ...]
) -> None:
    common = {
        "standard": standard,
        "zone_class": zone,
        "structure_borne": True,
        "room_type": room,
        "measured_at": _at(period),
        "leq": 20,  # far below every Table 2 limit
    }
    at_limit = judge(octave_bands=dict(zip(BANDS, map(float, limits), strict=True)), **common)
    assert [(b.band_hz, b.limit, b.exceedance, b.exceeds) for b in at_limit.bands] == [
        (band, limit, 0.0, False) for band, limit in zip(BANDS, limits, strict=True)
    ]
    assert (at_limit.verdict, at_limit.bands_clause) == ("compliant", clause)
    assert at_limit.reasons[-1] == "octave_bands_compliant"
    for band, limit in zip(BANDS, limits, strict=True):
        # one band 0.1 dB over its limit: the verdict is decided by Table 3.
        one_over = judge(octave_bands={band: limit + 0.1}, **common)
        assert len(one_over.bands) == 1
        assert (one_over.bands[0].exceedance, one_over.bands[0].exceeds) == (0.1, True)
        assert (one_over.verdict, one_over.clause) == ("exceeds", clause)
        assert one_over.reasons[-1] == "octave_band_exceeds"


def test_octave_band_31_is_31_5() -> None:
    # 0类 night row: 31.5 Hz limit 69.
    v = judge(
        standard="GB12348",
        zone_class="0",
        structure_borne=True,
        room_type="A",
        measured_at=NIGHT,
        leq=25,
        octave_bands={31: 70, 500: 20},
    )
    assert [(b.band_hz, b.limit, b.exceedance) for b in v.bands] == [(31.5, 69, 1.0), (500.0, 24, -4.0)]
    assert v.summary_zh() == ("夜间 0类区 A类房间 限值30 dB(A)，测量值25.0 dB(A)，达标；倍频带31.5 Hz超标1.0 dB")


@pytest.mark.parametrize(
    ("period", "lmax", "lmax_limit", "verdict"),
    [
        ("day", 55.0, 55, "compliant"),  # GB 22337 §4.2.2: 2类 A day 45 + 10 = 55
        ("day", 55.1, 55, "exceeds"),
        ("night", 45.0, 45, "compliant"),  # night 35 + 10 = 45
        ("night", 45.1, 45, "exceeds"),
    ],
)
def test_gb22337_structure_borne_lmax_plus_10(period: str, lmax: float, lmax_limit: int, verdict: str) -> None:
    v = judge(
        standard="GB22337",
        zone_class="2",
        structure_borne=True,
        room_type="A",
        measured_at=_at(period),
        leq=30,
        lmax=lmax,
    )
    assert (v.lmax_limit, v.lmax_clause, v.verdict) == (lmax_limit, "4.2.2", verdict)


def test_gb12348_structure_borne_has_no_lmax_rule() -> None:
    v = judge(
        standard="GB12348", zone_class="2", structure_borne=True, room_type="A", measured_at=NIGHT, leq=30, lmax=90
    )
    assert (v.lmax_limit, v.verdict) == (None, "compliant")
    assert "lmax_no_rule" in v.reasons


# --- Background correction: GB 12348 表4 = GB 22337 表4 = GB 12523 表2 -----------------------------------------

# (leq, background, correction, corrected): difference = leq − background, compared unrounded with the ranges,
# then rounded to an integer for the row: 3 → −3, 4～5 → −2, 6～10 → −1; > 10 none; < 3 measure again.
CORRECTION_CASES = [
    (65.0, 54.9, 0, 65.0),  # 10.1 > 10: no correction
    (65.0, 54.0, 0, 65.0),  # 11
    (65.0, 55.0, -1, 64.0),  # 10.0 → row 6～10
    (65.0, 57.0, -1, 64.0),  # 8
    (65.0, 59.0, -1, 64.0),  # 6
    (55.6, 50.1, -1, 54.6),  # 5.5 → 6 (either rounding) → −1
    (55.4, 50.0, -2, 53.4),  # 5.4 → 5 → −2
    (65.0, 60.0, -2, 63.0),  # 5
    (64.5, 60.0, -2, 62.5),  # 4.5 → 4 (half-even) → −2 (half-up 5 is the same row)
    (65.0, 61.0, -2, 63.0),  # 4
    (63.5, 60.0, -2, 61.5),  # 3.5 → 4 → −2
    (63.4, 60.0, -3, 60.4),  # 3.4 → 3 → −3
    (63.0, 60.0, -3, 60.0),  # 3.0 → −3
]


@pytest.mark.parametrize("standard", ["GB12348", "GB22337", "GB12523"])
@pytest.mark.parametrize(("leq", "background", "correction", "corrected"), CORRECTION_CASES)
def test_background_correction_table(
    standard: str, leq: float, background: float, correction: int, corrected: float
) -> None:
    zone = {} if standard == "GB12523" else {"zone_class": "3"}  # day limits: 3类 65, GB 12523 70
    v = judge(standard=standard, measured_at=DAY, leq=leq, background=background, **zone)
    assert (v.correction, v.corrected, v.measured, v.background) == (correction, corrected, leq, background)
    assert v.reasons[0] == ("background_negligible" if correction == 0 else "background_corrected")
    assert v.exceedance == round(corrected - v.limit, 1)


def test_corrected_value_decides() -> None:
    # 2类 night 50: measured 52.3, background 46.3 → difference 6 → −1 → 51.3, 1.3 over.
    v = judge(standard="GB22337", zone_class="2", measured_at=NIGHT, leq=52.3, background=46.3)
    assert (v.corrected, v.exceedance, v.verdict) == (51.3, 1.3, "exceeds")
    assert v.summary_zh() == "夜间 2类区 限值50 dB(A)，修正后测量值51.3 dB(A)，超标1.3 dB(A)"
    # measured 50.9, background 47.9 → difference 3 → −3 → 47.9: the raw value exceeded, the corrected one not.
    v = judge(standard="GB22337", zone_class="2", measured_at=NIGHT, leq=50.9, background=47.9)
    assert (v.corrected, v.verdict) == (47.9, "compliant")


@pytest.mark.parametrize(("standard", "clause"), [("GB12348", "5.7.3"), ("GB22337", "5.7.3"), ("GB12523", "5.7")])
@pytest.mark.parametrize("background", [57.1, 60.0, 55.0 + 2.9])  # differences 2.9, 0.0, 2.9: all < 3
def test_background_too_close_means_remeasure(standard: str, clause: str, background: float) -> None:
    zone = {} if standard == "GB12523" else {"zone_class": "2"}
    v = judge(standard=standard, measured_at=DAY, leq=60.0, background=background, **zone)
    assert (v.verdict, v.clause, v.corrected, v.exceedance, v.correction) == ("remeasure", clause, None, None, None)
    assert v.reasons == ("remeasure_background_too_close",)
    assert v.limit is not None
    assert "需降低背景噪声后重新测量" in v.summary_zh()


def test_remeasure_but_lmax_exceeds_is_an_exceedance() -> None:
    # GB 12523 night: Leq 60 with background 59 → remeasure; Lmax 75 > 55 + 15 = 70 is judged directly (§6.2).
    v = judge(standard="GB12523", measured_at=NIGHT, leq=60, background=59, lmax=75)
    assert (v.verdict, v.clause, v.corrected, v.lmax_exceedance) == ("exceeds", "4.2", None, 5.0)
    assert v.reasons == ("remeasure_background_too_close", "lmax_exceeds")


# --- GB 12523-2011 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "indoor", "limit", "clause"),
    [
        ("day", False, 70, "4.1 表1"),  # 表1 昼间 70
        ("night", False, 55, "4.1 表1"),  # 夜间 55
        ("day", True, 60, "4.3 表1"),  # §4.3 indoors: 70 − 10
        ("night", True, 45, "4.3 表1"),  # 55 − 10
    ],
)
def test_gb12523_table_1(period: str, indoor: bool, limit: int, clause: str) -> None:
    v = judge(standard="GB12523", measured_at=_at(period), leq=limit, indoor=indoor)
    assert (v.standard, v.zone_class, v.limit, v.clause, v.verdict) == (
        "GB 12523-2011",
        None,
        limit,
        clause,
        "compliant",
    )
    assert judge(standard="GB12523", measured_at=_at(period), leq=limit + 0.1, indoor=indoor).verdict == "exceeds"


@pytest.mark.parametrize(
    ("indoor", "lmax", "lmax_limit", "verdict"),
    [
        (False, 70.0, 70, "compliant"),  # §4.2: 55 + 15 = 70
        (False, 70.1, 70, "exceeds"),
        (True, 60.0, 60, "compliant"),  # indoors: 45 + 15 = 60
        (True, 60.1, 60, "exceeds"),
    ],
)
def test_gb12523_night_lmax(indoor: bool, lmax: float, lmax_limit: int, verdict: str) -> None:
    v = judge(standard="GB12523", measured_at=NIGHT, leq=40, lmax=lmax, indoor=indoor)
    assert (v.lmax_limit, v.lmax_clause, v.verdict) == (lmax_limit, "4.2", verdict)


def test_gb12523_summary_has_no_zone() -> None:
    v = judge(standard="GB12523", measured_at=NIGHT, leq=57.25, lmax=72)
    # 57.25 → 57.2 (half-even), 57.2 − 55 = 2.2; Lmax 72 − 70 = 2.0
    assert v.summary_zh() == (
        "夜间 限值55 dB(A)，测量值57.2 dB(A)，超标2.2 dB(A)；最大声级72.0 dB(A)，限值70 dB(A)，超标2.0 dB(A)"
    )


# --- Day and night ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("measured_at", "period"),
    [
        (datetime.datetime(2026, 11, 22, 5, 59, 59, 999999), "night"),
        (datetime.datetime(2026, 11, 22, 6, 0), "day"),  # 06:00 starts the day
        (datetime.datetime(2026, 11, 22, 21, 59, 59, 999999), "day"),
        (datetime.datetime(2026, 11, 22, 22, 0), "night"),  # 22:00 starts the night
        (datetime.datetime(2026, 11, 22, 0, 0), "night"),
        (datetime.datetime(2026, 11, 22, 22, 0, tzinfo=BEIJING), "night"),
        (datetime.datetime(2026, 11, 22, 14, 0, tzinfo=UTC), "night"),  # = 22:00 Beijing
        (datetime.datetime(2026, 11, 22, 13, 59, tzinfo=UTC), "day"),  # = 21:59 Beijing
        (datetime.datetime(2026, 11, 21, 22, 0, tzinfo=UTC), "day"),  # = 06:00 on the 22nd Beijing
        (datetime.datetime(2026, 11, 21, 21, 59, tzinfo=UTC), "night"),  # = 05:59 Beijing
    ],
)
def test_day_and_night(measured_at: datetime.datetime, period: str) -> None:
    v = judge(standard="GB3096", zone_class="1", measured_at=measured_at, leq=50)
    assert v.period == period
    assert v.limit == (55 if period == "day" else 45)
    assert "custom_day_night_hours" not in v.reasons


def test_aware_time_is_reported_in_beijing_time() -> None:
    v = judge(standard="GB3096", zone_class="1", measured_at=datetime.datetime(2026, 11, 22, 14, 0, tzinfo=UTC), leq=40)
    assert v.measured_at_local == datetime.datetime(2026, 11, 22, 22, 0, tzinfo=BEIJING)
    assert v.as_dict()["measured_at_local"] == "2026-11-22T22:00:00+08:00"


@pytest.mark.parametrize(
    ("clock", "period"),
    [
        (datetime.time(6, 30), "night"),  # before the district's 07:00
        (datetime.time(7, 0), "day"),
        (datetime.time(22, 30), "day"),
        (datetime.time(23, 0), "night"),
    ],
)
def test_custom_hours(clock: datetime.time, period: str) -> None:
    v = judge(
        standard="GB22337",
        zone_class="1",
        measured_at=datetime.datetime.combine(datetime.date(2026, 11, 22), clock),
        leq=40,
        day_starts=datetime.time(7, 0),
        night_starts=datetime.time(23, 0),
    )
    assert v.period == period
    assert v.reasons[0] == "custom_day_night_hours"


def test_only_night_start_given() -> None:
    v = judge(
        standard="GB22337",
        zone_class="1",
        measured_at=datetime.datetime(2026, 11, 22, 21, 30),
        leq=40,
        night_starts=datetime.time(21, 0),
    )
    assert v.period == "night"


# --- Errors --------------------------------------------------------------------------------------------------


def test_unknown_standard() -> None:
    error = raises("unknown_standard", "standard", standard="GB3095", zone_class="1", leq=50)
    with translation.override("en"):
        assert str(error) == "Unknown noise standard GB3095; use GB3096, GB12348, GB22337 or GB12523."


def test_standard_code_is_forgiving_about_spaces_and_case() -> None:
    assert judge(standard="gb 22337", zone_class="1", leq=50).standard == "GB 22337-2008"
    assert judge(standard="GB 12523-2011", leq=50).standard_code == "GB12523"
    assert judge(standard=NoiseStandard.GB3096, zone_class="1", leq=50).standard_code == "GB3096"
    raises("unknown_standard", "standard", standard="GB 12523-90", leq=50)


@pytest.mark.parametrize("standard", ["GB3096", "GB12348", "GB22337"])
@pytest.mark.parametrize("zone", [None, ""])
def test_zone_class_required(standard: str, zone: str | None) -> None:
    raises("zone_class_required", "zone_class", standard=standard, zone_class=zone, leq=50)


@pytest.mark.parametrize(
    ("standard", "zone"),
    [("GB3096", "4"), ("GB3096", "5"), ("GB12348", "4c"), ("GB22337", "I"), ("GB12348", "-1")],
)
def test_unknown_zone_class(standard: str, zone: str) -> None:
    error = raises("unknown_zone_class", "zone_class", standard=standard, zone_class=zone, leq=50)
    assert error.params["zone_class"] == zone


def test_zone_class_spellings() -> None:
    assert judge(standard="GB3096", zone_class="2类", leq=50).zone_class == "2"
    assert judge(standard="GB3096", zone_class=" 4A ", leq=50).zone_class == "4a"


@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        ("leq", -0.1, "level_out_of_range"),
        ("leq", 200.1, "level_out_of_range"),
        ("leq", float("nan"), "not_a_number"),
        ("leq", float("inf"), "not_a_number"),
        ("leq", "55", "not_a_number"),
        ("leq", True, "not_a_number"),
        ("background", -1.0, "level_out_of_range"),
        ("background", float("nan"), "not_a_number"),
        ("lmax", 250.0, "level_out_of_range"),
        ("lmax", float("-inf"), "not_a_number"),
    ],
)
def test_bad_levels(name: str, value: Any, code: str) -> None:
    kwargs: dict[str, Any] = {"standard": "GB12348", "zone_class": "2", "leq": 50}
    kwargs[name] = value
    raises(code, name, **kwargs)


def test_edge_levels_are_accepted() -> None:
    assert judge(standard="GB12348", zone_class="2", leq=0).verdict == "compliant"
    assert judge(standard="GB12348", zone_class="2", leq=200).exceedance == 140.0
    assert judge(standard="GB12348", zone_class="2", leq=Decimal("60.1")).exceedance == 0.1


def test_background_above_measured() -> None:
    raises("background_above_measured", "background", standard="GB12348", zone_class="2", leq=50, background=50.1)


def test_lmax_below_leq() -> None:
    raises("lmax_below_leq", "lmax", standard="GB3096", zone_class="2", leq=50, lmax=49.9)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"standard": "GB3096", "zone_class": "2", "background": 40}, "background"),
        ({"standard": "GB3096", "zone_class": "2", "indoor": True}, "indoor"),
        ({"standard": "GB3096", "zone_class": "2", "structure_borne": True, "room_type": "A"}, "structure_borne"),
        ({"standard": "GB3096", "zone_class": "2", "existing_railway": True}, "existing_railway"),
        ({"standard": "GB3096", "zone_class": "2", "lmax_kind": "frequent"}, "lmax_kind"),
        ({"standard": "GB12523", "zone_class": "2"}, "zone_class"),
        ({"standard": "GB12523", "structure_borne": True}, "structure_borne"),
        ({"standard": "GB12348", "zone_class": "2", "room_type": "A"}, "room_type"),
        ({"standard": "GB12348", "zone_class": "2", "octave_bands": {63: 40}}, "octave_bands"),
        ({"standard": "GB12348", "zone_class": "4b", "existing_railway": False}, "existing_railway"),
        (
            {"standard": "GB12348", "zone_class": "2", "structure_borne": True, "room_type": "A", "indoor": True},
            "indoor",
        ),
        (
            {
                "standard": "GB12348",
                "zone_class": "2",
                "structure_borne": True,
                "room_type": "A",
                "lmax_kind": "frequent",
            },
            "lmax_kind",
        ),
        ({"standard": "GB22337", "zone_class": "2", "lmax_kind": "frequent"}, "lmax_kind"),
    ],
)
def test_input_not_applicable(kwargs: dict[str, Any], field: str) -> None:
    raises("input_not_applicable", field, leq=45, **kwargs)


def test_existing_railway_required_for_4b() -> None:
    raises("existing_railway_required", "existing_railway", standard="GB3096", zone_class="4b", leq=50)


def test_unknown_lmax_kind() -> None:
    raises(
        "unknown_lmax_kind",
        "lmax_kind",
        standard="GB12348",
        zone_class="2",
        measured_at=NIGHT,
        leq=45,
        lmax=60,
        lmax_kind="sudden",
    )


@pytest.mark.parametrize("room", [None, " "])
def test_room_type_required(room: str | None) -> None:
    raises(
        "room_type_required",
        "room_type",
        standard="GB22337",
        zone_class="2",
        structure_borne=True,
        room_type=room,
        leq=30,
    )


def test_unknown_room_type() -> None:
    raises(
        "unknown_room_type",
        "room_type",
        standard="GB22337",
        zone_class="2",
        structure_borne=True,
        room_type="C",
        leq=30,
    )


@pytest.mark.parametrize(
    ("bands", "code"),
    [
        ({1000: 30}, "unknown_octave_band"),
        ({16: 30}, "unknown_octave_band"),
        ({"63": 30}, "unknown_octave_band"),
        ({31: 60, 31.5: 60}, "duplicate_octave_band"),
        ({63: -5}, "level_out_of_range"),
        ({63: float("nan")}, "not_a_number"),
    ],
)
def test_bad_octave_bands(bands: dict[Any, Any], code: str) -> None:
    raises(
        code,
        "octave_bands",
        standard="GB12348",
        zone_class="2",
        structure_borne=True,
        room_type="A",
        leq=30,
        octave_bands=bands,
    )


def test_measured_at_must_be_a_datetime() -> None:
    raises(
        "invalid_datetime",
        "measured_at",
        standard="GB3096",
        zone_class="2",
        leq=50,
        measured_at=datetime.date(2026, 1, 1),
    )


@pytest.mark.parametrize(
    ("standard", "measured_at"),
    [
        ("GB12523", datetime.datetime(2012, 6, 30, 23, 59)),  # GB 12523-2011 from 2012-07-01
        ("GB12348", datetime.datetime(2008, 9, 30, 12, 0)),  # GB 12348-2008 from 2008-10-01
        ("GB12348", datetime.datetime(2008, 9, 30, 15, 59, tzinfo=UTC)),  # 23:59 Beijing, still the 30th
    ],
)
def test_standard_not_in_force(standard: str, measured_at: datetime.datetime) -> None:
    zone = {} if standard == "GB12523" else {"zone_class": "2"}
    raises("standard_not_in_force", "measured_at", standard=standard, measured_at=measured_at, leq=50, **zone)


def test_standard_in_force_from_its_first_day() -> None:
    # 2012-06-30 16:00 UTC = 2012-07-01 00:00 Beijing.
    v = judge(standard="GB12523", measured_at=datetime.datetime(2012, 6, 30, 16, 0, tzinfo=UTC), leq=50)
    assert v.period == "night"


@pytest.mark.parametrize(
    ("day_starts", "night_starts", "field"),
    [
        (datetime.time(22, 0), None, "day_starts"),  # equal to the default night start
        (datetime.time(8, 0), datetime.time(7, 0), "night_starts"),
        ("06:00", None, "day_starts"),
    ],
)
def test_invalid_hours(day_starts: Any, night_starts: Any, field: str) -> None:
    raises(
        "invalid_day_night_hours",
        field,
        standard="GB3096",
        zone_class="2",
        leq=50,
        day_starts=day_starts,
        night_starts=night_starts,
    )


def test_error_message_formats_its_params() -> None:
    error = raises("level_out_of_range", "leq", standard="GB3096", zone_class="2", leq=250)
    with translation.override("en"):
        assert str(error) == "leq is 250 dB, outside 0 to 200 dB."


# --- Output --------------------------------------------------------------------------------------------------


def test_as_dict_is_plain_json() -> None:
    v = judge(
        standard="GB22337",
        zone_class="4a",
        structure_borne=True,
        room_type="B",
        measured_at=NIGHT,
        leq=42.0,
        background=35.0,
        lmax=55,
        octave_bands={63: 60, 125: 40},
    )
    data = v.as_dict()
    assert json.loads(json.dumps(data)) == data
    # 4类 B night: 40; difference 7 → −1 → 41.0, 1.0 over; Lmax limit 40 + 10 = 50, 5.0 over;
    # Table 3 night B: 63 Hz 59 (+1.0), 125 Hz 48 (−8.0).
    assert data == {
        "standard": "GB 22337-2008",
        "standard_code": "GB22337",
        "clause": "4.2.1 表2",
        "period": "night",
        "measured_at_local": "2026-11-22T23:00:00",
        "zone_class": "4a",
        "room_type": "B",
        "measured": 42.0,
        "background": 35.0,
        "correction": -1,
        "corrected": 41.0,
        "limit": 40,
        "limit_clause": "4.2.1 表2",
        "exceedance": 1.0,
        "verdict": "exceeds",
        "reasons": ["structure_borne", "background_corrected", "leq_exceeds", "lmax_exceeds", "octave_band_exceeds"],
        "lmax": 55.0,
        "lmax_limit": 50,
        "lmax_exceedance": 5.0,
        "lmax_clause": "4.2.2",
        "bands": [
            {"band_hz": 63.0, "measured": 60.0, "limit": 59, "exceedance": 1.0, "exceeds": True},
            {"band_hz": 125.0, "measured": 40.0, "limit": 48, "exceedance": -8.0, "exceeds": False},
        ],
        "bands_clause": "4.2.1 表3",
    }
    assert type(data["period"]) is str and type(data["verdict"]) is str


def test_summary_compliant_and_brief_example() -> None:
    v = judge(standard="GB3096", zone_class="2", measured_at=DAY, leq=58.4)
    assert v.summary_zh() == "昼间 2类区 限值60 dB(A)，测量值58.4 dB(A)，达标"
    # The brief's example: night 2类 limit 45 does not exist in Table 1 (2类 night is 50); 1类 night is 45.
    v = judge(standard="GB12348", zone_class="1", measured_at=NIGHT, leq=53.3, background=47.0)
    # difference 6.3 → 6 → −1 → 52.3; 52.3 − 45 = 7.3
    assert v.summary_zh() == "夜间 1类区 限值45 dB(A)，修正后测量值52.3 dB(A)，超标7.3 dB(A)"


def test_no_correction_summary_says_measured() -> None:
    v = judge(standard="GB12348", zone_class="1", measured_at=NIGHT, leq=53.3, background=40.0)
    assert v.correction == 0
    assert v.summary_zh() == "夜间 1类区 限值45 dB(A)，测量值53.3 dB(A)，超标8.3 dB(A)"


def test_verdict_is_frozen() -> None:
    v = judge(standard="GB3096", zone_class="2", leq=50)
    with pytest.raises(AttributeError):
        v.verdict = "exceeds"  # type: ignore[misc]


def test_standards_mapping() -> None:
    assert {code.value: (info.name, info.title_zh) for code, info in NOISE_STANDARDS.items()} == {
        "GB3096": ("GB 3096-2008", "声环境质量标准"),
        "GB12348": ("GB 12348-2008", "工业企业厂界环境噪声排放标准"),
        "GB22337": ("GB 22337-2008", "社会生活环境噪声排放标准"),
        "GB12523": ("GB 12523-2011", "建筑施工场界环境噪声排放标准"),
    }
    assert [str(code) for code in NoiseStandard] == ["GB3096", "GB12348", "GB22337", "GB12523"]


def test_noise_fields_name_real_parameters() -> None:
    parameters = set(inspect.signature(noise_verdict).parameters) - {"standard"}
    assert set(NOISE_FIELDS) == set(NoiseStandard)
    for standard, fields in NOISE_FIELDS.items():
        names = [f.name for f in fields]
        assert len(names) == len(set(names)), standard
        assert set(names) <= parameters, standard
        assert names[:2] == ["measured_at", "leq"]
        assert all(
            f.when in {None, "boundary", "structure_borne", "zone_class_4b", "boundary_lmax_at_night"} for f in fields
        )
    assert "zone_class" not in {f.name for f in NOISE_FIELDS[NoiseStandard.GB12523]}
    assert "background" not in {f.name for f in NOISE_FIELDS[NoiseStandard.GB3096]}


@pytest.mark.parametrize("standard", list(NoiseStandard))
def test_minimal_required_fields_are_enough(standard: NoiseStandard) -> None:
    # A form that sends only the always-required fields gets a verdict.
    kwargs: dict[str, Any] = {"measured_at": DAY, "leq": 50.0}
    for f in NOISE_FIELDS[standard]:
        if f.required and f.when is None and f.name not in kwargs:
            kwargs[f.name] = f.choices[0]
    assert noise_verdict(standard=standard, **kwargs).verdict == "compliant"


# --- Properties ----------------------------------------------------------------------------------------------

levels = st.decimals(min_value=0, max_value=200, places=1).map(float)


@given(a=levels, b=levels, background=st.one_of(st.none(), st.decimals(min_value=0, max_value=60, places=1).map(float)))
def test_verdict_is_monotonic_in_leq(a: float, b: float, background: float | None) -> None:
    low, high = sorted((a, b))
    if background is not None and background > low:
        return
    kwargs: dict[str, Any] = {"standard": "GB12348", "zone_class": "2", "measured_at": NIGHT, "background": background}
    v_low, v_high = judge(leq=low, **kwargs), judge(leq=high, **kwargs)
    if v_low.corrected is not None and v_high.corrected is not None:
        # The correction shrinks as the difference grows, so the corrected level never goes down.
        assert v_low.corrected <= v_high.corrected
    if v_low.verdict == NoiseOutcome.EXCEEDS:
        assert v_high.verdict == NoiseOutcome.EXCEEDS
    if v_high.verdict == NoiseOutcome.REMEASURE:
        assert v_low.verdict == NoiseOutcome.REMEASURE


@given(leq=levels)
def test_exceedance_is_corrected_minus_limit(leq: float) -> None:
    v = judge(standard="GB3096", zone_class="3", measured_at=NIGHT, leq=leq)
    assert v.corrected is not None and v.exceedance is not None
    assert v.exceedance == round(v.corrected - 55, 1)
    assert (v.verdict == "exceeds") == (v.exceedance > 0)
