"""`GET /api/v1/assessment/kpis`: the figures of a period for the bureau and per group."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ecohotline.assessment.access import can_see_overview
from ecohotline.assessment.kpis import GROUPS, compute_kpis, report_json

MAX_DAYS = 366 * 3


class CanSeeKpis(BasePermission):
    message = gettext_lazy("Only leaders, analysts, dispatchers, unit heads and administrators see the KPIs.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return can_see_overview(request.user)


def _error(field: str, detail: str) -> Response:
    return Response({"code": "invalid", "detail": detail, "errors": {field: [detail]}},
                    status=status.HTTP_400_BAD_REQUEST)


class KpisView(APIView):
    permission_classes = [IsAuthenticated, CanSeeKpis]

    @extend_schema(
        parameters=[OpenApiParameter("start", str, required=True, description="First day (YYYY-MM-DD, Beijing)."),
                    OpenApiParameter("end", str, required=True, description="Last day, included."),
                    OpenApiParameter("group_by", str, enum=list(GROUPS), required=False)],
        responses={200: dict},
    )
    def get(self, request: Request) -> Response:
        days = {}
        for name in ("start", "end"):
            try:
                days[name] = dt.date.fromisoformat(request.query_params.get(name, ""))
            except ValueError:
                return _error(name, _("Give a date as YYYY-MM-DD."))
        if days["end"] < days["start"] or (days["end"] - days["start"]).days > MAX_DAYS:
            return _error("end", _("The end must be on or after the start, within three years."))
        group_by = request.query_params.get("group_by") or None
        if group_by is not None and group_by not in GROUPS:
            return _error("group_by", _("Group by unit, handler, street, category or leader."))
        report = compute_kpis(days["start"], days["end"], group_by=group_by)
        return Response(report_json(report))
