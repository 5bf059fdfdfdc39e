"""POST requests: an app's report becomes an order of channel open311 in the dispatcher's inbox; every bad request
gets the specification's error list and writes nothing."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from ecohotline.cases import inbox
from ecohotline.cases.models import Case, Channel
from ecohotline.intake.models import OrderRecord, ReceivedVia
from ecohotline.open311.models import ApiKey, ServiceRequest
from ecohotline.open311.services import revoke_api_key
from ecohotline.open311.tests.conftest import noise_request, post_request

pytestmark = pytest.mark.django_db


def test_a_posted_request_becomes_an_open311_order_in_the_dispatchers_inbox(client: Client, org, api_key) -> None:
    response = post_request(client, "json", **noise_request(api_key.plain))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    [body] = response.json()
    case = Case.objects.get()
    assert body["service_request_id"] == str(case.pk)
    assert "token" not in body  # realtime: the id, never both
    assert body["account_id"] == "acct-7"
    assert body["service_notice"]
    assert case.channel == Channel.OPEN311
    assert case.sub_category == "noise.social"  # the app's choice is kept
    assert case.complainant_name == "王小明" and case.complainant_phone == "13912345678"
    assert (case.latitude, case.longitude) == (pytest.approx(39.9834), pytest.approx(116.3162))
    assert "大喇叭" in case.description and "https://img.example.cn/p/1.jpg" in case.description
    record = OrderRecord.objects.get(case=case)
    assert record.received_via == ReceivedVia.OPEN311
    assert "api_key" not in record.raw["as_received"]
    assert record.raw["as_received"]["email"] == "wang@example.cn"
    filed = ServiceRequest.objects.get(case=case)
    assert filed.attributes == {"at_night": "yes", "noise_time": "2026-11-20T22:30:00+08:00"}
    assert filed.media_urls == ["https://img.example.cn/p/1.jpg"]
    assert ApiKey.objects.get(pk=api_key.key.pk).last_used_at is not None
    assert case in inbox.new_and_returned(org.dispatcher)


def test_post_in_xml_answers_service_requests_request(client: Client, org, api_key) -> None:
    response = post_request(client, "xml", **noise_request(api_key.plain, account_id=None))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = ET.fromstring(response.content)
    assert root.tag == "service_requests"
    [request] = root
    assert request.tag == "request"
    assert request.findtext("service_request_id") == str(Case.objects.get().pk)
    assert request.find("account_id") is not None and request.findtext("account_id") == ""


def test_an_address_alone_is_a_location_and_contact_details_are_optional(client: Client, org, api_key) -> None:
    response = post_request(client, "json", api_key=api_key.plain, service_code="air.odor",
                            address_string="海淀区学院路街道某小区", description="夜里有刺鼻气味")
    assert response.status_code == 200, response.content
    case = Case.objects.get()
    assert case.complainant_anonymous and case.address == "海淀区学院路街道某小区"


def _error(response, status: int) -> str:
    assert response.status_code == status, response.content
    body = response.json()
    assert isinstance(body, list) and body
    assert set(body[0]) == {"code", "description"}
    assert body[0]["code"] == status
    return body[0]["description"]


@pytest.mark.parametrize(("overrides", "status"), [
    ({"api_key": "not-a-key"}, 403),
    ({"api_key": None}, 403),
    ({"service_code": "noise.unknown"}, 404),
    ({"service_code": "noise"}, 404),  # a family with sub-categories is not a service
    ({"service_code": None}, 400),
    ({"lat": "39.98abc"}, 400),
    ({"lat": "91", "long": "116.3"}, 400),
    ({"long": "nan"}, 400),
    ({"long": None}, 400),  # lat without long
    ({"lat": None, "long": None, "address_string": None}, 400),  # no location at all
    ({"jurisdiction_id": "chaoyang.example.cn"}, 404),
    ({"attribute[at_night]": None}, 400),  # required by the noise definition
    ({"attribute[at_night]": "maybe"}, 400),
    ({"attribute[noise_time]": "last night"}, 400),
    ({"description": "<script>alert(1)</script>"}, 400),
    ({"description": "噪" * 4001}, 400),
    ({"media_url": "javascript:alert(1)"}, 400),
    ({"email": "not-an-email"}, 400),
])
def test_bad_requests_get_the_specifications_errors_and_write_nothing(client: Client, org, api_key, overrides,
                                                                      status: int) -> None:
    response = post_request(client, "json", **noise_request(api_key.plain, **overrides))

    _error(response, status)
    assert not Case.objects.exists()
    assert not ServiceRequest.objects.exists()


def test_errors_in_xml_are_an_errors_list(client: Client, org, api_key) -> None:
    response = post_request(client, "xml", **noise_request("wrong"))

    assert response.status_code == 403
    root = ET.fromstring(response.content)
    assert root.tag == "errors"
    [error] = root
    assert error.tag == "error"
    assert error.findtext("code") == "403"
    assert error.findtext("description")


def test_a_revoked_key_is_refused(client: Client, org, api_key) -> None:
    revoke_api_key(actor=None, key=api_key.key)

    _error(post_request(client, "json", **noise_request(api_key.plain)), 403)
    assert not Case.objects.exists()


def test_a_key_over_its_hourly_limit_gets_429(client: Client, org, api_key) -> None:
    ApiKey.objects.filter(pk=api_key.key.pk).update(rate_limit_per_hour=2)
    for _ in range(2):
        assert post_request(client, "json", **noise_request(api_key.plain)).status_code == 200

    response = post_request(client, "json", **noise_request(api_key.plain))

    _error(response, 429)
    assert Case.objects.count() == 2


def test_the_error_description_is_in_the_requests_language(client: Client, org, api_key) -> None:
    response = client.post("/open311/v2/requests.json?locale=en", noise_request(api_key.plain, lat="x"))
    assert "lat must be a WGS-84 decimal degree" in _error(response, 400)


def test_other_methods_are_refused_with_405(client: Client, org) -> None:
    response = client.put("/open311/v2/requests.json")
    assert response.status_code == 405
    assert json.loads(response.content)[0]["code"] == 405
