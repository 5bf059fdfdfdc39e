"""The case page's fragment of what the case sent to other systems."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from ecohotline.cases import access
from ecohotline.hooks import selectors


@login_required
def case_outgoing(request: HttpRequest, pk: int) -> HttpResponse:
    """The hotline feedback and webhooks of a case with their status and last error (htmx fragment of the case
    page), for those who may see the case; empty when the case sent nothing."""
    case = get_object_or_404(access.visible_cases(request.user), pk=pk)  # type: ignore[arg-type]
    rows = selectors.outgoing_of_case(case.pk)
    if not rows:
        return HttpResponse("")
    return render(request, "hooks/_case_outgoing.html", {"case": case, "rows": rows})
