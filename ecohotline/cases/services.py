"""Every write to a case. Each service is one transaction: it locks the case, checks the actor's roles and
the transition table, applies the change, bumps the version, appends a `CaseEvent`, and defers side effects
(notifications) until after commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecohotline.cases import access, deadlines, measurements, selectors
from ecohotline.cases.attachments import check_photos
from ecohotline.cases.exceptions import ActionForbidden, RuleViolation, StaleVersion, TransitionNotAllowed
from ecohotline.cases.models import (
    OPEN_STATUSES,
    AlertKind,
    Appeal,
    AppealReason,
    Attachment,
    Case,
    CaseEvent,
    CaseKind,
    CaseStatus,
    Channel,
    ContactAttempt,
    ContactChannel,
    DeadlineAlert,
    DeadlinePolicy,
    Decision,
    Extension,
    Inspection,
    JointHandling,
    JointReply,
    Measurement,
    Rectification,
    Reply,
    RequestType,
    ReturnVisit,
    Satisfaction,
    Urgency,
    VisitSource,
)
from ecohotline.cases.signals import AppendedEvent, case_closed, case_events_appended
from ecohotline.cases.workflow import TRANSITIONS, Transition
from ecohotline.core import bulk, clock, geo
from ecohotline.core.selectors import workday_overrides
from ecohotline.notify.services import notify_users
from ecohotline.org.models import OrgUnit, Role, UnitKind, User
from ecohotline.org.selectors import leader_for_street, unit_heads_of

SATISFIED = frozenset({Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED})
# Kinds without a complainant, hence without a return visit (回访): their final reply closes them.
NO_RETURN_VISIT_KINDS = frozenset({CaseKind.ALERT_VERIFICATION, CaseKind.PROACTIVE_TASK})


def _payload(result: dict[str, Any] | bulk.JsonText) -> dict[str, Any] | bulk.JsonText:
    return result if isinstance(result, bulk.JsonText) else {key: _json(value) for key, value in result.items()}


def _json(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


# --- the shared steps of every service ---------------------------------------------------------------


def authorise(actor: User, case: Case, action: str) -> Transition:
    """Raise unless `actor` may take `action` on `case` now: 403 for the role, 409 for the status."""
    transition = TRANSITIONS[action]
    if not actor.is_authenticated or not actor.is_active:
        raise ActionForbidden(_("You must be signed in."))
    if not access.acting_roles(actor, case, action) & transition.roles:
        raise ActionForbidden(_("Your role does not allow this action on this case."), action=action)
    if case.status not in transition.from_statuses:
        raise TransitionNotAllowed(
            _("This action is not allowed while the case is “%(status)s”.") % {"status": case.get_status_display()},
            action=action, status=case.status,
        )
    return transition


def permitted_actions(actor: User, case: Case) -> list[str]:
    """The actions the transition table lets `actor` take on `case` in its current status."""
    result = []
    for action, transition in TRANSITIONS.items():
        if case.status in transition.from_statuses and access.acting_roles(actor, case, action) & transition.roles:
            result.append(action)
    return result


def _available(case: Case, action: str) -> bool:
    """Whether the case's own state gives the action something to act on (a pending extension to decide, a
    paused clock to resume...). The services refuse the others with a RuleViolation."""
    if action == "pause_clock":
        return case.paused_at is None and case.policy is not None and case.policy.pause_allowed
    if action == "resume_clock":
        return case.paused_at is not None
    if action == "request_extension":
        return bool(case.policy and case.policy.max_extension_days) and not case.extensions.filter(
            decision=Decision.PENDING).exists()
    if action == "decide_extension":
        return case.extensions.filter(decision=Decision.PENDING).exists()
    if action == "file_appeal":
        return not case.appeals.filter(decision=Decision.PENDING).exists()
    if action == "decide_appeal":
        return case.appeals.filter(decision=Decision.PENDING).exists()
    if action == "record_joint_reply":
        return case.jointhandlings.exists()
    return True


def allowed_actions(actor: User, case: Case) -> list[str]:
    """The actions `actor` can take on `case` now: permitted by the table and possible in its state (what the
    desk and the API offer)."""
    return [action for action in permitted_actions(actor, case) if _available(case, action)]


def _begin(actor: User, case: Case, action: str, version: int | None) -> Case:
    """Lock the case row, check the client's version, and authorise the action."""
    locked = Case.objects.select_for_update(of=("self",)).select_related("handling_unit", "street").get(pk=case.pk)
    authorise(actor, locked, action)
    if version is not None and locked.version != version:
        raise StaleVersion(
            _("The case was changed by someone else; reload it and try again."), current_version=locked.version
        )
    return locked


def _is_training(case: Case) -> bool:
    """A case of the training sandbox (情景模拟): it tells nobody (no notification, no webhook, no hotline
    feedback, no signal to the apps that follow real cases)."""
    return case.channel == Channel.TRAINING


def _record(case: Case, *, actor: User | None, action: str, from_status: str, payload: dict[str, Any],
            at: dt.datetime | None = None) -> CaseEvent:
    event = CaseEvent.objects.create(
        case=case, actor=actor, at=at or clock.now(), action=action, from_status=from_status,
        to_status=case.status, payload={key: _json(value) for key, value in payload.items()},
    )
    if _is_training(case):
        return event
    # Inside the transaction: what follows from the event (outgoing webhooks) is written with it.
    case_events_appended.send(sender=CaseEvent, events=[AppendedEvent(
        event.pk, case, action, from_status, event.to_status, event.at, event.actor_id, event.payload)])
    return event


def _finish(case: Case, *, actor: User | None, action: str, from_status: str, fields: Iterable[str],
            payload: dict[str, Any] | None = None) -> Case:
    """Save the changed fields with a new version and the recomputed next deadline; append the event."""
    case.version += 1
    case.next_due_at = deadlines.next_due_at(case)
    case.save(update_fields=sorted({*fields, "version", "next_due_at", "updated_at"}))
    _record(case, actor=actor, action=action, from_status=from_status, payload=payload or {})
    if case.status == CaseStatus.CLOSED and from_status != CaseStatus.CLOSED and not _is_training(case):
        case_id, kind = case.pk, case.kind
        transaction.on_commit(lambda: case_closed.send(sender=Case, case_id=case_id, kind=kind, action=action))
    return case


def _case_facts(case: Case) -> dict[str, Any]:
    """What a notification may say of a case outside the desk (e-mail, group robots): never the complainant."""
    names = selectors.category_labels().get(case.sub_category or case.category, ("", ""))
    return {"reference": case.reference, "category": case.sub_category or case.category, "category_zh": names[0],
            "category_en": names[1], "street": case.street.name if case.street else ""}


def _notify_after_commit(recipients: Iterable[User], kind: str, case: Case, **params: Any) -> None:
    """Tell the people (and, as the event's route asks, e-mail and the group robots of the case's street and
    unit) in the transaction of the change: notifications and outbox messages commit with it or not at all, and
    the outbox delivers after the commit."""
    if _is_training(case):
        return
    people = [user for user in recipients if user is not None]
    notify_users(recipients=people, kind=kind, case_id=case.pk, units=[case.street_id, case.handling_unit_id],
                 **{**_case_facts(case), **params})


def _dispatchers() -> list[User]:
    return list(User.objects.filter(is_active=True, role_assignments__role=Role.DISPATCHER))


def _handling_people(case: Case) -> list[User]:
    """Who must move next on a case: the dispatchers while it waits to be (re)dispatched, else its handler,
    else the heads of its handling unit."""
    if case.status in (CaseStatus.NEW, CaseStatus.RETURNED):
        return _dispatchers()
    if case.handler_id and case.handler:
        return [case.handler]
    if case.handling_unit:
        return list(unit_heads_of(case.handling_unit))
    return _dispatchers()


# --- intake ------------------------------------------------------------------------------------------


def check_sub_category(code: str) -> str:
    """The category of a sub-category code a person gave; `invalid_category` unless it is assignable."""
    category = selectors.assignable_categories().get(code)
    if category is None:
        raise RuleViolation("invalid_category",
                            _("Choose an active sub-category (such as noise.social), not a family or an unknown "
                              "code."), field="sub_category")
    return category


@transaction.atomic
def create_case(
    *,
    actor: User | None,
    channel: str,
    received_at: dt.datetime,
    description: str,
    kind: str = CaseKind.COMPLAINT,
    external_id: str = "",
    request_type: str = RequestType.COMPLAINT,
    urgency: str = Urgency.NORMAL,
    title: str = "",
    complainant_name: str = "",
    complainant_phone: str = "",
    complainant_anonymous: bool = False,
    complainant_confidential: bool = False,
    address: str = "",
    district: str = "",
    street: OrgUnit | None = None,
    community: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    category: str = "",
    sub_category: str = "",
    category_confirmed: bool = False,
    polluter: str = "",
    tags: Sequence[str] = (),
    leader: User | None = None,
    due_at: dt.datetime | None = None,
    policy_channel: str = "",
) -> Case:
    """Register a new case (受理) and set its deadlines from the deadline policy.

    `leader` is the leader in charge when the caller already knows it (triage routes by 包片 area); otherwise
    the leader of the street's area. `category_confirmed`: a person chose the category (not a guess).
    `due_at`: a completion deadline set by a person (a leader approving a proactive task) instead of the
    policy's; the reply is then due by it too, at the latest. `policy_channel`: the channel whose deadline policy
    applies, when not the case's own (a training case keeps the limits of the channel it simulates).

    `actor` is None when the system itself takes an order in (an importer, the monitoring worker).
    """
    draft = CaseDraft(
        channel=channel, received_at=received_at, description=description, kind=kind, external_id=external_id,
        request_type=request_type, urgency=urgency, title=title, complainant_name=complainant_name,
        complainant_phone=complainant_phone, complainant_anonymous=complainant_anonymous,
        complainant_confidential=complainant_confidential, address=address, district=district, street=street,
        community=community, latitude=latitude, longitude=longitude, category=category,
        sub_category=sub_category, category_confirmed=category_confirmed, polluter=polluter, tags=list(tags),
        leader=leader, due_at=due_at, policy_channel=policy_channel,
    )
    return create_cases(actor=actor, drafts=[draft])[0]


_CHANNELS = frozenset(Channel.values)


@dataclass
class CaseDraft:
    """A new case as `create_cases` takes it (the arguments of `create_case`)."""

    channel: str
    received_at: dt.datetime
    description: str
    kind: str = CaseKind.COMPLAINT
    external_id: str = ""
    request_type: str = RequestType.COMPLAINT
    urgency: str = Urgency.NORMAL
    title: str = ""
    complainant_name: str = ""
    complainant_phone: str = ""
    complainant_anonymous: bool = False
    complainant_confidential: bool = False
    address: str = ""
    district: str = ""
    street: OrgUnit | None = None
    community: str = ""
    latitude: float | None = None
    longitude: float | None = None
    category: str = ""
    sub_category: str = ""
    category_confirmed: bool = False
    polluter: str = ""
    tags: list[str] = field(default_factory=list)
    leader: User | None = None
    due_at: dt.datetime | None = None
    policy_channel: str = ""


@transaction.atomic
def create_cases(*, actor: User | None, drafts: Sequence[CaseDraft]) -> list[Case]:
    """Register new cases: the checks, deadlines and `created` timeline entries of `create_case`, for many
    cases in a fixed number of queries (the intake's batches). All or none: the first draft that fails a
    check raises, and nothing of the call stays written. The rows are written by `core.bulk`, so neither
    `Case.save()` nor model signals run (none exist for cases; keep it so, or write here what they did)."""
    if actor is not None and not actor.has_role(Role.DISPATCHER, Role.ADMIN):
        raise ActionForbidden(_("Only dispatchers may register cases."))
    if not drafts:
        return []
    numbers = {(d.channel, d.external_id) for d in drafts if d.external_id}
    if len(numbers) < sum(1 for d in drafts if d.external_id):
        raise RuleViolation("duplicate_order", _("An order with this number is already registered."),
                            field="external_id")
    if numbers:
        # `.exclude(external_id="")` repeats the partial unique index's condition so that SQLite uses it, and
        # the channels must be given: the index is on (channel, number).
        known = Case.objects.filter(channel__in={channel for channel, _ in numbers},
                                    external_id__in={number for _, number in numbers}).exclude(external_id="")
        if numbers & set(known.order_by().values_list("channel", "external_id")):
            raise RuleViolation("duplicate_order", _("An order with this number is already registered."),
                                field="external_id")
    policies = list(DeadlinePolicy.objects.filter(is_active=True))
    overrides = workday_overrides()
    fields = Case._meta.concrete_fields
    attnames = [field.attname for field in fields]
    build: Any = Case
    defaults = {field.attname: field.get_default() for field in fields}
    leaders: dict[int, User | None] = {}
    cases = []
    for draft in drafts:
        if draft.channel not in _CHANNELS:
            raise RuleViolation("invalid_channel", _("Unknown channel."), field="channel")
        if timezone.is_naive(draft.received_at):
            raise RuleViolation("naive_datetime", _("The time of receipt must carry a time zone."),
                                field="received_at")
        street = draft.street
        if street is not None and not street.is_place:
            raise RuleViolation("invalid_street", _("Choose a street or town."), field="street")
        leader = draft.leader
        if leader is None and street is not None:
            if street.pk not in leaders:
                leaders[street.pk] = leader_for_street(street)
            leader = leaders[street.pk]
        policy = deadlines.find_policy(draft.policy_channel or draft.channel, draft.request_type, draft.urgency,
                                       policies)
        due = deadlines.compute_due_times(policy, draft.received_at, overrides)
        if draft.due_at is not None:
            if timezone.is_naive(draft.due_at) or draft.due_at <= draft.received_at:
                raise RuleViolation("invalid_due_at", _("The deadline must carry a time zone and come after the "
                                                        "time of receipt."), field="due_at")
            reply_due = min(due.reply_due_at, draft.due_at) if due.reply_due_at else draft.due_at
            due = replace(due, due_at=draft.due_at, reply_due_at=reply_due, provisional=False)
        lat, lng = draft.latitude, draft.longitude
        values = dict(defaults)
        values.update(
            kind=draft.kind, channel=draft.channel, external_id=draft.external_id, request_type=draft.request_type,
            urgency=draft.urgency, received_at=draft.received_at, title=draft.title, description=draft.description,
            complainant_name=draft.complainant_name, complainant_phone=draft.complainant_phone,
            complainant_anonymous=draft.complainant_anonymous,
            complainant_confidential=draft.complainant_confidential, address=draft.address,
            district=draft.district, street_id=street.pk if street else None, community=draft.community,
            latitude=lat, longitude=lng,
            geo_cell=geo.grid_cell(lng, lat) if lat is not None and lng is not None else None,
            category=draft.category, sub_category=draft.sub_category,
            category_confirmed=draft.category_confirmed and bool(draft.sub_category), polluter=draft.polluter,
            tags=list(draft.tags), status=CaseStatus.NEW, policy_id=policy.pk if policy else None,
            accept_due_at=due.accept_due_at, contact_due_at=due.contact_due_at, reply_due_at=due.reply_due_at,
            due_at=due.due_at, deadline_provisional=due.provisional, leader_id=leader.pk if leader else None,
        )
        # Positional arguments: Django's fast path (a batch makes thousands of cases); the stubs know only
        # keywords, hence `build`, the model class untyped.
        case = build(*[values[name] for name in attnames])
        case.street, case.policy, case.leader = street, policy, leader  # no query when they are read
        case.next_due_at = deadlines.next_due_at(case)
        cases.append((case, due))
    bulk.insert_objects([case for case, _ in cases])
    now = clock.now()
    actor_id = actor.pk if actor is not None else None
    rows = [
        {"case_id": case.pk, "actor_id": actor_id, "at": now, "action": "created", "from_status": "",
         "to_status": case.status, "payload": {key: _json(value) for key, value in {
             "channel": case.channel, "external_id": case.external_id, "policy": case.policy_id,
             "accept_due_at": due.accept_due_at, "contact_due_at": due.contact_due_at,
             "reply_due_at": due.reply_due_at, "due_at": due.due_at, "provisional": due.provisional,
         }.items()}}
        for case, due in cases
    ]
    event_ids = bulk.insert_rows(CaseEvent, rows)
    case_events_appended.send(sender=CaseEvent, events=[
        AppendedEvent(event_id, case, "created", "", case.status, now, actor_id, row["payload"])
        for event_id, (case, _due), row in zip(event_ids, cases, rows, strict=True) if not _is_training(case)
    ])
    return [case for case, _ in cases]


@transaction.atomic
def record_order_update(*, case: Case, changes: dict[str, Any], via: str, actor: User | None = None) -> Case:
    """补充: the channel delivered the order again with changed content. The case keeps its own record; the
    timeline gets an `order_updated` entry with what changed (old and new values)."""
    locked = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    return _finish(locked, actor=actor, action="order_updated", from_status=locked.status, fields=[],
                   payload={"via": via, "changes": changes})


@transaction.atomic
def attach_complainant_photos(*, case: Case, photos: Sequence[UploadedFile], via: str,
                              actor: User | None = None) -> list[Attachment]:
    """诉求人照片: photos the complainant sent with the complaint (the public page), kept on the case with a
    `photos_received` timeline entry that shows them. Nothing is kept when one of them is refused."""
    check_photos(photos)
    if not photos:
        return []
    locked = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    stored: list[Attachment] = []
    try:
        for photo in photos:
            stored.append(Attachment.objects.create(case=locked, created_by=actor, file=photo,
                                                    original_name=(photo.name or "")[:200]))
        _finish(locked, actor=actor, action="photos_received", from_status=locked.status, fields=[],
                payload={"via": via, "photos": [attachment.pk for attachment in stored]})
    except BaseException:
        for attachment in stored:  # the rows roll back with the transaction; the files would stay behind
            attachment.file.delete(save=False)
        raise
    return stored


@transaction.atomic
def record_triage(*, case: Case, result: dict[str, Any], actor: User | None = None) -> Case:
    """分拣: what the intake pipeline decided about the case (place, category, remit, duplicates, route) and
    why, as one `triaged` timeline entry."""
    locked = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    return _finish(locked, actor=actor, action="triaged", from_status=locked.status, fields=[], payload=result)


@transaction.atomic
def record_triages(*, results: Sequence[tuple[Case, dict[str, Any] | bulk.JsonText, Sequence[str]]],
                   actor: User | None = None) -> None:
    """`record_triage` for the cases an intake batch has just created in this transaction: one `triaged`
    entry each, plus the tags triage could only give once the case existed (say `repeated`), in a fixed
    number of queries. No one else can have seen these cases yet, so they are neither locked nor given a
    new version (the version is for telling a reader that the case changed since it was read). A result may
    come encoded already (`core.bulk.JsonText`)."""
    if not results:
        return
    tagged = []
    for case, _result, tags in results:
        if any(tag not in case.tags for tag in tags):
            case.tags = [*case.tags, *(tag for tag in tags if tag not in case.tags)]
            tagged.append(case)
    bulk.update_objects(tagged, "tags")
    now = clock.now()
    actor_id = actor.pk if actor is not None else None
    payloads = [_payload(result) for _case, result, _tags in results]
    event_ids = bulk.insert_rows(CaseEvent, [
        {"case_id": case.pk, "actor_id": actor_id, "at": now, "action": "triaged", "from_status": case.status,
         "to_status": case.status, "payload": payload}
        for (case, _result, _tags), payload in zip(results, payloads, strict=True)
    ])
    case_events_appended.send(sender=CaseEvent, events=[
        AppendedEvent(event_id, case, "triaged", case.status, case.status, now, actor_id, payload)
        for event_id, (case, _result, _tags), payload in zip(event_ids, results, payloads, strict=True)
    ])


# --- lifecycle -----------------------------------------------------------------------------------------


HANDLING_UNIT_KINDS = frozenset({UnitKind.BUREAU, UnitKind.BRIGADE, UnitKind.SQUAD, UnitKind.SECTION})


def _check_handling_unit(unit: OrgUnit) -> None:
    """Cases are handled inside the bureau; streets and outside departments are called in (吹哨报到)."""
    if unit.kind not in HANDLING_UNIT_KINDS or not unit.is_active:
        raise RuleViolation("not_a_handling_unit",
                            _("Cases go to a unit of the bureau; call streets and departments in instead."),
                            field="unit")


def _check_leader(leader: User | None) -> None:
    if leader is not None and not leader.has_role(Role.LEADER):
        raise RuleViolation("not_a_leader", _("The person in charge must be a leader."), field="leader")


def _check_handler(handler: User | None, unit: OrgUnit) -> None:
    if handler is not None and not (handler.unit and handler.unit.path.startswith(unit.path)):
        raise RuleViolation("handler_not_in_unit", _("The handler does not belong to that unit."), field="handler")


def _take_handling(child: Case, parent: Case) -> list[str]:
    """Give a merged duplicate its parent's handling (unit, handler, leader in charge) and the parent's
    acceptance if it had none of its own; return the fields that changed."""
    changed = []
    if child.handling_unit_id != parent.handling_unit_id:
        child.handling_unit_id = parent.handling_unit_id
        changed.append("handling_unit")
    if child.handler_id != parent.handler_id:
        child.handler_id = parent.handler_id
        changed.append("handler")
    if parent.leader_id is not None and child.leader_id != parent.leader_id:
        child.leader_id = parent.leader_id
        changed.append("leader")
    # The order's own accept deadline is met when the case that handles it is accepted (never un-met).
    if child.accepted_at is None and parent.accepted_at is not None:
        child.accepted_at = parent.accepted_at
        changed.append("accepted_at")
    return changed


def _waiting_children(parent: Case) -> list[Case]:
    """The duplicates merged into `parent` still waiting for their reply, locked."""
    return list(Case.objects.select_for_update(of=("self",)).filter(parent=parent, status=CaseStatus.MERGED)
                .order_by("pk"))


def _children_follow(parent: Case, *, actor: User | None, via: str) -> None:
    """并案: the duplicates waiting for their reply are handled through their parent, so they follow its
    dispatch, acceptance, return and reassignment; each gets a `follow_parent` entry on its own timeline."""
    for child in _waiting_children(parent):
        changed = _take_handling(child, parent)
        if changed:
            _finish(child, actor=actor, action="follow_parent", from_status=child.status, fields=changed,
                    payload={"parent": parent.pk, "via": via, "unit": child.handling_unit_id,
                             "handler": child.handler_id, "leader": child.leader_id})


@transaction.atomic
def dispatch_case(*, actor: User, case: Case, unit: OrgUnit, handler: User | None = None,
                  leader: User | None = None, note: str = "", version: int | None = None) -> Case:
    """派单: send the case to a handling unit (and optionally a handler and a leader)."""
    case = _begin(actor, case, "dispatch", version)
    return _dispatch(case, actor=actor, unit=unit, handler=handler, leader=leader, payload={"note": note})


@transaction.atomic
def auto_dispatch_case(*, case: Case, unit: OrgUnit, leader: User | None, confidence: float, reason: str) -> Case:
    """自动派单: the intake dispatches a new case itself when its routing is confident enough (the bureau sets
    the threshold). The timeline shows it was the system, with the confidence and the reason."""
    locked = Case.objects.select_for_update(of=("self",)).select_related("street").get(pk=case.pk)
    if locked.status != CaseStatus.NEW:
        raise TransitionNotAllowed(_("Only new cases are dispatched automatically."), action="dispatch",
                                   status=locked.status)
    return _dispatch(locked, actor=None, unit=unit, handler=None, leader=leader,
                     payload={"auto": True, "confidence": round(confidence, 3), "reason": reason})


def _dispatch(case: Case, *, actor: User | None, unit: OrgUnit, handler: User | None, leader: User | None,
              payload: dict[str, Any]) -> Case:
    _check_handling_unit(unit)
    _check_handler(handler, unit)
    _check_leader(leader)
    from_status = case.status
    case.status = CaseStatus.DISPATCHED
    case.handling_unit = unit
    case.handler = handler
    case.leader = leader or case.leader or leader_for_street(case.street)
    case.dispatched_at = clock.now()
    fields = ["status", "handling_unit", "handler", "leader", "dispatched_at"]
    if actor is not None and case.sub_category:
        # A dispatcher who sends the case on vouches for the category it shows (the classifier learns from
        # it); the system's own dispatch does not.
        case.category_confirmed = True
        fields.append("category_confirmed")
        payload = {**payload, "confirms_category": case.sub_category}
    _finish(case, actor=actor, action="dispatch", from_status=from_status, fields=fields,
            payload={"unit": unit.pk, "handler": handler.pk if handler else None, "leader": case.leader_id,
                     **payload})
    _children_follow(case, actor=actor, via="dispatch")
    _notify_after_commit(_handling_people(case), "case_assigned", case)
    return case


@transaction.atomic
def accept_case(*, actor: User, case: Case, note: str = "", version: int | None = None) -> Case:
    """签收: the handling unit takes the case on."""
    case = _begin(actor, case, "accept", version)
    from_status = case.status
    case.status = CaseStatus.IN_PROGRESS
    case.accepted_at = clock.now()
    fields = ["status", "accepted_at"]
    if case.handler_id is None and actor.has_role(Role.HANDLER):
        case.handler = actor
        fields.append("handler")
    _finish(case, actor=actor, action="accept", from_status=from_status, fields=fields, payload={"note": note})
    _children_follow(case, actor=actor, via="accept")
    return case


@transaction.atomic
def return_order(*, actor: User, case: Case, reason: str, version: int | None = None) -> Case:
    """退单: send a misrouted order back to the dispatcher, with the reason."""
    if not reason.strip():
        raise RuleViolation("reason_required", _("Give the reason for returning the order."), field="reason")
    case = _begin(actor, case, "return_order", version)
    from_status = case.status
    case.status = CaseStatus.RETURNED
    case.handler = None
    _finish(case, actor=actor, action="return_order", from_status=from_status, fields=["status", "handler"],
            payload={"reason": reason, "unit": case.handling_unit_id})
    _children_follow(case, actor=actor, via="return_order")
    _notify_after_commit(_dispatchers(), "case_returned", case, reason=reason)
    return case


@transaction.atomic
def reassign_case(*, actor: User, case: Case, unit: OrgUnit | None = None, handler: User | None = None,
                  note: str = "", version: int | None = None) -> Case:
    """Give the case to another handler, or (dispatchers) to another unit, which must accept it anew."""
    case = _begin(actor, case, "reassign", version)
    target = unit or case.handling_unit
    if target is None:
        raise RuleViolation("unit_required", _("Choose a unit."), field="unit")
    # A unit head reassigns only within their own unit.
    if not actor.has_role(Role.DISPATCHER, Role.ADMIN) and not (actor.unit and target.path.startswith(actor.unit.path)):
        raise ActionForbidden(_("You may reassign only within your unit."))
    _check_handling_unit(target)
    _check_handler(handler, target)
    from_status = case.status
    fields = ["handler"]
    if target.pk != case.handling_unit_id:
        case.handling_unit = target
        case.status = CaseStatus.DISPATCHED
        case.accepted_at = None
        case.dispatched_at = clock.now()
        fields += ["handling_unit", "status", "accepted_at", "dispatched_at"]
    case.handler = handler
    _finish(case, actor=actor, action="reassign", from_status=from_status, fields=fields,
            payload={"unit": target.pk, "handler": handler.pk if handler else None, "note": note})
    _children_follow(case, actor=actor, via="reassign")
    _notify_after_commit(_handling_people(case), "case_assigned", case)
    return case


@transaction.atomic
def record_contact(*, actor: User, case: Case, reached: bool, summary: str = "",
                   channel: str = ContactChannel.PHONE, at: dt.datetime | None = None,
                   version: int | None = None) -> ContactAttempt:
    """联系诉求人: log an attempt to reach the complainant; the first one that reaches them meets the
    contact deadline."""
    case = _begin(actor, case, "record_contact", version)
    at = at or clock.now()
    attempt = ContactAttempt.objects.create(case=case, created_by=actor, at=at, channel=channel,
                                            reached=reached, summary=summary)
    fields: list[str] = []
    if reached and case.first_contact_at is None:
        case.first_contact_at = at
        fields.append("first_contact_at")
    _finish(case, actor=actor, action="record_contact", from_status=case.status, fields=fields,
            payload={"attempt": attempt.pk, "reached": reached, "channel": channel, "at": at})
    return attempt


@transaction.atomic
def record_inspection(*, actor: User, case: Case, findings: str, people: str = "",
                      at: dt.datetime | None = None, photos: Sequence[UploadedFile] = (),
                      version: int | None = None) -> Inspection:
    """现场核查: record a site inspection with its photos."""
    if not findings.strip():
        raise RuleViolation("findings_required", _("Describe what was found."), field="findings")
    check_photos(photos)
    case = _begin(actor, case, "record_inspection", version)
    inspection = Inspection.objects.create(case=case, created_by=actor, at=at or clock.now(), people=people,
                                           findings=findings)
    stored: list[Attachment] = []
    try:
        for photo in photos:
            stored.append(Attachment.objects.create(case=case, created_by=actor, inspection=inspection, file=photo,
                                                    original_name=(photo.name or "")[:200]))
        _finish(case, actor=actor, action="record_inspection", from_status=case.status, fields=[],
                payload={"inspection": inspection.pk, "photos": len(photos)})
    except BaseException:
        # The rows roll back with the transaction; the files already written would stay behind.
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return inspection


@transaction.atomic
def record_measurement(*, actor: User, case: Case, kind: str, values: dict[str, Any],
                       measured_at: dt.datetime | None = None, inspection: Inspection | None = None,
                       version: int | None = None) -> Measurement:
    """监测 (逢诉必测): record a measurement with the verdict of the standard in force when it was taken
    (`cases.measurements.judge`); values a standard cannot judge are refused, naming the value."""
    measured_at = measured_at or clock.now()
    try:
        values, verdict = measurements.judge(kind, values, measured_at)
    except measurements.MeasurementError as error:
        field = "kind" if error.key == "kind" else f"values.{error.key}" if error.key else "values"
        raise RuleViolation("invalid_measurement", error.message, field=field) from None
    case = _begin(actor, case, "record_measurement", version)
    if inspection is not None and inspection.case_id != case.pk:
        raise RuleViolation("wrong_case", _("That inspection belongs to another case."), field="inspection")
    measurement = Measurement.objects.create(case=case, created_by=actor, kind=kind, values=values,
                                             measured_at=measured_at, inspection=inspection, verdict=verdict)
    _finish(case, actor=actor, action="record_measurement", from_status=case.status, fields=[],
            payload={"measurement": measurement.pk, "kind": kind, "values": values, "verdict": verdict})
    return measurement


@transaction.atomic
def add_rectification(*, actor: User, case: Case, requirement: str, deadline: dt.date | None = None,
                      version: int | None = None) -> Rectification:
    """整改: order the polluter to fix something by a date."""
    if not requirement.strip():
        raise RuleViolation("requirement_required", _("Say what must be rectified."), field="requirement")
    case = _begin(actor, case, "add_rectification", version)
    item = Rectification.objects.create(case=case, created_by=actor, requirement=requirement, deadline=deadline)
    _finish(case, actor=actor, action="add_rectification", from_status=case.status, fields=[],
            payload={"rectification": item.pk, "requirement": requirement, "deadline": deadline})
    return item


@transaction.atomic
def request_extension(*, actor: User, case: Case, days: int, reason: str,
                      version: int | None = None) -> Extension:
    """延期申请: ask for more time; the policy caps how much."""
    case = _begin(actor, case, "request_extension", version)
    limit = case.policy.max_extension_days if case.policy else 0
    if days < 1 or days > limit:
        raise RuleViolation("extension_too_long",
                            _("An extension must be between 1 and %(limit)d days for this case.") % {"limit": limit},
                            field="days", limit=limit)
    if not reason.strip():
        raise RuleViolation("reason_required", _("Give the reason for the extension."), field="reason")
    if case.extensions.filter(decision=Decision.PENDING).exists():
        raise RuleViolation("extension_pending", _("An extension request is already waiting for a decision."))
    extension = Extension.objects.create(case=case, created_by=actor, requested_days=days, reason=reason)
    _finish(case, actor=actor, action="request_extension", from_status=case.status, fields=[],
            payload={"extension": extension.pk, "days": days, "reason": reason})
    _notify_after_commit([case.leader] if case.leader else [], "extension_requested", case, days=days)
    return extension


@transaction.atomic
def decide_extension(*, actor: User, case: Case, extension: Extension, approve: bool, note: str = "",
                     version: int | None = None) -> Extension:
    """Approve or refuse an extension; an approval moves the completion deadline."""
    case = _begin(actor, case, "decide_extension", version)
    extension = Extension.objects.select_for_update().get(pk=extension.pk)
    if extension.case_id != case.pk or extension.decision != Decision.PENDING:
        raise RuleViolation("not_pending", _("That extension is not waiting for a decision."), field="extension")
    now = clock.now()
    extension.decision = Decision.APPROVED if approve else Decision.REJECTED
    extension.decided_by, extension.decided_at, extension.decision_note = actor, now, note
    fields: list[str] = []
    if approve and case.due_at is not None:
        delta = dt.timedelta(days=extension.requested_days)
        extension.old_due_at = case.due_at
        if case.reply_due_at == case.due_at:
            case.reply_due_at = case.due_at + delta
            fields.append("reply_due_at")
        case.due_at = case.due_at + delta
        extension.new_due_at = case.due_at
        fields.append("due_at")
    extension.save()
    _finish(case, actor=actor, action="decide_extension", from_status=case.status, fields=fields,
            payload={"extension": extension.pk, "approved": approve, "note": note, "due_at": case.due_at})
    _notify_after_commit(_handling_people(case), "extension_decided", case, approved=approve)
    return extension


@transaction.atomic
def file_appeal(*, actor: User, case: Case, reason: str, evidence: str, version: int | None = None) -> Appeal:
    """申诉: ask that the order be excluded from assessment."""
    if reason not in AppealReason.values:
        raise RuleViolation("invalid_reason", _("Choose a reason from the list."), field="reason")
    if not evidence.strip():
        raise RuleViolation("evidence_required", _("Describe the evidence for the appeal."), field="evidence")
    case = _begin(actor, case, "file_appeal", version)
    if case.appeals.filter(decision=Decision.PENDING).exists():
        raise RuleViolation("appeal_pending", _("An appeal is already waiting for a decision."))
    appeal = Appeal.objects.create(case=case, created_by=actor, reason=reason, evidence=evidence)
    _finish(case, actor=actor, action="file_appeal", from_status=case.status, fields=[],
            payload={"appeal": appeal.pk, "reason": reason})
    return appeal


@transaction.atomic
def decide_appeal(*, actor: User, case: Case, appeal: Appeal, approve: bool, note: str = "",
                  version: int | None = None) -> Appeal:
    """Record the decision on an appeal (an approved appeal takes the order out of the 三率)."""
    case = _begin(actor, case, "decide_appeal", version)
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.case_id != case.pk or appeal.decision != Decision.PENDING:
        raise RuleViolation("not_pending", _("That appeal is not waiting for a decision."), field="appeal")
    appeal.decision = Decision.APPROVED if approve else Decision.REJECTED
    appeal.decided_by, appeal.decided_at, appeal.decision_note = actor, clock.now(), note
    appeal.save()
    _finish(case, actor=actor, action="decide_appeal", from_status=case.status, fields=[],
            payload={"appeal": appeal.pk, "approved": approve, "note": note})
    return appeal


@transaction.atomic
def call_joint_handling(*, actor: User, case: Case, units: Sequence[OrgUnit], reason: str,
                        version: int | None = None) -> JointHandling:
    """吹哨报到: call streets or departments in to handle the case together."""
    if not units:
        raise RuleViolation("units_required", _("Choose at least one unit to call in."), field="units")
    if not reason.strip():
        raise RuleViolation("reason_required", _("Say why the units are called in."), field="reason")
    case = _begin(actor, case, "call_joint_handling", version)
    joint = JointHandling.objects.create(case=case, created_by=actor, reason=reason)
    joint.units.set(units)
    _finish(case, actor=actor, action="call_joint_handling", from_status=case.status, fields=[],
            payload={"joint": joint.pk, "units": [u.pk for u in units], "reason": reason})
    liaisons = User.objects.filter(is_active=True, unit__in=units,
                                   role_assignments__role__in=[Role.STREET_LIAISON, Role.UNIT_HEAD])
    _notify_after_commit(liaisons, "joint_handling_called", case)
    return joint


@transaction.atomic
def record_joint_reply(*, actor: User, case: Case, joint: JointHandling, unit: OrgUnit, text: str,
                       version: int | None = None) -> JointReply:
    """报到: a called-in unit's answer."""
    if not text.strip():
        raise RuleViolation("text_required", _("Write the reply."), field="text")
    case = _begin(actor, case, "record_joint_reply", version)
    if joint.case_id != case.pk or not joint.units.filter(pk=unit.pk).exists():
        raise RuleViolation("unit_not_called", _("That unit was not called in on this case."), field="unit")
    if not actor.has_role(Role.DISPATCHER) and not (actor.unit and unit.path.startswith(actor.unit.path)) \
            and not access.in_handling_unit(actor, case):
        raise ActionForbidden(_("You may answer only for your own unit."))
    reply = JointReply.objects.create(joint=joint, unit=unit, text=text, created_by=actor)
    _finish(case, actor=actor, action="record_joint_reply", from_status=case.status, fields=[],
            payload={"joint": joint.pk, "unit": unit.pk, "text": text})
    _notify_after_commit(_handling_people(case), "joint_reply_received", case)
    return reply


@transaction.atomic
def reply_to_complainant(*, actor: User, case: Case, text: str, final: bool = True,
                         at: dt.datetime | None = None, version: int | None = None) -> Reply:
    """答复: answer the complainant and the hotline. A final reply (办结答复) completes the case and waits
    for the return visit (a kind without a complainant, `NO_RETURN_VISIT_KINDS`, is closed by it); an interim
    one (阶段性答复) only meets the reply deadline.

    A duplicate merged into another case (并案) may be answered on its own, by the people handling its
    parent; the parent's final reply also answers every duplicate still waiting, each with a `Reply` of its
    own and a `reply` entry on its own timeline that names the parent (`via_parent`)."""
    if not text.strip():
        raise RuleViolation("text_required", _("Write the reply."), field="text")
    case = _begin(actor, case, "reply", version)
    at = at or clock.now()
    reply = _reply(case, actor=actor, text=text, final=final, at=at, payload={})
    if final:
        for child in _waiting_children(case):
            _reply(child, actor=actor, text=text, final=True, at=at,
                   payload={"via_parent": case.pk, "parent_reply": reply.pk})
    return reply


def _reply(case: Case, *, actor: User, text: str, final: bool, at: dt.datetime, payload: dict[str, Any]) -> Reply:
    reply = Reply.objects.create(case=case, created_by=actor, at=at, text=text, final=final)
    from_status = case.status
    fields = []
    if case.replied_at is None:
        case.replied_at = at
        fields.append("replied_at")
    if case.first_replied_at is None:
        case.first_replied_at = at
        fields.append("first_replied_at")
    if final:
        case.status = CaseStatus.CLOSED if case.kind in NO_RETURN_VISIT_KINDS else CaseStatus.REPLIED
        case.completed_at = at
        fields += ["status", "completed_at"]
        if case.status == CaseStatus.CLOSED:
            case.closed_at = at
            fields.append("closed_at")
    _finish(case, actor=actor, action="reply", from_status=from_status, fields=fields,
            payload={"reply": reply.pk, "final": final, "at": at, **payload})
    return reply


@transaction.atomic
def record_return_visit(*, actor: User, case: Case, contacted: bool, solved: bool, satisfaction: str,
                        source: str = VisitSource.HOTLINE, valid: bool = True, note: str = "",
                        at: dt.datetime | None = None, version: int | None = None) -> ReturnVisit:
    """回访: record the complainant's verdict. Solved and (basically) satisfied closes the case; otherwise
    it reopens (重办) with fresh deadlines. An invalid visit (无效回访) changes nothing but the record."""
    if satisfaction not in Satisfaction.values:
        raise RuleViolation("invalid_satisfaction", _("Choose a satisfaction level."), field="satisfaction")
    case = _begin(actor, case, "record_return_visit", version)
    at = at or clock.now()
    visit = ReturnVisit.objects.create(case=case, created_by=actor, at=at, source=source, valid=valid,
                                       contacted=contacted, solved=solved, satisfaction=satisfaction, note=note)
    from_status = case.status
    fields: list[str] = []
    if valid and (case.visit_at is None or at >= case.visit_at):  # the latest valid visit decides (the 三率)
        case.visit_at, case.visit_contacted, case.visit_solved = at, contacted, solved
        case.visit_satisfaction = satisfaction
        fields += ["visit_at", "visit_contacted", "visit_solved", "visit_satisfaction"]
    outcome = "recorded"
    if valid and solved and satisfaction in SATISFIED:
        case.status = CaseStatus.CLOSED
        case.closed_at = at
        fields += ["status", "closed_at"]
        outcome = "closed"
    elif valid:
        # 重办: the same policy's reply and completion limits, counted from the visit.
        due = deadlines.compute_due_times(case.policy, at, workday_overrides())
        case.status = CaseStatus.IN_PROGRESS
        case.reopen_count += 1
        case.replied_at = None
        case.completed_at = None
        case.reply_due_at = due.reply_due_at
        case.due_at = due.due_at
        case.deadline_provisional = case.deadline_provisional or due.provisional
        fields += ["status", "reopen_count", "replied_at", "completed_at", "reply_due_at", "due_at",
                   "deadline_provisional"]
        outcome = "reopened"
    _finish(case, actor=actor, action="record_return_visit", from_status=from_status, fields=fields,
            payload={"visit": visit.pk, "contacted": contacted, "solved": solved, "satisfaction": satisfaction,
                     "valid": valid, "source": source, "outcome": outcome, "due_at": case.due_at})
    if outcome == "reopened":
        _notify_after_commit(_handling_people(case), "case_reopened", case)
    if valid and satisfaction not in SATISFIED:
        _notify_after_commit(_superior_people(case), "visit_unsatisfied", case, satisfaction=satisfaction)
    return visit


def _superior_people(case: Case) -> list[User]:
    """Who answers for the case above the people working on it: the heads of the handling unit (while the
    unit has the case) and the leader in charge."""
    has_unit = case.handling_unit is not None and case.status not in (CaseStatus.NEW, CaseStatus.RETURNED)
    people = list(unit_heads_of(case.handling_unit)) if has_unit and case.handling_unit else []
    if case.leader:
        people.append(case.leader)
    return people


@transaction.atomic
def supervise_case(*, actor: User, case: Case, note: str, version: int | None = None) -> Case:
    """督办: a leader puts the case under supervision."""
    case = _begin(actor, case, "supervise", version)
    tags = list(case.tags)
    if "supervised" not in tags:
        tags.append("supervised")
    case.tags = tags
    _finish(case, actor=actor, action="supervise", from_status=case.status, fields=["tags"], payload={"note": note})
    _notify_after_commit([*_handling_people(case), *_superior_people(case)], "case_supervised", case, note=note)
    return case


@transaction.atomic
def remind_case(*, actor: User, case: Case, note: str = "", version: int | None = None) -> Case:
    """催办: press the handler to move."""
    case = _begin(actor, case, "remind", version)
    _finish(case, actor=actor, action="remind", from_status=case.status, fields=[], payload={"note": note})
    _notify_after_commit(_handling_people(case), "case_reminded", case, note=note)
    return case


@transaction.atomic
def pause_clock(*, actor: User, case: Case, reason: str, version: int | None = None) -> Case:
    """Stop the case's clock (where the policy allows it), e.g. while waiting for a lab result."""
    case = _begin(actor, case, "pause_clock", version)
    if case.policy is None or not case.policy.pause_allowed:
        raise RuleViolation("pause_not_allowed", _("The deadline policy of this case does not allow pausing."))
    if case.paused_at is not None:
        raise RuleViolation("already_paused", _("The clock is already paused."))
    if not reason.strip():
        raise RuleViolation("reason_required", _("Give the reason for pausing."), field="reason")
    now = clock.now()
    if case.next_due_at is not None and case.next_due_at < now:
        # Stopping the clock is for waiting on others (a lab result, a joint inspection), not for hiding a
        # deadline already missed.
        raise RuleViolation("already_overdue", _("The clock cannot be paused after a deadline has passed."))
    case.paused_at = now
    return _finish(case, actor=actor, action="pause_clock", from_status=case.status, fields=["paused_at"],
                   payload={"reason": reason})


@transaction.atomic
def resume_clock(*, actor: User, case: Case, note: str = "", version: int | None = None) -> Case:
    """Restart the clock: every deadline still pending moves by the time it stood still."""
    case = _begin(actor, case, "resume_clock", version)
    if case.paused_at is None:
        raise RuleViolation("not_paused", _("The clock is not paused."))
    fields, seconds = _restart_clock(case)
    return _finish(case, actor=actor, action="resume_clock", from_status=case.status, fields=fields,
                   payload={"paused_seconds": seconds, "note": note})


def _restart_clock(case: Case) -> tuple[list[str], int]:
    """Move every pending deadline of a paused case by the time its clock stood still; return the changed
    fields and the seconds it stood."""
    assert case.paused_at is not None
    stood = clock.now() - case.paused_at
    fields = ["paused_at", "paused_seconds"]
    for _kind, due_field, met_field in deadlines.DEADLINE_FIELDS:
        due = getattr(case, due_field)
        if due is not None and getattr(case, met_field) is None:
            setattr(case, due_field, due + stood)
            fields.append(due_field)
    case.paused_at = None
    case.paused_seconds += int(stood.total_seconds())
    return fields, int(stood.total_seconds())


@transaction.atomic
def merge_case(*, actor: User, case: Case, into: Case, note: str = "", version: int | None = None) -> Case:
    """并案: merge a duplicate into the case that will be handled (the parent).

    The duplicate stays an order of its own: it is handled through the parent (it takes the parent's unit,
    handler and leader, and follows them while it waits), keeps its own deadlines (a paused clock restarts:
    nobody pauses it while merged), and gets its own reply (with the parent's final reply, or on its own
    before) and its own return visit."""
    if into.pk == case.pk:
        raise RuleViolation("merge_into_self", _("A case cannot be merged into itself."), field="into")
    case = _begin(actor, case, "merge_into", version)
    target = Case.objects.select_for_update(of=("self",)).get(pk=into.pk)
    if target.status == CaseStatus.MERGED:
        raise RuleViolation("target_merged", _("The target case is itself merged into another."), field="into")
    if target.status not in OPEN_STATUSES:
        raise RuleViolation("target_not_open",
                            _("The target case has already been answered; handle this order on its own."),
                            field="into")
    if not access.can_see_case(actor, target):
        raise ActionForbidden(_("You may not see the target case."))
    if Case.objects.filter(parent=case, status=CaseStatus.MERGED).exists():
        raise RuleViolation("has_merged_children",
                            _("Other orders wait for this case's reply; merge the other case into this one "
                              "instead."), field="into")
    from_status = case.status
    case.status = CaseStatus.MERGED
    case.parent = target
    fields = ["status", "parent", *_take_handling(case, target)]
    if case.paused_at is not None:
        fields += _restart_clock(case)[0]
    _finish(case, actor=actor, action="merge_into", from_status=from_status, fields=fields,
            payload={"into": target.pk, "note": note, "unit": case.handling_unit_id, "handler": case.handler_id,
                     "leader": case.leader_id})
    _finish(target, actor=actor, action="merge_received", from_status=target.status, fields=[],
            payload={"child": case.pk})
    return case


@transaction.atomic
def set_category(*, actor: User, case: Case, sub_category: str, note: str = "",
                 version: int | None = None) -> Case:
    """分类更正: a dispatcher sets or corrects the pollution sub-category (and with it the category). A
    person's choice is confirmed: `train-classifier` learns from it. The timeline keeps the old and new codes."""

    code = sub_category.strip()
    category = check_sub_category(code)
    case = _begin(actor, case, "set_category", version)
    old_category, old_sub_category, was_confirmed = case.category, case.sub_category, case.category_confirmed
    case.category = category
    case.sub_category = code
    case.category_confirmed = True
    return _finish(case, actor=actor, action="set_category", from_status=case.status,
                   fields=["category", "sub_category", "category_confirmed"],
                   payload={"old_category": old_category, "old_sub_category": old_sub_category,
                            "category": case.category, "sub_category": case.sub_category,
                            "was_confirmed": was_confirmed, "note": note})


@transaction.atomic
def add_note(*, actor: User, case: Case, text: str, version: int | None = None) -> Case:
    """A free note on the timeline."""
    if not text.strip():
        raise RuleViolation("text_required", _("Write the note."), field="text")
    case = _begin(actor, case, "add_note", version)
    return _finish(case, actor=actor, action="add_note", from_status=case.status, fields=[], payload={"text": text})


MANAGEMENT_ACTIONS = frozenset({"ledger_entered", "ledger_updated", "ledger_left", "retrospective", "key_unit_linked",
                                "meeting_decision", "training_event"})


def record_management_event(*, case: Case, action: str, actor: User | None, payload: dict[str, Any],
                            at: dt.datetime | None = None) -> CaseEvent:
    """Append a management event (the ledger, retrospectives, meeting decisions) to the case's timeline.

    These events change nothing of the case itself: no status, no deadline, no version (a handler's open form does
    not go stale because the worker put the case on the ledger). The calling service checks who may do it; free
    texts go in `text`/`reason`/`note`, which the timeline shows (masked for those who may not see the
    complainant)."""
    if action not in MANAGEMENT_ACTIONS:
        raise ValueError(f"{action!r} is not a management event")
    return _record(case, actor=actor, action=action, from_status=case.status, payload=payload, at=at)


# --- deadline reminders and escalations (run by the worker) ------------------------------------------


def _alert_recipients(case: Case, kind: str) -> list[User]:
    people = _handling_people(case)
    if kind == AlertKind.ESCALATION:
        people += _superior_people(case)
    return people


def send_deadline_alerts(now: dt.datetime | None = None) -> int:
    """Remind before each pending deadline and escalate after it, exactly once per deadline: of open cases,
    and of duplicates merged into another case until they are replied to (each order has its own limit).

    Each alert is written with its notifications in one transaction guarded by a unique constraint on
    (case, deadline, kind, due time): a second worker, or a second run, finds it written and skips it. A
    deadline moved by an extension or a reopening is a new deadline and gets alerts of its own.
    """
    now = now or clock.now()
    horizon = now + deadlines.DUE_SOON_CAP
    candidates = (
        Case.objects.filter(deadlines.due_by_q(horizon))
        .select_related("handling_unit", "handler", "leader", "policy")
        .order_by("next_due_at")
    )
    sent = 0
    for case in candidates.iterator(chunk_size=500):
        done = set(
            DeadlineAlert.objects.filter(case=case).values_list("deadline", "kind", "due_at")
        )
        for deadline_kind, due in deadlines.pending_deadlines(case):
            if due < now:
                kind = AlertKind.ESCALATION
            elif due - now <= deadlines.due_soon_threshold(case, deadline_kind):
                kind = AlertKind.REMINDER
            else:
                continue
            if (deadline_kind, kind, due) in done:
                continue
            sent += _send_alert(case, deadline_kind, kind, due, now)
    return sent


def _send_alert(case: Case, deadline_kind: str, kind: str, due: dt.datetime, now: dt.datetime | None = None) -> int:
    """Write one alert with its notifications and timeline entry, if the deadline is still pending."""
    try:
        with transaction.atomic():
            current = Case.objects.select_for_update(of=("self",)).select_related(
                "handling_unit", "handler", "leader", "policy"
            ).get(pk=case.pk)
            # The case may have moved on since the candidates were read (closed, paused, deadline met).
            if current.paused_at is not None or (deadline_kind, due) not in deadlines.pending_deadlines(current):
                return 0
            DeadlineAlert.objects.create(case=current, deadline=deadline_kind, kind=kind, due_at=due)
            notify_users(recipients=_alert_recipients(current, kind), kind=f"deadline_{kind}", case_id=current.pk,
                         units=[current.street_id, current.handling_unit_id], **_case_facts(current),
                         deadline=deadline_kind, due_at=due.isoformat())
            _record(current, actor=None, action=f"deadline_{kind}", from_status=current.status,
                    payload={"deadline": deadline_kind, "due_at": due}, at=now)
    except IntegrityError:
        return 0  # another worker sent it first
    return 1
