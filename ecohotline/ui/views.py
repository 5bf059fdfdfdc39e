"""Desk pages (thin: reads through selectors, writes through services)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecohotline.cases import access
from ecohotline.cases.attachments import attachment_response
from ecohotline.cases.deadlines import deadline_state
from ecohotline.cases.exceptions import ActionForbidden, CaseError
from ecohotline.cases.filters import CaseFilter
from ecohotline.cases.models import Attachment, CaseStatus
from ecohotline.cases.selectors import (
    CASE_SORTS,
    LIST_PAGE_SIZE,
    case_list_queryset,
    case_page,
    case_sort,
    category_labels,
)
from ecohotline.core import clock
from ecohotline.core.middleware import normalise_language
from ecohotline.intake.models import ReceivedVia
from ecohotline.intake.services import Outcome, take_in_order
from ecohotline.org.models import PLACE_KINDS, OrgUnit, Role
from ecohotline.org.services import set_language_preference
from ecohotline.ui import case_actions
from ecohotline.ui.forms import OrderForm
from ecohotline.ui.models import SavedFilter
from ecohotline.ui.services import delete_filter, save_filter


def can_register_orders(user: Any) -> bool:
    """Who may register cases (the rule `create_cases` enforces): dispatchers and administrators."""
    return bool(user.is_authenticated and user.has_role(Role.DISPATCHER, Role.ADMIN))


# The query parameters of the case list: its filters and its sort (what a saved filter keeps).
LIST_PARAMETERS = (*CaseFilter.base_filters, "sort")
CASE_LIST_PAGE_SIZE = LIST_PAGE_SIZE


def filtered_cases(request: HttpRequest) -> tuple[CaseFilter, str]:
    """The case list's filter over the cases the user may see, and the sort asked for (list and exports)."""
    base = case_list_queryset(request.user)  # type: ignore[arg-type]
    return CaseFilter(request.GET, queryset=base, request=request), case_sort(request.GET.get("sort"))


def list_query(parameters: QueryDict) -> str:
    """The list's filters and sort as a query string, without the page cursor or anything else."""
    query = QueryDict(mutable=True)
    for name in LIST_PARAMETERS:
        values = [value for value in parameters.getlist(name) if value]
        if values:
            query.setlist(name, values)
    return query.urlencode()


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    case_filter, sort = filtered_cases(request)
    page = case_page(case_filter.qs, sort=sort, cursor=request.GET.get("after"), size=CASE_LIST_PAGE_SIZE)
    now = clock.now()
    rows = [(case, deadline_state(case, now)) for case in page.cases]
    return render(request, "ui/case_list.html", {
        "filter": case_filter, "page": page, "rows": rows, "query": list_query(request.GET),
        "saved_filters": SavedFilter.objects.filter(user=request.user.pk),
        "end": page.start + len(rows) - 1,
        "filters": {"q": request.GET.get("q", ""), "status": request.GET.getlist("status"),
                    "street": request.GET.get("street", ""), "category": request.GET.get("category", ""),
                    "overdue": request.GET.get("overdue", ""), "sort": sort},
        "sorts": [(code, option.label) for code, option in CASE_SORTS.items()],
        "statuses": CaseStatus.choices,
        "streets": OrgUnit.objects.filter(kind__in=PLACE_KINDS, is_active=True).order_by("name"),
        "category_codes": list(category_labels()),
        "can_register": can_register_orders(request.user),
    })


@login_required
@require_POST
def saved_filter_save(request: HttpRequest) -> HttpResponse:
    """Keep the list's current filter under a name (the same name again replaces it)."""
    name = request.POST.get("name", "").strip()[:80]
    query = list_query(QueryDict(request.POST.get("query", "")))[:1000]
    if name:
        save_filter(actor=request.user, name=name, query=query)  # type: ignore[arg-type]
        messages.success(request, _("The filter is saved as “%(name)s”.") % {"name": name})
    else:
        messages.warning(request, _("Give the filter a name to save it."))
    return redirect(reverse("ui:case-list") + (f"?{query}" if query else ""))


@login_required
@require_POST
def saved_filter_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Forget one of the user's own saved filters."""
    delete_filter(actor=request.user, saved_filter=get_object_or_404(SavedFilter, pk=pk,  # type: ignore[arg-type]
                                                                     user=request.user.pk))
    return redirect("ui:case-list")


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    """登记工单: enter an order taken at the desk; it goes through the intake (triage) like a 12345 order."""
    if not can_register_orders(request.user):
        raise PermissionDenied
    form = OrderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = take_in_order(order=form.order(), via=ReceivedVia.MANUAL, actor=request.user)  # type: ignore[arg-type]
        except ActionForbidden:
            raise PermissionDenied from None
        except CaseError as error:
            field = error.extra.get("field")
            form.add_error(field if field in form.fields else None, error.detail)
        else:
            names = {"reference": result.case.reference, "number": form.cleaned_data["external_id"]}
            if result.outcome == Outcome.CREATED:
                messages.success(request, _("The order is registered as %(reference)s.") % names)
            elif result.outcome == Outcome.UPDATED:
                messages.warning(request, _("Order number %(number)s was already registered. What differs is "
                                            "recorded on its timeline as a supplement.") % names)
            else:
                messages.info(request, _("Order number %(number)s was already registered with the same content: "
                                         "nothing has changed.") % names)
            return redirect("ui:case-detail", pk=result.case.pk)
    return render(request, "ui/case_new.html", {"form": form})


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The case page: the order, triage's reasons, related cases, the timeline and a form for each action the
    user may take now (posted to `case_actions.case_action`)."""
    case = get_object_or_404(case_actions.case_queryset(request.user), pk=pk)  # type: ignore[arg-type]
    return case_actions.render_case_page(request, case)


@login_required
def case_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """A file attached to a case, for those who may see the case. Media is never served directly: this is the
    only way to a photo. A photo is shown inline with its true type; anything else is downloaded."""
    case = get_object_or_404(access.visible_cases(request.user), pk=pk)  # type: ignore[arg-type]
    return attachment_response(get_object_or_404(Attachment, pk=attachment_pk, case=case))


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the language; a signed-in user's choice is remembered on their account."""
    language = normalise_language(request.POST.get("language")) or settings.LANGUAGE_CODE
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
    if request.user.is_authenticated:
        set_language_preference(user=request.user, language=language)
    return response
