"""The case page's action forms, generated from the API's input serializers (`api.actions.ACTION_SPECS`).

Each serializer field becomes one HTML input (text or text area by length, select, checkbox, number, date,
datetime-local in Beijing time, JSON text area); the choices of the fields that name units, people or records
are limited to what makes sense for the action on this case. A posted form is turned back into the input the
serializer validates (`serializer_input`), so the desk and the API accept exactly the same things.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import fields as drf_fields
from rest_framework import relations

from ecohotline.api.actions import ACTION_SPECS
from ecohotline.cases import access
from ecohotline.cases.models import Appeal, Case, Decision, Extension, JointHandling
from ecohotline.cases.services import HANDLING_UNIT_KINDS
from ecohotline.cases.workflow import TRANSITIONS
from ecohotline.org.models import PLACE_KINDS, OrgUnit, Role, UnitKind, User
from ecohotline.ui.forms import sub_category_choices

Label = str | Promise
Choice = tuple[str, Label]
# A choice list may group choices under a heading (<optgroup>): (heading, [choices]).
Choices = list[tuple[Any, Any]]

# Longer texts than this get a text area.
SHORT_TEXT = 200
NON_FIELD = "__all__"

FIELD_LABELS: dict[str, Label] = {
    "note": _("Note"), "unit": _("Unit"), "handler": _("Handler"), "leader": _("Leader in charge"),
    "reason": _("Reason"), "reached": _("Reached the complainant"), "summary": _("Summary"),
    "channel": _("Channel"), "at": _("When"), "findings": _("Findings"), "people": _("Inspectors"),
    "kind": _("Kind of measurement"), "values": _("Measured values"), "measured_at": _("Measured at"),
    "requirement": _("Requirement"), "deadline": _("Rectify by"), "days": _("Days"),
    "approve": _("Decision"), "extension": _("Extension request"), "evidence": _("Evidence"),
    "appeal": _("Appeal"), "units": _("Units to call in"), "joint": _("Joint handling call"),
    "text": _("Text"), "final": _("Final reply (completes the case)"),
    "contacted": _("The complainant was contacted"), "solved": _("Solved"), "satisfaction": _("Satisfaction"),
    "source": _("Visit by"), "valid": _("Valid visit"), "into": _("Merge into case"),
    "sub_category": _("Category"), "photos": _("Photos"),
}
# Where the same field name means something else in one action.
ACTION_FIELD_LABELS: dict[tuple[str, str], Label] = {
    ("dispatch", "unit"): _("Handling unit"),
    ("reassign", "unit"): _("Handling unit"),
    ("reassign", "handler"): _("New handler"),
    ("file_appeal", "reason"): _("Reason for the appeal"),
    ("reply", "text"): _("Reply to the complainant"),
    ("record_joint_reply", "text"): _("Reply of the unit"),
    ("record_joint_reply", "unit"): _("Answering unit"),
    ("add_note", "text"): _("Note"),
    ("return_order", "reason"): _("Why the order is returned"),
    ("request_extension", "days"): _("Extra days"),
}
HELP_TEXTS: dict[str, Label] = {
    "at": _("Beijing time. Leave blank for now."),
    "measured_at": _("Beijing time. Leave blank for now."),
    "values": _('A JSON object of readings, e.g. {"leq_db": 58.2}.'),
    "into": _("The order number or EH-number of the case that will be handled."),
    "handler": _("Optional. Must belong to the chosen unit."),
    "photos": _("Take them with the camera or choose them; up to 12 photos. If the form comes back with an "
                "error, choose them again."),
}
PLACEHOLDERS: dict[str, str] = {"values": '{"leq_db": 58.2}'}
YES_NO: list[Choice] = [("", "—"), ("true", _("Yes")), ("false", _("No"))]
APPROVE_REFUSE: list[Choice] = [("", "—"), ("true", _("Approve")), ("false", _("Refuse"))]


@dataclass
class FieldView:
    """One input of an action form, ready for `_action_field.html`."""

    name: str
    id: str
    label: Label
    widget: str  # text, textarea, select, select-multiple, checkbox, number, date, datetime-local, json
    required: bool
    value: Any = ""
    choices: Choices = field(default_factory=list)
    help_text: Label = ""
    placeholder: str = ""
    attrs: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    datalist: list[tuple[str, str]] = field(default_factory=list)

    @property
    def help_id(self) -> str:
        return f"{self.id}-help"

    @property
    def error_id(self) -> str:
        return f"{self.id}-error"

    @property
    def describedby(self) -> str:
        ids = [self.error_id] if self.errors else []
        if self.help_text:
            ids.append(self.help_id)
        return " ".join(ids)

    @property
    def selected_values(self) -> list[str]:
        values = self.value if isinstance(self.value, list) else [self.value]
        return [str(value) for value in values]

    @property
    def groups(self) -> list[tuple[Label, list[Choice]]]:
        """The choices in runs for the template: (heading or "", options); a heading is an <optgroup>."""
        groups: list[tuple[Label, list[Choice]]] = []
        for value, label in self.choices:
            if isinstance(label, list | tuple):
                groups.append((value, [(str(v), text) for v, text in label]))
            elif groups and not groups[-1][0]:
                groups[-1][1].append((str(value), label))
            else:
                groups.append(("", [(str(value), label)]))
        return groups


@dataclass
class ActionForm:
    """One action's panel: its form, open when it was just posted with errors."""

    action: str
    label: Label
    version: int
    fields: list[FieldView]
    errors: list[str] = field(default_factory=list)
    open: bool = False
    stale: bool = False
    measurement: dict[str, Any] | None = None  # the measurement form's kind and value inputs

    @property
    def has_files(self) -> bool:
        return any(view.widget == "file" for view in self.fields)


class ChoiceSource:
    """The choices of the fields that name units, people or records, read once per page."""

    def __init__(self, user: User, case: Case) -> None:
        self.user = user
        self.case = case
        self._cache: dict[str, Any] = {}

    def _once(self, key: str, load: Any) -> Any:
        if key not in self._cache:
            self._cache[key] = load()
        return self._cache[key]

    def handling_units(self, within: OrgUnit | None = None) -> Choices:
        units = self._once("units", lambda: list(
            OrgUnit.objects.filter(kind__in=HANDLING_UNIT_KINDS, is_active=True).order_by("path")))
        if within is not None:
            units = [unit for unit in units if unit.path.startswith(within.path)]
        return [("", "—"), *((str(unit.pk), unit.name) for unit in units)]

    def handlers(self, within: OrgUnit | None = None) -> Choices:
        """Handlers and unit heads, grouped under their unit (no script: the form cannot follow the unit)."""
        people: list[User] = self._once("handlers", lambda: list(
            User.objects.filter(is_active=True, unit__kind__in=HANDLING_UNIT_KINDS,
                                role_assignments__role__in=[Role.HANDLER, Role.UNIT_HEAD])
            .select_related("unit").distinct().order_by("unit__path", "display_name", "username")))
        groups: dict[int, tuple[str, list[Choice]]] = {}
        for person in people:
            assert person.unit is not None
            if within is not None and not person.unit.path.startswith(within.path):
                continue
            groups.setdefault(person.unit.pk, (person.unit.name, []))[1].append((str(person.pk), str(person)))
        return [("", "—"), *groups.values()]

    def leaders(self) -> Choices:
        people = self._once("leaders", lambda: list(
            User.objects.filter(is_active=True, role_assignments__role=Role.LEADER).distinct()
            .order_by("display_name", "username")))
        return [("", "—"), *((str(person.pk), str(person)) for person in people)]

    def joint_units(self) -> Choices:
        """Who may be called in (吹哨报到): streets and towns, and outside departments."""
        units = OrgUnit.objects.filter(kind__in=[*PLACE_KINDS, UnitKind.DEPARTMENT], is_active=True)
        return [(str(unit.pk), unit.name) for unit in units.order_by("kind", "name")]

    def joints(self) -> list[JointHandling]:
        return self._once("joints", lambda: list(
            JointHandling.objects.filter(case=self.case).prefetch_related("units").order_by("-pk")))

    def joint_choices(self) -> Choices:
        return [(str(joint.pk), "、".join(unit.name for unit in joint.units.all()) + f"：{joint.reason[:40]}")
                for joint in self.joints()]

    def called_units(self) -> Choices:
        seen: dict[int, str] = {}
        for joint in self.joints():
            for unit in joint.units.all():
                seen.setdefault(unit.pk, unit.name)
        return [(str(pk), name) for pk, name in seen.items()]

    def pending_extensions(self) -> Choices:
        rows = Extension.objects.filter(case=self.case, decision=Decision.PENDING).order_by("pk")
        return [(str(row.pk), gettext("%(days)d days: %(reason)s") % {"days": row.requested_days,
                                                                "reason": row.reason[:60]}) for row in rows]

    def pending_appeals(self) -> Choices:
        rows = Appeal.objects.filter(case=self.case, decision=Decision.PENDING).order_by("pk")
        return [(str(row.pk), f"{row.get_reason_display()}：{row.evidence[:60]}") for row in rows]


def _widget_of(serializer_field: drf_fields.Field) -> str:
    if isinstance(serializer_field, drf_fields.ListField) and isinstance(serializer_field.child,
                                                                         drf_fields.FileField):
        return "file"
    if isinstance(serializer_field, relations.ManyRelatedField | drf_fields.MultipleChoiceField):
        return "select-multiple"
    if isinstance(serializer_field, drf_fields.BooleanField):
        return "checkbox" if serializer_field.default is not drf_fields.empty else "select"
    if isinstance(serializer_field, drf_fields.ChoiceField | relations.RelatedField):
        return "select"
    if isinstance(serializer_field, drf_fields.IntegerField | drf_fields.FloatField):
        return "number"
    if isinstance(serializer_field, drf_fields.DateTimeField):
        return "datetime-local"
    if isinstance(serializer_field, drf_fields.DateField):
        return "date"
    if isinstance(serializer_field, drf_fields.DictField | drf_fields.JSONField):
        return "json"
    if isinstance(serializer_field, drf_fields.CharField):
        max_length = serializer_field.max_length
        return "text" if max_length is not None and max_length <= SHORT_TEXT else "textarea"
    return "text"


def _initial(serializer_field: drf_fields.Field) -> Any:
    default = serializer_field.default
    if default is drf_fields.empty or default is None or callable(default):
        return ""
    if isinstance(default, bool):
        return default
    return str(default)


def _choices(action: str, name: str, serializer_field: drf_fields.Field, source: ChoiceSource) -> Choices:
    """The options of a select, limited to what makes sense for the action on this case."""
    user = source.user
    if name == "approve":
        return list(APPROVE_REFUSE)
    if isinstance(serializer_field, drf_fields.BooleanField):
        return list(YES_NO)
    if action in ("dispatch", "reassign") and name == "unit":
        # A unit head reassigns only within their own unit (the service enforces it).
        within = None if user.has_role(Role.DISPATCHER, Role.ADMIN) else user.unit
        return source.handling_units(within)
    if action in ("dispatch", "reassign") and name == "handler":
        within = None if user.has_role(Role.DISPATCHER, Role.ADMIN) else user.unit
        return source.handlers(within)
    if name == "leader":
        return source.leaders()
    if action == "call_joint_handling" and name == "units":
        return source.joint_units()
    if action == "record_joint_reply" and name == "unit":
        return source.called_units()
    if name == "joint":
        return source.joint_choices()
    if name == "extension":
        return source.pending_extensions()
    if name == "appeal":
        return source.pending_appeals()
    if name == "sub_category":
        return [("", "—"), *sub_category_choices()[1:]]
    if isinstance(serializer_field, drf_fields.ChoiceField):
        return list(serializer_field.choices.items())
    return []


# IntegerFields naming a record of the case: a select of the records waiting, not a number to type.
RECORD_FIELDS = frozenset({"extension", "appeal", "joint"})


def field_views(action: str, source: ChoiceSource, *, initial: dict[str, Any] | None = None,
                merge_targets: list[Case] | None = None) -> list[FieldView]:
    serializer = ACTION_SPECS[action].serializer()
    views = []
    for name, serializer_field in serializer.fields.items():
        if name == "version":
            continue
        widget = "select" if name in RECORD_FIELDS or name == "sub_category" else _widget_of(serializer_field)
        if action == "merge_into" and name == "into":
            widget = "text"
        view = FieldView(
            name=name, id=f"action-{action}-{name}",
            label=ACTION_FIELD_LABELS.get((action, name), FIELD_LABELS.get(name, name)),
            widget=widget, required=bool(serializer_field.required),
            value=_initial(serializer_field), help_text=HELP_TEXTS.get(name, ""),
            placeholder=PLACEHOLDERS.get(name, ""),
        )
        if widget in ("select", "select-multiple"):
            view.choices = _choices(action, name, serializer_field, source)
            if name in RECORD_FIELDS and len(view.choices) == 1:
                view.value = view.choices[0][0]
        if widget == "select-multiple":
            view.value = []
        if widget == "file":
            view.attrs.update({"accept": "image/*", "multiple": ""})
            view.value = ""
        if (widget in ("text", "textarea") and isinstance(serializer_field, drf_fields.CharField)
                and serializer_field.max_length is not None):
            view.attrs["maxlength"] = serializer_field.max_length
        if widget == "number":
            for attr, limit in (("min", "min_value"), ("max", "max_value")):
                if getattr(serializer_field, limit, None) is not None:
                    view.attrs[attr] = getattr(serializer_field, limit)
        if action == "merge_into" and name == "into":
            view.datalist = [(target.reference, target.title or target.description[:40])
                             for target in merge_targets or []]
        if initial and name in initial and initial[name] is not None:
            view.value = initial[name]
        views.append(view)
    # The serializers inherit the optional note first; on a form it reads best last.
    return sorted(views, key=lambda view: view.name == "note")


VALUE_PREFIX = "values."


def posted_measurement_values(data: QueryDict) -> dict[str, str]:
    """The measurement form's `values.<key>` inputs as the `values` object of the API, empty ones left out."""
    return {name[len(VALUE_PREFIX):]: str(data.get(name, "")) for name in data
            if name.startswith(VALUE_PREFIX) and str(data.get(name, "")).strip() != ""}


def posted_values(views: list[FieldView], data: QueryDict) -> None:
    """Show what the user typed (a checkbox not sent was unticked)."""
    for view in views:
        if view.widget == "file":
            continue  # a browser never sends a file back into a form
        if view.widget == "select-multiple":
            view.value = data.getlist(view.name)
        elif view.widget == "checkbox":
            view.value = view.name in data
        else:
            view.value = data.get(view.name, "")


def resolve_case_reference(text: str, user: User) -> int | None:
    """The case an order number or EH-number names, among those the user may see."""
    text = text.strip()
    match = re.fullmatch(r"(?i)EH-?(\d+)", text)
    if match:
        query = Q(pk=int(match.group(1)))
    elif text:
        query = Q(external_id=text)
    else:
        return None
    found = list(access.visible_cases(user).filter(query).values_list("pk", flat=True)[:2])
    return found[0] if len(found) == 1 else None


def serializer_input(action: str, data: QueryDict, user: User, files: MultiValueDict[str, Any] | None = None,
                     ) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The posted form as the action's serializer takes it (like a JSON body of the API), and the errors of
    the fields that could not even be read (a JSON text that is not an object, an unknown case)."""
    serializer = ACTION_SPECS[action].serializer()
    result: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, serializer_field in serializer.fields.items():
        widget = _widget_of(serializer_field)
        if widget == "file":
            result[name] = files.getlist(name) if files is not None else []
            continue
        if widget == "json" and name not in data and action == "record_measurement":
            result[name] = posted_measurement_values(data)
            continue
        if widget == "select-multiple":
            result[name] = data.getlist(name)
            continue
        if widget == "checkbox":
            result[name] = name in data
            continue
        if name not in data:
            continue
        is_text = isinstance(serializer_field, drf_fields.CharField)
        raw = data.get(name, "") if is_text else data.get(name, "").strip()
        if raw == "" and not is_text:
            # Left empty: the default, or "this field is required".
            if serializer_field.allow_null and not serializer_field.required:
                result[name] = None
            continue
        if widget == "json":
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = None
            if not isinstance(parsed, dict):
                errors[name] = [gettext('Enter a JSON object such as {"leq_db": 58.2}.')]
                continue
            result[name] = parsed
        elif action == "merge_into" and name == "into":
            pk = resolve_case_reference(raw, user)
            if pk is None:
                errors[name] = [gettext("No case you may see has that number.")]
                continue
            result[name] = pk
        else:
            result[name] = raw
    return result, errors


def flatten_errors(detail: Any) -> dict[str, list[str]]:
    """A serializer's errors as {field: [messages]} (`__all__` for the form as a whole)."""
    result: dict[str, list[str]] = {}

    def messages(value: Any) -> list[str]:
        if isinstance(value, dict):
            return [text for item in value.values() for text in messages(item)]
        if isinstance(value, list | tuple):
            return [text for item in value for text in messages(item)]
        return [str(value)]

    for key, value in (detail or {}).items():
        name = NON_FIELD if key in ("non_field_errors", NON_FIELD) else key
        result.setdefault(name, []).extend(messages(value))
    return result


def action_label(action: str) -> Label:
    return TRANSITIONS[action].label
