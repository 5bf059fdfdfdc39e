"""Forms of the insight pages' proactive side: the key units registry, the leader's decisions on proposed tasks,
task results and the monthly theme. They only clean input; `insight.services` writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ecohotline.cases.models import Category
from ecohotline.cases.selectors import category_label
from ecohotline.cases.services import HANDLING_UNIT_KINDS
from ecohotline.core.widgets import DatePicker
from ecohotline.insight.models import KeyUnit
from ecohotline.org.models import OrgUnit, Role, UnitKind, User

_INPUT = {"class": "form-control form-control-sm"}
_SELECT = {"class": "form-select form-select-sm"}
_CHECK = {"class": "form-check-input"}


def streets() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(kind__in=(UnitKind.STREET, UnitKind.TOWN), is_active=True).order_by("name")


def teams() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(kind__in=HANDLING_UNIT_KINDS, is_active=True).order_by("path")


def category_choices() -> list[tuple[str, str]]:
    codes = Category.objects.filter(is_active=True).order_by("code").values_list("code", flat=True)
    return [(code, f"{category_label(code)} ({code})") for code in codes]


class KeyUnitForm(forms.ModelForm):
    class Meta:
        model = KeyUnit
        fields = ["name", "aliases", "industry_code", "address", "street", "latitude", "longitude",
                  "is_key_industry", "is_key_area", "is_key_unit", "team", "contact", "notes", "is_active"]
        widgets = {
            "name": forms.TextInput(attrs=_INPUT), "aliases": forms.Textarea(attrs={**_INPUT, "rows": 2}),
            "industry_code": forms.TextInput(attrs=_INPUT), "address": forms.TextInput(attrs=_INPUT),
            "street": forms.Select(attrs=_SELECT), "latitude": forms.NumberInput(attrs={**_INPUT, "step": "any"}),
            "longitude": forms.NumberInput(attrs={**_INPUT, "step": "any"}),
            "is_key_industry": forms.CheckboxInput(attrs=_CHECK), "is_key_area": forms.CheckboxInput(attrs=_CHECK),
            "is_key_unit": forms.CheckboxInput(attrs=_CHECK), "team": forms.Select(attrs=_SELECT),
            "contact": forms.TextInput(attrs=_INPUT), "notes": forms.Textarea(attrs={**_INPUT, "rows": 3}),
            "is_active": forms.CheckboxInput(attrs=_CHECK),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = streets()  # type: ignore[attr-defined]
        self.fields["team"].queryset = teams()  # type: ignore[attr-defined]

    def clean_industry_code(self) -> str:
        return str(self.cleaned_data.get("industry_code") or "").strip().upper()


FLAG_CHOICES = [("", _("Any flag")), ("industry", _("Key industry")), ("area", _("Key area")),
                ("unit", _("Key unit"))]


class KeyUnitFilterForm(forms.Form):
    flag = forms.ChoiceField(label=_("Flag"), choices=FLAG_CHOICES, required=False,
                             widget=forms.Select(attrs=_SELECT))
    industry = forms.CharField(label=_("Industry code"), max_length=10, required=False,
                               widget=forms.TextInput(attrs={**_INPUT, "placeholder": "H / 62 / 6210"}))
    street = forms.ModelChoiceField(label=_("Street/town"), queryset=OrgUnit.objects.none(), required=False,
                                    widget=forms.Select(attrs=_SELECT))
    q = forms.CharField(label=_("Name or address"), max_length=100, required=False,
                        widget=forms.TextInput(attrs=_INPUT))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = streets()  # type: ignore[attr-defined]


class ConfirmKeyUnitForm(forms.Form):
    key_unit = forms.ModelChoiceField(queryset=KeyUnit.objects.filter(is_active=True))
    score = forms.FloatField(required=False, min_value=0, max_value=1)


def checklist_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class ProposalEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(attrs=_INPUT))
    checklist = forms.CharField(label=_("Checklist (one item a line)"),
                                widget=forms.Textarea(attrs={**_INPUT, "rows": 4}))
    team = forms.ModelChoiceField(label=_("Team"), queryset=OrgUnit.objects.none(),
                                  widget=forms.Select(attrs=_SELECT))
    deadline = forms.DateField(label=_("Deadline"), required=False,
                               widget=DatePicker(attrs=_INPUT))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams()  # type: ignore[attr-defined]

    def clean_checklist(self) -> list[str]:
        items = checklist_lines(self.cleaned_data.get("checklist") or "")
        if not items:
            raise forms.ValidationError(_("Give at least one item to check."))
        return items


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={**_INPUT, "rows": 2}))


class ResultForm(forms.Form):
    problems_found = forms.IntegerField(label=_("Problems found"), min_value=0, max_value=100_000,
                                        widget=forms.NumberInput(attrs=_INPUT))
    measures = forms.CharField(label=_("Measures taken"), required=False, max_length=2000,
                               widget=forms.Textarea(attrs={**_INPUT, "rows": 2}))


class PeriodForm(forms.Form):
    """The period of the effect figures (Beijing days, both included)."""

    start = forms.DateField(label=_("From"), required=False, widget=DatePicker(attrs=_INPUT))
    end = forms.DateField(label=_("To"), required=False, widget=DatePicker(attrs=_INPUT))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and (end < start or (end - start).days > 366 * 3):
            raise forms.ValidationError(_("The end must be on or after the start, within three years."))
        return data


class MonthField(forms.DateField):
    """A month typed as YYYY-MM (or a date), stored as its first day."""

    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value: Any) -> dt.date | None:
        day = super().to_python(value)
        return day.replace(day=1) if day else None


class ThemeForm(forms.Form):
    month = MonthField(label=_("Month"), widget=forms.DateInput(attrs={**_INPUT, "type": "month"}, format="%Y-%m"))
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(attrs=_INPUT))
    categories = forms.MultipleChoiceField(label=_("Categories"), required=False, choices=(),
                                           widget=forms.SelectMultiple(attrs={**_SELECT, "size": 6}))
    keywords = forms.CharField(label=_("Keywords (separated by commas)"), max_length=300, required=False,
                               widget=forms.TextInput(attrs=_INPUT))
    leader = forms.ModelChoiceField(label=_("Leader"), queryset=User.objects.none(),
                                    widget=forms.Select(attrs=_SELECT))
    goal = forms.CharField(label=_("Goal"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={**_INPUT, "rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = category_choices()  # type: ignore[attr-defined]
        self.fields["leader"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            is_active=True, role_assignments__role=Role.LEADER).distinct().order_by("username")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("categories") and not str(data.get("keywords") or "").strip():
            raise forms.ValidationError(_("Give categories or keywords: they say which complaints count."))
        return data
