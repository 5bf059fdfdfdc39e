"""The public page's forms: a report (网上投诉) and a lookup by tracking number."""

from __future__ import annotations

import re
import secrets
import time
import warnings
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from ecohotline.core import geo

MAX_PHOTOS = 4
MAX_PHOTO_BYTES = 5 * 1024 * 1024
# Checked by content (Pillow), never by the file's name or the browser's word.
PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
MAX_DESCRIPTION = 2000
MIN_DESCRIPTION = 10
# The whole request: the photos and the text fields with room for the multipart framing.
MAX_REQUEST_BYTES = MAX_PHOTOS * MAX_PHOTO_BYTES + 512 * 1024
# A person needs some seconds to fill the form in; a bot sends at once. A form older than this is refused too
# (its one-time key would otherwise be good for ever).
MIN_FILL_SECONDS = 3
MAX_FORM_AGE_SECONDS = 12 * 3600
TOKEN_SALT = "ecohotline.public.report-form"

PHONE_RE = re.compile(r"^(?:\+?86)?(1\d{10}|0\d{9,11}|\d{7,8})$")
TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def issue_form_token(now: float | None = None) -> str:
    """A signed token for one report form: when it was handed out, and a one-time key for the report."""
    issued = int(time.time() if now is None else now)
    return signing.dumps({"t": issued, "k": secrets.token_urlsafe(24)}, salt=TOKEN_SALT)


def normalise_phone(value: str) -> str:
    """Digits only (spaces, dashes and brackets dropped; a +86 prefix kept off)."""
    digits = re.sub(r"[\s\-()（）]", "", value)
    match = PHONE_RE.match(digits)
    return match.group(1) if match else ""


def normalise_tracking_number(value: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", value or "").upper()


def check_photo(photo: UploadedFile) -> str:
    """The photo's MIME type, read by Pillow from its content; ValidationError unless it is a JPEG, PNG or WebP
    photo of at most 5 MB that decodes."""
    name = photo.name or "?"
    if photo.size is not None and photo.size > MAX_PHOTO_BYTES:
        raise ValidationError(_("%(name)s is larger than %(size)d MB."), code="photo_too_large",
                              params={"name": name, "size": MAX_PHOTO_BYTES // (1024 * 1024)})
    try:
        photo.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(photo) as image:
                kind = image.format or ""
                image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError,
            SyntaxError, ValueError) as error:
        raise ValidationError(_("%(name)s is not a photo (JPEG, PNG or WebP)."), code="not_a_photo",
                              params={"name": name}) from error
    finally:
        photo.seek(0)
    if kind not in PHOTO_FORMATS or not photo.size:
        raise ValidationError(_("%(name)s is not a photo (JPEG, PNG or WebP)."), code="not_a_photo",
                              params={"name": name})
    return PHOTO_FORMATS[kind]


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    widget = MultiplePhotoInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if len(files) > MAX_PHOTOS:
            raise ValidationError(_("At most %(count)d photos can be attached."), code="too_many_photos",
                                  params={"count": MAX_PHOTOS})
        errors: list[ValidationError] = []
        for photo in files:
            try:
                check_photo(photo)
            except ValidationError as error:
                errors.append(error)
        if errors:
            raise ValidationError(errors)
        return files


class BootstrapForm(forms.Form):
    """Bootstrap's classes on every visible widget, and aria-invalid on the fields in error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()


class ReportForm(BootstrapForm):
    """A complaint as a citizen files it. Without JavaScript the address alone places it; with it, a point
    picked on the map (GCJ-02, the map's system) or the phone's position may stand in for the address."""

    sub_category = forms.ChoiceField(label=_("What is the problem?"), required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False,
                              help_text=_("Street, building, shop name or a landmark near the problem."))
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(
        label=_("Description"), min_length=MIN_DESCRIPTION, max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MAX_DESCRIPTION}),
        help_text=_("What happens, since when, at what times of day."),
    )
    photos = PhotosField(label=_("Photos"), required=False,
                         help_text=_("Up to 4 photos (JPEG, PNG or WebP), at most 5 MB each."))
    name = forms.CharField(label=_("Your name"), max_length=50, required=False)
    phone = forms.CharField(label=_("Your phone number"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel",
                                                          "inputmode": "tel"}))
    consent = forms.BooleanField(label=_("You may contact me about this report."), required=False)
    # The honeypot: hidden from people, filled in by bots that fill in every field.
    website = forms.CharField(label=_("Leave this field empty"), required=False,
                              widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, categories: Sequence[Any] = (), now: float | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = time.time() if now is None else now
        choice_field = self.fields["sub_category"]
        assert isinstance(choice_field, forms.ChoiceField)
        choice_field.choices = [("", _("I am not sure")), *categories]
        self.fields["photos"].widget.attrs["accept"] = ",".join(PHOTO_FORMATS.values())
        self.trapped = False  # the honeypot was filled in or the form came back too fast
        self.submission_key = ""

    def clean_phone(self) -> str:
        value: str = self.cleaned_data.get("phone", "").strip()
        if not value:
            return ""
        phone = normalise_phone(value)
        if not phone:
            raise ValidationError(_("Enter a mobile number (11 digits) or a landline number."), code="invalid_phone")
        return phone

    def clean_name(self) -> str:
        return str(self.cleaned_data.get("name", "")).strip()

    def clean_address(self) -> str:
        return str(self.cleaned_data.get("address", "")).strip()

    def clean_token(self) -> str:
        try:
            data = signing.loads(self.cleaned_data.get("token", ""), salt=TOKEN_SALT)
            issued, key = int(data["t"]), str(data["k"])
        except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
            raise ValidationError(_("The form could not be read; please send it again."), code="bad_token") from error
        age = self.now - issued
        if age > MAX_FORM_AGE_SECONDS:
            raise ValidationError(_("The form was open too long; please check it and send it again."),
                                  code="form_expired")
        if age < MIN_FILL_SECONDS:
            self.trapped = True
            raise ValidationError(_("The form was sent too quickly; please check it and send it again."),
                                  code="too_fast")
        self.submission_key = key
        return key

    def clean_website(self) -> str:
        value = str(self.cleaned_data.get("website", ""))
        if value:
            self.trapped = True
            raise ValidationError(_("This report cannot be accepted."), code="honeypot")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None
        lng: float | None = data.get("longitude")
        lat: float | None = data.get("latitude")
        has_point = lng is not None and lat is not None
        if lng is not None and lat is not None:
            wgs = geo.to_wgs84(lng, lat, "gcj02")
            if not geo.in_beijing(*wgs):
                self.add_error("address", ValidationError(_("The place picked on the map is outside Beijing."),
                                                          code="outside_beijing"))
                has_point = False
        if not has_point:
            data["longitude"] = data["latitude"] = None
            if not data.get("address") and "address" not in self.errors:
                self.add_error("address", ValidationError(_("Enter the address or pick the place on the map."),
                                                          code="place_required"))
        if data.get("phone") and not data.get("consent"):
            self.add_error("consent", ValidationError(
                _("Tick this box so that we may call you, or leave the phone number out."), code="consent_required"))
        return data


class TrackForm(BootstrapForm):
    """A lookup: the tracking number, and the last four digits of the phone number given with the report."""

    tracking_number = forms.CharField(label=_("Tracking number"), max_length=30,
                                      widget=forms.TextInput(attrs={"autocomplete": "off",
                                                                    "autocapitalize": "characters"}))
    digits = forms.CharField(label=_("Last four digits of your phone number"), max_length=4, min_length=4,
                             required=False,
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]{4}",
                                                           "autocomplete": "off"}),
                             help_text=_("Leave it empty if you did not give a phone number."))

    def clean_tracking_number(self) -> str:
        return normalise_tracking_number(self.cleaned_data.get("tracking_number", ""))

    def clean_digits(self) -> str:
        value = str(self.cleaned_data.get("digits", "")).strip()
        if value and not value.isdigit():
            raise ValidationError(_("Enter four digits."), code="invalid_digits")
        return value
