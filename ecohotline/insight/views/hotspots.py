"""Insight pages and API: hotspots (热点区域), emerging hotspots (新兴热点) and repeated sources (重复投诉源).

Thin views over `insight.hotspots`, `insight.emerging` and `insight.sources`. Counts, places and case links only:
no complainant's name or phone is shown, and the free texts shown (titles, addresses) are masked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ecohotline.api.errors import field_error
from ecohotline.assessment.access import CanSeeOverview, overview_required
from ecohotline.cases.access import mask_complainant
from ecohotline.cases.models import Case, Category
from ecohotline.cases.selectors import category_label
from ecohotline.core import geo
from ecohotline.core.widgets import DatePicker
from ecohotline.core.workdays import BEIJING
from ecohotline.insight import emerging, hotspots, sources

MAX_DAYS = 366
DEFAULT_DAYS = 90
# Repeated sources compare complaints pair by pair: a month of a 1,000,000-a-year district takes about 4 s, a
# quarter about 20 s (bench/hotspots.py --sources), so their page and API default to a month.
DEFAULT_SOURCE_DAYS = 30
AREA_LIMIT = 50  # areas and emerging cells listed on the page (the map shows every significant cell)
CASES_SHOWN = 10  # cases listed under each hotspot, source or emerging cell on the page
API_CASE_IDS = 100  # case ids given per area or cell by the API (the latest first), with the full count
MAX_TOP = 200


def today() -> dt.date:
    return timezone.now().astimezone(BEIJING).date()


def category_choices() -> list[tuple[str, str]]:
    return [("", str(_("All categories"))), *[
        (code, category_label(code)) for code in Category.objects.filter(is_active=True).order_by(
            "code").values_list("code", flat=True)]]


_INPUT = {"class": "form-control form-control-sm"}


class HotspotForm(forms.Form):
    """The period (Beijing days, both included), the category, and the weeks of the emerging analysis."""

    start = forms.DateField(label=gettext_lazy("From"), required=False,
                            widget=DatePicker(attrs=_INPUT))
    end = forms.DateField(label=gettext_lazy("To"), required=False,
                          widget=DatePicker(attrs=_INPUT))
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False,
                                 widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    weeks = forms.IntegerField(label=gettext_lazy("Weeks (emerging)"), required=False,
                               min_value=emerging.MIN_WEEKS, max_value=emerging.MAX_WEEKS,
                               widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()  # type: ignore[attr-defined]

    default_days = DEFAULT_DAYS

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        end = data.get("end") or today()
        start = data.get("start") or end - dt.timedelta(days=self.default_days - 1)
        if end < start:
            raise forms.ValidationError(_("The end must be on or after the start."))
        if (end - start).days >= MAX_DAYS:
            raise forms.ValidationError(_("Choose a period of at most a year."))
        data.update(start=start, end=end, category=data.get("category") or None,
                    weeks=data.get("weeks") or emerging.DEFAULT_WEEKS)
        return data


def _defaults(days: int = DEFAULT_DAYS) -> dict[str, Any]:
    end = today()
    return {"start": end - dt.timedelta(days=days - 1), "end": end, "category": None,
            "weeks": emerging.DEFAULT_WEEKS}


def _case_list_url(start: dt.date, end: dt.date, category: str | None) -> str:
    params = {"received_from": start.isoformat(), "received_to": end.isoformat()}
    if category:
        params["category"] = category
    return f"{reverse('ui:case-list')}?{urlencode(params)}"


def _gcj_polygon(bounds: tuple[float, float, float, float]) -> list[list[float]]:
    """A cell's corners in GCJ-02, the system of the district outlines the map draws."""
    south, west, north, east = bounds
    return [[round(v, 6) for v in geo.wgs84_to_gcj02(lng, lat)]
            for lng, lat in ((west, south), (east, south), (east, north), (west, north))]


def _shown_cases(ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The few cases listed on a page, with masked titles: one query."""
    rows = {}
    for case in Case.objects.filter(pk__in=set(ids)).only(
            "pk", "external_id", "received_at", "title", "description", "category", "sub_category", "address",
            "complainant_name", "complainant_phone"):
        text = case.title or case.description[:60]
        rows[case.pk] = {"pk": case.pk, "number": str(case), "received_at": case.received_at,
                         "title": mask_complainant(case, text), "address": mask_complainant(case, case.address),
                         "category": category_label(case.sub_category or case.category),
                         "url": reverse("ui:case-detail", args=[case.pk])}
    return rows


# --- the pages ----------------------------------------------------------------------------------------------


@overview_required
def hotspots_page(request: HttpRequest) -> HttpResponse:
    """热点区域 and 新兴热点: the district map of hot and cold cells, the hotspot areas and the emerging cells."""
    form = HotspotForm(request.GET or None, initial=_defaults())
    options = form.cleaned_data if form.is_valid() else _defaults()
    start, end, category, weeks = options["start"], options["end"], options["category"], options["weeks"]
    result = hotspots.compute_hotspots(start, end, category=category)
    found = emerging.compute_emerging(end, weeks=weeks, category=category)
    areas = result.hotspots[:AREA_LIMIT]
    in_areas = hotspots.cases_by_cell(hotspots.complaints(start, end, category), [c for a in areas for c in a.cell_ids])
    listed = found.cells[:AREA_LIMIT]
    in_emerging = hotspots.cases_by_cell(hotspots.complaints(found.start, end, category), [c.cell for c in listed])
    area_ids = {area.rank: hotspots.merge_case_ids(in_areas, area.cell_ids) for area in areas}
    emerging_ids = {cell.cell: hotspots.merge_case_ids(in_emerging, [cell.cell]) for cell in listed}
    shown = _shown_cases([pk for ids in area_ids.values() for pk in ids[:CASES_SHOWN]]
                         + [pk for ids in emerging_ids.values() for pk in ids[:CASES_SHOWN]])
    area_rows = [{"area": area, "cases": len(area_ids[area.rank]),
                  "shown": [shown[pk] for pk in area_ids[area.rank][:CASES_SHOWN] if pk in shown]} for area in areas]
    emerging_rows = [{"cell": cell, "shown": [shown[pk] for pk in emerging_ids[cell.cell][:CASES_SHOWN] if pk in shown],
                      "cases": len(emerging_ids[cell.cell])} for cell in listed]
    data = {
        "text": {"hot": _("Hot cell"), "cold": _("Cold cell"), "complaints": _("Complaints"), "z": _("Gi* z-score"),
                 "emerging": _("Emerging")},
        "cells": [{"kind": "hot", "count": cell.count, "z": round(cell.z, 2), "polygon": _gcj_polygon(cell.bounds)}
                  for cell in result.hot_cells]
        + [{"kind": "cold", "count": cell.count, "z": round(cell.z, 2), "polygon": _gcj_polygon(cell.bounds)}
           for cell in result.cold_cells],
        "emerging": [{"kind": cell.kind, "label": cell.label, "count": cell.total,
                      "polygon": _gcj_polygon(cell.bounds)} for cell in found.cells],
    }
    return render(request, "insight/hotspots.html", {
        "form": form, "start": start, "end": end, "category": category,
        "category_name": category_label(category) if category else "", "result": result, "emerging": found,
        "area_rows": area_rows, "emerging_rows": emerging_rows, "more_areas": max(0, len(result.hotspots) - AREA_LIMIT),
        "more_emerging": max(0, len(found.cells) - AREA_LIMIT),
        "case_list_url": _case_list_url(start, end, category), "data": data,
    })


class SourcesForm(HotspotForm):
    """The period, the category and how many sources to list."""

    weeks = None  # type: ignore[assignment]  # the emerging analysis is not on this page
    default_days = DEFAULT_SOURCE_DAYS
    top = forms.IntegerField(label=gettext_lazy("How many"), required=False, min_value=1, max_value=MAX_TOP,
                             widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["top"] = data.get("top") or sources.DEFAULT_TOP
        return data


@overview_required
def sources_page(request: HttpRequest) -> HttpResponse:
    """重复投诉源: places and polluters with repeated complaints, ranked, each with its history and cases."""
    form = SourcesForm(request.GET or None, initial={**_defaults(DEFAULT_SOURCE_DAYS), "top": sources.DEFAULT_TOP})
    options = form.cleaned_data if form.is_valid() else {**_defaults(DEFAULT_SOURCE_DAYS), "top": sources.DEFAULT_TOP}
    start, end, category = options["start"], options["end"], options["category"]
    found = sources.repeated_sources(start, end, category=category, top=options["top"])
    shown = _shown_cases([pk for source in found.sources for pk in source.case_ids[-CASES_SHOWN:]])
    rows = [{"source": source,
             "shown": [shown[pk] for pk in reversed(source.case_ids[-CASES_SHOWN:]) if pk in shown],
             "months": list(source.by_month.items()),
             "categories": [(category_label(code) or _("No category"), count)
                            for code, count in source.by_category.items()]}
            for source in found.sources]
    return render(request, "insight/sources.html", {
        "form": form, "start": start, "end": end, "category": category,
        "category_name": category_label(category) if category else "", "found": found, "rows": rows,
        "case_list_url": _case_list_url(start, end, category),
    })


# --- the API ------------------------------------------------------------------------------------------------


def _date(request: Request, name: str, default: dt.date | None = None) -> dt.date | Response:
    raw = request.query_params.get(name, "")
    if not raw and default is not None:
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return field_error(name, _("Give a date as YYYY-MM-DD."))


def _period(request: Request, default_days: int = DEFAULT_DAYS) -> tuple[dt.date, dt.date] | Response:
    end = _date(request, "end", today())
    if isinstance(end, Response):
        return end
    start = _date(request, "start", end - dt.timedelta(days=default_days - 1))
    if isinstance(start, Response):
        return start
    if end < start or (end - start).days >= MAX_DAYS:
        return field_error("end", _("The end must be on or after the start, within a year."))
    return start, end


def _category(request: Request) -> str | Response | None:
    code = request.query_params.get("category", "").strip()
    if not code:
        return None
    if not Category.objects.filter(code=code).exists():
        return field_error("category", _("Unknown category."))
    return code


def _integer(request: Request, name: str, default: int, low: int, high: int) -> int | Response:
    raw = request.query_params.get(name, "").strip() or str(default)
    if not raw.isdigit() or not low <= int(raw) <= high:
        return field_error(name, _("Give a whole number from %(low)d to %(high)d.") % {"low": low, "high": high})
    return int(raw)


_PERIOD = [OpenApiParameter("start", str, required=False, description="First day (YYYY-MM-DD, Beijing); "
                            "default 89 days before the end."),
           OpenApiParameter("end", str, required=False, description="Last day, included; default today."),
           OpenApiParameter("category", str, required=False, description="A category (noise) or sub-category "
                            "(noise.social) code; default all.")]


class HotspotsApi(APIView):
    """`GET /api/v1/insight/hotspots?start&end&category`: Gi* hot and cold areas with their cells; each hotspot
    with `case_count` and the ids of its latest `API_CASE_IDS` complaints (`case_ids`)."""

    permission_classes = [IsAuthenticated, CanSeeOverview]

    @extend_schema(parameters=_PERIOD, responses={200: dict}, operation_id="insight_hotspots",
                   summary="Gi* hot and cold areas of the period's complaints",
                   examples=[OpenApiExample("A hotspot", response_only=True, value={
                       "start": "2026-03-04", "end": "2026-05-31", "hotspots": [
                           {"confidence": 0.99, "cell_ids": ["8a31aa5a"], "case_count": 12, "case_ids": [31, 30]}],
                       "coldspots": []})])
    def get(self, request: Request) -> Response:
        days = _period(request)
        if isinstance(days, Response):
            return days
        category = _category(request)
        if isinstance(category, Response):
            return category
        result = hotspots.compute_hotspots(days[0], days[1], category=category)
        body = result.as_json()
        ids = hotspots.cases_by_cell(hotspots.complaints(days[0], days[1], category),
                            [cell for area in result.hotspots for cell in area.cell_ids])
        for area, item in zip(result.hotspots, body["hotspots"], strict=True):
            merged = hotspots.merge_case_ids(ids, area.cell_ids)
            item["case_count"], item["case_ids"] = len(merged), merged[:API_CASE_IDS]
        return Response(body)


class EmergingApi(APIView):
    """`GET /api/v1/insight/emerging?end&weeks&category`: cells classified by weekly Gi* and their trend."""

    permission_classes = [IsAuthenticated, CanSeeOverview]

    @extend_schema(parameters=[
        OpenApiParameter("end", str, required=False, description="Last day of the last week; default today."),
        OpenApiParameter("weeks", int, required=False, description="How many weeks (default 12)."),
        OpenApiParameter("category", str, required=False, description="A category or sub-category code.")],
        responses={200: dict}, operation_id="insight_emerging",
        summary="Emerging hotspots: cells classified by weekly Gi* and their trend",
        examples=[OpenApiExample("A new hotspot", response_only=True, value={
            "end": "2026-05-31", "weeks": 12, "cells": [
                {"cell": "8a31aa5a", "pattern": "new", "case_count": 5, "case_ids": [31]}]})])
    def get(self, request: Request) -> Response:
        end = _date(request, "end", today())
        if isinstance(end, Response):
            return end
        weeks = _integer(request, "weeks", emerging.DEFAULT_WEEKS, emerging.MIN_WEEKS, emerging.MAX_WEEKS)
        if isinstance(weeks, Response):
            return weeks
        category = _category(request)
        if isinstance(category, Response):
            return category
        found = emerging.compute_emerging(end, weeks=weeks, category=category)
        body = found.as_json()
        ids = hotspots.cases_by_cell(hotspots.complaints(found.start, end, category),
                                     [cell.cell for cell in found.cells])
        for cell, item in zip(found.cells, body["cells"], strict=True):
            merged = hotspots.merge_case_ids(ids, [cell.cell])
            item["case_count"], item["case_ids"] = len(merged), merged[:API_CASE_IDS]
        return Response(body)


class SourcesApi(APIView):
    """`GET /api/v1/insight/sources?start&end&top&category`: repeated sources, ranked, with history and cases."""

    permission_classes = [IsAuthenticated, CanSeeOverview]

    @extend_schema(parameters=[*_PERIOD, OpenApiParameter("top", int, required=False,
                                                          description="How many sources (default 20).")],
                   responses={200: dict}, description="The start defaults to 29 days before the end.",
                   operation_id="insight_sources", summary="Repeated sources (重复投诉源), ranked",
                   examples=[OpenApiExample("A source", response_only=True, value={
                       "start": "2026-05-02", "end": "2026-05-31", "sources": [
                           {"name": "某烧烤店", "address": "中关村大街1号", "cases": 7, "case_ids": [31, 28]}]})])
    def get(self, request: Request) -> Response:
        days = _period(request, DEFAULT_SOURCE_DAYS)
        if isinstance(days, Response):
            return days
        top = _integer(request, "top", sources.DEFAULT_TOP, 1, MAX_TOP)
        if isinstance(top, Response):
            return top
        category = _category(request)
        if isinstance(category, Response):
            return category
        return Response(sources.repeated_sources(days[0], days[1], category=category, top=top).as_json())


# Page routes (under /insight/) and API routes (under /api/v1/insight/) of this topic; insight/urls.py and
# insight/api_urls.py join every topic's lists.
urlpatterns: list[Any] = [
    path("hotspots/", hotspots_page, name="hotspots"),
    path("sources/", sources_page, name="sources"),
]
api_urlpatterns: list[Any] = [
    path("hotspots", HotspotsApi.as_view(), name="insight-hotspots"),
    path("emerging", EmergingApi.as_view(), name="insight-emerging"),
    path("sources", SourcesApi.as_view(), name="insight-sources"),
]
