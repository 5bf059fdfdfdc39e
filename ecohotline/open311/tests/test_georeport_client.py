"""The PyPI client `georeport` against a running server, in XML and in JSON: it lists the services, reads the
requests and a single request (the filed one, with the status and expected time the desk gave it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.db import connections
from georeport import GeoReport

from ecohotline.cases import services as case_services
from ecohotline.cases.models import Case
from ecohotline.open311.services import issue_api_key
from ecohotline.open311.tests.conftest import noise_request

# serialized_rollback: the categories and deadline policies that migrations load survive each test's flush.
pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def server(live_site: str) -> Iterator[str]:
    """Open311's base URL on a live server of this test only."""
    yield f"{live_site}/open311/v2"
    connections.close_all()


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_the_georeport_client_lists_services_and_reads_requests(server: str, org, fmt: str) -> None:
    import requests

    issued = issue_api_key(actor=None, name="client test")
    posted = requests.post(f"{server}/requests.{fmt}", data=noise_request(issued.plain), timeout=10)
    assert posted.status_code == 200, posted.text
    case = Case.objects.get()
    case = case_services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad)
    client = GeoReport(server, jurisdiction="haidian.bjepb.gov.cn", output_format=fmt)

    services = client.get_service_list()
    by_code = {service["service_code"]: service for service in services}
    assert by_code["noise.social"]["service_name"] == "社会生活噪声"
    assert by_code["noise.social"]["group"] == "噪声"
    definition = client.get_service_definition("noise.social")
    assert definition["service_code"] == "noise.social"

    listed = client.get_service_requests(status="open", service_code="noise.social")
    request = listed if isinstance(listed, dict) else listed[0]  # xmltodict gives one request as a dict
    assert request["service_request_id"] == str(case.pk)

    single = client.get_service_request(str(case.pk))
    assert single["status"] == "open"
    assert single["agency_responsible"] == "执法一中队"
    expected = dt.datetime.fromisoformat(single["expected_datetime"])
    assert expected == case.reply_due_at and expected.utcoffset() == dt.timedelta(hours=8)
    assert "13912345678" not in str(single) and "王小明" not in str(single)
