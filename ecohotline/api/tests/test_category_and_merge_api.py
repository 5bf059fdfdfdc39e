"""The API's `set_category` action (分类更正) and merged duplicates (并案) seen and answered through the API."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from ecohotline.cases import services
from ecohotline.cases.models import Case, CaseStatus, Reply
from ecohotline.factories import force_status, make_case

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def act(case: Case, action: str) -> str:
    return f"/api/v1/cases/{case.pk}/actions/{action}"


def guessed(org: Any) -> Case:
    return make_case(street=org.street, description="楼下烧烤店油烟直排", category="noise",
                     sub_category="noise.social")


def test_a_dispatcher_corrects_the_category_through_the_api(org: Any) -> None:
    case = guessed(org)
    client = client_for(org.dispatcher)
    assert "set_category" in client.get(f"/api/v1/cases/{case.pk}").json()["allowed_actions"]
    response = client.post(act(case, "set_category"), {"sub_category": "air.catering_fumes", "note": "油烟",
                                                       "version": 1}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["category"], body["sub_category"], body["version"]) == ("air", "air.catering_fumes", 2)
    event = body["timeline"][-1]
    assert event["action"] == "set_category"
    assert (event["payload"]["old_sub_category"], event["payload"]["sub_category"]) == (
        "noise.social", "air.catering_fumes")
    case.refresh_from_db()
    assert case.category_confirmed


@pytest.mark.parametrize("code", ["air.fumes", "air"])
def test_a_wrong_code_is_a_400_on_the_field(org: Any, code: str) -> None:
    case = guessed(org)
    response = client_for(org.dispatcher).post(act(case, "set_category"), {"sub_category": code}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_category" and list(body["errors"]) == ["sub_category"]
    assert body["detail"] and body["errors"]["sub_category"] == [body["detail"]]
    case.refresh_from_db()
    assert (case.sub_category, case.category_confirmed, case.version) == ("noise.social", False, 1)


def test_a_missing_code_is_a_400(org: Any) -> None:
    response = client_for(org.dispatcher).post(act(guessed(org), "set_category"), {}, format="json")
    assert response.status_code == 400 and set(response.json()["errors"]) == {"sub_category"}


def test_a_handler_may_not_set_the_category(org: Any) -> None:
    case = force_status(guessed(org), CaseStatus.IN_PROGRESS, handling_unit=org.squad)
    response = client_for(org.handler).post(act(case, "set_category"), {"sub_category": "air.catering_fumes"},
                                            format="json")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert "set_category" not in client_for(org.handler).get(f"/api/v1/cases/{case.pk}").json()["allowed_actions"]


def test_a_closed_case_keeps_its_category(org: Any) -> None:
    case = force_status(guessed(org), CaseStatus.CLOSED, handling_unit=org.squad)
    response = client_for(org.dispatcher).post(act(case, "set_category"), {"sub_category": "air.catering_fumes"},
                                               format="json")
    assert response.status_code == 409 and response.json()["code"] == "transition_not_allowed"


def test_merged_duplicates_through_the_api(org: Any) -> None:
    parent, child = make_case(street=org.street), make_case(street=org.street, complainant_name="李四",
                                                            complainant_phone="13900001111")
    dispatcher, handler = client_for(org.dispatcher), client_for(org.handler)
    assert dispatcher.post(act(child, "merge_into"), {"into": parent.pk}, format="json").status_code == 200
    assert dispatcher.post(act(parent, "dispatch"), {"unit": org.squad.pk, "handler": org.handler.pk},
                           format="json").status_code == 200
    assert handler.post(act(parent, "accept"), {}, format="json").status_code == 200

    # The parent's handler sees the duplicate, its complainant, and what it may do on it.
    body = handler.get(f"/api/v1/cases/{child.pk}").json()
    assert (body["status"], body["parent"], body["handling_unit"]) == ("merged", parent.pk, org.squad.pk)
    assert body["complainant_visible"] and body["complainant_phone"] == "13900001111"
    assert sorted(body["allowed_actions"]) == ["add_note", "record_contact", "reply"]
    listed = {row["id"] for row in handler.get("/api/v1/cases").json()["results"]}
    assert {parent.pk, child.pk} <= listed

    response = handler.post(act(parent, "reply"), {"text": "已责令整改"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "replied"
    body = handler.get(f"/api/v1/cases/{child.pk}").json()
    assert body["status"] == "replied"
    assert body["timeline"][-1]["action"] == "reply" and body["timeline"][-1]["payload"]["via_parent"] == parent.pk
    assert Reply.objects.filter(case=child).count() == 1

    response = dispatcher.post(act(child, "record_return_visit"),
                               {"contacted": True, "solved": True, "satisfaction": "basically_satisfied"},
                               format="json")
    assert response.status_code == 200 and response.json()["status"] == "closed"
    services.record_return_visit(actor=org.dispatcher, case=parent, contacted=True, solved=False,
                                 satisfaction="dissatisfied")
    parent.refresh_from_db()
    child.refresh_from_db()
    assert (parent.status, child.status) == (CaseStatus.IN_PROGRESS, CaseStatus.CLOSED)
