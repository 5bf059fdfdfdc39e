"""Readings back: hourly series with NaN gaps, the scan's series in two queries, daily means with GB 3095 validity,
the O3 8-hour maximum, the daily AQI of the HJ 633 version in force (checked against hand-worked numbers), the
district's daily AQI and the latest values; query counts that do not grow with the days asked for."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ecohotline.core.workdays import BEIJING
from ecohotline.factories import StationFactory
from ecohotline.monitoring import selectors
from ecohotline.monitoring.models import Reading, Station, StationKind

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def local(day: dt.date, hour: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=BEIJING)


def put(station: Station, parameter: str, start: dt.datetime, values: Sequence[float | None]) -> None:
    """Hourly readings from `start` (None: no reading that hour). Test set-up writes directly."""
    Reading.objects.bulk_create([
        Reading(station=station, parameter=parameter, at=start + index * dt.timedelta(hours=1), value=value)
        for index, value in enumerate(values) if value is not None
    ])


def put_day(station: Station, day: dt.date, hourly: Mapping[str, Sequence[float | None]]) -> None:
    for parameter, values in hourly.items():
        put(station, parameter, local(day), values)


# --- hourly series ---------------------------------------------------------------------------------------------


def test_a_series_is_hourly_from_the_start_with_nan_for_missing_hours() -> None:
    station = StationFactory(code="dongsi")
    put(station, "pm25", local(dt.date(2015, 3, 1), 1), [10, None, 12])
    put(station, "no2", local(dt.date(2015, 3, 1), 1), [99])
    with CaptureQueriesContext(connection) as queries:
        result = selectors.series(station, "pm25", dt.datetime(2015, 3, 1, 0, 30), local(dt.date(2015, 3, 1), 5))
    assert len(queries) == 1
    assert result.station == "dongsi" and result.parameter == "pm25"
    assert result.start == local(dt.date(2015, 3, 1)) and result.start.utcoffset() == dt.timedelta(hours=8)
    assert np.array_equal(result.values, [np.nan, 10, np.nan, 12, np.nan], equal_nan=True)
    later = selectors.series("dongsi", "pm25", local(dt.date(2015, 3, 2)), local(dt.date(2015, 3, 2), 3))
    assert later.values.size == 3 and np.isnan(later.values).all()


def test_the_scan_reads_every_active_station_in_one_query_whatever_the_span() -> None:
    stations = [StationFactory(code=code) for code in ("a", "b", "c")]
    StationFactory(code="off", is_active=False)
    StationFactory(code="noisy", kind=StationKind.NOISE)
    start = local(dt.date(2015, 3, 1))
    for station in [*stations, Station.objects.get(code="off")]:
        put(station, "pm25", start, [float(n) for n in range(24 * 40)])
        put(station, "o3", start + dt.timedelta(hours=5), [1.0, 2.0])
    put(stations[0], "benzene", start, [1.0])  # not a parameter the detectors know
    put(Station.objects.get(code="noisy"), "noise_leq", start, [55.0])

    counts = []
    for days in (2, 40):
        with CaptureQueriesContext(connection) as queries:
            found = selectors.series_for_scan(start, start + dt.timedelta(days=days))
        counts.append(len(queries))
        assert sorted(found) == [(code, parameter) for code in ("a", "b", "c") for parameter in ("o3", "pm25")]
        assert {len(series) for series in found.values()} == {24 * days}
        assert {series.start for series in found.values()} == {start}
    assert counts == [1, 1]
    assert np.array_equal(found["b", "o3"].values[:8], [np.nan] * 5 + [1.0, 2.0, np.nan], equal_nan=True)
    assert found["c", "pm25"].values[-1] == 24 * 40 - 1
    noise = selectors.series_for_scan(start, start + dt.timedelta(days=1), kind="noise")
    assert list(noise) == [("noisy", "noise_leq")]


# --- daily values and the AQI ----------------------------------------------------------------------------------

#: A hand-worked day: constant hourly values, O3 100 all day but 180 at 14:00.
#: 24-h means PM2.5 80, PM10 100, SO2 10, NO2 50, CO 1.0; O3 max 1 h 180; O3 8-h windows holding 14:00 (starting
#: 07:00 … 14:00) average (7 × 100 + 180) / 8 = 110.
HAND_WORKED = {"pm25": [80.0] * 24, "pm10": [100.0] * 24, "so2": [10.0] * 24, "no2": [50.0] * 24,
               "co": [1.0] * 24, "o3": [100.0] * 14 + [180.0] + [100.0] * 9}


def test_the_daily_aqi_of_a_hand_worked_day_under_hj_633_2012() -> None:
    station = StationFactory(code="dongsi")
    day = dt.date(2015, 6, 10)
    put_day(station, day, HAND_WORKED)
    (row,) = selectors.daily_rows(station, day, day)
    assert row.station == "dongsi" and row.day == day
    assert row.means == {"pm25": 80.0, "pm10": 100.0, "so2": 10.0, "no2": 50.0, "co": 1.0,
                         "o3": pytest.approx((23 * 100 + 180) / 24)}
    assert row.max_1h["o3"] == 180.0 and row.o3_8h_max == 110.0 and row.valid_hours["pm25"] == 24
    result = row.aqi
    assert result is not None and result.standard == "HJ 633-2012"
    # IAQI = (IAQI_hi − IAQI_lo) / (BP_hi − BP_lo) × (C − BP_lo) + IAQI_lo, rounded up:
    # SO2 10 → 50/50 × 10 = 10; NO2 50 → 50 + 50/40 × 10 = 62.5 → 63; PM10 100 → 50 + 50/100 × 50 = 75;
    # CO 1.0 → 50/2 × 1 = 25; O3 1 h 180 → 50 + 50/40 × 20 = 75; O3 8 h 110 → 50 + 50/60 × 10 = 58.3 → 59;
    # PM2.5 80 → 100 + 50/40 × 5 = 106.25 → 107.
    assert dict(result.iaqi) == {"so2_24h": 10, "no2_24h": 63, "pm10_24h": 75, "co_24h": 25, "o3_1h": 75,
                                 "o3_8h": 59, "pm25_24h": 107}
    assert (result.aqi, result.level, result.primary_pollutants) == (107, 3, ("pm25_24h",))


def test_the_daily_aqi_of_the_same_day_under_hj_633_2026() -> None:
    station = StationFactory(code="dongsi")
    day = dt.date(2026, 6, 10)
    put_day(station, day, HAND_WORKED)
    (row,) = selectors.daily_rows("dongsi", day, day)
    result = row.aqi
    assert result is not None and result.standard == "HJ 633-2026"
    # 2026 breakpoints: PM2.5 80 → 100 + 50/55 × 20 = 118.2 → 119; PM10 100 → 50 + 50/70 × 50 = 85.7 → 86;
    # no O3 1-hour indicator in the 2026 日报.
    assert dict(result.iaqi) == {"so2_24h": 10, "no2_24h": 63, "pm10_24h": 86, "co_24h": 25, "o3_8h": 59,
                                 "pm25_24h": 119}
    assert "o3_1h" not in row.concentrations
    assert (result.aqi, result.primary_pollutants) == (119, ("pm25_24h",))


def test_daily_means_need_20_valid_hours_and_8_hour_means_6() -> None:
    station = StationFactory(code="dongsi")
    day = dt.date(2015, 6, 10)
    put_day(station, day, {
        "pm25": [50.0] * 19 + [None] * 5,                 # 19 valid hours: no daily mean
        "pm10": [60.0] * 20 + [None] * 4,                 # 20: a mean
        "o3": [None] * 2 + [120.0] * 6 + [None] * 16,     # one window (02–10 … ) with 6 valid hours
    })
    put_day(station, day + dt.timedelta(days=1), {"o3": [150.0] * 5 + [None] * 19})  # 5 hours: no 8-h mean
    first, second, third = selectors.daily_rows(station, day, day + dt.timedelta(days=2))
    assert first.means["pm25"] is None and first.max_1h["pm25"] == 50.0 and first.valid_hours["pm25"] == 19
    assert first.means["pm10"] == 60.0
    assert first.o3_8h_max == 120.0
    assert first.aqi is not None and "pm25_24h" not in first.aqi.iaqi and "pm25_24h" in first.aqi.missing
    assert second.o3_8h_max is None and second.max_1h["o3"] == 150.0
    assert second.means == {"pm25": None, "pm10": None, "o3": None}
    assert second.aqi is not None and dict(second.aqi.iaqi) == {"o3_1h": 47}  # 50/160 × 150 = 46.9 → 47
    assert third.aqi is None and set(third.means.values()) == {None} and third.o3_8h_max is None


def test_impossible_values_count_as_missing() -> None:
    station = StationFactory(code="dongsi")
    day = dt.date(2015, 6, 10)
    put_day(station, day, {"pm25": [40.0] * 23 + [99999.0]})
    (row,) = selectors.daily_rows(station, day, day)
    assert row.valid_hours["pm25"] == 23 and row.means["pm25"] == 40.0 and row.max_1h["pm25"] == 40.0


def test_daily_rows_cost_one_query_for_a_day_or_a_month() -> None:
    station = StationFactory(code="dongsi")
    start = dt.date(2015, 6, 1)
    put(station, "pm25", local(start), [30.0] * 24 * 30)
    counts = []
    for days in (1, 30):
        with CaptureQueriesContext(connection) as queries:
            found = selectors.daily_rows(station, start, start + dt.timedelta(days=days - 1))
        counts.append(len(queries))
        assert len(found) == days and all(row.means["pm25"] == 30.0 for row in found)
    assert counts == [1, 1]
    assert selectors.daily_rows(station, start, start - dt.timedelta(days=1)) == []


def test_the_district_aqi_is_the_aqi_of_the_station_means() -> None:
    day = dt.date(2015, 6, 10)
    a, b, c = StationFactory(code="a"), StationFactory(code="b"), StationFactory(code="c")
    off = StationFactory(code="off", is_active=False)
    put_day(a, day, {"pm25": [80.0] * 24})
    put_day(b, day, {"pm25": [40.0] * 24})
    put_day(c, day, {"pm25": [500.0] * 10})  # too few hours: reports, but has no daily mean
    put_day(off, day, {"pm25": [900.0] * 24})
    counts = []
    for days in (1, 20):
        with CaptureQueriesContext(connection) as queries:
            found = selectors.district_daily_aqi(day, day + dt.timedelta(days=days - 1))
        counts.append(len(queries))
        assert len(found) == days
    assert counts == [1, 1]
    first = found[0]
    assert first.station == "" and first.stations == 3 and first.means["pm25"] == 60.0
    # PM2.5 60 under HJ 633-2012: 50 + 50/40 × 25 = 81.25 → 82
    assert first.aqi is not None and first.aqi.aqi == 82 and first.aqi.primary_pollutants == ("pm25_24h",)
    assert found[1].aqi is None and found[1].stations == 0


# --- latest ----------------------------------------------------------------------------------------------------


def test_latest_gives_the_newest_value_of_each_parameter_in_one_query() -> None:
    station = StationFactory(code="dongsi")
    other = StationFactory(code="tiantan")
    start = local(dt.date(2015, 3, 1))
    put(station, "pm25", start, [1.0, 2.0, 3.0])
    put(station, "co", start, [0.5])
    put(other, "pm25", start + dt.timedelta(hours=10), [9.0])
    with CaptureQueriesContext(connection) as queries:
        found = selectors.latest(station)
    assert len(queries) == 1
    assert sorted(found) == ["co", "pm25"]
    assert (found["pm25"].value, found["pm25"].at) == (3.0, dt.datetime(2015, 2, 28, 18, tzinfo=UTC))
    assert found["co"].unit == "mg/m³" and found["co"].value == 0.5
    assert selectors.latest("tiantan")["pm25"].value == 9.0
    assert selectors.latest(StationFactory(code="empty")) == {}


def test_nan_is_what_a_missing_hour_is() -> None:
    assert math.isnan(selectors.series(StationFactory(code="x"), "pm25", local(dt.date(2015, 1, 1)),
                                       local(dt.date(2015, 1, 1), 1)).values[0])
