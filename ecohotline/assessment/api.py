"""`GET /api/v1/assessment/kpis`, `…/rankings` and `…/trend`: the figures of a period for the bureau and per group,
the groups ranked against the previous period, and the bureau month by month."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ecohotline.api.errors import field_error
from ecohotline.assessment.access import CanSeeOverview
from ecohotline.assessment.kpis import GROUPS, compute_kpis, report_json
from ecohotline.assessment.rankings import RANK_GROUPS, monthly_trend, rankings, rankings_json, trend_json

MAX_DAYS = 366 * 3
MAX_MONTHS = 36


class CanSeeKpis(CanSeeOverview):
    message = gettext_lazy("Only leaders, analysts, dispatchers, unit heads and administrators see the KPIs.")


class KpisView(APIView):
    permission_classes = [IsAuthenticated, CanSeeKpis]

    @extend_schema(
        operation_id="assessment_kpis",
        summary="The 三率 (response, resolution, satisfaction) of a period, for the bureau and per group",
        description="Computed from the cases and their events under the KPI scheme in force; `group_by` adds one "
        "row per unit, handler, street, category or leader. 400 `invalid` naming the parameter.",
        parameters=[OpenApiParameter("start", str, required=True, description="First day (YYYY-MM-DD, Beijing)."),
                    OpenApiParameter("end", str, required=True, description="Last day, included."),
                    OpenApiParameter("group_by", str, enum=list(GROUPS), required=False)],
        responses={200: dict},
        examples=[OpenApiExample("May, by unit", response_only=True, value={
            "start": "2026-04-21", "end": "2026-05-20", "group_by": "unit",
            "scheme": {"name": "2026", "weights": {"response": 0.1, "resolution": 0.45, "satisfaction": 0.45}},
            "total": {"cases": 120, "response_rate": 0.98, "resolution_rate": 0.91, "satisfaction_rate": 0.88,
                      "composite": 90.55},
            "groups": [{"group": 4, "name": "执法一中队", "cases": 40, "composite": 92.1}]})],
    )
    def get(self, request: Request) -> Response:
        days = _period(request)
        if isinstance(days, Response):
            return days
        group_by = request.query_params.get("group_by") or None
        if group_by is not None and group_by not in GROUPS:
            return field_error("group_by", _("Group by unit, handler, street, category or leader."))
        report = compute_kpis(days[0], days[1], group_by=group_by)
        return Response(report_json(report))


def _date(request: Request, name: str) -> dt.date | Response:
    try:
        return dt.date.fromisoformat(request.query_params.get(name, ""))
    except ValueError:
        return field_error(name, _("Give a date as YYYY-MM-DD."))


def _period(request: Request) -> tuple[dt.date, dt.date] | Response:
    """`start` and `end` of the query, or the 400 response naming the parameter that is wrong."""
    start = _date(request, "start")
    if isinstance(start, Response):
        return start
    end = _date(request, "end")
    if isinstance(end, Response):
        return end
    if end < start or (end - start).days > MAX_DAYS:
        return field_error("end", _("The end must be on or after the start, within three years."))
    return start, end


class RankingsView(APIView):
    """排名: the groups of a period ranked by composite, with the previous period's figures and rank."""

    permission_classes = [IsAuthenticated, CanSeeKpis]

    @extend_schema(
        operation_id="assessment_rankings",
        summary="排名: the groups of a period ranked by composite, against the previous period",
        parameters=[OpenApiParameter("start", str, required=True, description="First day (YYYY-MM-DD, Beijing)."),
                    OpenApiParameter("end", str, required=True, description="Last day, included."),
                    OpenApiParameter("by", str, enum=list(RANK_GROUPS), required=True)],
        responses={200: dict},
        examples=[OpenApiExample("Units", response_only=True, value={
            "start": "2026-04-21", "end": "2026-05-20", "by": "unit",
            "previous": {"start": "2026-03-21", "end": "2026-04-20"},
            "rows": [{"key": 4, "name": "执法一中队", "rank": 1, "previous_rank": 2, "rank_change": 1,
                      "composite_change": 1.5, "figures": {"cases": 40, "composite": 92.1},
                      "previous_figures": {"cases": 35, "composite": 90.6}}]})],
    )
    def get(self, request: Request) -> Response:
        days = _period(request)
        if isinstance(days, Response):
            return days
        by = request.query_params.get("by", "")
        if by not in RANK_GROUPS:
            return field_error("by", _("Rank by unit, handler or street."))
        return Response(rankings_json(rankings(days[0], days[1], by=by), start=days[0], end=days[1], by=by))


class TrendView(APIView):
    """趋势: the bureau's figures for the last assessment months, oldest first."""

    permission_classes = [IsAuthenticated, CanSeeKpis]

    @extend_schema(
        operation_id="assessment_trend",
        summary="趋势: the bureau's figures month by month",
        parameters=[OpenApiParameter("end", str, required=True,
                                     description="A day of the last assessment month (YYYY-MM-DD, Beijing)."),
                    OpenApiParameter("months", int, required=False, description="How many months (default 12).")],
        responses={200: dict},
        examples=[OpenApiExample("Two months", response_only=True, value={"points": [
            {"label": "2026-04", "start": "2026-03-21", "end": "2026-04-20", "figures": {"composite": 89.9}},
            {"label": "2026-05", "start": "2026-04-21", "end": "2026-05-20", "figures": {"composite": 90.6}}]})],
    )
    def get(self, request: Request) -> Response:
        end = _date(request, "end")
        if isinstance(end, Response):
            return end
        raw = request.query_params.get("months") or "12"
        months = int(raw) if raw.isdigit() else 0
        if not 1 <= months <= MAX_MONTHS:
            return field_error("months", _("Give a number of months from 1 to %(most)d.") % {"most": MAX_MONTHS})
        return Response(trend_json(monthly_trend(end, months=months)))
