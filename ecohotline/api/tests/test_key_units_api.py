"""The key units registry (重点单位) through the API: the registry's editors register and change units, the
overview reads a unit's record, and dispatchers confirm the unit a case is about."""

from __future__ import annotations

from typing import Any

import pytest

from ecohotline.api.tests.test_cases_api import client_for, squad_case
from ecohotline.cases.models import CaseEvent
from ecohotline.insight import services
from ecohotline.insight.models import KeyUnit, KeyUnitCase

pytestmark = pytest.mark.django_db

LAT, LNG = 39.98, 116.31


def test_an_analyst_registers_and_changes_a_key_unit(org: Any) -> None:
    client = client_for(org.analyst)
    created = client.post("/api/v1/insight/key-units", {
        "name": "老王烧烤", "aliases": "王记串店", "industry_code": "6210", "street": org.street.pk,
        "latitude": LAT, "longitude": LNG, "is_key_industry": True, "team": org.squad.pk, "is_active": True},
        format="json")
    assert created.status_code == 201, created.content
    unit_id = created.json()["id"]
    assert created.json()["flags"] == ["industry"] and created.json()["team"]["id"] == org.squad.pk
    changed = client.patch(f"/api/v1/insight/key-units/{unit_id}", {"is_key_unit": True, "contact": "王经理"},
                           format="json")
    assert changed.status_code == 200, changed.content
    unit = KeyUnit.objects.get(pk=unit_id)
    assert unit.is_key_industry and unit.is_key_unit and unit.contact == "王经理" and unit.industry_code == "6210"
    assert unit.latitude == LAT and unit.street_id == org.street.pk and unit.is_active
    cleared = client.patch(f"/api/v1/insight/key-units/{unit_id}", {"is_key_industry": False}, format="json")
    assert cleared.status_code == 200 and not KeyUnit.objects.get(pk=unit_id).is_key_industry


@pytest.mark.parametrize("body", [{"name": ""}, {"name": "x", "latitude": 39.9},
                                  {"name": "x", "street": 999999}, {"name": "x", "latitude": "north",
                                                                     "longitude": 116.3}])
def test_a_bad_key_unit_is_a_400_and_nothing_saved(org: Any, body: dict[str, Any]) -> None:
    response = client_for(org.leader).post("/api/v1/insight/key-units", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] in ("invalid", "invalid_point")
    assert not KeyUnit.objects.exists()


def test_a_bad_change_leaves_the_unit_as_it_was(org: Any) -> None:
    unit = services.save_key_unit(actor=org.analyst, name="某厂", industry_code="C")
    response = client_for(org.analyst).patch(f"/api/v1/insight/key-units/{unit.pk}", {"name": " "},
                                             format="json")
    assert response.status_code == 400
    assert KeyUnit.objects.get(pk=unit.pk).name == "某厂"


def test_only_the_registry_editors_write_and_the_overview_reads(org: Any) -> None:
    unit = services.save_key_unit(actor=org.analyst, name="某厂")
    dispatcher = client_for(org.dispatcher)
    assert dispatcher.post("/api/v1/insight/key-units", {"name": "x"}, format="json").status_code == 403
    assert dispatcher.patch(f"/api/v1/insight/key-units/{unit.pk}", {"name": "x"}, format="json").status_code == 403
    detail = dispatcher.get(f"/api/v1/insight/key-units/{unit.pk}")
    assert detail.status_code == 200 and detail.json()["name"] == "某厂" and detail.json()["cases"] == []
    assert client_for(org.handler).get(f"/api/v1/insight/key-units/{unit.pk}").status_code == 403
    assert dispatcher.get("/api/v1/insight/key-units/999999").status_code == 404
    assert KeyUnit.objects.get(pk=unit.pk).name == "某厂"


def test_a_dispatcher_confirms_the_unit_of_a_case(org: Any) -> None:
    unit = services.save_key_unit(actor=org.analyst, name="老王烧烤", latitude=LAT, longitude=LNG)
    case = squad_case(org, title="张三丰反映老王烧烤油烟 13812345678")
    client = client_for(org.dispatcher)
    suggested = client.get(f"/api/v1/insight/cases/{case.pk}/key-units")
    assert suggested.status_code == 200
    assert [item["key_unit"]["id"] for item in suggested.json()["suggestions"]] == [unit.pk]
    confirmed = client.post(f"/api/v1/insight/cases/{case.pk}/key-units/confirm", {"key_unit": unit.pk,
                                                                                     "score": 0.8}, format="json")
    assert confirmed.status_code == 200, confirmed.content
    assert [link["key_unit"] for link in confirmed.json()["links"]] == [unit.pk]
    assert CaseEvent.objects.filter(case=case, action="key_unit_linked").count() == 1
    record = client.get(f"/api/v1/insight/key-units/{unit.pk}").json()
    assert [row["id"] for row in record["cases"]] == [case.pk] and "13812345678" not in record["cases"][0]["summary"]


def test_confirming_refuses_others_strangers_and_bad_input(org: Any) -> None:
    unit = services.save_key_unit(actor=org.analyst, name="老王烧烤")
    inactive = services.save_key_unit(actor=org.analyst, name="旧厂", is_active=False)
    case = squad_case(org)
    url = f"/api/v1/insight/cases/{case.pk}/key-units/confirm"
    assert client_for(org.handler).post(url, {"key_unit": unit.pk}, format="json").status_code == 403
    assert client_for(org.other_handler).get(f"/api/v1/insight/cases/{case.pk}/key-units").status_code == 404
    dispatcher = client_for(org.dispatcher)
    for body in ({}, {"key_unit": inactive.pk}, {"key_unit": unit.pk, "score": 3}, {"key_unit": "x"}):
        response = dispatcher.post(url, body, format="json")
        assert response.status_code == 400 and response.json()["code"] == "invalid", body
    assert not KeyUnitCase.objects.exists()


def test_the_registry_list_has_a_flat_query_count(org: Any, django_assert_max_num_queries: Any) -> None:
    for number in range(15):
        services.save_key_unit(actor=org.analyst, name=f"厂{number}", street=org.street, team=org.squad)
    with django_assert_max_num_queries(3):
        assert client_for(org.leader).get("/api/v1/insight/key-units").json()["count"] == 15
