"""Proactive governance through the API: approving a proposal with changes, running the planner now, and the
monthly themes (每月一题) with their figures; the overview roles read, leaders decide and pick themes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from ecohotline.api.tests.test_cases_api import client_for
from ecohotline.api.tests.test_insight_api import proposal
from ecohotline.factories import make_case
from ecohotline.insight import services
from ecohotline.insight.models import MonthlyTheme, ProposalStatus, TaskProposal

pytestmark = pytest.mark.django_db


def test_a_leader_approves_a_proposal_with_changes(org: Any) -> None:
    item = proposal(org)
    response = client_for(org.leader).post(f"/api/v1/insight/proposals/{item.pk}/edit", {
        "title": "联合巡查", "checklist": ["许可", "监测"], "team": org.other_squad.pk, "deadline": "2026-12-10"},
        format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == ProposalStatus.EDITED and body["title"] == "联合巡查"
    assert body["checklist"] == ["许可", "监测"] and body["team"]["id"] == org.other_squad.pk and body["case"]


@pytest.mark.parametrize("body", [
    {"title": "", "checklist": ["a"], "team": 0},
    {"title": "t", "checklist": [], "team": 0},
    {"title": "t", "checklist": ["a"], "team": 999999},
    {"title": "t", "checklist": ["a"], "team": 0, "deadline": "soon"},
])
def test_bad_changes_are_a_400_and_nothing_is_decided(org: Any, body: dict[str, Any]) -> None:
    item = proposal(org)
    body = {**body, "team": body["team"] or org.squad.pk}
    response = client_for(org.leader).post(f"/api/v1/insight/proposals/{item.pk}/edit", body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert TaskProposal.objects.get(pk=item.pk).status == ProposalStatus.PROPOSED


@pytest.mark.parametrize("who", ["analyst", "dispatcher", "handler"])
def test_only_leaders_approve_with_changes(org: Any, who: str) -> None:
    item = proposal(org)
    response = client_for(getattr(org, who)).post(f"/api/v1/insight/proposals/{item.pk}/edit", {},
                                                  format="json")
    assert response.status_code == 403  # before the input is looked at
    assert TaskProposal.objects.get(pk=item.pk).status == ProposalStatus.PROPOSED


def test_a_decided_proposal_cannot_be_approved_again(org: Any) -> None:
    item = proposal(org)
    services.approve_proposal(actor=org.leader, proposal=item)
    again = client_for(org.leader).post(f"/api/v1/insight/proposals/{item.pk}/edit",
                                        {"title": "t", "checklist": ["a"], "team": org.squad.pk}, format="json")
    assert again.status_code == 409


def test_the_planner_runs_now_for_leaders_analysts_and_administrators(org: Any) -> None:
    ran = client_for(org.analyst).post("/api/v1/insight/proposals/propose")
    assert ran.status_code == 200 and ran.json()["count"] == len(ran.json()["results"])
    for who in ("dispatcher", "unit_head", "handler"):
        assert client_for(getattr(org, who)).post("/api/v1/insight/proposals/propose").status_code == 403


THEME = {"month": "2026-11", "title": "餐饮油烟扰民", "keywords": "油烟", "goal": "下降三成"}


def test_a_leader_picks_and_changes_a_theme_and_others_read_its_figures(org: Any) -> None:
    leader = client_for(org.leader)
    created = leader.post("/api/v1/insight/themes", {**THEME, "leader": org.leader.pk}, format="json")
    assert created.status_code == 201, created.content
    theme_id = created.json()["id"]
    changed = leader.patch(f"/api/v1/insight/themes/{theme_id}", {"goal": "下降五成"}, format="json")
    assert changed.status_code == 200 and changed.json()["goal"] == "下降五成"
    assert changed.json()["title"] == THEME["title"] and changed.json()["keywords"] == "油烟"
    make_case(street=org.street, received_at=dt.datetime(2026, 11, 3, 2, tzinfo=dt.UTC),
              description="张三丰 13812345678 反映餐馆油烟扰民", complainant_name="张三丰",
              complainant_phone="13812345678")
    with time_machine.travel("2026-11-20T10:00:00+08:00", tick=False):
        detail = client_for(org.analyst).get(f"/api/v1/insight/themes/{theme_id}").json()
    figures = {row["month"]: (row["role"], row["complaints"]) for row in detail["figures"]}
    assert figures["2026-11"] == ("theme", 1) and figures["2026-08"] == ("before", 0)
    assert len(detail["complaints"]) == 1 and "13812345678" not in detail["complaints"][0]["summary"]
    listed = client_for(org.dispatcher).get("/api/v1/insight/themes").json()
    assert [row["id"] for row in listed["results"]] == [theme_id]


@pytest.mark.parametrize(("body", "field"), [
    ({"title": "t", "keywords": "x"}, "month"),
    ({"month": "2026-13", "title": "t", "keywords": "x"}, "month"),
    ({"month": "2026-11", "title": "t"}, "__all__"),  # neither categories nor keywords
    ({"month": "2026-11", "title": "t", "keywords": "x", "categories": ["nope"]}, "categories"),
])
def test_a_bad_theme_is_a_400_and_nothing_saved(org: Any, body: dict[str, Any], field: str) -> None:
    org.leader.language = "en"
    org.leader.save(update_fields=["language"])
    response = client_for(org.leader).post("/api/v1/insight/themes", {**body, "leader": org.leader.pk},
                                           format="json")
    assert response.status_code == 400 and field in response.json()["errors"], response.json()
    assert not MonthlyTheme.objects.exists()


def test_a_month_with_a_theme_refuses_a_second(org: Any) -> None:
    leader = client_for(org.leader)
    assert leader.post("/api/v1/insight/themes", {**THEME, "leader": org.leader.pk}, format="json").status_code == 201
    again = leader.post("/api/v1/insight/themes", {**THEME, "leader": org.leader.pk}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "theme_exists"
    assert MonthlyTheme.objects.count() == 1


def test_only_leaders_pick_themes_and_only_the_overview_reads_them(org: Any) -> None:
    theme = services.save_theme(actor=org.leader, month=dt.date(2026, 11, 1), title="t", categories=[],
                                keywords="油烟", leader=org.leader)
    analyst = client_for(org.analyst)
    assert analyst.post("/api/v1/insight/themes", {**THEME, "leader": org.leader.pk},
                        format="json").status_code == 403
    assert analyst.patch(f"/api/v1/insight/themes/{theme.pk}", {"goal": "x"}, format="json").status_code == 403
    assert client_for(org.handler).get("/api/v1/insight/themes").status_code == 403
    assert client_for(org.handler).get(f"/api/v1/insight/themes/{theme.pk}").status_code == 403
    assert MonthlyTheme.objects.get(pk=theme.pk).goal == ""


def test_the_theme_list_has_a_flat_query_count(org: Any, django_assert_max_num_queries: Any) -> None:
    for month in range(1, 13):
        services.save_theme(actor=org.leader, month=dt.date(2025, month, 1), title=f"t{month}", categories=[],
                            keywords="油烟", leader=org.leader)
    with django_assert_max_num_queries(3):
        assert client_for(org.leader).get("/api/v1/insight/themes").json()["count"] == 12


def test_one_proposal_with_the_cases_behind_it_masked(org: Any) -> None:
    case = make_case(street=org.street, title="张三丰 13812345678 反映油烟", complainant_name="张三丰",
                     complainant_phone="13812345678")
    item = proposal(org)
    TaskProposal.objects.filter(pk=item.pk).update(case_ids=[case.pk])
    body = client_for(org.leader).get(f"/api/v1/insight/proposals/{item.pk}").json()
    assert body["id"] == item.pk and [row["id"] for row in body["cases_behind"]] == [case.pk]
    assert "13812345678" not in body["cases_behind"][0]["summary"]
    assert client_for(org.handler).get(f"/api/v1/insight/proposals/{item.pk}").status_code == 403
    assert client_for(org.leader).get("/api/v1/insight/proposals/999999").status_code == 404


def test_the_effect_of_a_period_and_the_proactive_share(org: Any) -> None:
    item = proposal(org)
    services.approve_proposal(actor=org.leader, proposal=item)
    with time_machine.travel("2026-11-20T10:00:00+08:00", tick=False):
        services.record_task_result(org.leader, TaskProposal.objects.get(pk=item.pk), 4, "责令整改")
        body = client_for(org.analyst).get("/api/v1/insight/effect",
                                           {"start": "2026-11-01", "end": "2026-11-30"}).json()
    assert [task["proposal"] for task in body["tasks"]] == [item.pk]
    assert body["proactive"]["problems_found"] == 4
    bad = client_for(org.analyst).get("/api/v1/insight/effect", {"start": "2026-11-30", "end": "2026-11-01"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    assert client_for(org.handler).get("/api/v1/insight/effect").status_code == 403
