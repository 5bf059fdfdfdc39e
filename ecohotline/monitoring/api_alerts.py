"""`/api/v1/monitoring/stations` and `/api/v1/monitoring/alerts`: the stations with their latest hour and open
alerts, and the alerts (预警) with their verification (核查) and closing, as the monitoring pages give them
(`monitoring.views`): every signed-in member of staff reads; the desk roles open verification tasks; the desk and
the verification case's unit close alerts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ecohotline.api.errors import field_error
from ecohotline.api.files import ERROR
from ecohotline.api.serializers import CaseSerializer
from ecohotline.cases.exceptions import ActionForbidden
from ecohotline.cases.models import Case
from ecohotline.cases.selectors import case_list_queryset
from ecohotline.monitoring import alerts, selectors, services
from ecohotline.monitoring.models import (
    OPEN_ALERT_STATUSES,
    Alert,
    AlertCategory,
    AlertSeverity,
    AlertStatus,
    Reading,
    Station,
)
from ecohotline.org.models import User

CLOSE_OUTCOMES = (AlertStatus.CONFIRMED, AlertStatus.FALSE_ALARM, AlertStatus.RESOLVED)


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


class StationSerializer(serializers.ModelSerializer[Station]):
    street_name = serializers.CharField(source="street.name", default=None, read_only=True)
    open_alerts = serializers.IntegerField(read_only=True)
    last_reading = serializers.DateTimeField(read_only=True, allow_null=True)
    kind = serializers.CharField(help_text="air, noise or water")

    class Meta:
        model = Station
        fields = ["id", "code", "name", "kind", "latitude", "longitude", "street", "street_name",
                  "noise_zone_class", "water_target_class", "operator", "is_active", "open_alerts", "last_reading"]
        read_only_fields = fields


class StationListView(generics.ListAPIView[Station]):
    serializer_class = StationSerializer

    def get_queryset(self) -> Any:
        open_alerts = (Alert.objects.filter(station=OuterRef("pk"), status__in=OPEN_ALERT_STATUSES)
                       .order_by().values("station").annotate(n=Count("pk")).values("n"))
        last_reading = Reading.objects.filter(station=OuterRef("pk")).order_by("-at").values("at")[:1]
        queryset = Station.objects.select_related("street").annotate(
            open_alerts=Coalesce(Subquery(open_alerts), 0), last_reading=Subquery(last_reading))
        if self.request.query_params.get("active", "true") != "all":
            queryset = queryset.filter(is_active=True)
        kind = self.request.query_params.get("kind")
        if kind:
            queryset = queryset.filter(kind=kind)
        return queryset.order_by("kind", "name", "pk")

    @extend_schema(
        operation_id="monitoring_stations",
        summary="Monitoring stations with their latest hour and open alerts",
        description="Coordinates are WGS-84. Readings of a station: `GET /api/v1/monitoring/readings?station=…`.",
        parameters=[OpenApiParameter("kind", str, required=False),
                    OpenApiParameter("active", str, required=False, enum=["true", "all"])],
        responses={200: StationSerializer(many=True)},
        examples=[OpenApiExample("A station", response_only=True, value={
            "count": 1, "next": None, "previous": None, "results": [{
                "id": 1, "code": "wanliu", "name": "万柳", "kind": "air", "latitude": 39.987, "longitude": 116.287,
                "street": 6, "street_name": "海淀街道", "noise_zone_class": "", "water_target_class": "",
                "operator": "", "is_active": True, "open_alerts": 1,
                "last_reading": "2026-05-03T14:00:00+08:00"}]})],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


MAX_DAILY_DAYS = 93


def _daily_json(row: selectors.DailyRow) -> dict[str, Any]:
    return {"day": row.day.isoformat(), "means": dict(row.means), "max_1h": dict(row.max_1h),
            "valid_hours": dict(row.valid_hours), "o3_8h_max": row.o3_8h_max, "stations": row.stations,
            "aqi": row.aqi.as_dict() if row.aqi is not None else None}


class DailyView(APIView):
    """日均值 and the daily AQI of a station, or of the district (`station=district`)."""

    @extend_schema(
        operation_id="monitoring_daily",
        summary="Daily means and the daily AQI (日报) of a station or of the district",
        description=f"One row per Beijing day from `start` to `end` (both included, at most {MAX_DAILY_DAYS} days; "
        "default the last 14 days): 24-hour means (None with fewer than 20 valid hours), the highest hourly values, "
        "O₃ 8-hour maximum and the AQI under the HJ 633 version in force that day. `station=district`: the means over "
        "the district's stations.",
        parameters=[OpenApiParameter("station", str, required=True, description="A station code, or `district`."),
                    OpenApiParameter("start", str, required=False, description="YYYY-MM-DD"),
                    OpenApiParameter("end", str, required=False, description="YYYY-MM-DD")],
        responses={200: dict, 400: ERROR},
        examples=[OpenApiExample("One day", response_only=True, value={"station": "wanliu", "days": [{
            "day": "2026-11-19", "means": {"pm25": 38.2, "pm10": 61.0}, "max_1h": {"pm25": 52.0},
            "valid_hours": {"pm25": 24}, "o3_8h_max": 88.1, "stations": 1,
            "aqi": {"aqi": 54, "level": 2, "category": "良", "category_en": "Moderate", "colour": "黄色",
                    "colour_hex": "#ffff00", "primary_pollutants": ["pm10_24h"], "iaqi": {"pm10_24h": 54},
                    "standard": "HJ 633-2026", "missing": [], "above_scale": []}}]})],
    )
    def get(self, request: Request) -> Response:
        code = request.query_params.get("station", "")
        station = None if code == "district" else Station.objects.filter(code=code).first()
        if code != "district" and station is None:
            return field_error("station", _("No station has this code."))
        days: dict[str, dt.date] = {}
        for name in ("start", "end"):
            text = request.query_params.get(name, "")
            if text:
                try:
                    days[name] = dt.date.fromisoformat(text)
                except ValueError:
                    return field_error(name, _("Give a date as YYYY-MM-DD."))
        end = days.get("end") or timezone.localdate()
        start = days.get("start") or end - dt.timedelta(days=13)
        if end < start or (end - start).days >= MAX_DAILY_DAYS:
            return field_error("end", _("The end must be after the start, within %(days)d days.")
                               % {"days": MAX_DAILY_DAYS})
        rows = (selectors.district_daily_aqi(start, end) if station is None
                else selectors.daily_rows(station, start, end))
        return Response({"station": code, "days": [_daily_json(row) for row in rows]})


class AlertSerializer(serializers.ModelSerializer[Alert]):
    station_code = serializers.CharField(source="station.code", read_only=True)
    station_name = serializers.CharField(source="station.name", read_only=True)
    description = serializers.SerializerMethodField()
    status = serializers.CharField(help_text="open, verifying, confirmed, false_alarm or resolved")
    category = serializers.CharField()
    severity = serializers.CharField()

    class Meta:
        model = Alert
        fields = ["id", "station", "station_code", "station_name", "parameter", "detector", "category", "severity",
                  "reason", "description", "params", "first_at", "last_at", "peak_at", "peak_value", "expected",
                  "hit_count", "status", "case", "created_at", "closed_at", "note"]
        read_only_fields = fields

    def get_description(self, alert: Alert) -> str:
        return alerts.describe(alert)


class AlertDetailSerializer(AlertSerializer):
    may_verify = serializers.SerializerMethodField()
    may_close = serializers.SerializerMethodField()

    class Meta(AlertSerializer.Meta):
        fields = [*AlertSerializer.Meta.fields, "may_verify", "may_close"]
        read_only_fields = fields

    def get_may_verify(self, alert: Alert) -> bool:
        user = self.context["request"].user
        return alert.status in OPEN_ALERT_STATUSES and alert.case_id is None and user.has_role(
            *services.ALERT_DESK_ROLES)

    def get_may_close(self, alert: Alert) -> bool:
        return alert.status in OPEN_ALERT_STATUSES and services.may_close(self.context["request"].user, alert)


_ALERT_EXAMPLE = {
    "id": 17, "station": 1, "station_code": "wanliu", "station_name": "万柳", "parameter": "pm25",
    "detector": "gb3095_exceedance", "category": "exceedance", "severity": "high", "reason": "over_limit",
    "description": "PM2.5 小时值 180 µg/m³，超过限值", "params": {"limit": 75}, "first_at": "2026-05-03T12:00:00+08:00",
    "last_at": "2026-05-03T14:00:00+08:00", "peak_at": "2026-05-03T13:00:00+08:00", "peak_value": 180.0,
    "expected": None, "hit_count": 3, "status": "open", "case": None, "created_at": "2026-05-03T14:05:00+08:00",
    "closed_at": None, "note": ""}


class AlertListView(generics.ListAPIView[Alert]):
    serializer_class = AlertSerializer

    def get_queryset(self) -> Any:
        params = self.request.query_params
        queryset = Alert.objects.select_related("station")
        wanted = params.get("status", "open")
        if wanted == "open":
            queryset = queryset.filter(status__in=OPEN_ALERT_STATUSES)
        elif wanted in AlertStatus.values:
            queryset = queryset.filter(status=wanted)
        if params.get("category") in AlertCategory.values:
            queryset = queryset.filter(category=params["category"])
        if params.get("severity") in AlertSeverity.values:
            queryset = queryset.filter(severity=params["severity"])
        if params.get("station"):
            queryset = queryset.filter(station__code=params["station"])
        return queryset.order_by("-last_at", "-pk")

    @extend_schema(
        operation_id="monitoring_alerts",
        summary="Alerts (预警), open ones by default, latest first",
        parameters=[OpenApiParameter("status", str, required=False, enum=["open", *AlertStatus.values, "all"]),
                    OpenApiParameter("category", str, required=False, enum=list(AlertCategory.values)),
                    OpenApiParameter("severity", str, required=False, enum=list(AlertSeverity.values)),
                    OpenApiParameter("station", str, required=False, description="A station code.")],
        responses={200: AlertSerializer(many=True)},
        examples=[OpenApiExample("An open alert", response_only=True, value={
            "count": 1, "next": None, "previous": None, "results": [_ALERT_EXAMPLE]})],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


def _alert(pk: int) -> Alert:
    return get_object_or_404(Alert.objects.select_related("station", "case"), pk=pk)


class AlertDetailView(APIView):
    @extend_schema(operation_id="monitoring_alert", summary="One alert, and whether the caller may verify or close it",
                   responses={200: AlertDetailSerializer, 404: ERROR},
                   examples=[OpenApiExample("An open alert", response_only=True,
                                            value={**_ALERT_EXAMPLE, "may_verify": True, "may_close": True})])
    def get(self, request: Request, pk: int) -> Response:
        return Response(AlertDetailSerializer(_alert(pk), context={"request": request}).data)


class AlertVerifyView(APIView):
    @extend_schema(
        operation_id="monitoring_alert_verify",
        summary="Open a verification task (预警核查) for an alert",
        description="A case of kind alert verification, routed to the unit of the station's area; the alert is "
        "then `verifying` and `case` names the case. One case per alert: asked again, the same case. Dispatchers, "
        "leaders and administrators; others 403.",
        request=None,
        examples=[OpenApiExample("Verifying", response_only=True, value={
            **_ALERT_EXAMPLE, "status": "verifying", "case": 41, "may_verify": False, "may_close": True})],
        responses={200: AlertDetailSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    def post(self, request: Request, pk: int) -> Response:
        alert = _alert(pk)
        if not _user(request).has_role(*services.ALERT_DESK_ROLES):
            raise ActionForbidden(_("Only dispatchers, leaders and administrators open verification tasks."))
        services.open_verification(actor=_user(request), alert=alert)
        return Response(AlertDetailSerializer(_alert(pk), context={"request": request}).data)


class CloseInput(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(choices=[value.value for value in CLOSE_OUTCOMES])
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class AlertCloseView(APIView):
    @extend_schema(
        operation_id="monitoring_alert_close",
        summary="Close an alert with its outcome",
        description="`confirmed` (属实), `false_alarm` (误报) or `resolved` (已处置). The desk roles and the handling "
        "unit of its verification case may; others 403.",
        request=CloseInput,
        responses={200: AlertDetailSerializer, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
        examples=[OpenApiExample("False alarm", request_only=True,
                                 value={"outcome": "false_alarm", "note": "分析仪校准中"})],
    )
    def post(self, request: Request, pk: int) -> Response:
        alert = _alert(pk)
        if not services.may_close(_user(request), alert):
            raise ActionForbidden(_("Your role does not allow you to close this alert."))
        payload = CloseInput(data=request.data)
        payload.is_valid(raise_exception=True)
        services.close_alert(actor=_user(request), alert=alert, **payload.validated_data)
        return Response(AlertDetailSerializer(_alert(pk), context={"request": request}).data)


class AlertComplaintsView(generics.ListAPIView[Case]):
    """The complaints near an alert, as the alert page lists them, limited to the cases the caller may see."""

    serializer_class = CaseSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Case.objects.none()
        alert = _alert(self.kwargs["pk"])
        near = alerts.complaints_near(alert).values("pk")
        return case_list_queryset(_user(self.request)).filter(pk__in=near).order_by("-received_at", "-pk")

    @extend_schema(
        operation_id="monitoring_alert_complaints",
        summary="Complaints near an alert (预警周边投诉)",
        description="The complaints of the station's medium received within 2 km of the alert's station (and of "
        "the other stations of a regional alert), from 24 hours before its first hour to 72 hours after its last; "
        "newest first. Only the cases the caller may see (as the case list); complainants masked as there. "
        "Paginated.",
        responses={200: CaseSerializer(many=True), 404: ERROR},
        examples=[OpenApiExample("One complaint nearby", response_only=True, value={
            "count": 1, "next": None, "previous": None, "results": [{
                "id": 12, "reference": "12345-2605030001", "status": "in_progress", "category": "air",
                "complainant_name": "张*", "complainant_phone": "138****5678", "complainant_visible": False,
                "received_at": "2026-05-03T13:10:00+08:00"}]})],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class ClustersView(APIView):
    """未诉先办 the other way round: stations with many complaints nearby and no alert, as on the station list."""

    @extend_schema(
        operation_id="monitoring_clusters",
        summary="Complaint clusters without an alert (投诉聚集无预警)",
        description="Active stations with at least 5 complaints of their medium within 2 km over the last 7 days, "
        "and no pollution alert of theirs in that time; most complaints first, as on the station list. `case_count` "
        "counts them all; `cases` lists those the caller may see (newest first).",
        responses={200: dict},
        examples=[OpenApiExample("One cluster", response_only=True, value={"results": [{
            "station": 1, "station_code": "wanliu", "station_name": "万柳", "kind": "air", "case_count": 6,
            "latest_at": "2026-05-03T13:10:00+08:00", "cases": [12, 11, 9]}]})],
    )
    def get(self, request: Request) -> Response:
        clusters = alerts.complaint_clusters_without_alert()
        wanted = {pk for cluster in clusters for pk in cluster.case_ids}
        visible = set(case_list_queryset(_user(request)).filter(pk__in=wanted).values_list("pk", flat=True))
        return Response({"results": [{
            "station": cluster.station.pk, "station_code": cluster.station.code,
            "station_name": cluster.station.name, "kind": cluster.station.kind, "case_count": cluster.case_count,
            "latest_at": timezone.localtime(cluster.latest_at).isoformat() if cluster.latest_at else None,
            "cases": [pk for pk in cluster.case_ids if pk in visible]} for cluster in clusters]})
