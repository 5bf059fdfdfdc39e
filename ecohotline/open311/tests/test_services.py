"""Discovery, the service list (the category taxonomy) and service definitions, in XML and JSON."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from ecohotline.cases.models import Category

pytestmark = pytest.mark.django_db


def test_services_are_the_active_sub_categories_grouped_by_element_in_chinese_by_default(client: Client) -> None:
    response = client.get("/open311/v2/services.json")

    assert response.status_code == 200
    services = {service["service_code"]: service for service in response.json()}
    assert "noise" not in services and "air" not in services  # families with sub-categories are groups
    assert services["noise.social"] == {
        "service_code": "noise.social", "service_name": "社会生活噪声",
        "description": services["noise.social"]["description"], "metadata": True, "type": "realtime",
        "keywords": services["noise.social"]["keywords"], "group": "噪声"}
    assert services["air.catering_fumes"]["group"] == "大气"
    assert services["soil"]["group"] == "土壤"  # a family without sub-categories is a service of its own
    assert services["air.dust"]["metadata"] is False
    assert services["noise.social"]["keywords"]


@pytest.mark.parametrize(("query", "headers"), [("?locale=en", {}), ("", {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"})])
def test_services_in_english_on_request(client: Client, query: str, headers: dict[str, str]) -> None:
    services = {s["service_code"]: s for s in client.get(f"/open311/v2/services.json{query}", **headers).json()}
    assert services["noise.social"]["service_name"] == "Social-life noise"
    assert services["noise.social"]["group"] == "Noise"


def test_an_inactive_category_is_not_a_service(client: Client) -> None:
    Category.objects.filter(code="air.burning").update(is_active=False)
    codes = [service["service_code"] for service in client.get("/open311/v2/services.json").json()]
    assert "air.burning" not in codes


def test_services_xml_is_services_service(client: Client) -> None:
    response = client.get("/open311/v2/services.xml")

    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = ET.fromstring(response.content)
    assert root.tag == "services"
    assert {child.tag for child in root} == {"service"}
    noise = next(s for s in root if s.findtext("service_code") == "noise.social")
    assert [child.tag for child in noise] == ["service_code", "service_name", "description", "metadata", "type",
                                              "keywords", "group"]
    assert noise.findtext("metadata") == "true" and noise.findtext("type") == "realtime"


def test_the_noise_definition_asks_when_and_whether_at_night(client: Client) -> None:
    definition = client.get("/open311/v2/services/noise.construction.json?locale=en").json()

    assert definition["service_code"] == "noise.construction"
    attributes = {attribute["code"]: attribute for attribute in definition["attributes"]}
    assert attributes["noise_time"]["datatype"] == "datetime"
    assert attributes["at_night"] == {
        "variable": True, "code": "at_night", "datatype": "singlevaluelist", "required": True,
        "datatype_description": None, "order": 2, "description": "Does it happen at night (22:00 to 06:00)?",
        "values": [{"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"}]}


def test_definition_xml_is_service_definition_attributes_attribute_values_value(client: Client) -> None:
    root = ET.fromstring(client.get("/open311/v2/services/noise.social.xml").content)

    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "noise.social"
    attribute = root.find("attributes/attribute[code='at_night']")
    assert attribute is not None
    assert attribute.findtext("required") == "true"
    assert [value.findtext("key") for value in attribute.findall("values/value")] == ["yes", "no"]


@pytest.mark.parametrize("code", ["noise.unknown", "noise"])
def test_an_unknown_service_definition_is_404(client: Client, code: str) -> None:
    response = client.get(f"/open311/v2/services/{code}.json")
    assert response.status_code == 404
    assert response.json()[0]["code"] == 404


def test_a_foreign_jurisdiction_is_404_and_ours_or_none_is_fine(client: Client, settings) -> None:
    settings.OPEN311_JURISDICTION_ID = "haidian.example.cn"
    assert client.get("/open311/v2/services.json?jurisdiction_id=haidian.example.cn").status_code == 200
    assert client.get("/open311/v2/services.json").status_code == 200
    response = client.get("/open311/v2/services.xml?jurisdiction_id=chaoyang.example.cn")
    assert response.status_code == 404
    assert ET.fromstring(response.content).tag == "errors"


def test_discovery_in_both_formats(client: Client) -> None:
    body = client.get("/open311/v2/discovery.json").json()
    [endpoint] = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert body["changeset"].endswith("+08:00")

    root = ET.fromstring(client.get("/open311/v2/discovery.xml").content)
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]
    assert root.findtext("key_service")
