"""`/api/v1/cases/export.{csv,xlsx}` and `/api/v1/ledger/export.xlsx`: the desk's exports, over HTTP.

They are the desk's own export functions (`ui.exports`, `assessment.views.ledger_export`), called with the API's
authenticated request: the same filters, columns, sort, masking and formula defusing. Only the input is checked
here first, so that a bad filter is a 400 rather than an unfiltered file."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponseBase
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.views import APIView

from ecohotline.api.errors import form_errors
from ecohotline.api.files import ERROR, FILE_RENDERERS, binary
from ecohotline.assessment.access import CanSeeOverview
from ecohotline.assessment.forms import LedgerFilterForm
from ecohotline.assessment.views import ledger_export
from ecohotline.cases.filters import CaseFilter
from ecohotline.cases.selectors import CASE_SORTS, case_list_queryset
from ecohotline.ui.exports import case_export_csv, case_export_xlsx

CASE_FILTER_PARAMETERS = [
    OpenApiParameter("status", str, many=True, required=False), OpenApiParameter("channel", str, many=True,
                                                                                 required=False),
    OpenApiParameter("category", str, required=False), OpenApiParameter("street", int, required=False),
    OpenApiParameter("unit", int, required=False), OpenApiParameter("overdue", bool, required=False),
    OpenApiParameter("q", str, required=False), OpenApiParameter("received_from", str, required=False),
    OpenApiParameter("received_to", str, required=False),
    OpenApiParameter("sort", str, required=False, enum=list(CASE_SORTS), description="As the desk's list."),
]


def _case_filter_errors(request: Request) -> dict[str, Any] | None:
    case_filter = CaseFilter(request.query_params, queryset=case_list_queryset(request.user),  # type: ignore[arg-type]
                             request=request._request)
    if not case_filter.is_valid():
        return dict(case_filter.errors)
    sort = request.query_params.get("sort")
    if sort and sort not in CASE_SORTS:
        return {"sort": [_("Unknown value; use one of: %(values)s.") % {"values": ", ".join(CASE_SORTS)}]}
    return None


_CASES_DESCRIPTION = (
    "The case list as `GET /api/v1/cases` filters it (the same filters; `sort` as on the desk), with the desk "
    "export's columns in the caller's language. The complainant's name and phone are masked on every row the caller "
    "may not see them on; a cell a spreadsheet would run as a formula is written as text. At most 100,000 rows (a "
    "last row says so). A bad filter: 400 `invalid`.")


class CaseExportCsvView(APIView):
    renderer_classes = FILE_RENDERERS

    @extend_schema(
        operation_id="cases_export_csv",
        summary="Export the case list as CSV (UTF-8 with BOM)",
        description=_CASES_DESCRIPTION,
        parameters=CASE_FILTER_PARAMETERS,
        responses={**binary("The CSV file (streamed).", "text/csv"), 400: ERROR},
        examples=[OpenApiExample("Bad filter", response_only=True, status_codes=["400"], value={
            "code": "invalid", "detail": "Invalid input.",
            "errors": {"status": ["Select a valid choice. nope is not one of the available choices."]}})],
    )
    def get(self, request: Request) -> HttpResponseBase:
        errors = _case_filter_errors(request)
        if errors:
            return form_errors(errors)
        return case_export_csv(request._request)


class CaseExportXlsxView(APIView):
    renderer_classes = FILE_RENDERERS

    @extend_schema(
        operation_id="cases_export_xlsx",
        summary="Export the case list as an XLSX workbook",
        description=_CASES_DESCRIPTION,
        parameters=CASE_FILTER_PARAMETERS,
        responses={**binary("The workbook.", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                   400: ERROR},
        examples=[OpenApiExample("Bad filter", response_only=True, status_codes=["400"], value={
            "code": "invalid", "detail": "Invalid input.",
            "errors": {"street": ["Select a valid choice. That choice is not one of the available choices."]}})],
    )
    def get(self, request: Request) -> HttpResponseBase:
        errors = _case_filter_errors(request)
        if errors:
            return form_errors(errors)
        return case_export_xlsx(request._request)


class LedgerExportView(APIView):
    permission_classes = [IsAuthenticated, CanSeeOverview]
    renderer_classes = FILE_RENDERERS

    @extend_schema(
        operation_id="ledger_export_xlsx",
        summary="Export the ledger (台账) as an XLSX workbook",
        description="The open entries as `GET /api/v1/ledger` filters them (`reason`, `unit` and the units under "
        "it, `leader`), with the desk export's columns. No complainant; free texts masked. The overview roles; "
        "others 403. A bad filter: 400 `invalid`.",
        parameters=[OpenApiParameter("reason", str, required=False), OpenApiParameter("unit", int, required=False),
                    OpenApiParameter("leader", int, required=False)],
        responses={**binary("The workbook.", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                   400: ERROR},
        examples=[OpenApiExample("Bad filter", response_only=True, status_codes=["400"], value={
            "code": "invalid", "detail": "Invalid input.",
            "errors": {"reason": ["Select a valid choice. nope is not one of the available choices."]}})],
    )
    def get(self, request: Request) -> HttpResponseBase:
        form = LedgerFilterForm(request.query_params)
        if not form.is_valid():
            return form_errors(dict(form.errors))
        return ledger_export(request._request)
