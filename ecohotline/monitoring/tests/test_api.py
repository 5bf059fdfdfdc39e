"""`POST /api/v1/monitoring/readings`: who may push, idempotent writes, per-item rejections with index and field,
400 for a malformed body, 413 for too many readings, and a cost that does not grow with the readings sent."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from ecohotline.factories import StationFactory, UserFactory
from ecohotline.monitoring import api
from ecohotline.monitoring.models import Reading, Station
from ecohotline.org.models import Role

pytestmark = pytest.mark.django_db

URL = "/api/v1/monitoring/readings"
UTC = dt.UTC


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture
def dongsi(db: None) -> Station:
    return StationFactory(code="dongsi", name="东四")


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def push(client: APIClient, body: Any, *, raw: bytes | None = None) -> Any:
    data = raw if raw is not None else json.dumps(body)
    return client.post(f"{URL}?lang=en", data=data, content_type="application/json")


def reading(hour: int = 0, **fields: Any) -> dict[str, Any]:
    return {"station": "dongsi", "at": f"2015-03-01T{hour:02d}:00:00+08:00", "parameter": "pm25", "value": 30 + hour,
            **fields}


# --- who may push ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.ADMIN])
def test_dispatchers_and_administrators_may_push(org: Any, dongsi: Station, role: str) -> None:
    response = push(client_for(org.by_role(role)), {"readings": [reading(0), reading(1)]})
    assert response.status_code == 200, response.content
    assert response.json() == {"written": 2, "unchanged": 0, "rejected": 0, "rejections": []}
    assert Reading.objects.count() == 2


@pytest.mark.parametrize("role", [Role.HANDLER, Role.UNIT_HEAD, Role.LEADER, Role.ANALYST, Role.STREET_LIAISON])
def test_other_roles_may_not(org: Any, dongsi: Station, role: str) -> None:
    response = push(client_for(org.by_role(role)), {"readings": [reading()]})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Reading.objects.exists()


def test_anonymous_callers_are_refused(dongsi: Station) -> None:
    response = push(APIClient(), {"readings": [reading()]})
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_a_data_feed_account_pushes_with_its_token_and_the_add_reading_permission(dongsi: Station) -> None:
    feed = UserFactory(username="feed-bjmemc")
    token = Token.objects.create(user=feed)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert push(client, {"readings": [reading()]}).status_code == 403
    feed.user_permissions.add(Permission.objects.get(codename="add_reading", content_type__app_label="monitoring"))
    response = push(client, {"readings": [reading()]})
    assert response.status_code == 200 and response.json()["written"] == 1
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert push(client, {"readings": [reading()]}).status_code == 401


# --- idempotency and rejections --------------------------------------------------------------------------------


def test_pushing_again_is_idempotent_and_a_correction_replaces_the_value(org: Any, dongsi: Station) -> None:
    client = client_for(org.dispatcher)
    body = {"readings": [reading(0), reading(1), reading(1, parameter="CO", value=0.8)]}
    assert push(client, body).json()["written"] == 3
    assert push(client, body).json() == {"written": 0, "unchanged": 3, "rejected": 0, "rejections": []}
    corrected = push(client, {"readings": [reading(0), reading(1, value=99.5)]}).json()
    assert (corrected["written"], corrected["unchanged"]) == (1, 1)
    assert Reading.objects.count() == 3
    assert Reading.objects.get(parameter="pm25", at=dt.datetime(2015, 2, 28, 17, tzinfo=UTC)).value == 99.5


def test_bad_items_are_rejected_with_index_field_and_reason_and_the_others_written(org: Any, dongsi: Station) -> None:
    items = [
        reading(0),                                          # 0: good
        reading(1, station="xisi"),                          # 1
        reading(2, at="2015-03-01T02:30:00+08:00"),          # 2
        reading(3, at="yesterday"),                          # 3
        reading(4, parameter="benzene"),                     # 4
        reading(5, value=-1),                                # 5
        reading(6, value="12"),                              # 6: a string is not a number here
        reading(7, value=None),                              # 7
        ["dongsi", "2015-03-01T08:00:00+08:00", "pm25", 1],  # 8
        {"at": "2015-03-01T09:00:00+08:00", "parameter": "pm25", "value": 1},  # 9
        reading(10, value=True),                             # 10
        reading(11, value=1200, parameter="co", unit="µg/m³"),  # 11: good, 1.2 mg/m³
        reading(12, unit="furlongs"),                        # 12
        reading(13, at="2015-03-01 13:00"),                  # 13: good, Beijing time
    ]
    response = push(client_for(org.dispatcher), {"readings": items})
    assert response.status_code == 200
    body = response.json()
    assert (body["written"], body["unchanged"], body["rejected"]) == (3, 0, 11)
    assert [(item["index"], item["field"], item["code"]) for item in body["rejections"]] == [
        (1, "station", "unknown_station"), (2, "at", "not_on_the_hour"), (3, "at", "bad_time"),
        (4, "parameter", "unknown_parameter"), (5, "value", "negative_value"), (6, "value", "not_a_number"),
        (7, "value", "missing_value"), (8, "non_field_errors", "not_an_object"), (9, "station", "missing_station"),
        (10, "value", "not_a_number"), (12, "unit", "unknown_unit"),
    ]
    assert body["rejections"][0]["reason"] == "unknown station “xisi”"
    assert Reading.objects.get(parameter="co").value == 1.2
    assert Reading.objects.filter(at=dt.datetime(2015, 3, 1, 5, tzinfo=UTC)).exists()


# --- malformed and oversized bodies ----------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "code"), [
    (b"{not json", "invalid_json"),
    (b"\xff\xfe", "invalid_json"),
    (b"[]", "invalid"),
    (b'{"readings": {}}', "invalid"),
    (b'{"readings": []}', "invalid"),
    (b'{"orders": [1]}', "invalid"),
])  # fmt: skip
def test_a_malformed_body_is_400(org: Any, dongsi: Station, raw: bytes, code: str) -> None:
    response = push(client_for(org.dispatcher), None, raw=raw)
    assert response.status_code == 400
    assert response.json()["code"] == code and response.json()["detail"]
    assert not Reading.objects.exists()


def test_too_many_readings_is_413(org: Any, dongsi: Station) -> None:
    response = push(client_for(org.dispatcher), {"readings": [reading(0)] * (api.MAX_READINGS + 1)})
    assert response.status_code == 413
    assert response.json()["code"] == "too_many_readings" and "10000" in response.json()["detail"]
    assert not Reading.objects.exists()


def test_a_body_over_the_size_limit_is_413(org: Any, dongsi: Station, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "MAX_BODY_BYTES", 1000)
    response = push(client_for(org.dispatcher), {"readings": [reading(0, note="x" * 2000)]})
    assert response.status_code == 413 and response.json()["code"] == "too_large"


def test_the_largest_push_is_taken_whole_and_its_queries_do_not_grow(org: Any, dongsi: Station) -> None:
    client = client_for(org.dispatcher)
    start = dt.datetime(2015, 3, 1, tzinfo=UTC)
    many = [{"station": "dongsi", "at": (start + dt.timedelta(hours=n)).isoformat(), "parameter": "pm25",
             "value": n % 300} for n in range(api.MAX_READINGS)]
    assert push(client, {"readings": many[:10]}).status_code == 200  # the caller's roles are cached from here on
    counts = []
    for items in (many[10:20], many[20:5000]):  # one executemany batch each (up to 5,000 rows)
        with CaptureQueriesContext(connection) as queries:
            response = push(client, {"readings": items})
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    response = push(client, {"readings": many})
    assert response.json() == {"written": 5000, "unchanged": 5000, "rejected": 0, "rejections": []}
    assert Reading.objects.count() == api.MAX_READINGS
