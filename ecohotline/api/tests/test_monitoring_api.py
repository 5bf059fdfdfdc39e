"""Monitoring through the API: stations, stored readings (GET), alerts, opening a verification task and closing an
alert, with the monitoring pages' rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ecohotline.api.tests.test_cases_api import client_for
from ecohotline.cases.models import Case, CaseKind, Channel, DeadlinePolicy
from ecohotline.core.workdays import BEIJING
from ecohotline.intake.models import RoutingRule
from ecohotline.monitoring import detectors
from ecohotline.monitoring.models import Alert, AlertCategory, AlertStatus, Reading, Station

pytestmark = pytest.mark.django_db

HOUR = dt.datetime(2026, 11, 19, 6, tzinfo=dt.UTC)


@pytest.fixture
def station(org: Any) -> Station:
    return Station.objects.create(code="wanliu", name="万柳", latitude=39.987, longitude=116.287, street=org.street)


@pytest.fixture
def routed(org: Any) -> None:
    RoutingRule.objects.create(category="air", unit=org.squad)
    DeadlinePolicy.objects.get_or_create(
        channel=Channel.MONITORING, request_type="", urgency="",
        defaults={"name": "预警核查任务", "completion_limit": 2, "completion_unit": "working_days",
                  "max_extension_days": 3})


def make_alert(station: Station, **fields: Any) -> Alert:
    values: dict[str, Any] = {
        "parameter": "so2", "detector": detectors.SUDDEN_RISE, "category": AlertCategory.POLLUTION,
        "severity": "high", "reason": detectors.SUDDEN_RISE, "first_at": HOUR - dt.timedelta(hours=1),
        "last_at": HOUR + dt.timedelta(hours=1), "peak_at": HOUR, "peak_value": 240.0, "expected": 3.0,
        "hit_count": 3, "params": {"baseline": 3.0, "spread": 2.0, "z": 118.5, "increase": 237.0,
                                   "rise_in_step": 238.0, "step_hours": 3, "baseline_days": 28},
    }
    values.update(fields)
    return Alert.objects.create(station=station, **values)


def test_every_member_of_staff_reads_stations_and_readings(org: Any, station: Station) -> None:
    Reading.objects.bulk_create([Reading(station=station, parameter=parameter, at=HOUR + dt.timedelta(hours=hour),
                                         value=40.0 + hour) for hour in range(5) for parameter in ("pm25", "no2")])
    make_alert(station)
    client = client_for(org.street_liaison)
    stations = client.get("/api/v1/monitoring/stations").json()["results"]
    assert stations[0]["code"] == "wanliu" and stations[0]["open_alerts"] == 1
    assert stations[0]["last_reading"].startswith("2026-11-19T18:00:00")  # the latest hour, in Beijing time
    readings = client.get("/api/v1/monitoring/readings", {
        "station": "wanliu", "parameter": "pm25", "start": "2026-11-19T14:00:00+08:00",
        "end": "2026-11-19T17:00:00+08:00"})
    assert readings.status_code == 200, readings.content
    assert [row["value"] for row in readings.json()["results"]] == [40.0, 41.0, 42.0]
    assert readings.json()["results"][0]["at"] == "2026-11-19T14:00:00+08:00"


@pytest.mark.parametrize(("query", "field"), [
    ({"station": "nowhere"}, "station"),
    ({"station": "wanliu", "start": "yesterday"}, "start"),
    ({"station": "wanliu", "start": "2026-01-01T00:00:00+08:00", "end": "2026-11-01T00:00:00+08:00"}, "end"),
    ({"station": "wanliu", "start": "2026-11-02T00:00:00+08:00", "end": "2026-11-01T00:00:00+08:00"}, "end"),
])
def test_bad_reading_queries_are_400_on_the_parameter(org: Any, station: Station, query: dict[str, str],
                                                      field: str) -> None:
    response = client_for(org.handler).get("/api/v1/monitoring/readings", query)
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert field in response.json()["errors"]


def test_pushing_readings_is_still_for_the_desk_and_feeds_only(org: Any, station: Station) -> None:
    response = client_for(org.handler).post("/api/v1/monitoring/readings", {"readings": []}, format="json")
    assert response.status_code == 403


def test_alerts_are_listed_open_first_and_filtered(org: Any, station: Station) -> None:
    live = make_alert(station)
    make_alert(station, status=AlertStatus.FALSE_ALARM, parameter="no2")
    client = client_for(org.handler)
    assert [row["id"] for row in client.get("/api/v1/monitoring/alerts").json()["results"]] == [live.pk]
    assert client.get("/api/v1/monitoring/alerts?status=all").json()["count"] == 2
    detail = client.get(f"/api/v1/monitoring/alerts/{live.pk}").json()
    assert detail["description"] and detail["may_verify"] is False and detail["may_close"] is False


def test_a_dispatcher_opens_a_verification_and_closes_the_alert(org: Any, station: Station, routed: None) -> None:
    alert = make_alert(station)
    client = client_for(org.dispatcher)
    assert client.get(f"/api/v1/monitoring/alerts/{alert.pk}").json()["may_verify"] is True
    response = client.post(f"/api/v1/monitoring/alerts/{alert.pk}/verify")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == AlertStatus.VERIFYING and body["case"] is not None
    assert Case.objects.get(pk=body["case"]).kind == CaseKind.ALERT_VERIFICATION
    again = client.post(f"/api/v1/monitoring/alerts/{alert.pk}/verify")  # one case per alert
    assert again.status_code == 200 and again.json()["case"] == body["case"]

    bad = client.post(f"/api/v1/monitoring/alerts/{alert.pk}/close", {"outcome": "gone"}, format="json")
    assert bad.status_code == 400 and "outcome" in bad.json()["errors"]
    closed = client.post(f"/api/v1/monitoring/alerts/{alert.pk}/close", {"outcome": "confirmed", "note": "属实"},
                         format="json")
    assert closed.status_code == 200 and closed.json()["status"] == AlertStatus.CONFIRMED


def test_a_handler_may_neither_verify_nor_close_an_alert_of_no_case_of_theirs(org: Any, station: Station) -> None:
    alert = make_alert(station)
    client = client_for(org.handler)
    assert client.post(f"/api/v1/monitoring/alerts/{alert.pk}/verify").status_code == 403
    assert client.post(f"/api/v1/monitoring/alerts/{alert.pk}/close", {"outcome": "resolved"},
                       format="json").status_code == 403
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN and alert.case_id is None


def test_monitoring_lists_have_a_flat_query_count(org: Any, django_assert_max_num_queries: Any) -> None:
    for number in range(6):
        station = Station.objects.create(code=f"s{number}", name=f"站{number}")
        make_alert(station)
        Reading.objects.create(station=station, parameter="pm25", at=HOUR, value=30.0)
    client = client_for(org.handler)
    with django_assert_max_num_queries(5):
        assert client.get("/api/v1/monitoring/stations").json()["count"] == 6
    with django_assert_max_num_queries(5):
        assert client.get("/api/v1/monitoring/alerts").json()["count"] == 6
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/monitoring/readings?station=s1&start=2026-11-19T00:00:00%2B08:00"
                          "&end=2026-11-20T00:00:00%2B08:00").json()["count"] == 1


def test_daily_means_and_aqi_of_a_station_and_the_district(org: Any, station: Station,
                                                           django_assert_max_num_queries: Any) -> None:
    start = dt.datetime(2026, 11, 19, 0, tzinfo=BEIJING)
    Reading.objects.bulk_create([Reading(station=station, parameter=parameter, at=start + dt.timedelta(hours=hour),
                                         value=value) for hour in range(24)
                                 for parameter, value in (("pm25", 40.0), ("pm10", 60.0), ("no2", 30.0))])
    client = client_for(org.handler)
    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/monitoring/daily", {"station": "wanliu", "start": "2026-11-19",
                                                           "end": "2026-11-20"})
    assert response.status_code == 200, response.content
    days = response.json()["days"]
    assert [day["day"] for day in days] == ["2026-11-19", "2026-11-20"]
    assert days[0]["means"]["pm25"] == 40.0 and days[0]["aqi"]["aqi"] > 0 and days[1]["aqi"] is None
    district = client.get("/api/v1/monitoring/daily", {"station": "district", "start": "2026-11-19",
                                                       "end": "2026-11-19"}).json()
    assert district["days"][0]["means"]["pm25"] == 40.0
    for query, field in (({"station": "nowhere"}, "station"), ({"station": "wanliu", "start": "x"}, "start"),
                         ({"station": "wanliu", "start": "2026-01-01", "end": "2026-11-01"}, "end")):
        bad = client.get("/api/v1/monitoring/daily", query)
        assert bad.status_code == 400 and field in bad.json()["errors"]
