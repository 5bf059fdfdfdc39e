"""The planner: signals → proposals (never twice) → the leader's decision → a proactive_task case → its result."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ecohotline.cases import services as case_services
from ecohotline.cases.exceptions import ActionForbidden, RuleViolation, TransitionNotAllowed
from ecohotline.cases.models import CaseEvent, CaseKind, CaseStatus, Channel
from ecohotline.core.workdays import end_of_day
from ecohotline.factories import force_status
from ecohotline.insight import planner, services
from ecohotline.insight.models import InsightAlert, ProposalStatus, SignalSource, TaskProposal
from ecohotline.insight.planner import Signal, alert_signals, propose_tasks, seasonal_signals
from ecohotline.insight.tests.conftest import beijing

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("day", "plans"), [
    (dt.date(2026, 1, 15), set()),
    (dt.date(2026, 3, 10), {"dust_spring"}),
    (dt.date(2026, 5, 10), {"catering_fumes_summer", "night_construction_exams"}),
    (dt.date(2026, 7, 6), {"night_construction_summer"}),
    (dt.date(2026, 10, 8), {"burning_autumn", "heating_boilers"}),
])
def test_seasonal_plans_of_the_month(day: dt.date, plans: set[str]) -> None:
    signals = seasonal_signals(day)
    assert {signal.evidence["plan"] for signal in signals} == plans
    assert all(signal.source == SignalSource.SEASONAL and signal.checklist and signal.key == str(day.year)
               for signal in signals)


def test_seasonal_categories() -> None:
    by_plan = {signal.evidence["plan"]: signal.category for signal in seasonal_signals(dt.date(2026, 5, 10))}
    assert by_plan == {"catering_fumes_summer": "air.catering_fumes", "night_construction_exams": "noise.construction"}


def test_seasonal_proposals_once_with_deadline_in_working_days(org: Any, time_machine: Any) -> None:
    now = beijing(2026, 7, 6, 9)  # a Monday; no holiday in July
    time_machine.move_to(now, tick=False)
    created = propose_tasks(seasonal_signals(now.date()), now=now)
    assert len(created) == 1
    proposal = created[0]
    assert proposal.title == "夏季夜间施工噪声巡查"
    assert proposal.category == "noise.construction"
    assert proposal.status == ProposalStatus.PROPOSED
    assert proposal.checklist[0] == "夜间施工审批证明"
    # ten working days after Monday 6 July: 7–10, 13–17, 20 July
    assert proposal.deadline == dt.date(2026, 7, 20)
    # no complaint handled yet: the first squad of the bureau
    assert proposal.team in (org.squad, org.other_squad)
    assert propose_tasks(seasonal_signals(now.date()), now=now) == []
    later = beijing(2026, 8, 3)
    assert propose_tasks(seasonal_signals(later.date()), now=later) == []  # same summer, still open
    assert TaskProposal.objects.count() == 1


@pytest.fixture
def rise(org: Any, complaint: Any) -> InsightAlert:
    """An open unusual rise of catering fumes in 中关村街道; two fumes complaints there handled by the first squad
    and three elsewhere by the second."""
    for day in (3, 4):
        case = complaint(beijing(2026, 5, day), sub_category="air.catering_fumes", category="air", street=org.street)
        force_status(case, CaseStatus.IN_PROGRESS, handling_unit=org.squad)
    for day in (5, 6, 7):
        case = complaint(beijing(2026, 5, day), sub_category="air.catering_fumes", category="air",
                         street=org.other_street)
        force_status(case, CaseStatus.IN_PROGRESS, handling_unit=org.other_squad)
    return InsightAlert.objects.create(category="air.catering_fumes", street=org.street,
                                       week_start=dt.date(2026, 5, 4), observed=12, expected=3.0, p_value=0.001,
                                       details={"case_ids": [101, 102]})


def test_alert_signal_and_team_from_the_street(org: Any, rise: InsightAlert, time_machine: Any) -> None:
    now = beijing(2026, 5, 12)
    time_machine.move_to(now, tick=False)
    [signal] = alert_signals()
    assert (signal.source, signal.category, signal.street) == (SignalSource.RISE, "air.catering_fumes", org.street)
    assert signal.score == 4.0  # 12 / 3
    assert signal.case_ids == [101, 102]
    assert signal.evidence["observed"] == 12
    [proposal] = propose_tasks([signal], now=now)
    assert proposal.team == org.squad  # the unit that handled the street's fumes complaints
    assert proposal.street == org.street
    assert proposal.evidence["alert"] == rise.pk
    # the same category in the district as a whole goes to the unit handling most of them
    assert planner.team_for("air.catering_fumes", None, (), now=now) == org.other_squad


@pytest.fixture
def proposal(org: Any, rise: InsightAlert, time_machine: Any) -> TaskProposal:
    time_machine.move_to(beijing(2026, 5, 12), tick=False)
    [made] = propose_tasks(alert_signals(), now=beijing(2026, 5, 12))
    return made


def test_approval_makes_a_dispatched_proactive_task(org: Any, proposal: TaskProposal) -> None:
    approved = services.approve_proposal(actor=org.leader, proposal=proposal)
    case = approved.case
    assert case is not None
    assert (approved.status, approved.decided_by) == (ProposalStatus.APPROVED, org.leader)
    assert (case.kind, case.channel, case.status) == (CaseKind.PROACTIVE_TASK, Channel.PROACTIVE,
                                                      CaseStatus.DISPATCHED)
    assert case.handling_unit == org.squad
    assert case.leader == org.leader
    assert case.sub_category == "air.catering_fumes" and case.category == "air"
    assert f"proposal:{proposal.pk}" in case.tags
    assert f"deadline:{proposal.deadline.isoformat()}" in case.tags
    assert "检查清单：" in case.description and "1. 现场排查污染源" in case.description
    assert case.due_at == end_of_day(proposal.deadline)  # the leader's deadline, not the policy's
    assert case.reply_due_at is not None and case.reply_due_at <= case.due_at
    actions = list(CaseEvent.objects.filter(case=case).values_list("action", "actor"))
    assert actions == [("created", None), ("dispatch", None), ("add_note", org.leader.pk)]
    note = CaseEvent.objects.get(case=case, action="add_note").payload["text"]
    assert "现场排查污染源" in note and proposal.deadline.isoformat() in note
    # under way: not proposed again
    assert propose_tasks(alert_signals(), now=beijing(2026, 5, 19)) == []


def test_result_recorded_like_an_inspection_then_finished(org: Any, proposal: TaskProposal,
                                                          time_machine: Any) -> None:
    approved = services.approve_proposal(actor=org.leader, proposal=proposal)
    case = approved.case
    assert case is not None
    case = case_services.accept_case(actor=org.handler, case=case)
    case_services.record_inspection(actor=org.handler, case=case, findings="三家餐馆净化器未清洗")
    with pytest.raises(ActionForbidden):
        services.record_task_result(org.other_handler, approved, 3, "责令整改")
    with pytest.raises(RuleViolation):
        services.record_task_result(org.handler, approved, -1, "")
    time_machine.move_to(beijing(2026, 5, 20), tick=False)
    done = services.record_task_result(org.handler, approved, 3, "责令三家餐馆清洗净化器")
    assert (done.problems_found, done.finished_at, done.result_by) == (3, beijing(2026, 5, 20), org.handler)
    assert "发现问题 3 个" in CaseEvent.objects.filter(case=case, action="add_note").last().payload["text"]
    with pytest.raises(TransitionNotAllowed):
        services.record_task_result(org.handler, done, 4, "")
    # finished less than 8 weeks ago: still not proposed again; after that it may be
    assert propose_tasks(alert_signals(), now=beijing(2026, 7, 1)) == []
    assert len(propose_tasks(alert_signals(), now=beijing(2026, 7, 20))) == 1


def test_a_task_closed_without_result_stops_blocking_after_8_weeks(org: Any, proposal: TaskProposal) -> None:
    approved = services.approve_proposal(actor=org.leader, proposal=proposal)
    assert approved.case is not None
    force_status(approved.case, CaseStatus.CLOSED, closed_at=beijing(2026, 5, 20))
    assert propose_tasks(alert_signals(), now=beijing(2026, 7, 1)) == []
    assert len(propose_tasks(alert_signals(), now=beijing(2026, 7, 20))) == 1


def test_edit_then_approve(org: Any, proposal: TaskProposal) -> None:
    edited = services.edit_proposal(actor=org.admin, proposal=proposal, title="中关村餐饮油烟夜查",
                                    checklist=["净化器", "  ", "排风机噪声"], team=org.other_squad,
                                    deadline=dt.date(2026, 5, 29))
    assert edited.status == ProposalStatus.EDITED
    assert edited.checklist == ["净化器", "排风机噪声"]
    case = edited.case
    assert case is not None
    assert case.title == "中关村餐饮油烟夜查"
    assert case.handling_unit == org.other_squad
    assert "deadline:2026-05-29" in case.tags and case.due_at == end_of_day(dt.date(2026, 5, 29))
    # an administrator registers and dispatches in their own name
    assert list(CaseEvent.objects.filter(case=case).values_list("action", "actor")) == [
        ("created", org.admin.pk), ("dispatch", org.admin.pk), ("add_note", org.admin.pk)]


def test_reject_needs_a_reason_and_is_final(org: Any, proposal: TaskProposal) -> None:
    with pytest.raises(RuleViolation):
        services.reject_proposal(actor=org.leader, proposal=proposal, reason=" ")
    rejected = services.reject_proposal(actor=org.leader, proposal=proposal, reason="街道已在组织整治")
    assert (rejected.status, rejected.reason, rejected.case) == (ProposalStatus.REJECTED, "街道已在组织整治", None)
    with pytest.raises(TransitionNotAllowed):
        services.approve_proposal(actor=org.leader, proposal=rejected)
    # quiet for four weeks after a rejection
    assert propose_tasks(alert_signals(), now=beijing(2026, 6, 1)) == []
    assert len(propose_tasks(alert_signals(), now=beijing(2026, 6, 15))) == 1


@pytest.mark.parametrize("role", ["handler", "unit_head", "dispatcher", "analyst", "street_liaison"])
def test_only_leaders_and_admins_decide(org: Any, proposal: TaskProposal, role: str) -> None:
    actor = getattr(org, role)
    with pytest.raises(ActionForbidden):
        services.approve_proposal(actor=actor, proposal=proposal)
    with pytest.raises(ActionForbidden):
        services.reject_proposal(actor=actor, proposal=proposal, reason="no")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED


def test_a_task_without_a_team_is_not_approved(org: Any, time_machine: Any) -> None:
    time_machine.move_to(beijing(2026, 5, 12), tick=False)
    [made] = propose_tasks([Signal(source=SignalSource.HOTSPOT, title="热点", team=None, team_kinds=())],
                           now=beijing(2026, 5, 12))
    made.team = None
    made.save(update_fields=["team"])
    with pytest.raises(RuleViolation) as error:
        services.approve_proposal(actor=org.leader, proposal=made)
    assert error.value.code == "team_required"
    made.refresh_from_db()
    assert made.status == ProposalStatus.PROPOSED and made.case is None


def test_propose_now_runs_the_collectors(org: Any, rise: InsightAlert, time_machine: Any) -> None:
    time_machine.move_to(beijing(2026, 5, 12), tick=False)
    with pytest.raises(ActionForbidden):
        planner.propose_now(actor=org.handler)
    made = planner.propose_now(actor=org.analyst)
    assert sorted(p.source for p in made) == ["rise", "seasonal", "seasonal"]
    assert planner.propose_now(actor=None) == []


def test_plan_and_effect_commands(org: Any, rise: InsightAlert, time_machine: Any) -> None:
    import json
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    time_machine.move_to(beijing(2026, 5, 12), tick=False)
    out = StringIO()
    call_command("insight", "plan", "--date", "2026-05-12", "--dry-run", "--format", "json", stdout=out)
    signals = json.loads(out.getvalue())
    assert sorted(row["source"] for row in signals) == ["rise", "seasonal", "seasonal"]
    assert not any(row["blocked"] for row in signals)
    assert not TaskProposal.objects.exists()
    out = StringIO()
    call_command("insight", "plan", "--date", "2026-05-12", stdout=out)
    assert TaskProposal.objects.count() == 3
    assert "中关村街道" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("insight", "plan", "--date", "12/05/2026", stdout=StringIO())
    out = StringIO()
    call_command("insight", "effect", "--start", "2026-05-01", "--end", "2026-05-31", "--format", "json", stdout=out)
    summary = json.loads(out.getvalue())["summary"]
    assert (summary["tasks"], summary["problems_found"], summary["complaints"]) == (0, 0, 5)
    with pytest.raises(CommandError):
        call_command("insight", "effect", "--start", "2026-05-31", "--end", "2026-05-01", stdout=StringIO())


def test_key_units_command(org: Any, complaint: Any) -> None:
    import json
    from io import StringIO

    from django.core.management import call_command

    services.save_key_unit(actor=org.admin, name="老王烧烤", street=org.street, industry_code="6210")
    out = StringIO()
    call_command("insight", "key-units", "--street", org.street.code, "--format", "json", stdout=out)
    assert [row["name"] for row in json.loads(out.getvalue())] == ["老王烧烤"]
    case = complaint(beijing(2026, 5, 1), description="老王烧烤油烟")
    out = StringIO()
    call_command("insight", "key-units", "--case", str(case.pk), "--format", "json", stdout=out)
    assert [row["name"] for row in json.loads(out.getvalue())] == ["老王烧烤"]
