"""The measurement form of the case page (逢诉必测): the values of the chosen kind, and the standard's verdict
shown as they are typed (htmx partials). Both partials only read; the measurement is recorded by posting the
form to `case_actions.case_action`, which runs `services.record_measurement` like the API.

Without script the form still works: it shows the noise fields and the verdict comes with the saved record.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_POST

from ecohotline.cases import access, measurements
from ecohotline.cases.models import Case
from ecohotline.cases.services import permitted_actions
from ecohotline.core import clock
from ecohotline.ui.action_forms import VALUE_PREFIX as PREFIX
from ecohotline.ui.action_forms import FieldView
from ecohotline.ui.action_forms import posted_measurement_values as posted_values

DEFAULT_KIND = "noise"
# The kind a case's sub-category is usually measured with.
KIND_OF_CATEGORY = {"noise": "noise", "air.catering_fumes": "catering_fumes", "air.odor": "odor", "water": "water",
                    "radiation": "electromagnetic"}


def default_kind(case: Case) -> str:
    for key in (case.sub_category, case.category):
        if key in KIND_OF_CATEGORY:
            return KIND_OF_CATEGORY[key]
    return DEFAULT_KIND


def value_fields(case: Case, kind_code: str, values: dict[str, Any], errors: dict[str, list[str]] | None = None,
                 ) -> list[FieldView]:
    """The inputs of a kind, those that apply to what is chosen so far, with the values typed kept."""
    kind = measurements.KINDS.get(kind_code) or measurements.KINDS[DEFAULT_KIND]
    views = []
    for item in kind.fields_for(values):
        name = PREFIX + item.key
        label = f"{item.label} ({item.unit})" if item.unit else str(item.label)
        view = FieldView(name=name, id=f"measurement-{item.key}", label=label, widget=item.widget,
                         required=item.required, value=values.get(item.key, ""),
                         errors=list((errors or {}).get(name, [])))
        if item.widget == "select":
            view.choices = [("", "—"), *item.choices]
        if item.widget == "number":
            view.attrs.update({"step": "1" if item.integer else "any", "min": "0", "inputmode": "decimal"})
        if item.widget == "checkbox":
            view.value = bool(values.get(item.key))
        if item.key == "standard":
            # Choosing the standard changes which values apply: the fields are drawn again.
            view.attrs.update(redraw_attrs(case))
        views.append(view)
    return views


def redraw_attrs(case: Case) -> dict[str, str]:
    return {"hx-get": reverse("ui:measurement-fields", args=[case.pk]), "hx-include": "closest form",
            "hx-target": "#measurement-values", "hx-swap": "innerHTML"}


def form_context(case: Case, posted: QueryDict | None, errors: dict[str, list[str]] | None) -> dict[str, Any]:
    """What the measurement form shows besides its generic fields: the kind, its value inputs, the URLs."""
    kind = (posted.get("kind") if posted is not None else "") or default_kind(case)
    if kind not in measurements.KINDS:
        kind = default_kind(case)
    values = posted_values(posted) if posted is not None else {}
    return {"kind": kind, "kinds": measurements.KIND_CHOICES, "fields": value_fields(case, kind, values, errors),
            "redraw": redraw_attrs(case), "verdict_url": reverse("ui:measurement-verdict", args=[case.pk])}


def _case_for_measurement(request: HttpRequest, pk: int) -> Case:
    case = get_object_or_404(access.visible_cases(request.user), pk=pk)  # type: ignore[arg-type]
    if "record_measurement" not in permitted_actions(request.user, case):  # type: ignore[arg-type]
        raise PermissionDenied
    return case


@login_required
@require_GET
def measurement_fields(request: HttpRequest, pk: int) -> HttpResponse:
    """The value inputs of the kind (and noise standard) chosen in the form."""
    case = _case_for_measurement(request, pk)
    kind = request.GET.get("kind") or DEFAULT_KIND
    if kind not in measurements.KINDS:
        kind = DEFAULT_KIND
    values = posted_values(request.GET)
    return render(request, "ui/_measurement_values.html", {"fields": value_fields(case, kind, values)})


@login_required
@require_POST
def measurement_verdict(request: HttpRequest, pk: int) -> HttpResponse:
    """The standard's verdict for the values typed so far, or what keeps it from being given."""
    _case_for_measurement(request, pk)
    kind = request.POST.get("kind") or DEFAULT_KIND
    measured_at = _measured_at(request.POST.get("measured_at", ""))
    context: dict[str, Any] = {"verdict": None, "error": "", "incomplete": False}
    try:
        _, verdict = measurements.judge(kind, posted_values(request.POST), measured_at)
    except measurements.MeasurementError as error:
        if error.key and error.key != "kind" and not request.POST.get(PREFIX + error.key, "").strip():
            context["incomplete"] = True  # a required value not typed yet: nothing to complain about
        else:
            item = measurements.KINDS[kind].field(error.key) if kind in measurements.KINDS else None
            context["error"] = f"{item.label}: {error.message}" if item is not None else error.message
    else:
        context["verdict"] = verdict
        context["outcome"] = measurements.verdict_outcome(verdict)
        context["words"] = measurements.describe_verdict(verdict)
    return render(request, "ui/_measurement_verdict.html", context)


def _measured_at(text: str) -> Any:
    """The form's Beijing local time, or now."""
    parsed = parse_datetime(text.strip()) if text.strip() else None
    if parsed is None:
        return clock.now()
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
