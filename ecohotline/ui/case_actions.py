"""The case page and its action forms. Every form posts to `case_action`, which does what the API's `act` does
(authorise, validate with the same serializer, run the same service through `ACTION_SPECS`) and then either
goes back to the case with a message or shows the page again with the form open, its errors by the fields
and what the user typed kept."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ecohotline.api.actions import ACTION_SPECS
from ecohotline.cases import access, services
from ecohotline.cases.deadlines import deadline_state
from ecohotline.cases.exceptions import ActionForbidden, CaseError, StaleVersion, TransitionNotAllowed
from ecohotline.cases.models import Case
from ecohotline.cases.related import LIMIT as RELATED_LIMIT
from ecohotline.cases.related import related_cases
from ecohotline.cases.timeline import timeline_entries
from ecohotline.cases.workflow import TRANSITIONS
from ecohotline.core import clock
from ecohotline.intake.models import TriageSuggestion
from ecohotline.monitoring.alerts import alerts_near
from ecohotline.monitoring.alerts import describe as describe_alert
from ecohotline.org.models import User
from ecohotline.ui import action_forms
from ecohotline.ui.action_forms import NON_FIELD, ActionForm, ChoiceSource
from ecohotline.ui.measurements import form_context as measurement_form

REMIT_LABELS: dict[str, str | Promise] = {
    "keep": _("Ours to handle"),
    "return": _("Not our remit: return the order"),
    "joint": _("Handle jointly with other departments"),
}
CLASSIFY_SOURCES: dict[str, str | Promise] = {
    "rules": _("keyword rules"),
    "model": _("text model"),
    "given": _("given at registration"),
}
HINT_LABELS: dict[str, str | Promise] = {
    "night": _("at night"),
    "health": _("health complaints"),
    "children": _("children affected"),
    "repeated": _("complained before"),
}
STALE_MESSAGE = _("The case was changed by someone else while you were filling in the form. The page now shows "
                  "it as it is: check the timeline, then send the form again (what you typed is kept), or "
                  "reload the case to start afresh.")


def case_queryset(user: User) -> Any:
    return access.visible_cases(user).select_related("street", "handling_unit", "handler", "leader", "parent",
                                                     "policy")


def _triage_panel(suggestion: TriageSuggestion | None, user: User) -> dict[str, Any] | None:
    """The triage's reasons as the page shows them; the likely duplicates as links to the cases the reader
    may see (one query)."""
    if suggestion is None:
        return None
    reasons = suggestion.reasons if isinstance(suggestion.reasons, dict) else {}
    listed = [item for item in reasons.get("duplicates") or [] if isinstance(item, dict) and item.get("case")]
    found = {case.pk: case for case in access.visible_cases(user).filter(pk__in=[item["case"] for item in listed])
             .only("pk", "external_id", "status", "title")}
    classify = reasons.get("classify") or {}
    remit = reasons.get("remit") or {}
    return {
        "suggestion": suggestion,
        "place": reasons.get("place") or {},
        "classify": classify,
        "classify_source": CLASSIFY_SOURCES.get(classify.get("source", ""), classify.get("source", "")),
        "remit": remit,
        "remit_label": REMIT_LABELS.get(remit.get("decision", suggestion.remit), suggestion.remit),
        "route": reasons.get("route") or {},
        "hints": [HINT_LABELS.get(hint, hint) for hint in reasons.get("hints") or []],
        "repeat_count": suggestion.repeat_count_90d,
        "repeated": bool(reasons.get("repeated")),
        "duplicates": [{"case": found[item["case"]], "score": item.get("score")} for item in listed
                       if item["case"] in found],
    }


def _initial(action: str, case: Case, suggestion: TriageSuggestion | None) -> dict[str, Any]:
    """What a form starts with: for a dispatch, the unit and leader triage suggests."""
    if action == "dispatch":
        unit = suggestion.unit_id if suggestion is not None else None
        leader = (suggestion.leader_id if suggestion is not None else None) or case.leader_id
        return {"unit": str(unit) if unit else "", "leader": str(leader) if leader else ""}
    if action == "reassign":
        return {"unit": str(case.handling_unit_id or "")}
    return {}


def render_case_page(request: HttpRequest, case: Case, *, posted_action: str | None = None,
                     posted: QueryDict | None = None, errors: dict[str, list[str]] | None = None,
                     status: int = 200, stale: bool = False) -> HttpResponse:
    """The case page; after a failed post, with that action's form open, its errors and the input kept."""
    user: User = request.user  # type: ignore[assignment]
    visible = access.can_see_complainant(user, case)
    names = services.allowed_actions(user, case)
    suggestion = TriageSuggestion.objects.filter(case=case).select_related("unit", "leader").first()
    related = related_cases(case, user, with_phone=visible)
    source = ChoiceSource(user, case)
    merge_targets = related.open_cases()
    forms = []
    for name in names:
        if name not in ACTION_SPECS:
            continue
        fields = action_forms.field_views(name, source, initial=_initial(name, case, suggestion),
                                          merge_targets=merge_targets)
        form = ActionForm(action=name, label=TRANSITIONS[name].label, version=case.version, fields=fields)
        was_posted = name == posted_action and posted is not None
        if name == "record_measurement":
            form.measurement = measurement_form(case, posted if was_posted else None, errors if was_posted else None)
            known = {view.name for view in form.measurement["fields"]}
            form.fields = [view for view in form.fields if view.name not in ("kind", "values")]
        if was_posted and posted is not None:
            action_forms.posted_values(form.fields, posted)
            form.open = True
            form.stale = stale
            for key, texts in (errors or {}).items():
                target = next((view for view in form.fields if view.name == key), None)
                if target is not None:
                    target.errors.extend(texts)
                elif not (form.measurement and key in known):
                    form.errors.extend(texts)
        forms.append(form)
    return render(request, "ui/case_detail.html", {
        "case": case,
        "complainant_name": case.complainant_name if visible else access.mask_name(case.complainant_name),
        "complainant_phone": case.complainant_phone if visible else access.mask_phone(case.complainant_phone),
        "deadline": deadline_state(case, clock.now()),
        "timeline": timeline_entries(case, user, visible=visible),
        "actions": [TRANSITIONS[name] for name in names],
        "action_forms": forms,
        "triage": _triage_panel(suggestion, user),
        "related": related,
        "related_groups": [(_("Likely duplicates"), related.duplicates),
                           (_("Duplicates merged in"), related.children),
                           (_("Same phone within 90 days"), related.same_phone),
                           (_("Same place and category within 90 days"), related.same_place)],
        "related_limit": RELATED_LIMIT,
        # Early warnings at stations near the case around the time it came in (complaints and monitoring as one).
        "alerts_near": [(alert, describe_alert(alert)) for alert in alerts_near(case)[:RELATED_LIMIT]],
    }, status=status)


def _run(request: HttpRequest, case: Case, name: str) -> tuple[dict[str, list[str]], int]:
    """Validate and run the action; return the errors by field and the status to show them with (no errors
    when it was done; 409 with `STALE_MESSAGE` when the case changed meanwhile)."""
    user: User = request.user  # type: ignore[assignment]
    spec = ACTION_SPECS[name]
    data, errors = action_forms.serializer_input(name, request.POST, user, request.FILES)
    serializer = spec.serializer(data=data)
    if not serializer.is_valid() or errors:
        for key, texts in action_forms.flatten_errors(serializer.errors).items():
            # A field that could not be read already says why; "required" would only repeat it.
            errors.setdefault(key, texts)
        return errors, 400
    validated = dict(serializer.validated_data)
    version = validated.pop("version", None)
    try:
        spec.run(user, case, {**validated, "version": version})
    except StaleVersion:
        return {NON_FIELD: [str(STALE_MESSAGE)]}, 409
    except (ActionForbidden, TransitionNotAllowed) as error:
        return {NON_FIELD: [error.detail]}, error.http_status
    except CaseError as error:
        field = error.extra.get("field")
        return {field if isinstance(field, str) else NON_FIELD: [error.detail]}, error.http_status
    except Http404:
        return {NON_FIELD: [gettext("What the form refers to no longer exists; reload the case.")]}, 400
    return {}, 200


@login_required
@require_POST
def case_action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if name not in ACTION_SPECS:
        raise Http404
    case = get_object_or_404(case_queryset(user), pk=pk)
    # Role and status first, as the API does: a user who may not act learns that, not what the input lacks.
    try:
        services.authorise(user, case, name)
    except ActionForbidden:
        raise PermissionDenied from None
    except TransitionNotAllowed as error:
        messages.error(request, error.detail)
        return redirect("ui:case-detail", pk=case.pk)
    errors, status = _run(request, case, name)
    if errors:
        case = get_object_or_404(case_queryset(user), pk=pk)
        stale = str(STALE_MESSAGE) in errors.get(NON_FIELD, [])
        return render_case_page(request, case, posted_action=name, posted=request.POST, errors=errors,
                                status=status, stale=stale)
    messages.success(request, gettext("%(action)s: saved.") % {"action": TRANSITIONS[name].label})
    if not access.can_see_case(user, case):
        return redirect("ui:case-list")
    return redirect("ui:case-detail", pk=case.pk)
