"""`/api/v1/reports` and `/api/v1/meetings`: the archive of documents, generating one now, downloading it; the
weekly dispatch meetings (周调度会), their pack and their decisions. The same rules as the reports pages
(`reports.views`): the overview roles see and generate; leaders, dispatchers and administrators run meetings."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ecohotline.api.files import ERROR, FILE_RENDERERS, binary
from ecohotline.assessment.access import CanSeeOverview
from ecohotline.reports import selectors, services
from ecohotline.reports.forms import responsible_people
from ecohotline.reports.meeting_pack import decision_due_default
from ecohotline.reports.models import Meeting, MeetingDecision, ReportKind, ReportRun
from ecohotline.reports.views import CONTENT_TYPES, document_response

GENERATED_KINDS = tuple(value for value in ReportKind.values if value != ReportKind.MEETING)


class ReportRunSerializer(serializers.ModelSerializer[ReportRun]):
    downloads = serializers.SerializerMethodField()
    kind = serializers.CharField(help_text="daily, weekly, monthly or meeting")

    class Meta:
        model = ReportRun
        fields = ["id", "kind", "period_start", "period_end", "version", "generated_at", "downloads"]
        read_only_fields = fields

    def get_downloads(self, run: ReportRun) -> dict[str, str]:
        return {fmt: reverse("api:report-download", args=[run.pk, fmt])
                for fmt in CONTENT_TYPES if getattr(run, fmt).name}


_RUN_EXAMPLE = {"id": 21, "kind": "weekly", "period_start": "2026-04-27", "period_end": "2026-05-03", "version": 1,
                "generated_at": "2026-05-04T08:00:05+08:00",
                "downloads": {"docx": "/api/v1/reports/21/docx", "xlsx": "/api/v1/reports/21/xlsx"}}


class ReportListView(generics.ListAPIView[ReportRun]):
    permission_classes = [IsAuthenticated, CanSeeOverview]
    serializer_class = ReportRunSerializer

    def get_queryset(self) -> Any:
        kind = self.request.query_params.get("kind") or None
        return selectors.archive(kind if kind in ReportKind.values else None)

    @extend_schema(
        operation_id="reports_list", summary="The archive of generated documents, newest first",
        parameters=[OpenApiParameter("kind", str, required=False, enum=list(ReportKind.values))],
        responses={200: ReportRunSerializer(many=True), 403: ERROR},
        examples=[OpenApiExample("A weekly analysis", response_only=True, value={
            "count": 1, "next": None, "previous": None, "results": [_RUN_EXAMPLE]})],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class GenerateInput(serializers.Serializer[Any]):
    kind = serializers.CharField(help_text="daily, weekly or monthly")
    day = serializers.DateField(help_text="The day of a daily sheet; any day of the week or assessment month.")

    def validate_kind(self, value: str) -> str:
        if value not in GENERATED_KINDS:
            raise serializers.ValidationError(_("Choose daily, weekly or monthly."))
        return value


class ReportGenerateView(APIView):
    permission_classes = [IsAuthenticated, CanSeeOverview]

    @extend_schema(
        operation_id="reports_generate", summary="Generate a document now (daily, weekly or monthly)",
        description="Composed synchronously; a new version when the period already has one. The meeting pack is "
        "made from its meeting (`POST /api/v1/meetings/{id}/pack`).",
        request=GenerateInput,
        responses={201: ReportRunSerializer, 400: ERROR, 403: ERROR},
        examples=[OpenApiExample("The weekly analysis", request_only=True, value={"kind": "weekly",
                                                                                  "day": "2026-05-03"}),
                  OpenApiExample("Generated", response_only=True, status_codes=["201"], value=_RUN_EXAMPLE)],
    )
    def post(self, request: Request) -> Response:
        payload = GenerateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        run = services.generate_report(kind=payload.validated_data["kind"], day=payload.validated_data["day"],
                                       actor=request.user)  # type: ignore[arg-type]
        return Response(ReportRunSerializer(run).data, status=status.HTTP_201_CREATED)


class ReportDownloadView(APIView):
    permission_classes = [IsAuthenticated, CanSeeOverview]
    renderer_classes = FILE_RENDERERS

    @extend_schema(
        operation_id="reports_download", summary="Download a document of the archive (DOCX or XLSX)",
        parameters=[OpenApiParameter("fmt", str, OpenApiParameter.PATH, enum=list(CONTENT_TYPES))],
        responses=binary("The document."),
    )
    def get(self, request: Request, pk: int, fmt: str) -> FileResponse:
        return document_response(pk, fmt)


# --- the weekly dispatch meeting ------------------------------------------------------------------------

class MeetingSerializer(serializers.ModelSerializer[Meeting]):
    class Meta:
        model = Meeting
        fields = ["id", "held_on", "title", "week_start", "week_end", "case_ids", "created_at"]
        read_only_fields = fields


class DecisionSerializer(serializers.ModelSerializer[MeetingDecision]):
    responsible_name = serializers.CharField(source="responsible.__str__", read_only=True)

    class Meta:
        model = MeetingDecision
        fields = ["id", "case", "text", "responsible", "responsible_name", "due", "created_by", "created_at"]
        read_only_fields = fields


class AgendaItemSerializer(serializers.Serializer[Any]):
    case = serializers.IntegerField(source="case.pk")
    reference = serializers.CharField(source="case.reference")
    summary = serializers.CharField(help_text="Masked: never the complainant.")
    status = serializers.CharField(source="case.status")
    handling_unit_name = serializers.CharField(source="case.handling_unit.name", default=None)
    decisions = DecisionSerializer(many=True)


class MeetingDetailSerializer(MeetingSerializer):
    agenda = serializers.SerializerMethodField()
    packs = serializers.SerializerMethodField()
    may_decide = serializers.SerializerMethodField()
    decision_due_default = serializers.SerializerMethodField()

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "agenda", "packs", "may_decide", "decision_due_default"]
        read_only_fields = fields

    def get_agenda(self, meeting: Meeting) -> Any:
        return AgendaItemSerializer(selectors.agenda(meeting), many=True).data

    def get_packs(self, meeting: Meeting) -> Any:
        return ReportRunSerializer(meeting.packs.order_by("-version"), many=True).data

    def get_may_decide(self, meeting: Meeting) -> bool:
        return services.can_run_meetings(self.context["request"].user)

    def get_decision_due_default(self, meeting: Meeting) -> Any:
        return decision_due_default(meeting)


def _may_run_meetings(request: Request) -> None:
    if not services.can_run_meetings(request.user):  # type: ignore[arg-type]
        raise PermissionDenied()


class MeetingInput(serializers.Serializer[Any]):
    held_on = serializers.DateField()
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class MeetingListView(generics.ListCreateAPIView[Meeting]):
    permission_classes = [IsAuthenticated, CanSeeOverview]
    serializer_class = MeetingSerializer

    def get_queryset(self) -> Any:
        return selectors.meetings()

    @extend_schema(operation_id="meetings_list", summary="The weekly dispatch meetings (周调度会), latest first",
                   responses={200: MeetingSerializer(many=True), 403: ERROR},
                   examples=[OpenApiExample("A meeting", response_only=True, value={
                       "count": 1, "next": None, "previous": None, "results": [{
                           "id": 3, "held_on": "2026-05-04", "title": "周调度会 2026年5月4日",
                           "week_start": "2026-04-27", "week_end": "2026-05-03", "case_ids": [12, 14],
                           "created_at": "2026-05-04T08:30:00+08:00"}]})])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(operation_id="meetings_open", summary="Open the meeting of a day (or get it, if already open)",
                   request=MeetingInput, responses={201: MeetingDetailSerializer, 400: ERROR, 403: ERROR},
                   examples=[OpenApiExample("Open", request_only=True, value={"held_on": "2026-05-04"})])
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _may_run_meetings(request)
        payload = MeetingInput(data=request.data)
        payload.is_valid(raise_exception=True)
        meeting = services.open_meeting(held_on=payload.validated_data["held_on"],
                                        title=payload.validated_data["title"],
                                        actor=request.user)  # type: ignore[arg-type]
        return Response(MeetingDetailSerializer(meeting, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


class MeetingDetailView(APIView):
    permission_classes = [IsAuthenticated, CanSeeOverview]

    @extend_schema(operation_id="meetings_retrieve", summary="A meeting: its agenda, decisions and packs",
                   responses={200: MeetingDetailSerializer, 403: ERROR, 404: ERROR},
                   examples=[OpenApiExample("A meeting", response_only=True, value={
                       "id": 3, "held_on": "2026-05-04", "title": "周调度会 2026年5月4日", "week_start": "2026-04-27",
                       "week_end": "2026-05-03", "case_ids": [12], "created_at": "2026-05-04T08:30:00+08:00",
                       "agenda": [{"case": 12, "reference": "12345-2605030001", "summary": "餐馆油烟扰民",
                                   "status": "in_progress", "handling_unit_name": "执法一中队", "decisions": []}],
                       "packs": [], "may_decide": True, "decision_due_default": "2026-05-11"})])
    def get(self, request: Request, pk: int) -> Response:
        meeting = get_object_or_404(Meeting, pk=pk)
        return Response(MeetingDetailSerializer(meeting, context={"request": request}).data)


class MeetingPackView(APIView):
    permission_classes = [IsAuthenticated, CanSeeOverview]

    @extend_schema(operation_id="meetings_pack", summary="Make the meeting pack (周调度会材料) now",
                   description="The reviewed week's figures and the ledger's open cases; the cases it lists become "
                   "the meeting's agenda. Download it through `downloads`.",
                   request=None, responses={201: ReportRunSerializer, 403: ERROR, 404: ERROR},
                   examples=[OpenApiExample("A pack", response_only=True, status_codes=["201"], value={
                       **_RUN_EXAMPLE, "kind": "meeting", "downloads": {"docx": "/api/v1/reports/22/docx"}})])
    def post(self, request: Request, pk: int) -> Response:
        _may_run_meetings(request)
        meeting = get_object_or_404(Meeting, pk=pk)
        run = services.generate_meeting_pack(meeting=meeting, actor=request.user)  # type: ignore[arg-type]
        return Response(ReportRunSerializer(run).data, status=status.HTTP_201_CREATED)


class DecisionInput(serializers.Serializer[Any]):
    case = serializers.IntegerField(help_text="A case on the meeting's agenda.")
    text = serializers.CharField(max_length=2000)
    responsible = serializers.PrimaryKeyRelatedField(queryset=responsible_people().filter(is_active=True))
    due = serializers.DateField()


class MeetingDecisionView(APIView):
    permission_classes = [IsAuthenticated, CanSeeOverview]

    @extend_schema(operation_id="meetings_decide", summary="Record the meeting's decision (调度意见) on a case",
                   description="The case must be on the meeting's agenda (404 otherwise); the decision goes on the "
                   "case's timeline with the person responsible and the date.",
                   request=DecisionInput, responses={201: DecisionSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
                   examples=[OpenApiExample("Decide", request_only=True, value={
                       "case": 12, "text": "由执法一中队牵头，联合街道约谈", "responsible": 5, "due": "2026-05-11"})])
    def post(self, request: Request, pk: int) -> Response:
        _may_run_meetings(request)
        meeting = get_object_or_404(Meeting, pk=pk)
        payload = DecisionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        agenda = {item.case.pk: item.case for item in selectors.agenda(meeting)}
        case = agenda.get(payload.validated_data["case"])
        if case is None:
            raise Http404
        data = payload.validated_data
        decision = services.record_decision(actor=request.user, meeting=meeting, case=case,  # type: ignore[arg-type]
                                            text=data["text"], responsible=data["responsible"], due=data["due"])
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)
