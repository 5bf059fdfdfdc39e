"""The inbox, the dispatcher's one-click decisions, notifications and reference data through the API: the same
sections, counts and rules as the desk's pages."""

from __future__ import annotations

from typing import Any

import pytest

from ecohotline.api.tests.test_cases_api import client_for, squad_case
from ecohotline.cases.models import Case, CaseStatus
from ecohotline.factories import OrgUnitFactory, UserFactory, make_case
from ecohotline.intake.models import DuplicateSuggestion, Suggestion, TriageSuggestion
from ecohotline.notify.models import Notification
from ecohotline.org.models import Role

pytestmark = pytest.mark.django_db


# --- the inbox ------------------------------------------------------------------------------------------


def test_the_inbox_counts_the_sections_of_my_roles(org: Any) -> None:
    make_case(street=org.street)
    make_case(street=org.other_street)
    squad_case(org, status=CaseStatus.DISPATCHED)
    dispatcher = client_for(org.dispatcher).get("/api/v1/inbox").json()
    sections = {section["code"]: section["count"] for section in dispatcher["sections"]}
    assert sections["new_and_returned"] == 2 and "my_cases" not in sections
    handler = client_for(org.handler).get("/api/v1/inbox").json()
    assert {section["code"] for section in handler["sections"]} == {"my_cases", "unit_to_accept"}
    assert {s["code"]: s["count"] for s in handler["sections"]}["unit_to_accept"] == 1


def test_an_inbox_section_lists_its_cases(org: Any) -> None:
    new = make_case(street=org.street, complainant_name="张三丰", complainant_phone="13812345678")
    response = client_for(org.dispatcher).get("/api/v1/inbox/new_and_returned")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [new.pk] and rows[0]["complainant_phone"] == "13812345678"


def test_a_section_of_another_role_is_404(org: Any) -> None:
    make_case(street=org.street)
    response = client_for(org.handler).get("/api/v1/inbox/new_and_returned")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client_for(org.handler).get("/api/v1/inbox/no_such_section").status_code == 404


def test_the_unit_head_due_soon_section_works_through_its_python_test(org: Any) -> None:
    response = client_for(org.unit_head).get("/api/v1/inbox/unit_due_soon")
    assert response.status_code == 200 and response.json()["count"] == 0


def test_an_inbox_section_has_a_flat_query_count(org: Any, django_assert_max_num_queries: Any) -> None:
    for _ in range(8):
        make_case(street=org.street)
    client = client_for(org.dispatcher)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/inbox/new_and_returned")
    assert response.json()["count"] == 8


# --- the dispatcher's decisions -------------------------------------------------------------------------


@pytest.fixture
def suggested(org: Any) -> Case:
    case = make_case(street=org.street)
    TriageSuggestion.objects.create(case=case, unit=org.squad, confidence=0.9)
    return case


def test_a_dispatcher_accepts_a_routing_suggestion(org: Any, suggested: Case) -> None:
    response = client_for(org.dispatcher).post(f"/api/v1/inbox/triage/{suggested.pk}/accept", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == CaseStatus.DISPATCHED and response.json()["handling_unit"] == org.squad.pk
    assert TriageSuggestion.objects.get(case=suggested).status == Suggestion.ACCEPTED


def test_a_dispatcher_dismisses_a_routing_suggestion(org: Any, suggested: Case) -> None:
    response = client_for(org.dispatcher).post(f"/api/v1/inbox/triage/{suggested.pk}/dismiss")
    assert response.status_code == 200 and response.json()["status"] == CaseStatus.NEW
    assert TriageSuggestion.objects.get(case=suggested).status == Suggestion.DISMISSED


@pytest.mark.parametrize("who", ["handler", "unit_head", "leader", "analyst"])
def test_only_dispatchers_decide_on_suggestions(org: Any, suggested: Case, who: str) -> None:
    for tail in ("accept", "dismiss"):
        response = client_for(getattr(org, who)).post(f"/api/v1/inbox/triage/{suggested.pk}/{tail}")
        assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert TriageSuggestion.objects.get(case=suggested).status == Suggestion.PENDING


@pytest.fixture
def duplicate(org: Any) -> DuplicateSuggestion:
    first = make_case(street=org.street, description="餐馆油烟扰民")
    second = make_case(street=org.street, description="同一家餐馆油烟扰民")
    return DuplicateSuggestion.objects.create(case=second, candidate=first, score=0.93)


def test_duplicates_are_listed_confirmed_and_dismissed(org: Any, duplicate: DuplicateSuggestion) -> None:
    client = client_for(org.dispatcher)
    listed = client.get("/api/v1/inbox/duplicates").json()["results"]
    assert [row["id"] for row in listed] == [duplicate.pk] and listed[0]["score"] == 0.93
    response = client.post(f"/api/v1/inbox/duplicates/{duplicate.pk}/confirm", {"note": "同一问题"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == CaseStatus.MERGED and response.json()["parent"] == duplicate.candidate_id
    again = client.post(f"/api/v1/inbox/duplicates/{duplicate.pk}/dismiss")
    assert again.status_code in (400, 409) and "code" in again.json()


def test_dismissing_a_duplicate(org: Any, duplicate: DuplicateSuggestion) -> None:
    assert client_for(org.handler).post(f"/api/v1/inbox/duplicates/{duplicate.pk}/dismiss").status_code == 403
    response = client_for(org.dispatcher).post(f"/api/v1/inbox/duplicates/{duplicate.pk}/dismiss")
    assert response.status_code == 200 and response.json()["status"] == Suggestion.DISMISSED
    assert client_for(org.handler).get("/api/v1/inbox/duplicates").status_code == 403


def test_bulk_dispatch_reports_each_case(org: Any) -> None:
    waiting = [make_case(street=org.street) for _ in range(2)]
    done = squad_case(org, status=CaseStatus.IN_PROGRESS)
    response = client_for(org.dispatcher).post("/api/v1/inbox/dispatch", {
        "cases": [*(case.pk for case in waiting), done.pk, 999999], "unit": org.squad.pk}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert sorted(body["dispatched"]) == sorted(case.pk for case in waiting)
    refused = {item["case"]: item["code"] for item in body["refused"]}
    assert refused[999999] == "not_found" and done.pk in refused
    assert all(Case.objects.get(pk=case.pk).status == CaseStatus.DISPATCHED for case in waiting)


def test_bulk_dispatch_refuses_others_and_bad_input(org: Any) -> None:
    case = make_case(street=org.street)
    assert client_for(org.handler).post("/api/v1/inbox/dispatch", {"cases": [case.pk], "unit": org.squad.pk},
                                        format="json").status_code == 403
    bad = client_for(org.dispatcher).post("/api/v1/inbox/dispatch", {"cases": [], "unit": 0}, format="json")
    assert bad.status_code == 400 and {"cases", "unit"} <= set(bad.json()["errors"])
    assert Case.objects.get(pk=case.pk).status == CaseStatus.NEW


# --- notifications --------------------------------------------------------------------------------------


def test_my_notifications_are_listed_and_marked_read(org: Any) -> None:
    mine = [Notification.objects.create(recipient=org.handler, kind="case_assigned", params={"reference": f"R{n}"})
            for n in range(3)]
    theirs = Notification.objects.create(recipient=org.other_handler, kind="case_assigned", params={"reference": "X"})
    client = client_for(org.handler)
    listed = client.get("/api/v1/notifications").json()
    assert listed["count"] == 3 and "R2" in listed["results"][0]["text"]
    assert client.post(f"/api/v1/notifications/{mine[0].pk}/read").status_code == 204
    assert client.get("/api/v1/notifications?unread=true").json()["count"] == 2
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read").status_code == 404  # not mine
    assert client.post("/api/v1/notifications/read-all").json() == {"marked": 2}
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_notifications_have_a_flat_query_count(org: Any, django_assert_max_num_queries: Any) -> None:
    for n in range(10):
        Notification.objects.create(recipient=org.handler, kind="case_assigned", params={"reference": f"R{n}"})
    client = client_for(org.handler)
    with django_assert_max_num_queries(5):
        assert client.get("/api/v1/notifications").json()["count"] == 10


# --- reference data -------------------------------------------------------------------------------------


def test_reference_data(org: Any, django_assert_max_num_queries: Any) -> None:
    client = client_for(org.handler)
    with django_assert_max_num_queries(6):
        categories = client.get("/api/v1/categories").json()
    by_code = {row["code"]: row for row in categories}
    assert by_code["noise.social"]["assignable"] and not by_code["noise"]["assignable"]
    streets = client.get("/api/v1/streets").json()["results"]
    assert {row["code"] for row in streets} == {"zhongguancun", "xueyuanlu"}
    handling = client.get("/api/v1/units?kind=handling").json()["results"]
    assert {"squad-1", "squad-2", "brigade", "bureau"} <= {row["code"] for row in handling}
    assert "chengguan" not in {row["code"] for row in handling}


def test_staff_to_assign(org: Any, django_assert_max_num_queries: Any) -> None:
    for n in range(8):
        UserFactory(username=f"h{n}", unit=OrgUnitFactory(code=f"sq{n}", parent=org.brigade), roles=[Role.HANDLER])
    client = client_for(org.dispatcher)
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/users?role=handler")
    rows = response.json()["results"]
    assert len(rows) == 10 and all(row["roles"] == ["handler"] for row in rows)
    assert "phone" not in rows[0] and "email" not in rows[0]
    within = client.get(f"/api/v1/users?unit={org.squad.pk}").json()["results"]
    assert {row["username"] for row in within} == {"handler", "unit_head"}


def test_unauthenticated_callers_get_nothing(org: Any) -> None:
    from rest_framework.test import APIClient

    for path in ("/api/v1/inbox", "/api/v1/notifications", "/api/v1/categories", "/api/v1/users"):
        response = APIClient().get(path)
        assert response.status_code in (401, 403) and response.json()["code"] == "not_authenticated"
