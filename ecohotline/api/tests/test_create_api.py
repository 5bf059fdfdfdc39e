"""`POST /api/v1/cases`: an order entered by hand goes through the intake pipeline (triage, idempotence on the
order number, 补充), keeps what the caller already knows, and only dispatchers and administrators may post."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from ecohotline.cases.models import Case, CaseEvent, Category
from ecohotline.factories import StreetFactory
from ecohotline.intake.models import OrderRecord, TriageSuggestion

pytestmark = pytest.mark.django_db

LIST = "/api/v1/cases"
ORDER = {
    "channel": "phone",
    "external_id": "DH-2026-0503-01",
    "received_at": "2026-05-03T10:15:00+08:00",
    "description": "中关村大街12号楼下烧烤店油烟直排，熏得没法开窗。",
    "address": "北京市海淀区中关村街道中关村大街12号",
    "complainant_name": "张三丰",
    "complainant_phone": "13812345678",
}


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def post(user: Any, **fields: Any) -> Any:
    return client_for(user).post(LIST, {**ORDER, **fields}, format="json")


def test_a_new_order_is_triaged(org: Any) -> None:
    response = post(org.dispatcher)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["outcome"] == "created"
    assert [event["action"] for event in body["timeline"]] == ["created", "triaged"]
    case = Case.objects.get(pk=body["id"])
    assert case.street == org.street  # placed from the address
    assert case.leader == org.leader
    assert (case.category, case.sub_category, case.category_confirmed) == ("air", "air.catering_fumes", False)
    triaged = CaseEvent.objects.get(case=case, action="triaged")
    assert triaged.actor == org.dispatcher and triaged.payload["place"]["placed"] is True
    assert TriageSuggestion.objects.filter(case=case).exists()
    record = OrderRecord.objects.get(case=case)
    assert (record.channel, record.external_id, record.received_via) == ("phone", "DH-2026-0503-01", "manual")


def test_what_the_caller_knows_is_kept_and_confirmed(org: Any) -> None:
    response = post(org.dispatcher, sub_category="noise.social", street=org.other_street.pk, polluter="老王烧烤")
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["id"])
    assert (case.category, case.sub_category, case.category_confirmed) == ("noise", "noise.social", True)
    assert case.street == org.other_street and case.polluter == "老王烧烤"
    payload = case.events.get(action="triaged").payload
    assert payload["classify"]["reason"] == "登记时指定" and payload["place"]["decided_by"] == "given"


def test_posting_the_same_order_again_is_idempotent(org: Any) -> None:
    first = post(org.dispatcher)
    again = post(org.admin)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] and again.json()["outcome"] == "unchanged"
    assert Case.objects.count() == 1 and OrderRecord.objects.count() == 1
    assert len(again.json()["timeline"]) == 2


def test_changed_content_is_a_supplement(org: Any) -> None:
    first = post(org.dispatcher).json()
    response = post(org.dispatcher, description="补充：凌晨一点仍在排放油烟。")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == first["id"] and body["outcome"] == "updated"
    event = body["timeline"][-1]
    assert event["action"] == "order_updated" and event["payload"]["via"] == "manual"
    assert event["payload"]["changes"]["description"]["new"] == "补充：凌晨一点仍在排放油烟。"
    assert body["description"] == first["description"]  # the case keeps its own record
    assert Case.objects.count() == 1 and OrderRecord.objects.get().updates == 1


def test_without_an_order_number_every_post_is_a_new_case(org: Any) -> None:
    assert post(org.dispatcher, external_id="").status_code == 201
    assert post(org.dispatcher, external_id="").status_code == 201
    assert Case.objects.count() == 2 and not OrderRecord.objects.exists()


def test_the_same_number_on_another_channel_is_another_order(org: Any) -> None:
    assert post(org.dispatcher).status_code == 201
    assert post(org.dispatcher, channel="letter").status_code == 201
    assert Case.objects.count() == 2


@pytest.mark.parametrize("role", ["handler", "analyst", "leader", "street_liaison"])
def test_only_dispatchers_and_admins_may_post(org: Any, role: str) -> None:
    response = post(getattr(org, role))
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert not Case.objects.exists()


def test_a_handler_may_not_supplement_a_known_order(org: Any) -> None:
    post(org.dispatcher)
    response = post(org.handler, description="改过的内容")
    assert response.status_code == 403
    assert not CaseEvent.objects.filter(action="order_updated").exists()
    assert OrderRecord.objects.get().updates == 0


def test_a_handler_is_refused_before_the_input_is_checked(org: Any) -> None:
    response = client_for(org.handler).post(LIST, {"channel": "fax"}, format="json")
    assert response.status_code == 403


@pytest.mark.parametrize("code", ["noise", "noise.nonsense", "air.catering_fumes.x"])
def test_a_family_or_an_unknown_sub_category_is_refused(org: Any, code: str) -> None:
    response = post(org.dispatcher, sub_category=code)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_category" and list(body["errors"]) == ["sub_category"]
    assert not Case.objects.exists()


def test_an_inactive_sub_category_is_refused(org: Any) -> None:
    Category.objects.filter(code="noise.social").update(is_active=False)
    response = post(org.dispatcher, sub_category="noise.social")
    assert response.status_code == 400 and response.json()["code"] == "invalid_category"


def test_a_family_without_active_sub_categories_may_be_given(org: Any) -> None:
    response = post(org.dispatcher, sub_category="soil")
    assert response.status_code == 201, response.content
    assert (response.json()["category"], response.json()["sub_category"]) == ("soil", "soil")


def test_a_street_must_be_an_active_street_or_town(org: Any) -> None:
    closed = StreetFactory(name="已撤销街道", code="closed", is_active=False)
    for unit in (org.squad, closed):
        response = post(org.dispatcher, street=unit.pk)
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_street" and list(response.json()["errors"]) == ["street"]
    response = post(org.dispatcher, street=999999)
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert not Case.objects.exists()


def test_coordinates_both_or_neither_in_a_known_system(org: Any) -> None:
    response = post(org.dispatcher, latitude=39.9834)
    assert response.status_code == 400 and set(response.json()["errors"]) == {"longitude"}
    response = post(org.dispatcher, longitude=116.3162, latitude=39.9834, coordinate_system="mars")
    assert response.status_code == 400 and set(response.json()["errors"]) == {"coordinate_system"}
    assert not Case.objects.exists()


def test_gcj02_coordinates_are_converted(org: Any) -> None:
    response = post(org.dispatcher, longitude=116.3162, latitude=39.9834, coordinate_system="gcj02")
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["id"])
    assert case.longitude is not None and case.latitude is not None
    # GCJ-02 is offset by some hundreds of metres from WGS-84 in Beijing.
    assert 0.003 < 116.3162 - case.longitude < 0.01 and 0.0005 < 39.9834 - case.latitude < 0.003


def test_category_and_tags_are_no_longer_taken(org: Any) -> None:
    response = post(org.dispatcher, category="water", tags=["vip"])
    assert response.status_code == 201
    case = Case.objects.get(pk=response.json()["id"])
    assert case.category == "air" and "vip" not in case.tags


def test_the_schema_says_how_creation_answers(org: Any) -> None:
    schema = client_for(org.analyst).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/cases"]["post"]
    assert {"200", "201", "400", "403"} <= set(operation["responses"])
    assert "idempotent" in operation["description"].lower()
    request = schema["components"]["schemas"]["CaseCreateRequest"]["properties"]
    assert "coordinate_system" in request and "tags" not in request and "category" not in request
    outcome = schema["components"]["schemas"]["CaseCreated"]["properties"]["outcome"]
    enum = schema["components"]["schemas"][outcome["allOf"][0]["$ref"].rsplit("/", 1)[1]]["enum"]
    assert enum == ["created", "updated", "unchanged"]
