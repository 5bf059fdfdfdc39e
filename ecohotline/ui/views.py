"""Desk pages (thin: reads through selectors, writes through services)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecohotline.cases import access
from ecohotline.cases.deadlines import deadline_state
from ecohotline.cases.exceptions import ActionForbidden, CaseError
from ecohotline.cases.filters import CaseFilter
from ecohotline.cases.models import CaseStatus
from ecohotline.cases.selectors import category_labels
from ecohotline.cases.services import allowed_actions
from ecohotline.cases.workflow import TRANSITIONS
from ecohotline.core.middleware import normalise_language
from ecohotline.intake.models import ReceivedVia
from ecohotline.intake.services import Outcome, take_in_order
from ecohotline.org.models import PLACE_KINDS, OrgUnit, Role
from ecohotline.org.services import set_language_preference
from ecohotline.ui.forms import OrderForm


def can_register_orders(user: Any) -> bool:
    """Who may register cases (the rule `create_cases` enforces): dispatchers and administrators."""
    return bool(user.is_authenticated and user.has_role(Role.DISPATCHER, Role.ADMIN))


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    base = access.visible_cases(request.user).select_related("street", "handling_unit", "policy")  # type: ignore[arg-type]
    case_filter = CaseFilter(request.GET, queryset=base.order_by("-received_at", "-pk"), request=request)
    page = Paginator(case_filter.qs, 50).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [(case, deadline_state(case, now)) for case in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "ui/case_list.html", {
        "filter": case_filter, "page": page, "rows": rows, "query": query.urlencode(),
        "filters": {"q": request.GET.get("q", ""), "status": request.GET.getlist("status"),
                    "street": request.GET.get("street", ""), "category": request.GET.get("category", ""),
                    "overdue": request.GET.get("overdue", "")},
        "statuses": CaseStatus.choices,
        "streets": OrgUnit.objects.filter(kind__in=PLACE_KINDS, is_active=True).order_by("name"),
        "category_codes": list(category_labels()),
        "can_register": can_register_orders(request.user),
    })


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
    case = get_object_or_404(
        access.visible_cases(request.user).select_related(  # type: ignore[arg-type]
            "street", "handling_unit", "handler", "leader"
        ),
        pk=pk,
    )
    visible = access.can_see_complainant(request.user, case)  # type: ignore[arg-type]
    actions = [TRANSITIONS[name] for name in allowed_actions(request.user, case)]  # type: ignore[arg-type]
    return render(request, "ui/case_detail.html", {
        "case": case,
        "complainant_name": case.complainant_name if visible else access.mask_name(case.complainant_name),
        "complainant_phone": case.complainant_phone if visible else access.mask_phone(case.complainant_phone),
        "deadline": deadline_state(case, timezone.now()),
        "events": case.events.select_related("actor").order_by("at", "pk"),
        "actions": actions,
    })


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
