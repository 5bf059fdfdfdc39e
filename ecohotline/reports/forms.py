"""Forms of the reports page: generate a document, open a dispatch meeting, enter a meeting's decision."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecohotline.core.widgets import DatePicker
from ecohotline.org.models import User
from ecohotline.reports.models import ReportKind

DATE_INPUT = DatePicker(attrs={"class": "form-control form-control-sm"})


class GenerateForm(forms.Form):
    """Generate a document now (the meeting pack is made from its meeting)."""

    kind = forms.ChoiceField(label=_("Document"), choices=[
        (value, label) for value, label in ReportKind.choices if value != ReportKind.MEETING],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    day = forms.DateField(label=_("Date"), widget=DATE_INPUT,
                          help_text=_("The day of a daily sheet; any day of the week or of the assessment month."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["day"].initial = timezone.localdate()


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DATE_INPUT)
    title = forms.CharField(label=_("Title"), max_length=200, required=False,
                            widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["held_on"].initial = timezone.localdate()


class DecisionForm(forms.Form):
    """调度意见 on one case of the meeting's agenda."""

    text = forms.CharField(label=_("Decision"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}))
    responsible = forms.ModelChoiceField(label=_("Responsible"), queryset=User.objects.none(),
                                         widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    due = forms.DateField(label=_("Due date"), widget=DATE_INPUT)

    def __init__(self, *args: Any, people: list[tuple[Any, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["responsible"]
        field.queryset = responsible_people()  # type: ignore[attr-defined]
        if people is not None:  # a page of many forms reads the people once (`responsible_choices`)
            field.choices = people  # type: ignore[attr-defined]


def responsible_people() -> QuerySet[User]:
    return User.objects.filter(is_active=True).order_by("unit__path", "display_name", "username")


def responsible_choices() -> list[tuple[Any, str]]:
    """The options of the responsible person's menu, for every decision form of a page."""
    return [("", "---------"), *((person.pk, str(person)) for person in responsible_people())]
