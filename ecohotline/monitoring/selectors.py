"""Reading station data back (监测数据查询): hourly series for the detectors, daily values and the daily AQI.

Every function here costs a fixed number of queries, whatever the number of days or hours asked for: the hourly
readings of the span come in one ordered query and are laid out on an hourly numpy grid (NaN = missing hour).
Days are Beijing calendar days (00:00–24:00 local); hours are the start of the hour, like ``Reading.at``.

Daily values follow GB 3095 data validity: a 24-hour mean needs ≥ 20 valid hours
(:data:`detectors.VALID_HOURS_24H`), an 8-hour mean ≥ 6 (:data:`detectors.VALID_HOURS_8H`); the O3 daily maximum
8-hour mean is taken over the 17 windows that lie inside the day (00–08 … 16–24, GB 3095-2012's "8 时至 24 时"
ends). Values a station cannot have measured (below the parameter's physical minimum or above its physical maximum,
which the ``impossible_value`` detector reports) count as missing. The daily AQI is HJ 633's 日报 of the version in
force on the day (:func:`standards.aqi.aqi`): 2012 gets the five 24-hour means, O3 max 1 h and O3 max 8 h; 2026 the
five 24-hour means and O3 max 8 h. Concentrations go in unrounded (HJ 633-2026 rounds them itself; HJ 633-2012 sets
no rounding).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from django.db import connection
from django.db.models import IntegerField, OuterRef, Subquery
from django.db.models.expressions import RawSQL

from ecohotline.core.workdays import BEIJING
from ecohotline.monitoring.detectors import PARAMETERS, VALID_HOURS_8H, VALID_HOURS_24H, Series
from ecohotline.monitoring.models import Reading, Station
from ecohotline.standards.aqi import HJ633_2012, HJ633_2026, HJ633_2026_IN_FORCE_FROM, REPORT_KEYS, AqiResult, aqi
from ecohotline.standards.errors import StandardsError

__all__ = [
    "AIR_DAILY_PARAMETERS", "DailyRow", "LatestReading", "daily_rows", "district_daily_aqi", "latest", "series",
    "series_for_scan",
]  # fmt: skip

FloatArray = npt.NDArray[np.float64]
HOUR: Final = dt.timedelta(hours=1)
DAY_HOURS: Final = 24
O3_WINDOW_HOURS: Final = 8
#: The pollutants of the daily AQI, in HJ 633's order.
AIR_DAILY_PARAMETERS: Final = ("so2", "no2", "pm10", "co", "o3", "pm25")
STREAM_CHUNK: Final = 20_000


@dataclass(frozen=True)
class DailyRow:
    """One station's (or, from :func:`district_daily_aqi`, the district's) day: 日均值, 最大小时值, O3 日最大 8 小时.

    ``means``: 24-hour mean per parameter, None with fewer than 20 valid hours. ``max_1h``: the highest valid
    hourly value (None: no valid hour). ``valid_hours``: valid hours per parameter. ``o3_8h_max``: the highest
    8-hour mean of the day (windows with ≥ 6 valid hours; None: no such window). ``aqi``: the 日报 AQI of the day,
    None when nothing the standard uses is available. For the district, ``station`` is empty, the values are the
    means over the stations that have one, and ``stations`` says how many stations had any data that day.
    """

    station: str
    day: dt.date
    means: Mapping[str, float | None]
    max_1h: Mapping[str, float | None]
    valid_hours: Mapping[str, int]
    o3_8h_max: float | None
    aqi: AqiResult | None
    stations: int = 1
    concentrations: Mapping[str, float] = field(default_factory=dict)  # what went into the AQI, by HJ 633 key


@dataclass(frozen=True)
class LatestReading:
    """The most recent reading of one parameter at a station (实时数据)."""

    parameter: str
    at: dt.datetime
    value: float
    unit: str


# --- helpers -------------------------------------------------------------------------------------------------------


def _station(station: Station | str) -> Station:
    return station if isinstance(station, Station) else Station.objects.get(code=station)


def _local_hour(moment: dt.datetime) -> dt.datetime:
    """``moment`` (naive = Beijing time) as an aware Beijing time, floored to the hour."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=BEIJING)
    return moment.astimezone(BEIJING).replace(minute=0, second=0, microsecond=0)


def _hours_between(start: dt.datetime, end: dt.datetime) -> int:
    """Whole hours from ``start`` (on the hour) to ``end`` (exclusive), a partial last hour included."""
    return max(0, math.ceil((end - start) / HOUR))


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=BEIJING)


def _hour_index(origin: dt.datetime) -> RawSQL:
    """The hours from ``origin`` to ``Reading.at``, worked out by the database: turning a quarter of a million
    stored times into Python datetimes and back would cost more than the rest of a scan's read."""
    column = f"{connection.ops.quote_name(Reading._meta.db_table)}.{connection.ops.quote_name('at')}"
    if connection.vendor == "sqlite":
        seconds = f"CAST(strftime('%%s', {column}) AS INTEGER)"  # `at` is stored as UTC text
    elif connection.vendor == "postgresql":
        seconds = f"CAST(EXTRACT(EPOCH FROM {column}) AS BIGINT)"
    else:  # pragma: no cover - the project runs on SQLite and PostgreSQL only
        raise NotImplementedError(connection.vendor)
    return RawSQL(f"(({seconds}) - %s) / 3600", (int(origin.timestamp()),), output_field=IntegerField())


def _fill(rows: Iterable[tuple[Any, ...]], hours: int, key_of: Any) -> dict[Any, FloatArray]:
    """Rows of (…, hour index, value), ordered by key then time, laid out as one hourly array per key."""
    grids: dict[Any, FloatArray] = {}
    current_key: Any = None
    positions: list[int] = []
    values: list[float] = []

    def flush() -> None:
        if current_key is None:
            return
        grid = np.full(hours, np.nan)
        index = np.asarray(positions, dtype=np.intp)
        inside = (index >= 0) & (index < hours)
        grid[index[inside]] = np.asarray(values, dtype=np.float64)[inside]
        grids[current_key] = grid

    for row in rows:
        key = key_of(row)
        if key != current_key:
            flush()
            current_key, positions, values = key, [], []
        positions.append(row[-2])
        values.append(row[-1])
    flush()
    return grids


def _plausible(parameter: str, values: FloatArray) -> FloatArray:
    spec = PARAMETERS.get(parameter)
    if spec is None:
        return values
    with np.errstate(invalid="ignore"):
        bad = (values < spec.physical_min) | (values > spec.physical_max)
    return np.where(bad, np.nan, values) if bad.any() else values


# --- hourly series -------------------------------------------------------------------------------------------------


def series(station: Station | str, parameter: str, start: dt.datetime, end: dt.datetime) -> Series:
    """The hourly series of one station × parameter from ``start`` (floored to the hour) to ``end`` (exclusive),
    NaN for missing hours; ``Series.start`` is in Beijing time (the detectors read the hour of day from it)."""
    found = _station(station)
    origin = _local_hour(start)
    end = end.replace(tzinfo=BEIJING) if end.tzinfo is None else end
    hours = _hours_between(origin, end)
    rows = (Reading.objects.filter(station=found, parameter=parameter, at__gte=origin, at__lt=end)
            .order_by("at").annotate(hour=_hour_index(origin)).values_list("hour", "value"))
    grid = _fill(rows, hours, lambda row: 0).get(0, np.full(hours, np.nan))
    return Series(found.code, parameter, origin, grid)


def series_for_scan(start: dt.datetime, end: dt.datetime, *, kind: str = "air") -> dict[tuple[str, str], Series]:
    """Every active station of ``kind`` × every parameter of that medium that has a reading in [start, end): one
    hourly series each, all with the same start and length (what :func:`detectors.detect_all` takes).

    One query in all (the readings of the active stations, ordered by station, parameter and hour on the
    station × parameter × hour index, streamed), whatever the number of stations or hours. Pairs without any
    reading in the span are left out (a station that never measures CO
    should not raise a gap alert); pass enough history (the detectors want 29 days) so that a station that fell
    silent shows as an ongoing gap.
    """
    origin = _local_hour(start)
    end = end.replace(tzinfo=BEIJING) if end.tzinfo is None else end
    hours = _hours_between(origin, end)
    parameters = [code for code, spec in PARAMETERS.items() if spec.medium == kind]
    if not parameters or hours == 0:
        return {}
    rows = (Reading.objects.filter(station__is_active=True, station__kind=kind, parameter__in=parameters,
                                   at__gte=origin, at__lt=end)
            .order_by("station_id", "parameter", "at").annotate(hour=_hour_index(origin))
            .values_list("station__code", "parameter", "hour", "value").iterator(chunk_size=STREAM_CHUNK))
    grids = _fill(rows, hours, lambda row: (row[0], row[1]))
    return {(code, parameter): Series(code, parameter, origin, grid) for (code, parameter), grid in grids.items()}


# --- daily values --------------------------------------------------------------------------------------------------


@dataclass
class _Day:
    means: dict[str, float | None]
    max_1h: dict[str, float | None]
    valid: dict[str, int]
    o3_8h: float | None


def _daily_stats(grids: Mapping[str, FloatArray], days: int) -> list[_Day]:
    """Per-day 24-h means (≥ 20 valid hours), maxima and the O3 8-h maximum of one station's hourly arrays."""
    out = [_Day({}, {}, {}, None) for _ in range(days)]
    for parameter, values in grids.items():
        matrix = _plausible(parameter, values).reshape(days, DAY_HOURS)
        valid = ~np.isnan(matrix)
        counts = valid.sum(axis=1)
        sums = np.where(valid, matrix, 0.0).sum(axis=1)
        highest = np.where(valid, matrix, -np.inf).max(axis=1)
        for index in range(days):
            count = int(counts[index])
            day = out[index]
            day.valid[parameter] = count
            day.means[parameter] = round(float(sums[index]) / count, 6) if count >= VALID_HOURS_24H else None
            day.max_1h[parameter] = float(highest[index]) if count else None
        if parameter == "o3":
            windows = np.lib.stride_tricks.sliding_window_view(matrix, O3_WINDOW_HOURS, axis=1)  # days × 17 × 8
            window_valid = ~np.isnan(windows)
            window_counts = window_valid.sum(axis=2)
            window_sums = np.where(window_valid, windows, 0.0).sum(axis=2)
            with np.errstate(invalid="ignore", divide="ignore"):
                means = np.where(window_counts >= VALID_HOURS_8H, window_sums / np.maximum(window_counts, 1), -np.inf)
            best = means.max(axis=1)
            for index in range(days):
                out[index].o3_8h = round(float(best[index]), 6) if math.isfinite(best[index]) else None
    return out


def _daily_aqi(day: dt.date, means: Mapping[str, float | None], max_1h: Mapping[str, float | None],
               o3_8h: float | None) -> tuple[AqiResult | None, dict[str, float]]:  # fmt: skip
    """The 日报 AQI of a day under the HJ 633 version in force on it, and the concentrations it was given."""
    standard = HJ633_2026 if day >= HJ633_2026_IN_FORCE_FROM else HJ633_2012
    allowed = REPORT_KEYS[standard, "daily"]
    given: dict[str, float] = {}
    for parameter in AIR_DAILY_PARAMETERS:
        mean = means.get(parameter)
        if mean is not None and f"{parameter}_24h" in allowed:
            given[f"{parameter}_24h"] = mean
    if o3_8h is not None:
        given["o3_8h"] = o3_8h
    o3_1h = max_1h.get("o3")
    if "o3_1h" in allowed and o3_1h is not None:
        given["o3_1h"] = o3_1h
    if not given:
        return None, given
    try:
        return aqi(given, on=day, kind="daily"), given
    except StandardsError:
        return None, given


def _day_range(start_date: dt.date, end_date: dt.date) -> tuple[dt.datetime, dt.datetime, int]:
    days = (end_date - start_date).days + 1
    if days <= 0:
        return _midnight(start_date), _midnight(start_date), 0
    return _midnight(start_date), _midnight(end_date + dt.timedelta(days=1)), days


def daily_rows(station: Station | str, start_date: dt.date, end_date: dt.date) -> list[DailyRow]:
    """One :class:`DailyRow` per Beijing day from ``start_date`` to ``end_date`` (both included) for the air
    parameters of one station: one query for the readings (plus one to find the station when given its code)."""
    found = _station(station)
    start, end, days = _day_range(start_date, end_date)
    if days == 0:
        return []
    rows = (Reading.objects.filter(station=found, parameter__in=AIR_DAILY_PARAMETERS, at__gte=start, at__lt=end)
            .order_by("parameter", "at").annotate(hour=_hour_index(start)).values_list("parameter", "hour", "value"))
    grids = _fill(rows, days * DAY_HOURS, lambda row: row[0])
    result = []
    for index, stats in enumerate(_daily_stats(grids, days)):
        day = start_date + dt.timedelta(days=index)
        verdict, given = _daily_aqi(day, stats.means, stats.max_1h, stats.o3_8h)
        result.append(DailyRow(found.code, day, stats.means, stats.max_1h, stats.valid, stats.o3_8h, verdict,
                               1, given))  # fmt: skip
    return result


def _mean(values: Sequence[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return round(sum(present) / len(present), 6) if present else None


def district_daily_aqi(start_date: dt.date, end_date: dt.date) -> list[DailyRow]:
    """The district's daily values and AQI (全区日报) from ``start_date`` to ``end_date`` (both included): per day,
    each concentration (24-h means, O3 max 1 h and max 8 h) is the mean of the active air stations' valid values
    that day, then the AQI of those means, as the city-level 日报 is computed. One query in all.
    """
    start, end, days = _day_range(start_date, end_date)
    if days == 0:
        return []
    rows = (Reading.objects.filter(station__is_active=True, station__kind="air", parameter__in=AIR_DAILY_PARAMETERS,
                                   at__gte=start, at__lt=end)
            .order_by("station_id", "parameter", "at").annotate(hour=_hour_index(start))
            .values_list("station_id", "parameter", "hour", "value").iterator(chunk_size=STREAM_CHUNK))  # fmt: skip
    grids = _fill(rows, days * DAY_HOURS, lambda row: (row[0], row[1]))
    by_station: dict[int, dict[str, FloatArray]] = {}
    for (station, parameter), grid in grids.items():
        by_station.setdefault(station, {})[parameter] = grid
    stats = [_daily_stats(station_grids, days) for station_grids in by_station.values()]
    result = []
    for index in range(days):
        day = start_date + dt.timedelta(days=index)
        of_day = [station_days[index] for station_days in stats]
        reporting = sum(1 for station_day in of_day if any(station_day.valid.values()))
        means = {p: _mean([s.means.get(p) for s in of_day]) for p in AIR_DAILY_PARAMETERS}
        max_1h = {p: _mean([s.max_1h.get(p) for s in of_day]) for p in AIR_DAILY_PARAMETERS}
        valid = {p: sum(s.valid.get(p, 0) for s in of_day) for p in AIR_DAILY_PARAMETERS}
        o3_8h = _mean([s.o3_8h for s in of_day])
        verdict, given = _daily_aqi(day, means, max_1h, o3_8h)
        result.append(DailyRow("", day, means, max_1h, valid, o3_8h, verdict, reporting, given))
    return result


# --- latest --------------------------------------------------------------------------------------------------------


def latest(station: Station | str) -> dict[str, LatestReading]:
    """The latest reading of every parameter the station has reported, by parameter code (one query, on the
    station × parameter × hour index; plus one to find the station when given its code)."""
    found = _station(station)
    newest = (Reading.objects.filter(station=found, parameter=OuterRef("parameter"))
              .order_by("-at").values("at")[:1])
    rows = (Reading.objects.filter(station=found, at=Subquery(newest))
            .order_by("parameter").values_list("parameter", "at", "value"))
    return {
        parameter: LatestReading(parameter, at, value, PARAMETERS[parameter].unit if parameter in PARAMETERS else "")
        for parameter, at, value in rows
    }
