"""The early-warning detectors: planted episodes are found, clean series stay quiet, nothing looks ahead.

Pure tests (no database): synthetic hourly series with a seasonal and a diurnal cycle and autocorrelated
multiplicative noise, shared across stations like a regional air mass, plus planted faults.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecohotline.monitoring import detectors as det
from ecohotline.monitoring.detectors import Hit, Limit, Series

BEIJING = timezone(timedelta(hours=8))
START = datetime(2015, 3, 1, tzinfo=BEIJING)
HOUR = timedelta(hours=1)
STATIONS = ("Dongsi", "Tiantan", "Guanyuan", "Wanliu", "Gucheng", "Huairou")
#: (typical level, seasonal amplitude, diurnal amplitude, diurnal peak hour) of a clean station, in the detectors'
#: units (CO mg/m³). Clean means below every GB 3095 二级 limit, as in a good year.
LEVELS = {
    "pm25": (30.0, 0.3, 0.2, 21), "pm10": (60.0, 0.3, 0.2, 21), "so2": (8.0, 0.5, 0.2, 10),
    "no2": (35.0, 0.2, 0.3, 20), "co": (0.7, 0.4, 0.2, 21), "o3": (45.0, 0.4, 0.5, 15),
}  # fmt: skip


def ar_noise(rng: np.random.Generator, hours: int, sd: float, phi: float = 0.9) -> np.ndarray:
    """AR(1) noise with the given stationary standard deviation (hourly readings are strongly autocorrelated)."""
    innovations = rng.normal(0.0, sd * np.sqrt(1 - phi**2), hours)
    out = np.empty(hours)
    out[0] = rng.normal(0.0, sd)
    for index in range(1, hours):
        out[index] = phi * out[index - 1] + innovations[index]
    return out


def clean_values(parameter: str, hours: int, *, seed: int, regional: np.ndarray | None = None) -> np.ndarray:
    level, seasonal, diurnal, peak = LEVELS[parameter]
    rng = np.random.default_rng(seed)
    hour = np.arange(hours)
    season = 1 + seasonal * np.cos(2 * np.pi * (hour / 24 - 300) / 365)
    day = 1 + diurnal * np.cos(2 * np.pi * ((START.hour + hour) % 24 - peak) / 24)
    noise = ar_noise(rng, hours, 0.12) + (regional if regional is not None else 0.0)
    return level * season * day * np.exp(noise)


def series(values: np.ndarray, *, parameter: str = "pm25", station: str = "Dongsi",
           start: datetime = START) -> Series:  # fmt: skip
    return Series(station, parameter, start, np.asarray(values, dtype=float))


def network(hours: int, *, seed: int = 1) -> dict[tuple[str, str], Series]:
    """Clean series of every station × parameter, sharing a regional signal per parameter."""
    rng = np.random.default_rng(seed)
    result = {}
    for number, parameter in enumerate(LEVELS):
        regional = ar_noise(rng, hours, 0.15, phi=0.97)
        for index, station in enumerate(STATIONS):
            values = clean_values(parameter, hours, seed=seed * 100 + number * 10 + index, regional=regional)
            result[station, parameter] = series(values, parameter=parameter, station=station)
    return result


def of(hits: list[Hit], detector: str, **fields: object) -> list[Hit]:
    return [hit for hit in hits if hit.detector == detector
            and all(getattr(hit, name) == value for name, value in fields.items())]  # fmt: skip


# --- Series ---------------------------------------------------------------------------------------------------------
def test_series_needs_an_aware_start_on_the_hour() -> None:
    with pytest.raises(ValueError, match="aware"):
        Series("Dongsi", "pm25", datetime(2015, 3, 1), np.zeros(3))
    with pytest.raises(ValueError, match="on the hour"):
        Series("Dongsi", "pm25", START + timedelta(minutes=5), np.zeros(3))


def test_series_values_are_a_read_only_float_copy() -> None:
    raw = np.array([1, 2, 3])
    made = series(raw)
    raw[0] = 99
    assert made.values.dtype == np.float64 and made.values[0] == 1.0
    with pytest.raises(ValueError):
        made.values[0] = 5.0
    assert made.hour(25) == START + 25 * HOUR and made.index_of(START + 25 * HOUR) == 25


# --- quiet on clean data ---------------------------------------------------------------------------------------------
def test_a_clean_year_raises_no_alert_at_all() -> None:
    """A year of clean, seasonal, diurnal, noisy data at six stations: no pollution and no data-quality alert."""
    hits = det.detect_all(network(24 * 365))
    assert hits == []


def test_a_smooth_slow_rise_is_not_a_sudden_rise() -> None:
    """PM2.5 climbing smoothly from 30 to 250 µg/m³ over two days (a build-up, not a local event)."""
    values = clean_values("pm25", 24 * 60, seed=7)
    ramp = np.linspace(0.0, 220.0, 48)
    values[24 * 50 : 24 * 52] += ramp
    values[24 * 52 :] += 220.0
    assert det.detect_sudden_rises(series(values)) == []


def test_a_slow_seasonal_climb_is_not_a_sudden_rise() -> None:
    """A level that triples over 90 days: the 28-day baseline follows it."""
    hours = 24 * 120
    values = clean_values("pm25", hours, seed=8) * np.linspace(1.0, 3.0, hours)
    assert det.detect_sudden_rises(series(values)) == []


def test_low_quiet_series_do_not_alarm_on_noise() -> None:
    """SO2 at 3–6 µg/m³ with noise of 50 %: large robust z, tiny absolute change — the floor keeps it quiet."""
    rng = np.random.default_rng(3)
    values = 4.0 * np.exp(rng.normal(0.0, 0.5, 24 * 60))
    hits = det.detect_all({("Dongsi", "so2"): series(values, parameter="so2")})
    assert of(hits, det.SUDDEN_RISE) == [] and of(hits, det.EXCEEDS_LIMIT) == []


# --- planted pollution episodes ------------------------------------------------------------------------------------
def test_a_six_hour_pm25_spike_is_a_sudden_rise_episode() -> None:
    values = clean_values("pm25", 24 * 40, seed=11)
    spike = 24 * 35 + 9
    values[spike : spike + 6] += 200.0
    hits = det.detect_sudden_rises(series(values))
    assert hits and all(START + spike * HOUR <= hit.at < START + (spike + 6) * HOUR for hit in hits)
    found = det.episodes(hits)
    assert len(found) == 1
    episode = found[0]
    assert episode.first == START + spike * HOUR
    assert episode.detector == det.SUDDEN_RISE and episode.category == det.POLLUTION
    peak = episode.peak
    assert peak.expected is not None and peak.value - peak.expected >= 150
    assert peak.params["z"] >= det.RISE_Z and peak.params["baseline_days"] == 28


def test_a_sudden_rise_needs_a_baseline() -> None:
    """The first days of a station have no 28-day history: no hit even for a big jump."""
    values = clean_values("pm25", 24 * 5, seed=12)
    values[24 * 3 : 24 * 3 + 6] += 300.0
    assert det.detect_sudden_rises(series(values)) == []


def test_pm25_24_hour_mean_above_75_is_an_exceedance() -> None:
    values = np.full(24 * 4, 40.0)
    values[24 * 2 : 24 * 3] = 130.0  # one day at 130: the 24-h mean crosses 75 in its tenth hour
    hits = det.detect_exceedances(series(values))
    assert hits
    first = hits[0]
    assert first.at == START + (24 * 2 + 9) * HOUR  # 10 h at 130 and 14 at 40: 77.5 > 75; 9 h: 73.75
    assert {hit.params["limit"] for hit in hits} == {75.0}
    assert all(hit.params["standard"] == det.GB3095_2012 and hit.params["averaging_hours"] == 24 for hit in hits)
    assert max(hit.value for hit in hits) == pytest.approx(130.0)
    assert max(hits, key=lambda hit: hit.value).severity == det.MEDIUM  # 130 / 75 = 1.73
    assert len(det.episodes(hits)) == 1


def test_the_24_hour_mean_needs_20_valid_hours() -> None:
    values = np.full(24 * 3, 200.0)
    values[::6] = np.nan  # 4 of every 24 missing: 20 valid, still a mean
    assert det.detect_exceedances(series(values))
    values[1::6] = np.nan  # 8 of every 24 missing: no 24-h mean, no verdict
    assert det.detect_exceedances(series(values)) == []


def test_the_limit_in_force_depends_on_the_date() -> None:
    """A 24-h PM2.5 mean of 70: fine under GB 3095-2012 (75), an exceedance under GB 3095-2026 过渡阶段 (60)."""
    values = np.full(24 * 3, 70.0)
    assert det.detect_exceedances(series(values)) == []
    later = det.detect_exceedances(series(values, start=datetime(2026, 6, 1, tzinfo=BEIJING)))
    assert later and {hit.params["limit"] for hit in later} == {60.0}
    final = det.detect_exceedances(series(values, start=datetime(2031, 6, 1, tzinfo=BEIJING)))
    assert {hit.params["limit"] for hit in final} == {50.0}


def test_the_switch_happens_at_local_midnight_of_2026_03_01() -> None:
    start = datetime(2026, 2, 27, tzinfo=BEIJING)
    hits = det.detect_exceedances(series(np.full(24 * 4, 70.0), start=start))
    assert min(hit.at for hit in hits) == datetime(2026, 3, 1, tzinfo=BEIJING)


def test_ozone_hourly_and_8_hour_limits() -> None:
    values = np.full(24 * 2, 60.0)
    values[30:37] = 180.0  # 7 hours at 180: hourly fine (< 200); 8-h means of 7 × 180 + 60 = 165 > 160
    hits = det.detect_exceedances(series(values, parameter="o3"))
    assert [hit.at for hit in hits] == [START + 36 * HOUR, START + 37 * HOUR]
    assert hits[0].params["averaging_hours"] == 8
    values[33] = 250.0  # one hour above 200: that hour reports the larger ratio (250 / 200 > mean / 160)
    hits = det.detect_exceedances(series(values, parameter="o3"))
    assert any(hit.at == START + 33 * HOUR and hit.params["averaging_hours"] == 1 for hit in hits)


def test_co_is_judged_in_mg_per_cubic_metre() -> None:
    values = np.full(48, 1.2)
    values[10] = 12.0
    hits = det.detect_exceedances(series(values, parameter="co"))
    assert [(hit.at, hit.expected, hit.severity) for hit in hits] == [(START + 10 * HOUR, 10.0, det.LOW)]


def test_one_station_far_above_five_neighbours() -> None:
    hours = 24 * 10
    data = {station: series(clean_values("pm25", hours, seed=20 + number), station=station)
            for number, station in enumerate(STATIONS)}  # fmt: skip
    plume = data["Gucheng"].values.copy()
    plume[24 * 6 : 24 * 6 + 8] += 250.0
    data["Gucheng"] = series(plume, station="Gucheng")
    hits = det.detect_neighbour_outliers(data)
    assert hits and {hit.station for hit in hits} == {"Gucheng"}
    assert {hit.category for hit in hits} == {det.POLLUTION}
    found = det.episodes(hits)
    assert len(found) == 1
    # Persistence: the condition must hold 3 hours, so the first hit is the plume's third hour.
    assert found[0].first == START + (24 * 6 + det.NEIGHBOUR_MIN_HOURS - 1) * HOUR
    assert found[0].last == START + (24 * 6 + 7) * HOUR
    assert found[0].peak.params["neighbour_count"] == 5 and found[0].peak.params["ratio"] >= 2.5


def test_neighbours_need_three_stations_with_data() -> None:
    hours = 48
    data = {station: series(np.full(hours, 30.0), station=station) for station in STATIONS[:2]}
    data["Gucheng"] = series(np.full(hours, 300.0), station="Gucheng")
    assert det.detect_neighbour_outliers(data) == []  # 3 neighbours: enough
    data = {station: series(np.full(hours, 30.0), station=station) for station in STATIONS}
    data["Gucheng"] = series(np.full(hours, 300.0), station="Gucheng")
    assert det.detect_neighbour_outliers(data)
    only_two = {"Gucheng": ["Dongsi", "Tiantan"]}
    hits = det.detect_neighbour_outliers(data, neighbours=only_two)
    assert not [hit for hit in hits if hit.station == "Gucheng"]


def test_a_station_reading_near_zero_amid_high_neighbours_is_data_quality() -> None:
    data = {station: series(np.full(24, 150.0), station=station) for station in STATIONS}
    data["Wanliu"] = series(np.full(24, 2.0), station="Wanliu")
    hits = det.detect_neighbour_outliers(data)
    assert {(hit.station, hit.category, hit.reason) for hit in hits} == {
        ("Wanliu", det.DATA_QUALITY, det.FAR_BELOW_NEIGHBOURS)
    }


def test_neighbour_series_may_start_at_different_hours() -> None:
    data = {station: series(np.full(48, 30.0), station=station) for station in STATIONS}
    late = START + 10 * HOUR
    values = np.full(20, 30.0)
    values[5:10] = 300.0
    data["Gucheng"] = series(values, station="Gucheng", start=late)
    hits = det.detect_neighbour_outliers(data)
    assert [hit.at for hit in hits] == [late + hour * HOUR for hour in (7, 8, 9)]


# --- planted data-quality faults ----------------------------------------------------------------------------------
def test_a_ten_hour_flat_line_is_one_hit() -> None:
    values = clean_values("o3", 24 * 5, seed=30)
    values[50:60] = 107.0
    hits = det.detect_flat_lines(series(values, parameter="o3"))
    assert [(hit.at, hit.value, hit.params["hours"], hit.category) for hit in hits] == [
        (START + 50 * HOUR, 107.0, 10, det.DATA_QUALITY)
    ]
    assert det.episodes(hits)[0].last == START + 59 * HOUR


def test_flat_lines_at_the_detection_floor_or_short_are_ignored() -> None:
    values = clean_values("so2", 24 * 5, seed=31)
    values[10:40] = 2.0  # SO2 at 2 µg/m³ for 30 h: the analyser's floor, normal in clean air
    values[60:65] = 40.0  # 5 h: shorter than the 6 h that is suspect
    assert det.detect_flat_lines(series(values, parameter="so2")) == []
    co = np.full(24, 0.3)  # CO reported to 0.1 mg/m³ repeats itself at low levels
    co[12:19] = 2.1  # 7 h at 2.1: CO needs 8
    assert det.detect_flat_lines(series(co, parameter="co")) == []


def test_a_twelve_hour_gap_is_one_hit() -> None:
    values = clean_values("no2", 24 * 3, seed=40)
    values[20:32] = np.nan
    values[50:54] = np.nan  # 4 h: below the 5 h that voids a daily mean
    hits = det.detect_gaps(series(values, parameter="no2"))
    assert [(hit.at, hit.value, hit.params["hours"], hit.params["ongoing"]) for hit in hits] == [
        (START + 20 * HOUR, 12.0, 12, False)
    ]
    found = det.episodes(hits)
    assert [(episode.first, episode.last, episode.hours) for episode in found] == [
        (START + 20 * HOUR, START + 31 * HOUR, 12)
    ]


def test_a_gap_at_the_end_is_ongoing() -> None:
    values = np.full(30, 20.0)
    values[-8:] = np.nan
    [hit] = det.detect_gaps(series(values))
    assert hit.params["ongoing"] and hit.params["hours"] == 8


def test_negative_and_absurd_values_are_impossible_and_ignored_by_pollution_detectors() -> None:
    values = np.full(24 * 2, 30.0)
    values[10] = -5.0
    values[20] = 25000.0  # a unit error: 25 mg/m³ written as µg/m³
    values[30:33] = 999.0  # the PM reporting cap: kept, but noted
    hits = det.detect_impossible_values(series(values))
    assert [(hit.at, hit.reason, hit.severity) for hit in hits] == [
        (START + 10 * HOUR, det.NEGATIVE_VALUE, det.HIGH), (START + 20 * HOUR, det.ABOVE_PHYSICAL_MAX, det.HIGH),
        *[(START + hour * HOUR, det.AT_REPORTING_CAP, det.LOW) for hour in (30, 31, 32)],
    ]  # fmt: skip
    assert all(hit.category == det.DATA_QUALITY for hit in hits)
    exceeding = det.detect_exceedances(series(values))
    # 25000 kept would lift the 24-h means from hour 20 on. Without it and the -5 (22 valid hours), one 999 gives
    # (20 × 30 + 999) / 22 = 72.7, two give 118: the first exceedance is hour 31.
    assert exceeding and min(hit.at for hit in exceeding) == START + 31 * HOUR


# --- noise and other media by table ------------------------------------------------------------------------------
def test_a_station_specific_noise_limit_with_day_and_night_hours() -> None:
    """GB 3096 2类: 60 dB(A) by day (06–22), 50 at night, for one station only."""
    day_hours = frozenset(range(6, 22))
    limits = [
        Limit("noise_leq", 60.0, 1, 1, "GB 3096-2008", "2类", station="Site A", hours_of_day=day_hours),
        Limit("noise_leq", 50.0, 1, 1, "GB 3096-2008", "2类", station="Site A",
              hours_of_day=frozenset(range(24)) - day_hours),
    ]  # fmt: skip
    values = np.full(24, 55.0)  # 55 all day: fine by day, above the night limit
    hits = det.detect_exceedances(series(values, parameter="noise_leq", station="Site A"), limits=limits)
    assert sorted(hit.at.hour for hit in hits) == [*range(6), 22, 23]
    other = det.detect_exceedances(series(values, parameter="noise_leq", station="Site B"), limits=limits)
    assert other == []


def test_an_unknown_parameter_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown parameter"):
        det.detect_flat_lines(series(np.zeros(3), parameter="turbidity"))


# --- episodes ----------------------------------------------------------------------------------------------------
def hit_at(hour: int, *, detector: str = det.SUDDEN_RISE, severity: str = det.LOW, value: float = 1.0,
           station: str = "Dongsi") -> Hit:  # fmt: skip
    return Hit(detector, det.POLLUTION, station, "pm25", START + hour * HOUR, value, None, severity, detector, {})


def test_consecutive_hits_merge_into_one_episode() -> None:
    hits = [hit_at(hour) for hour in (0, 1, 2, 6, 10, 11)] + [hit_at(3, station="Tiantan")]
    found = det.episodes(hits)
    mine = [(episode.first, episode.last, episode.hit_count) for episode in found if episode.station == "Dongsi"]
    # 2 → 6: three hit-free hours between (3, 4, 5) ≤ 3: merged; 6 → 10: also 3; all one episode.
    assert mine == [(START, START + 11 * HOUR, 6)]
    split = det.episodes([hit_at(hour) for hour in (0, 1, 6, 7)])
    assert [(episode.first, episode.last) for episode in split] == [
        (START, START + HOUR),
        (START + 6 * HOUR, START + 7 * HOUR),
    ]


def test_the_peak_and_severity_of_an_episode() -> None:
    hits = [hit_at(0, value=10.0), hit_at(1, severity=det.HIGH, value=5.0), hit_at(2, severity=det.MEDIUM, value=50.0)]
    [episode] = det.episodes(hits)
    assert episode.severity == det.HIGH and episode.peak is hits[1]


def test_exceedance_episodes_bridge_a_night_below_the_limit() -> None:
    hits = [hit_at(hour, detector=det.EXCEEDS_LIMIT) for hour in (*range(12, 18), *range(36, 42))]
    assert len(det.episodes(hits)) == 1  # ozone afternoons of a hot spell: one process
    assert len(det.episodes(hits, detector_merge_gap_hours={})) == 2


def test_the_episode_key_is_stable_while_the_episode_grows() -> None:
    early = det.episodes([hit_at(hour) for hour in range(3)])
    later = det.episodes([hit_at(hour) for hour in range(9)])
    assert early[0].key == later[0].key == f"sudden_rise|pollution|Dongsi|pm25|{START.astimezone(UTC):%Y-%m-%dT%H}"


@given(st.lists(st.integers(min_value=0, max_value=200), max_size=60), st.integers(min_value=0, max_value=6))
def test_episodes_partition_the_hits(hours: list[int], gap: int) -> None:
    hits = [hit_at(hour) for hour in hours]
    found = det.episodes(hits, merge_gap_hours=gap)
    assert sum(episode.hit_count for episode in found) == len(hits)
    ordered = sorted(found, key=lambda episode: episode.first)
    for before, after in itertools.pairwise(ordered):
        assert (after.first - before.last) // HOUR > gap + 1  # separated by more than `gap` hit-free hours
    for episode in found:
        assert episode.first <= episode.peak.at <= episode.last


# --- no look-ahead ----------------------------------------------------------------------------------------------
def faulty_network(seed: int) -> dict[tuple[str, str], Series]:
    """Clean data with spikes, a plume, a flat line, gaps and a negative value planted at random hours."""
    hours = 24 * 45
    rng = np.random.default_rng(seed)
    data = network(hours, seed=seed)
    for (station, parameter), made in list(data.items()):
        values = made.values.copy()
        level = LEVELS[parameter][0]
        for _ in range(3):
            at = int(rng.integers(24 * 30, hours - 10))
            kind = int(rng.integers(0, 4))
            if kind == 0:
                values[at : at + 6] += 6 * level
            elif kind == 1:
                values[at : at + 9] = np.nan
            elif kind == 2:
                values[at : at + 8] = round(level * 1.5, 1)
            else:
                values[at] = -1.0
        data[station, parameter] = series(values, parameter=parameter, station=station)
    return data


def truncated(data: dict[tuple[str, str], Series], hours: int) -> dict[tuple[str, str], Series]:
    return {key: series(made.values[:hours], parameter=made.parameter, station=made.station)
            for key, made in data.items()}  # fmt: skip


def clipped(hit: Hit, last: datetime) -> Hit | None:
    """A span hit as it looks when the data end at `last` (its run is cut there, and may become too short)."""
    if "hours" not in hit.params:
        return hit
    hours = min(int(hit.params["hours"]), (last - hit.at) // HOUR + 1)
    if hours < int(hit.params["min_hours"]):
        return None
    value = float(hours) if hit.detector == det.GAP else hit.value
    severity = det._span_severity(hours)
    params = {**hit.params, "hours": hours, "ongoing": hit.params["ongoing"] or hit.at + hours * HOUR > last}
    return Hit(hit.detector, hit.category, hit.station, hit.parameter, hit.at, value, hit.expected, severity,
               hit.reason, params)  # fmt: skip


@pytest.fixture(scope="module")
def faulty() -> tuple[dict[tuple[str, str], Series], list[Hit]]:
    data = faulty_network(5)
    return data, det.detect_all(data)


def test_the_planted_faults_are_found(faulty: tuple[dict[tuple[str, str], Series], list[Hit]]) -> None:
    _data, hits = faulty
    for detector in (det.SUDDEN_RISE, det.GAP, det.FLAT_LINE, det.IMPOSSIBLE_VALUE):
        assert of(hits, detector), detector


@settings(max_examples=12, deadline=None)
@given(st.integers(min_value=24 * 29, max_value=24 * 45 - 2))
def test_no_detector_looks_at_the_future(faulty: tuple[dict[tuple[str, str], Series], list[Hit]],
                                         hours: int) -> None:  # fmt: skip
    """Cutting the data after hour t changes no hit up to t (span hits are cut at t like the data)."""
    data, full = faulty
    last = START + (hours - 1) * HOUR
    expected = [clipped(hit, last) for hit in full if hit.at <= last]
    assert det.detect_all(truncated(data, hours)) == [hit for hit in expected if hit is not None]


@pytest.mark.parametrize("detector", [det.detect_exceedances, det.detect_sudden_rises])
def test_single_series_detectors_are_causal_hour_by_hour(detector: Callable[[Series], list[Hit]]) -> None:
    values = clean_values("pm25", 24 * 35, seed=9)
    values[24 * 31 : 24 * 31 + 30] += 300.0
    values[24 * 33 + 5] = np.nan
    full = detector(series(values))
    assert full
    for hours in range(24 * 31, 24 * 35, 7):
        cut = detector(series(values[:hours]))
        assert cut == [hit for hit in full if hit.at < START + hours * HOUR]


def test_dates_outside_any_limit_table_use_the_2012_table() -> None:
    assert det._index_of_date(series(np.zeros(48)), date(2015, 3, 2)) == 24
    assert det._index_of_date(series(np.zeros(48)), date(2000, 1, 1)) == 0
