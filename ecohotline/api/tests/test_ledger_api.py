"""The ledger (台账) and retrospectives (回访回溯) through the API: who sees them, what each role may do, and no
complainant."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from ecohotline.api.tests.test_cases_api import client_for
from ecohotline.assessment.ledger import open_retrospectives, sync_ledger
from ecohotline.assessment.models import LedgerEntry, LedgerReason, Retrospective, RetrospectiveStatus
from ecohotline.cases import services
from ecohotline.cases.models import Case, Satisfaction
from ecohotline.factories import make_case

pytestmark = pytest.mark.django_db

NAME, PHONE = "张三丰", "13812345678"


def in_progress(org: Any, unit: Any = None) -> Case:
    case = make_case(street=org.street, title=f"{NAME}反映夜间施工噪声 {PHONE}", complainant_name=NAME,
                     complainant_phone=PHONE)
    services.dispatch_case(actor=org.dispatcher, case=case, unit=unit or org.squad)
    case.refresh_from_db()
    return case


@pytest.fixture
def on_ledger(org: Any) -> LedgerEntry:
    case = in_progress(org)
    Case.objects.filter(pk=case.pk).update(received_at=timezone.now() - dt.timedelta(days=60))
    sync_ledger()
    return LedgerEntry.objects.get(case=case)


@pytest.mark.parametrize("role", ["leader", "admin", "dispatcher", "unit_head", "analyst"])
def test_the_overview_roles_read_the_ledger(org: Any, on_ledger: LedgerEntry, role: str) -> None:
    client = client_for(getattr(org, role))
    listed = client.get("/api/v1/ledger")
    assert listed.status_code == 200 and [row["id"] for row in listed.json()["results"]] == [on_ledger.pk]
    entry = client.get(f"/api/v1/ledger/{on_ledger.pk}")
    assert entry.status_code == 200 and entry.json()["reasons"] == [LedgerReason.UNRESOLVED]
    text = json.dumps([listed.json(), entry.json()], ensure_ascii=False)
    assert NAME not in text and PHONE not in text


@pytest.mark.parametrize("role", ["handler", "street_liaison"])
def test_others_get_403(org: Any, on_ledger: LedgerEntry, role: str) -> None:
    client = client_for(getattr(org, role))
    for path in ("/api/v1/ledger", f"/api/v1/ledger/{on_ledger.pk}"):
        assert client.get(path).status_code == 403
    response = client.post(f"/api/v1/ledger/{on_ledger.pk}/plan", {"next_step": "x"}, format="json")
    assert response.status_code == 403


def test_a_unit_head_sees_only_the_entries_of_their_unit(org: Any, on_ledger: LedgerEntry) -> None:
    assert client_for(org.other_unit_head).get("/api/v1/ledger").json()["count"] == 0
    assert client_for(org.other_unit_head).get(f"/api/v1/ledger/{on_ledger.pk}").status_code == 404


def test_the_unit_head_plans_an_entry(org: Any, on_ledger: LedgerEntry) -> None:
    response = client_for(org.unit_head).post(f"/api/v1/ledger/{on_ledger.pk}/plan", {
        "owner": org.handler.pk, "next_step": "约谈经营者", "next_date": "2030-01-10"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["owner"] == org.handler.pk and body["next_step"] == "约谈经营者" and body["next_date"] == "2030-01-10"
    assert any(item["action"] for item in body["history"])


def test_an_analyst_may_read_but_not_plan(org: Any, on_ledger: LedgerEntry) -> None:
    response = client_for(org.analyst).post(f"/api/v1/ledger/{on_ledger.pk}/plan", {"next_step": "x"},
                                            format="json")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert client_for(org.analyst).get(f"/api/v1/ledger/{on_ledger.pk}").json()["can_plan"] is False


def test_only_leaders_remove_and_flag(org: Any, on_ledger: LedgerEntry) -> None:
    dispatcher = client_for(org.dispatcher)
    assert dispatcher.post(f"/api/v1/ledger/{on_ledger.pk}/remove", {"reason": "x"},
                           format="json").status_code == 403
    fresh = in_progress(org)
    assert dispatcher.post("/api/v1/ledger/flag", {"case": str(fresh.pk), "reason": "疑难"},
                           format="json").status_code == 403

    leader = client_for(org.leader)
    missing = leader.post(f"/api/v1/ledger/{on_ledger.pk}/remove", {}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()["errors"]
    removed = leader.post(f"/api/v1/ledger/{on_ledger.pk}/remove", {"reason": "局务会研究已化解"}, format="json")
    assert removed.status_code == 200 and removed.json()["is_open"] is False
    assert leader.get("/api/v1/ledger").json()["count"] == 0

    flagged = leader.post("/api/v1/ledger/flag", {"case": str(fresh.pk), "reason": "涉及多部门"}, format="json")
    assert flagged.status_code == 201, flagged.content
    assert flagged.json()["case"] == fresh.pk and LedgerReason.DIFFICULT in flagged.json()["reasons"]
    unknown = leader.post("/api/v1/ledger/flag", {"case": "no-such", "reason": "x"}, format="json")
    assert unknown.status_code == 404 and "case" in unknown.json()["errors"]


def test_the_ledger_list_has_a_flat_query_count(org: Any, django_assert_max_num_queries: Any) -> None:
    for _ in range(6):
        case = in_progress(org)
        Case.objects.filter(pk=case.pk).update(received_at=timezone.now() - dt.timedelta(days=60))
    sync_ledger()
    client = client_for(org.leader)
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/ledger?reason=unresolved")
    assert response.json()["count"] == 6


# --- retrospectives (回访回溯) ------------------------------------------------------------------------------


@pytest.fixture
def retrospective(org: Any) -> Retrospective:
    case = in_progress(org)
    services.accept_case(actor=org.handler, case=case)
    services.reply_to_complainant(actor=org.handler, case=case, text="已处理")
    services.record_return_visit(actor=org.dispatcher, case=case, contacted=True, solved=False,
                                 satisfaction=Satisfaction.DISSATISFIED)
    open_retrospectives()
    return Retrospective.objects.get(case=case)


def test_a_unit_head_fills_in_a_retrospective(org: Any, retrospective: Retrospective,
                                              django_assert_max_num_queries: Any) -> None:
    client = client_for(org.unit_head)
    with django_assert_max_num_queries(6):
        pending = client.get("/api/v1/retrospectives").json()
    assert [item["id"] for item in pending["results"]] == [retrospective.pk]
    assert pending["results"][0]["suggested_cause"] == "not_solved"
    assert NAME not in json.dumps(pending, ensure_ascii=False)
    bad = client.post(f"/api/v1/retrospectives/{retrospective.pk}", {"cause": "whatever", "lessons": "x"},
                      format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_cause"
    done = client.post(f"/api/v1/retrospectives/{retrospective.pk}", {
        "cause": "not_solved", "lessons": "整改未到位", "follow_up": "复查"}, format="json")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == RetrospectiveStatus.DONE and done.json()["cause"] == "not_solved"
    assert client.get("/api/v1/retrospectives").json()["count"] == 0
    assert client.get("/api/v1/retrospectives?status=done").json()["count"] == 1


def test_an_analyst_may_not_fill_in_a_retrospective(org: Any, retrospective: Retrospective) -> None:
    response = client_for(org.analyst).post(f"/api/v1/retrospectives/{retrospective.pk}", {
        "cause": "slow", "lessons": "x"}, format="json")
    assert response.status_code == 403
    assert client_for(org.handler).get("/api/v1/retrospectives").status_code == 403
