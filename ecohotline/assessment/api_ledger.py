"""`/api/v1/ledger`: the 台账 as the desk's ledger pages show it (`assessment.views`), over `assessment.ledger`.

Only the overview roles (`CanSeeOverview`); a unit head sees the entries of their unit's cases. The complainant's
name and phone are never given here, and free texts are masked, as on the pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ecohotline.api.errors import form_errors
from ecohotline.api.files import ERROR
from ecohotline.assessment import ledger, retrospectives
from ecohotline.assessment.access import CanSeeOverview
from ecohotline.assessment.forms import MonthForm, staff
from ecohotline.assessment.models import (
    LedgerEntry,
    LedgerReason,
    Retrospective,
    RetrospectiveCause,
    RetrospectiveStatus,
)
from ecohotline.cases.access import mask_complainant, visible_cases
from ecohotline.cases.exceptions import ActionForbidden
from ecohotline.cases.models import Case, CaseEvent
from ecohotline.org.models import OrgUnit, User


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


class LedgerHistorySerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    actor_name = serializers.CharField(allow_null=True)
    details = serializers.ListField(child=serializers.CharField())


class LedgerEntrySerializer(serializers.ModelSerializer[LedgerEntry]):
    reference = serializers.CharField(source="case.reference", read_only=True)
    summary = serializers.SerializerMethodField()
    case_status = serializers.CharField(source="case.status", read_only=True)
    handling_unit = serializers.IntegerField(source="case.handling_unit_id", allow_null=True, read_only=True)
    handling_unit_name = serializers.CharField(source="case.handling_unit.name", default=None, read_only=True)
    leader = serializers.IntegerField(source="case.leader_id", allow_null=True, read_only=True)
    owner_name = serializers.CharField(source="owner.__str__", default=None, read_only=True)
    next_step = serializers.SerializerMethodField()
    difficult_note = serializers.SerializerMethodField()
    exit_reason = serializers.SerializerMethodField()
    age_days = serializers.SerializerMethodField()
    is_open = serializers.SerializerMethodField()

    class Meta:
        model = LedgerEntry
        fields = ["id", "case", "reference", "summary", "case_status", "handling_unit", "handling_unit_name",
                  "leader", "reasons", "difficult_note", "owner", "owner_name", "next_step", "next_date",
                  "entered_at", "age_days", "is_open", "left_at", "exit_kind", "exit_reason"]
        read_only_fields = fields

    def get_summary(self, entry: LedgerEntry) -> str:
        return mask_complainant(entry.case, entry.case.title or entry.case.description[:80])

    def get_next_step(self, entry: LedgerEntry) -> str:
        return mask_complainant(entry.case, entry.next_step)

    def get_difficult_note(self, entry: LedgerEntry) -> str:
        return mask_complainant(entry.case, entry.difficult_note)

    def get_exit_reason(self, entry: LedgerEntry) -> str:
        return mask_complainant(entry.case, entry.exit_reason)

    def get_age_days(self, entry: LedgerEntry) -> int:
        return max((timezone.now() - entry.case.received_at).days, 0)

    def get_is_open(self, entry: LedgerEntry) -> bool:
        return entry.left_at is None


class LedgerEntryDetailSerializer(LedgerEntrySerializer):
    history = serializers.SerializerMethodField()
    can_plan = serializers.SerializerMethodField()
    can_remove = serializers.SerializerMethodField()

    class Meta(LedgerEntrySerializer.Meta):
        fields = [*LedgerEntrySerializer.Meta.fields, "history", "can_plan", "can_remove"]
        read_only_fields = fields

    @staticmethod
    def _details(case: Case, event: CaseEvent) -> list[str]:
        payload = event.payload
        details = []
        if payload.get("reasons"):
            details.append(", ".join(ledger.reason_label(code) for code in payload["reasons"]))
        for key in ("exit", "cause", "responsible_name", "next_step", "next_date", "reason", "note", "text",
                    "lessons"):
            if isinstance(payload.get(key), str) and payload[key]:
                details.append(payload[key])
        return [mask_complainant(case, text) for text in details]

    def get_history(self, entry: LedgerEntry) -> Any:
        events = ledger.history([entry.case_id]).get(entry.case_id, [])
        return LedgerHistorySerializer([
            {"at": event.at, "action": event.action, "actor_name": str(event.actor) if event.actor_id else None,
             "details": self._details(entry.case, event)} for event in events], many=True).data

    def get_can_plan(self, entry: LedgerEntry) -> bool:
        return entry.left_at is None and ledger.can_follow_up(self.context["request"].user, entry.case)

    def get_can_remove(self, entry: LedgerEntry) -> bool:
        return entry.left_at is None and ledger.can_lead(self.context["request"].user)


def _entries(request: Request) -> Any:
    return ledger.seen_by(_user(request), LedgerEntry.objects.select_related(
        "case", "case__handling_unit", "owner"))


_ENTRY_EXAMPLE = {
    "id": 5, "case": 12, "reference": "12345-2605030001", "summary": "小区楼下餐馆油烟扰民", "case_status": "closed",
    "handling_unit": 4, "handling_unit_name": "执法一中队", "leader": 3, "reasons": ["unsatisfied"],
    "difficult_note": "", "owner": 5, "owner_name": "王明", "next_step": "约谈经营者", "next_date": "2026-05-20",
    "entered_at": "2026-05-10T08:00:00+08:00", "age_days": 12, "is_open": True, "left_at": None, "exit_kind": "",
    "exit_reason": ""}


class LedgerListView(generics.ListAPIView[LedgerEntry]):
    permission_classes = [IsAuthenticated, CanSeeOverview]
    serializer_class = LedgerEntrySerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return LedgerEntry.objects.none()
        params = self.request.query_params
        reason = params.get("reason") or None
        if reason is not None and reason not in LedgerReason.values:
            reason = "-"  # nothing matches an unknown reason
        entries = ledger.seen_by(_user(self.request), ledger.open_entries(reason=reason)).select_related(
            "case", "case__handling_unit", "owner")
        unit = params.get("unit", "")
        if unit.isdigit():
            within = OrgUnit.objects.filter(pk=int(unit)).first()
            entries = entries.filter(case__handling_unit__path__startswith=within.path) if within else entries.none()
        leader = params.get("leader", "")
        if leader.isdigit():
            entries = entries.filter(case__leader_id=int(leader))
        return entries

    @extend_schema(
        operation_id="ledger_list",
        summary="The ledger (台账): open entries, oldest first",
        description="Filtered by `reason` (unresolved, unsatisfied, difficult), `unit` (and the units under it) "
        "and `leader`. Texts are masked; no complainant.",
        parameters=[OpenApiParameter("reason", str, required=False, enum=list(LedgerReason.values)),
                    OpenApiParameter("unit", int, required=False), OpenApiParameter("leader", int, required=False)],
        responses={200: LedgerEntrySerializer(many=True), 403: ERROR},
        examples=[OpenApiExample("An entry", response_only=True, value={
            "count": 1, "next": None, "previous": None, "results": [_ENTRY_EXAMPLE]})],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class LedgerEntryView(APIView):
    permission_classes = [IsAuthenticated, CanSeeOverview]

    @extend_schema(
        operation_id="ledger_entry",
        summary="One ledger entry with its history and what the caller may do",
        responses={200: LedgerEntryDetailSerializer, 403: ERROR, 404: ERROR},
        examples=[OpenApiExample("An entry", response_only=True, value={
            **_ENTRY_EXAMPLE, "history": [{"at": "2026-05-10T08:00:00+08:00", "action": "ledger_entered",
                                           "actor_name": None, "details": ["回访不满意"]}],
            "can_plan": True, "can_remove": False})],
    )
    def get(self, request: Request, pk: int) -> Response:
        entry = get_object_or_404(_entries(request), pk=pk)
        return Response(LedgerEntryDetailSerializer(entry, context={"request": request}).data)


class PlanInput(serializers.Serializer[Any]):
    owner = serializers.PrimaryKeyRelatedField(queryset=staff(), required=False, allow_null=True)
    next_step = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    next_date = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class LedgerPlanView(APIView):
    permission_classes = [IsAuthenticated, CanSeeOverview]

    @extend_schema(
        operation_id="ledger_plan",
        summary="Set an entry's owner, next step and next date",
        description="What is not given stays as it is. Leaders, administrators, dispatchers, a head of the case's "
        "unit and its handler may; others 403. An entry that has left the ledger: 400 `ledger_entry_closed`.",
        request=PlanInput,
        responses={200: LedgerEntryDetailSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
        examples=[OpenApiExample("Plan", request_only=True,
                                 value={"owner": 5, "next_step": "约谈经营者", "next_date": "2026-05-20"})],
    )
    def post(self, request: Request, pk: int) -> Response:
        entry = get_object_or_404(_entries(request), pk=pk)
        if not ledger.can_follow_up(_user(request), entry.case):
            raise ActionForbidden(_("Your role does not allow you to plan this case."))
        payload = PlanInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        ledger.update_entry(actor=_user(request), entry=entry, note=data.pop("note", ""), **data)
        entry = get_object_or_404(_entries(request), pk=pk)
        return Response(LedgerEntryDetailSerializer(entry, context={"request": request}).data)


class ReasonInput(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000)


class LedgerRemoveView(APIView):
    permission_classes = [IsAuthenticated, CanSeeOverview]

    @extend_schema(
        operation_id="ledger_remove",
        summary="Take an entry off the ledger (leaders)",
        request=ReasonInput,
        responses={200: LedgerEntryDetailSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
        examples=[OpenApiExample("Remove", request_only=True, value={"reason": "经局务会研究，已化解"})],
    )
    def post(self, request: Request, pk: int) -> Response:
        entry = get_object_or_404(_entries(request), pk=pk)
        if not ledger.can_lead(_user(request)):
            raise ActionForbidden(_("Only leaders may take a case off the ledger."))
        payload = ReasonInput(data=request.data)
        payload.is_valid(raise_exception=True)
        ledger.remove_entry(actor=_user(request), entry=entry, reason=payload.validated_data["reason"])
        entry = get_object_or_404(_entries(request), pk=pk)
        return Response(LedgerEntryDetailSerializer(entry, context={"request": request}).data)


class FlagInput(serializers.Serializer[Any]):
    case = serializers.CharField(max_length=64, help_text="The case id, its order number or its EH- reference.")
    reason = serializers.CharField(max_length=2000)


class LedgerFlagView(APIView):
    permission_classes = [IsAuthenticated, CanSeeOverview]

    @extend_schema(
        operation_id="ledger_flag",
        summary="Mark a case as difficult (疑难): it enters the ledger (leaders)",
        request=FlagInput,
        responses={201: LedgerEntryDetailSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
        examples=[OpenApiExample("Flag", request_only=True, value={"case": "12345-2605030001",
                                                                   "reason": "涉及多部门，反复投诉"})],
    )
    def post(self, request: Request) -> Response:
        if not ledger.can_lead(_user(request)):
            raise ActionForbidden(_("Only leaders may mark a case as difficult."))
        payload = FlagInput(data=request.data)
        payload.is_valid(raise_exception=True)
        value = payload.validated_data["case"].strip()
        number = value[3:] if value.upper().startswith("EH-") else value
        condition = Q(external_id=value)
        if number.isdigit():
            condition |= Q(pk=int(number), external_id="") if value.upper().startswith("EH-") else Q(pk=int(number))
        case = visible_cases(_user(request)).filter(condition).order_by("pk").first()
        if case is None:
            return Response({"code": "not_found", "detail": _("No case has this number."),
                             "errors": {"case": [_("No case has this number.")]}}, status=status.HTTP_404_NOT_FOUND)
        entry = ledger.flag_difficult(actor=_user(request), case=case, reason=payload.validated_data["reason"])
        entry = get_object_or_404(_entries(request), pk=entry.pk)
        return Response(LedgerEntryDetailSerializer(entry, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


# --- retrospectives (回访回溯) ------------------------------------------------------------------------------


class RetrospectiveSerializer(serializers.ModelSerializer[Retrospective]):
    reference = serializers.CharField(source="case.reference", read_only=True)
    summary = serializers.SerializerMethodField()
    status = serializers.CharField(help_text="pending or done")
    cause = serializers.CharField(help_text="A cause code; blank while pending.")
    suggested_cause = serializers.SerializerMethodField()
    lessons = serializers.SerializerMethodField()
    follow_up = serializers.SerializerMethodField()

    class Meta:
        model = Retrospective
        fields = ["id", "case", "reference", "summary", "visit", "visit_at", "status", "cause", "suggested_cause",
                  "lessons", "follow_up", "recorded_by", "recorded_at"]
        read_only_fields = fields

    def get_summary(self, item: Retrospective) -> str:
        return mask_complainant(item.case, item.case.title or item.case.description[:80])

    def get_suggested_cause(self, item: Retrospective) -> str:
        return retrospectives.suggested_cause(item.visit) if item.status == RetrospectiveStatus.PENDING else ""

    def get_lessons(self, item: Retrospective) -> str:
        return mask_complainant(item.case, item.lessons)

    def get_follow_up(self, item: Retrospective) -> str:
        return mask_complainant(item.case, item.follow_up)


class RetrospectiveListView(generics.ListAPIView[Retrospective]):
    permission_classes = [IsAuthenticated, CanSeeOverview]
    serializer_class = RetrospectiveSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Retrospective.objects.none()
        if self.request.query_params.get("status") == RetrospectiveStatus.DONE:
            return ledger.seen_by(_user(self.request), Retrospective.objects.filter(
                status=RetrospectiveStatus.DONE).select_related("case", "visit")).order_by("-recorded_at", "-pk")
        return retrospectives.pending(_user(self.request)).order_by("visit_at", "pk")

    @extend_schema(
        operation_id="retrospectives_list",
        summary="Retrospectives (回访回溯) to fill in, or those filled in",
        description="Pending ones by default (oldest visit first), with the cause the visit points to; "
        "`status=done` for those filled in, latest first. Texts masked; no complainant.",
        parameters=[OpenApiParameter("status", str, required=False, enum=list(RetrospectiveStatus.values))],
        responses={200: RetrospectiveSerializer(many=True), 403: ERROR},
        examples=[OpenApiExample("A pending one", response_only=True, value={
            "count": 1, "next": None, "previous": None, "results": [{
                "id": 4, "case": 12, "reference": "12345-2605030001", "summary": "餐馆油烟扰民", "visit": 9,
                "visit_at": "2026-05-12T10:00:00+08:00", "status": "pending", "cause": "",
                "suggested_cause": "not_solved", "lessons": "", "follow_up": "", "recorded_by": None,
                "recorded_at": None}]})],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class RetrospectiveInput(serializers.Serializer[Any]):
    cause = serializers.CharField(help_text=", ".join(RetrospectiveCause.values))
    lessons = serializers.CharField(max_length=4000)
    follow_up = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class RetrospectiveRecordView(APIView):
    permission_classes = [IsAuthenticated, CanSeeOverview]

    @extend_schema(
        operation_id="retrospectives_record",
        summary="Fill in (or correct) a retrospective",
        description="Leaders, administrators, dispatchers, a head of the case's unit and its handler; others 403. "
        "An unknown cause: 400 `invalid_cause`.",
        request=RetrospectiveInput,
        responses={200: RetrospectiveSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
        examples=[OpenApiExample("Record", request_only=True, value={
            "cause": "compliant_but_disturbing", "lessons": "达标扰民，需加强解释沟通", "follow_up": "街道协调"})],
    )
    def post(self, request: Request, pk: int) -> Response:
        item = get_object_or_404(ledger.seen_by(_user(request), Retrospective.objects.select_related("case")), pk=pk)
        if not ledger.can_follow_up(_user(request), item.case):
            raise ActionForbidden(_("Your role does not allow you to look back on this case."))
        payload = RetrospectiveInput(data=request.data)
        payload.is_valid(raise_exception=True)
        done = retrospectives.record_retrospective(actor=_user(request), retrospective=item,
                                                   **payload.validated_data)
        fresh = Retrospective.objects.select_related("case", "visit").get(pk=done.pk)
        return Response(RetrospectiveSerializer(fresh).data)


class RetrospectiveCausesView(APIView):
    """The month's cause counts, as the retrospectives page shows them."""

    permission_classes = [IsAuthenticated, CanSeeOverview]

    @extend_schema(
        operation_id="retrospectives_causes",
        summary="The causes of a month's unsatisfied return visits (回访回溯原因统计)",
        description="How many of the month's unsatisfied visits (by the visit's day in Beijing) had each cause, "
        "every cause listed (zero when none), and how many are still `pending`. `month` as YYYY-MM, default this "
        "month; another form: 400 `invalid`. The overview roles; others 403.",
        parameters=[OpenApiParameter("month", str, required=False, description="YYYY-MM")],
        responses={200: dict, 400: ERROR, 403: ERROR},
        examples=[OpenApiExample("May", response_only=True, value={
            "month": "2026-05", "start": "2026-05-01", "end": "2026-05-31", "total": 7, "pending": 2,
            "causes": [{"code": "not_solved", "label": "问题未解决", "count": 3},
                       {"code": "compliant_but_disturbing", "label": "达标扰民", "count": 2}]})],
    )
    def get(self, request: Request) -> Response:
        form = MonthForm(request.query_params)
        if not form.is_valid():
            return form_errors(form.errors)
        month = form.month_or(timezone.localdate())
        start, end = retrospectives.month_bounds(month)
        counts = retrospectives.cause_counts(start, end)
        return Response({
            "month": start.strftime("%Y-%m"), "start": start.isoformat(), "end": end.isoformat(),
            "total": sum(counts.values()), "pending": counts[retrospectives.PENDING],
            "causes": [{"code": code, "label": str(label), "count": counts.get(code, 0)}
                       for code, label in RetrospectiveCause.choices]})
