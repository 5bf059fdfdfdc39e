"""Forms of the training pages: generating a scenario, making one from a closed case, assigning one, the run's
clock (jump ahead, speed), and the admin's scenario form that checks the JSON with `scenarios.check_scenario`."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ecohotline.cases.models import Case
from ecohotline.cases.selectors import category_label
from ecohotline.demo import texts as tx
from ecohotline.org.models import User
from ecohotline.training.models import Scenario
from ecohotline.training.scenarios import (
    TRAINING_TOPICS,
    check_expected,
    check_order,
    check_scenario,
    check_script,
)

SPEEDS = (0, 1, 10, 60, 360, 1440)
JUMPS = (1, 4, 24)
SELECT = {"class": "form-select form-select-sm"}
INPUT = {"class": "form-control form-control-sm"}


class GenerateForm(forms.Form):
    topic = forms.ChoiceField(label=_("Topic"), required=False, widget=forms.Select(attrs=SELECT))
    seed = forms.IntegerField(label=_("Seed"), required=False, min_value=0, max_value=2**31 - 1,
                              help_text=_("The same seed and topic give the same scenario; blank: a random one."),
                              widget=forms.NumberInput(attrs=INPUT))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        topic: forms.ChoiceField = self.fields["topic"]  # type: ignore[assignment]
        topic.choices = [("", _("Any topic (random)")), *(
            (code, category_label(code) if category_label(code) != code else tx.SUBJECTS.get(code, code))
            for code in TRAINING_TOPICS)]


class FromCaseForm(forms.Form):
    reference = forms.CharField(label=_("Closed case"), max_length=60,
                                help_text=_("Its reference (EH-123) or the 12345 order number."),
                                widget=forms.TextInput(attrs={**INPUT, "placeholder": "EH-123"}))

    def clean_reference(self) -> Case:
        """The real case the text names (`Case.objects`: training cases are never found), closed."""
        text = self.cleaned_data["reference"].strip()
        match = re.fullmatch(r"(?i)EH-?(\d+)", text)
        query = Q(pk=int(match.group(1))) if match else Q(external_id=text)
        found = list(Case.objects.filter(query)[:2])
        if len(found) != 1:
            raise forms.ValidationError(_("No case has the reference or order number “%(text)s”."),
                                        params={"text": text}, code="not_found")
        case = found[0]
        if case.status != "closed":
            raise forms.ValidationError(_("Case %(reference)s is not closed: only closed cases become scenarios."),
                                        params={"reference": case.reference}, code="not_closed")
        return case


def staff_users() -> Any:
    """Whom a trainer may assign a scenario to: the active members of staff."""
    return User.objects.filter(is_active=True, role_assignments__isnull=False).distinct().order_by("username")


class StaffChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = str(obj)
        return name if name == obj.username else f"{name} ({obj.username})"


class AssignForm(forms.Form):
    trainees = StaffChoiceField(label=_("Trainees"), queryset=User.objects.none(),
                                widget=forms.SelectMultiple(attrs={**SELECT, "size": 5}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["trainees"].queryset = staff_users()  # type: ignore[attr-defined]


class JumpForm(forms.Form):
    # Bounds are the service's (`services.jump`): its message says what is allowed.
    hours = forms.IntegerField(label=_("Hours"))


class SpeedForm(forms.Form):
    speed = forms.IntegerField(label=_("Clock speed"), help_text=_("0 stops the clock."))


def speed_choices() -> list[tuple[int, str]]:
    return [(speed, "×0" if speed == 0 else f"×{speed}") for speed in SPEEDS]


# --- the admin ------------------------------------------------------------------------------------------------


class ScenarioAdminForm(forms.ModelForm):
    """The scenario's JSON checked as a run would take it: each problem shown by the field it is in."""

    class Meta:
        model = Scenario
        fields = ["title", "briefing", "source", "based_on", "order", "expected", "script", "starts_at",
                  "is_active", "created_by"]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        parts = {"order": check_order, "expected": check_expected, "script": check_script}
        if any(name in self.errors for name in parts):
            # A part that is not even JSON says so already; the others are checked on their own.
            problems = [problem for name, check in parts.items() if name not in self.errors
                        for problem in check(cleaned.get(name))]
        else:
            problems = check_scenario(cleaned.get("order"), cleaned.get("expected"), cleaned.get("script"))
        for problem in problems:
            name = problem.where.split(".")[0].split("[")[0]
            self.add_error(name if name in self.fields else None, str(problem))
        return cleaned
