"""The monitoring pages: stations on the map, a station's data against its limits, the alerts, and an alert
verified and closed from its page — in both languages, with a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.urls import reverse

from ecohotline.cases.models import Case, CaseKind
from ecohotline.monitoring import detectors
from ecohotline.monitoring.models import Alert, AlertCategory, AlertStatus, Reading, Station
from ecohotline.monitoring.tests.test_verification import policy  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

HOUR = dt.datetime(2026, 11, 20, 0, tzinfo=dt.UTC)


@pytest.fixture
def station(org: Any) -> Station:
    return Station.objects.create(code="wanliu", name="万柳", latitude=39.987, longitude=116.287, street=org.street)


@pytest.fixture
def readings(station: Station) -> None:
    Reading.objects.bulk_create([
        Reading(station=station, parameter=parameter, at=HOUR + dt.timedelta(hours=hour), value=value + hour % 5)
        for hour in range(72) for parameter, value in (("pm25", 40.0), ("no2", 35.0), ("o3", 60.0))
    ])


@pytest.fixture
def alert(station: Station) -> Alert:
    return Alert.objects.create(
        station=station, parameter="so2", detector=detectors.SUDDEN_RISE, category=AlertCategory.POLLUTION,
        severity="high", reason=detectors.SUDDEN_RISE, first_at=HOUR, last_at=HOUR + dt.timedelta(hours=2),
        peak_at=HOUR + dt.timedelta(hours=1), peak_value=240.0, expected=3.0, hit_count=3,
        params={"baseline": 3.0, "spread": 2.0, "z": 118.5, "increase": 237.0, "rise_in_step": 238.0,
                "step_hours": 3, "baseline_days": 28})


def test_the_station_list_puts_the_stations_on_the_map(client, org, station, readings, alert,
                                                       django_assert_max_num_queries):
    Station.objects.create(code="dingling", name="定陵", latitude=40.29, longitude=116.22)
    client.force_login(org.handler)
    with django_assert_max_num_queries(12):  # a fixed number: none per station
        html = client.get(reverse("monitoring:station-list")).content.decode()
    assert "万柳" in html and "定陵" in html and 'id="station-map"' in html
    points = json.loads(html.split('id="station-points" type="application/json">')[1].split("</script>")[0])
    wanliu = next(point for point in points if point["name"] == "万柳")
    assert wanliu["alerts"] == 1 and wanliu["url"] == reverse("monitoring:station-detail", args=["wanliu"])
    assert abs(wanliu["lng"] - 116.293) < 0.01  # moved to GCJ-02, like the outlines
    # The district's daily AQI of the days with a full day of data (HJ 633-2026 from 2026-03-01).
    district = html.split('id="district-aqi"')[1].split("<table")[0]
    assert "11-21" in district and "11-22" in district


def test_a_station_page_shows_its_series_daily_means_and_alerts(client, org, station, readings, alert):
    client.force_login(org.handler)
    response = client.get(reverse("monitoring:station-detail", args=["wanliu"]))
    html = response.content.decode()
    assert response.status_code == 200
    chart = json.loads(html.split('id="chart-pm25" type="application/json">')[1].split("</script>")[0])
    assert len(chart["values"]) == 14 * 24 and chart["values"][-1] == 40.0 + 71 % 5
    no2 = json.loads(html.split('id="chart-no2" type="application/json">')[1].split("</script>")[0])
    assert no2["limit"] == 200.0  # GB 3095 二级 1-hour NO2
    assert "2026-11-21" in html and "PM2.5" in html  # a full day of data has its daily mean row
    assert reverse("monitoring:alert-detail", args=[alert.pk]) in html


def test_a_station_without_readings_says_so(client, org, station):
    client.force_login(org.handler)
    assert "No readings yet." in client.get(reverse("monitoring:station-detail", args=["wanliu"]),
                                            {"lang": "en"}).content.decode()


def test_the_alert_list_filters_and_describes(client, org, alert, station):
    Alert.objects.create(station=station, parameter="pm25", detector=detectors.GAP, category=AlertCategory.DATA_QUALITY,
                         severity="low", reason="gap", first_at=HOUR, last_at=HOUR, peak_at=HOUR, peak_value=0.0,
                         params={"hours": 6, "ongoing": False, "min_hours": 5})
    client.force_login(org.dispatcher)
    url = reverse("monitoring:alert-list")
    html = client.get(url).content.decode()
    assert html.count(reverse("monitoring:alert-detail", args=[alert.pk])) == 1
    assert "数据质量" in html
    pollution = client.get(url, {"category": "pollution"}).content.decode()
    assert "数据质量" not in pollution.split("<tbody>")[1]


def test_a_dispatcher_opens_the_verification_and_closes_the_alert(client, org, alert, policy):  # noqa: F811
    client.force_login(org.dispatcher)
    page = client.get(reverse("monitoring:alert-detail", args=[alert.pk])).content.decode()
    assert reverse("monitoring:alert-verify", args=[alert.pk]) in page
    response = client.post(reverse("monitoring:alert-verify", args=[alert.pk]))
    assert response.status_code == 302
    alert.refresh_from_db()
    case = Case.objects.get(pk=alert.case_id)
    assert case.kind == CaseKind.ALERT_VERIFICATION and alert.status == AlertStatus.VERIFYING
    client.post(reverse("monitoring:alert-verify", args=[alert.pk]))
    assert Case.objects.filter(kind=CaseKind.ALERT_VERIFICATION).count() == 1  # one case per alert
    refused = client.post(reverse("monitoring:alert-close", args=[alert.pk]), {"outcome": "maybe"})
    assert refused.status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.VERIFYING
    client.post(reverse("monitoring:alert-close", args=[alert.pk]), {"outcome": "false_alarm", "note": "仪器校准"})
    alert.refresh_from_db()
    assert alert.status == AlertStatus.FALSE_ALARM and "仪器校准" in alert.note


def test_only_the_desk_may_verify(client, org, alert):
    client.force_login(org.analyst)
    page = client.get(reverse("monitoring:alert-detail", args=[alert.pk])).content.decode()
    assert reverse("monitoring:alert-verify", args=[alert.pk]) not in page
    assert client.post(reverse("monitoring:alert-verify", args=[alert.pk])).status_code == 403
    assert client.post(reverse("monitoring:alert-close", args=[alert.pk]), {"outcome": "resolved"}).status_code == 403


def test_the_pages_need_a_login(client, station, alert):
    for url in (reverse("monitoring:station-list"), reverse("monitoring:alert-list"),
                reverse("monitoring:alert-detail", args=[alert.pk])):
        assert client.get(url).status_code == 302


def test_a_complaints_page_shows_the_alerts_nearby(client, org, alert):
    from ecohotline.factories import make_case

    near = make_case(street=org.street, title="空气有刺鼻气味", category="air", sub_category="air.odor",
                     latitude=39.99, longitude=116.29, received_at=HOUR + dt.timedelta(hours=3))
    far = make_case(street=org.street, title="空气有刺鼻气味", category="air", sub_category="air.odor",
                    latitude=40.3, longitude=116.6, received_at=HOUR + dt.timedelta(hours=3))
    client.force_login(org.dispatcher)
    html = client.get(reverse("ui:case-detail", args=[near.pk])).content.decode()
    assert 'id="alerts-near"' in html and reverse("monitoring:alert-detail", args=[alert.pk]) in html
    assert 'id="alerts-near"' not in client.get(reverse("ui:case-detail", args=[far.pk])).content.decode()


def test_complaints_clustering_near_a_quiet_station_are_shown(client, org, station):
    from django.utils import timezone

    from ecohotline.factories import make_case

    for n in range(5):
        make_case(street=org.street, title=f"粉尘{n}", category="air", sub_category="air.dust",
                  latitude=39.988, longitude=116.288, received_at=timezone.now() - dt.timedelta(days=1))
    client.force_login(org.dispatcher)
    html = client.get(reverse("monitoring:station-list")).content.decode()
    assert 'id="complaint-clusters"' in html and "万柳" in html.split('id="complaint-clusters"')[1]


def test_the_share_of_measured_noise_odour_and_fumes_complaints(client, org):
    from django.utils import timezone

    from ecohotline.cases import services
    from ecohotline.cases.measurements import measurement_coverage
    from ecohotline.factories import make_case

    now = timezone.now()
    noisy = [make_case(street=org.street, title="噪声", category="noise", sub_category="noise.social",
                       received_at=now - dt.timedelta(days=1)) for _ in range(3)]
    make_case(street=org.street, title="油烟", category="air", sub_category="air.catering_fumes",
              received_at=now - dt.timedelta(days=2))
    make_case(street=org.street, title="扬尘", category="air", sub_category="air.dust", received_at=now)
    make_case(street=org.street, title="旧噪声", category="noise", sub_category="noise.social",
              received_at=now - dt.timedelta(days=40))
    services.dispatch_case(actor=org.dispatcher, case=noisy[0], unit=org.squad, handler=org.handler)
    services.accept_case(actor=org.handler, case=noisy[0])
    services.record_measurement(actor=org.handler, case=noisy[0], kind="noise",
                                values={"standard": "GB22337", "zone": "2", "leq_db": 55})
    services.record_measurement(actor=org.handler, case=noisy[0], kind="noise",  # twice: still one case
                                values={"standard": "GB22337", "zone": "2", "leq_db": 52})
    coverage = {item.topic: (item.measured, item.complaints)
                for item in measurement_coverage(now - dt.timedelta(days=30), now + dt.timedelta(hours=1))}
    assert coverage == {"noise": (1, 3), "air.odor": (0, 0), "air.catering_fumes": (0, 1)}
    client.force_login(org.leader)
    html = client.get(reverse("monitoring:station-list")).content.decode()
    assert "噪声 1/3" in html and "油烟 0/1" in html
