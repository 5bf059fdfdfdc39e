"""The desk's own pages as API: the inbox (待办) and the dispatcher's one-click decisions, the user's
notifications, and the reference data forms choose from (categories, units, streets, people)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ecohotline.api.files import ERROR
from ecohotline.api.serializers import CaseSerializer
from ecohotline.cases import access
from ecohotline.cases.exceptions import ActionForbidden
from ecohotline.cases.inbox import SECTIONS_BY_CODE, TOTAL, inbox_counts, section_cases, section_rows, sections_for
from ecohotline.cases.models import Case, Category
from ecohotline.cases.selectors import assignable_categories
from ecohotline.cases.services import HANDLING_UNIT_KINDS
from ecohotline.intake import suggestions
from ecohotline.intake.models import DuplicateSuggestion
from ecohotline.notify import selectors as notify_selectors
from ecohotline.notify import services as notify_services
from ecohotline.notify.models import Notification
from ecohotline.org.models import PLACE_KINDS, OrgUnit, Role, RoleAssignment, User

MAX_BULK = 200


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


def _require_dispatcher(request: Request) -> None:
    if not _user(request).has_role(Role.DISPATCHER, Role.ADMIN):
        raise ActionForbidden(_("Only dispatchers may do this."))


# --- the inbox ------------------------------------------------------------------------------------------

class InboxSectionSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    role = serializers.CharField()
    title = serializers.CharField()
    count = serializers.IntegerField()


class InboxSerializer(serializers.Serializer[Any]):
    total = serializers.IntegerField(help_text="Cases in at least one section that asks the caller to act.")
    sections = InboxSectionSerializer(many=True)


class InboxView(APIView):
    @extend_schema(
        operation_id="inbox_counts",
        summary="My inbox (待办): the sections of my roles and how many cases each holds",
        description="The same sections and counts as the desk's inbox. The cases of a section: "
        "`GET /api/v1/inbox/{section}`.",
        responses={200: InboxSerializer},
        examples=[OpenApiExample("A dispatcher", response_only=True, value={"total": 7, "sections": [
            {"code": "new_and_returned", "role": "dispatcher", "title": "新派和退回的工单", "count": 5},
            {"code": "triage_suggestions", "role": "dispatcher", "title": "待确认的派单建议", "count": 2},
            {"code": "duplicate_suggestions", "role": "dispatcher", "title": "待确认的重复件", "count": 0}]})],
    )
    def get(self, request: Request) -> Response:
        user = _user(request)
        counts = inbox_counts(user, timezone.now())
        return Response({"total": counts.get(TOTAL, 0), "sections": [
            {"code": section.code, "role": section.role, "title": str(section.title),
             "count": counts.get(section.code, 0)} for section in sections_for(user)]})


class InboxSectionView(generics.ListAPIView[Case]):
    serializer_class = CaseSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Case.objects.none()
        user = _user(self.request)
        code = self.kwargs["section"]
        if code not in SECTIONS_BY_CODE or SECTIONS_BY_CODE[code].role not in user.role_codes:
            raise NotFound(_("No such section in your inbox."))
        now = timezone.now()
        cases = section_cases(user, code, now).select_related("street", "handling_unit", "policy")
        if SECTIONS_BY_CODE[code].keep is not None:
            return section_rows(cases, code, now)
        return cases

    @extend_schema(
        operation_id="inbox_section",
        summary="The cases of one inbox section",
        description="Nearest deadline first, then the oldest, as on the desk. 404 `not_found` for a section that "
        "is not one of the caller's roles. Paginated.",
        parameters=[OpenApiParameter("section", str, OpenApiParameter.PATH, enum=list(SECTIONS_BY_CODE))],
        responses={200: CaseSerializer(many=True), 404: ERROR},
        examples=[OpenApiExample("Dispatched to my unit", response_only=True, value={
            "count": 1, "next": None, "previous": None, "results": [
                {"id": 12, "reference": "12345-2605030001", "status": "dispatched", "handling_unit": 4}]})],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


def _decided(case: Case, request: Request) -> Response:
    fresh = access.visible_cases(_user(request)).filter(pk=case.pk).first()
    if fresh is None:
        return Response({"id": case.pk}, status=status.HTTP_200_OK)
    return Response(CaseSerializer(fresh, context={"request": request}).data)


def _note(request: Request) -> str:
    """The optional `note` of a decision body (at most 5,000 characters)."""
    return str(request.data.get("note", ""))[:5000] if isinstance(request.data, dict) else ""


_NOTE = inline_serializer("DecisionNote", {"note": serializers.CharField(required=False, allow_blank=True)})


class TriageAcceptView(APIView):
    @extend_schema(
        operation_id="inbox_triage_accept",
        summary="Accept the routing suggestion of a new case (one-click dispatch)",
        request=_NOTE,
        responses={200: CaseSerializer, 403: ERROR, 404: ERROR, 409: ERROR},
        examples=[OpenApiExample("Accept", request_only=True, value={"note": ""})],
    )
    def post(self, request: Request, pk: int) -> Response:
        _require_dispatcher(request)
        case = get_object_or_404(access.visible_cases(_user(request)), pk=pk)
        return _decided(suggestions.accept_triage_suggestion(actor=_user(request), case=case, note=_note(request)),
                        request)


class TriageDismissView(APIView):
    @extend_schema(
        operation_id="inbox_triage_dismiss",
        summary="Dismiss the routing suggestion of a new case",
        description="The case stays new, for the dispatcher to dispatch by hand.",
        request=None,
        responses={200: CaseSerializer, 403: ERROR, 404: ERROR, 409: ERROR},
        examples=[OpenApiExample("Still new", response_only=True, value={
            "id": 12, "reference": "12345-2605030001", "status": "new", "handling_unit": None})],
    )
    def post(self, request: Request, pk: int) -> Response:
        _require_dispatcher(request)
        case = get_object_or_404(access.visible_cases(_user(request)), pk=pk)
        suggestions.dismiss_triage_suggestion(actor=_user(request), case=case)
        return _decided(case, request)


class DuplicateSuggestionSerializer(serializers.ModelSerializer[DuplicateSuggestion]):
    case_reference = serializers.CharField(source="case.reference")
    candidate_reference = serializers.CharField(source="candidate.reference")
    status = serializers.CharField(help_text="pending, accepted or dismissed")

    class Meta:
        model = DuplicateSuggestion
        fields = ["id", "case", "case_reference", "candidate", "candidate_reference", "score", "status"]
        read_only_fields = fields


class DuplicateListView(generics.ListAPIView[DuplicateSuggestion]):
    serializer_class = DuplicateSuggestionSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return DuplicateSuggestion.objects.none()
        _require_dispatcher(self.request)
        visible = access.visible_cases(_user(self.request)).values("pk")
        return (suggestions.pending_duplicates().filter(case__in=visible, candidate__in=visible)
                .select_related("case", "candidate").order_by("case_id", "-score", "pk"))

    @extend_schema(
        operation_id="inbox_duplicates",
        summary="Pending possible duplicates (重复件) to confirm or dismiss",
        responses={200: DuplicateSuggestionSerializer(many=True), 403: ERROR},
        examples=[OpenApiExample("One pair", response_only=True, value={
            "count": 1, "next": None, "previous": None, "results": [{
                "id": 9, "case": 14, "case_reference": "12345-2605030007", "candidate": 12,
                "candidate_reference": "12345-2605030001", "score": 0.91, "status": "pending"}]})],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


def _duplicate(request: Request, pk: int) -> DuplicateSuggestion:
    _require_dispatcher(request)
    visible = access.visible_cases(_user(request)).values("pk")
    return get_object_or_404(DuplicateSuggestion.objects.select_related("case", "candidate")
                             .filter(case__in=visible, candidate__in=visible), pk=pk)


class DuplicateConfirmView(APIView):
    @extend_schema(
        operation_id="inbox_duplicate_confirm",
        summary="Confirm a possible duplicate: the case is merged into the candidate (并案)",
        request=_NOTE,
        responses={200: CaseSerializer, 403: ERROR, 404: ERROR, 409: ERROR},
        examples=[OpenApiExample("Confirm", request_only=True, value={"note": "同一油烟问题"})],
    )
    def post(self, request: Request, pk: int) -> Response:
        suggestion = _duplicate(request, pk)
        case = suggestions.confirm_duplicate(actor=_user(request), suggestion=suggestion, note=_note(request))
        return _decided(case, request)


class DuplicateDismissView(APIView):
    @extend_schema(
        operation_id="inbox_duplicate_dismiss",
        summary="Dismiss a possible duplicate",
        description="The two cases are handled each on its own; the suggestion is `dismissed`.",
        request=None,
        responses={200: DuplicateSuggestionSerializer, 403: ERROR, 404: ERROR, 409: ERROR},
        examples=[OpenApiExample("Dismissed", response_only=True, value={
            "id": 9, "case": 14, "case_reference": "12345-2605030007", "candidate": 12,
            "candidate_reference": "12345-2605030001", "score": 0.91, "status": "dismissed"})],
    )
    def post(self, request: Request, pk: int) -> Response:
        suggestion = suggestions.dismiss_duplicate(actor=_user(request), suggestion=_duplicate(request, pk))
        return Response(DuplicateSuggestionSerializer(suggestion).data)


class BulkDispatchInput(serializers.Serializer[Any]):
    cases = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=MAX_BULK)
    unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.filter(is_active=True))
    note = serializers.CharField(required=False, default="", allow_blank=True, max_length=5000)


_BULK_RESULT = inline_serializer("BulkDispatchResult", {
    "dispatched": serializers.ListField(child=serializers.IntegerField()),
    "refused": inline_serializer("BulkDispatchRefusal", many=True, fields={
        "case": serializers.IntegerField(), "code": serializers.CharField(), "detail": serializers.CharField()}),
})


class BulkDispatchView(APIView):
    @extend_schema(
        operation_id="inbox_bulk_dispatch",
        summary="Dispatch several cases to one unit (批量派单)",
        description="Each case is dispatched in a transaction of its own: a refused one (dispatched meanwhile, "
        "not visible) is listed in `refused` with its code, and the others are dispatched.",
        request=BulkDispatchInput,
        responses={200: _BULK_RESULT, 400: ERROR, 403: ERROR},
        examples=[OpenApiExample("Three cases to the first squad", request_only=True,
                                 value={"cases": [12, 14, 15], "unit": 4}),
                  OpenApiExample("One refused", response_only=True, value={
                      "dispatched": [12, 14],
                      "refused": [{"case": 15, "code": "transition_not_allowed", "detail": "…"}]})],
    )
    def post(self, request: Request) -> Response:
        _require_dispatcher(request)
        payload = BulkDispatchInput(data=request.data)
        payload.is_valid(raise_exception=True)
        wanted = list(dict.fromkeys(payload.validated_data["cases"]))
        cases = list(access.visible_cases(_user(request)).filter(pk__in=wanted).order_by("pk"))
        outcomes = suggestions.dispatch_many(actor=_user(request), cases=cases, unit=payload.validated_data["unit"],
                                             note=payload.validated_data["note"])
        found = {case.pk for case in cases}
        refused = [{"case": outcome.case.pk, "code": outcome.error.code, "detail": outcome.error.detail}
                   for outcome in outcomes if outcome.error is not None]
        refused += [{"case": pk, "code": "not_found", "detail": _("Not found.")} for pk in wanted if pk not in found]
        return Response({"dispatched": [outcome.case.pk for outcome in outcomes if outcome.error is None],
                         "refused": refused})


# --- notifications --------------------------------------------------------------------------------------

class NotificationSerializer(serializers.ModelSerializer[Notification]):
    text = serializers.SerializerMethodField()
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "case_id", "created_at", "read_at", "read"]
        read_only_fields = fields

    def get_text(self, notification: Notification) -> str:
        return notify_selectors.notification_text(notification)

    def get_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class NotificationListView(generics.ListAPIView[Notification]):
    serializer_class = NotificationSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        queryset = notify_selectors.notifications_for(_user(self.request))
        if self.request.query_params.get("unread") in ("1", "true"):
            queryset = queryset.filter(read_at__isnull=True)
        return queryset

    @extend_schema(
        operation_id="notifications_list",
        summary="My notifications, newest first",
        parameters=[OpenApiParameter("unread", bool, required=False, description="Only the unread ones.")],
        responses={200: NotificationSerializer(many=True)},
        examples=[OpenApiExample("A reminder", response_only=True, value={
            "count": 1, "next": None, "previous": None, "results": [{
                "id": 51, "kind": "deadline_reminder", "text": "12345-2605030001：“答复”时限为 2026-05-05 17:00。",
                "case_id": 12, "created_at": "2026-05-05T09:00:00+08:00", "read_at": None, "read": False}]})],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class NotificationReadView(APIView):
    @extend_schema(
        operation_id="notifications_read",
        summary="Mark one of my notifications read",
        request=None,
        responses={204: OpenApiResponse(description="Marked read."),
                   404: OpenApiResponse(description="`not_found`: no such notification of the caller's.")},
    )
    def post(self, request: Request, pk: int) -> Response:
        if not notify_services.mark_read(user=_user(request), notification_id=pk):
            raise NotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)


class NotificationReadAllView(APIView):
    @extend_schema(
        operation_id="notifications_read_all",
        summary="Mark all my notifications read",
        request=None,
        responses={200: inline_serializer("NotificationsMarked", {"marked": serializers.IntegerField()})},
        examples=[OpenApiExample("Three marked", response_only=True, value={"marked": 3})],
    )
    def post(self, request: Request) -> Response:
        return Response({"marked": notify_services.mark_all_read(user=_user(request))})


# --- reference data -------------------------------------------------------------------------------------

class CategorySerializer(serializers.ModelSerializer[Category]):
    parent = serializers.CharField(  # type: ignore[assignment]  # a field, not Field.parent
        source="parent.code", default=None, read_only=True)
    assignable = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = ["code", "parent", "name_zh", "name_en", "is_active", "assignable"]
        read_only_fields = fields

    def get_assignable(self, category: Category) -> bool:
        return category.code in self.context["assignable"]


class CategoryListView(generics.ListAPIView[Category]):
    serializer_class = CategorySerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        return Category.objects.select_related("parent").order_by("sort_order", "code")

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "assignable": assignable_categories()}

    @extend_schema(
        operation_id="reference_categories",
        summary="The pollution categories and sub-categories",
        description="`assignable`: a code a person may give a case (`set_category`, `sub_category` on "
        "registration). Not paginated (a few dozen).",
        responses={200: CategorySerializer(many=True)},
        examples=[OpenApiExample("Two", response_only=True, value=[
            {"code": "noise", "parent": None, "name_zh": "噪声", "name_en": "Noise", "is_active": True,
             "assignable": False},
            {"code": "noise.social", "parent": "noise", "name_zh": "社会生活噪声", "name_en": "Social noise",
             "is_active": True, "assignable": True}])],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class OrgUnitSerializer(serializers.ModelSerializer[OrgUnit]):
    kind = serializers.CharField(help_text="bureau, brigade, squad, section, district, street, town or department")

    class Meta:
        model = OrgUnit
        fields = ["id", "name", "code", "kind", "parent", "is_active"]
        read_only_fields = fields


class OrgUnitListView(generics.ListAPIView[OrgUnit]):
    serializer_class = OrgUnitSerializer
    places_only = False

    def get_queryset(self) -> Any:
        queryset = OrgUnit.objects.all()
        if self.places_only:
            queryset = queryset.filter(kind__in=PLACE_KINDS)
        kind = self.request.query_params.get("kind")
        if kind == "handling":
            queryset = queryset.filter(kind__in=HANDLING_UNIT_KINDS)
        elif kind:
            queryset = queryset.filter(kind=kind)
        if self.request.query_params.get("active", "true") != "all":
            queryset = queryset.filter(is_active=True)
        return queryset.order_by("path")

    @extend_schema(
        operation_id="reference_units",
        summary="Organisation units (for dispatch, reassignment, joint handling)",
        parameters=[OpenApiParameter("kind", str, required=False,
                                     description="A unit kind, or `handling` for those that may hold cases."),
                    OpenApiParameter("active", str, required=False, enum=["true", "all"])],
        responses={200: OrgUnitSerializer(many=True)},
        examples=[OpenApiExample("A squad", response_only=True, value={
            "count": 1, "next": None, "previous": None, "results": [
                {"id": 4, "name": "执法一中队", "code": "squad-1", "kind": "squad", "parent": 2,
                 "is_active": True}]})],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class StreetListView(OrgUnitListView):
    places_only = True

    @extend_schema(
        operation_id="reference_streets",
        summary="The district's streets and towns (街乡)",
        responses={200: OrgUnitSerializer(many=True)},
        examples=[OpenApiExample("A street", response_only=True, value={
            "count": 1, "next": None, "previous": None, "results": [
                {"id": 6, "name": "中关村街道", "code": "zhongguancun", "kind": "street", "parent": None,
                 "is_active": True}]})],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class StaffSerializer(serializers.ModelSerializer[User]):
    name = serializers.CharField(source="__str__", read_only=True)
    unit_name = serializers.CharField(source="unit.name", default=None, read_only=True)
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "name", "unit", "unit_name", "roles"]
        read_only_fields = fields

    def get_roles(self, user: User) -> list[str]:
        return sorted(assignment.role for assignment in user.role_assignments.all())


class StaffListView(generics.ListAPIView[User]):
    """Active staff to choose from (handler, leader, owner); no phone numbers or e-mail addresses."""

    serializer_class = StaffSerializer

    def get_queryset(self) -> Any:
        queryset = User.objects.filter(is_active=True).select_related("unit").prefetch_related(
            Prefetch("role_assignments", queryset=RoleAssignment.objects.order_by("role")))
        role = self.request.query_params.get("role")
        if role:
            queryset = queryset.filter(role_assignments__role=role)
        unit = self.request.query_params.get("unit", "")
        if unit.isdigit():
            within = OrgUnit.objects.filter(pk=int(unit)).first()
            queryset = queryset.filter(unit__path__startswith=within.path) if within else queryset.none()
        q = self.request.query_params.get("q", "").strip()
        if q:
            queryset = queryset.filter(Q(display_name__icontains=q) | Q(username__icontains=q))
        return queryset.distinct().order_by("unit__path", "display_name", "username")

    @extend_schema(
        operation_id="reference_users",
        summary="Staff to assign (handlers, unit heads, leaders…)",
        parameters=[OpenApiParameter("role", str, required=False, enum=list(Role.values)),
                    OpenApiParameter("unit", int, required=False, description="This unit and those under it."),
                    OpenApiParameter("q", str, required=False, description="Part of the name or user name.")],
        responses={200: StaffSerializer(many=True)},
        examples=[OpenApiExample("A handler", response_only=True, value={
            "count": 1, "next": None, "previous": None, "results": [
                {"id": 5, "username": "wangming", "name": "王明", "unit": 4, "unit_name": "执法一中队",
                 "roles": ["handler"]}]})],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


__all__ = ["BulkDispatchView", "CategoryListView", "DuplicateConfirmView", "DuplicateDismissView",
           "DuplicateListView", "InboxSectionView", "InboxView", "NotificationListView", "NotificationReadAllView",
           "NotificationReadView", "OrgUnitListView", "StaffListView", "StreetListView", "TriageAcceptView",
           "TriageDismissView"]
