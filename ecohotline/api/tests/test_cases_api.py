"""The REST API v1: visibility and masking, filters, detail, creation, lifecycle actions and the error
contract, the list's query count, and the OpenAPI schema and docs."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from ecohotline.api.actions import ACTION_SPECS
from ecohotline.cases import services
from ecohotline.cases.models import Case, CaseEvent, CaseStatus, Extension
from ecohotline.cases.workflow import TRANSITIONS
from ecohotline.factories import UserFactory, force_status, make_case
from ecohotline.org.models import Role

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
LIST = "/api/v1/cases"


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def detail(case: Case) -> str:
    return f"/api/v1/cases/{case.pk}"


def act(case: Case, action: str) -> str:
    return f"/api/v1/cases/{case.pk}/actions/{action}"


def squad_case(org: Any, status: str = CaseStatus.IN_PROGRESS, **fields: Any) -> Case:
    case = make_case(street=org.street, complainant_name="张三丰", complainant_phone="13812345678",
                     channel=fields.pop("channel", "hotline_12345"))
    return force_status(case, status, handling_unit=org.squad, **fields)


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# --- list: visibility and masking ----------------------------------------------------------------------


@pytest.fixture
def spread(org: Any) -> dict[str, Case]:
    """One case of each kind of reach: the squad's, the other squad's, a new one in the org's street, a new
    one in the other street, and one of the other squad that called the org's street in."""
    cases = {
        "squad": squad_case(org),
        "other_squad": force_status(make_case(street=org.other_street, complainant_name="李四",
                                              complainant_phone="13900001111"),
                                    CaseStatus.IN_PROGRESS, handling_unit=org.other_squad),
        "street_new": make_case(street=org.street, complainant_name="王五", complainant_phone="13700002222"),
        "other_street_new": make_case(street=org.other_street),
        "joint": force_status(make_case(street=org.other_street), CaseStatus.IN_PROGRESS,
                              handling_unit=org.other_squad),
    }
    services.call_joint_handling(actor=org.other_handler, case=cases["joint"], units=[org.street, org.squad],
                                 reason="需协同")
    return cases


@pytest.mark.parametrize(("who", "visible"), [
    ("dispatcher", {"squad", "other_squad", "street_new", "other_street_new", "joint"}),
    ("leader", {"squad", "other_squad", "street_new", "other_street_new", "joint"}),
    ("analyst", {"squad", "other_squad", "street_new", "other_street_new", "joint"}),
    ("admin", {"squad", "other_squad", "street_new", "other_street_new", "joint"}),
    ("handler", {"squad", "joint"}),
    ("unit_head", {"squad", "joint"}),
    ("street_liaison", {"squad", "street_new", "joint"}),
    ("other_handler", {"other_squad", "joint"}),
])
def test_list_shows_only_visible_cases(org: Any, spread: dict[str, Case], who: str, visible: set[str]) -> None:
    response = client_for(getattr(org, who)).get(LIST)
    assert ids(response) == {spread[name].pk for name in visible}
    assert response.json()["count"] == len(visible)


@pytest.mark.parametrize(("who", "masked"), [
    ("dispatcher", False),
    ("handler", False),
    ("unit_head", False),
    ("leader", False),  # the leader in charge of the street (包案)
    ("other_leader", True),
    ("analyst", True),
    ("street_liaison", True),
    ("admin", True),
])
def test_complainant_is_masked_for_those_who_may_not_see_them(org: Any, who: str, masked: bool) -> None:
    case = squad_case(org)
    assert case.leader == org.leader
    rows = client_for(getattr(org, who)).get(LIST).json()["results"]
    row = next(row for row in rows if row["id"] == case.pk)
    if masked:
        assert (row["complainant_name"], row["complainant_phone"]) == ("张**", "138****5678")
        assert row["complainant_visible"] is False
    else:
        assert (row["complainant_name"], row["complainant_phone"]) == ("张三丰", "13812345678")
        assert row["complainant_visible"] is True
    body = client_for(getattr(org, who)).get(detail(case)).json()
    assert body["complainant_name"] == row["complainant_name"]
    assert body["complainant_phone"] == row["complainant_phone"]


def test_called_in_unit_sees_the_complainant_masked(org: Any, spread: dict[str, Case]) -> None:
    case = spread["joint"]
    force_status(case, case.status, complainant_name="赵六", complainant_phone="13655556666")
    body = client_for(org.handler).get(detail(case)).json()
    assert (body["complainant_name"], body["complainant_phone"]) == ("赵*", "136****6666")


# --- list: filters -------------------------------------------------------------------------------------


@pytest.fixture
def catalogue(org: Any) -> dict[str, Case]:
    long_ago = timezone.now() - dt.timedelta(days=30)
    cases = {
        "fumes": make_case(street=org.street, category="air", sub_category="air.catering_fumes",
                           description="餐馆油烟直排", polluter="老王烧烤", received_at=long_ago),
        "social_noise": make_case(street=org.other_street, category="noise", sub_category="noise.social",
                                  description="广场舞音响太响", received_at=dt.datetime(2026, 3, 1, 20, 0,
                                                                                   tzinfo=BEIJING)),
        "building_noise": make_case(street=org.street, category="noise", sub_category="noise.construction",
                                    description="工地夜间施工", address="中关村大街1号",
                                    received_at=dt.datetime(2026, 3, 2, 0, 30, tzinfo=BEIJING)),
        "fresh": make_case(street=org.street, category="water", sub_category="water.discharge",
                           description="河道排污口", external_id="2026050300042"),
    }
    services.dispatch_case(actor=org.dispatcher, case=cases["building_noise"], unit=org.squad)
    services.dispatch_case(actor=org.dispatcher, case=cases["fresh"], unit=org.other_squad)
    force_status(cases["social_noise"], CaseStatus.CLOSED, next_due_at=None)
    return cases


@pytest.mark.parametrize(("query", "expected"), [
    ("status=new", {"fumes"}),
    ("status=dispatched", {"building_noise", "fresh"}),
    ("status=new&status=closed", {"fumes", "social_noise"}),
    ("category=noise", {"social_noise", "building_noise"}),
    ("category=noise.social", {"social_noise"}),
    ("category=air.catering_fumes", {"fumes"}),
    ("category=air", {"fumes"}),
    ("street={street}", {"fumes", "building_noise", "fresh"}),
    ("street={other_street}", {"social_noise"}),
    ("unit={squad}", {"building_noise"}),
    ("unit={other_squad}", {"fresh"}),
    ("overdue=true", {"fumes", "building_noise"}),
    ("overdue=false", {"social_noise", "fresh"}),
    ("q=油烟", {"fumes"}),
    ("q=老王", {"fumes"}),
    ("q=中关村大街", {"building_noise"}),
    ("q=0300042", {"fresh"}),
    ("q=施工 夜间", {"building_noise"}),
    ("q=施工 油烟", set()),
    # Dates are Beijing dates: 2 March 00:30 in Beijing is still 1 March in UTC.
    ("received_from=2026-03-02&received_to=2026-03-02", {"building_noise"}),
    ("received_from=2026-03-01&received_to=2026-03-01", {"social_noise"}),
    ("received_to=2026-03-31", {"social_noise", "building_noise"}),
    ("received_from=2026-03-02&category=noise", {"building_noise"}),
])
def test_list_filters(org: Any, catalogue: dict[str, Case], query: str, expected: set[str]) -> None:
    # The building-site case is long overdue (received in March, contact within 24 hours).
    query = query.format(street=org.street.pk, other_street=org.other_street.pk, squad=org.squad.pk,
                         other_squad=org.other_squad.pk)
    response = client_for(org.dispatcher).get(f"{LIST}?{query}")
    assert ids(response) == {catalogue[name].pk for name in expected}


def test_filters_narrow_within_what_the_caller_may_see(org: Any, catalogue: dict[str, Case]) -> None:
    assert ids(client_for(org.handler).get(f"{LIST}?category=noise")) == {catalogue["building_noise"].pk}


def test_invalid_filter_value_is_a_400_with_field_errors(org: Any) -> None:
    response = client_for(org.dispatcher).get(f"{LIST}?status=lost")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "status" in body["errors"]


def test_list_query_count_does_not_grow_with_the_cases(org: Any, django_assert_max_num_queries: Any) -> None:
    def add_cases(count: int) -> None:
        for _ in range(count):
            case = squad_case(org, handler=org.handler, leader=org.leader)
            force_status(case, case.status, tags=["supervised"])

    add_cases(5)
    counts = {}
    for who in ("dispatcher", "handler", "leader", "street_liaison", "analyst"):
        client = client_for(getattr(org, who))
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get(LIST).json()["results"]) == 5
        counts[who] = len(queries)
    add_cases(25)
    for who, count in counts.items():
        client = client_for(getattr(org, who))
        with django_assert_max_num_queries(count):
            assert len(client.get(LIST).json()["results"]) == 30


# --- detail --------------------------------------------------------------------------------------------


def test_detail_has_the_timeline_and_the_allowed_actions(org: Any) -> None:
    case = make_case(street=org.street)
    services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad)
    services.accept_case(actor=org.handler, case=case)
    body = client_for(org.handler).get(detail(case)).json()
    assert [event["action"] for event in body["timeline"]] == ["created", "dispatch", "accept"]
    assert body["timeline"][1]["from_status"] == "new" and body["timeline"][1]["to_status"] == "dispatched"
    assert body["timeline"][2]["actor"] == org.handler.pk
    assert sorted(body["allowed_actions"]) == sorted([
        "return_order", "record_contact", "record_inspection", "record_measurement", "add_rectification",
        "request_extension", "file_appeal", "call_joint_handling", "reply", "add_note",
    ])  # no joint reply to record until units are called in
    assert body["status"] == "in_progress" and body["version"] == 3
    assert sorted(client_for(org.analyst).get(detail(case)).json()["allowed_actions"]) == []


def test_detail_of_an_invisible_case_is_404(org: Any) -> None:
    case = squad_case(org)
    response = client_for(org.other_handler).get(detail(case))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert client_for(org.dispatcher).get("/api/v1/cases/999999").status_code == 404


# --- create --------------------------------------------------------------------------------------------

NEW_CASE = {
    "channel": "hotline_12345",
    "external_id": "2026050300077",
    "received_at": "2026-05-03T10:15:00+08:00",
    "description": "小区门口烧烤摊油烟扰民",
    "complainant_name": "张三丰",
    "complainant_phone": "13812345678",
    "sub_category": "air.catering_fumes",
}


def test_dispatcher_creates_a_case(org: Any) -> None:
    response = client_for(org.dispatcher).post(LIST, {**NEW_CASE, "street": org.street.pk}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(pk=body["id"])
    assert case.status == CaseStatus.NEW and case.external_id == "2026050300077"
    assert case.leader == org.leader and case.due_at is not None
    assert body["status"] == "new" and body["complainant_name"] == "张三丰"
    assert [event["action"] for event in body["timeline"]] == ["created", "triaged"]
    assert body["outcome"] == "created" and body["category"] == "air"
    assert "dispatch" in body["allowed_actions"]


def test_handler_may_not_create(org: Any) -> None:
    response = client_for(org.handler).post(LIST, NEW_CASE, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not Case.objects.exists()


def test_create_with_bad_input_is_a_400_with_field_errors(org: Any) -> None:
    response = client_for(org.dispatcher).post(LIST, {"channel": "fax", "description": ""}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert {"channel", "description", "received_at"} <= set(body["errors"])
    assert not Case.objects.exists()


def test_create_duplicate_order_is_a_400_on_the_field(org: Any) -> None:
    # Posting the same order again is idempotent (test_create_api.py); a number that a case holds without an
    # order record (registered before the intake kept one) is still refused.
    make_case(channel=NEW_CASE["channel"], external_id=NEW_CASE["external_id"])
    response = client_for(org.dispatcher).post(LIST, NEW_CASE, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "duplicate_order" and "external_id" in response.json()["errors"]


# --- actions -------------------------------------------------------------------------------------------


def test_every_workflow_action_has_an_api_action() -> None:
    assert set(ACTION_SPECS) == set(TRANSITIONS)


def test_action_returns_the_new_case(org: Any) -> None:
    case = make_case(street=org.street)
    response = client_for(org.dispatcher).post(act(case, "dispatch"),
                                               {"unit": org.squad.pk, "handler": org.handler.pk, "version": 1},
                                               format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "dispatched" and body["version"] == 2
    assert body["handling_unit"] == org.squad.pk and body["handler"] == org.handler.pk
    assert body["timeline"][-1]["action"] == "dispatch"
    assert "remind" in body["allowed_actions"]


def test_a_case_through_the_api(org: Any) -> None:
    case = make_case(channel="eco_12369", street=org.street)
    dispatcher, handler, leader = client_for(org.dispatcher), client_for(org.handler), client_for(org.leader)

    def post(client: APIClient, action: str, data: dict[str, Any]) -> dict[str, Any]:
        response = client.post(act(case, action), data, format="json")
        assert response.status_code == 200, (action, response.content)
        return response.json()

    post(dispatcher, "dispatch", {"unit": org.squad.pk})
    post(handler, "accept", {})
    post(handler, "record_contact", {"reached": True, "summary": "已联系"})
    post(handler, "record_inspection", {"findings": "油烟净化器未开启"})
    post(handler, "record_measurement", {"kind": "catering_fumes", "values": {"fumes_mg_m3": 1.6}})
    post(handler, "add_rectification", {"requirement": "开启净化器", "deadline": "2026-06-30"})
    body = post(handler, "request_extension", {"days": 10, "reason": "等待检测"})
    extension = Extension.objects.get(case=case)
    post(leader, "decide_extension", {"extension": extension.pk, "approve": True})
    post(handler, "file_appeal", {"reason": "duplicate", "evidence": "重复"})
    appeal = case.appeals.get()
    post(leader, "decide_appeal", {"appeal": appeal.pk, "approve": False})
    post(handler, "call_joint_handling", {"units": [org.street.pk], "reason": "需街道协同"})
    joint = case.jointhandlings.get()
    post(client_for(org.street_liaison), "record_joint_reply", {"joint": joint.pk, "unit": org.street.pk,
                                                                "text": "已到场"})
    post(leader, "supervise", {"note": "督办"})
    post(client_for(org.unit_head), "remind", {"note": "催办"})
    post(dispatcher, "pause_clock", {"reason": "等待检测"})
    post(dispatcher, "resume_clock", {})
    post(handler, "reply", {"text": "阶段性答复", "final": False})
    body = post(handler, "reply", {"text": "已整改"})
    assert body["status"] == "replied"
    body = post(dispatcher, "record_return_visit", {"contacted": True, "solved": True,
                                                    "satisfaction": "satisfied"})
    assert body["status"] == "closed"
    body = post(handler, "add_note", {"text": "归档"})
    assert body["version"] == 21  # created + 20 actions
    assert len(body["timeline"]) == 21


def test_merge_through_the_api(org: Any) -> None:
    parent, duplicate = make_case(street=org.street), make_case(street=org.street)
    response = client_for(org.dispatcher).post(act(duplicate, "merge_into"), {"into": parent.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "merged" and response.json()["parent"] == parent.pk
    response = client_for(org.dispatcher).post(act(duplicate, "merge_into"), {"into": parent.pk}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "transition_not_allowed"
    another = make_case(street=org.street)
    response = client_for(org.dispatcher).post(act(another, "merge_into"), {"into": 999999}, format="json")
    assert response.status_code == 404


def test_a_role_that_may_not_act_gets_403_even_with_bad_input(org: Any) -> None:
    case = squad_case(org)
    response = client_for(org.analyst).post(act(case, "reply"), {"final": "not a boolean"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    response = client_for(org.handler).post(act(case, "decide_extension"), {}, format="json")
    assert response.status_code == 403


def test_an_action_name_in_capitals_is_a_json_404(org: Any) -> None:
    case = squad_case(org)
    response = client_for(org.dispatcher).post(act(case, "Dispatch"), {}, format="json")
    assert response.status_code == 404 and response.json()["code"] == "unknown_action"


def test_reassign_and_return_through_the_api(org: Any) -> None:
    case = squad_case(org, handler=org.handler)
    response = client_for(org.unit_head).post(act(case, "reassign"), {"unit": org.other_squad.pk}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    response = client_for(org.dispatcher).post(act(case, "reassign"), {"unit": org.other_squad.pk},
                                               format="json")
    assert response.status_code == 200 and response.json()["status"] == "dispatched"
    response = client_for(org.other_handler).post(act(case, "return_order"), {"reason": "非本中队辖区"},
                                                  format="json")
    assert response.status_code == 200 and response.json()["status"] == "returned"


@pytest.mark.parametrize(("action", "data", "fields"), [
    ("record_contact", {}, {"reached"}),
    ("record_contact", {"reached": True, "channel": "pigeon"}, {"channel"}),
    ("record_contact", {"reached": True, "version": 0}, {"version"}),
    ("record_inspection", {"findings": ""}, {"findings"}),
    ("record_measurement", {"kind": "noise", "values": "loud"}, {"values"}),
    ("add_rectification", {"requirement": "整改", "deadline": "next week"}, {"deadline"}),
    ("request_extension", {"days": 0, "reason": ""}, {"days", "reason"}),
    ("decide_extension", {"approve": True}, {"extension"}),
    ("file_appeal", {"reason": "bored", "evidence": "x"}, {"reason"}),
    ("call_joint_handling", {"units": [999999], "reason": "x"}, {"units"}),
    ("reply", {}, {"text"}),
    ("reply", {"text": "好", "final": "maybe"}, {"final"}),
    ("merge_into", {}, {"into"}),
    ("add_note", {"text": ""}, {"text"}),
])
def test_bad_input_is_a_400_with_field_errors(org: Any, action: str, data: dict[str, Any],
                                              fields: set[str]) -> None:
    case = squad_case(org)
    actor = {"merge_into": org.dispatcher, "decide_extension": org.leader, "decide_appeal": org.leader}.get(
        action, org.handler)
    response = client_for(actor).post(act(case, action), data, format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) == fields
    assert all(isinstance(messages, list) and messages for messages in body["errors"].values())
    case.refresh_from_db()
    assert case.version == 1 and case.events.count() == 1


def test_rule_violation_is_a_400_with_its_code_and_field(org: Any) -> None:
    case = squad_case(org)
    response = client_for(org.handler).post(act(case, "request_extension"), {"days": 8, "reason": "等"},
                                            format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "extension_too_long" and body["limit"] == 7
    assert list(body["errors"]) == ["days"]
    response = client_for(org.dispatcher).post(act(case, "dispatch"), {"unit": org.squad.pk,
                                                                       "handler": org.other_handler.pk},
                                               format="json")
    assert response.status_code == 409  # in progress: the status check comes first
    case = make_case(street=org.street)
    response = client_for(org.dispatcher).post(act(case, "dispatch"), {"unit": org.squad.pk,
                                                                       "handler": org.other_handler.pk},
                                               format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "handler_not_in_unit" and "handler" in response.json()["errors"]


def test_role_that_may_not_is_403(org: Any) -> None:
    case = squad_case(org)
    for who, action, data in [
        ("analyst", "add_note", {"text": "看看"}),
        ("street_liaison", "reply", {"text": "答复"}),
        ("handler", "supervise", {"note": "督办"}),
        ("leader", "accept", {}),
    ]:
        response = client_for(getattr(org, who)).post(act(case, action), data, format="json")
        assert response.status_code == 403, (who, action, response.content)
        assert response.json()["code"] == "forbidden"
    case.refresh_from_db()
    assert case.version == 1 and case.events.count() == 1


def test_wrong_status_is_409(org: Any) -> None:
    case = squad_case(org, CaseStatus.CLOSED)
    response = client_for(org.handler).post(act(case, "reply"), {"text": "答复"}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "transition_not_allowed" and body["status"] == "closed"
    case.refresh_from_db()
    assert case.version == 1


def test_stale_version_is_409(org: Any) -> None:
    case = squad_case(org)
    client = client_for(org.handler)
    assert client.post(act(case, "add_note"), {"text": "一", "version": 1}, format="json").status_code == 200
    response = client.post(act(case, "add_note"), {"text": "二", "version": 1}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "stale_version" and response.json()["current_version"] == 2
    case.refresh_from_db()
    assert case.version == 2 and case.events.count() == 2


def test_action_on_an_invisible_case_is_404(org: Any) -> None:
    case = squad_case(org)
    response = client_for(org.other_handler).post(act(case, "add_note"), {"text": "看看"}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    other_street_liaison = UserFactory(username="liaison2", unit=org.other_street, roles=[Role.STREET_LIAISON])
    assert client_for(other_street_liaison).post(act(case, "add_note"), {"text": "看看"},
                                                 format="json").status_code == 404
    assert CaseEvent.objects.filter(case=case).count() == 1


def test_unknown_action_is_404(org: Any) -> None:
    case = squad_case(org)
    response = client_for(org.dispatcher).post(act(case, "teleport"), {}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_action"
    assert client_for(org.dispatcher).post(act(case, "Dispatch"), {}, format="json").status_code == 404


def test_object_of_another_case_is_404(org: Any) -> None:
    case, other = squad_case(org), squad_case(org)
    extension = services.request_extension(actor=org.handler, case=other, days=3, reason="等待检测")
    response = client_for(org.leader).post(act(case, "decide_extension"),
                                           {"extension": extension.pk, "approve": True}, format="json")
    assert response.status_code == 404
    extension.refresh_from_db()
    assert extension.decision == "pending"


# --- authentication ------------------------------------------------------------------------------------


def test_unauthenticated_requests_are_refused(org: Any) -> None:
    case = squad_case(org)
    client = APIClient()
    for response in (client.get(LIST), client.get(detail(case)), client.post(LIST, NEW_CASE, format="json"),
                     client.post(act(case, "add_note"), {"text": "x"}, format="json")):
        assert response.status_code in (401, 403)
        assert response.json()["code"] == "not_authenticated"
    assert client.get(LIST).status_code == 401  # the token scheme asks for credentials
    case.refresh_from_db()
    assert case.version == 1


def test_token_authentication(org: Any) -> None:
    case = squad_case(org)
    token = Token.objects.create(user=org.handler)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert ids(client.get(LIST)) == {case.pk}
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get(LIST).status_code == 401


def test_inactive_user_is_refused(org: Any) -> None:
    org.handler.is_active = False
    org.handler.save()
    token = Token.objects.create(user=org.handler)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(LIST).status_code == 401


# --- schema and docs -----------------------------------------------------------------------------------


def test_openapi_schema(org: Any) -> None:
    response = client_for(org.analyst).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "EcoHotline API"
    paths = schema["paths"]
    assert {"/api/v1/cases", "/api/v1/cases/{id}", "/api/v1/cases/{id}/actions/{action_name}"} <= set(paths)
    action_params = paths["/api/v1/cases/{id}/actions/{action_name}"]["post"]["parameters"]
    enum = next(p for p in action_params if p["name"] == "action_name")["schema"]["enum"]
    assert set(enum) == set(TRANSITIONS)
    list_params = {p["name"] for p in paths["/api/v1/cases"]["get"]["parameters"]}
    assert {"status", "category", "street", "unit", "overdue", "q", "received_from", "received_to"} <= list_params


def test_swagger_ui_renders_offline(org: Any) -> None:
    response = client_for(org.analyst).get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html and "/api/schema/" in html
    assert "drf_spectacular_sidecar/swagger-ui-dist" in html
    assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html
