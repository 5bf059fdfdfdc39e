"""Intake pages: import a 12345 export (upload, progress, result, rejected rows as XLSX, the file as uploaded)."""

from __future__ import annotations

import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from ecohotline.intake.forms import ImportForm
from ecohotline.intake.importing import start_upload, write_rejections
from ecohotline.intake.models import ImportRun, ImportStatus
from ecohotline.intake.parsing import Layout
from ecohotline.org.models import Role

RECENT_RUNS = 20
SHOWN_REJECTIONS = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def can_import(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.has_role(Role.DISPATCHER, Role.ADMIN)))


def _require_importer(request: HttpRequest) -> None:
    if not can_import(request.user):
        raise PermissionDenied


def can_download_file(user: Any, run: ImportRun) -> bool:
    """The file as uploaded (names and phone numbers of complainants) goes back only to whom uploaded it, while
    they may still import, and to administrators."""
    if not can_import(user):
        return False
    return bool(user.is_superuser or user.has_role(Role.ADMIN) or run.started_by_id == user.pk)


@login_required
def import_orders(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        run = start_upload(upload=form.cleaned_data["file"], profile=form.cleaned_data["profile"],
                           dry_run=form.cleaned_data["dry_run"], actor=request.user)  # type: ignore[arg-type]
        return redirect("intake:import-run", pk=run.pk)
    runs = list(ImportRun.objects.select_related("profile", "started_by")[:RECENT_RUNS])
    downloadable = {run.pk for run in runs if run.stored_file and can_download_file(request.user, run)}
    return render(request, "intake/import.html", {"form": form, "runs": runs, "downloadable": downloadable})


def _progress(run: ImportRun) -> dict[str, Any]:
    running = run.status == ImportStatus.RUNNING
    context: dict[str, Any] = {
        "run": run, "running": running,
        # run_import and fail_stale_runs write "导入中断：…" when a run stopped (rather than its file being unreadable)
        "interrupted": run.status == ImportStatus.FAILED and run.error.startswith("导入中断"),
        "percent": int(100 * run.rows_done / run.rows_total) if run.rows_total else 0,
        "rows_done": f"{run.rows_done:,}", "rows_total": f"{run.rows_total:,}",
        "counts": {"created": f"{run.created:,}", "updated": f"{run.updated:,}",
                   "unchanged": f"{run.unchanged:,}", "rejected": f"{run.rejected:,}"},
    }
    if not running:
        number_header = Layout.from_profile(run.profile).header_for("工单编号")
        rejections = list(run.rejections.all()[:SHOWN_REJECTIONS])
        context["rejections"] = [(r, r.values.get(number_header, "")) for r in rejections]
        context["more_rejections"] = max(0, run.rejections.count() - SHOWN_REJECTIONS) if rejections else 0
    return context


@login_required
def import_run(request: HttpRequest, pk: int) -> HttpResponse:
    _require_importer(request)
    run = get_object_or_404(ImportRun.objects.select_related("profile", "started_by"), pk=pk)
    context = _progress(run)
    context["can_download_file"] = bool(run.stored_file) and can_download_file(request.user, run)
    return render(request, "intake/import_run.html", context)


@login_required
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment the run page polls every second (htmx) until the run is over."""
    _require_importer(request)
    run = get_object_or_404(ImportRun.objects.select_related("profile"), pk=pk)
    return render(request, "intake/_progress.html", _progress(run))


@login_required
def import_rejections(request: HttpRequest, pk: int) -> HttpResponse:
    _require_importer(request)
    run = get_object_or_404(ImportRun.objects.select_related("profile"), pk=pk)
    buffer = io.BytesIO()
    write_rejections(run, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="rejected-rows-{run.pk}.xlsx"'
    return response


@login_required
def import_file(request: HttpRequest, pk: int) -> FileResponse:
    """The file of a run as it was uploaded, under its original name."""
    _require_importer(request)
    run = get_object_or_404(ImportRun, pk=pk)
    if not can_download_file(request.user, run):
        raise PermissionDenied
    if not run.stored_file:
        raise Http404
    try:
        handle = default_storage.open(run.stored_file, "rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=run.file_name)
