"""What a case page shows besides the case itself, as the API gives it: the timeline in words, the attachments,
the contact attempts, inspections and measurements. Free texts are masked for readers who may not see the
complainant, exactly as the desk's timeline masks them."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ecohotline.cases import access
from ecohotline.cases.models import Attachment, Case, ContactAttempt, Inspection, Measurement
from ecohotline.cases.selectors import event_label, status_label
from ecohotline.cases.timeline import TimelineEntry


def _visible(context: dict[str, Any], case: Case) -> bool:
    """Whether the caller may see the case's complainant (asked once per case and request)."""
    cache: dict[int, bool] = context.setdefault("_complainant_visible", {})
    if case.pk not in cache:
        cache[case.pk] = access.can_see_complainant(context["request"].user, case)
    return cache[case.pk]


def _masker(context: dict[str, Any], case: Case) -> Any:
    """A function masking the complainant in a text, unless the caller may see them."""
    if _visible(context, case):
        return lambda text: text or ""
    return lambda text: access.mask_complainant(case, text or "")


class TimelineLineSerializer(serializers.Serializer[Any]):
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    value = serializers.CharField()


class TimelineBlockSerializer(serializers.Serializer[Any]):
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    text = serializers.CharField()


class TimelineLinkSerializer(serializers.Serializer[Any]):
    text = serializers.CharField()
    case = serializers.IntegerField()


class TimelineEntrySerializer(serializers.Serializer[Any]):
    """One event of the timeline as the case page shows it: what happened and what it recorded, in words."""

    id = serializers.IntegerField(source="event.pk")
    at = serializers.DateTimeField(source="event.at")
    action = serializers.CharField(source="event.action")
    action_label = serializers.SerializerMethodField()
    actor = serializers.IntegerField(source="event.actor_id", allow_null=True)
    actor_name = serializers.SerializerMethodField()
    from_status = serializers.CharField(source="event.from_status")
    to_status = serializers.CharField(source="event.to_status")
    to_status_label = serializers.SerializerMethodField()
    lines = TimelineLineSerializer(many=True)
    blocks = TimelineBlockSerializer(many=True)
    notices = serializers.ListField(child=serializers.CharField())
    link = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()

    def get_action_label(self, entry: TimelineEntry) -> str:
        return event_label(entry.event.action)

    def get_actor_name(self, entry: TimelineEntry) -> str | None:
        return str(entry.event.actor) if entry.event.actor_id else None

    def get_to_status_label(self, entry: TimelineEntry) -> str:
        return status_label(entry.event.to_status)

    @extend_schema_field(TimelineLinkSerializer(allow_null=True))
    def get_link(self, entry: TimelineEntry) -> dict[str, Any] | None:
        return {"text": str(entry.link[0]), "case": entry.link[1]} if entry.link else None

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_photos(self, entry: TimelineEntry) -> list[int]:
        return [photo.pk for photo in entry.photos]


class AttachmentSerializer(serializers.ModelSerializer[Attachment]):
    name = serializers.SerializerMethodField()
    size = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "size", "inspection", "created_by", "created_at", "download_url"]
        read_only_fields = fields

    def get_name(self, attachment: Attachment) -> str:
        return attachment.original_name or attachment.file.name.rsplit("/", 1)[-1]

    def get_size(self, attachment: Attachment) -> int | None:
        try:
            return int(attachment.file.size)
        except (FileNotFoundError, OSError):
            return None

    def get_download_url(self, attachment: Attachment) -> str:
        return reverse("api:case-attachment-file", args=[attachment.case_id, attachment.pk])


class ContactAttemptSerializer(serializers.ModelSerializer[ContactAttempt]):
    channel = serializers.CharField(help_text="phone, sms, visit or other")
    summary = serializers.SerializerMethodField(
        help_text="What was said; withheld (empty, `summary_withheld` true) from callers who may not see the "
        "complainant, as on the case page.")
    summary_withheld = serializers.SerializerMethodField()

    class Meta:
        model = ContactAttempt
        fields = ["id", "at", "channel", "reached", "summary", "summary_withheld", "created_by", "created_at"]
        read_only_fields = fields

    def get_summary(self, attempt: ContactAttempt) -> str:
        return attempt.summary if _visible(self.context, self.context.get("case") or attempt.case) else ""

    def get_summary_withheld(self, attempt: ContactAttempt) -> bool:
        return bool(attempt.summary) and not _visible(self.context, self.context.get("case") or attempt.case)


class InspectionSerializer(serializers.ModelSerializer[Inspection]):
    findings = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()

    class Meta:
        model = Inspection
        fields = ["id", "at", "people", "findings", "photos", "created_by", "created_at"]
        read_only_fields = fields

    def get_findings(self, inspection: Inspection) -> str:
        return str(_masker(self.context, self.context.get("case") or inspection.case)(inspection.findings))

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_photos(self, inspection: Inspection) -> list[int]:
        return [photo.pk for photo in inspection.photos.all()]


class MeasurementSerializer(serializers.ModelSerializer[Measurement]):
    class Meta:
        model = Measurement
        fields = ["id", "kind", "measured_at", "values", "verdict", "inspection", "created_by", "created_at"]
        read_only_fields = fields


class OutgoingMessageSerializer(serializers.Serializer[Any]):
    """One message a case sent to another system (`hooks.selectors.OutgoingMessage`): where and how it went."""

    id = serializers.IntegerField(source="message.pk")
    kind = serializers.CharField(source="message.transport", help_text="hotline_feedback or webhook")
    target = serializers.CharField(help_text="the hotline source's or the webhook subscription's name")
    event = serializers.CharField(source="message.event")
    status = serializers.CharField(source="message.status", help_text="pending, sent or dead (given up)")
    attempts = serializers.IntegerField(source="message.attempts")
    last_error = serializers.CharField(source="message.last_error")
    created_at = serializers.DateTimeField(source="message.created_at")
    next_attempt_at = serializers.DateTimeField(source="message.next_attempt_at")
    sent_at = serializers.DateTimeField(source="message.sent_at", allow_null=True)
