"""The case timeline as a reader sees it: each event with the record it refers to, in words.

Events name their records by id in the payload (`attempt`, `inspection`, `reply`…). The records are loaded
with one query per record model the timeline refers to (`filter(case=case)`, mapped by id), never one per
event, so the page's query count does not grow with the timeline.

The complainant's name and phone are confidential (see `cases.access`). For a reader who may not see the
complainant, the texts that are about the complainant (a contact attempt's summary, a return visit's note)
are withheld, and every other free text has the complainant's name and phone, and any mobile number, masked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ecohotline.cases import access, measurements, selectors
from ecohotline.cases.models import (
    Appeal,
    Attachment,
    Case,
    CaseEvent,
    ContactAttempt,
    Extension,
    Inspection,
    JointHandling,
    JointReply,
    Measurement,
    Rectification,
    Reply,
    ReturnVisit,
)
from ecohotline.cases.services import MANAGEMENT_ACTIONS
from ecohotline.org.models import OrgUnit, User

# action → (payload key holding the record id, record model)
RECORD_KEYS: dict[str, tuple[str, type[Model]]] = {
    "record_contact": ("attempt", ContactAttempt),
    "record_inspection": ("inspection", Inspection),
    "record_measurement": ("measurement", Measurement),
    "add_rectification": ("rectification", Rectification),
    "request_extension": ("extension", Extension),
    "decide_extension": ("extension", Extension),
    "file_appeal": ("appeal", Appeal),
    "decide_appeal": ("appeal", Appeal),
    "call_joint_handling": ("joint", JointHandling),
    "record_joint_reply": ("joint", JointHandling),
    "reply": ("reply", Reply),
    "record_return_visit": ("visit", ReturnVisit),
}

# Events that name a handling unit, handler or leader by id.
PEOPLE_ACTIONS = frozenset({"dispatch", "reassign", "follow_parent", "merge_into", "return_order"})

# Facts that management events (ledger, retrospectives, meeting decisions; written by other apps) carry in their
# payload: key → (label, how to show the value). Apps above `cases` add theirs with `register_payload_line`.
PAYLOAD_LINES: dict[str, tuple[Any, Callable[[Any], str]]] = {}


def register_payload_line(key: str, label: Any, render: Callable[[Any], str] = str) -> None:
    """Show `payload[key]` of management events as a `label: value` line on the timeline."""
    PAYLOAD_LINES[key] = (label, render)


register_payload_line("responsible_name", _lazy("Responsible"))
register_payload_line("due", _lazy("Due date"))
register_payload_line("next_step", _lazy("Next step"))
register_payload_line("next_date", _lazy("Next date"))

@dataclass
class Line:
    """One labelled fact of an entry (`label: value`)."""

    label: str
    value: str


@dataclass
class Block:
    """A free text of an entry; `collapsible` ones are shown folded (a reply's full text)."""

    label: str
    text: str
    collapsible: bool = False


@dataclass
class TimelineEntry:
    """A timeline event with what it recorded, ready to display."""

    event: CaseEvent
    lines: list[Line] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    link: tuple[str, int] | None = None  # (text, case pk) of a case the entry refers to
    photos: list[Attachment] = field(default_factory=list)


def _yes_no(value: Any) -> str:
    return _("yes") if value else _("no")



class _Redactor:
    """Masks the complainant's name and phone (and any mobile number) in free text, for readers who may not
    see the complainant; passes text through unchanged for those who may."""

    def __init__(self, case: Case, visible: bool) -> None:
        self.case = case
        self.visible = visible

    def __call__(self, text: Any) -> str:
        text = "" if text is None else str(text)
        return text if self.visible else access.mask_complainant(self.case, text)


def _load_records(case: Case, events: Iterable[CaseEvent]) -> dict[type[Model], dict[int, Any]]:
    """{model: {pk: record}} of the record models the events refer to: one query per model."""
    wanted = {
        RECORD_KEYS[event.action][1]
        for event in events
        if event.action in RECORD_KEYS and event.payload.get(RECORD_KEYS[event.action][0])
    }
    records: dict[type[Model], dict[int, Any]] = {}
    for model in wanted:
        queryset = model._default_manager.filter(case=case)
        if model is JointHandling:
            queryset = queryset.prefetch_related(
                "units", Prefetch("replies", queryset=JointReply.objects.select_related("unit").order_by("pk"))
            )
        elif model in (Extension, Appeal):
            queryset = queryset.select_related("decided_by")
        records[model] = {record.pk: record for record in queryset}
    return records


def _load_people(events: Iterable[CaseEvent]) -> tuple[dict[int, OrgUnit], dict[int, User]]:
    """The units and people named by dispatch-like events: one query each, only when needed."""
    unit_ids: set[int] = set()
    user_ids: set[int] = set()
    for event in events:
        if event.action in PEOPLE_ACTIONS:
            if isinstance(event.payload.get("unit"), int):
                unit_ids.add(event.payload["unit"])
            for key in ("handler", "leader"):
                if isinstance(event.payload.get(key), int):
                    user_ids.add(event.payload[key])
    units = {unit.pk: unit for unit in OrgUnit.objects.filter(pk__in=unit_ids)} if unit_ids else {}
    users = {user.pk: user for user in User.objects.filter(pk__in=user_ids)} if user_ids else {}
    return units, users


def timeline_entries(case: Case, user: User, *, visible: bool | None = None) -> list[TimelineEntry]:
    """The case's events, oldest first, each with what it recorded, as `user` may see it (`visible`: whether
    `user` may see the complainant, when the caller has already asked `access.can_see_complainant`)."""
    events = list(case.events.select_related("actor").order_by("at", "pk"))
    records = _load_records(case, events)
    units, users = _load_people(events)
    if visible is None:
        visible = access.can_see_complainant(user, case)
    redact = _Redactor(case, visible)
    photos: dict[int, list[Attachment]] = {}
    if any(event.action in ("record_inspection", "photos_received") and event.payload.get("photos")
           for event in events):
        for photo in Attachment.objects.filter(case=case).order_by("pk"):
            photos.setdefault(photo.inspection_id or 0, []).append(photo)
    entries = []
    for event in events:
        entry = TimelineEntry(event=event)
        record = None
        if event.action in RECORD_KEYS:
            key, model = RECORD_KEYS[event.action]
            record = records.get(model, {}).get(event.payload.get(key))
        _describe(entry, record, redact=redact, visible=visible, units=units, users=users, photos=photos)
        entries.append(entry)
    return entries


def _describe(
    entry: TimelineEntry,
    record: Any,
    *,
    redact: _Redactor,
    visible: bool,
    units: dict[int, OrgUnit],
    users: dict[int, User],
    photos: dict[int, list[Attachment]],
) -> None:
    event, payload = entry.event, entry.event.payload
    action = event.action
    lines, blocks = entry.lines, entry.blocks
    if action == "record_contact":
        attempt: ContactAttempt | None = record
        lines.append(Line(_("Channel"), attempt.get_channel_display() if attempt else str(payload.get("channel", ""))))
        reached = attempt.reached if attempt else payload.get("reached")
        lines.append(Line("", _("Reached") if reached else _("Not reached")))
        if attempt and attempt.summary:
            if visible:
                blocks.append(Block(_("Summary"), attempt.summary))
            else:
                entry.notices.append(_("The summary is shown only to those who may see the complainant."))
    elif action == "record_inspection":
        inspection: Inspection | None = record
        if inspection:
            if inspection.people:
                lines.append(Line(_("Inspectors"), redact(inspection.people)))
            blocks.append(Block(_("Findings"), redact(inspection.findings)))
            entry.photos = photos.get(inspection.pk, [])
    elif action == "photos_received":
        wanted = set(payload.get("photos") or [])
        entry.photos = [photo for photo in photos.get(0, []) if photo.pk in wanted]
    elif action == "record_measurement":
        measurement: Measurement | None = record
        values = measurement.values if measurement else payload.get("values")
        verdict = measurement.verdict if measurement else payload.get("verdict")
        kind = measurement.kind if measurement else str(payload.get("kind", ""))
        known = measurements.KINDS.get(kind)
        lines.append(Line(_("Kind"), str(known.label) if known else kind))
        lines.append(Line(_("Values"), measurements.describe_values(kind, values)))
        if measurements.describe_verdict(verdict):
            lines.append(Line(_("Verdict"), measurements.describe_verdict(verdict)))
    elif action == "add_rectification":
        item: Rectification | None = record
        requirement = item.requirement if item else payload.get("requirement", "")
        blocks.append(Block(_("Requirement"), redact(requirement)))
        deadline = item.deadline.isoformat() if item and item.deadline else payload.get("deadline")
        if deadline:
            lines.append(Line(_("Deadline"), str(deadline)))
        if item:
            lines.append(Line(_("Status"), item.get_status_display()))
    elif action == "reply":
        reply: Reply | None = record
        final = reply.final if reply else payload.get("final", True)
        lines.append(Line(_("Kind"), _("Final reply") if final else _("Interim reply")))
        if reply:
            blocks.append(Block(_("Reply text"), redact(reply.text), collapsible=True))
        if payload.get("via_parent"):
            entry.notices.append(_("Answered with the case it is merged into"))
            entry.link = (_("The case it is merged into"), int(payload["via_parent"]))
    elif action == "record_return_visit":
        visit: ReturnVisit | None = record
        if visit:
            lines += [
                Line(_("By"), visit.get_source_display()),
                Line(_("Complainant was contacted"), _yes_no(visit.contacted)),
                Line(_("Solved"), _yes_no(visit.solved)),
                Line(_("Satisfaction"), visit.get_satisfaction_display()),
            ]
            if not visit.valid:
                entry.notices.append(_("Invalid visit: it changed nothing."))
            if visit.note:
                if visible:
                    blocks.append(Block(_("Note"), visit.note))
                else:
                    entry.notices.append(_("The note is shown only to those who may see the complainant."))
    elif action in ("request_extension", "decide_extension"):
        extension: Extension | None = record
        if extension:
            lines.append(Line(_("Days requested"), str(extension.requested_days)))
            lines.append(Line(_("Decision"), extension.get_decision_display()))
            if extension.decision_note:
                blocks.append(Block(_("Decision note"), redact(extension.decision_note)))
            if action == "request_extension":
                blocks.insert(0, Block(_("Reason"), redact(extension.reason)))
            elif extension.new_due_at:
                lines.append(Line(_("Complete by"), _local(extension.new_due_at)))
    elif action in ("file_appeal", "decide_appeal"):
        appeal: Appeal | None = record
        if appeal:
            lines.append(Line(_("Reason"), appeal.get_reason_display()))
            lines.append(Line(_("Decision"), appeal.get_decision_display()))
            if action == "file_appeal":
                blocks.append(Block(_("Evidence"), redact(appeal.evidence)))
            if appeal.decision_note:
                blocks.append(Block(_("Decision note"), redact(appeal.decision_note)))
    elif action in ("call_joint_handling", "record_joint_reply"):
        joint: JointHandling | None = record
        if joint:
            lines.append(Line(_("Units called in"), ", ".join(unit.name for unit in joint.units.all())))
            if action == "call_joint_handling":
                blocks.append(Block(_("Reason"), redact(joint.reason)))
            replies = list(joint.replies.all())
            if action == "record_joint_reply":
                replies = [r for r in replies if r.unit_id == payload.get("unit")][-1:]
            blocks += [Block(reply_.unit.name, redact(reply_.text)) for reply_ in replies]
    elif action in PEOPLE_ACTIONS:
        unit = units.get(payload.get("unit") or 0)
        if unit:
            lines.append(Line(_("Handling unit"), unit.name))
        handler = users.get(payload.get("handler") or 0)
        if handler:
            lines.append(Line(_("Handler"), str(handler)))
        leader = users.get(payload.get("leader") or 0)
        if leader and action == "dispatch":
            lines.append(Line(_("Leader"), str(leader)))
        if payload.get("auto"):
            entry.notices.append(_("Dispatched automatically"))
        if action == "merge_into" and payload.get("into"):
            entry.link = (_("The case it is merged into"), int(payload["into"]))
    elif action == "set_category":
        old = payload.get("old_sub_category") or payload.get("old_category") or ""
        new = payload.get("sub_category") or payload.get("category") or ""
        lines.append(Line(_("Category"), f"{selectors.category_label(old) or '—'} → {selectors.category_label(new)}"))
    elif action == "order_updated":
        changes = payload.get("changes")
        if isinstance(changes, dict) and changes:
            lines.append(Line(_("Changed"), ", ".join(_field_label(name) for name in changes)))
    elif action == "triaged":
        summary = _triage_summary(payload)
        if summary:
            lines.append(Line(_("Triage"), summary))
    elif action == "merge_received" and payload.get("child"):
        entry.link = (_("The duplicate merged in"), int(payload["child"]))
    elif action in MANAGEMENT_ACTIONS:
        for key, (label, render) in PAYLOAD_LINES.items():
            if payload.get(key) not in (None, "", []):
                lines.append(Line(str(label), redact(render(payload[key]))))
    # Free texts the event carries itself (notes, reasons), for actions whose record does not hold them.
    for key in ("note", "text", "reason"):
        value = payload.get(key)
        if not value or not isinstance(value, str):
            continue
        if action == "triaged" or (record is not None and (key != "note" or action.startswith("decide_"))):
            continue  # shown from the record above (a reply's text, an appeal's reason code, a decision note)
        blocks.append(Block("", redact(value)))


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _field_label(name: str) -> str:
    try:
        found = Case._meta.get_field(name)
    except FieldDoesNotExist:  # a field of the order that the case does not have under that name
        return name
    return str(getattr(found, "verbose_name", name))


def _part(payload: dict[str, Any], key: str) -> dict[str, Any]:
    value = payload.get(key)
    return value if isinstance(value, dict) else {}


def _triage_summary(payload: dict[str, Any]) -> str:
    """One line: where, what, whose remit, to whom; the triage panel holds the reasons."""
    parts = []
    place = _part(payload, "place")
    if place.get("street_name"):
        parts.append(str(place["street_name"]))
    classify = _part(payload, "classify")
    if classify.get("code"):
        parts.append(selectors.category_label(str(classify["code"])))
    remit = _part(payload, "remit")
    if remit.get("decision") and remit.get("decision") != "keep":
        parts.append(_("outside our remit: %(department)s") % {"department": remit.get("department") or "—"})
    route = _part(payload, "route")
    if route.get("unit_name"):
        parts.append(_("suggested unit: %(unit)s") % {"unit": route["unit_name"]})
    if payload.get("repeated"):
        parts.append(_("repeat complaint (%(count)s within 90 days)") % {"count": payload.get("repeat_count_90d")})
    return " · ".join(parts)
