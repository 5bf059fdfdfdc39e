"""Working-day arithmetic on the Chinese statutory calendar (法定节假日与调休).

Pure functions, no database. Statutory holidays and make-up workdays come from `chinese-calendar`;
callers pass the administrator's overrides as a mapping. For a year the library has no data for, days
fall back to Monday–Friday and the result is marked provisional (and a warning is logged once per year).

"N working days" means the end (23:59:59 Asia/Shanghai) of the Nth working day after the day of receipt;
"N natural days" the end of the Nth calendar day after it; "N hours" exactly N hours later.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

import chinese_calendar

logger = logging.getLogger(__name__)

BEIJING = ZoneInfo("Asia/Shanghai")
END_OF_DAY = dt.time(23, 59, 59)

Overrides = Mapping[dt.date, bool]

_warned_years: set[int] = set()


class LimitUnit(StrEnum):
    HOURS = "hours"
    NATURAL_DAYS = "natural_days"
    WORKING_DAYS = "working_days"


@dataclass(frozen=True)
class DueTime:
    """A computed deadline; `provisional` when a calendar year unknown to the library was involved."""

    at: dt.datetime
    provisional: bool = False


def is_working_day(day: dt.date, overrides: Overrides | None = None) -> tuple[bool, bool]:
    """Return (is it a working day, is the answer provisional)."""
    if overrides and day in overrides:
        return overrides[day], False
    try:
        return bool(chinese_calendar.is_workday(day)), False
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            logger.warning(
                "chinese-calendar has no data for %s; counting Monday-Friday as working days (provisional)",
                day.year,
            )
        return day.weekday() < 5, True


def end_of_day(day: dt.date) -> dt.datetime:
    """The last second of `day` in Beijing: where a deadline given as a day ends."""
    return dt.datetime.combine(day, END_OF_DAY, tzinfo=BEIJING)


def day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[00:00 of `start`, 00:00 after `end`) in Beijing: the moments of the days from `start` to `end`, both
    included (a period of the reports, the KPIs and the insight analyses)."""
    return (dt.datetime.combine(start, dt.time(0), tzinfo=BEIJING),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=BEIJING))


def add_working_days(start: dt.datetime, days: int, overrides: Overrides | None = None) -> DueTime:
    """End of the `days`-th working day after the (Beijing) day of `start`."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start.astimezone(BEIJING).date()
    provisional = False
    if days == 0:
        return DueTime(end_of_day(day))
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        working, unsure = is_working_day(day, overrides)
        provisional = provisional or unsure
        if working:
            counted += 1
    return DueTime(end_of_day(day), provisional)


def add_natural_days(start: dt.datetime, days: int) -> DueTime:
    """End of the `days`-th calendar day after the (Beijing) day of `start`."""
    if days < 0:
        raise ValueError("days must not be negative")
    return DueTime(end_of_day(start.astimezone(BEIJING).date() + dt.timedelta(days=days)))


def add_hours(start: dt.datetime, hours: int) -> DueTime:
    if hours < 0:
        raise ValueError("hours must not be negative")
    return DueTime(start + dt.timedelta(hours=hours))


def add_limit(start: dt.datetime, amount: int, unit: LimitUnit | str, overrides: Overrides | None = None) -> DueTime:
    """Deadline `amount` `unit`s after `start` (the one entry point the deadline policies use)."""
    unit = LimitUnit(unit)
    if unit is LimitUnit.HOURS:
        return add_hours(start, amount)
    if unit is LimitUnit.NATURAL_DAYS:
        return add_natural_days(start, amount)
    return add_working_days(start, amount, overrides)
