"""REST API v1 over the case services and selectors."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ecohotline.api.actions import ACTION_SPECS
from ecohotline.api.case_records import (
    AttachmentSerializer,
    ContactAttemptSerializer,
    InspectionSerializer,
    MeasurementSerializer,
    OutgoingMessageSerializer,
    TimelineEntrySerializer,
)
from ecohotline.api.files import ERROR, FILE_RENDERERS, binary
from ecohotline.api.serializers import (
    ActionSerializer,
    CaseCreatedSerializer,
    CaseCreateSerializer,
    CaseDetailSerializer,
    CaseSerializer,
)
from ecohotline.cases import access, measurements, services
from ecohotline.cases.attachments import attachment_response
from ecohotline.cases.exceptions import ActionForbidden
from ecohotline.cases.filters import CaseFilter
from ecohotline.cases.models import Attachment, Case
from ecohotline.cases.replies import check_reply, render_template, templates_for
from ecohotline.cases.selectors import case_list_queryset
from ecohotline.cases.timeline import timeline_entries
from ecohotline.cases.workflow import ACTIONS
from ecohotline.hooks.selectors import outgoing_of_case
from ecohotline.intake.models import ReceivedVia
from ecohotline.intake.services import Outcome, take_in_order
from ecohotline.org.models import Role, User

CREATE_DESCRIPTION = """An order taken at the desk or sent by a client system goes through the same intake as a
12345 order: triage places the address among the district's streets, classifies the pollution sub-category,
checks the remit, looks for duplicates and repeats, and suggests the handling unit (see the `triaged` entry of
the timeline). What the caller already knows is kept: `street` (an active street/town) and `sub_category` (an
active sub-category code; the case's category follows from it and is confirmed).

**Idempotent on (`channel`, `external_id`)** when `external_id` is given: the same order posted again creates
nothing and answers 200 with its case and `outcome` `unchanged`; posted with changed content it answers 200 with
`outcome` `updated`, and the case gets an `order_updated` timeline entry with what changed (the case's own
fields stay as they are). A number already used on this channel by a case that was not registered through the
intake (no order record) is refused: 400 `duplicate_order`.

Not accepted any more: `category` (it follows from `sub_category`) and `tags` (triage sets the tags); such keys
are ignored. Coordinates: both or neither, in `coordinate_system` (default `wgs84`).
"""


class MeasurementJudgeInput(serializers.Serializer[Any]):
    kind = serializers.CharField(max_length=30, help_text="noise, catering_fumes, odor, water, electromagnetic...")
    values = serializers.DictField(help_text="The kind's values by key, as `record_measurement` takes them.")
    measured_at = serializers.DateTimeField(required=False, default=None, allow_null=True)


class MeasurementJudgeSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    values = serializers.DictField()
    verdict = serializers.DictField(help_text="The standard's verdict ({} for kinds no standard judges).")
    outcome = serializers.CharField(help_text="compliant, exceeds, remeasure or empty")
    words = serializers.CharField(help_text="The verdict in words, in the caller's language.")


class CaseViewSet(viewsets.GenericViewSet[Case]):
    """Cases the caller may see; create; act on one through the lifecycle."""

    filterset_class = CaseFilter
    serializer_class = CaseSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> Any:
        return case_list_queryset(self.request.user).order_by("-received_at", "-pk")  # type: ignore[arg-type]

    @extend_schema(
        summary="List the cases the caller may see",
        description="The desk's case list: the same visibility, the same filters. Complainants are masked for "
        "callers who may not see them (`complainant_visible`). Paginated (`page`, `page_size` up to 500).",
        examples=[OpenApiExample("A page of cases", response_only=True, value={
            "count": 1, "next": None, "previous": None,
            "results": [{"id": 12, "reference": "12345-2605030001", "status": "in_progress",
                         "complainant_name": "张*", "complainant_phone": "138****5678",
                         "complainant_visible": False, "category": "noise", "sub_category": "noise.social",
                         "handling_unit": 4, "handling_unit_name": "执法一中队"}]})],
    )
    def list(self, request: Request) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        serializer = CaseSerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)

    @extend_schema(
        summary="One case with its timeline and the actions the caller may take",
        responses={200: CaseDetailSerializer, 404: ERROR},
        examples=[OpenApiExample("A case", response_only=True, value={
            "id": 12, "reference": "12345-2605030001", "status": "dispatched", "handling_unit": 4,
            "allowed_actions": ["accept", "return_order", "add_note"], "timeline": []})],
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        case = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(CaseDetailSerializer(case, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Register an order (manual entry: phone, letter, visit, 12369...)",
        description=CREATE_DESCRIPTION,
        request=CaseCreateSerializer,
        responses={
            201: OpenApiResponse(CaseCreatedSerializer, description="A new case, triaged; `outcome` is `created`."),
            200: OpenApiResponse(CaseCreatedSerializer, description="The order number was already registered on "
                                 "this channel: its case, with `outcome` `unchanged` or `updated` (a 补充)."),
            400: OpenApiResponse(description="`invalid` with field errors; `invalid_street`, `invalid_category` or "
                                 "`duplicate_order` with the field."),
            403: OpenApiResponse(description="`forbidden`: only dispatchers and administrators register cases."),
        },
        examples=[
            OpenApiExample("A phone call taken at the desk", request_only=True, value={
                "channel": "phone", "external_id": "", "received_at": "2026-05-03T14:05:00+08:00",
                "description": "小区楼下餐馆油烟扰民，晚上十点以后还有排风机噪声。", "complainant_name": "张三",
                "complainant_phone": "13812345678", "address": "海淀区中关村大街1号", "urgency": "normal"}),
            OpenApiExample("Created", response_only=True, status_codes=["201"], value={
                "id": 12, "reference": "EH-12", "status": "new", "sub_category": "air.catering_fumes",
                "street": 6, "outcome": "created", "allowed_actions": ["dispatch", "return_order"]}),
        ],
    )
    def create(self, request: Request) -> Response:
        actor: User = request.user  # type: ignore[assignment]
        # The role first: a caller who may not register learns that, not what the input lacks.
        if not actor.has_role(Role.DISPATCHER, Role.ADMIN):
            raise ActionForbidden(_("Only dispatchers may register cases."))
        payload = CaseCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        result = take_in_order(order=payload.order(), via=ReceivedVia.MANUAL, actor=actor)
        case = self.get_queryset().get(pk=result.case.pk)
        context = {**self.get_serializer_context(), "outcome": result.outcome}
        created = result.outcome == Outcome.CREATED
        return Response(CaseCreatedSerializer(case, context=context).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        summary="Take a lifecycle action on a case",
        request=ActionSerializer,
        responses={200: CaseDetailSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
        examples=[
            OpenApiExample("dispatch", request_only=True, value={"unit": 4, "note": "请尽快核查", "version": 3}),
            OpenApiExample("reply", request_only=True, value={"text": "经核查，已责令整改。", "final": True}),
            OpenApiExample("record_inspection (multipart/form-data with `photos`)", request_only=True,
                           value={"findings": "现场排风机未加装消声设施", "people": "王明、李强"}),
            OpenApiExample("Refused", response_only=True, status_codes=["409"],
                           value={"code": "transition_not_allowed", "detail": "Not allowed in this status."}),
        ],
        parameters=[OpenApiParameter("action_name", str, OpenApiParameter.PATH, enum=[*ACTIONS])],
        description="Take one lifecycle action. The body depends on the action (see the desk's forms); "
        "400 with field errors, 403 when the role may not, 409 transition_not_allowed or stale_version.",
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<action_name>[^/.]+)")
    def act(self, request: Request, pk: str, action_name: str) -> Response:
        spec = ACTION_SPECS.get(action_name)
        case = get_object_or_404(self.get_queryset(), pk=pk)
        if spec is None:
            return Response({"code": "unknown_action", "detail": f"Unknown action: {action_name}"},
                            status=status.HTTP_404_NOT_FOUND)
        # Role and status first: a caller who may not act learns that (403/409), not what the input lacks.
        services.authorise(request.user, case, action_name)  # type: ignore[arg-type]
        payload = spec.serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = data.pop("version", None)
        spec.run(request.user, case, {**data, "version": version})  # type: ignore[arg-type]
        case.refresh_from_db()
        return Response(CaseDetailSerializer(case, context=self.get_serializer_context()).data)

    # --- what the case page shows besides the case ---------------------------------------------------------

    def _case(self, pk: str) -> Case:
        return get_object_or_404(self.get_queryset(), pk=pk)

    def _records(self, case: Case, queryset: Any, serializer: Any) -> Response:
        page = self.paginate_queryset(queryset)
        context = {**self.get_serializer_context(), "case": case}
        return self.get_paginated_response(serializer(page, many=True, context=context).data)

    @extend_schema(
        summary="The case's timeline in words",
        description="Every event, oldest first, with what it recorded as the case page shows it (labels in the "
        "caller's language). The complainant's name and phone, and any mobile number, are masked in the texts for "
        "callers who may not see the complainant. `photos` are attachment ids (see `attachments`).",
        responses={200: TimelineEntrySerializer(many=True), 404: ERROR},
        examples=[OpenApiExample("A dispatch", response_only=True, value={
            "count": 1, "next": None, "previous": None, "results": [{
                "id": 31, "at": "2026-05-03T14:20:00+08:00", "action": "dispatch", "action_label": "派单",
                "actor": 2, "actor_name": "调度员", "from_status": "new", "to_status": "dispatched",
                "to_status_label": "已派单", "lines": [{"label": "单位", "value": "执法一中队"}], "blocks": [],
                "notices": [], "link": None, "photos": []}]})],
    )
    @action(detail=True, methods=["get"])
    def timeline(self, request: Request, pk: str) -> Response:
        case = self._case(pk)
        visible = access.can_see_complainant(request.user, case)  # type: ignore[arg-type]
        entries = timeline_entries(case, request.user, visible=visible)  # type: ignore[arg-type]
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(TimelineEntrySerializer(page, many=True).data)

    @extend_schema(
        summary="The files attached to the case",
        description="Photos of inspections and other files. Upload: `record_inspection` with `photos` "
        "(multipart/form-data). Download each through `download_url`.",
        responses={200: AttachmentSerializer(many=True), 404: ERROR},
        examples=[OpenApiExample("A site photo", response_only=True, value={
            "count": 1, "next": None, "previous": None, "results": [{
                "id": 7, "name": "现场.jpg", "size": 183204, "inspection": 3, "created_by": 5,
                "created_at": "2026-05-03T16:02:11+08:00", "download_url": "/api/v1/cases/12/attachments/7"}]})],
    )
    @action(detail=True, methods=["get"])
    def attachments(self, request: Request, pk: str) -> Response:
        case = self._case(pk)
        return self._records(case, Attachment.objects.filter(case=case).order_by("pk"), AttachmentSerializer)

    @extend_schema(
        summary="Download an attachment",
        description="The file itself, for those who may see the case (as on the desk). A photo comes with its true "
        "type, sniffed from its first bytes; anything else is `application/octet-stream`, as an attachment.",
        responses=binary("The file."),
    )
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_pk>\d+)",
            url_name="attachment-file", renderer_classes=FILE_RENDERERS)
    def attachment_file(self, request: Request, pk: str, attachment_pk: str) -> FileResponse:
        case = self._case(pk)
        return attachment_response(get_object_or_404(Attachment, pk=attachment_pk, case=case))

    @extend_schema(
        summary="What the case sent to other systems (hotline feedback, webhooks)",
        description="The latest 50 outgoing messages of the case, newest first, with where each went, its status "
        "(`pending`, `sent`, `dead`: given up), attempts and the last error: what the case page shows. Never the "
        "message bodies.",
        responses={200: OutgoingMessageSerializer(many=True), 404: ERROR},
        examples=[OpenApiExample("A feedback being retried", response_only=True, value=[{
            "id": 91, "kind": "hotline_feedback", "target": "北京12345平台", "event": "reply", "status": "pending",
            "attempts": 1, "last_error": "HTTP 503: the platform is under maintenance",
            "created_at": "2026-11-23T10:21:00+08:00", "next_attempt_at": "2026-11-23T10:22:00+08:00",
            "sent_at": None}])],
    )
    @action(detail=True, methods=["get"])
    def outgoing(self, request: Request, pk: str) -> Response:
        case = self._case(pk)
        return Response(OutgoingMessageSerializer(outgoing_of_case(case.pk), many=True).data)

    @extend_schema(
        summary="Attempts to reach the complainant (联系诉求人)",
        description="Oldest first. The summary is masked for callers who may not see the complainant.",
        responses={200: ContactAttemptSerializer(many=True), 404: ERROR},
        examples=[OpenApiExample("Reached by phone", response_only=True, value={
            "count": 1, "next": None, "previous": None, "results": [{
                "id": 4, "at": "2026-05-03T15:00:00+08:00", "channel": "phone", "reached": True,
                "summary": "已与诉求人沟通，约定明日现场核查", "created_by": 5,
                "created_at": "2026-05-03T15:01:00+08:00"}]})],
    )
    @action(detail=True, methods=["get"])
    def contacts(self, request: Request, pk: str) -> Response:
        case = self._case(pk)
        return self._records(case, case.contactattempts.order_by("at", "pk"), ContactAttemptSerializer)

    @extend_schema(
        summary="Site inspections (现场核查)",
        description="Oldest first, with the ids of their photos. Findings are masked for callers who may not see "
        "the complainant.",
        responses={200: InspectionSerializer(many=True), 404: ERROR},
        examples=[OpenApiExample("An inspection", response_only=True, value={
            "count": 1, "next": None, "previous": None, "results": [{
                "id": 3, "at": "2026-05-04T10:00:00+08:00", "people": "王明、李强",
                "findings": "排风机未加装消声设施", "photos": [7], "created_by": 5,
                "created_at": "2026-05-04T11:00:00+08:00"}]})],
    )
    @action(detail=True, methods=["get"])
    def inspections(self, request: Request, pk: str) -> Response:
        case = self._case(pk)
        queryset = case.inspections.order_by("at", "pk").prefetch_related("photos")
        return self._records(case, queryset, InspectionSerializer)

    @extend_schema(
        summary="Measurements (监测) with the standard's verdict",
        responses={200: MeasurementSerializer(many=True), 404: ERROR},
        examples=[OpenApiExample("A night-time noise measurement", response_only=True, value={
            "count": 1, "next": None, "previous": None, "results": [{
                "id": 2, "kind": "noise_social", "measured_at": "2026-05-04T22:30:00+08:00",
                "values": {"leq_db": 58.2, "background_db": 41.0}, "verdict": {"exceeds": True, "limit_db": 45},
                "inspection": 3, "created_by": 5, "created_at": "2026-05-04T23:00:00+08:00"}]})],
    )
    @action(detail=True, methods=["get"])
    def measurements(self, request: Request, pk: str) -> Response:
        case = self._case(pk)
        return self._records(case, case.measurements.order_by("measured_at", "pk"), MeasurementSerializer)

    @extend_schema(
        operation_id="cases_measurement_judge",
        summary="The standard's verdict for measured values, without recording them (dry run)",
        description="What the measurement form shows as the values are typed: the values as they would be stored "
        "and the verdict of the standard in force at `measured_at` (default now), with its outcome (`compliant`, "
        "`exceeds`, `remeasure`) and the verdict in words. Writes nothing; record with the `record_measurement` "
        "action. Only who may record a measurement on the case now (as on the desk): others 403; a case the "
        "caller may not see 404. Values that cannot be judged: 400 `invalid_measurement` naming the value.",
        request=MeasurementJudgeInput,
        responses={200: MeasurementJudgeSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
        examples=[
            OpenApiExample("Night-time social noise", request_only=True, value={
                "kind": "noise", "measured_at": "2026-05-04T22:30:00+08:00",
                "values": {"standard": "social", "zone_class": "1", "leq_db": 58.2, "background_db": 41.0}}),
            OpenApiExample("Exceeds", response_only=True, value={
                "kind": "noise", "values": {"standard": "social", "zone_class": "1", "leq_db": 58.2,
                                            "background_db": 41.0},
                "verdict": {"verdict": "exceeds", "limit_db": 45}, "outcome": "exceeds",
                "words": "超标（限值 45 dB(A)）"}),
            OpenApiExample("A value missing", response_only=True, status_codes=["400"], value={
                "code": "invalid_measurement", "detail": "Leq is required.", "errors": {"values.leq_db": ["…"]}}),
        ],
    )
    @action(detail=True, methods=["post"], url_path="measurements/judge", url_name="measurement-judge")
    def judge_measurement(self, request: Request, pk: str) -> Response:
        case = self._case(pk)
        if "record_measurement" not in services.permitted_actions(request.user, case):  # type: ignore[arg-type]
            raise ActionForbidden(_("Only who may record a measurement on the case now has it judged."))
        payload = MeasurementJudgeInput(data=request.data)
        payload.is_valid(raise_exception=True)
        kind = payload.validated_data["kind"]
        try:
            values, verdict = measurements.judge(kind, payload.validated_data["values"],
                                                 payload.validated_data.get("measured_at") or timezone.now())
        except measurements.MeasurementError as error:
            field = "kind" if error.key == "kind" else f"values.{error.key}" if error.key else "values"
            return Response({"code": "invalid_measurement", "detail": error.message,
                             "errors": {field: [error.message]}}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"kind": kind, "values": values, "verdict": verdict,
                         "outcome": measurements.verdict_outcome(verdict),
                         "words": str(measurements.describe_verdict(verdict)) if verdict else ""})


    # --- reply drafting (what the reply form's helpers give on the desk) ----------------------------------

    def _case_for_reply(self, pk: str) -> Case:
        case = self._case(pk)
        if "reply" not in services.permitted_actions(self.request.user, case):  # type: ignore[arg-type]
            raise ActionForbidden(_("Only who may reply to the complainant now drafts the reply."))
        return case

    @extend_schema(
        summary="A reply draft from the templates that fit the case",
        description="The most specific template by default, or `template` (one of `templates`). `gaps`: the "
        "placeholders the case holds no data for yet (left as 【待补充：…】 in the text). Only who may take the "
        "`reply` action now; others 403.",
        parameters=[OpenApiParameter("template", int, required=False)],
        responses={200: inline_serializer("ReplyDraft", {
            "templates": inline_serializer("ReplyTemplateChoice", many=True, fields={
                "id": serializers.IntegerField(), "name": serializers.CharField()}),
            "template": serializers.IntegerField(allow_null=True),
            "text": serializers.CharField(), "gaps": serializers.ListField(child=serializers.CharField()),
            "unknown": serializers.ListField(child=serializers.CharField())}), 403: ERROR, 404: ERROR},
        examples=[OpenApiExample("A fumes complaint", response_only=True, value={
            "templates": [{"id": 3, "name": "餐饮油烟"}], "template": 3,
            "text": "您好！关于您反映的餐馆油烟扰民问题，我局于2026年5月4日到现场核查……", "gaps": ["整改期限"],
            "unknown": []})],
    )
    @action(detail=True, methods=["get"], url_path="reply-draft")
    def reply_draft(self, request: Request, pk: str) -> Response:
        case = self._case_for_reply(pk)
        templates = templates_for(case)
        chosen = templates[0] if templates else None
        wanted = request.query_params.get("template", "")
        if wanted:
            chosen = next((item for item in templates if str(item.pk) == wanted), None)
            if chosen is None:
                raise Http404
        draft = render_template(chosen, case) if chosen else None
        return Response({"templates": [{"id": item.pk, "name": item.name} for item in templates],
                         "template": chosen.pk if chosen else None, "text": draft.text if draft else "",
                         "gaps": draft.gaps if draft else [], "unknown": draft.unknown if draft else []})

    @extend_schema(
        summary="Check a reply before sending it",
        description="The warnings for `text`: what a good reply has and this one lacks, gaps left, no contact with "
        "the complainant yet. Reads only; send the reply with the `reply` action.",
        request=inline_serializer("ReplyCheckInput", {"text": serializers.CharField(max_length=20000)}),
        responses={200: inline_serializer("ReplyCheck", {"warnings": inline_serializer(
            "ReplyWarning", many=True, fields={"code": serializers.CharField(),
                                               "message": serializers.CharField()})}),
            400: ERROR, 403: ERROR, 404: ERROR},
        examples=[OpenApiExample("Check", request_only=True, value={"text": "您好！经核查，已责令整改。"}),
                  OpenApiExample("Two warnings", response_only=True, value={"warnings": [
                      {"code": "no_measures", "message": "答复未写明采取的措施。"},
                      {"code": "gaps_left", "message": "还有 1 处待补充。"}]})],
    )
    @action(detail=True, methods=["post"], url_path="reply-check")
    def reply_check(self, request: Request, pk: str) -> Response:
        case = self._case_for_reply(pk)
        text = request.data.get("text") if isinstance(request.data, dict) else None
        if not isinstance(text, str) or len(text) > 20_000:
            message = _("Give the reply's text (at most 20,000 characters).")
            return Response({"code": "invalid", "detail": message, "errors": {"text": [message]}},
                            status=status.HTTP_400_BAD_REQUEST)
        return Response({"warnings": [{"code": item.code, "message": item.message}
                                      for item in check_reply(case, text)]})


class TokenView(ObtainAuthToken):
    """DRF's token for a user name and password, documented."""

    @extend_schema(
        operation_id="auth_token",
        summary="Get the API token of an account",
        description="Send the user name and password (form or JSON); use the token as `Authorization: Token …`. "
        "Wrong credentials: 400 `invalid`.",
        request=AuthTokenSerializer,
        responses={200: inline_serializer("AuthToken", {"token": serializers.CharField()}), 400: ERROR},
        examples=[OpenApiExample("Credentials", request_only=True, value={"username": "dispatcher",
                                                                          "password": "…"}),
                  OpenApiExample("Token", response_only=True,
                                 value={"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"})],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)
