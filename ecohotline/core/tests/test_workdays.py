"""Working-day arithmetic on the real 2026 calendar (法定节假日与调休), checked by hand.

The 2026 facts used below, as `chinese_calendar` 1.11 has them (and as the State Council's notice says):

* 元旦: Thu 1 Jan and Fri 2 Jan off; Sun 4 Jan a make-up workday (调休上班).
* 春节: Sun 15 Feb – Mon 23 Feb off (Mon 16 – Fri 20 and Mon 23 are weekdays off); Sat 14 Feb and Sat 28 Feb
  are make-up workdays.
* 国庆/中秋: Fri 25 Sep (中秋) off; Thu 1 Oct – Wed 7 Oct off (Thu 1, Fri 2, Mon 5, Tue 6, Wed 7 are weekdays
  off); Sun 20 Sep and Sat 10 Oct are make-up workdays.
* The library has no data for 2027 (it raises NotImplementedError), so 2027 falls back to Monday–Friday.
"""

from __future__ import annotations

import datetime as dt
import logging

import chinese_calendar
import pytest

from ecohotline.core import workdays
from ecohotline.core.workdays import (
    BEIJING,
    DueTime,
    LimitUnit,
    add_hours,
    add_limit,
    add_natural_days,
    add_working_days,
    is_working_day,
)

UTC = dt.UTC


def bj(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BEIJING)


def eod(year: int, month: int, day: int) -> dt.datetime:
    """The end (23:59:59 Beijing) of a day."""
    return bj(year, month, day, 23, 59, 59)


@pytest.fixture
def fresh_warnings(monkeypatch):
    """Forget which years were already warned about, so that this test sees the warning."""
    monkeypatch.setattr(workdays, "_warned_years", set())


# --- the calendar facts the expectations rest on --------------------------------------------------------


def test_the_2026_facts_used_here_hold_in_the_library():
    off = [dt.date(2026, 2, d) for d in (16, 17, 18, 19, 20, 23)] + [
        dt.date(2026, 10, d) for d in (1, 2, 5, 6, 7)
    ] + [dt.date(2026, 9, 25), dt.date(2026, 1, 1), dt.date(2026, 1, 2)]
    for day in off:
        assert day.weekday() < 5 and not chinese_calendar.is_workday(day), day
    for day in (dt.date(2026, 1, 4), dt.date(2026, 2, 14), dt.date(2026, 2, 28), dt.date(2026, 9, 20),
                dt.date(2026, 10, 10)):
        assert day.weekday() >= 5 and chinese_calendar.is_workday(day), day
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(dt.date(2027, 3, 1))


# --- is_working_day ----------------------------------------------------------------------------------


def test_is_working_day_follows_holidays_and_make_up_days():
    assert is_working_day(dt.date(2026, 10, 1)) == (False, False)  # 国庆, a Thursday
    assert is_working_day(dt.date(2026, 10, 10)) == (True, False)  # 调休 Saturday
    assert is_working_day(dt.date(2026, 10, 11)) == (False, False)  # an ordinary Sunday
    assert is_working_day(dt.date(2026, 10, 12)) == (True, False)  # an ordinary Monday


def test_overrides_beat_the_library_in_both_directions():
    overrides = {dt.date(2026, 10, 1): True, dt.date(2026, 10, 12): False}
    assert is_working_day(dt.date(2026, 10, 1), overrides) == (True, False)
    assert is_working_day(dt.date(2026, 10, 12), overrides) == (False, False)


def test_unknown_year_falls_back_to_monday_to_friday(fresh_warnings, caplog):
    with caplog.at_level(logging.WARNING, logger="ecohotline.core.workdays"):
        assert is_working_day(dt.date(2027, 1, 8)) == (True, True)  # Friday
        assert is_working_day(dt.date(2027, 1, 9)) == (False, True)  # Saturday
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "2027" in r.getMessage()]
    assert len(warnings) == 1  # once per year, not once per day


def test_override_in_an_unknown_year_is_not_provisional(fresh_warnings):
    # An administrator enters the 2027 New Year holiday before the library knows it.
    assert is_working_day(dt.date(2027, 1, 1), {dt.date(2027, 1, 1): False}) == (False, False)


# --- working days --------------------------------------------------------------------------------------


def test_12369_order_just_before_national_day():
    # Received Wed 30 Sep 2026. Thu 1 – Wed 7 Oct are all off (weekdays of the holiday plus Sat 3/Sun 4),
    # so the 1st working day after receipt is Thu 8 Oct, the 2nd Fri 9 Oct, the 3rd the 调休 Sat 10 Oct
    # (Sun 11 Oct is off), the 4th Mon 12 Oct.
    received = bj(2026, 9, 30, 16, 45)
    assert add_working_days(received, 1) == DueTime(eod(2026, 10, 8), provisional=False)
    assert add_working_days(received, 2).at == eod(2026, 10, 9)
    assert add_working_days(received, 3).at == eod(2026, 10, 10)
    assert add_working_days(received, 4).at == eod(2026, 10, 12)
    # 15 working days: 8, 9, 10, 12–16 (8), 19–23 (13), 26, 27 Oct (15).
    assert add_working_days(received, 15).at == eod(2026, 10, 27)


def test_order_just_before_spring_festival():
    # Received Thu 12 Feb 2026. Fri 13 Feb is the 1st working day, the 调休 Sat 14 Feb the 2nd; Sun 15 –
    # Mon 23 Feb are off; Tue 24 is the 3rd, Wed 25 the 4th, Thu 26 the 5th, Fri 27 the 6th, the 调休 Sat 28
    # the 7th, Mon 2 Mar the 8th.
    received = bj(2026, 2, 12, 9, 0)
    assert add_working_days(received, 1).at == eod(2026, 2, 13)
    assert add_working_days(received, 2).at == eod(2026, 2, 14)
    assert add_working_days(received, 3).at == eod(2026, 2, 24)
    assert add_working_days(received, 7).at == eod(2026, 2, 28)
    assert add_working_days(received, 8).at == eod(2026, 3, 2)


def test_make_up_sunday_counts_as_working_day():
    # Received Sat 19 Sep 2026; Sun 20 Sep is a 调休 workday, so it is the 1st working day.
    assert add_working_days(bj(2026, 9, 19, 10, 0), 1).at == eod(2026, 9, 20)
    # Received on the make-up Sunday itself: the next working day is Mon 21 Sep.
    assert add_working_days(bj(2026, 9, 20, 10, 0), 1).at == eod(2026, 9, 21)


def test_zero_working_days_is_the_end_of_the_day_of_receipt():
    assert add_working_days(bj(2026, 3, 6, 10, 0), 0) == DueTime(eod(2026, 3, 6), provisional=False)
    # Even on a day off (国庆): "0 days" is still that same day.
    assert add_working_days(bj(2026, 10, 1, 10, 0), 0).at == eod(2026, 10, 1)


def test_receipt_late_on_friday_counts_from_the_next_working_day():
    # Fri 6 Mar 2026 at 23:30: the day of receipt is Friday; Sat 7/Sun 8 are off; the 1st working day is
    # Mon 9 Mar, the 2nd Tue 10 Mar.
    received = bj(2026, 3, 6, 23, 30)
    assert add_working_days(received, 1).at == eod(2026, 3, 9)
    assert add_working_days(received, 2).at == eod(2026, 3, 10)


def test_utc_input_is_read_as_the_beijing_day():
    # 16:30 UTC on Thu 5 Mar is already 00:30 on Fri 6 Mar in Beijing: the day of receipt is Friday, so
    # one working day is Mon 9 Mar (a UTC reading would give Fri 6 Mar).
    received = dt.datetime(2026, 3, 5, 16, 30, tzinfo=UTC)
    due = add_working_days(received, 1)
    assert due.at == eod(2026, 3, 9)
    assert due.at.tzinfo is BEIJING
    # The same instant expressed in UTC: Mon 9 Mar 23:59:59 Beijing is 15:59:59 UTC.
    assert due.at == dt.datetime(2026, 3, 9, 15, 59, 59, tzinfo=UTC)
    # Natural days also count from the Beijing day.
    assert add_natural_days(received, 1).at == eod(2026, 3, 7)


def test_overrides_move_working_day_deadlines_both_ways():
    received = bj(2026, 3, 6, 10, 0)  # Friday
    # Mon 9 Mar declared non-working: the 1st working day becomes Tue 10 Mar.
    assert add_working_days(received, 1, {dt.date(2026, 3, 9): False}).at == eod(2026, 3, 10)
    # Sat 7 Mar declared working: it is the 1st working day.
    assert add_working_days(received, 1, {dt.date(2026, 3, 7): True}).at == eod(2026, 3, 7)
    # An override also beats a statutory holiday: Thu 1 Oct declared working.
    assert add_working_days(bj(2026, 9, 30, 10, 0), 1, {dt.date(2026, 10, 1): True}).at == eod(2026, 10, 1)


def test_2027_falls_back_to_monday_to_friday_provisionally(fresh_warnings, caplog):
    # Fri 8 Jan 2027: Sat 9/Sun 10 are skipped, 1 working day is Mon 11 Jan, 5 working days Fri 15 Jan.
    with caplog.at_level(logging.WARNING, logger="ecohotline.core.workdays"):
        due = add_working_days(bj(2027, 1, 8, 10, 0), 1)
        assert add_working_days(bj(2027, 1, 8, 10, 0), 5) == DueTime(eod(2027, 1, 15), provisional=True)
    assert due == DueTime(eod(2027, 1, 11), provisional=True)
    assert any(r.levelno == logging.WARNING and "2027" in r.getMessage() for r in caplog.records)


def test_range_crossing_into_2027_is_provisional(fresh_warnings):
    # Thu 24 Dec 2026: Fri 25 (1), Mon 28 (2), Tue 29 (3), Wed 30 (4), Thu 31 Dec (5) are 2026 working days
    # from the library; Fri 1 Jan 2027 is unknown and, by the Monday–Friday fallback, the 6th.
    received = bj(2026, 12, 24, 10, 0)
    assert add_working_days(received, 5) == DueTime(eod(2026, 12, 31), provisional=False)
    assert add_working_days(received, 6) == DueTime(eod(2027, 1, 1), provisional=True)
    assert add_working_days(received, 7) == DueTime(eod(2027, 1, 4), provisional=True)
    # With the 2027 New Year holiday entered by an administrator, 1 Jan is skipped (Mon 4 Jan is still
    # looked up by the fallback, so the result stays provisional).
    assert add_working_days(received, 6, {dt.date(2027, 1, 1): False}) == DueTime(eod(2027, 1, 4), True)
    # Overrides covering every 2027 day looked at make the answer definite again.
    overrides = {dt.date(2027, 1, 1): False, dt.date(2027, 1, 2): False, dt.date(2027, 1, 3): False,
                 dt.date(2027, 1, 4): True}
    assert add_working_days(received, 6, overrides) == DueTime(eod(2027, 1, 4), False)


def test_negative_amounts_are_refused():
    with pytest.raises(ValueError):
        add_working_days(bj(2026, 3, 6), -1)
    with pytest.raises(ValueError):
        add_natural_days(bj(2026, 3, 6), -1)
    with pytest.raises(ValueError):
        add_hours(bj(2026, 3, 6), -1)


def test_every_day_of_2026_plus_one_working_day_lands_on_the_next_working_day(fresh_warnings):
    day = dt.date(2026, 1, 1)
    while day.year == 2026:
        start = dt.datetime.combine(day, dt.time(12, 0), tzinfo=BEIJING)
        due = add_working_days(start, 1)
        landed = due.at.date()
        assert due.at.time() == dt.time(23, 59, 59) and due.at.tzinfo is BEIJING
        assert landed > day
        working, unsure = is_working_day(landed)
        assert working, (day, landed)
        # ... and it is the *first* working day after the day of receipt.
        between = day + dt.timedelta(days=1)
        while between < landed:
            assert not is_working_day(between)[0], (day, between)
            between += dt.timedelta(days=1)
        # Provisional exactly when the search ran into 2027 (only from Thu 31 Dec).
        assert due.provisional == (landed.year == 2027) == unsure
        # N working days = N-1 working days counted from the 1st working day.
        assert add_working_days(start, 3).at == add_working_days(due.at, 2).at
        day += dt.timedelta(days=1)


# --- natural days and hours ------------------------------------------------------------------------------


def test_natural_days_ignore_holidays():
    received = bj(2026, 9, 30, 10, 0)
    # 15 natural days after Wed 30 Sep is Thu 15 Oct, holiday or not.
    assert add_natural_days(received, 15) == DueTime(eod(2026, 10, 15), provisional=False)
    # 60 natural days: Sep 30 + 31 = Oct 31, + 29 = Nov 29.
    assert add_natural_days(received, 60).at == eod(2026, 11, 29)
    # 7 natural days across the year end are not provisional (no calendar involved).
    assert add_natural_days(bj(2026, 12, 28, 9, 0), 7) == DueTime(eod(2027, 1, 4), provisional=False)
    assert add_natural_days(received, 0).at == eod(2026, 9, 30)


def test_hours_are_exact_and_cross_days_and_holidays():
    assert add_hours(bj(2026, 9, 30, 23, 0), 2) == DueTime(bj(2026, 10, 1, 1, 0), provisional=False)
    assert add_hours(bj(2026, 5, 6, 9, 30), 24).at == bj(2026, 5, 7, 9, 30)
    # A UTC input keeps the instant: 2 h later is the same moment whatever the zone.
    start = dt.datetime(2026, 5, 6, 1, 30, tzinfo=UTC)
    assert add_hours(start, 2).at == bj(2026, 5, 6, 11, 30)


def test_add_limit_dispatches_on_the_unit():
    received = bj(2026, 9, 30, 10, 0)
    assert add_limit(received, 2, LimitUnit.HOURS).at == bj(2026, 9, 30, 12, 0)
    assert add_limit(received, 1, "natural_days").at == eod(2026, 10, 1)
    assert add_limit(received, 1, "working_days").at == eod(2026, 10, 8)
    assert add_limit(received, 1, "working_days", {dt.date(2026, 10, 8): False}).at == eod(2026, 10, 9)
    with pytest.raises(ValueError):
        add_limit(received, 1, "fortnights")
