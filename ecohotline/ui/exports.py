"""CSV and XLSX exports of the desk's case list: the same filters, sort and visibility as the list page.

The complainant's name and phone are masked on every row the user may not see them on (the rule of
`cases.access`), and a cell that a spreadsheet would run as a formula is written as text.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from ecohotline.audit import services as audit
from ecohotline.audit.models import AuditKind
from ecohotline.cases import access
from ecohotline.cases.models import Case
from ecohotline.cases.selectors import category_label, iterate_sorted_cases
from ecohotline.org.models import User
from ecohotline.ui.views import filtered_cases

# More than this is a job for a report, not for a desk export; the file says so in its last row.
EXPORT_LIMIT = 100_000
# What a spreadsheet reads as the start of a formula (and the control characters it skips before one).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _when(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _columns(user: User) -> list[tuple[str, Callable[[Case], str]]]:
    """(header in the user's language, the cell of a case) for every exported column."""

    def complainant(case: Case, field: str, mask: Callable[[str], str]) -> str:
        value: str = getattr(case, field)
        return value if access.can_see_complainant(user, case) else mask(value)

    def header(field: str) -> str:
        return str(capfirst(Case._meta.get_field(field).verbose_name))  # type: ignore[union-attr]

    return [
        (header("external_id"), lambda case: case.reference),
        (header("received_at"), lambda case: _when(case.received_at)),
        (header("channel"), lambda case: str(case.get_channel_display())),
        (header("status"), lambda case: str(case.get_status_display())),
        (header("category"), lambda case: category_label(case.category)),
        (header("sub_category"), lambda case: category_label(case.sub_category)),
        (header("street"), lambda case: case.street.name if case.street else ""),
        (header("address"), lambda case: case.address),
        (header("title"), lambda case: case.title),
        (header("description"), lambda case: case.description),
        (header("polluter"), lambda case: case.polluter),
        (header("complainant_name"), lambda case: complainant(case, "complainant_name", access.mask_name)),
        (header("complainant_phone"), lambda case: complainant(case, "complainant_phone", access.mask_phone)),
        (header("handling_unit"), lambda case: case.handling_unit.name if case.handling_unit else ""),
        (header("next_due_at"), lambda case: _when(case.next_due_at)),
    ]


def _limit_note() -> str:
    return _("Only the first %(limit)s cases are exported. Narrow the filters to export the rest.") % {
        "limit": f"{EXPORT_LIMIT:,}"}


def export_rows(request: HttpRequest, file_format: str) -> tuple[list[str], Iterator[list[str]]]:
    """The header and the rows (streamed) of the list as filtered and sorted in `request`; past
    `EXPORT_LIMIT` rows, a last row saying the export stops there. The export is recorded in the audit log, with
    its filters and the exporter's roles (which decide whose complainants it names)."""
    user: User = request.user  # type: ignore[assignment]
    case_filter, sort = filtered_cases(request)
    audit.record(AuditKind.EXPORT, request=request, target=f"cases.{file_format}", sort=sort,
                 filters={key: values for key, values in request.GET.lists()},
                 roles=sorted(user.role_codes))
    columns = _columns(user)
    language = translation.get_language()

    def rows() -> Iterator[list[str]]:
        # A streamed body is written after the view returns: keep the user's language for the labels.
        with translation.override(language):
            for number, case in enumerate(iterate_sorted_cases(case_filter.qs, sort=sort, limit=EXPORT_LIMIT + 1)):
                if number == EXPORT_LIMIT:
                    yield [_limit_note()]
                    return
                yield [cell(case) for _header, cell in columns]

    return [header for header, _cell in columns], rows()


def defuse_formula(value: str) -> str:
    """A CSV cell that a spreadsheet would run as a formula (=, +, -, @...), made plain text."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _filename(extension: str) -> str:
    return f"cases-{timezone.localtime().strftime('%Y%m%d-%H%M')}.{extension}"


class _Echo:
    """A file-like object that hands back what is written (to stream csv.writer output)."""

    def write(self, value: str) -> str:
        return value


@login_required
def case_export_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered, sorted case list as CSV (UTF-8 with a byte-order mark, so that Excel reads Chinese)."""
    header, rows = export_rows(request, "csv")
    writer = csv.writer(_Echo())

    def lines() -> Iterable[str]:
        yield "\ufeff" + writer.writerow(header)
        for row in rows:
            yield writer.writerow([defuse_formula(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


def _text_cell(sheet: Any, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"  # text, even when it starts with "=": never a formula
    return cell


@login_required
def case_export_xlsx(request: HttpRequest) -> FileResponse:
    """The filtered, sorted case list as an XLSX workbook (written row by row, to a temporary file)."""
    header, rows = export_rows(request, "xlsx")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Cases"))
    sheet.append([_text_cell(sheet, value) for value in header])
    for row in rows:
        sheet.append([_text_cell(sheet, value) for value in row])
    output = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it once sent)
    workbook.save(output)
    output.seek(0)
    return FileResponse(output, as_attachment=True, filename=_filename("xlsx"),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
