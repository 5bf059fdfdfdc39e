"""Insight pages and API: hot issues (热点问题) of the bureau's complaint cases in a period.

The page `/insight/hot-issues/` and `GET /api/v1/insight/hot-issues?start&end&top` show the ranked issues with heat,
time range and member cases; only the overview roles see them. No complainant's name or phone is ever shown: the
issues are named from masked texts, and the phone serves only to count distinct complainants."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
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
from ecohotline.core.widgets import DatePicker
from ecohotline.insight.hotissues import hot_issues_of_cases

DEFAULT_DAYS = 90
MAX_DAYS = 366
MAX_TOP = 100


class PeriodForm(forms.Form):
    """The period of the hot-issues page (default: the last 90 days up to today)."""

    start = forms.DateField(label=gettext_lazy("From"),
                            widget=DatePicker())
    end = forms.DateField(label=gettext_lazy("To"), widget=DatePicker())
    top = forms.IntegerField(label=gettext_lazy("Issues"), min_value=1, max_value=MAX_TOP, initial=10)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control form-control-sm")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and (end < start or (end - start).days > MAX_DAYS):
            self.add_error("end", _("The end must be on or after the start, within a year."))
        return data


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    return today - dt.timedelta(days=DEFAULT_DAYS - 1), today


@overview_required
def hot_issues_page(request: HttpRequest) -> HttpResponse:
    start, end = default_period()
    data = request.GET if "start" in request.GET or "end" in request.GET else None
    form = PeriodForm(data, initial={"start": start, "end": end, "top": 10})
    result = None
    if data is None:
        result = hot_issues_of_cases(start, end, top=10)
    elif form.is_valid():
        result = hot_issues_of_cases(form.cleaned_data["start"], form.cleaned_data["end"],
                                     top=form.cleaned_data["top"])
    rows = []
    if result is not None:
        rows = [{"issue": issue, "cases": [(reference, result.case_ids[reference]) for reference in issue.member_ids]}
                for issue in result.issues]
    return render(request, "insight/hot_issues.html", {"form": form, "result": result, "rows": rows})


class HotIssuesView(APIView):
    """热点问题: the bureau's complaint cases of a period grouped into issues (same place, same problem), by heat."""

    permission_classes = [IsAuthenticated, CanSeeOverview]

    @extend_schema(
        parameters=[OpenApiParameter("start", str, required=True, description="First day (YYYY-MM-DD, Beijing)."),
                    OpenApiParameter("end", str, required=True, description="Last day, included (within a year)."),
                    OpenApiParameter("top", int, required=False, description="How many issues (default 10, at "
                                                                             "most 100).")],
        responses={200: dict},
        operation_id="insight_hot_issues",
        summary="热点问题: the period's complaints grouped into issues, by heat",
        examples=[OpenApiExample("One issue", response_only=True, value={
            "start": "2026-05-01", "end": "2026-05-31", "issues": [
                {"title": "某餐馆油烟扰民", "heat": 8.5, "cases": 6, "street": "中关村街道", "category": "air"}]})],
    )
    def get(self, request: Request) -> Response:
        days: list[dt.date] = []
        for name in ("start", "end"):
            try:
                days.append(dt.date.fromisoformat(request.query_params.get(name, "")))
            except ValueError:
                return field_error(name, _("Give a date as YYYY-MM-DD."))
        start, end = days
        if end < start or (end - start).days > MAX_DAYS:
            return field_error("end", _("The end must be on or after the start, within a year."))
        raw = request.query_params.get("top") or "10"
        top = int(raw) if raw.isdigit() else 0
        if not 1 <= top <= MAX_TOP:
            return field_error("top", _("Give a number of issues from 1 to %(most)d.") % {"most": MAX_TOP})
        return Response(hot_issues_of_cases(start, end, top=top).as_json())


# Page routes (under /insight/) and API routes (under /api/v1/insight/) of this topic; insight/urls.py and
# insight/api_urls.py join every topic's lists.
urlpatterns: list[Any] = [path("hot-issues/", hot_issues_page, name="hot-issues")]
api_urlpatterns: list[Any] = [path("hot-issues", HotIssuesView.as_view(), name="insight-hot-issues")]
