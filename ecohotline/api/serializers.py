"""API representations of cases. The complainant's identity is masked unless the caller may see it."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ecohotline.cases import access
from ecohotline.cases.attachments import MAX_PHOTOS
from ecohotline.cases.deadlines import deadline_state
from ecohotline.cases.models import (
    REAL_CHANNELS,
    AppealReason,
    Case,
    CaseEvent,
    CaseKind,
    ContactChannel,
    RequestType,
    Satisfaction,
    Urgency,
    VisitSource,
)
from ecohotline.cases.services import allowed_actions
from ecohotline.intake.models import CoordinateSystem
from ecohotline.intake.orders import OrderInput
from ecohotline.intake.services import Outcome
from ecohotline.org.models import OrgUnit, User


class DeadlineSerializer(serializers.Serializer[Any]):
    deadline = serializers.CharField()
    due_at = serializers.DateTimeField()
    seconds_left = serializers.IntegerField()
    level = serializers.CharField()
    paused = serializers.BooleanField()


class CaseSerializer(serializers.ModelSerializer[Case]):
    complainant_name = serializers.SerializerMethodField()
    complainant_phone = serializers.SerializerMethodField()
    complainant_visible = serializers.SerializerMethodField()
    deadline = serializers.SerializerMethodField()
    street_name = serializers.CharField(source="street.name", default=None, read_only=True)
    handling_unit_name = serializers.CharField(source="handling_unit.name", default=None, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id", "reference", "kind", "channel", "external_id", "request_type", "urgency", "received_at",
            "complainant_name", "complainant_phone", "complainant_anonymous", "complainant_visible",
            "address", "district", "street", "street_name", "community", "latitude", "longitude",
            "category", "sub_category", "polluter", "title", "description", "tags", "status",
            "handling_unit", "handling_unit_name", "handler", "leader", "parent",
            "accept_due_at", "contact_due_at", "reply_due_at", "due_at", "deadline_provisional", "next_due_at",
            "paused_at", "deadline", "first_contact_at", "replied_at", "completed_at", "closed_at",
            "reopen_count", "version", "created_at", "updated_at",
        ]
        read_only_fields = fields

    def _visible(self, case: Case) -> bool:
        cache: dict[int, bool] = self.context.setdefault("_complainant_visible", {})
        if case.pk not in cache:
            cache[case.pk] = access.can_see_complainant(self.context["request"].user, case)
        return cache[case.pk]

    def get_complainant_visible(self, case: Case) -> bool:
        return self._visible(case)

    def get_complainant_name(self, case: Case) -> str:
        return case.complainant_name if self._visible(case) else access.mask_name(case.complainant_name)

    def get_complainant_phone(self, case: Case) -> str:
        return case.complainant_phone if self._visible(case) else access.mask_phone(case.complainant_phone)

    @extend_schema_field(DeadlineSerializer(allow_null=True))
    def get_deadline(self, case: Case) -> dict[str, Any] | None:
        state = deadline_state(case, timezone.now())
        if state is None:
            return None
        return {"deadline": state.deadline, "due_at": state.due_at,
                "seconds_left": int(state.time_left.total_seconds()), "level": state.level.value,
                "paused": state.paused}


class CaseEventSerializer(serializers.ModelSerializer[CaseEvent]):
    actor_name = serializers.CharField(source="actor.__str__", default=None, read_only=True)

    class Meta:
        model = CaseEvent
        fields = ["id", "at", "actor", "actor_name", "action", "from_status", "to_status", "payload"]
        read_only_fields = fields


def masked_payload(case: Case, value: Any, field: str = "") -> Any:
    """An event payload with the complainant masked in every text: the values under a `complainant_name` or
    `complainant_phone` key (an order update's old and new values), the case's complainant and any mobile number
    elsewhere."""
    if isinstance(value, dict):
        return {name: masked_payload(case, item, field if field.startswith("complainant_") else str(name))
                for name, item in value.items()}
    if isinstance(value, list):
        return [masked_payload(case, item, field) for item in value]
    if isinstance(value, str):
        if field == "complainant_name":
            return access.mask_name(value)
        if field == "complainant_phone":
            return access.mask_phone(value)
        return access.mask_complainant(case, value)
    return value


class CaseDetailSerializer(CaseSerializer):
    timeline = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "timeline", "allowed_actions"]
        read_only_fields = fields

    @extend_schema_field(CaseEventSerializer(many=True))
    def get_timeline(self, case: Case) -> Any:
        """The events as stored; for callers who may not see the complainant, every text of the payloads masked
        (an `order_updated` event carries the old and new name and phone). `/cases/{id}/timeline` has them in
        words."""
        events = case.events.select_related("actor").order_by("at", "pk")
        data = CaseEventSerializer(events, many=True).data
        if not self._visible(case):
            for item in data:
                item["payload"] = masked_payload(case, item["payload"])
        return data

    def get_allowed_actions(self, case: Case) -> list[str]:
        return allowed_actions(self.context["request"].user, case)


class CaseCreateSerializer(serializers.Serializer[Any]):
    """An order entered by a person or a client system (phone, letter, visit, 12369...): it goes through the
    intake pipeline like a 12345 order, so triage places, classifies and routes it. What the caller already
    knows (the street, the sub-category) is kept as given."""

    kind = serializers.ChoiceField(choices=CaseKind.choices, default=CaseKind.COMPLAINT)
    channel = serializers.ChoiceField(choices=REAL_CHANNELS)
    external_id = serializers.CharField(
        max_length=64, required=False, default="", allow_blank=True,
        help_text="The channel's order number. Given: posting it again is idempotent (200 `unchanged`, or "
        "`updated` when the content changed: a 补充 on the case's timeline). Blank: every post is a new case.")
    request_type = serializers.ChoiceField(choices=RequestType.choices, default=RequestType.COMPLAINT)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    received_at = serializers.DateTimeField(help_text="ISO 8601; Beijing time when no offset.")
    title = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    description = serializers.CharField(max_length=20000)
    complainant_name = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    complainant_phone = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)
    complainant_anonymous = serializers.BooleanField(default=False)
    complainant_confidential = serializers.BooleanField(default=False)
    address = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    district = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)
    street = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(), required=False, allow_null=True, default=None,
        help_text="An active street/town unit; kept as given. Null: triage places the address. Another kind of "
        "unit: 400 `invalid_street`.")
    community = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    latitude = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-180,
                                       max_value=180)
    coordinate_system = serializers.ChoiceField(
        choices=CoordinateSystem.choices, default=CoordinateSystem.WGS84,
        help_text="What latitude/longitude are in; triage converts them to WGS-84.")
    sub_category = serializers.CharField(
        max_length=50, required=False, default="", allow_blank=True,
        help_text="An active sub-category code such as noise.social: kept and confirmed, the category follows "
        "from it. Blank: triage classifies the text. An unknown code or a family: 400 `invalid_category`.")
    polluter = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (attrs.get("latitude") is None) != (attrs.get("longitude") is None):
            raise serializers.ValidationError(
                {"longitude" if attrs.get("longitude") is None else "latitude":
                 _("Give both latitude and longitude, or neither.")})
        return attrs

    def order(self) -> OrderInput:
        """The validated input as the intake pipeline takes it (which checks the street and sub-category)."""
        data = dict(self.validated_data)
        street: OrgUnit | None = data.pop("street")
        data["sub_category"] = data["sub_category"].strip()
        return OrderInput(**data, street_id=street.pk if street is not None else None)


class CaseCreatedSerializer(CaseDetailSerializer):
    """The case an order became (or already was), and what taking the order in did."""

    outcome = serializers.SerializerMethodField()

    class Meta(CaseDetailSerializer.Meta):
        fields = [*CaseDetailSerializer.Meta.fields, "outcome"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=[item.value for item in Outcome]))
    def get_outcome(self, case: Case) -> str:
        return str(self.context["outcome"])


# --- inputs of the actions ---------------------------------------------------------------------------


class ActionSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(required=False, min_value=1,
                                       help_text="The case version the client saw; a stale one gives 409.")


def _units() -> Any:
    return OrgUnit.objects.filter(is_active=True)


def _users() -> Any:
    return User.objects.filter(is_active=True)


class NoteInput(ActionSerializer):
    note = serializers.CharField(required=False, default="", allow_blank=True, max_length=5000)


class DispatchInput(NoteInput):
    unit = serializers.PrimaryKeyRelatedField(queryset=_units())
    handler = serializers.PrimaryKeyRelatedField(queryset=_users(), required=False, allow_null=True, default=None)
    leader = serializers.PrimaryKeyRelatedField(queryset=_users(), required=False, allow_null=True, default=None)


class ReasonInput(ActionSerializer):
    reason = serializers.CharField(max_length=5000)


class ReassignInput(NoteInput):
    unit = serializers.PrimaryKeyRelatedField(queryset=_units(), required=False, allow_null=True, default=None)
    handler = serializers.PrimaryKeyRelatedField(queryset=_users(), required=False, allow_null=True, default=None)


class ContactInput(ActionSerializer):
    reached = serializers.BooleanField()
    summary = serializers.CharField(required=False, default="", allow_blank=True, max_length=5000)
    channel = serializers.ChoiceField(choices=ContactChannel.choices, default=ContactChannel.PHONE)
    at = serializers.DateTimeField(required=False, default=None)


class InspectionInput(ActionSerializer):
    findings = serializers.CharField(max_length=20000)
    people = serializers.CharField(required=False, default="", allow_blank=True, max_length=200)
    at = serializers.DateTimeField(required=False, default=None)
    photos = serializers.ListField(
        child=serializers.FileField(allow_empty_file=False), required=False, default=list, max_length=MAX_PHOTOS,
        help_text="Photos taken on site (multipart/form-data; JPEG, PNG, WebP, HEIC or GIF, each up to 15 MB).")


class MeasurementInput(ActionSerializer):
    kind = serializers.CharField(max_length=30)
    values = serializers.DictField()
    measured_at = serializers.DateTimeField(required=False, default=None)


class RectificationInput(ActionSerializer):
    requirement = serializers.CharField(max_length=5000)
    deadline = serializers.DateField(required=False, allow_null=True, default=None)


class ExtensionRequestInput(ActionSerializer):
    days = serializers.IntegerField(min_value=1, max_value=365)
    reason = serializers.CharField(max_length=5000)


class DecisionInput(NoteInput):
    approve = serializers.BooleanField()


class ExtensionDecisionInput(DecisionInput):
    extension = serializers.IntegerField(min_value=1)


class AppealInput(ActionSerializer):
    reason = serializers.ChoiceField(choices=AppealReason.choices)
    evidence = serializers.CharField(max_length=20000)


class AppealDecisionInput(DecisionInput):
    appeal = serializers.IntegerField(min_value=1)


class JointCallInput(ActionSerializer):
    units = serializers.PrimaryKeyRelatedField(queryset=_units(), many=True)
    reason = serializers.CharField(max_length=5000)


class JointReplyInput(ActionSerializer):
    joint = serializers.IntegerField(min_value=1)
    unit = serializers.PrimaryKeyRelatedField(queryset=_units())
    text = serializers.CharField(max_length=20000)


class ReplyInput(ActionSerializer):
    text = serializers.CharField(max_length=20000)
    final = serializers.BooleanField(default=True)


class ReturnVisitInput(ActionSerializer):
    contacted = serializers.BooleanField()
    solved = serializers.BooleanField()
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    source = serializers.ChoiceField(  # type: ignore[assignment]  # a field, not Field.source
        choices=VisitSource.choices, default=VisitSource.HOTLINE)
    valid = serializers.BooleanField(default=True)
    note = serializers.CharField(required=False, default="", allow_blank=True, max_length=5000)
    at = serializers.DateTimeField(required=False, default=None)


class MergeInput(NoteInput):
    into = serializers.IntegerField(min_value=1)


class CategoryInput(NoteInput):
    sub_category = serializers.CharField(
        max_length=50, help_text="An active sub-category code such as noise.social (the category follows from it)."
    )


class TextInput(ActionSerializer):
    text = serializers.CharField(max_length=20000)
