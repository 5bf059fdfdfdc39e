"""The public page (no login): report a problem, get a tracking number, look a case up."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from ecohotline.cases.exceptions import RuleViolation
from ecohotline.public import limits, selectors
from ecohotline.public.forms import MAX_REQUEST_BYTES, ReportForm, TrackForm, issue_form_token
from ecohotline.public.models import PublicReport
from ecohotline.public.services import PublicComplaint, file_public_report, format_tracking_number

RECEIPT_SESSION_KEY = "public_receipt"


def _language() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh-hans"


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    context.setdefault("bureau_name", selectors.bureau_name())
    response = render(request, template, context, status=status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def _limited(request: HttpRequest, retry_after: int) -> HttpResponse:
    response = _render(request, "public/limited.html", {}, status=429)
    response.headers["Retry-After"] = str(retry_after)
    return response


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    return _render(request, "public/landing.html", {})


def _report_page(request: HttpRequest, form: ReportForm, status: int = 200) -> HttpResponse:
    return _render(request, "public/report.html", {"form": form, "district": selectors.home_district()},
                   status=status)


@csrf_protect
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    language = _language()
    categories = selectors.category_choices(language)
    if request.method != "POST":
        return _report_page(request, ReportForm(categories=categories, initial={"token": issue_form_token()}))
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_REQUEST_BYTES:  # refused before Django reads the body
        return _render(request, "public/too_large.html", {}, status=413)
    ip = limits.client_ip(request)
    if limits.REPORTS_PER_IP.exceeded(ip):
        return _limited(request, limits.REPORTS_PER_IP.seconds)
    form = ReportForm(request.POST, request.FILES, categories=categories)
    if not form.is_valid():
        if form.trapped:
            limits.REPORTS_PER_IP.hit(ip)
        fresh = request.POST.copy()
        fresh["token"] = issue_form_token()  # an expired or bad token must not block the next try
        form.data = fresh
        return _report_page(request, form, status=400)
    data = form.cleaned_data
    if data["phone"] and limits.REPORTS_PER_PHONE.exceeded(data["phone"]):
        return _limited(request, limits.REPORTS_PER_PHONE.seconds)
    complaint = PublicComplaint(
        description=data["description"], address=data["address"], sub_category=data["sub_category"],
        longitude=data["longitude"], latitude=data["latitude"], name=data["name"], phone=data["phone"],
        consent_to_contact=bool(data["consent"]), language=language,
    )
    try:
        filed = file_public_report(complaint=complaint, photos=data["photos"], submission_key=form.submission_key)
    except RuleViolation as error:
        form.add_error("photos" if error.extra.get("field") == "photos" else None, str(error))
        return _report_page(request, form, status=400)
    except IntegrityError:  # the same form sent twice at once: the other request filed it
        known = PublicReport.objects.filter(submission_key=form.submission_key).first()
        if known is None:
            raise
        filed = known
    else:
        limits.REPORTS_PER_IP.hit(ip)
        if data["phone"]:
            limits.REPORTS_PER_PHONE.hit(data["phone"])
    request.session[RECEIPT_SESSION_KEY] = filed.tracking_number
    return redirect("public:receipt")


@require_GET
def receipt(request: HttpRequest) -> HttpResponse:
    """The tracking number of the report just filed, kept in the session (not in the address, which would end
    up in logs and histories)."""
    number = request.session.get(RECEIPT_SESSION_KEY)
    report = PublicReport.objects.filter(tracking_number=number).select_related("case").first() if number else None
    if report is None:
        return redirect("public:landing")
    return _render(request, "public/receipt.html", {
        "tracking_number": format_tracking_number(report.tracking_number),
        "with_phone": bool(report.case.complainant_phone),
        "reply_due_at": report.case.reply_due_at or report.case.due_at,
    })


@csrf_protect
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Looked up by POST: the tracking number and the digits stay out of addresses and logs."""
    if request.method != "POST":
        return _render(request, "public/track.html", {"form": TrackForm()})
    ip = limits.client_ip(request)
    if limits.LOOKUPS_PER_IP.exceeded(ip):
        return _limited(request, limits.LOOKUPS_PER_IP.seconds)
    form = TrackForm(request.POST)
    if not form.is_valid():
        return _render(request, "public/track.html", {"form": form}, status=400)
    limits.LOOKUPS_PER_IP.hit(ip)
    status = selectors.find_status(tracking_number=form.cleaned_data["tracking_number"],
                                   digits=form.cleaned_data["digits"], language=_language())
    return _render(request, "public/track.html", {
        "form": form, "status": status, "not_found": status is None,
        "tracking_number": format_tracking_number(status.tracking_number) if status else "",
    }, status=200 if status else 404)
