"""The shared date picker gives the browser an ISO date in either language (a localised one shows as blank)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from ecohotline.core.widgets import DatePicker


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_date_picker_renders_an_iso_date(language: str) -> None:
    with translation.override(language):
        html = DatePicker(attrs={"class": "form-control"}).render("start", dt.date(2026, 3, 9))
    assert html.startswith('<input type="date" name="start" value="2026-03-09"') and 'class="form-control"' in html
