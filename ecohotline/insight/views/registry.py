"""Insight pages and API: the key units registry (重点行业、重点区域、重点单位).

Thin views over `insight.registry` (reads) and `insight.services` (writes). The registry shows business contacts,
never a complainant's; the case texts shown (titles, findings) are masked."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ecohotline.api.errors import field_error, form_errors
from ecohotline.api.files import ERROR
from ecohotline.assessment.access import CanSeeOverview, overview_required
from ecohotline.cases.access import can_see_case, mask_complainant, visible_cases
from ecohotline.cases.exceptions import ActionForbidden, CaseError
from ecohotline.cases.models import Case
from ecohotline.insight import registry, services
from ecohotline.insight.forms import ConfirmKeyUnitForm, KeyUnitFilterForm, KeyUnitForm
from ecohotline.insight.models import KeyUnit
from ecohotline.org.models import OrgUnit, User

PAGE_SIZE = 50
API_LIMIT = 500


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _filtered(form: KeyUnitFilterForm) -> Any:
    data = form.cleaned_data if form.is_valid() else {}
    return registry.key_units(flag=data.get("flag") or "", industry=data.get("industry") or "",
                              street=data.get("street"), query=data.get("q") or "")


@overview_required
def key_unit_list(request: HttpRequest) -> HttpResponse:
    """The registry with its filters and each unit's complaint count."""
    form = KeyUnitFilterForm(request.GET or None)
    page = Paginator(_filtered(form), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "insight/key_units.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "can_edit": services.can_edit_registry(request.user),
    })


@overview_required
def key_unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One unit: complaints by month, linked cases, inspections and measurements with their verdicts."""
    unit = get_object_or_404(KeyUnit.objects.select_related("street", "team"), pk=pk)
    history = registry.key_unit_history(unit)
    cases = [(link, mask_complainant(link.case, link.case.title or link.case.description[:80]))
             for link in history.links]
    inspections = [(item, mask_complainant(item.case, item.findings)) for item in history.inspections]
    measurements = [(item, history.outcomes.get(item.pk, "")) for item in history.measurements]
    peak = max((count for _month, count in history.by_month), default=0)
    return render(request, "insight/key_unit_detail.html", {
        "unit": unit, "history": history, "cases": cases, "inspections": inspections,
        "measurements": measurements, "peak": peak, "can_edit": services.can_edit_registry(request.user),
    })


def _edit(request: HttpRequest, unit: KeyUnit | None) -> HttpResponse:
    if not services.can_edit_registry(request.user):
        raise PermissionDenied
    form = KeyUnitForm(request.POST or None, instance=unit)
    status_code = 200
    if request.method == "POST":
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in services.KEY_UNIT_FIELDS}
            try:
                saved = services.save_key_unit(actor=_user(request), key_unit=unit, **values)
            except CaseError as error:
                form.add_error(error.extra.get("field") if error.extra.get("field") in form.fields else None,
                               error.detail)
            else:
                messages.success(request, _("The key unit is saved."))
                return redirect("insight:key-unit", pk=saved.pk)
        status_code = 400
    return render(request, "insight/key_unit_form.html", {"form": form, "unit": unit}, status=status_code)


@overview_required
def key_unit_new(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@overview_required
def key_unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    # Read again from the database: the form must not change the instance the service compares with.
    return _edit(request, get_object_or_404(KeyUnit, pk=pk))


# --- the case page's fragment ---------------------------------------------------------------------------


def _visible_case(request: HttpRequest, pk: int) -> Case:
    case = get_object_or_404(Case, pk=pk)
    if not can_see_case(_user(request), case):
        raise PermissionDenied
    return case


def _fragment(request: HttpRequest, case: Case, *, status_code: int = 200, error: str = "") -> HttpResponse:
    can_confirm = services.can_confirm_key_unit(request.user)
    return render(request, "insight/_key_unit_suggestion.html", {
        "case": case, "suggestions": registry.suggest_key_units(case), "links": registry.links_of_case(case),
        "can_confirm": can_confirm, "error": error,
    }, status=status_code)


@login_required
def key_unit_suggestions(request: HttpRequest, pk: int) -> HttpResponse:
    """The units the case may be about (htmx fragment of the case page), with Confirm for dispatchers."""
    return _fragment(request, _visible_case(request, pk))


@require_POST
@login_required
def key_unit_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """The dispatcher confirms the unit; answers with the fragment (htmx) or back to the case page."""
    case = _visible_case(request, pk)
    if not services.can_confirm_key_unit(request.user):
        raise PermissionDenied
    form = ConfirmKeyUnitForm(request.POST)
    if not form.is_valid():
        return _fragment(request, case, status_code=400, error=_("Choose a registered, active key unit."))
    try:
        services.confirm_key_unit(actor=_user(request), case=case, key_unit=form.cleaned_data["key_unit"],
                                  score=form.cleaned_data.get("score") or 0.0)
    except ActionForbidden as error:
        raise PermissionDenied(error.detail) from None
    except CaseError as error:
        return _fragment(request, case, status_code=400, error=error.detail)
    if request.headers.get("HX-Request"):
        return _fragment(request, case)
    messages.success(request, _("The key unit is linked to the case."))
    return redirect(reverse("ui:case-detail", args=[case.pk]))


# --- API -------------------------------------------------------------------------------------------------


_KEY_UNIT_EXAMPLE = {
    "id": 5, "name": "某汽修厂", "aliases": ["某汽车维修"], "industry_code": "8111", "address": "海淀区某路1号",
    "street": {"id": 6, "name": "中关村街道"}, "latitude": 39.98, "longitude": 116.31, "flags": ["industry"],
    "team": {"id": 4, "name": "执法一中队"}, "contact": "王经理 010-8888xxxx", "active": True, "complaints": 3}
_KEY_UNIT_REQUEST = {"name": "某汽修厂", "aliases": "某汽车维修", "industry_code": "8111", "address": "海淀区某路1号",
                     "street": 6, "latitude": 39.98, "longitude": 116.31, "is_key_industry": True, "team": 4,
                     "contact": "王经理 010-8888xxxx", "is_active": True}
_KEY_UNIT_INPUT = {"application/json": {"type": "object", "properties": {
    "name": {"type": "string"}, "aliases": {"type": "string"}, "industry_code": {"type": "string"},
    "address": {"type": "string"}, "street": {"type": "integer"}, "latitude": {"type": "number"},
    "longitude": {"type": "number"}, "is_key_industry": {"type": "boolean"}, "is_key_area": {"type": "boolean"},
    "is_key_unit": {"type": "boolean"}, "team": {"type": "integer"}, "contact": {"type": "string"},
    "notes": {"type": "string"}, "is_active": {"type": "boolean"}}}}


def key_unit_json(unit: KeyUnit) -> dict[str, Any]:
    return {
        "id": unit.pk, "name": unit.name, "aliases": unit.alias_list, "industry_code": unit.industry_code,
        "address": unit.address,
        "street": {"id": unit.street_id, "name": unit.street.name} if unit.street else None,
        "latitude": unit.latitude, "longitude": unit.longitude, "flags": unit.flag_codes,
        "team": {"id": unit.team_id, "name": unit.team.name} if unit.team else None,
        "contact": unit.contact, "active": unit.is_active, "complaints": getattr(unit, "complaints", None),
    }


class KeyUnitsApi(APIView):
    """`GET /api/v1/insight/key-units`: the registry (filters flag, industry, street, q) with complaint counts."""

    permission_classes = [IsAuthenticated, CanSeeOverview]

    @extend_schema(
        parameters=[OpenApiParameter("flag", str, enum=["industry", "area", "unit"], required=False),
                    OpenApiParameter("industry", str, required=False, description="GB/T 4754 code prefix."),
                    OpenApiParameter("street", int, required=False, description="Street or town id."),
                    OpenApiParameter("q", str, required=False, description="Name, alias or address contains.")],
        responses={200: dict},
        operation_id="insight_key_units",
        summary="The key units registry (重点单位) with complaint counts",
        examples=[OpenApiExample("A key unit", response_only=True, value={
            "count": 1, "truncated": False, "results": [
                {"id": 5, "name": "某汽修厂", "flags": ["industry"], "team": None, "contact": "", "active": True,
                 "complaints": 3}]})],
    )
    def get(self, request: Request) -> Response:
        flag = request.query_params.get("flag", "")
        if flag and flag not in registry.FLAGS:
            return field_error("flag", _("The flag is industry, area or unit."))
        street = None
        if request.query_params.get("street"):
            try:
                street = OrgUnit.objects.get(pk=int(request.query_params["street"]))
            except (ValueError, OrgUnit.DoesNotExist):
                return field_error("street", _("No such street or town."))
        units = registry.key_units(flag=flag, industry=request.query_params.get("industry", ""), street=street,
                                   query=request.query_params.get("q", ""))
        rows = list(units[:API_LIMIT + 1])
        return Response({"count": min(len(rows), API_LIMIT), "truncated": len(rows) > API_LIMIT,
                         "results": [key_unit_json(unit) for unit in rows[:API_LIMIT]]})


    @extend_schema(
        operation_id="insight_key_unit_create",
        summary="Register a key unit (重点单位)",
        description="The registry form's fields: `name`, `aliases` (one a line), `industry_code` (GB/T 4754), "
        "`address`, `street`, `latitude`/`longitude` (WGS-84, both or neither), the flags `is_key_industry`, "
        "`is_key_area`, `is_key_unit`, `team`, `contact`, `notes`, `is_active`. Leaders, analysts and "
        "administrators; others 403. Bad input: 400 by field, nothing saved.",
        request=_KEY_UNIT_INPUT, responses={201: dict, 400: ERROR, 403: ERROR},
        examples=[OpenApiExample("Register", request_only=True, value=_KEY_UNIT_REQUEST),
                  OpenApiExample("Registered", response_only=True, status_codes=["201"], value=_KEY_UNIT_EXAMPLE)],
    )
    def post(self, request: Request) -> Response:
        return _save_key_unit_api(request, None)


def _key_unit_data(data: Any, unit: KeyUnit | None) -> QueryDict:
    """The body as the registry form's data; for a change, what is not given keeps its value."""
    result = QueryDict(mutable=True)
    if unit is not None:
        for name in services.KEY_UNIT_FIELDS:
            value = getattr(unit, f"{name}_id" if name in ("street", "team") else name)
            if value is not None and value is not False:
                result[name] = str(value)
    if isinstance(data, dict):
        for key, value in data.items():
            result.pop(key, None)
            if value is not None and value is not False:
                result[key] = value if isinstance(value, str) else str(value)
    return result


def _save_key_unit_api(request: Request, unit: KeyUnit | None) -> Response:
    if not services.can_edit_registry(request.user):
        raise ActionForbidden(_("Only leaders, analysts and administrators edit the key units registry."))
    # A separate instance for the form: its cleaning must not change the one the service compares with.
    form = KeyUnitForm(_key_unit_data(request.data, unit),
                       instance=KeyUnit.objects.get(pk=unit.pk) if unit is not None else None)
    if not form.is_valid():
        return form_errors(form.errors)
    values = {name: form.cleaned_data[name] for name in services.KEY_UNIT_FIELDS}
    saved = services.save_key_unit(actor=_user(request), key_unit=unit, **values)
    fresh = registry.key_units(include_inactive=True).filter(pk=saved.pk).first() or saved
    return Response(key_unit_json(fresh), status=201 if unit is None else 200)


class KeyUnitApi(APIView):
    """`/api/v1/insight/key-units/{id}`: one unit with its record; the registry's editors change it."""

    permission_classes = [IsAuthenticated, CanSeeOverview]

    @extend_schema(
        operation_id="insight_key_unit",
        summary="A key unit with its complaints by month, inspections and measurements",
        description="Case texts and findings masked; no complainant (the contact is the business's).",
        responses={200: dict, 403: ERROR, 404: ERROR},
        examples=[OpenApiExample("A unit", response_only=True, value={
            **_KEY_UNIT_EXAMPLE, "by_month": [["2026-04", 2], ["2026-05", 1]],
            "cases": [{"id": 12, "reference": "12345-2605030001", "summary": "汽修厂喷漆异味", "how": "confirmed"}],
            "inspections": [{"id": 3, "case": 12, "at": "2026-05-04T10:00:00+08:00", "findings": "喷漆房未密闭"}],
            "measurements": [{"id": 2, "case": 12, "kind": "odor", "measured_at": "2026-05-04T10:30:00+08:00",
                              "outcome": "exceeds"}]})],
    )
    def get(self, request: Request, pk: int) -> Response:
        unit = registry.key_units(include_inactive=True).filter(pk=pk).first()
        if unit is None:
            raise NotFound()
        history = registry.key_unit_history(unit)
        return Response({
            **key_unit_json(unit), "notes": unit.notes, "by_month": [[month, count] for month, count in
                                                                     history.by_month],
            "cases": [{"id": link.case_id, "reference": link.case.reference, "how": link.how,
                       "summary": mask_complainant(link.case, link.case.title or link.case.description[:80])}
                      for link in history.links],
            "inspections": [{"id": item.pk, "case": item.case_id, "at": item.at.isoformat(),
                             "findings": mask_complainant(item.case, item.findings)} for item in history.inspections],
            "measurements": [{"id": item.pk, "case": item.case_id, "kind": item.kind,
                              "measured_at": item.measured_at.isoformat(), "outcome": history.outcomes.get(item.pk, "")}
                             for item in history.measurements]})

    @extend_schema(
        operation_id="insight_key_unit_update",
        summary="Change a key unit",
        description="As registering one; what is not given keeps its value (send `false` to clear a flag). "
        "Leaders, analysts and administrators; others 403. Bad input: 400 by field, nothing changed.",
        request=_KEY_UNIT_INPUT, responses={200: dict, 400: ERROR, 403: ERROR, 404: ERROR},
        examples=[OpenApiExample("Now a key unit", request_only=True, value={"is_key_unit": True}),
                  OpenApiExample("Changed", response_only=True,
                                 value={**_KEY_UNIT_EXAMPLE, "flags": ["industry", "unit"]})],
    )
    def patch(self, request: Request, pk: int) -> Response:
        return _save_key_unit_api(request, get_object_or_404(KeyUnit, pk=pk))


def _suggestions_json(case: Case) -> dict[str, Any]:
    return {
        "suggestions": [{"key_unit": key_unit_json(item.key_unit), "score": round(item.score, 3),
                         "distance_m": round(item.distance_m) if item.distance_m is not None else None,
                         "matched_name": item.matched_name, "same_street": item.same_street}
                        for item in registry.suggest_key_units(case)],
        "links": [{"key_unit": link.key_unit_id, "name": link.key_unit.name, "how": link.how,
                   "score": round(link.score, 3),
                   "confirmed_by": str(link.confirmed_by) if link.confirmed_by else None,
                   "confirmed_at": link.confirmed_at.isoformat() if link.confirmed_at else None}
                  for link in registry.links_of_case(case)]}


_CASE_KEY_UNITS_EXAMPLE = {
    "suggestions": [{"key_unit": _KEY_UNIT_EXAMPLE, "score": 0.82, "distance_m": 45, "matched_name": "某汽修厂",
                     "same_street": True}],
    "links": [{"key_unit": 5, "name": "某汽修厂", "how": "confirmed", "score": 0.82, "confirmed_by": "调度员",
               "confirmed_at": "2026-05-03T15:00:00+08:00"}]}


def _api_case(request: Request, pk: int) -> Case:
    return get_object_or_404(visible_cases(_user(request)), pk=pk)


class CaseKeyUnitsApi(APIView):
    """`/api/v1/insight/cases/{id}/key-units`: the units a case may be about, and the confirmed links."""

    @extend_schema(
        operation_id="insight_case_key_units",
        summary="The key units a case may be about, and those linked to it",
        description="As the case page shows them: up to three suggestions (near the case's point or named in its "
        "text), best first, and the units linked. Whoever may see the case; others 404.",
        responses={200: dict, 404: ERROR},
        examples=[OpenApiExample("A suggestion and a link", response_only=True, value=_CASE_KEY_UNITS_EXAMPLE)],
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_suggestions_json(_api_case(request, pk)))


class CaseKeyUnitConfirmApi(APIView):
    """`POST /api/v1/insight/cases/{id}/key-units/confirm`: the dispatcher confirms the unit."""

    @extend_schema(
        operation_id="insight_case_key_unit_confirm",
        summary="Confirm the key unit a case is about (关联重点单位)",
        description="`key_unit`: a registered, active unit; `score` (0–1, optional): the suggestion's. The case's "
        "timeline gets a `key_unit_linked` entry; confirming again changes nothing. Dispatchers and administrators "
        "(403 otherwise); a case the caller may not see 404; bad input 400, nothing linked.",
        request={"application/json": {"type": "object", "properties": {
            "key_unit": {"type": "integer"}, "score": {"type": "number", "minimum": 0, "maximum": 1}},
            "required": ["key_unit"]}},
        responses={200: dict, 400: ERROR, 403: ERROR, 404: ERROR},
        examples=[OpenApiExample("Confirm", request_only=True, value={"key_unit": 5, "score": 0.82}),
                  OpenApiExample("Linked", response_only=True, value={**_CASE_KEY_UNITS_EXAMPLE, "suggestions": []})],
    )
    def post(self, request: Request, pk: int) -> Response:
        case = _api_case(request, pk)
        if not services.can_confirm_key_unit(request.user):
            raise ActionForbidden(_("Only dispatchers and administrators confirm the key unit of a case."))
        data = request.data if isinstance(request.data, dict) else {}
        form = ConfirmKeyUnitForm({key: data[key] for key in ("key_unit", "score")
                                   if key in data and data[key] is not None})
        if not form.is_valid():
            return form_errors(form.errors)
        services.confirm_key_unit(actor=_user(request), case=case, key_unit=form.cleaned_data["key_unit"],
                                  score=form.cleaned_data.get("score") or 0.0)
        return Response(_suggestions_json(case))


urlpatterns: list[Any] = [
    path("key-units/", key_unit_list, name="key-units"),
    path("key-units/new/", key_unit_new, name="key-unit-new"),
    path("key-units/<int:pk>/", key_unit_detail, name="key-unit"),
    path("key-units/<int:pk>/edit/", key_unit_edit, name="key-unit-edit"),
    path("cases/<int:pk>/key-units/", key_unit_suggestions, name="key-unit-suggestions"),
    path("cases/<int:pk>/key-units/confirm/", key_unit_confirm, name="key-unit-confirm"),
]
api_urlpatterns: list[Any] = [
    path("key-units", KeyUnitsApi.as_view(), name="insight-key-units"),
    path("key-units/<int:pk>", KeyUnitApi.as_view(), name="insight-key-unit"),
    path("cases/<int:pk>/key-units", CaseKeyUnitsApi.as_view(), name="insight-case-key-units"),
    path("cases/<int:pk>/key-units/confirm", CaseKeyUnitConfirmApi.as_view(), name="insight-case-key-unit-confirm"),
]
