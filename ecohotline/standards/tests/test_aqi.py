"""AQI under HJ 633-2012 and HJ 633-2026 (shared/domain/standards.md §5A, §5B, §8).

Every expected number below was worked by hand from the standard's table and formula (1):
IAQI = IAQI_Lo + (IAQI_Hi − IAQI_Lo) / (BP_Hi − BP_Lo) × (C − BP_Lo), rounded up (进位取整). The tables are typed
again here from standards.md rather than imported, so a wrong cell in aqi.py shows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import pytest
from django.utils.functional import Promise
from hypothesis import given, settings
from hypothesis import strategies as st

from ecohotline.standards.aqi import AqiResult, aqi
from ecohotline.standards.errors import StandardsError

ON_2012 = dt.date(2025, 6, 1)
ON_2026 = dt.date(2026, 11, 22)
LAST_DAY_2012 = dt.date(2026, 2, 28)
FIRST_DAY_2026 = dt.date(2026, 3, 1)

IAQI_ROWS = (0, 50, 100, 150, 200, 300, 400, 500)
# HJ 633-2012 表1, column by column (CO in mg/m³).
TABLE_2012 = {
    "so2_24h": (0, 50, 150, 475, 800, 1600, 2100, 2620),
    "so2_1h": (0, 150, 500, 650, 800),
    "no2_24h": (0, 40, 80, 180, 280, 565, 750, 940),
    "no2_1h": (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    "pm10_24h": (0, 50, 150, 250, 350, 420, 500, 600),
    "co_24h": (0, 2, 4, 14, 24, 36, 48, 60),
    "co_1h": (0, 5, 10, 35, 60, 90, 120, 150),
    "o3_1h": (0, 160, 200, 300, 400, 800, 1000, 1200),
    "o3_8h": (0, 100, 160, 215, 265, 800),
    "pm25_24h": (0, 35, 75, 115, 150, 250, 350, 500),
}
# HJ 633-2026 表3: only PM10 and PM2.5 changed; PM 1-hour values use the daily columns.
TABLE_2026 = {
    **TABLE_2012,
    "pm10_24h": (0, 50, 120, 250, 350, 420, 500, 600),
    "pm25_24h": (0, 35, 60, 115, 150, 250, 350, 500),
    "pm10_1h": (0, 50, 120, 250, 350, 420, 500, 600),
    "pm25_1h": (0, 35, 60, 115, 150, 250, 350, 500),
}
# Keys each report scores (the key → kind the tests use).
KIND_2012 = {"so2_24h": "daily", "no2_24h": "daily", "pm10_24h": "daily", "co_24h": "daily", "o3_1h": "daily",
             "o3_8h": "daily", "pm25_24h": "daily", "so2_1h": "hourly", "no2_1h": "hourly", "co_1h": "hourly"}
KIND_2026 = {"so2_24h": "daily", "no2_24h": "daily", "co_24h": "daily", "o3_8h": "daily", "pm10_24h": "daily",
             "pm25_24h": "daily", "so2_1h": "hourly", "no2_1h": "hourly", "co_1h": "hourly", "o3_1h": "hourly",
             "pm10_1h": "hourly", "pm25_1h": "hourly"}


def iaqi_of(key: str, value: object, on: dt.date) -> int:
    kind = (KIND_2026 if on >= FIRST_DAY_2026 else KIND_2012)[key]
    return aqi({key: value}, on=on, kind=kind).iaqi[key]  # type: ignore[dict-item]


# --- every breakpoint row -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("on", "table"), [(ON_2012, TABLE_2012), (ON_2026, TABLE_2026)], ids=["2012", "2026"])
def test_every_breakpoint_concentration_gives_its_row(on: dt.date, table: dict[str, tuple[int, ...]]) -> None:
    # At C = BP the formula gives IAQI_Hi of the segment below exactly (no rounding involved).
    for key, bounds in table.items():
        for bound, row in zip(bounds, IAQI_ROWS, strict=False):
            assert iaqi_of(key, bound, on) == row, (key, bound)


# --- one point inside every segment, both versions (columns that did not change) ------------------------------

SAME_IN_BOTH = [
    # SO2 24 h: 0/50/150/475/800/1600/2100/2620
    ("so2_24h", 20, 20),  # 0 + 50/50 × 20 = 20
    ("so2_24h", 100, 75),  # 50 + 50/100 × 50 = 75
    ("so2_24h", 300, 124),  # 100 + 50/325 × 150 = 123.08 → 124
    ("so2_24h", 600, 170),  # 150 + 50/325 × 125 = 169.23 → 170
    ("so2_24h", 1000, 225),  # 200 + 100/800 × 200 = 225
    ("so2_24h", 1800, 340),  # 300 + 100/500 × 200 = 340
    ("so2_24h", 2400, 458),  # 400 + 100/520 × 300 = 457.69 → 458
    # SO2 1 h: 0/150/500/650/800
    ("so2_1h", 75, 25),  # 50/150 × 75 = 25
    ("so2_1h", 300, 72),  # 50 + 50/350 × 150 = 71.43 → 72
    ("so2_1h", 600, 134),  # 100 + 50/150 × 100 = 133.33 → 134
    ("so2_1h", 700, 167),  # 150 + 50/150 × 50 = 166.67 → 167
    # NO2 24 h: 0/40/80/180/280/565/750/940
    ("no2_24h", 10, 13),  # 50/40 × 10 = 12.5 → 13
    ("no2_24h", 60, 75),  # 50 + 50/40 × 20 = 75
    ("no2_24h", 100, 110),  # 100 + 50/100 × 20 = 110
    ("no2_24h", 200, 160),  # 150 + 50/100 × 20 = 160
    ("no2_24h", 400, 243),  # 200 + 100/285 × 120 = 242.11 → 243
    ("no2_24h", 600, 319),  # 300 + 100/185 × 35 = 318.92 → 319
    ("no2_24h", 800, 427),  # 400 + 100/190 × 50 = 426.32 → 427
    # NO2 1 h: 0/100/200/700/1200/2340/3090/3840
    ("no2_1h", 30, 15),  # 50/100 × 30 = 15
    ("no2_1h", 150, 75),  # 50 + 50/100 × 50 = 75
    ("no2_1h", 300, 110),  # 100 + 50/500 × 100 = 110
    ("no2_1h", 1000, 180),  # 150 + 50/500 × 300 = 180
    ("no2_1h", 1500, 227),  # 200 + 100/1140 × 300 = 226.32 → 227
    ("no2_1h", 2500, 322),  # 300 + 100/750 × 160 = 321.33 → 322
    ("no2_1h", 3500, 455),  # 400 + 100/750 × 410 = 454.67 → 455
    # CO 24 h (mg/m³): 0/2/4/14/24/36/48/60; one decimal, so the 2026 rounding to 0.1 changes nothing
    ("co_24h", 1.0, 25),  # 50/2 × 1 = 25
    ("co_24h", 2.5, 63),  # 50 + 50/2 × 0.5 = 62.5 → 63 (standards.md §8)
    ("co_24h", 3.9, 98),  # 50 + 50/2 × 1.9 = 97.5 → 98 (standards.md §8)
    ("co_24h", 9.0, 125),  # 100 + 50/10 × 5 = 125
    ("co_24h", 20.0, 180),  # 150 + 50/10 × 6 = 180
    ("co_24h", 30.0, 250),  # 200 + 100/12 × 6 = 250
    ("co_24h", 40.0, 334),  # 300 + 100/12 × 4 = 333.33 → 334
    ("co_24h", 55.5, 463),  # 400 + 100/12 × 7.5 = 462.5 → 463
    # CO 1 h (mg/m³): 0/5/10/35/60/90/120/150
    ("co_1h", 2.5, 25),  # 50/5 × 2.5 = 25
    ("co_1h", 7.3, 73),  # 50 + 50/5 × 2.3 = 73 exactly (a float sum would give 73.00000000000001 → 74)
    ("co_1h", 10.5, 101),  # 100 + 50/25 × 0.5 = 101 (standards.md §8)
    ("co_1h", 40.0, 160),  # 150 + 50/25 × 5 = 160
    ("co_1h", 70.0, 234),  # 200 + 100/30 × 10 = 233.33 → 234
    ("co_1h", 100.0, 334),  # 300 + 100/30 × 10 = 333.33 → 334
    ("co_1h", 130.0, 434),  # 400 + 100/30 × 10 = 433.33 → 434
    # O3 1 h: 0/160/200/300/400/800/1000/1200
    ("o3_1h", 80, 25),  # 50/160 × 80 = 25
    ("o3_1h", 180, 75),  # 50 + 50/40 × 20 = 75
    ("o3_1h", 250, 125),  # 100 + 50/100 × 50 = 125
    ("o3_1h", 350, 175),  # 150 + 50/100 × 50 = 175
    ("o3_1h", 600, 250),  # 200 + 100/400 × 200 = 250
    ("o3_1h", 900, 350),  # 300 + 100/200 × 100 = 350
    ("o3_1h", 1100, 450),  # 400 + 100/200 × 100 = 450
    # O3 8 h: 0/100/160/215/265/800
    ("o3_8h", 50, 25),  # 50/100 × 50 = 25
    ("o3_8h", 130, 75),  # 50 + 50/60 × 30 = 75
    ("o3_8h", 200, 137),  # 100 + 50/55 × 40 = 136.36 → 137
    ("o3_8h", 240, 175),  # 150 + 50/50 × 25 = 175
    ("o3_8h", 500, 244),  # 200 + 100/535 × 235 = 243.93 → 244
    # PM10 / PM2.5 segments above IAQI 150 did not change
    ("pm10_24h", 30, 30),  # 50/50 × 30 = 30
    ("pm10_24h", 300, 175),  # 150 + 50/100 × 50 = 175
    ("pm10_24h", 400, 272),  # 200 + 100/70 × 50 = 271.43 → 272
    ("pm10_24h", 450, 338),  # 300 + 100/80 × 30 = 337.5 → 338
    ("pm10_24h", 550, 450),  # 400 + 100/100 × 50 = 450
    ("pm25_24h", 20, 29),  # 50/35 × 20 = 28.57 → 29
    ("pm25_24h", 36, 52),  # 50 + 50/(75−35 or 60−35) × 1 = 51.25 / 52 → 52 either way (§8: python-aqi says 51)
    ("pm25_24h", 130, 172),  # 150 + 50/35 × 15 = 171.43 → 172
    ("pm25_24h", 200, 250),  # 200 + 100/100 × 50 = 250
    ("pm25_24h", 300, 350),  # 300 + 100/100 × 50 = 350
    ("pm25_24h", 400, 434),  # 400 + 100/150 × 50 = 433.33 → 434
]


@pytest.mark.parametrize("on", [ON_2012, ON_2026], ids=["2012", "2026"])
@pytest.mark.parametrize(("key", "value", "expected"), SAME_IN_BOTH)
def test_segment_same_in_both_versions(on: dt.date, key: str, value: float, expected: int) -> None:
    assert iaqi_of(key, value, on) == expected


@pytest.mark.parametrize(("key", "value", "expected"), [
    # HJ 633-2012 PM10 0/50/150/250/350 and PM2.5 0/35/75/115/150
    ("pm10_24h", 120, 85),  # 50 + 50/100 × 70 = 85 (§8 table)
    ("pm10_24h", 200, 125),  # 100 + 50/100 × 50 = 125
    ("pm25_24h", 50, 69),  # 50 + 50/40 × 15 = 68.75 → 69 (§8 table)
    ("pm25_24h", 60, 82),  # 50 + 50/40 × 25 = 81.25 → 82
    ("pm25_24h", 75, 100),  # breakpoint: 100 (§8 table)
    ("pm25_24h", 75.4, 101),  # 100 + 50/40 × 0.4 = 100.5 → 101; 2012 does not round C (§8 table)
    ("pm25_24h", 100, 132),  # 100 + 50/40 × 25 = 131.25 → 132
])
def test_segment_2012_particulates(key: str, value: float, expected: int) -> None:
    assert iaqi_of(key, value, ON_2012) == expected


@pytest.mark.parametrize(("key", "value", "expected"), [
    # HJ 633-2026 PM10 0/50/120/250/350 and PM2.5 0/35/60/115/150
    ("pm10_24h", 100, 86),  # 50 + 50/70 × 50 = 85.71 → 86
    ("pm10_24h", 120, 100),  # new breakpoint 120 → 100 (§8 table)
    ("pm10_24h", 121, 101),  # 100 + 50/130 × 1 = 100.38 → 101
    ("pm10_24h", 200, 131),  # 100 + 50/130 × 80 = 130.77 → 131
    ("pm10_1h", 200, 131),  # 1-hour PM10 on the daily column: as above
    ("pm25_24h", 50, 80),  # 50 + 50/25 × 15 = 80 (§8 table)
    ("pm25_24h", 60, 100),  # new breakpoint 60 → 100
    ("pm25_24h", 61, 101),  # 100 + 50/55 × 1 = 100.91 → 101
    ("pm25_24h", 75, 114),  # 100 + 50/55 × 15 = 113.64 → 114 (§8 table)
    ("pm25_24h", 75.4, 114),  # rounded to 75 first (GB/T 8170) → 114 (§8 table)
    ("pm25_24h", 100, 137),  # 100 + 50/55 × 40 = 136.36 → 137
    ("pm25_1h", 75, 114),  # 1-hour PM2.5 on the daily column: as 24 h 75
])
def test_segment_2026_particulates(key: str, value: float, expected: int) -> None:
    assert iaqi_of(key, value, ON_2026) == expected


# --- rounding -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "value", "on", "expected"), [
    # 2026 rounds C per GB/T 8170 (half to even) before formula (1); 2012 uses C as given.
    ("pm25_24h", 0.4, ON_2026, 0),  # 0.4 → 0 → IAQI 0
    ("pm25_24h", 0.4, ON_2012, 1),  # 50/35 × 0.4 = 0.57 → 1 (§8: HJ 633 gives 1)
    ("pm25_24h", 35.5, ON_2026, 52),  # 35.5 → 36 (5, keep even) → 50 + 50/25 × 1 = 52
    ("pm25_24h", 36.5, ON_2026, 52),  # 36.5 → 36 (5, 6 is even: drop) → 52
    ("pm25_24h", 37.5, ON_2026, 56),  # 37.5 → 38 → 50 + 50/25 × 3 = 56
    ("pm25_24h", 34.5, ON_2026, 49),  # 34.5 → 34 → 50/35 × 34 = 48.57 → 49
    ("pm25_24h", 34.5, ON_2012, 50),  # 50/35 × 34.5 = 49.29 → 50
    ("pm10_24h", 50.5, ON_2026, 50),  # 50.5 → 50 (half to even) → 50
    ("pm10_24h", 50.5, ON_2012, 51),  # 50 + 50/100 × 0.5 = 50.25 → 51 (§8: HJ 633 gives 51)
    ("pm10_24h", 50.51, ON_2026, 51),  # 50.51 → 51 (more than half) → 50 + 50/70 × 1 = 50.71 → 51
    ("co_24h", 2.45, ON_2026, 60),  # 2.45 → 2.4 (5, keep the even 4) → 50 + 25 × 0.4 = 60
    ("co_24h", 2.55, ON_2026, 65),  # 2.55 → 2.6 → 50 + 25 × 0.6 = 65
    ("co_24h", 2.451, ON_2026, 63),  # 2.451 → 2.5 → 62.5 → 63
    ("co_24h", 2.45, ON_2012, 62),  # 50 + 25 × 0.45 = 61.25 → 62
    ("co_24h", 2.2, ON_2012, 55),  # 50 + 25 × 0.2 = 55 exactly (float 2.2 is 2.2000000000000002: must not give 56)
    ("co_24h", 2.04, ON_2026, 50),  # 2.04 → 2.0 → 50
    ("co_24h", 2.04, ON_2012, 51),  # 50 + 25 × 0.04 = 51 exactly
    ("co_24h", 2.041, ON_2012, 52),  # 50 + 25 × 0.041 = 51.025 → 52
    ("so2_24h", 20.0001, ON_2012, 21),  # 20.0001 → 20.0001 → 21 (any excess rounds up)
    ("so2_24h", 20.0001, ON_2026, 20),  # → 20 → 20
    ("pm25_24h", 0, ON_2026, 0),  # nothing at all: 0
])
def test_rounding(key: str, value: float, on: dt.date, expected: int) -> None:
    assert iaqi_of(key, value, on) == expected


def test_decimal_and_int_inputs_are_accepted() -> None:
    assert iaqi_of("co_24h", Decimal("2.45"), ON_2026) == 60  # as the float 2.45
    assert iaqi_of("co_24h", Decimal("2.2"), ON_2012) == 55
    assert iaqi_of("pm25_24h", 75, ON_2012) == 100


# --- rules above 800 and above the table ---------------------------------------------------------------------


def test_2012_so2_1h_above_800_uses_the_24h_value() -> None:
    # Note (2): no IAQI from SO2 1 h 900; SO2 from the 24 h value 100: 50 + 50/100 × 50 = 75.
    result = aqi({"so2_1h": 900, "so2_24h": 100, "no2_1h": 30}, on=ON_2012, kind="hourly")
    assert dict(result.iaqi) == {"so2_24h": 75, "no2_1h": 15}
    assert result.aqi == 75
    assert result.primary_pollutants == ("so2_24h",)


def test_2012_so2_24h_substitute_above_the_table() -> None:
    result = aqi({"so2_1h": 900, "so2_24h": 3000}, on=ON_2012, kind="hourly")  # 3000 > 2620: capped at 500
    assert dict(result.iaqi) == {"so2_24h": 500}
    assert result.above_scale == ("so2_24h",)


def test_2012_so2_1h_at_800_is_computed_and_the_24h_value_unused() -> None:
    result = aqi({"so2_1h": 800, "so2_24h": 1000}, on=ON_2012, kind="hourly")  # 800 is the 200 row
    assert dict(result.iaqi) == {"so2_1h": 200}


def test_2012_o3_8h_above_800_uses_the_1h_value() -> None:
    # Note (3): no IAQI from O3 8 h 900; O3 1 h 950: 300 + 100/200 × 150 = 375.
    result = aqi({"o3_8h": 900, "o3_1h": 950, "pm25_24h": 50}, on=ON_2012)
    assert dict(result.iaqi) == {"o3_1h": 375, "pm25_24h": 69}
    assert result.aqi == 375
    assert result.primary_pollutants == ("o3_1h",)
    assert result.missing == ("so2_24h", "no2_24h", "pm10_24h", "co_24h")  # o3_8h was given, so not missing


def test_2012_o3_8h_just_above_800_is_not_rounded_down() -> None:
    with pytest.raises(StandardsError) as raised:  # 800.4 > 800 under 2012 (no rounding), and no O3 1 h
        aqi({"o3_8h": 800.4}, on=ON_2012)
    assert raised.value.code == "substitute_missing"


@pytest.mark.parametrize(("values", "kind", "field", "substitute"), [
    ({"so2_1h": 801, "no2_1h": 30}, "hourly", "so2_1h", "so2_24h"),
    ({"o3_8h": 900, "pm25_24h": 30}, "daily", "o3_8h", "o3_1h"),
    ({"o3_8h": 900}, "hourly", "o3_8h", "o3_1h"),
])
def test_2012_above_800_without_the_substitute(values: dict[str, float], kind: str, field: str,
                                               substitute: str) -> None:
    with pytest.raises(StandardsError) as raised:
        aqi(values, on=ON_2012, kind=kind)  # type: ignore[arg-type]
    assert raised.value.code == "substitute_missing"
    assert raised.value.field == field
    assert raised.value.params["substitute"] == substitute


@pytest.mark.parametrize(("key", "value", "kind", "expected"), [
    ("so2_1h", 801, "hourly", 200),  # note b: > 800 → 200
    ("so2_1h", 5000, "hourly", 200),  # however high
    ("so2_1h", 800.4, "hourly", 200),  # rounds to 800 → 200 by the table as well
    ("o3_8h", 801, "daily", 300),  # note c: > 800 → 300
    ("o3_8h", 3000, "daily", 300),
    ("o3_8h", 800, "daily", 300),  # the table's last row
])
def test_2026_above_800_fixed_values(key: str, value: float, kind: str, expected: int) -> None:
    result = aqi({key: value}, on=ON_2026, kind=kind)  # type: ignore[arg-type]
    assert result.iaqi[key] == expected
    assert result.above_scale == ()


@pytest.mark.parametrize(("key", "value", "on"), [
    ("pm25_24h", 600, ON_2012), ("pm25_24h", 600, ON_2026),  # above 500 (§8: python-aqi IndexError)
    ("pm25_24h", 500.1, ON_2012),  # 2012 takes C as given
    ("co_24h", 60.04, ON_2012),
    ("so2_24h", 3000, ON_2026), ("no2_1h", 4000, ON_2026), ("o3_1h", 1300, ON_2012), ("pm10_1h", 601, ON_2026),
])
def test_above_the_table_is_capped_at_500(key: str, value: float, on: dt.date) -> None:
    # Not in HJ 633 (standards.md: UNCERTAIN); read as "the index ends at 500" and flagged.
    kind = (KIND_2026 if on >= FIRST_DAY_2026 else KIND_2012)[key]
    result = aqi({key: value}, on=on, kind=kind)  # type: ignore[arg-type]
    assert result.iaqi[key] == 500
    assert result.aqi == 500
    assert result.above_scale == (key,)
    assert result.level == 6


@pytest.mark.parametrize(("key", "value", "on"), [
    ("pm25_24h", 500, ON_2026), ("pm25_24h", 500.4, ON_2026), ("co_24h", 60.04, ON_2026),  # rounded onto the top
])
def test_the_top_row_is_not_above_the_table(key: str, value: float, on: dt.date) -> None:
    result = aqi({key: value}, on=on)
    assert result.iaqi[key] == 500
    assert result.above_scale == ()


# --- version switch --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("on", "standard", "expected"), [
    (LAST_DAY_2012, "HJ 633-2012", 94),  # PM2.5 70: 50 + 50/40 × 35 = 93.75 → 94
    (FIRST_DAY_2026, "HJ 633-2026", 110),  # PM2.5 70: 100 + 50/55 × 10 = 109.09 → 110
    (dt.date(2016, 1, 1), "HJ 633-2012", 94),
])
def test_version_switch_on_2026_03_01(on: dt.date, standard: str, expected: int) -> None:
    result = aqi({"pm25_24h": 70}, on=on)
    assert result.standard == standard
    assert result.aqi == expected


def test_o3_1h_leaves_the_daily_report_on_2026_03_01() -> None:
    assert aqi({"o3_1h": 180}, on=LAST_DAY_2012).iaqi == {"o3_1h": 75}
    with pytest.raises(StandardsError) as raised:
        aqi({"o3_1h": 180}, on=FIRST_DAY_2026)
    assert raised.value.code == "key_not_for_kind"


# --- reports: which keys ---------------------------------------------------------------------------------------


def test_2012_hourly_pm_1h_is_accepted_without_an_index() -> None:
    # 2012 实时报: PM IAQI from the 24 h sliding mean; the 1 h value is reported without an IAQI.
    result = aqi({"pm25_1h": 300, "pm25_24h": 50}, on=ON_2012, kind="hourly")
    assert dict(result.iaqi) == {"pm25_24h": 69}
    with pytest.raises(StandardsError) as raised:
        aqi({"pm25_1h": 300, "pm10_1h": 300}, on=ON_2012, kind="hourly")
    assert raised.value.code == "no_pollutants"


def test_2026_hourly_pm_uses_the_daily_breakpoints() -> None:
    result = aqi({"pm25_1h": 60, "pm10_1h": 120, "o3_1h": 80}, on=ON_2026, kind="hourly")
    assert dict(result.iaqi) == {"pm25_1h": 100, "pm10_1h": 100, "o3_1h": 25}


def test_missing_indicators_are_listed() -> None:
    result = aqi({"pm25_24h": 50}, on=ON_2026)
    assert result.missing == ("so2_24h", "no2_24h", "co_24h", "o3_8h", "pm10_24h")
    full = {"so2_24h": 5, "no2_24h": 20, "co_24h": 0.5, "o3_8h": 60, "pm10_24h": 40, "pm25_24h": 20}
    assert aqi(full, on=ON_2026).missing == ()


# --- AQI, primary pollutant, levels ---------------------------------------------------------------------------


def test_typical_day() -> None:
    values = {"so2_24h": 8, "no2_24h": 45, "co_24h": 0.8, "o3_8h": 110, "pm10_24h": 95, "pm25_24h": 48}
    result = aqi(values, on=ON_2026)
    # so2 8 → 8; no2 45 → 50 + 50/40 × 5 = 56.25 → 57; co 0.8 → 25 × 0.8 = 20; o3 110 → 50 + 50/60 × 10 = 58.33
    # → 59; pm10 95 → 50 + 50/70 × 45 = 82.14 → 83; pm25 48 → 50 + 50/25 × 13 = 76
    assert dict(result.iaqi) == {"so2_24h": 8, "no2_24h": 57, "co_24h": 20, "o3_8h": 59, "pm10_24h": 83,
                                 "pm25_24h": 76}
    assert (result.aqi, result.level, result.category, result.primary_pollutants) == (83, 2, "良", ("pm10_24h",))
    # The same day under 2012: pm10 95 → 50 + 50/100 × 45 = 72.5 → 73; pm25 48 → 50 + 50/40 × 13 = 66.25 → 67
    old = aqi(values, on=ON_2012)
    assert (old.aqi, old.primary_pollutants, old.standard) == (73, ("pm10_24h",), "HJ 633-2012")


def test_no_primary_pollutant_at_50_or_less() -> None:
    result = aqi({"pm25_24h": 35, "pm10_24h": 20}, on=ON_2026)  # 35 → 50; 20 → 20
    assert result.aqi == 50
    assert result.primary_pollutants == ()
    assert result.category == "优"


def test_primary_pollutant_just_above_50() -> None:
    result = aqi({"pm25_24h": 35.5, "pm10_24h": 20}, on=ON_2012)  # 50 + 50/40 × 0.5 = 50.63 → 51
    assert (result.aqi, result.primary_pollutants) == (51, ("pm25_24h",))


def test_tied_primary_pollutants_are_all_listed_in_table_order() -> None:
    result = aqi({"pm25_24h": 60, "no2_24h": 10, "pm10_24h": 120}, on=ON_2026)  # 100, 13, 100
    assert result.primary_pollutants == ("pm10_24h", "pm25_24h")


@pytest.mark.parametrize(("pm25", "on", "aqi_", "level", "category", "category_en", "colour", "colour_hex"), [
    (35, ON_2026, 50, 1, "优", "Excellent", "green", "#00E400"),  # 35 → 50
    (35.5, ON_2012, 51, 2, "良", "Good", "yellow", "#FFFF00"),  # 50.63 → 51
    (75, ON_2012, 100, 2, "良", "Good", "yellow", "#FFFF00"),
    (61, ON_2026, 101, 3, "轻度污染", "Lightly polluted", "orange", "#FF7E00"),  # 100.91 → 101
    (115, ON_2026, 150, 3, "轻度污染", "Lightly polluted", "orange", "#FF7E00"),
    (116, ON_2026, 152, 4, "中度污染", "Moderately polluted", "red", "#FF0000"),  # 150 + 50/35 × 1 = 151.43 → 152
    (150, ON_2012, 200, 4, "中度污染", "Moderately polluted", "red", "#FF0000"),
    (151, ON_2012, 201, 5, "重度污染", "Heavily polluted", "purple", "#99004C"),  # 200 + 100/100 × 1 = 201
    (250, ON_2026, 300, 5, "重度污染", "Heavily polluted", "purple", "#99004C"),
    (251, ON_2026, 301, 6, "严重污染", "Severely polluted", "maroon", "#7E0023"),  # 300 + 1 = 301
    (500, ON_2026, 500, 6, "严重污染", "Severely polluted", "maroon", "#7E0023"),
    (0, ON_2026, 0, 1, "优", "Excellent", "green", "#00E400"),  # 0 is below Table 1's 1～50: read as level 1
])
def test_levels(pm25: float, on: dt.date, aqi_: int, level: int, category: str, category_en: str, colour: str,
                colour_hex: str) -> None:
    result = aqi({"pm25_24h": pm25}, on=on)
    assert (result.aqi, result.level, result.category, result.category_en, result.colour, result.colour_hex) == (
        aqi_, level, category, category_en, colour, colour_hex)


def test_result_is_frozen_and_serialisable() -> None:
    result = aqi({"pm25_24h": 600, "o3_8h": 130}, on=ON_2026)
    assert isinstance(result, AqiResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.aqi = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        result.iaqi["pm25_24h"] = 1  # type: ignore[index]
    data = json.loads(json.dumps(result.as_dict()))
    assert data == {
        "aqi": 500, "level": 6, "category": "严重污染", "category_en": "Severely polluted", "colour": "maroon",
        "colour_hex": "#7E0023", "primary_pollutants": ["pm25_24h"], "iaqi": {"pm25_24h": 500, "o3_8h": 75},
        "standard": "HJ 633-2026", "missing": ["so2_24h", "no2_24h", "co_24h", "pm10_24h"],
        "above_scale": ["pm25_24h"],
    }
    assert result == aqi({"pm25_24h": 600, "o3_8h": 130}, on=ON_2026)
    assert {field.name for field in dataclasses.fields(AqiResult)} == set(data)


# --- errors ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("values", "kwargs", "code", "field"), [
    ({"pm25_24h": -1}, {}, "negative_value", "pm25_24h"),
    ({"pm25_24h": -0.0001}, {}, "negative_value", "pm25_24h"),
    ({"co_1h": -1}, {"kind": "hourly"}, "negative_value", "co_1h"),
    ({"pm25_24h": math.nan}, {}, "not_finite", "pm25_24h"),
    ({"pm25_24h": math.inf}, {}, "not_finite", "pm25_24h"),
    ({"pm25_24h": -math.inf}, {}, "not_finite", "pm25_24h"),
    ({"pm25_24h": Decimal("NaN")}, {}, "not_finite", "pm25_24h"),
    ({"pm2.5": 30}, {}, "unknown_key", "pm2.5"),
    ({"PM25_24H": 30}, {}, "unknown_key", "PM25_24H"),
    ({}, {}, "no_pollutants", None),
    ({"so2_1h": 30}, {}, "key_not_for_kind", "so2_1h"),  # 1-hour SO2 is for the 实时报 only
    ({"co_24h": 1}, {"kind": "hourly"}, "key_not_for_kind", "co_24h"),
    ({"pm25_1h": 30}, {}, "key_not_for_kind", "pm25_1h"),
    ({"o3_8h": 30}, {"kind": "hourly"}, "key_not_for_kind", "o3_8h"),  # 2026 实时报: 1-hour values only
    ({"pm25_24h": "30"}, {}, "not_a_number", "pm25_24h"),
    ({"pm25_24h": None}, {}, "not_a_number", "pm25_24h"),
    ({"pm25_24h": True}, {}, "not_a_number", "pm25_24h"),
    ({"pm25_24h": 30}, {"kind": "weekly"}, "invalid_kind", "kind"),
    ({"pm25_24h": 30}, {"kind": ["daily"]}, "invalid_kind", "kind"),
    ({"pm25_24h": 30}, {"on": dt.datetime(2026, 3, 1, 12)}, "invalid_date", "on"),
    ({"pm25_24h": 30}, {"on": "2026-03-01"}, "invalid_date", "on"),
    ([("pm25_24h", 30)], {}, "not_a_mapping", None),
])
def test_errors(values: object, kwargs: dict[str, object], code: str, field: str | None) -> None:
    call = {"on": ON_2026, **kwargs}
    with pytest.raises(StandardsError) as raised:
        aqi(values, **call)  # type: ignore[arg-type]
    error = raised.value
    assert error.code == code
    assert error.field == field
    assert isinstance(error.message, Promise)  # gettext_lazy, translated when shown
    text = str(error)
    assert "%(" not in text and text.endswith(".")


def test_errors_2012_no_pollutants_and_key_not_for_kind() -> None:
    with pytest.raises(StandardsError) as raised:
        aqi({"pm25_1h": 30}, on=ON_2012)  # 2012 日报 has no PM 1 h
    assert raised.value.code == "key_not_for_kind"
    assert raised.value.params["standard"] == "HJ 633-2012"
    with pytest.raises(StandardsError) as raised:
        aqi({}, on=ON_2012, kind="hourly")
    assert raised.value.code == "no_pollutants"
    assert "so2_1h" in str(raised.value)


def test_bad_values_are_refused_even_when_not_scored() -> None:
    with pytest.raises(StandardsError) as raised:  # 2012 实时报 accepts PM 1 h without scoring it
        aqi({"pm25_1h": -5, "pm25_24h": 30}, on=ON_2012, kind="hourly")
    assert raised.value.code == "negative_value"


# --- properties -----------------------------------------------------------------------------------------------


def _columns() -> list[tuple[dt.date, str, str, float]]:
    """(date, key, kind, highest concentration to try) for every scored column of both versions."""
    cases = []
    for on, kinds, table in ((ON_2012, KIND_2012, TABLE_2012), (ON_2026, KIND_2026, TABLE_2026)):
        for key, kind in kinds.items():
            top = table[key][-1]
            # 2012 notes (2)/(3): above 800 there is no IAQI of this key at all, so stop at 800 there.
            ceiling = top if on == ON_2012 and key in ("so2_1h", "o3_8h") else top * 1.3
            cases.append((on, key, kind, ceiling))
    return cases


@pytest.mark.parametrize(("on", "key", "kind", "ceiling"), _columns())
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_iaqi_is_monotonic(on: dt.date, key: str, kind: str, ceiling: float, data: st.DataObject) -> None:
    low = data.draw(st.floats(min_value=0, max_value=ceiling, allow_nan=False))
    high = data.draw(st.floats(min_value=low, max_value=ceiling, allow_nan=False))
    low_iaqi = aqi({key: low}, on=on, kind=kind).iaqi[key]  # type: ignore[arg-type]
    high_iaqi = aqi({key: high}, on=on, kind=kind).iaqi[key]  # type: ignore[arg-type]
    assert 0 <= low_iaqi <= high_iaqi <= 500


def _reference(key: str, value: Decimal, on: dt.date) -> int:
    """Formula (1) in exact fractions on the decimal value, from the tables typed above."""
    if on >= FIRST_DAY_2026:
        value = value.quantize(Decimal("0.1") if key.startswith("co") else Decimal(1), rounding=ROUND_HALF_EVEN)
        table = TABLE_2026
    else:
        table = TABLE_2012
    c = Fraction(value)
    bounds = table[key]
    if c > bounds[-1]:
        return 500
    for j in range(1, len(bounds)):
        if c <= bounds[j]:
            lo, hi = bounds[j - 1], bounds[j]
            return math.ceil(IAQI_ROWS[j - 1] + Fraction(IAQI_ROWS[j] - IAQI_ROWS[j - 1], hi - lo) * (c - lo))
    return 0  # not reached


@pytest.mark.parametrize(("on", "key", "kind", "ceiling"), [case for case in _columns()
                                                            if case[1] not in ("so2_1h", "o3_8h")])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_iaqi_matches_exact_decimal_arithmetic(on: dt.date, key: str, kind: str, ceiling: float,
                                               data: st.DataObject) -> None:
    places = data.draw(st.integers(min_value=0, max_value=4))
    value = data.draw(st.decimals(min_value=0, max_value=Decimal(str(ceiling)), places=places))
    got = aqi({key: float(value)}, on=on, kind=kind).iaqi[key]  # type: ignore[arg-type]
    assert got == _reference(key, value, on), value
