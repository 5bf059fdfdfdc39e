"""Forms of the ledger (台账) and retrospective (回访回溯) pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ecohotline.assessment.models import LedgerReason, RetrospectiveCause
from ecohotline.cases.models import Case
from ecohotline.core.widgets import DatePicker
from ecohotline.org.models import PLACE_KINDS, OrgUnit, Role, User


class _Styled:
    """Bootstrap's small controls on every field."""

    fields: dict[str, forms.Field]

    def _style(self) -> None:
        for form_field in self.fields.values():
            select = isinstance(form_field.widget, forms.Select)
            form_field.widget.attrs.setdefault("class", "form-select form-select-sm" if select
                                               else "form-control form-control-sm")


def staff() -> Any:
    """The people an entry may be given to: active staff with a role that handles or oversees cases."""
    return (User.objects.filter(is_active=True, role_assignments__role__in=[
        Role.HANDLER, Role.UNIT_HEAD, Role.LEADER, Role.DISPATCHER, Role.ADMIN]).distinct()
        .select_related("unit").order_by("unit__path", "display_name", "username"))


class LedgerFilterForm(_Styled, forms.Form):
    """The ledger's filters (shared by the page and its export)."""

    reason = forms.ChoiceField(label=_("Reason"), required=False,
                               choices=[("", _("All")), *LedgerReason.choices])
    unit = forms.ModelChoiceField(label=_("Handling unit"), required=False, empty_label=_("All"),
                                  queryset=OrgUnit.objects.none())
    leader = forms.ModelChoiceField(label=_("Leader"), required=False, empty_label=_("All"),
                                    queryset=User.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = OrgUnit.objects.filter(is_active=True).exclude(  # type: ignore[attr-defined]
            kind__in=PLACE_KINDS).order_by("path")
        self.fields["leader"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            is_active=True, role_assignments__role=Role.LEADER).distinct().order_by("display_name", "username")
        self._style()


class EntryPlanForm(_Styled, forms.Form):
    """Owner, next step and next date of an entry."""

    owner = forms.ModelChoiceField(label=_("Owner"), required=False, queryset=User.objects.none(),
                                   empty_label="—")
    next_step = forms.CharField(label=_("Next step"), required=False, max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 2}))
    next_date = forms.DateField(label=_("Next date"), required=False,
                                widget=DatePicker())
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff()  # type: ignore[attr-defined]
        self._style()


class RemoveEntryForm(_Styled, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()

    reason = forms.CharField(label=_("Why it leaves the ledger"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class FlagDifficultForm(_Styled, forms.Form):
    """A leader marks a case as difficult, naming it by its order number or EH- reference."""

    case = forms.CharField(label=_("Case"), max_length=64,
                           help_text=_("The order number, or the EH- reference of a case without one."))
    reason = forms.CharField(label=_("Why it is difficult"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def clean_case(self) -> Case:
        value = self.cleaned_data["case"].strip()
        condition = Q(external_id=value)
        number = value[3:] if value.upper().startswith("EH-") else value
        if number.isdigit():
            condition |= Q(pk=int(number), external_id="") if value.upper().startswith("EH-") else Q(pk=int(number))
        found = Case.objects.filter(condition).order_by("pk").first()
        if found is None:
            raise forms.ValidationError(_("No case has this number."))
        return found


class RetrospectiveForm(_Styled, forms.Form):
    cause = forms.ChoiceField(label=_("Cause"), choices=[("", "—"), *RetrospectiveCause.choices])
    lessons = forms.CharField(label=_("What was learnt"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    follow_up = forms.CharField(label=_("Follow-up"), required=False, max_length=4000,
                                widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class MonthForm(_Styled, forms.Form):
    month = forms.DateField(label=_("Month"), required=False, input_formats=["%Y-%m"],
                            widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))

    def month_or(self, default: dt.date) -> dt.date:
        if self.is_valid() and self.cleaned_data.get("month"):
            return self.cleaned_data["month"]
        return default
