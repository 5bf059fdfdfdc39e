"""Alerts from scans: planted episodes open the expected alerts, grouped as the evaluation recommends; a rescan
changes nothing; a continuing episode updates its alert; data-quality alerts never open cases; and the reads of
what is near an alert in place and time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from django.utils import timezone, translation

from ecohotline.cases.models import Case, CaseKind
from ecohotline.factories import make_case
from ecohotline.monitoring import detectors
from ecohotline.monitoring.alerts import (
    alerts_near,
    complaint_clusters_without_alert,
    complaints_near,
    describe,
)
from ecohotline.monitoring.detectors import Series
from ecohotline.monitoring.models import Alert, AlertCategory, AlertStatus, Reading, Station, StationKind
from ecohotline.monitoring.services import close_alert, scan

UTC = dt.UTC
HOUR = dt.timedelta(hours=1)
#: The end of the planted data (exclusive): an hour of the 2026 transitional GB 3095 (PM10 daily limit 120).
END = dt.datetime(2026, 11, 20, 0, tzinfo=UTC)
DAYS = 35
HOURS = DAYS * 24
START = END - DAYS * dt.timedelta(days=1)
# Five stations about 4-5 km apart in Haidian (WGS-84): (code, name, latitude, longitude).
STATIONS = [
    ("s1", "万柳", 39.987, 116.287),
    ("s2", "海淀", 39.960, 116.320),
    ("s3", "北部新区", 40.030, 116.250),
    ("s4", "上地", 40.040, 116.300),
    ("s5", "四季青", 39.950, 116.240),
]
#: The pm25 spike at s1: four hours of 200 µg/m³ starting 10 hours before the end (a sudden rise, and far above
#: the other stations for 3 hours and more; the 24-h mean stays under the limit of 60).
SPIKE_AT = HOURS - 10
SPIKE_HOURS = 4
#: pm10 builds up slowly over the last 72 hours at every station (no sudden rise, no outlier): one regional process.
RAMP_FROM = HOURS - 72
FACTORS = {"s1": 1.0, "s2": 1.1, "s3": 0.95, "s4": 1.05, "s5": 1.02}
#: s5 sends nothing for the last 80 hours (every parameter): one outage, high severity (≥ 72 h).
OUTAGE_HOURS = 80


def clean(seed: int, level: float, hours: int = HOURS) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.round(level + rng.normal(0.0, level * 0.1, hours), 1)


def planted(*, hours: int = HOURS, spike: bool = True, ramp: bool = True, outage: bool = True) -> dict[str, Any]:
    """Series of the five stations (pm25, pm10) over [START, START + hours)."""
    result: dict[tuple[str, str], Series] = {}
    for number, (code, _name, _lat, _lng) in enumerate(STATIONS):
        pm25 = clean(10 + number, 30.0)
        pm10 = clean(20 + number, 50.0)
        if spike and code == "s1":
            pm25[SPIKE_AT:SPIKE_AT + SPIKE_HOURS] = 200.0
        if ramp:
            steps = np.arange(HOURS - RAMP_FROM)
            pm10[RAMP_FROM:] = np.round((50.0 + np.minimum(5.0 * steps, 250.0)) * FACTORS[code]
                                        + np.random.default_rng(30 + number).normal(0, 3, steps.size), 1)
        if outage and code == "s5":
            pm25[HOURS - OUTAGE_HOURS:] = np.nan
            pm10[HOURS - OUTAGE_HOURS:] = np.nan
        result[(code, "pm25")] = Series(code, "pm25", START, pm25[:hours])
        result[(code, "pm10")] = Series(code, "pm10", START, pm10[:hours])
    return result


@pytest.fixture
def stations(org: Any) -> dict[str, Station]:
    return {
        code: Station.objects.create(code=code, name=name, latitude=lat, longitude=lng, street=org.street)
        for code, name, lat, lng in STATIONS
    }


def alerts_by(detector: str) -> list[Alert]:
    return list(Alert.objects.filter(detector=detector).select_related("station").order_by("pk"))


# --- scan ---------------------------------------------------------------------------------------------------------


def test_planted_series_open_the_expected_alerts(stations: dict[str, Station]) -> None:
    result = scan(series=planted())

    assert result.end == END
    assert {(alert.station.code, alert.detector, alert.category) for alert in Alert.objects.all()} == {
        ("s1", detectors.SUDDEN_RISE, AlertCategory.POLLUTION),
        ("s1", detectors.FAR_FROM_NEIGHBOURS, AlertCategory.POLLUTION),
        ("s2", detectors.EXCEEDS_LIMIT, AlertCategory.POLLUTION),  # the highest of the regional process
        ("s5", detectors.GAP, AlertCategory.DATA_QUALITY),
    }
    rise = alerts_by(detectors.SUDDEN_RISE)[0]
    assert rise.parameter == "pm25"
    assert rise.peak_value == 200.0
    assert rise.first_at == START + SPIKE_AT * HOUR
    assert rise.severity == "high"
    assert rise.reason == detectors.SUDDEN_RISE
    assert rise.params["baseline"] == pytest.approx(30, abs=3)
    assert len(result.opened) == 4


def test_regional_exceedance_is_one_alert_on_the_highest_station(stations: dict[str, Station]) -> None:
    scan(series=planted())

    [regional] = alerts_by(detectors.EXCEEDS_LIMIT)
    assert regional.station.code == "s2"
    assert regional.parameter == "pm10"
    others = regional.params["stations"]
    assert [item["station"] for item in others] == ["s4", "s1", "s3"]  # by peak, highest first; s5 sent nothing
    assert all(item["peak_value"] <= regional.peak_value for item in others)
    assert others[0]["name"] == "上地"
    assert regional.status == AlertStatus.OPEN
    assert regional.case_id is None  # a leader decides what to verify


def test_an_outage_of_several_parameters_is_one_alert(stations: dict[str, Station]) -> None:
    scan(series=planted())

    [outage] = alerts_by(detectors.GAP)
    assert outage.station.code == "s5"
    assert outage.params["parameters"] == ["pm10", "pm25"]
    assert outage.first_at == END - OUTAGE_HOURS * HOUR
    assert outage.severity == "high"
    assert outage.params["ongoing"] is True


def test_data_quality_alerts_never_open_cases(stations: dict[str, Station], time_machine: Any) -> None:
    time_machine.move_to(END + dt.timedelta(hours=1), tick=False)  # the data are fresh
    result = scan(series=planted())

    [outage] = alerts_by(detectors.GAP)
    assert outage.severity == "high"
    assert outage.case_id is None
    assert outage.status == AlertStatus.OPEN
    assert {alert.detector for case in result.verifications for alert in case.alerts.all()} == {
        detectors.SUDDEN_RISE, detectors.FAR_FROM_NEIGHBOURS}


def test_local_signals_of_medium_severity_open_their_verification(stations: dict[str, Station],
                                                                 time_machine: Any) -> None:
    time_machine.move_to(END + dt.timedelta(hours=1), tick=False)  # the data are fresh
    result = scan(series=planted())

    # Two alerts of one station at the same hours: one visit, one case.
    assert len(result.verifications) == 2 and len({case.pk for case in result.verifications}) == 1
    for alert in Alert.objects.filter(detector__in=[detectors.SUDDEN_RISE, detectors.FAR_FROM_NEIGHBOURS]):
        assert alert.status == AlertStatus.VERIFYING
        assert alert.case is not None
        assert alert.case.kind == CaseKind.ALERT_VERIFICATION


def test_a_rescan_of_the_same_data_changes_nothing(stations: dict[str, Station]) -> None:
    series = planted()
    scan(series=series)
    before = {alert.pk: (alert.updated_at, alert.status, alert.params, alert.last_at, alert.hit_count)
              for alert in Alert.objects.all()}
    cases = Case.objects.count()

    again = scan(series=series)

    assert again.opened == [] and again.updated == [] and again.verifications == []
    assert again.unchanged == 4
    assert {alert.pk: (alert.updated_at, alert.status, alert.params, alert.last_at, alert.hit_count)
            for alert in Alert.objects.all()} == before
    assert Case.objects.count() == cases


def test_a_continuing_episode_updates_its_alert(stations: dict[str, Station]) -> None:
    # The first scan ends two hours into the spike, in the middle of the regional process and of the outage.
    early = planted(hours=SPIKE_AT + 2)
    scan(series=early)
    [rise] = alerts_by(detectors.SUDDEN_RISE)
    [regional] = alerts_by(detectors.EXCEEDS_LIMIT)
    [outage] = alerts_by(detectors.GAP)
    assert rise.last_at == START + (SPIKE_AT + 1) * HOUR
    assert alerts_by(detectors.FAR_FROM_NEIGHBOURS) == []  # it takes 3 hours

    later = scan(series=planted())

    assert [alert.detector for alert in later.opened] == [detectors.FAR_FROM_NEIGHBOURS]
    assert {alert.pk for alert in later.updated} == {rise.pk, regional.pk, outage.pk}
    assert alerts_by(detectors.SUDDEN_RISE) == [rise]
    rise.refresh_from_db()
    assert rise.last_at == START + (SPIKE_AT + 2) * HOUR  # the 4th spike hour has risen from 200, not by a step
    assert rise.hit_count == 3
    regional.refresh_from_db()
    assert regional.last_at == END - HOUR
    outage.refresh_from_db()
    assert outage.first_at == END - OUTAGE_HOURS * HOUR
    assert outage.peak_value == OUTAGE_HOURS  # the gap grew, its alert with it
    assert outage.params["hours"] == OUTAGE_HOURS
    assert len(alerts_by(detectors.GAP)) == 1


def test_a_closed_alert_is_not_raised_again_by_a_rescan(stations: dict[str, Station], org: Any) -> None:
    series = planted()
    scan(series=series)
    [outage] = alerts_by(detectors.GAP)
    close_alert(actor=org.dispatcher, alert=outage, outcome=AlertStatus.RESOLVED, note="运维已修复传输")

    again = scan(series=series)

    assert again.opened == []
    assert alerts_by(detectors.GAP) == [outage]


def test_the_scan_reads_the_stored_readings(stations: dict[str, Station], time_machine: Any) -> None:
    series = planted(ramp=False, outage=False)
    rows = []
    for (code, parameter), item in series.items():
        if parameter != "pm25":
            continue
        for index, value in enumerate(item.values):
            rows.append(Reading(station=stations[code], parameter=parameter, at=START + index * HOUR,
                                value=float(value)))
    Reading.objects.bulk_create(rows)

    # The feed is six hours late for every station: that is not an outage of each (no gap alerts).
    time_machine.move_to(END + dt.timedelta(hours=6, minutes=20), tick=False)

    result = scan()

    assert (result.start, result.end) == (START, END)
    assert {(alert.station.code, alert.detector) for alert in result.opened} == {
        ("s1", detectors.SUDDEN_RISE), ("s1", detectors.FAR_FROM_NEIGHBOURS)}


def test_old_episodes_do_not_act_on_a_periodic_scan(stations: dict[str, Station]) -> None:
    # The spike ended 3 days before the end of the data: a periodic run leaves it to the runs that saw it.
    series = planted(ramp=False, outage=False)
    shifted = {key: Series(item.station, item.parameter, item.start - 3 * dt.timedelta(days=1), item.values)
               for key, item in series.items()}

    assert scan(series=shifted, end=END).opened == []
    backfill = scan(series=shifted, start=START - 3 * dt.timedelta(days=1), end=END)
    assert {alert.detector for alert in backfill.opened} == {detectors.SUDDEN_RISE, detectors.FAR_FROM_NEIGHBOURS}
    assert backfill.verifications == []  # a backfill does not send inspectors to last week's spike


# --- describe -----------------------------------------------------------------------------------------------------


def test_describe_says_why_in_the_readers_language(stations: dict[str, Station]) -> None:
    scan(series=planted())
    with translation.override("en"):
        rise = describe(alerts_by(detectors.SUDDEN_RISE)[0])
        regional = describe(alerts_by(detectors.EXCEEDS_LIMIT)[0])
        outage = describe(alerts_by(detectors.GAP)[0])
        neighbours = describe(alerts_by(detectors.FAR_FROM_NEIGHBOURS)[0])

    assert rise.startswith("PM2.5 rose suddenly to 200 µg/m³")
    assert "GB 3095-2026" in regional and "3 other stations" in regional and "上地" in regional
    assert outage == "No data of PM10, PM2.5 for 80 hours. The gap is still open."
    assert "times the median of" in neighbours


# --- near in place and time ---------------------------------------------------------------------------------------


def _complaint(lat: float, lng: float, at: dt.datetime, category: str = "air") -> Case:
    return make_case(received_at=at, latitude=lat, longitude=lng, category=category)


def test_complaints_near_an_alert(stations: dict[str, Station]) -> None:
    scan(series=planted(ramp=False, outage=False))
    rise = alerts_by(detectors.SUDDEN_RISE)[0]
    during = rise.first_at + HOUR
    near = _complaint(39.990, 116.290, during)  # ~400 m from s1
    later = _complaint(39.985, 116.280, rise.last_at + 48 * HOUR)
    _complaint(39.990, 116.290, rise.first_at - 30 * HOUR)  # too early
    _complaint(39.990, 116.290, rise.last_at + 80 * HOUR)  # too late
    _complaint(39.960, 116.320, during)  # at s2, 4 km away
    _complaint(39.990, 116.290, during, category="noise")  # another medium

    assert list(complaints_near(rise)) == [later, near]
    assert len(complaints_near(rise, same_medium=False)) == 3


def test_alerts_near_a_complaint(stations: dict[str, Station]) -> None:
    scan(series=planted(outage=False))
    rise = alerts_by(detectors.SUDDEN_RISE)[0]
    regional = alerts_by(detectors.EXCEEDS_LIMIT)[0]
    at_s1 = _complaint(39.990, 116.290, rise.first_at + 2 * HOUR)
    far = _complaint(39.700, 116.600, rise.first_at)

    found = set(alerts_near(at_s1))
    # s1 is one of the regional process's other stations: the regional alert counts too.
    assert found == {rise, regional, *alerts_by(detectors.FAR_FROM_NEIGHBOURS)}
    assert set(alerts_near(at_s1, radius_m=100)) == set()
    assert list(alerts_near(far)) == []
    assert all(alert.category == AlertCategory.POLLUTION for alert in found)


def test_complaint_clusters_without_alert(stations: dict[str, Station]) -> None:
    scan(series=planted(ramp=False, outage=False))  # alerts at s1 only
    now = END
    for number in range(5):
        _complaint(40.041, 116.301 + number * 0.001, now - (number + 1) * 10 * HOUR)  # near s4
        _complaint(39.988, 116.288, now - (number + 1) * 10 * HOUR)  # near s1, which has alerts
    _complaint(40.031, 116.251, now - 10 * HOUR)  # one near s3: not a cluster

    clusters = complaint_clusters_without_alert(now=now)

    assert [(cluster.station.code, cluster.case_count) for cluster in clusters] == [("s4", 5)]
    assert clusters[0].latest_at == now - 10 * HOUR
    assert complaint_clusters_without_alert(now=now, min_cases=6) == []


def test_a_regional_process_reaching_a_higher_station_moves_its_alert_there(stations: dict[str, Station]) -> None:
    series = planted(spike=False, outage=False)
    scan(series={key: item for key, item in series.items() if key[0] != "s2"})
    [regional] = alerts_by(detectors.EXCEEDS_LIMIT)
    assert regional.station.code == "s4"

    again = scan(series=series)

    assert again.opened == [] and again.updated == [regional]
    assert alerts_by(detectors.EXCEEDS_LIMIT) == [regional]
    regional.refresh_from_db()
    assert regional.station.code == "s2"
    assert [item["station"] for item in regional.params["stations"]] == ["s4", "s5", "s1", "s3"]
    assert scan(series=series).updated == []


def test_a_backfill_of_old_data_opens_no_verification(stations: dict[str, Station], time_machine: Any) -> None:
    # The same episodes, found a month later (an import of old data): a verification is a visit now, not then.
    time_machine.move_to(END + dt.timedelta(days=30), tick=False)
    result = scan(series=planted())
    assert result.opened and result.verifications == []
    assert not Case.objects.exists()


def test_a_noise_station_is_judged_by_its_zone_class_day_and_night(db: None, time_machine: Any) -> None:
    # A 1类 noise station (GB 3096: 55 dB(A) by day, 45 at night) reads 50 dB(A) all the time: fine by day, over
    # the limit every night — one alert for the nights that follow each other (the exceedance merge gap is a
    # day), counting only night hours. A 2类 station reading the same stays quiet (60 / 50).
    time_machine.move_to(END + dt.timedelta(hours=1), tick=False)
    Station.objects.create(code="n1", name="居民区测点", kind=StationKind.NOISE, noise_zone_class="1",
                           latitude=39.98, longitude=116.30)
    Station.objects.create(code="n2", name="商业区测点", kind=StationKind.NOISE, noise_zone_class="2类",
                           latitude=39.99, longitude=116.31)
    hours = 3 * 24
    level = np.full(hours, 50.0)
    # As the selectors give them: starting in Beijing time, which decides day and night.
    start = timezone.localtime(END - dt.timedelta(hours=hours))
    series = [Series(code, "noise_leq", start, level) for code in ("n1", "n2")]
    scan(series=series, start=END - dt.timedelta(hours=hours))
    alerts = Alert.objects.filter(detector=detectors.EXCEEDS_LIMIT)
    assert {alert.station.code for alert in alerts} == {"n1"}
    [alert] = alerts
    assert alert.hit_count == 3 * 8  # the night hours of three days, none of the day hours
    assert {timezone.localtime(alert.first_at).hour, timezone.localtime(alert.last_at).hour} <= {22, 23, 0, 1, 2, 3,
                                                                                                   4, 5}
    assert alert.params.get("standard") == "GB 3096-2008" and alert.expected == 45.0


def test_a_water_section_is_judged_by_its_target_class(db: None, time_machine: Any) -> None:
    # A river section that must meet class III (GB 3838: ammonia nitrogen ≤ 1.0 mg/L): 1.4 mg/L for four hours is
    # an exceedance; a class IV section (≤ 1.5) reading the same is not.
    time_machine.move_to(END + dt.timedelta(hours=1), tick=False)
    Station.objects.create(code="w3", name="清河闸", kind=StationKind.WATER, water_target_class="III",
                           latitude=40.03, longitude=116.34)
    Station.objects.create(code="w4", name="万泉河", kind=StationKind.WATER, water_target_class="IV",
                           latitude=39.98, longitude=116.30)
    hours = 48
    level = np.full(hours, 0.6)
    level[-6:-2] = 1.4
    start = timezone.localtime(END - dt.timedelta(hours=hours))
    scan(series=[Series(code, "ammonia_nitrogen", start, level) for code in ("w3", "w4")],
         start=END - dt.timedelta(hours=hours))
    [alert] = Alert.objects.filter(detector=detectors.EXCEEDS_LIMIT)
    assert alert.station.code == "w3" and alert.hit_count == 4 and alert.expected == 1.0
    assert alert.params.get("standard") == "GB 3838-2002"
    with translation.override("zh-hans"):
        assert describe(alert).startswith("氨氮")
