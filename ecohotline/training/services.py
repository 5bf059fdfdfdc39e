"""The training sandbox's writes: starting a run (its training case, dispatched to the trainee), its clock, its
script, and finishing it with a score.

A run's case is a case of the `training` channel: it exists only inside the run's workspace (`cases.workspace`),
and every change to it goes through the case services, inside that workspace and on the run's simulated clock,
exactly as on the desk. The trainee acts on it as the handling unit does (and may correct its category, the
dispatcher's decision a handler must get right); the script acts as the hotline and the dispatcher; a trainer who
looks in acts as nobody.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ecohotline.cases import services as case_services
from ecohotline.cases import workspace
from ecohotline.cases.exceptions import ActionForbidden, CaseError, RuleViolation
from ecohotline.cases.models import Case, CaseEvent, CaseStatus, Channel, VisitSource
from ecohotline.cases.services import HANDLING_UNIT_KINDS
from ecohotline.core import clock
from ecohotline.org.models import OrgUnit, Role, UnitKind, User
from ecohotline.training import scoring
from ecohotline.training.models import Run, RunStatus, Scenario
from ecohotline.training.scenarios import RECORD_LANGUAGE, check_scenario

logger = logging.getLogger(__name__)

TRAINEE_ROLES = frozenset({Role.HANDLER, Role.UNIT_HEAD})
# What else the trainee may do: correct the category (a dispatcher's decision a handler must catch).
TRAINEE_EXTRA: dict[str, frozenset[str]] = {"set_category": frozenset({Role.DISPATCHER})}
# The script plays the hotline (the return visit) and the dispatcher.
SCRIPT_ROLES = frozenset({Role.DISPATCHER, Role.ADMIN})
TRAINER_ROLES = frozenset({Role.TRAINER, Role.ADMIN})
MAX_SPEED = 1440  # a simulated day per real minute
MAX_JUMP_HOURS = 24 * 30


def is_trainer(user: User) -> bool:
    return user.is_authenticated and user.is_active and bool(user.role_codes & TRAINER_ROLES)


def may_enter(user: User, run: Run) -> bool:
    """The trainee enters their run; a trainer may look in on anybody's."""
    return user.is_authenticated and user.is_active and (user.pk == run.trainee_id or is_trainer(user))


def _trainee_roles(run: Run) -> Any:
    def acting_roles(user_id: int, action: str) -> frozenset[str]:
        if user_id != run.trainee_id or run.status != RunStatus.ACTIVE:
            return frozenset()
        return TRAINEE_ROLES | TRAINEE_EXTRA.get(action, frozenset())

    return acting_roles


def _script_roles(user_id: int, action: str) -> frozenset[str]:
    return SCRIPT_ROLES


def _cases(run: Run) -> Q:
    return Q(pk=run.case_id) if run.case_id else Q(pk__in=[])


@contextmanager
def inside(run: Run) -> Iterator[None]:
    """The run's workspace on its simulated clock: what the trainee (or a trainer looking in) sees and does."""
    scope = workspace.TrainingWorkspace(run_id=run.pk, cases=_cases(run), acting_roles=_trainee_roles(run))
    with workspace.training(scope), clock.simulated(run.simulated_now):
        yield


@contextmanager
def _as_script(run: Run, at: dt.datetime) -> Iterator[None]:
    scope = workspace.TrainingWorkspace(run_id=run.pk, cases=_cases(run), acting_roles=_script_roles)
    with workspace.training(scope), clock.simulated(lambda: at):
        yield


def _handling_unit(trainee: User) -> OrgUnit:
    """The trainee's own unit when cases can be handled there, else the bureau."""
    if trainee.unit is not None and trainee.unit.kind in HANDLING_UNIT_KINDS and trainee.unit.is_active:
        return trainee.unit
    bureau = OrgUnit.objects.filter(kind=UnitKind.BUREAU, is_active=True).order_by("path").first()
    if bureau is None:
        raise RuleViolation("no_bureau", _("The organisation has no bureau unit to handle training cases."))
    return bureau


def _script_actor(run: Run) -> User:
    """Whom the timeline shows for the script's events: the trainer who assigned the run or wrote the scenario."""
    for user in (run.assigned_by, run.scenario.created_by):
        if user is not None and user.is_active:
            return user
    return run.trainee


def set_scenario_active(*, scenario: Scenario, active: bool, actor: User) -> Scenario:
    """Withdraw a scenario (no new runs; those under way go on) or put it back. Trainers only."""
    if not is_trainer(actor):
        raise ActionForbidden(_("Only trainers withdraw scenarios."))
    scenario.is_active = active
    scenario.save(update_fields=["is_active"])
    return scenario


@transaction.atomic
def start_run(*, scenario: Scenario, trainee: User, assigned_by: User | None = None) -> Run:
    """Give `trainee` the scenario's order as a training case, dispatched to their unit, on a clock of its own
    starting at the scenario's simulated start (now when it has none). A trainer assigns runs to anybody; anybody
    may start one for themselves."""
    if assigned_by is not None and assigned_by.pk != trainee.pk and not is_trainer(assigned_by):
        raise ActionForbidden(_("Only trainers assign scenarios to others."))
    if not scenario.is_active:
        raise RuleViolation("inactive_scenario", _("This scenario is withdrawn."))
    if not trainee.is_active:
        raise RuleViolation("inactive_trainee", _("The trainee's account is disabled."))
    problems = check_scenario(scenario.order, scenario.expected, scenario.script)
    if problems:
        raise RuleViolation("invalid_scenario", "; ".join(str(problem) for problem in problems))
    real_now = timezone.now()
    start = (scenario.starts_at or real_now).replace(microsecond=0)
    run = Run.objects.create(scenario=scenario, trainee=trainee, assigned_by=assigned_by, sim_anchor=start,
                             real_anchor=real_now, sim_started_at=start)
    order = scenario.order
    street = OrgUnit.objects.filter(code=order["street"]).first() if order.get("street") else None
    with clock.simulated(lambda: start):
        case = case_services.create_case(
            actor=None, channel=Channel.TRAINING, policy_channel=order.get("channel") or Channel.HOTLINE_12345,
            received_at=start, external_id=f"TRN-{run.pk}", description=order["description"],
            title=order.get("title", ""), request_type=order.get("request_type") or "complaint",
            urgency=order.get("urgency") or "normal", complainant_name=order.get("complainant_name", ""),
            complainant_phone=order.get("complainant_phone", ""), address=order.get("address", ""),
            street=street, community=order.get("community", ""), latitude=order.get("latitude"),
            longitude=order.get("longitude"), polluter=order.get("polluter", ""),
            sub_category=order.get("sub_category", ""),
            category=(order.get("sub_category") or "").split(".")[0],
        )
    run.case = case
    run.save(update_fields=["case"])
    with _as_script(run, start), translation.override(RECORD_LANGUAGE):
        run.case = case_services.auto_dispatch_case(case=case, unit=_handling_unit(trainee), leader=None,
                                                    confidence=1.0, reason=_("Training scenario"))
    return run


def _locked(run: Run) -> Run:
    # `of`: PostgreSQL locks no row of a nullable outer join (the case, the trainer).
    return Run.objects.select_for_update(of=("self",)).select_related(
        "scenario", "case", "assigned_by", "scenario__created_by").get(pk=run.pk)


@transaction.atomic
def set_speed(*, run: Run, speed: int, actor: User) -> Run:
    """Run the clock `speed` times as fast as real time (0 stops it). Trainers only."""
    if not is_trainer(actor):
        raise ActionForbidden(_("Only trainers set the clock's speed."))
    if not 0 <= speed <= MAX_SPEED:
        raise RuleViolation("invalid_speed", _("Choose a speed from 0 to %(max)d.") % {"max": MAX_SPEED},
                            field="speed")
    locked = _locked(run)
    _check_active(locked)
    real_now = timezone.now()
    locked.sim_anchor, locked.real_anchor, locked.speed = locked.simulated_now(real_now), real_now, speed
    locked.save(update_fields=["sim_anchor", "real_anchor", "speed"])
    return _sync_clock(run, locked)


@transaction.atomic
def jump(*, run: Run, hours: float, actor: User) -> Run:
    """Move the clock forward by `hours` (never back: what was done stays done). The trainee may too: waiting
    until tomorrow's inspection only makes the deadlines nearer."""
    if not may_enter(actor, run):
        raise ActionForbidden(_("This is not your training run."))
    if not 0 < hours <= MAX_JUMP_HOURS:
        raise RuleViolation("invalid_jump", _("Jump ahead by 0 to %(max)d hours.") % {"max": MAX_JUMP_HOURS},
                            field="hours")
    locked = _locked(run)
    _check_active(locked)
    _move_clock(locked, locked.simulated_now() + dt.timedelta(hours=hours))
    return _sync_clock(run, locked)


def _sync_clock(run: Run, changed: Run) -> Run:
    """Give the caller's instance the clock just saved (so that `inside(run)` runs on it)."""
    run.sim_anchor, run.real_anchor, run.speed = changed.sim_anchor, changed.real_anchor, changed.speed
    return run


def _move_clock(run: Run, to: dt.datetime) -> None:
    real_now = timezone.now()
    if to > run.simulated_now(real_now):
        run.sim_anchor, run.real_anchor = to, real_now
        run.save(update_fields=["sim_anchor", "real_anchor"])


def _check_active(run: Run) -> None:
    if run.status != RunStatus.ACTIVE:
        raise RuleViolation("run_finished", _("This training run is finished."))


# --- the script ---------------------------------------------------------------------------------------------


def _first_actions(case: Case) -> dict[str, dt.datetime]:
    """When the trainee first took each action a script event may follow (a final reply only for `reply`)."""
    firsts: dict[str, dt.datetime] = {}
    events = CaseEvent.objects.filter(case=case, action__in=("accept", "record_contact", "record_inspection",
                                                             "record_measurement", "reply")).order_by("at", "pk")
    for action, at, payload in events.values_list("action", "at", "payload"):
        if action == "reply" and not (payload or {}).get("final", True):
            continue
        firsts.setdefault(action, at)
    return firsts


def due_at(run: Run, event: dict[str, Any], firsts: dict[str, dt.datetime]) -> dt.datetime | None:
    """When a script event happens on the run's clock; None while the action it follows was not taken."""
    delay = dt.timedelta(hours=float(event.get("delay_hours") or 0))
    if event.get("at_hours") is not None:
        return run.sim_started_at + dt.timedelta(hours=float(event["at_hours"])) + delay
    after = event.get("after") or "reply"
    return firsts[after] + delay if after in firsts else None


@transaction.atomic
def play_script(caller: Run) -> list[int]:
    """Let happen every script event whose time has come on the run's clock, in order, each once (the run's row is
    locked, so two requests never play the same event). Called before each of the run's requests. Returns the
    indexes of the events that happened; the caller's instance gets the run's new state."""
    run = _locked(caller)
    if run.status != RunStatus.ACTIVE or run.case is None:
        return []
    done = set(run.fired)
    pending = [index for index in range(len(run.scenario.script)) if index not in done]
    if not pending:
        return []
    firsts = _first_actions(run.case)
    played = []
    for index in pending:
        event = run.scenario.script[index]
        due = due_at(run, event, firsts)
        now = run.simulated_now()
        if due is None or due > now:
            continue
        try:
            with transaction.atomic():
                happened = _play(run, event, max(due, run.sim_started_at))
        except CaseError as error:  # the case moved on in a way the scenario did not foresee: skip the event
            logger.warning("training run %s: script event %s could not play: %s", run.pk, index, error)
            happened = True
        if happened:
            run.fired = [*run.fired, index]
            played.append(index)
    if played:
        run.save(update_fields=["fired", "notices"])
        caller.fired, caller.notices = run.fired, run.notices
        _sync_clock(caller, run)
    return played


def _play(run: Run, event: dict[str, Any], at: dt.datetime) -> bool:
    kind = event["kind"]
    case = run.case
    assert case is not None
    notice: dict[str, Any] = {"kind": kind, "at": at.isoformat()}
    if kind == "deadline_near":
        field = {"contact": "contact_due_at", "reply": "reply_due_at", "completion": "due_at"}[event["deadline"]]
        fresh = Case.all_objects.get(pk=case.pk)
        due = getattr(fresh, field)
        if due is None or getattr(fresh, {"contact": "first_contact_at", "reply": "replied_at",
                                          "completion": "completed_at"}[event["deadline"]]) is not None:
            return True  # nothing pending: the event passes without a word
        target = due - dt.timedelta(hours=float(event["hours_before"]))
        _move_clock(run, target)
        at = max(at, min(target, run.simulated_now()))
        notice |= {"deadline": event["deadline"], "due": due.isoformat(), "hours_before": event["hours_before"]}
    elif kind == "visit":
        fresh = Case.all_objects.get(pk=case.pk)
        if fresh.status != CaseStatus.REPLIED:
            return False  # the hotline visits a replied case: wait
        with _as_script(run, at), translation.override(RECORD_LANGUAGE):
            case_services.record_return_visit(
                actor=_script_actor(run), case=fresh, contacted=bool(event.get("contacted", True)),
                solved=bool(event.get("solved", False)), satisfaction=event["satisfaction"],
                source=VisitSource.HOTLINE, note=_("Return visit of the training scenario"))
        notice |= {"satisfaction": event["satisfaction"], "solved": bool(event.get("solved", False))}
    elif kind == "measurement_in":
        notice |= {"kind_of": event["kind_of"], "values": event["values"]}
    else:
        notice["text"] = event["text"]
    with translation.override(RECORD_LANGUAGE):  # the record's language, whoever's request played it
        text = notice.get("text") or scoring.describe_notice(notice)
    if kind == "visit":  # the return visit is on the timeline already
        run.notices = [*run.notices, notice]
        return True
    with _as_script(run, at):
        case_services.record_management_event(case=case, action="training_event", actor=_script_actor(run),
                                              payload={"kind": kind, "text": text}, at=at)
    run.notices = [*run.notices, notice]
    return True


@transaction.atomic
def finish_run(*, run: Run, actor: User) -> Run:
    """End the run: its clock stops and its score is kept. The trainee or a trainer finishes it."""
    if not may_enter(actor, run):
        raise ActionForbidden(_("This is not your training run."))
    play_script(run)
    run = _locked(run)
    _check_active(run)
    real_now = timezone.now()
    result = scoring.score_run(run, now=run.simulated_now(real_now), final=True)
    run.sim_anchor, run.real_anchor, run.speed = run.simulated_now(real_now), real_now, 0
    run.status, run.finished_at = RunStatus.FINISHED, real_now
    run.score, run.score_percent = result.as_dict(), result.percent
    run.save(update_fields=["sim_anchor", "real_anchor", "speed", "status", "finished_at", "score",
                            "score_percent"])
    return run
