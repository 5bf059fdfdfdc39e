"""The ledger (台账) and retrospectives (回访回溯) pages: thin views over `assessment.ledger` and
`assessment.retrospectives`. Only the overview roles see them (`access.can_see_overview`); a unit head sees the
cases of their unit. The complainant's name and phone are never shown here, and free texts are masked."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from ecohotline.assessment import ledger, retrospectives
from ecohotline.assessment.access import overview_required
from ecohotline.assessment.forms import (
    EntryPlanForm,
    FlagDifficultForm,
    LedgerFilterForm,
    MonthForm,
    RemoveEntryForm,
    RetrospectiveForm,
)
from ecohotline.assessment.models import LedgerEntry, LedgerExit, Retrospective, RetrospectiveCause
from ecohotline.audit import services as audit
from ecohotline.audit.models import AuditKind
from ecohotline.cases.access import mask_complainant
from ecohotline.cases.exceptions import CaseError
from ecohotline.cases.models import Case, CaseEvent
from ecohotline.org.models import User

PAGE_SIZE = 50
EXPORT_LIMIT = 20_000


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


# --- the ledger -------------------------------------------------------------------------------------------


@dataclass
class Row:
    """One entry as the ledger shows it (masked texts, age, history)."""

    entry: LedgerEntry
    summary: str
    next_step: str
    age_days: int
    next_date_passed: bool
    history: list[HistoryItem] = field(default_factory=list)


@dataclass
class HistoryItem:
    """A ledger or retrospective event in words (masked)."""

    event: CaseEvent
    details: list[str]


def _history(case: Case, events: list[CaseEvent] | None) -> list[HistoryItem]:
    exits = dict(LedgerExit.choices)
    causes = dict(RetrospectiveCause.choices)
    items = []
    for event in events or []:
        payload = event.payload
        details = []
        if payload.get("reasons"):
            details.append(", ".join(ledger.reason_label(code) for code in payload["reasons"]))
        if payload.get("exit"):
            details.append(str(exits.get(payload["exit"], payload["exit"])))
        if payload.get("cause"):
            details.append(str(causes.get(payload["cause"], payload["cause"])))
        for key, label in (("responsible_name", _("Owner")), ("next_step", _("Next step")),
                           ("next_date", _("Next date"))):
            if payload.get(key):
                details.append(f"{label}: {payload[key]}")
        for key in ("reason", "note", "text", "lessons"):
            if isinstance(payload.get(key), str) and payload[key]:
                details.append(payload[key])
        items.append(HistoryItem(event, [mask_complainant(case, text) for text in details]))
    return items


def _filtered(request: HttpRequest) -> tuple[LedgerFilterForm, QuerySet[LedgerEntry]]:
    form = LedgerFilterForm(request.GET or None)
    reason = unit = leader = None
    if form.is_valid():
        reason, unit, leader = (form.cleaned_data.get("reason") or None, form.cleaned_data.get("unit"),
                                form.cleaned_data.get("leader"))
    entries = ledger.seen_by(_user(request), ledger.open_entries(reason=reason))
    if unit is not None:
        entries = entries.filter(case__handling_unit__path__startswith=unit.path)
    if leader is not None:
        entries = entries.filter(case__leader=leader)
    return form, entries


def _row(entry: LedgerEntry, now: dt.datetime, history: list[CaseEvent] | None = None) -> Row:
    case = entry.case
    today = timezone.localdate(now)
    return Row(entry=entry, summary=mask_complainant(case, case.title or case.description[:80]),
               next_step=mask_complainant(case, entry.next_step),
               age_days=max((now - case.received_at).days, 0),
               next_date_passed=entry.next_date is not None and entry.next_date < today,
               history=_history(case, history))


@overview_required
def ledger_list(request: HttpRequest) -> HttpResponse:
    """The living list: open entries, oldest first, filtered by reason, unit and leader."""
    form, entries = _filtered(request)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    events = ledger.history(entry.case_id for entry in page.object_list)
    rows = [_row(entry, now, events.get(entry.case_id)) for entry in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "assessment/ledger.html", {
        "form": form, "rows": rows, "page": page, "query": query.urlencode(),
        "can_lead": ledger.can_lead(request.user), "flag_form": FlagDifficultForm(),
    })


def _entry_or_404(request: HttpRequest, pk: int) -> LedgerEntry:
    entries = LedgerEntry.objects.select_related("case", "case__handling_unit", "case__handler", "case__leader",
                                                 "owner", "removed_by")
    return get_object_or_404(ledger.seen_by(_user(request), entries), pk=pk)


def _entry_page(request: HttpRequest, entry: LedgerEntry, *, plan_form: EntryPlanForm | None = None,
                remove_form: RemoveEntryForm | None = None, status: int = 200) -> HttpResponse:
    now = timezone.now()
    row = _row(entry, now, ledger.history([entry.case_id]).get(entry.case_id))
    can_plan = entry.is_open and ledger.can_follow_up(request.user, entry.case)
    if plan_form is None and can_plan:
        # Masked like everything on these pages; sent back unchanged, it leaves the stored text as it is.
        plan_form = EntryPlanForm(initial={"owner": entry.owner_id, "next_step": row.next_step,
                                           "next_date": entry.next_date})
    others = LedgerEntry.objects.filter(case=entry.case).exclude(pk=entry.pk).order_by("entered_at")
    return render(request, "assessment/ledger_entry.html", {
        "row": row, "entry": entry, "case": entry.case, "can_plan": can_plan, "plan_form": plan_form,
        "can_remove": entry.is_open and ledger.can_lead(request.user),
        "remove_form": remove_form or RemoveEntryForm(), "other_entries": others,
        "exit_reason": mask_complainant(entry.case, entry.exit_reason),
        "difficult_note": mask_complainant(entry.case, entry.difficult_note),
    }, status=status)


@overview_required
def ledger_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """One entry: its case, reasons, plan and history, with the forms to plan it and (leaders) remove it."""
    return _entry_page(request, _entry_or_404(request, pk))


@require_POST
@overview_required
def ledger_entry_plan(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry_or_404(request, pk)
    form = EntryPlanForm(request.POST)
    if not form.is_valid():
        return _entry_page(request, entry, plan_form=form, status=400)
    next_step = form.cleaned_data["next_step"]
    if next_step.strip() == mask_complainant(entry.case, entry.next_step).strip():
        next_step = None  # the masked text shown, sent back as it was
    try:
        ledger.update_entry(actor=_user(request), entry=entry, owner=form.cleaned_data["owner"],
                            next_step=next_step, next_date=form.cleaned_data["next_date"],
                            note=form.cleaned_data["note"])
    except CaseError as error:
        return _refused(request, error, reverse("assessment:ledger-entry", args=[entry.pk]))
    messages.success(request, _("The plan of the entry is saved."))
    return redirect("assessment:ledger-entry", pk=entry.pk)


@require_POST
@overview_required
def ledger_entry_remove(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry_or_404(request, pk)
    form = RemoveEntryForm(request.POST)
    if not form.is_valid():
        return _entry_page(request, entry, remove_form=form, status=400)
    try:
        ledger.remove_entry(actor=_user(request), entry=entry, reason=form.cleaned_data["reason"])
    except CaseError as error:
        return _refused(request, error, reverse("assessment:ledger-entry", args=[entry.pk]))
    messages.success(request, _("%(reference)s has left the ledger.") % {"reference": entry.case.reference})
    return redirect("assessment:ledger")


@require_POST
@overview_required
def ledger_flag(request: HttpRequest) -> HttpResponse:
    """A leader marks a case as difficult: it enters the ledger (or its entry gains the reason)."""
    if not ledger.can_lead(request.user):
        raise PermissionDenied
    form = FlagDifficultForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in errors))
        return redirect("assessment:ledger")
    case: Case = form.cleaned_data["case"]
    try:
        entry = ledger.flag_difficult(actor=_user(request), case=case, reason=form.cleaned_data["reason"])
    except CaseError as error:
        return _refused(request, error, reverse("assessment:ledger"))
    messages.success(request, _("%(reference)s is on the ledger as difficult.") % {"reference": case.reference})
    return redirect("assessment:ledger-entry", pk=entry.pk)


def _refused(request: HttpRequest, error: CaseError, to: str) -> HttpResponse:
    if error.http_status == 403:
        raise PermissionDenied(error.detail)
    messages.error(request, error.detail)
    return HttpResponseRedirect(to)


def _text_cell(sheet: Any, value: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value)))
    cell.data_type = "s"  # text, even when it starts with "=": never a formula
    return cell


@overview_required
def ledger_export(request: HttpRequest) -> HttpResponse:
    """The ledger as filtered on the page, as an XLSX workbook (no complainant; free texts masked)."""
    _form, entries = _filtered(request)
    audit.record(AuditKind.EXPORT, request=request, target="ledger.xlsx",
                 filters={key: values for key, values in request.GET.lists()})
    now = timezone.now()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Ledger"))
    header = [_("Order"), _("Case"), _("Handling unit"), _("Handler"), _("Owner"), _("Leader"), _("Reasons"),
              _("Entered"), _("Age (days)"), _("Next step"), _("Next date"), _("Why it is difficult")]
    sheet.append([_text_cell(sheet, value) for value in header])
    for entry in entries.select_related("case__handler")[:EXPORT_LIMIT]:
        row = _row(entry, now)
        case = entry.case
        sheet.append([_text_cell(sheet, value) for value in (
            case.reference, row.summary, case.handling_unit.name if case.handling_unit else "",
            str(case.handler) if case.handler else "", str(entry.owner) if entry.owner else "",
            str(case.leader) if case.leader else "", "、".join(entry.reason_labels()),
            timezone.localtime(entry.entered_at).strftime("%Y-%m-%d %H:%M"), row.age_days, row.next_step,
            entry.next_date.isoformat() if entry.next_date else "",
            mask_complainant(case, entry.difficult_note))])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="ledger-{timezone.localtime(now):%Y%m%d-%H%M}.xlsx"'
    return response


# --- retrospectives ---------------------------------------------------------------------------------------


@overview_required
def retrospective_list(request: HttpRequest) -> HttpResponse:
    """The retrospectives to fill in, the latest filled in, and the causes of a chosen month."""
    user = _user(request)
    month_form = MonthForm(request.GET or None)
    month = month_form.month_or(timezone.localdate())
    start, end = retrospectives.month_bounds(month)
    counts = retrospectives.cause_counts(start, end)
    causes = [(code, label, counts.get(code, 0)) for code, label in RetrospectiveCause.choices]
    page = Paginator(retrospectives.pending(user), 20).get_page(request.GET.get("page"))
    items = []
    for item in page.object_list:
        form = RetrospectiveForm(initial={"cause": retrospectives.suggested_cause(item.visit)},
                                 prefix=f"r{item.pk}")
        items.append((item, mask_complainant(item.case, item.case.title or item.case.description[:80]),
                      form, ledger.can_follow_up(user, item.case)))
    done = [(item, mask_complainant(item.case, item.lessons))
            for item in retrospectives.recently_done(user)]
    return render(request, "assessment/retrospectives.html", {
        "month_form": month_form, "month": month, "start": start, "end": end, "causes": causes,
        "pending_count": counts[retrospectives.PENDING], "total": sum(counts.values()), "items": items,
        "page": page, "done": done,
    })


@require_POST
@overview_required
def retrospective_record(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(ledger.seen_by(_user(request), Retrospective.objects.select_related("case")), pk=pk)
    form = RetrospectiveForm(request.POST, prefix=f"r{item.pk}")
    back = reverse("assessment:retrospectives")
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in errors))
        return HttpResponseRedirect(back)
    try:
        retrospectives.record_retrospective(actor=_user(request), retrospective=item, **form.cleaned_data)
    except CaseError as error:
        return _refused(request, error, back)
    messages.success(request, _("The retrospective of %(reference)s is recorded.") % {
        "reference": item.case.reference})
    return HttpResponseRedirect(back)
