"""Forms of the desk pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecohotline.cases.models import Category, Channel, RequestType, Urgency
from ecohotline.cases.selectors import category_label
from ecohotline.intake.orders import OrderInput
from ecohotline.org.models import PLACE_KINDS, OrgUnit

# The channels a person at the desk takes orders from, the most frequent first.
DESK_CHANNELS = (Channel.PHONE, Channel.LETTER, Channel.VISIT, Channel.ECO_12369, Channel.WEB, Channel.HOTLINE_12345)
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends and shows
# Clocks of the desk's computers drift a little; beyond this, a time of receipt in the future is a typo.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)

Choices = list[tuple[str, Any]]


def now_to_the_minute() -> dt.datetime:
    """Now in the current time zone (Beijing), as the datetime-local input shows it."""
    return timezone.localtime().replace(second=0, microsecond=0)


def sub_category_choices() -> Choices:
    """The codes a case may be given (active, without active sub-categories of their own: the same rule as
    分类更正), each under its family, named in the active language."""
    leaves = (Category.objects.filter(is_active=True).exclude(children__is_active=True).select_related("parent")
              .order_by("sort_order", "code"))
    choices: Choices = [("", _("Classify it from the description"))]
    groups: dict[str, Choices] = {}
    for category in leaves:
        if category.parent is None:
            choices.append((category.code, category_label(category.code)))
            continue
        family = category.parent.code
        if family not in groups:
            groups[family] = []
            choices.append((category_label(family), groups[family]))
        groups[family].append((category.code, category_label(category.code)))
    return choices


def active_streets() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(kind__in=PLACE_KINDS, is_active=True).order_by("name")


class OrderForm(forms.Form):
    """登记工单: an order taken at the desk (phone, letter, visit, 12369...). It goes through the intake like a
    12345 order; the street and the sub-category, when the person at the desk knows them, are kept.

    The field names are those of the intake's order, so an error the services raise on a field
    (`RuleViolation.field`) lands on the field of the same name."""

    channel = forms.ChoiceField(label=_("channel"), choices=[(c.value, c.label) for c in DESK_CHANNELS],
                                initial=Channel.PHONE)
    external_id = forms.CharField(label=_("order number"), max_length=64, required=False,
                                  help_text=_("Leave blank if the order has no number. A number already "
                                              "registered on this channel opens its case instead."))
    received_at = forms.DateTimeField(
        label=_("received at"), initial=now_to_the_minute,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_("Beijing time."))
    request_type = forms.ChoiceField(label=_("request type"), choices=RequestType.choices,
                                     initial=RequestType.COMPLAINT)
    urgency = forms.ChoiceField(label=_("urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    complainant_name = forms.CharField(label=_("complainant name"), max_length=100, required=False)
    complainant_phone = forms.CharField(label=_("complainant phone"), max_length=30, required=False)
    complainant_anonymous = forms.BooleanField(label=_("anonymous"), required=False)
    complainant_confidential = forms.BooleanField(label=_("asks for confidentiality"), required=False)
    address = forms.CharField(label=_("address"), max_length=300, required=False)
    description = forms.CharField(label=_("description"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6}))
    street = forms.ModelChoiceField(label=_("street/town"), queryset=active_streets(), required=False,
                                    empty_label=_("Place it from the address"))
    sub_category = forms.ChoiceField(label=_("sub-category"), required=False)
    polluter = forms.CharField(label=_("polluter"), max_length=200, required=False)

    SECTIONS = (
        (_("The order"), ("channel", "external_id", "received_at", "request_type", "urgency")),
        (_("Complainant"), ("complainant_name", "complainant_phone", "complainant_anonymous",
                            "complainant_confidential")),
        (_("What and where"), ("address", "description", "street", "sub_category", "polluter")),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sub_category"].choices = sub_category_choices()  # type: ignore[attr-defined]
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select"
            else:
                widget.attrs["class"] = "form-control"

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(str(title), [self[name] for name in names]) for title, names in self.SECTIONS]

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:  # Bootstrap shows a field's error next to an input marked is-invalid
            if name in self.fields:
                widget = self.fields[name].widget
                classes = widget.attrs.get("class", "").split()
                if "is-invalid" not in classes:
                    widget.attrs["class"] = " ".join([*classes, "is-invalid"])

    def clean_received_at(self) -> dt.datetime:
        received_at: dt.datetime = self.cleaned_data["received_at"]
        if received_at > timezone.now() + FUTURE_TOLERANCE:
            raise ValidationError(_("The time of receipt cannot be in the future."), code="future")
        return received_at

    def order(self) -> OrderInput:
        """The order as the intake takes it (call after `is_valid`)."""
        data = self.cleaned_data
        street: OrgUnit | None = data["street"]
        return OrderInput(
            channel=data["channel"], external_id=data["external_id"], received_at=data["received_at"],
            description=data["description"], request_type=data["request_type"], urgency=data["urgency"],
            complainant_name=data["complainant_name"], complainant_phone=data["complainant_phone"],
            complainant_anonymous=data["complainant_anonymous"],
            complainant_confidential=data["complainant_confidential"], address=data["address"],
            sub_category=data["sub_category"], street_id=street.pk if street is not None else None,
            polluter=data["polluter"],
        )
