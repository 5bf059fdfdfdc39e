"""`POST /api/v1/monitoring/readings`: hourly readings pushed by the monitoring centre's feed or a person at the desk.

Who may push: administrators and dispatchers (the roles that may import 12345 files), and accounts given the model
permission ``monitoring.add_reading`` — the way to set up a machine account for a data feed, which authenticates
with its DRF token (``Authorization: Token …``) and holds no staff role. Everyone else: 403.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Final

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ecohotline.api.errors import field_error
from ecohotline.api.pagination import CasePagination
from ecohotline.core.http import read_limited_body
from ecohotline.monitoring.detectors import PARAMETERS
from ecohotline.monitoring.importing import (
    PROBLEM_FIELDS,
    IngestResult,
    Problem,
    ReadingRow,
    Rejection,
    ingest_readings,
)
from ecohotline.monitoring.models import Reading, Station
from ecohotline.org.models import Role, User

MAX_READINGS: Final = 10_000
MAX_BODY_BYTES: Final = 8 * 1024 * 1024  # 10,000 readings of ~100 bytes, with room for pretty-printing
PUSH_PERMISSION: Final = "monitoring.add_reading"
MAX_READ_DAYS: Final = 93




class CanPushReadings(BasePermission):
    """Administrators, dispatchers, and accounts holding ``monitoring.add_reading`` (a data feed's token user)."""

    message = gettext_lazy("Only administrators, dispatchers and data-feed accounts may push readings.")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not isinstance(user, User) or not user.is_active:
            return False
        return user.has_role(Role.ADMIN, Role.DISPATCHER) or user.has_perm(PUSH_PERMISSION)


class ReadingInputSerializer(serializers.Serializer[Any]):
    """One pushed reading (for the schema: items are checked one by one, a bad one does not fail the others)."""

    station = serializers.CharField(help_text="station code")
    at = serializers.CharField(help_text="start of the hour, ISO 8601; Beijing time when no offset is given")
    parameter = serializers.CharField(help_text="pm25, pm10, so2, no2, co, o3, noise_leq (or PM2.5, 细颗粒物 …)")
    value = serializers.FloatField(min_value=0, help_text="µg/m³; CO mg/m³; noise dB(A)")
    unit = serializers.CharField(required=False, help_text="only when not the parameter's own unit, e.g. µg/m³ "
                                                           "for CO")


class ReadingsPushSerializer(serializers.Serializer[Any]):
    readings = ReadingInputSerializer(many=True)


class RejectionSerializer(serializers.Serializer[Any]):
    index = serializers.IntegerField(help_text="position in `readings`, from 0")
    field = serializers.CharField(help_text="station, at, parameter, value, unit or non_field_errors")
    code = serializers.CharField()
    reason = serializers.CharField()


class ReadingsResultSerializer(serializers.Serializer[Any]):
    written = serializers.IntegerField(help_text="new readings, and stored ones whose value changed")
    unchanged = serializers.IntegerField(help_text="already stored with the same value")
    rejected = serializers.IntegerField()
    rejections = RejectionSerializer(many=True)


_ERROR = OpenApiResponse(description="`{code, detail, errors}`")


def rejection_json(rejection: Rejection) -> dict[str, Any]:
    return {"index": rejection.where, "field": PROBLEM_FIELDS.get(rejection.code, "non_field_errors"),
            "code": rejection.code, "reason": rejection.reason}


def result_json(result: IngestResult) -> dict[str, Any]:
    return {"written": result.written, "unchanged": result.unchanged, "rejected": result.rejected,
            "rejections": [rejection_json(rejection) for rejection in result.rejections]}


def _row(index: int, item: Any) -> ReadingRow:
    """A pushed item as a row to ingest; the JSON types are checked here, the rest by the ingest."""
    if not isinstance(item, dict):
        return ReadingRow("", "", "", None, index, problem=Problem("not_an_object"))
    station, at, parameter = item.get("station"), item.get("at"), item.get("parameter")
    value, unit = item.get("value"), item.get("unit") or ""
    problem = None
    if not isinstance(station, str) or not station.strip():
        problem = Problem("missing_station") if station in (None, "") else Problem(
            "unknown_station", params={"station": json.dumps(station, ensure_ascii=False)})
    elif not isinstance(parameter, str):
        problem = Problem("unknown_parameter", params={"parameter": json.dumps(parameter, ensure_ascii=False),
                                                       "known": ", ".join(PARAMETERS)})
    elif not isinstance(at, str):
        problem = Problem("bad_time", params={"value": json.dumps(at, ensure_ascii=False)})
    elif value is None:
        problem = Problem("missing_value")
    elif isinstance(value, bool) or not isinstance(value, int | float):
        problem = Problem("not_a_number", params={"value": json.dumps(value, ensure_ascii=False)})
    elif not isinstance(unit, str):
        problem = Problem("unknown_unit", params={"unit": json.dumps(unit), "parameter": str(parameter),
                                                  "expected": "-"})
    return ReadingRow(str(station or ""), at if isinstance(at, str) else "", str(parameter or ""),
                      value if problem is None else None, index, unit=unit if isinstance(unit, str) else "",
                      problem=problem)


def _moment(value: str | None, name: str) -> dt.datetime | Response | None:
    if not value:
        return None
    try:
        moment = parse_datetime(value.replace(" ", "+") if "T" in value and " " in value else value)
    except ValueError:
        moment = None
    if moment is None:
        return field_error(name, _("Give a time as ISO 8601, e.g. 2026-05-03T14:00:00+08:00."))
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, timezone.get_default_timezone())


def _window(start_text: str | None, end_text: str | None) -> tuple[dt.datetime, dt.datetime] | Response:
    end = _moment(end_text, "end")
    if isinstance(end, Response):
        return end
    start = _moment(start_text, "start")
    if isinstance(start, Response):
        return start
    end = end or timezone.now()
    start = start or end - dt.timedelta(days=7)
    if end <= start or end - start > dt.timedelta(days=MAX_READ_DAYS):
        return field_error("end", _("The end must be after the start, within %(days)d days.") % {"days": MAX_READ_DAYS})
    return start, end


class Refused(Exception):
    def __init__(self, status_code: int, code: str, detail: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(detail)
        self.status_code, self.code, self.detail, self.errors = status_code, code, detail, errors

    def response(self) -> Response:
        body: dict[str, Any] = {"code": self.code, "detail": self.detail}
        if self.errors:
            body["errors"] = self.errors
        return Response(body, status=self.status_code)


class ReadingsView(APIView):
    """Hourly monitoring readings, written idempotently per station × hour × parameter."""

    permission_classes = [IsAuthenticated, CanPushReadings]
    parser_classes: list[Any] = []  # the body is read here, with its own size limit

    def get_permissions(self) -> Any:
        # Reading is for every member of staff (the station pages are); pushing is not.
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            return [IsAuthenticated()]
        return super().get_permissions()

    @extend_schema(
        operation_id="monitoring_readings_list",
        summary="Hourly readings of a station",
        description=f"The stored hourly values of one station from `start` (included) to `end` (excluded), at most "
        f"{MAX_READ_DAYS} days apart, oldest first, optionally of one `parameter`. Times are ISO 8601 (Beijing time "
        "when no offset); without `end`, now; without `start`, seven days before `end`. Paginated. 400 `invalid` "
        "with the parameter for an unknown station, a bad time or a window too long.",
        parameters=[OpenApiParameter("station", str, required=True, description="The station code."),
                    OpenApiParameter("parameter", str, required=False, description="pm25, pm10, no2, noise_leq…"),
                    OpenApiParameter("start", str, required=False), OpenApiParameter("end", str, required=False)],
        responses={200: inline_serializer("ReadingPage", {
            "count": serializers.IntegerField(), "next": serializers.CharField(allow_null=True),
            "previous": serializers.CharField(allow_null=True),
            "results": inline_serializer("StoredReading", many=True, fields={
                "at": serializers.DateTimeField(), "parameter": serializers.CharField(),
                "value": serializers.FloatField()})}), 400: _ERROR},
        examples=[OpenApiExample("Two hours", response_only=True, value={
            "count": 2, "next": None, "previous": None, "results": [
                {"at": "2026-05-03T14:00:00+08:00", "parameter": "pm25", "value": 38.0},
                {"at": "2026-05-03T15:00:00+08:00", "parameter": "pm25", "value": 41.5}]})],
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        station = Station.objects.filter(code=params.get("station", "")).first()
        if station is None:
            return field_error("station", _("No station has this code."))
        window = _window(params.get("start"), params.get("end"))
        if isinstance(window, Response):
            return window
        readings = Reading.objects.filter(station=station, at__gte=window[0], at__lt=window[1])
        if params.get("parameter"):
            readings = readings.filter(parameter=params["parameter"])
        paginator = CasePagination()
        rows: Any = readings.order_by("at", "parameter").values("at", "parameter", "value")
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response([
            {"at": timezone.localtime(row["at"]).isoformat(), "parameter": row["parameter"], "value": row["value"]}
            for row in page or []])

    @extend_schema(
        operation_id="monitoring_readings_push",
        summary="Push hourly station readings",
        description=(
            f"Up to {MAX_READINGS:,} readings per request: `{{\"readings\": [{{\"station\": code, \"at\": iso8601, "
            "\"parameter\": code, \"value\": number}, …]}`. `at` is the start of the hour (Beijing time when no "
            "offset is given; not on the hour: rejected). Values in the parameter's unit (µg/m³, CO mg/m³, noise "
            "dB(A)) unless `unit` says otherwise; negative values are rejected. Idempotent: a reading sent again "
            "with the same value is `unchanged`; with another value it replaces the stored one (`written`). "
            "Readings are checked one by one: a bad one is listed in `rejections` (index, field, code, reason) "
            "and the others are written, all in one transaction. Unknown stations are rejected (`unknown_station`)."
            f"\n\n400 `invalid_json` / `invalid` for a malformed body; 413 `too_many_readings` (over "
            f"{MAX_READINGS:,}) or `too_large` (a body over {MAX_BODY_BYTES // 2**20} MB); 403 for callers who may "
            "not push (administrators, dispatchers and accounts with the `monitoring.add_reading` permission may)."
        ),
        request=ReadingsPushSerializer,
        responses={200: ReadingsResultSerializer, 400: _ERROR, 401: _ERROR, 403: _ERROR, 413: _ERROR},
        examples=[OpenApiExample("One written, one rejected", response_only=True, value={
            "written": 1, "unchanged": 0, "rejected": 1, "rejections": [
                {"index": 1, "field": "station", "code": "unknown_station", "reason": "未知站点：\"nowhere\""}]}),
                  OpenApiExample("Two hours of PM2.5", request_only=True, value={"readings": [
            {"station": "dongsi", "at": "2026-05-03T14:00:00+08:00", "parameter": "pm25", "value": 38},
            {"station": "dongsi", "at": "2026-05-03T15:00:00+08:00", "parameter": "pm25", "value": 41.5},
        ]})],
    )
    def post(self, request: Request) -> Response:
        try:
            items = self._items(self._read_body(request))
        except Refused as refused:
            return refused.response()
        result = ingest_readings(_row(index, item) for index, item in enumerate(items))
        return Response(result_json(result), status=status.HTTP_200_OK)

    @staticmethod
    def _read_body(request: Request) -> bytes:
        body = read_limited_body(request._request, MAX_BODY_BYTES)
        if body is None:
            raise Refused(413, "too_large", _("The body is larger than %(size)s MB.")
                          % {"size": MAX_BODY_BYTES // 2**20})
        return body

    @staticmethod
    def _items(body: bytes) -> list[Any]:
        try:
            data = json.loads(body.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise Refused(400, "invalid_json", _("The body is not JSON in UTF-8: %(error)s") % {"error": exc}) from exc
        readings = data.get("readings") if isinstance(data, dict) else None
        if not isinstance(readings, list) or not readings:
            message = _("`readings` must be a non-empty list of readings.")
            raise Refused(400, "invalid", message, {"readings": [message]})
        if len(readings) > MAX_READINGS:
            raise Refused(413, "too_many_readings", _("At most %(max)s readings per request (%(count)s sent).")
                          % {"max": MAX_READINGS, "count": len(readings)})
        return readings
