"""Complaints by category, industry, time and place with 环比 and 同比, counted by hand on planted cases.

The period is Monday 2026-09-28 to Sunday 2026-10-04 (Beijing); the previous period 2026-09-21 to 09-27 (09-25..27
are the Mid-autumn holiday), the year before 2025-09-28 to 2025-10-04 (10-01..07: National Day).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ecohotline.cases.models import CaseKind, Channel
from ecohotline.cases.services import CaseDraft, create_cases
from ecohotline.core.geo import grid_cell
from ecohotline.core.workdays import BEIJING
from ecohotline.insight.analysis import Period, breakdown, day_type, hour_weekday_matrix, monthly_counts

pytestmark = pytest.mark.django_db

UTC = dt.UTC
PERIOD = Period(dt.date(2026, 9, 28), dt.date(2026, 10, 4))


def bj(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BEIJING)


def draft(when: dt.datetime, *, sub: str, street: Any, polluter: str = "", title: str = "", **fields: Any) -> CaseDraft:
    return CaseDraft(channel=Channel.HOTLINE_12345, received_at=when, description="投诉", sub_category=sub,
                     category=sub.split(".")[0], street=street, polluter=polluter, title=title, district="海淀区",
                     **fields)


@pytest.fixture
def planted(org: Any) -> None:
    s1, s2 = org.street, org.other_street
    create_cases(actor=None, drafts=[
        # in the period
        draft(dt.datetime(2026, 9, 27, 16, 30, tzinfo=UTC), sub="noise.social", street=s1,     # c1: Mon 00:30
              title="广场舞噪声", community="甲社区"),
        draft(dt.datetime(2026, 9, 30, 15, 30, tzinfo=UTC), sub="air.catering_fumes", street=s1,  # c2: Wed 23:30
              polluter="老王烧烤", community="甲社区", latitude=39.9812, longitude=116.3113),
        draft(bj(2026, 10, 1, 10), sub="noise.construction", street=s2, title="夜间工地施工噪声",   # c3: Thu, holiday
              community="乙社区"),
        draft(bj(2026, 10, 3, 14), sub="air.catering_fumes", street=s2, community="乙社区"),       # c4: Sat, holiday
        # after the period: 16:30 UTC on Sunday the 4th is 00:30 on Monday the 5th in Beijing
        draft(dt.datetime(2026, 10, 4, 16, 30, tzinfo=UTC), sub="noise.social", street=s1),
        # the previous period
        draft(dt.datetime(2026, 9, 27, 15, 30, tzinfo=UTC), sub="noise.social", street=s1),      # c6: Sun 23:30
        draft(bj(2026, 9, 22, 9), sub="air.catering_fumes", street=s1),                           # c7: Tue
        # a year before
        draft(bj(2025, 10, 2, 9), sub="air.catering_fumes", street=s2),                           # c8: Thu, holiday
        # not a complaint
        CaseDraft(channel=Channel.PROACTIVE, kind=CaseKind.PROACTIVE_TASK, received_at=bj(2026, 9, 29, 10),
                  description="巡查", sub_category="air.dust", category="air", street=s1),
    ])


def rows(by: str) -> dict[str, tuple[int, int, int]]:
    found = breakdown(by, PERIOD)
    return {row.key: (row.current, row.previous, row.year_before) for row in found.rows}


def test_periods() -> None:
    assert PERIOD.previous() == Period(dt.date(2026, 9, 21), dt.date(2026, 9, 27))
    assert PERIOD.year_before() == Period(dt.date(2025, 9, 28), dt.date(2025, 10, 4))
    assert Period(dt.date(2024, 2, 29), dt.date(2024, 3, 1)).year_before() == Period(dt.date(2023, 2, 28),
                                                                                     dt.date(2023, 3, 1))


def test_by_category_with_period_on_period_and_year_on_year(planted: None) -> None:
    found = breakdown("category", PERIOD)
    assert {row.key: (row.current, row.previous, row.year_before) for row in found.rows} == {
        "air": (2, 1, 1), "noise": (2, 1, 0)}
    total = found.total
    assert (total.current, total.previous, total.year_before) == (4, 2, 1)
    assert (total.change_previous, total.change_previous_ratio) == (2, 1.0)
    assert (total.change_year, total.change_year_ratio) == (3, 3.0)
    noise = next(row for row in found.rows if row.key == "noise")
    assert noise.change_year_ratio is None  # nothing a year before to compare with
    assert found.as_dict()["rows"][0]["change_previous_ratio"] == 1.0


def test_by_hour_in_beijing_time(planted: None) -> None:
    hours = rows("hour")
    assert len(hours) == 24
    assert hours["23"] == (1, 1, 0)   # c2 at 23:30 (15:30 UTC); c6 the Sunday before
    assert hours["0"] == (1, 0, 0)    # c1 at 00:30 Monday (16:30 UTC on Sunday)
    assert hours["10"] == (1, 0, 0) and hours["14"] == (1, 0, 0)
    assert hours["9"] == (0, 1, 1)
    assert hours["16"] == (0, 0, 0) and hours["15"] == (0, 0, 0)  # nothing at the UTC hours


def test_by_weekday_month_and_season(planted: None) -> None:
    days = rows("weekday")
    assert days == {"1": (1, 0, 0), "2": (0, 1, 0), "3": (1, 0, 0), "4": (1, 0, 1), "5": (0, 0, 0),
                    "6": (1, 0, 0), "7": (0, 1, 0)}
    months = rows("month")
    assert months["9"] == (2, 2, 0) and months["10"] == (2, 0, 1) and months["1"] == (0, 0, 0)
    assert rows("season") == {"spring": (0, 0, 0), "summer": (0, 0, 0), "autumn": (4, 2, 1), "winter": (0, 0, 0)}


def test_workdays_weekends_and_public_holidays(planted: None) -> None:
    assert day_type(dt.date(2026, 10, 1)) == "holiday"    # National Day
    assert day_type(dt.date(2026, 9, 27)) == "holiday"    # Mid-autumn, a Sunday
    assert day_type(dt.date(2026, 9, 20)) == "workday"    # a Sunday made a working day (调休)
    assert day_type(dt.date(2026, 11, 21)) == "weekend"
    assert rows("holiday") == {"workday": (2, 1, 0), "weekend": (0, 0, 0), "holiday": (2, 1, 1)}


def test_by_industry(planted: None) -> None:
    assert rows("industry") == {"H62": (2, 1, 1), "E47": (1, 0, 0), "unknown": (1, 1, 0)}


def test_by_place(org: Any, planted: None) -> None:
    found = breakdown("street", PERIOD)
    by_name = {row.label: (row.current, row.previous, row.year_before) for row in found.rows}
    assert by_name == {org.street.name: (2, 2, 0), org.other_street.name: (2, 0, 1)}
    assert rows("district") == {"海淀区": (4, 2, 1)}
    assert rows("community") == {"甲社区": (2, 0, 0), "乙社区": (2, 0, 0), "": (0, 2, 1)}
    cells = breakdown("cell", PERIOD)
    cell = str(grid_cell(116.3113, 39.9812))
    placed = next(row for row in cells.rows if row.key == cell)
    assert placed.current == 1 and placed.extra["lat"] == pytest.approx(39.9825)
    assert placed.extra["lng"] == pytest.approx(116.3125)
    assert breakdown("community", PERIOD, limit=1).rows[0].current == 2
    assert breakdown("community", PERIOD, limit=1).total.current == 4  # the total counts every group


def test_hour_by_weekday_matrix_and_months(planted: None) -> None:
    matrix = hour_weekday_matrix(PERIOD)
    assert matrix[0][0] == 1 and matrix[2][23] == 1 and matrix[3][10] == 1 and matrix[5][14] == 1
    assert sum(map(sum, matrix)) == 4
    # whole calendar months: September holds the previous period too, October the case of the 5th
    assert monthly_counts(PERIOD) == [(dt.date(2026, 9, 1), 4, 0), (dt.date(2026, 10, 1), 3, 1)]


def test_an_unknown_breakdown_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown breakdown"):
        breakdown("colour", PERIOD)
