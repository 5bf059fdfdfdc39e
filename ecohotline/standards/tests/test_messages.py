"""Every error message of the standards is shown in Chinese on a zh-Hans page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from ecohotline.standards.aqi import aqi
from ecohotline.standards.errors import StandardsError
from ecohotline.standards.fumes import fumes_verdict
from ecohotline.standards.noise import noise_verdict
from ecohotline.standards.water import water_class


@pytest.mark.parametrize("call", [
    lambda: aqi({"pm25_24h": -1}, on=dt.date(2026, 5, 1)),
    lambda: noise_verdict(standard="GB22337", measured_at=dt.datetime(2026, 5, 1, 23), leq=50, zone_class="9"),
    lambda: fumes_verdict(concentration=-1, on=dt.date(2026, 5, 1)),
    lambda: water_class({"ph": 15}),
])
def test_messages_are_translated(call):
    with pytest.raises(StandardsError) as raised:
        call()
    with translation.override("zh-hans"):
        text = str(raised.value)
    assert any("\u4e00" <= char <= "\u9fff" for char in text), text
