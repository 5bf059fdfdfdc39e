"""The reports page: generate a document on demand, download from the archive, the dispatch meetings and their
decisions. Thin: the documents are composed in `compose`/`meeting_pack`, written by `services`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecohotline.assessment.access import can_see_overview
from ecohotline.reports import selectors, services
from ecohotline.reports.forms import DecisionForm, GenerateForm, MeetingForm, responsible_choices
from ecohotline.reports.meeting_pack import decision_due_default
from ecohotline.reports.models import Meeting, ReportRun

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ARCHIVE_ROWS = 100
MEETING_ROWS = 20


def _overview(request: HttpRequest) -> None:
    if not can_see_overview(request.user):
        raise PermissionDenied


def _page(request: HttpRequest, **forms: Any) -> HttpResponse:
    context = {
        "generate_form": forms.get("generate_form") or GenerateForm(),
        "meeting_form": forms.get("meeting_form") or MeetingForm(),
        "runs": selectors.archive()[:ARCHIVE_ROWS],
        "meetings": selectors.meetings()[:MEETING_ROWS],
        "can_run_meetings": services.can_run_meetings(request.user),  # type: ignore[arg-type]
    }
    return render(request, "reports/report_list.html", context, status=400 if forms else 200)


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    _overview(request)
    return _page(request)


@login_required
@require_POST
def generate(request: HttpRequest) -> HttpResponse:
    _overview(request)
    form = GenerateForm(request.POST)
    if not form.is_valid():
        return _page(request, generate_form=form)
    run = services.generate_report(kind=form.cleaned_data["kind"], day=form.cleaned_data["day"],
                                   actor=request.user)  # type: ignore[arg-type]
    messages.success(request, _("%(document)s for %(start)s – %(end)s is ready (version %(version)s).") % {
        "document": run.get_kind_display(), "start": run.period_start, "end": run.period_end,
        "version": run.version})
    return redirect("reports:report-list")


@login_required
def download(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    """A document of the archive, for those who see the overview. Media is never served directly."""
    _overview(request)
    return document_response(pk, fmt)


def document_response(pk: int, fmt: str) -> FileResponse:
    """The DOCX or XLSX of archived report `pk` as a download; 404 when there is none."""
    if fmt not in CONTENT_TYPES:
        raise Http404
    run = get_object_or_404(ReportRun, pk=pk)
    field = run.docx if fmt == "docx" else run.xlsx
    if not field.name:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=field.name.rsplit("/", 1)[-1],
                            content_type=CONTENT_TYPES[fmt])
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def meeting_open(request: HttpRequest) -> HttpResponse:
    _overview(request)
    if not services.can_run_meetings(request.user):  # type: ignore[arg-type]
        raise PermissionDenied
    form = MeetingForm(request.POST)
    if not form.is_valid():
        return _page(request, meeting_form=form)
    meeting = services.open_meeting(held_on=form.cleaned_data["held_on"], title=form.cleaned_data["title"],
                                    actor=request.user)  # type: ignore[arg-type]
    return redirect("reports:meeting-detail", pk=meeting.pk)


def _meeting_page(request: HttpRequest, meeting: Meeting, form: DecisionForm | None = None,
                  failed_case: int | None = None) -> HttpResponse:
    may_decide = services.can_run_meetings(request.user)  # type: ignore[arg-type]
    items = selectors.agenda(meeting)
    initial = {"due": decision_due_default(meeting)}
    people = responsible_choices() if may_decide else []
    rows: list[tuple[selectors.AgendaItem, DecisionForm | None]] = [
        (item, form if form is not None and item.case.pk == failed_case
         else DecisionForm(initial=initial, prefix=f"case-{item.case.pk}", people=people))
        for item in items]
    return render(request, "reports/meeting_detail.html", {
        "meeting": meeting, "rows": rows if may_decide else [(item, None) for item in items],
        "packs": meeting.packs.select_related("generated_by").order_by("-version"), "may_decide": may_decide,
    }, status=400 if form is not None else 200)


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _overview(request)
    return _meeting_page(request, get_object_or_404(Meeting, pk=pk))


@login_required
@require_POST
def meeting_pack(request: HttpRequest, pk: int) -> HttpResponse:
    _overview(request)
    meeting = get_object_or_404(Meeting, pk=pk)
    run = services.generate_meeting_pack(meeting=meeting, actor=request.user)  # type: ignore[arg-type]
    messages.success(request, _("The meeting pack is ready (version %(version)s).") % {"version": run.version})
    return redirect("reports:meeting-detail", pk=meeting.pk)


@login_required
@require_POST
def decision_add(request: HttpRequest, pk: int) -> HttpResponse:
    _overview(request)
    if not services.can_run_meetings(request.user):  # type: ignore[arg-type]
        raise PermissionDenied
    meeting = get_object_or_404(Meeting, pk=pk)
    agenda = {item.case.pk: item.case for item in selectors.agenda(meeting)}
    try:
        case_pk = int(request.POST.get("case", ""))
    except ValueError:
        raise Http404 from None
    if case_pk not in agenda:
        raise Http404
    form = DecisionForm(request.POST, prefix=f"case-{case_pk}")
    if not form.is_valid():
        return _meeting_page(request, meeting, form, case_pk)
    services.record_decision(actor=request.user, meeting=meeting, case=agenda[case_pk],  # type: ignore[arg-type]
                             text=form.cleaned_data["text"], responsible=form.cleaned_data["responsible"],
                             due=form.cleaned_data["due"])
    messages.success(request, _("The decision on %(case)s is on its timeline.") % {"case": agenda[case_pk].reference})
    return redirect(reverse("reports:meeting-detail", args=[meeting.pk]) + f"#case-{case_pk}")
