"""Complaints near an alert, and complaint clusters without an alert, through the API: every member of staff reads
them, as on the monitoring pages, but sees only the cases they may see, complainants masked as on the case list."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from ecohotline.api.tests.test_cases_api import client_for
from ecohotline.api.tests.test_monitoring_api import HOUR, make_alert
from ecohotline.cases.models import Case
from ecohotline.factories import force_status, make_case
from ecohotline.monitoring.models import Station

pytestmark = pytest.mark.django_db

LAT, LNG = 39.987, 116.287


@pytest.fixture
def station(org: Any) -> Station:
    return Station.objects.create(code="wanliu", name="万柳", kind="air", latitude=LAT, longitude=LNG,
                                  street=org.street)


def complaint(org: Any, *, street: Any, at: dt.datetime, unit: Any = None, offset: float = 0.001) -> Case:
    case = make_case(street=street, received_at=at, category="air", latitude=LAT + offset, longitude=LNG,
                     complainant_name="张三丰", complainant_phone="13812345678")
    return force_status(case, case.status, handling_unit=unit or org.squad, category="air")


def test_complaints_near_an_alert_are_limited_to_the_callers_cases(org: Any, station: Station) -> None:
    alert = make_alert(station)
    ours = complaint(org, street=org.street, at=HOUR)
    theirs = complaint(org, street=org.other_street, at=HOUR, unit=org.other_squad)
    complaint(org, street=org.street, at=HOUR, offset=0.2)  # 20 km away
    complaint(org, street=org.street, at=HOUR - dt.timedelta(days=5))  # long before
    url = f"/api/v1/monitoring/alerts/{alert.pk}/complaints"
    dispatcher = client_for(org.dispatcher).get(url).json()["results"]
    assert {row["id"] for row in dispatcher} == {ours.pk, theirs.pk}
    assert dispatcher[0]["complainant_phone"] == "13812345678"
    liaison = client_for(org.street_liaison).get(url).json()["results"]
    assert [row["id"] for row in liaison] == [ours.pk]
    assert liaison[0]["complainant_phone"] != "13812345678" and not liaison[0]["complainant_visible"]
    assert [row["id"] for row in client_for(org.other_handler).get(url).json()["results"]] == [theirs.pk]


def test_an_unknown_alert_is_a_404(org: Any) -> None:
    response = client_for(org.dispatcher).get("/api/v1/monitoring/alerts/999/complaints")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_the_complaints_near_an_alert_have_a_flat_query_count(org: Any, station: Station,
                                                             django_assert_max_num_queries: Any) -> None:
    alert = make_alert(station)
    for _ in range(3):
        complaint(org, street=org.street, at=HOUR)
    client = client_for(org.street_liaison)
    url = f"/api/v1/monitoring/alerts/{alert.pk}/complaints"
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).json()["count"] == 3
    for _ in range(12):
        complaint(org, street=org.street, at=HOUR)
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).json()["count"] == 15


def test_clusters_without_an_alert_count_all_and_list_what_the_caller_may_see(org: Any, station: Station) -> None:
    with time_machine.travel(HOUR, tick=False):
        ours = [complaint(org, street=org.street, at=HOUR - dt.timedelta(hours=n)) for n in range(1, 4)]
        theirs = [complaint(org, street=org.other_street, at=HOUR - dt.timedelta(hours=n), unit=org.other_squad)
                  for n in range(4, 6)]
        liaison = client_for(org.street_liaison).get("/api/v1/monitoring/clusters")
        dispatcher = client_for(org.dispatcher).get("/api/v1/monitoring/clusters").json()["results"]
        assert liaison.status_code == 200
        [cluster] = liaison.json()["results"]
        assert cluster["station_code"] == "wanliu" and cluster["case_count"] == 5
        assert cluster["cases"] == [case.pk for case in ours]
        assert dispatcher[0]["cases"] == [case.pk for case in [*ours, *theirs]]
        make_alert(station, first_at=HOUR - dt.timedelta(hours=2), last_at=HOUR)
        assert client_for(org.dispatcher).get("/api/v1/monitoring/clusters").json() == {"results": []}


def test_the_clusters_need_a_signed_in_caller(org: Any) -> None:
    assert APIClient().get("/api/v1/monitoring/clusters").status_code in (401, 403)
