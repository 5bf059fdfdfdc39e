"""Insight pages and API: analysis (complaints by category, industry, time and place), forecasts and unusual-rise
alerts. Thin views over `insight.analysis`, `insight.forecast` and `insight.rises`; no complainant data is shown
(counts only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ecohotline.api.errors import field_error
from ecohotline.assessment.access import CanSeeOverview, overview_required
from ecohotline.core.widgets import DatePicker
from ecohotline.core.workdays import BEIJING
from ecohotline.insight import forecast, rises
from ecohotline.insight.analysis import BREAKDOWNS, WEEKDAYS, Period, breakdown, hour_weekday_matrix, monthly_counts
from ecohotline.insight.models import AlertStatus, InsightAlert

MAX_DAYS = 366 * 3
DEFAULT_DAYS = 30
ROW_LIMIT = 200
FORECAST_CACHE_SECONDS = 3600


def today() -> dt.date:
    return timezone.now().astimezone(BEIJING).date()


class PeriodForm(forms.Form):
    """The period analysed (Beijing days, both ends included); compared with the period before and a year before."""

    start = forms.DateField(label=gettext_lazy("From"), required=False,
                            widget=DatePicker(attrs={"class": "form-control form-control-sm"}))
    end = forms.DateField(label=gettext_lazy("To"), required=False,
                          widget=DatePicker(attrs={"class": "form-control form-control-sm"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        end = data.get("end") or today()
        start = data.get("start") or end - dt.timedelta(days=DEFAULT_DAYS - 1)
        if end < start:
            raise forms.ValidationError(_("The end must be on or after the start."))
        if (end - start).days >= MAX_DAYS:
            raise forms.ValidationError(_("Choose a period of at most three years."))
        data["period"] = Period(start, end)
        return data


def _pct(ratio: float | None) -> str:
    return "—" if ratio is None else f"{ratio * 100:+.1f}%"


def _table(found: Any) -> dict[str, Any]:
    rows = [{**row.as_dict(), "previous_pct": _pct(row.change_previous_ratio), "year_pct": _pct(row.change_year_ratio)}
            for row in found.rows]
    total = found.total
    return {"by": found.by, "title": str(BREAKDOWNS[found.by]), "rows": rows,
            "total": {**total.as_dict(), "previous_pct": _pct(total.change_previous_ratio),
                      "year_pct": _pct(total.change_year_ratio)}}


ANALYSIS_CACHE_SECONDS = 600


def _analysis(period: Period) -> tuple[dict[str, Any], list[list[int]], list[tuple[dt.date, int, int]]]:
    """The page's figures for a period, cached for ten minutes per period and language (a year of a million
    complaints takes seconds to count on SQLite; the figures of past days hardly change)."""
    key = f"insight:analysis:{period.start.isoformat()}:{period.end.isoformat()}:{get_language()}"
    found: tuple[dict[str, Any], list[list[int]], list[tuple[dt.date, int, int]]] | None = cache.get(key)
    if found is None:
        shared: dict[str, Any] = {}  # the time segments are folded from one day × hour count
        tables = {by: _table(breakdown(by, period, limit=ROW_LIMIT if by in ("street", "community", "cell")
                                       else None, shared=shared))
                  for by in ("category", "sub_category", "industry", "hour", "weekday", "season", "holiday",
                             "street")}
        matrix = hour_weekday_matrix(period, shared=shared)
        months = monthly_counts(Period(max(period.start, period.end.replace(day=1) - dt.timedelta(days=334)),
                                       period.end))
        found = (tables, matrix, months)
        cache.set(key, found, ANALYSIS_CACHE_SECONDS)
    return found


@overview_required
def index(request: HttpRequest) -> HttpResponse:
    """分析研判: complaints of a period by category, industry, time and street, with 环比 and 同比."""
    form = PeriodForm(request.GET or None)
    period = Period(today() - dt.timedelta(days=DEFAULT_DAYS - 1), today())
    if form.is_bound and form.is_valid():
        period = form.cleaned_data["period"]
    elif not form.is_bound:
        form = PeriodForm(initial={"start": period.start, "end": period.end})
    tables, matrix, months = _analysis(period)
    weekdays = [str(day) for day in WEEKDAYS]
    data = {
        "period": period.as_dict(),
        "category": [[row["label"], row["current"], row["previous"], row["year_before"]]
                     for row in tables["category"]["rows"]],
        "industry": [[row["label"], row["current"], row["previous"], row["year_before"]]
                     for row in tables["industry"]["rows"]],
        "heatmap": {"weekdays": weekdays, "values": [[hour, day, matrix[day][hour]] for day in range(7)
                                                     for hour in range(24)],
                    "max": max((max(line) for line in matrix), default=0)},
        "months": [[month.strftime("%Y-%m"), count, before] for month, count, before in months],
        "text": {"current": _("This period"), "previous": _("Previous period"), "year_before": _("A year before"),
                 "complaints": _("Complaints")},
    }
    return render(request, "insight/analysis.html", {
        "form": form, "period": period, "previous": period.previous(), "year_before": period.year_before(),
        "tables": tables, "matrix": list(zip(weekdays, matrix, strict=True)), "hours": list(range(24)),
        "months": months, "data": data,
    })


def _forecast_data(horizon: int = forecast.DEFAULT_HORIZON) -> dict[str, Any]:
    """Forecasts and backtest of the current week, cached for an hour (they change once a week)."""
    day = today()
    key = f"insight:forecast:{forecast.week_start(day).isoformat()}:{horizon}:{get_language()}"
    found: dict[str, Any] | None = cache.get(key)
    if found is None:
        series = forecast.forecast_categories(horizon=horizon, until=day)
        rows, pooled = forecast.backtest_categories(until=day)
        found = {"forecasts": [item.as_dict() for item in series],
                 "backtest": [row.as_dict() for row in rows], "pooled": pooled.as_dict(), "horizon": horizon}
        cache.set(key, found, FORECAST_CACHE_SECONDS)
    return found


@overview_required
def forecast_page(request: HttpRequest) -> HttpResponse:
    """预测: the next eight weeks of every category, and how the model did against seasonal-naive."""
    data = _forecast_data()
    data["text"] = {"history": _("Complaints per week"), "forecast": _("Forecast"),
                    "interval_80": _("%(level)s%% interval") % {"level": 80},
                    "interval_95": _("%(level)s%% interval") % {"level": 95}}
    return render(request, "insight/forecast.html", {"data": data, "forecasts": data["forecasts"],
                                                     "backtest": data["backtest"], "pooled": data["pooled"]})


@overview_required
def alerts_page(request: HttpRequest) -> HttpResponse:
    """异常上升预警: the rises the weekly detector found, to acknowledge or dismiss."""
    wanted = request.GET.get("status", "")
    if wanted not in dict(AlertStatus.choices):
        wanted = ""
    rows = rises.alert_rows(rises.recent_alerts(status=wanted or None))
    return render(request, "insight/alerts.html", {"rows": rows, "status": wanted,
                                                   "statuses": AlertStatus.choices})


@overview_required
@require_POST
def alert_handle(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(InsightAlert, pk=pk)
    try:
        rises.handle_alert(actor=request.user, alert=alert,  # type: ignore[arg-type]
                           status=request.POST.get("status", ""))
    except rises.AlertError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The alert is marked “%(status)s”.") % {
            "status": dict(AlertStatus.choices)[request.POST["status"]]})
    return HttpResponseRedirect(reverse("insight:alerts"))


# --- API ----------------------------------------------------------------------------------------------------------

class BreakdownApi(APIView):
    """`GET /api/v1/insight/breakdown?start&end&by=…`: complaints of the period by one dimension, with 环比/同比."""

    permission_classes = [IsAuthenticated, CanSeeOverview]

    @extend_schema(
        parameters=[OpenApiParameter("start", str, required=True, description="First day (YYYY-MM-DD, Beijing)."),
                    OpenApiParameter("end", str, required=True, description="Last day, included."),
                    OpenApiParameter("by", str, enum=list(BREAKDOWNS), required=True),
                    OpenApiParameter("limit", int, required=False, description="At most this many groups.")],
        responses={200: dict},
        operation_id="insight_breakdown",
        summary="Complaints of a period by one dimension, with 环比 and 同比",
        examples=[OpenApiExample("By category", response_only=True, value={
            "by": "category", "start": "2026-05-01", "end": "2026-05-31",
            "rows": [{"key": "noise", "label": "噪声", "count": 52, "previous": 40, "year_before": 45}]})],
    )
    def get(self, request: Request) -> Response:
        days = []
        for name in ("start", "end"):
            try:
                days.append(dt.date.fromisoformat(request.query_params.get(name, "")))
            except ValueError:
                return field_error(name, _("Give a date as YYYY-MM-DD."))
        if days[1] < days[0] or (days[1] - days[0]).days >= MAX_DAYS:
            return field_error("end", _("The end must be on or after the start, within three years."))
        by = request.query_params.get("by", "")
        if by not in BREAKDOWNS:
            return field_error("by", _("Break down by one of: %(names)s.") % {"names": ", ".join(BREAKDOWNS)})
        limit_text = request.query_params.get("limit", "")
        try:
            limit = int(limit_text) if limit_text else ROW_LIMIT
        except ValueError:
            return field_error("limit", _("Give a whole number."))
        if limit < 1:
            return field_error("limit", _("Give a whole number."))
        return Response(breakdown(by, Period(days[0], days[1]), limit=limit).as_dict())


class ForecastApi(APIView):
    """`GET /api/v1/insight/forecast?weeks=8`: weekly complaints per category ahead, with intervals and backtest."""

    permission_classes = [IsAuthenticated, CanSeeOverview]

    @extend_schema(parameters=[OpenApiParameter("weeks", int, required=False, description="Weeks ahead (1–26).")],
                   responses={200: dict}, operation_id="insight_forecast",
                   summary="Weekly complaints per category ahead, with intervals and the backtest",
                   examples=[OpenApiExample("Eight weeks", response_only=True, value={
                       "weeks": 8, "series": [{"category": "noise", "points": [
                           {"week": "2026-06-01", "mean": 12.4, "low": 8.0, "high": 17.1}]}]})])
    def get(self, request: Request) -> Response:
        text = request.query_params.get("weeks", "") or str(forecast.DEFAULT_HORIZON)
        try:
            weeks = int(text)
        except ValueError:
            return field_error("weeks", _("Give a whole number of weeks from 1 to 26."))
        if not 1 <= weeks <= 26:
            return field_error("weeks", _("Give a whole number of weeks from 1 to 26."))
        return Response(_forecast_data(weeks))


class AlertsApi(APIView):
    """`GET /api/v1/insight/alerts?status=open`: unusual-rise alerts, newest week first."""

    permission_classes = [IsAuthenticated, CanSeeOverview]

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=[s for s, _l in AlertStatus.choices],
                                                required=False)], responses={200: dict},
                   operation_id="insight_alerts", summary="Unusual-rise alerts of complaints, newest week first",
                   examples=[OpenApiExample("An open alert", response_only=True, value={"results": [
                       {"id": 3, "week": "2026-05-25", "category": "noise", "street": "中关村街道", "count": 14,
                        "expected": 5.2, "status": "open"}]})])
    def get(self, request: Request) -> Response:
        wanted = request.query_params.get("status", "")
        if wanted and wanted not in dict(AlertStatus.choices):
            return field_error("status", _("Filter by open, acknowledged or dismissed."))
        return Response({"results": rises.alert_rows(rises.recent_alerts(status=wanted or None))})


class AlertHandleApi(APIView):
    """`POST /api/v1/insight/alerts/{id}/handle`: acknowledge or dismiss an unusual-rise alert."""

    permission_classes = [IsAuthenticated, CanSeeOverview]

    @extend_schema(
        operation_id="insight_alert_handle",
        summary="Acknowledge (已知悉) or dismiss an unusual-rise alert",
        request={"application/json": {"type": "object", "properties": {
            "status": {"type": "string", "enum": ["acknowledged", "dismissed"]}}, "required": ["status"]}},
        responses={200: dict},
        examples=[OpenApiExample("Acknowledge", request_only=True, value={"status": "acknowledged"}),
                  OpenApiExample("Handled", response_only=True, value={
                      "id": 3, "category": "noise", "street": "中关村街道", "week_start": "2026-05-25",
                      "observed": 14, "expected": 5.2, "status": "acknowledged"})],
    )
    def post(self, request: Request, pk: int) -> Response:
        alert = get_object_or_404(InsightAlert, pk=pk)
        status = request.data.get("status", "") if isinstance(request.data, dict) else ""
        try:
            handled = rises.handle_alert(actor=request.user, alert=alert, status=str(status))  # type: ignore[arg-type]
        except rises.AlertError as exc:
            if exc.code == "forbidden":
                return Response({"code": exc.code, "detail": exc.message}, status=403)
            return field_error("status", exc.message)
        handled = InsightAlert.objects.select_related("street").get(pk=handled.pk)
        return Response(rises.alert_rows([handled])[0])


# Page routes (under /insight/) and API routes (under /api/v1/insight/) of this topic; insight/urls.py and
# insight/api_urls.py join every topic's lists.
urlpatterns: list[Any] = [
    path("", index, name="index"),
    path("forecast/", forecast_page, name="forecast"),
    path("alerts/", alerts_page, name="alerts"),
    path("alerts/<int:pk>/handle/", alert_handle, name="alert-handle"),
]
api_urlpatterns: list[Any] = [
    path("breakdown", BreakdownApi.as_view(), name="insight-breakdown"),
    path("forecast", ForecastApi.as_view(), name="insight-forecast"),
    path("alerts", AlertsApi.as_view(), name="insight-alerts"),
    path("alerts/<int:pk>/handle", AlertHandleApi.as_view(), name="insight-alert-handle"),
]
