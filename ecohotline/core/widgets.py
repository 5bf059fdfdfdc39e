"""Form widgets the pages share."""

from __future__ import annotations

from typing import Any

from django import forms


class DatePicker(forms.DateInput):
    """The browser's date picker (`<input type="date">`): its value must be an ISO date (YYYY-MM-DD), whatever the
    language; a localised one leaves the field blank."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")
