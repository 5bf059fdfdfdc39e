"""Reply drafting on the case page (htmx partials): a template filled from the case, and the check before
sending. Both only read; the reply itself is sent through `services.reply_to_complainant`.

Only people who may take the `reply` action on the case now (the transition table, as the service enforces
it) get them; everybody else gets 403.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST

from ecohotline.cases.models import Case
from ecohotline.cases.replies import check_reply, render_template, templates_for
from ecohotline.cases.services import permitted_actions

# A reply longer than this is not a reply; the check refuses to read it.
MAX_TEXT = 20_000


def _case_for_reply(request: HttpRequest, pk: int) -> Case:
    case = get_object_or_404(Case.objects.select_related("handling_unit", "handler"), pk=pk)
    if "reply" not in permitted_actions(request.user, case):  # type: ignore[arg-type]
        raise PermissionDenied
    return case


@login_required
@require_GET
def reply_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft of a reply: `?template=<id>` chooses among the templates that fit the case (the most
    specific one by default); the text is rendered into a textarea named `text`."""
    case = _case_for_reply(request, pk)
    templates = templates_for(case)
    chosen = templates[0] if templates else None
    wanted = request.GET.get("template", "")
    if wanted:
        chosen = next((t for t in templates if str(t.pk) == wanted), None)
        if chosen is None:
            raise Http404
    draft = render_template(chosen, case) if chosen else None
    return render(request, "ui/_reply_draft.html", {
        "case": case, "templates": templates, "chosen": chosen, "draft": draft,
    })


@login_required
@require_POST
def reply_check(request: HttpRequest, pk: int) -> HttpResponse:
    """The warnings for the reply in `text` (what it lacks, gaps left, no contact with the complainant)."""
    case = _case_for_reply(request, pk)
    text = request.POST.get("text", "")
    if len(text) > MAX_TEXT:
        return HttpResponse(status=413)
    return render(request, "ui/_reply_check.html", {
        "case": case, "warnings": check_reply(case, text), "empty": not text.strip(),
    })
