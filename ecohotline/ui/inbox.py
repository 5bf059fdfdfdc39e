"""The inbox (待办): what waits for each of the user's roles, and the dispatcher's one-click decisions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ecohotline.cases import access
from ecohotline.cases.deadlines import deadline_state
from ecohotline.cases.exceptions import ActionForbidden, CaseError
from ecohotline.cases.inbox import inbox_counts, section_cases, section_rows, sections_for
from ecohotline.cases.services import HANDLING_UNIT_KINDS
from ecohotline.core import clock
from ecohotline.intake import suggestions
from ecohotline.intake.models import DuplicateSuggestion
from ecohotline.org.models import OrgUnit, Role

# How many cases each section shows; the case list has the rest.
ROWS_PER_SECTION = 20

_WITH_UNIT = "status=dispatched&status=in_progress&status=merged"
# The case list filter that holds each section's cases (and possibly more); none where it has no such filter.
CASE_LIST_QUERIES = {
    "new_and_returned": "status=new&status=returned",
    "triage_suggestions": "status=new",
    "duplicate_suggestions": "status=new&status=returned",
    "my_cases": _WITH_UNIT,
    "unit_to_accept": "status=dispatched",
    "unit_cases": _WITH_UNIT,
    "unit_unassigned": _WITH_UNIT,
    "unit_due_soon": _WITH_UNIT,
    "unit_overdue": "overdue=true",
    "leader_cases": "",
    "leader_overdue": "overdue=true",
}


def _is_dispatcher(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_role(Role.DISPATCHER, Role.ADMIN))


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    now = clock.now()
    counts = inbox_counts(user, now)
    sections = []
    for section in sections_for(user):
        cases = section_cases(user, section.code, now).select_related("street", "handling_unit", "handler", "policy")
        if section.code == "triage_suggestions":
            cases = cases.select_related("triage__unit", "triage__leader")
        if section.code == "duplicate_suggestions":
            cases = cases.prefetch_related(Prefetch("duplicate_suggestions", queryset=suggestions.pending_duplicates(),
                                                    to_attr="pending_duplicates"))
        rows = [(case, deadline_state(case, now)) for case in section_rows(cases, section.code, now, ROWS_PER_SECTION)]
        count = counts.get(section.code, 0)
        sections.append({
            "code": section.code, "title": section.title, "count": count, "rows": rows,
            "more": max(count - len(rows), 0), "case_list_query": CASE_LIST_QUERIES.get(section.code),
        })
    units = (OrgUnit.objects.filter(kind__in=HANDLING_UNIT_KINDS, is_active=True).order_by("path")
             if any(s["code"] == "new_and_returned" and s["rows"] for s in sections) else [])
    return render(request, "ui/inbox.html", {"sections": sections, "units": units, "has_roles": bool(user.role_codes)})


def _dispatcher_case(request: HttpRequest, pk: int) -> Any:
    if not _is_dispatcher(request.user):
        raise PermissionDenied
    return get_object_or_404(access.visible_cases(request.user), pk=pk)  # type: ignore[arg-type]


def _dispatcher_duplicate(request: HttpRequest, pk: int) -> DuplicateSuggestion:
    if not _is_dispatcher(request.user):
        raise PermissionDenied
    return get_object_or_404(DuplicateSuggestion.objects.select_related("case", "candidate"), pk=pk)


def _decide(request: HttpRequest, reference: str, call: Callable[[], Any], done: Callable[[Any], None]) -> HttpResponse:
    """Run one of the dispatcher's decisions: 403 when the role may not, the service's refusal as an error
    message naming the case, else `done(result)` (the success message); back to the inbox."""
    try:
        result = call()
    except ActionForbidden:
        raise PermissionDenied from None
    except CaseError as error:
        messages.error(request, f"{reference}: {error.detail}")
    else:
        done(result)
    return redirect("ui:inbox")


@require_POST
@login_required
def accept_triage(request: HttpRequest, pk: int) -> HttpResponse:
    case = _dispatcher_case(request, pk)
    return _decide(
        request, case.reference,
        lambda: suggestions.accept_triage_suggestion(actor=request.user, case=case),  # type: ignore[arg-type]
        lambda done: messages.success(request, _("%(reference)s is dispatched to %(unit)s.")
                                      % {"reference": done.reference, "unit": done.handling_unit}),
    )


@require_POST
@login_required
def dismiss_triage(request: HttpRequest, pk: int) -> HttpResponse:
    case = _dispatcher_case(request, pk)
    return _decide(
        request, case.reference,
        lambda: suggestions.dismiss_triage_suggestion(actor=request.user, case=case),  # type: ignore[arg-type]
        lambda result: messages.info(request, _("The routing suggestion for %(reference)s is dismissed.")
                                % {"reference": case.reference}),
    )


@require_POST
@login_required
def confirm_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    suggestion = _dispatcher_duplicate(request, pk)
    names = {"reference": suggestion.case.reference, "target": suggestion.candidate.reference}
    return _decide(
        request, names["reference"],
        lambda: suggestions.confirm_duplicate(actor=request.user, suggestion=suggestion),  # type: ignore[arg-type]
        lambda result: messages.success(request, _("%(reference)s is merged into %(target)s.") % names),
    )


@require_POST
@login_required
def dismiss_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    suggestion = _dispatcher_duplicate(request, pk)
    names = {"reference": suggestion.case.reference, "target": suggestion.candidate.reference}
    return _decide(
        request, names["reference"],
        lambda: suggestions.dismiss_duplicate(actor=request.user, suggestion=suggestion),  # type: ignore[arg-type]
        lambda result: messages.info(request, _("%(reference)s is not a duplicate of %(target)s.") % names),
    )


@require_POST
@login_required
def bulk_dispatch(request: HttpRequest) -> HttpResponse:
    """批量派单: the chosen cases to one unit, each through `dispatch_case`; what failed is reported per case."""
    if not _is_dispatcher(request.user):
        raise PermissionDenied
    ids = [int(value) for value in request.POST.getlist("case") if value.isdigit()]
    unit_id = request.POST.get("unit", "")
    unit = OrgUnit.objects.filter(pk=int(unit_id)).first() if unit_id.isdigit() else None
    if not ids or unit is None:
        messages.warning(request, _("Choose the cases and the unit to dispatch them to."))
        return redirect("ui:inbox")
    cases = access.visible_cases(request.user).filter(pk__in=ids).order_by("pk")  # type: ignore[arg-type]
    try:
        outcomes = suggestions.dispatch_many(actor=request.user, cases=cases, unit=unit)  # type: ignore[arg-type]
    except ActionForbidden:
        raise PermissionDenied from None
    done = sum(1 for outcome in outcomes if outcome.error is None)
    if done:
        messages.success(request, ngettext("%(count)d case is dispatched to %(unit)s.",
                                           "%(count)d cases are dispatched to %(unit)s.", done)
                         % {"count": done, "unit": unit})
    for outcome in outcomes:
        if outcome.error is not None:
            messages.error(request, _("%(reference)s is not dispatched: %(reason)s")
                           % {"reference": outcome.case.reference, "reason": outcome.error.detail})
    return redirect("ui:inbox")
