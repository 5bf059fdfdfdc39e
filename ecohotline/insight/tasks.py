"""Background jobs of the insight app (run by the huey worker).

huey's crontab reads the clock in UTC, so the rise detector runs every hour and decides in Beijing time whether it
is due (as the reports' jobs do): on Mondays from `INSIGHT_RISES_HOUR` (default 7). It is safe to run more than
once: an alert is raised once per category × street × week, so the later runs of the Monday only catch up on a
run the worker missed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from ecohotline.core.workdays import BEIJING
from ecohotline.insight.rises import detect_rises


def rises_due(now: dt.datetime) -> bool:
    """Monday (Beijing) at or after the detector's hour."""
    local = now.astimezone(BEIJING)
    return local.weekday() == 0 and local.hour >= settings.INSIGHT_RISES_HOUR


@db_periodic_task(crontab(minute="40"))
def detect_rises_task() -> dict[str, Any] | None:
    """异常上升: on Monday mornings, test last week for unusual rises and alert the analysts and leaders."""
    now = timezone.now()
    if not rises_due(now):
        return None
    return detect_rises(now=now).as_dict()
