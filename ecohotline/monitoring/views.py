"""Monitoring pages (thin: reads through selectors and `alerts`, writes through `services`): the stations and
their map, a station's data against its limits, the alerts and an alert's verification."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecohotline.cases.exceptions import CaseError
from ecohotline.cases.measurements import measurement_coverage
from ecohotline.core import geo
from ecohotline.monitoring import alerts, detectors, selectors, services
from ecohotline.monitoring.models import (
    OPEN_ALERT_STATUSES,
    Alert,
    AlertCategory,
    AlertSeverity,
    AlertStatus,
    Reading,
    Station,
)

CHART_DAYS = 14
COVERAGE_DAYS = 30
DISTRICT_DAYS = 7
DAILY_DAYS = 14
ALERTS_PER_PAGE = 50
CLOSE_OUTCOMES = (AlertStatus.CONFIRMED, AlertStatus.FALSE_ALARM, AlertStatus.RESOLVED)


def _hourly_limit(parameter: str, at: dt.datetime) -> float | None:
    """The 1-hour limit drawn on a station's chart (GB 3095 二级 in force then; the 24-hour ones are on the
    daily table)."""
    on = timezone.localtime(at).date()
    for limit in detectors.GB3095_LIMITS:
        if (limit.parameter == parameter and limit.averaging_hours == 1 and limit.station is None
                and (limit.valid_from is None or limit.valid_from <= on)
                and (limit.valid_until is None or on < limit.valid_until)):
            return float(limit.value)
    return None


def _pollutant_label(key: str) -> str:
    """An HJ 633 key as people write it: pm25_24h → PM2.5, o3_8h → O₃ 8h."""
    parameter, _sep, window = key.partition("_")
    label = alerts.parameter_label(parameter)
    return f"{label} 8h" if window == "8h" else label


@login_required
def station_list(request: HttpRequest) -> HttpResponse:
    """The stations on the district map, with their latest hour and open alerts (three queries)."""
    # Subqueries, not joins: a join of alerts and readings would multiply the rows it counts.
    open_alerts = (Alert.objects.filter(station=OuterRef("pk"), status__in=OPEN_ALERT_STATUSES)
                   .order_by().values("station").annotate(n=Count("pk")).values("n"))
    last_reading = Reading.objects.filter(station=OuterRef("pk")).order_by("-at").values("at")[:1]
    stations = list(Station.objects.filter(is_active=True).select_related("street").annotate(
        open_alerts=Coalesce(Subquery(open_alerts), 0), last_reading=Subquery(last_reading),
    ).order_by("kind", "name"))
    points = []
    for station in stations:
        if station.latitude is None or station.longitude is None:
            continue
        lng, lat = geo.wgs84_to_gcj02(station.longitude, station.latitude)  # the outlines are GCJ-02
        points.append({"name": station.name, "url": reverse("monitoring:station-detail", args=[station.code]),
                       "lng": round(lng, 6), "lat": round(lat, 6), "alerts": station.open_alerts})
    latest = max((station.last_reading for station in stations if station.last_reading), default=None)
    district: list[tuple[selectors.DailyRow, str]] = []
    if latest is not None:
        last_day = timezone.localtime(latest).date()
        rows = selectors.district_daily_aqi(last_day - dt.timedelta(days=DISTRICT_DAYS - 1), last_day)
        district = [(row, "、".join(_pollutant_label(key) for key in row.aqi.primary_pollutants))
                    for row in reversed(rows) if row.aqi is not None]
    return render(request, "monitoring/station_list.html", {
        "stations": stations, "points": points, "district": district,
        # 未诉先办 the other way round: many complaints near a station that raised nothing.
        "clusters": alerts.complaint_clusters_without_alert(),
        "coverage": measurement_coverage(timezone.now() - dt.timedelta(days=COVERAGE_DAYS), timezone.now()),
        "coverage_days": COVERAGE_DAYS,
    })


@login_required
def station_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A station: its hourly data of the last two weeks against the hourly limits, its daily means and AQI,
    its alerts. The window ends at the station's latest reading (old data still shows)."""
    station = get_object_or_404(Station.objects.select_related("street"), code=code)
    last = Reading.objects.filter(station=station).aggregate(last=Max("at"))["last"]
    charts: list[dict[str, Any]] = []
    daily: list[selectors.DailyRow] = []
    if last is not None:
        end = last + dt.timedelta(hours=1)
        start = end - dt.timedelta(days=CHART_DAYS)
        parameters = sorted(set(Reading.objects.filter(station=station, at__gte=start, at__lt=end)
                                .values_list("parameter", flat=True)))
        for parameter in parameters:
            series = selectors.series(station, parameter, start, end)
            charts.append({
                "parameter": parameter, "label": alerts.parameter_label(parameter),
                "unit": detectors.PARAMETERS[parameter].unit if parameter in detectors.PARAMETERS else "",
                "start": timezone.localtime(series.start).isoformat(),
                "values": [None if value != value else round(float(value), 3) for value in series.values],
                "limit": _hourly_limit(parameter, end),
            })
        last_day = timezone.localtime(last).date()
        daily = selectors.daily_rows(station, last_day - dt.timedelta(days=DAILY_DAYS - 1), last_day)
    return render(request, "monitoring/station_detail.html", {
        "station": station, "last": last, "charts": charts,
        "daily": [(row, [row.means.get(parameter) for parameter in selectors.AIR_DAILY_PARAMETERS],
                   "、".join(_pollutant_label(key) for key in (row.aqi.primary_pollutants if row.aqi else ())))
                  for row in reversed(daily)],
        "daily_parameters": [alerts.parameter_label(parameter) for parameter in selectors.AIR_DAILY_PARAMETERS],
        "alerts": [(alert, alerts.describe(alert)) for alert in station.alerts.order_by("-last_at")[:20]],
    })


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    """The alerts, open ones first by default; filters by status, category and severity."""
    status = request.GET.get("status", "open")
    category = request.GET.get("category", "")
    severity = request.GET.get("severity", "")
    queryset = Alert.objects.select_related("station", "case")
    if status == "open":
        queryset = queryset.filter(status__in=OPEN_ALERT_STATUSES)
    elif status in AlertStatus.values:
        queryset = queryset.filter(status=status)
    if category in AlertCategory.values:
        queryset = queryset.filter(category=category)
    if severity in AlertSeverity.values:
        queryset = queryset.filter(severity=severity)
    page = Paginator(queryset.order_by("-last_at", "-pk"), ALERTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "monitoring/alert_list.html", {
        "page": page, "rows": [(alert, alerts.describe(alert)) for alert in page.object_list],
        "status": status, "category": category, "severity": severity,
        "statuses": [("open", _("Open or being verified")), *AlertStatus.choices, ("all", _("All"))],
        "categories": AlertCategory.choices, "severities": AlertSeverity.choices,
    })


def _may_act(user: Any) -> bool:
    return bool(user.has_role(*services.ALERT_DESK_ROLES))


@login_required
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(Alert.objects.select_related("station", "station__street", "case"), pk=pk)
    is_open = alert.status in OPEN_ALERT_STATUSES
    return render(request, "monitoring/alert_detail.html", {
        "alert": alert, "description": alerts.describe(alert),
        "complaints": list(alerts.complaints_near(alert)[:20]),
        "may_verify": is_open and alert.case_id is None and _may_act(request.user),
        "may_close": is_open and services.may_close(request.user, alert),  # type: ignore[arg-type]
        "outcomes": [(value, label) for value, label in AlertStatus.choices if value in CLOSE_OUTCOMES],
    })


@login_required
@require_POST
def alert_verify(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(Alert, pk=pk)
    if not _may_act(request.user):
        raise PermissionDenied
    try:
        case = services.open_verification(actor=request.user, alert=alert)  # type: ignore[arg-type]
    except CaseError as error:
        messages.error(request, error.detail)
        return redirect("monitoring:alert-detail", pk=pk)
    messages.success(request, _("Verification case %(case)s opened.") % {"case": case.reference})
    return redirect("monitoring:alert-detail", pk=pk)


@login_required
@require_POST
def alert_close(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(Alert, pk=pk)
    try:
        services.close_alert(actor=request.user, alert=alert,  # type: ignore[arg-type]
                             outcome=request.POST.get("outcome", ""), note=request.POST.get("note", "")[:2000])
    except CaseError as error:
        if error.http_status == 403:
            raise PermissionDenied from None
        messages.error(request, error.detail)
        return redirect("monitoring:alert-detail", pk=pk)
    messages.success(request, _("The alert is closed."))
    return redirect("monitoring:alert-detail", pk=pk)
