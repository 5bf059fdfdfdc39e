"""The insight desk's decisions through the API: handling an unusual-rise alert, approving or rejecting a proactive
task proposal; the overview roles read, leaders decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ecohotline.api.tests.test_cases_api import client_for
from ecohotline.insight import services
from ecohotline.insight.models import InsightAlert, ProposalStatus, SignalSource, TaskProposal

pytestmark = pytest.mark.django_db


def test_an_analyst_acknowledges_an_alert(org: Any) -> None:
    alert = InsightAlert.objects.create(category="air.catering_fumes", street=org.street,
                                        week_start=dt.date(2026, 11, 9), observed=12, expected=2.0, p_value=1e-6)
    client = client_for(org.analyst)
    bad = client.post(f"/api/v1/insight/alerts/{alert.pk}/handle", {"status": "open"}, format="json")
    assert bad.status_code == 400 and "status" in bad.json()["errors"]
    done = client.post(f"/api/v1/insight/alerts/{alert.pk}/handle", {"status": "acknowledged"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "acknowledged"
    assert client_for(org.handler).post(f"/api/v1/insight/alerts/{alert.pk}/handle", {"status": "dismissed"},
                                        format="json").status_code == 403
    alert.refresh_from_db()
    assert alert.status == "acknowledged" and alert.handled_by == org.analyst


def proposal(org: Any, key: str = "a") -> TaskProposal:
    return services.create_proposal(
        source=SignalSource.HOTSPOT, source_key=key, title=f"任务{key}", description="", checklist=["现场排查"],
        category="air.catering_fumes", team=org.squad, deadline=None, street=org.street, latitude=None,
        longitude=None, radius_m=300, evidence={}, case_ids=[], score=1.0)


def test_a_leader_approves_and_rejects_proposals(org: Any) -> None:
    first, second = proposal(org, "a"), proposal(org, "b")
    leader = client_for(org.leader)
    approved = leader.post(f"/api/v1/insight/proposals/{first.pk}/approve")
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == ProposalStatus.APPROVED and approved.json()["case"]
    again = leader.post(f"/api/v1/insight/proposals/{first.pk}/approve")
    assert again.status_code == 409 and "code" in again.json()
    missing = leader.post(f"/api/v1/insight/proposals/{second.pk}/reject", {}, format="json")
    assert missing.status_code == 400 and missing.json()["code"] == "reason_required"
    rejected = leader.post(f"/api/v1/insight/proposals/{second.pk}/reject", {"reason": "已纳入专项整治"},
                           format="json")
    assert rejected.status_code == 200 and rejected.json()["status"] == ProposalStatus.REJECTED


@pytest.mark.parametrize("who", ["analyst", "dispatcher", "handler"])
def test_others_may_not_decide(org: Any, who: str) -> None:
    item = proposal(org)
    client = client_for(getattr(org, who))
    assert client.post(f"/api/v1/insight/proposals/{item.pk}/approve").status_code == 403
    assert client.post(f"/api/v1/insight/proposals/{item.pk}/reject", {"reason": "x"},
                       format="json").status_code == 403
    item.refresh_from_db()
    assert item.status == ProposalStatus.PROPOSED


def test_the_team_records_the_result_of_an_approved_task(org: Any) -> None:
    item = services.approve_proposal(actor=org.leader, proposal=proposal(org))
    assert client_for(org.other_handler).post(f"/api/v1/insight/proposals/{item.pk}/result",
                                              {"problems_found": 1}, format="json").status_code == 403
    client = client_for(org.handler)
    bad = client.post(f"/api/v1/insight/proposals/{item.pk}/result", {"problems_found": -1}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_count"
    done = client.post(f"/api/v1/insight/proposals/{item.pk}/result",
                       {"problems_found": 2, "measures": "责令清洗油烟净化器"}, format="json")
    assert done.status_code == 200, done.content
    item.refresh_from_db()
    assert item.problems_found == 2 and item.finished_at is not None
    again = client.post(f"/api/v1/insight/proposals/{item.pk}/result", {"problems_found": 3}, format="json")
    assert again.status_code == 409
