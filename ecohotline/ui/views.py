"""Desk pages (thin: reads through selectors, writes through services)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ecohotline.cases import access
from ecohotline.cases.deadlines import deadline_state
from ecohotline.cases.filters import CaseFilter
from ecohotline.cases.models import CaseStatus
from ecohotline.cases.selectors import category_labels
from ecohotline.cases.services import allowed_actions
from ecohotline.cases.workflow import TRANSITIONS
from ecohotline.core.middleware import normalise_language
from ecohotline.org.models import PLACE_KINDS, OrgUnit
from ecohotline.org.services import set_language_preference


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
    })


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
