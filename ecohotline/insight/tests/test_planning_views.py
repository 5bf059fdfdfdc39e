"""The plans page, the decision and result endpoints, the monthly theme pages and the proposals API: who sees and
does what, and what they show."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ecohotline.cases.models import CaseKind
from ecohotline.cases.services import accept_case
from ecohotline.insight import services
from ecohotline.insight.models import MonthlyTheme, ProposalStatus, SignalSource, TaskProposal
from ecohotline.insight.tests.conftest import beijing

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def now(time_machine: Any) -> dt.datetime:
    moment = beijing(2026, 5, 12, 9)
    time_machine.move_to(moment, tick=False)
    return moment


@pytest.fixture
def proposal(org: Any, complaint: Any, now: dt.datetime) -> TaskProposal:
    behind = complaint(beijing(2026, 5, 4), description="张三丰投诉餐馆油烟", complainant_name="张三丰",
                       sub_category="air.catering_fumes", category="air", street=org.street)
    return services.create_proposal(
        source=SignalSource.RISE, source_key="rise|air.catering_fumes|street", title="中关村餐饮油烟核查",
        description="投诉异常上升", checklist=["净化器", "排烟口"], category="air.catering_fumes", team=org.squad,
        deadline=dt.date(2026, 5, 19), street=org.street, latitude=None, longitude=None, radius_m=500,
        evidence={"observed": 12, "expected": 3.0}, case_ids=[behind.pk], score=4.0)


@pytest.mark.parametrize(("role", "expected"), [
    ("leader", 200), ("analyst", 200), ("dispatcher", 200), ("unit_head", 200), ("admin", 200),
    ("handler", 403), ("street_liaison", 403)])
def test_plans_page_access(org: Any, proposal: TaskProposal, role: str, expected: int) -> None:
    assert client_for(getattr(org, role)).get(reverse("insight:plans")).status_code == expected
    assert client_for(getattr(org, role)).get(reverse("insight:plan", args=[proposal.pk])).status_code == expected


def test_plans_page_lists_and_details_mask(org: Any, proposal: TaskProposal) -> None:
    page = client_for(org.leader).get(reverse("insight:plans")).content.decode()
    assert "中关村餐饮油烟核查" in page and reverse("insight:plan-approve", args=[proposal.pk]) in page
    detail = client_for(org.leader).get(reverse("insight:plan", args=[proposal.pk])).content.decode()
    assert "净化器" in detail and "12" in detail
    assert "张三丰" not in detail and "张**" in detail
    # an analyst sees it but gets no decision forms
    analyst = client_for(org.analyst).get(reverse("insight:plan", args=[proposal.pk])).content.decode()
    assert reverse("insight:plan-approve", args=[proposal.pk]) not in analyst


def test_propose_now(org: Any, now: dt.datetime) -> None:
    url = reverse("insight:plans-propose")
    assert client_for(org.dispatcher).post(url).status_code == 403
    assert client_for(org.handler).post(url).status_code == 403
    response = client_for(org.analyst).post(url)
    assert response.status_code == 302
    # May: the catering fumes and the exam-time night construction plans
    assert sorted(TaskProposal.objects.values_list("evidence__plan", flat=True)) == [
        "catering_fumes_summer", "night_construction_exams"]
    client_for(org.leader).post(url)
    assert TaskProposal.objects.count() == 2


@pytest.mark.parametrize("role", ["dispatcher", "analyst", "unit_head"])
def test_only_leaders_decide_through_the_page(org: Any, proposal: TaskProposal, role: str) -> None:
    client = client_for(getattr(org, role))
    assert client.post(reverse("insight:plan-approve", args=[proposal.pk])).status_code == 403
    assert client.post(reverse("insight:plan-reject", args=[proposal.pk]), {"reason": "x"}).status_code == 403
    assert client.post(reverse("insight:plan-edit", args=[proposal.pk]),
                       {"title": "x", "checklist": "a", "team": org.squad.pk}).status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED
    assert client_for(org.handler).post(reverse("insight:plan-approve", args=[proposal.pk])).status_code == 403


def test_approve_then_result_by_the_team(org: Any, proposal: TaskProposal, now: dt.datetime) -> None:
    response = client_for(org.leader).post(reverse("insight:plan-approve", args=[proposal.pk]))
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED
    assert proposal.case is not None and proposal.case.kind == CaseKind.PROACTIVE_TASK
    assert proposal.case.handling_unit == org.squad
    # approving twice: refused with a message, not an error page
    again = client_for(org.leader).post(reverse("insight:plan-approve", args=[proposal.pk]), follow=True)
    assert again.status_code == 200
    assert [m.level_tag for m in again.context["messages"]] == ["error"]
    assert TaskProposal.objects.get(pk=proposal.pk).case_id == proposal.case_id
    accept_case(actor=org.handler, case=proposal.case)
    url = reverse("insight:plan-result", args=[proposal.pk])
    assert client_for(org.other_handler).post(url, {"problems_found": 2}).status_code == 403
    bad = client_for(org.handler).post(url, {"problems_found": -2})
    assert bad.status_code == 302
    proposal.refresh_from_db()
    assert proposal.finished_at is None
    done = client_for(org.handler).post(url, {"problems_found": 2, "measures": "责令清洗"})
    assert done.status_code == 302 and done["Location"] == reverse("ui:case-detail", args=[proposal.case_id])
    proposal.refresh_from_db()
    assert (proposal.problems_found, proposal.measures) == (2, "责令清洗")
    detail = client_for(org.leader).get(reverse("insight:plan", args=[proposal.pk]))
    assert detail.context["effect"] is not None
    assert detail.context["effect"].area == "street"


def test_edit_and_reject_forms(org: Any, proposal: TaskProposal) -> None:
    client = client_for(org.leader)
    empty = client.post(reverse("insight:plan-edit", args=[proposal.pk]),
                        {"title": "改", "checklist": "  \n ", "team": org.other_squad.pk})
    assert empty.status_code == 400 and "checklist" in empty.context["edit_form"].errors
    no_reason = client.post(reverse("insight:plan-reject", args=[proposal.pk]), {"reason": ""})
    assert no_reason.status_code == 400
    edited = client.post(reverse("insight:plan-edit", args=[proposal.pk]),
                         {"title": "改后的任务", "checklist": "一\n二\n", "team": org.other_squad.pk,
                          "deadline": "2026-05-22"})
    assert edited.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.title, proposal.checklist, proposal.team, proposal.deadline) == (
        ProposalStatus.EDITED, "改后的任务", ["一", "二"], org.other_squad, dt.date(2026, 5, 22))


def test_reject_through_the_page(org: Any, proposal: TaskProposal) -> None:
    response = client_for(org.admin).post(reverse("insight:plan-reject", args=[proposal.pk]), {"reason": "已整治"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.reason, proposal.decided_by) == (ProposalStatus.REJECTED, "已整治", org.admin)


def test_effect_tab(org: Any, proposal: TaskProposal, complaint: Any, time_machine: Any) -> None:
    services.approve_proposal(actor=org.leader, proposal=proposal)
    for day in (1, 2, 3):
        complaint(beijing(2026, 5, day), street=org.street, sub_category="air.catering_fumes", category="air")
    services.record_task_result(org.leader, proposal, 4, "整改")
    complaint(beijing(2026, 5, 20), street=org.street, sub_category="air.catering_fumes", category="air")
    time_machine.move_to(beijing(2026, 5, 31), tick=False)
    response = client_for(org.analyst).get(reverse("insight:plans"), {"tab": "effect", "start": "2026-05-01",
                                                                      "end": "2026-05-31"})
    assert response.status_code == 200
    share = response.context["share"]
    # 4 problems found; complaints received in May: the 1 behind the proposal, 3 before and 1 after
    assert (share.problems_found, share.complaints) == (4, 5)
    [found] = response.context["period"].effects
    # the proposal's complaint on 4 May and the three planted before; one after
    assert (found.treated_before, found.treated_after) == (4, 1)
    assert "proactive-share" in response.content.decode()


def test_themes_pages(org: Any, complaint: Any, now: dt.datetime) -> None:
    url = reverse("insight:themes")
    assert client_for(org.handler).get(url).status_code == 403
    assert client_for(org.analyst).post(url, {"month": "2026-05", "title": "x", "categories": ["air"],
                                              "leader": org.leader.pk}).status_code == 403
    empty = client_for(org.leader).post(url, {"month": "2026-05", "title": "油烟", "leader": org.leader.pk})
    assert empty.status_code == 400
    created = client_for(org.leader).post(url, {"month": "2026-05", "title": "餐饮油烟", "categories": ["air"],
                                                "keywords": "油烟", "leader": org.leader.pk, "goal": "降三成"})
    theme = MonthlyTheme.objects.get()
    assert created.status_code == 302 and created["Location"] == reverse("insight:theme", args=[theme.pk])
    assert (theme.month, theme.categories, theme.leader) == (dt.date(2026, 5, 1), ["air"], org.leader)
    complaint(beijing(2026, 4, 3), category="air", sub_category="air.dust", description="工地扬尘",
              complainant_name="李四光")
    complaint(beijing(2026, 5, 3), category="noise", sub_category="noise.social", description="李四光说烧烤油烟",
              complainant_name="李四光")
    detail = client_for(org.analyst).get(reverse("insight:theme", args=[theme.pk]))
    assert detail.status_code == 200
    assert [(f.month, f.complaints) for f in detail.context["figures"].months] == [
        (dt.date(2026, 2, 1), 0), (dt.date(2026, 3, 1), 0), (dt.date(2026, 4, 1), 1), (dt.date(2026, 5, 1), 1)]
    assert "李四光" not in detail.content.decode()
    duplicate = client_for(org.leader).post(url, {"month": "2026-05", "title": "又一个", "categories": ["noise"],
                                                  "leader": org.leader.pk})
    assert duplicate.status_code == 400 and "month" in duplicate.context["form"].errors
    edited = client_for(org.other_leader).post(reverse("insight:theme", args=[theme.pk]), {
        "month": "2026-05", "title": "餐饮油烟（改）", "categories": ["air"], "leader": org.other_leader.pk})
    assert edited.status_code == 302
    theme.refresh_from_db()
    assert (theme.title, theme.leader) == ("餐饮油烟（改）", org.other_leader)


def test_proposals_api(org: Any, proposal: TaskProposal, now: dt.datetime) -> None:
    url = reverse("api:insight-proposals")
    data = client_for(org.analyst).get(url).json()
    [row] = data["results"]
    assert (row["id"], row["status"], row["source"], row["team"]["id"], row["deadline"]) == (
        proposal.pk, "proposed", "rise", org.squad.pk, "2026-05-19")
    assert row["evidence"] == {"observed": 12, "expected": 3.0} and row["effect"] is None
    assert client_for(org.analyst).get(url, {"status": "rejected"}).json()["count"] == 0
    assert client_for(org.analyst).get(url, {"status": "nope"}).status_code == 400
    assert client_for(org.handler).get(url).status_code == 403
    approved = services.approve_proposal(actor=org.leader, proposal=proposal)
    services.record_task_result(org.leader, approved, 1, "")
    [done] = client_for(org.leader).get(url).json()["results"]
    assert done["case"]["id"] == approved.case_id is not None
    assert done["effect"]["area"] == "street" and done["problems_found"] == 1


def test_decided_tab_and_theme_list_render(org: Any, proposal: TaskProposal,
                                           django_assert_max_num_queries: Any) -> None:
    services.reject_proposal(actor=org.leader, proposal=proposal, reason="已整治")
    services.save_theme(actor=org.leader, month=dt.date(2026, 5, 1), title="餐饮油烟", categories=["air"],
                        keywords="", leader=org.leader)
    client = client_for(org.leader)
    client.get(reverse("insight:plans"))  # warm the session
    with django_assert_max_num_queries(12):
        decided = client.get(reverse("insight:plans"), {"tab": "decided"})
    assert decided.status_code == 200 and "中关村餐饮油烟核查" in decided.content.decode()
    assert "中关村餐饮油烟核查" not in client.get(reverse("insight:plans")).content.decode()
    themes_page = client.get(reverse("insight:themes"))
    assert themes_page.status_code == 200 and "餐饮油烟" in themes_page.content.decode()
    assert 'name="month"' in themes_page.content.decode()
