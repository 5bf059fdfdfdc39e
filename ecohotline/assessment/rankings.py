"""排名 and 趋势: the groups of a period ranked by their composite (综合成绩), against the period before, and the
bureau's figures month by month.

* A ranking lists every group (unit, handler or street) with figures in the period or in the previous one; groups
  are ranked by composite, highest first; equal composites (to 6 decimals) share a rank and the next rank skips
  (1, 2, 2, 4); a group without assessed orders has no composite, comes last and has rank None. Cases without the
  group (no unit, handler or street) are left out.
* The previous period: when [start, end] is an assessment month (`period_of(end)` under the scheme in force on
  `end`), the assessment month just before it (under the scheme in force on its own last day); otherwise the
  same number of days just before `start`. Each period is scored by its own scheme.
* `composite_change` = composite − previous composite (None unless both exist); `rank_change` = previous rank − rank
  (positive: the group moved up; None unless both exist).
* The trend: the assessment month containing `end` and the months before it, contiguous: each earlier period ends
  the day before the next one starts and starts where the assessment month containing that day starts under the
  scheme in force on that day. A change of scheme from calendar months to the 19th therefore leaves a short
  period (e.g. 1–18 June before 19 June – 18 July). A period is labelled by the month it ends in ("2026-10"), so
  a change the other way (from the 19th to calendar months) gives two periods the same label. Each month is one
  `compute_kpis` call by its own scheme: every query reads its period through a date index, so twelve months cost
  about what one year does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ecohotline.assessment.kpis import Figures, compute_kpis, figures_json, group_names, period_of
from ecohotline.assessment.models import KpiScheme

RANK_GROUPS = ("unit", "handler", "street")


@dataclass
class RankRow:
    """One group's place in a ranking, with the period before."""

    key: Any
    name: str
    figures: Figures
    rank: int | None
    previous: Figures | None
    previous_rank: int | None
    composite_change: float | None
    rank_change: int | None


@dataclass
class TrendPoint:
    """One assessment month of the trend: its days (both included), its label and the bureau's figures."""

    start: dt.date
    end: dt.date
    label: str
    figures: Figures


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The assessment month before [start, end] when that is one, else the same number of days before it."""
    if (start, end) == period_of(end, KpiScheme.in_force(end)):
        last = start - dt.timedelta(days=1)
        return period_of(last, KpiScheme.in_force(last))[0], last
    return start - (end - start) - dt.timedelta(days=1), start - dt.timedelta(days=1)


def _ranks(groups: dict[Any, Figures]) -> dict[Any, int | None]:
    """Competition ranks by composite (1, 2, 2, 4); None for a group without assessed orders."""
    scored = sorted((round(figures.composite, 6), key) for key, figures in groups.items()
                    if figures.composite is not None)
    scored.reverse()
    ranks: dict[Any, int | None] = {key: None for key in groups}
    previous_score: float | None = None
    rank = 0
    for position, (score, key) in enumerate(scored, start=1):
        if score != previous_score:
            rank, previous_score = position, score
        ranks[key] = rank
    return ranks


def rankings(start: dt.date, end: dt.date, *, by: str, scheme: KpiScheme | None = None) -> list[RankRow]:
    """The groups of [start, end] ranked by composite, best first, with the previous period's figures and rank.

    `scheme` scores the period (by default the one in force on `end`); the previous period uses its own."""
    if by not in RANK_GROUPS:
        raise ValueError(f"by must be one of {', '.join(RANK_GROUPS)}")
    current = compute_kpis(start, end, group_by=by, scheme=scheme).groups
    before_start, before_end = previous_period(start, end)
    before = compute_kpis(before_start, before_end, group_by=by).groups
    current.pop(None, None)
    before.pop(None, None)
    for key in before:
        if key not in current:
            current[key] = Figures().finish(scheme or KpiScheme.in_force(end))
    ranks, before_ranks = _ranks(current), _ranks(before)
    names = group_names(by, list(current))
    rows = []
    for key, figures in current.items():
        previous = before.get(key)
        rank, previous_rank = ranks[key], before_ranks.get(key)
        rows.append(RankRow(
            key=key, name=names.get(key, str(key)), figures=figures, rank=rank, previous=previous,
            previous_rank=previous_rank,
            composite_change=(figures.composite - previous.composite
                              if previous is not None and figures.composite is not None
                              and previous.composite is not None else None),
            rank_change=previous_rank - rank if rank is not None and previous_rank is not None else None))
    rows.sort(key=lambda row: (row.rank is None, row.rank or 0, row.name, str(row.key)))
    return rows


def assessment_month(day: dt.date) -> tuple[dt.date, dt.date]:
    """The assessment month containing `day`, by the scheme in force on that day, cut short where a new scheme's
    first month starts before it ends (calendar months, then months from the 19th from 19 June, leave 1–18 June on
    its own). Two queries (`KpiScheme.in_force` is cached)."""
    start, end = period_of(day, KpiScheme.in_force(day))
    following = end + dt.timedelta(days=1)
    next_start, next_end = period_of(following, KpiScheme.in_force(following))
    if next_start <= end:
        return (next_start, next_end) if day >= next_start else (start, next_start - dt.timedelta(days=1))
    return start, end


def trend_periods(end: dt.date, *, months: int = 12) -> list[tuple[dt.date, dt.date]]:
    """The `months` contiguous assessment months ending with the one containing `end` (`assessment_month`), oldest
    first."""
    periods = [assessment_month(end)]
    while len(periods) < months:
        last = periods[-1][0] - dt.timedelta(days=1)
        periods.append((period_of(last, KpiScheme.in_force(last))[0], last))
    periods.reverse()
    return periods


def monthly_trend(end: dt.date, *, months: int = 12) -> list[TrendPoint]:
    """The bureau's figures for the last `months` assessment months, oldest first (each by its own scheme)."""
    if months < 1:
        raise ValueError("months must be at least 1")
    return [TrendPoint(start, stop, f"{stop:%Y-%m}", compute_kpis(start, stop).total)
            for start, stop in trend_periods(end, months=months)]


# --- as data -------------------------------------------------------------------------------------------------------


def _change(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def rankings_json(rows: list[RankRow], *, start: dt.date, end: dt.date, by: str) -> dict[str, Any]:
    """A ranking as the API gives it: every figure of each group, now and in the previous period."""
    before_start, before_end = previous_period(start, end)
    return {
        "start": start.isoformat(), "end": end.isoformat(), "by": by,
        "previous": {"start": before_start.isoformat(), "end": before_end.isoformat()},
        "rows": [{"key": row.key, "name": row.name, "rank": row.rank, "previous_rank": row.previous_rank,
                  "rank_change": row.rank_change, "composite_change": _change(row.composite_change),
                  "figures": figures_json(row.figures),
                  "previous_figures": None if row.previous is None else figures_json(row.previous)}
                 for row in rows],
    }


def trend_json(points: list[TrendPoint]) -> dict[str, Any]:
    """The trend as the API gives it: one entry per assessment month, oldest first."""
    return {"points": [{"label": point.label, "start": point.start.isoformat(), "end": point.end.isoformat(),
                        **figures_json(point.figures)} for point in points]}
