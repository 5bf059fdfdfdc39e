"""Reads of core data."""

from __future__ import annotations

import datetime as dt

from ecohotline.core.models import WorkdayOverride


def workday_overrides() -> dict[dt.date, bool]:
    """The administrator's calendar corrections, for `core.workdays`."""
    return dict(WorkdayOverride.objects.values_list("date", "is_working_day"))
