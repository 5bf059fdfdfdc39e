"""Insight pages and API: the key units registry (重点行业、重点区域、重点单位).

Thin views over `insight.registry` (reads) and `insight.services` (writes). The registry shows business contacts,
never a complainant's; the case texts shown (titles, findings) are masked."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ecohotline.api.errors import field_error
from ecohotline.assessment.access import CanSeeOverview, overview_required
from ecohotline.cases.access import can_see_case, mask_complainant
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
]
