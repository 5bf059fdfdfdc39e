"""Every write of the insight app's proactive side (主动治理): the key units registry and its case links, the
planner's proposals and the leader's decisions on them, task results, and the monthly theme (每月一题).

A proposal a leader approves becomes a case of kind `proactive_task` through `cases.services`, the same path the
monitoring worker takes for its verification tasks: registered and dispatched to the team by the system (the case
services let only dispatchers register cases) or in the name of an approving administrator; the leader's decision
and the checklist are the first note on the case's timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecohotline.cases import access
from ecohotline.cases.exceptions import ActionForbidden, RuleViolation, TransitionNotAllowed
from ecohotline.cases.models import Case, CaseKind, Channel
from ecohotline.cases.services import (
    HANDLING_UNIT_KINDS,
    add_note,
    auto_dispatch_case,
    create_case,
    dispatch_case,
    record_management_event,
)
from ecohotline.core import geo
from ecohotline.core.workdays import end_of_day
from ecohotline.insight.models import (
    KeyUnit,
    KeyUnitCase,
    LinkHow,
    MonthlyTheme,
    ProposalStatus,
    TaskProposal,
)
from ecohotline.org.models import OrgUnit, Role, User

# Who edits the registry.
REGISTRY_ROLES = (Role.LEADER, Role.ADMIN, Role.ANALYST)
# Who confirms the key unit a case is about (triage is the dispatcher's).
CONFIRM_ROLES = (Role.DISPATCHER, Role.ADMIN)
# Who decides proposals and picks the monthly theme.
DECIDER_ROLES = (Role.LEADER, Role.ADMIN)
KEY_UNIT_LINKED = "key_unit_linked"


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_edit_registry(user: Any) -> bool:
    return _active(user) and user.has_role(*REGISTRY_ROLES)


def can_confirm_key_unit(user: Any) -> bool:
    return _active(user) and user.has_role(*CONFIRM_ROLES)


def can_decide(user: Any) -> bool:
    return _active(user) and user.has_role(*DECIDER_ROLES)


def can_record_result(user: Any, proposal: TaskProposal) -> bool:
    """The task's team (its handlers and unit heads), leaders and administrators."""
    if not _active(user):
        return False
    if user.has_role(*DECIDER_ROLES):
        return True
    case = proposal.case
    return case is not None and access.in_handling_unit(user, case)


# --- the key units registry --------------------------------------------------------------------------------

KEY_UNIT_FIELDS = ("name", "aliases", "industry_code", "address", "street", "latitude", "longitude",
                   "is_key_industry", "is_key_area", "is_key_unit", "team", "contact", "notes", "is_active")


def _check_key_unit(values: dict[str, Any]) -> None:
    if not str(values.get("name") or "").strip():
        raise RuleViolation("name_required", _("Give the unit's name."), field="name")
    lat, lng = values.get("latitude"), values.get("longitude")
    if (lat is None) != (lng is None):
        raise RuleViolation("invalid_point", _("Give both the latitude and the longitude, or neither."),
                            field="latitude")
    if lat is not None and lng is not None and not geo.in_beijing(float(lng), float(lat)):
        raise RuleViolation("invalid_point", _("The point is not in Beijing (WGS-84 latitude and longitude)."),
                            field="latitude")
    street = values.get("street")
    if street is not None and not street.is_place:
        raise RuleViolation("invalid_street", _("Choose a street or town."), field="street")
    team = values.get("team")
    if team is not None and (team.kind not in HANDLING_UNIT_KINDS or not team.is_active):
        raise RuleViolation("not_a_handling_unit", _("The responsible team must be an active unit of the bureau."),
                            field="team")


@transaction.atomic
def save_key_unit(*, actor: User, key_unit: KeyUnit | None = None, **values: Any) -> KeyUnit:
    """Register a key unit (重点单位), or change one; leaders, analysts and administrators."""
    if not can_edit_registry(actor):
        raise ActionForbidden(_("Only leaders, analysts and administrators edit the key units registry."))
    unknown = set(values) - set(KEY_UNIT_FIELDS)
    if unknown:
        raise TypeError(f"unknown key unit fields: {sorted(unknown)}")
    current = {name: getattr(key_unit, name) for name in KEY_UNIT_FIELDS} if key_unit is not None else {}
    merged = {**current, **values}
    _check_key_unit(merged)
    if key_unit is None:
        return KeyUnit.objects.create(**values)
    for name, value in values.items():
        setattr(key_unit, name, value)
    key_unit.save(update_fields=sorted({*values, "updated_at"}))
    return key_unit


@transaction.atomic
def confirm_key_unit(*, actor: User, case: Case, key_unit: KeyUnit, score: float = 0.0,
                     how: str = LinkHow.CONFIRMED) -> KeyUnitCase:
    """The dispatcher confirms that the case is about this registered unit (or links it by hand, `how` manual);
    the case's timeline gets a `key_unit_linked` entry. Confirming an existing link again changes nothing."""
    if not can_confirm_key_unit(actor):
        raise ActionForbidden(_("Only dispatchers and administrators confirm the key unit of a case."))
    if how not in (LinkHow.CONFIRMED, LinkHow.MANUAL):
        raise RuleViolation("invalid_link", _("A link is confirmed or made by hand."), field="how")
    if not key_unit.is_active:
        raise RuleViolation("inactive_key_unit", _("This key unit is no longer active."), field="key_unit")
    link, created = KeyUnitCase.objects.select_for_update().get_or_create(
        key_unit=key_unit, case=case, defaults={"how": how, "score": score})
    if not created and link.how in (LinkHow.CONFIRMED, LinkHow.MANUAL):
        return link
    now = timezone.now()
    link.how, link.confirmed_by, link.confirmed_at = how, actor, now
    if score:
        link.score = score
    link.save(update_fields=["how", "confirmed_by", "confirmed_at", "score"])
    record_management_event(case=case, action=KEY_UNIT_LINKED, actor=actor, at=now, payload={
        "key_unit": key_unit.pk, "name": key_unit.name, "how": how, "score": round(link.score, 3),
        "note": f"关联重点单位：{key_unit.name}",
    })
    return link


# --- proposals ---------------------------------------------------------------------------------------------


@transaction.atomic
def create_proposal(*, source: str, source_key: str, title: str, description: str, checklist: Sequence[str],
                    category: str, team: OrgUnit | None, deadline: dt.date | None, street: OrgUnit | None,
                    latitude: float | None, longitude: float | None, radius_m: int, evidence: dict[str, Any],
                    case_ids: Sequence[int], score: float, theme: MonthlyTheme | None = None) -> TaskProposal:
    """The planner proposes a task (the system writes it; `planner.propose_tasks` decides what to propose)."""
    return TaskProposal.objects.create(
        source=source, source_key=source_key, title=title, description=description, checklist=list(checklist),
        category=category, team=team, deadline=deadline, street=street, latitude=latitude, longitude=longitude,
        radius_m=radius_m, evidence=evidence, case_ids=list(case_ids), score=score, theme=theme,
    )


def _lock_open(proposal: TaskProposal) -> TaskProposal:
    # of=("self",): the joined rows may be missing (no team yet), and PostgreSQL locks no outer join's null side.
    locked = TaskProposal.objects.select_for_update(of=("self",)).select_related("team", "street", "theme").get(
        pk=proposal.pk)
    if locked.status != ProposalStatus.PROPOSED:
        raise TransitionNotAllowed(
            _("This proposal was already decided (“%(status)s”).") % {"status": locked.get_status_display()},
            action="decide", status=locked.status)
    return locked


def _check_decider(actor: User) -> None:
    if not can_decide(actor):
        raise ActionForbidden(_("Only leaders and administrators decide proposed tasks."), action="decide")


def _clean_checklist(items: Sequence[str]) -> list[str]:
    return [item.strip() for item in items if item and item.strip()]


def task_text(proposal: TaskProposal) -> str:
    """The task case's description: what, where, the checklist, the deadline and the evidence."""
    lines = [proposal.description.strip()] if proposal.description.strip() else []
    if proposal.checklist:
        lines.append("检查清单：")
        lines.extend(f"{number}. {item}" for number, item in enumerate(proposal.checklist, start=1))
    if proposal.deadline:
        lines.append(f"完成期限：{proposal.deadline.isoformat()}")
    lines.append(f"来源：主动治理任务建议 #{proposal.pk}")
    return "\n".join(lines)


def _accept(actor: User, proposal: TaskProposal, *, status: str, changes: dict[str, Any]) -> TaskProposal:
    team = proposal.team
    if team is None:
        raise RuleViolation("team_required", _("Choose the team that carries the task out."), field="team")
    if team.kind not in HANDLING_UNIT_KINDS or not team.is_active:
        raise RuleViolation("not_a_handling_unit", _("The team must be an active unit of the bureau."), field="team")
    if not proposal.checklist:
        raise RuleViolation("checklist_required", _("Give at least one item to check."), field="checklist")
    now = timezone.now()
    if proposal.deadline is not None and proposal.deadline < timezone.localdate(now):
        raise RuleViolation("deadline_passed", _("The deadline has already passed."), field="deadline")
    registrar = actor if actor.has_role(Role.DISPATCHER, Role.ADMIN) else None
    leader = actor if actor.has_role(Role.LEADER) else None
    tags = ["proactive", f"proposal:{proposal.pk}", f"source:{proposal.source}"]
    if proposal.theme_id:
        tags.append(f"theme:{proposal.theme_id}")
    if proposal.deadline:
        tags.append(f"deadline:{proposal.deadline.isoformat()}")
    family = proposal.category.split(".")[0] if proposal.category else ""
    case = create_case(
        actor=registrar, channel=Channel.PROACTIVE, kind=CaseKind.PROACTIVE_TASK, received_at=now,
        title=proposal.title, description=task_text(proposal), street=proposal.street,
        latitude=proposal.latitude, longitude=proposal.longitude, category=family,
        sub_category=proposal.category if "." in proposal.category else "", tags=tags, leader=leader,
        due_at=end_of_day(proposal.deadline) if proposal.deadline else None,
    )
    reason = f"主动治理任务：{proposal.title}"
    if registrar is None:
        case = auto_dispatch_case(case=case, unit=team, leader=leader, confidence=1.0, reason=reason)
    else:
        case = dispatch_case(actor=registrar, case=case, unit=team, leader=leader, note=reason)
    checklist = "；".join(proposal.checklist)
    deadline = proposal.deadline.isoformat() if proposal.deadline else "—"
    add_note(actor=actor, case=case,
             text=f"{actor} 批准主动治理任务 #{proposal.pk}。检查清单：{checklist}。完成期限：{deadline}。")
    proposal.status = status
    proposal.decided_by = actor
    proposal.decided_at = now
    proposal.case = case
    proposal.save(update_fields=sorted({"status", "decided_by", "decided_at", "case", *changes}))
    return proposal


@transaction.atomic
def approve_proposal(*, actor: User, proposal: TaskProposal) -> TaskProposal:
    """批准: the leader approves the task as proposed; it becomes a `proactive_task` case for the team."""
    _check_decider(actor)
    proposal = _lock_open(proposal)
    return _accept(actor, proposal, status=ProposalStatus.APPROVED, changes={})


@transaction.atomic
def edit_proposal(*, actor: User, proposal: TaskProposal, title: str, checklist: Sequence[str],
                  team: OrgUnit | None, deadline: dt.date | None) -> TaskProposal:
    """修改后批准: the leader changes the title, checklist, team or deadline, and approves the task so changed."""
    _check_decider(actor)
    proposal = _lock_open(proposal)
    if not title.strip():
        raise RuleViolation("title_required", _("Give the task a title."), field="title")
    proposal.title = title.strip()[:200]
    proposal.checklist = _clean_checklist(checklist)
    proposal.team = team
    proposal.deadline = deadline
    return _accept(actor, proposal, status=ProposalStatus.EDITED,
                   changes={"title": True, "checklist": True, "team": True, "deadline": True})


@transaction.atomic
def reject_proposal(*, actor: User, proposal: TaskProposal, reason: str) -> TaskProposal:
    """不予采纳: the leader rejects the task, saying why."""
    _check_decider(actor)
    if not reason.strip():
        raise RuleViolation("reason_required", _("Say why the task is rejected."), field="reason")
    proposal = _lock_open(proposal)
    proposal.status = ProposalStatus.REJECTED
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.reason = reason.strip()
    proposal.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    return proposal


@transaction.atomic
def record_task_result(actor: User, proposal: TaskProposal, problems_found: int, measures: str) -> TaskProposal:
    """任务结果: the team records how many problems the patrol found (未诉先办) and the measures taken; the task is
    finished from now (its effect is measured from this moment). Inspections and measurements are recorded on the
    task case like any case's (`cases.services.record_inspection` / `record_measurement`)."""
    proposal = TaskProposal.objects.select_for_update(of=("self",)).select_related("case", "case__handling_unit").get(
        pk=proposal.pk)
    if not can_record_result(actor, proposal):
        raise ActionForbidden(_("Only the task's team, leaders and administrators record its result."))
    if proposal.case is None:
        raise TransitionNotAllowed(_("Only an approved task has a result."), action="record_task_result",
                                   status=proposal.status)
    if proposal.finished_at is not None:
        raise TransitionNotAllowed(_("The result of this task is already recorded."), action="record_task_result",
                                   status=proposal.status)
    if isinstance(problems_found, bool) or not isinstance(problems_found, int) or problems_found < 0:
        raise RuleViolation("invalid_count", _("Give the number of problems found (0 or more)."),
                            field="problems_found")
    proposal.problems_found = problems_found
    proposal.measures = measures.strip()
    proposal.finished_at = timezone.now()
    proposal.result_by = actor
    proposal.save(update_fields=["problems_found", "measures", "finished_at", "result_by"])
    add_note(actor=actor, case=proposal.case,
             text=f"任务结果：发现问题 {problems_found} 个。措施：{proposal.measures or '—'}")
    return proposal


# --- the monthly theme -------------------------------------------------------------------------------------


@transaction.atomic
def save_theme(*, actor: User, theme: MonthlyTheme | None = None, month: dt.date, title: str,
               categories: Sequence[str], keywords: str, leader: User, goal: str = "") -> MonthlyTheme:
    """每月一题: a leader picks (or changes) the month's recurring problem."""
    if not can_decide(actor):
        raise ActionForbidden(_("Only leaders and administrators pick the monthly theme."))
    if not title.strip():
        raise RuleViolation("title_required", _("Give the theme a title."), field="title")
    codes = [code.strip() for code in categories if code and code.strip()]
    if not codes and not keywords.strip():
        raise RuleViolation("scope_required", _("Give categories or keywords: they say which complaints count."),
                            field="categories")
    if not leader.has_role(Role.LEADER):
        raise RuleViolation("not_a_leader", _("The person in charge must be a leader."), field="leader")
    month = month.replace(day=1)
    clash = MonthlyTheme.objects.filter(month=month)
    if theme is not None:
        clash = clash.exclude(pk=theme.pk)
    if clash.exists():
        raise RuleViolation("theme_exists", _("This month already has a theme."), field="month")
    values = {"month": month, "title": title.strip()[:200], "categories": codes, "keywords": keywords.strip(),
              "leader": leader, "goal": goal.strip()}
    if theme is None:
        return MonthlyTheme.objects.create(**values)
    for name, value in values.items():
        setattr(theme, name, value)
    theme.save(update_fields=[*values, "updated_at"])
    return theme
