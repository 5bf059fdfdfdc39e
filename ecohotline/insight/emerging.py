"""新兴热点: cells whose complaints are becoming a hotspot, from weekly Gi* and a Mann-Kendall trend test.

A simplified form of ESRI's emerging hot spot analysis:

* **Weeks.** The `weeks` (default 12) seven-day weeks ending on `end` (Beijing days): the last week is
  [end − 6, end]. One aggregate query counts the complaints per cell and week (a filtered count per week), with
  the same cases, lattice (the box of cells holding a complaint of any category in the whole window) and Gi*
  (binary queen 3 × 3, analytic z) as `insight.hotspots`. Each week's cells get their own Benjamini–Hochberg
  FDR at `alpha`: a cell is *hot in a week* when q ≤ alpha and z > 0.
* **Trend.** Mann-Kendall on each cell's weekly z-series (S, its variance n(n−1)(2n+5)/18 without tie
  correction, normal approximation with continuity correction, two-sided p; tau = S / (n(n−1)/2)). The family
  tested is the cells hot in at least one week (only they can be classified); BH FDR at `alpha` over them.
  A significant rise is `trend = "up"`, a fall `"down"`.
* **Classes**, checked in this order (N = number of weeks; "final" = the last week):
    - `new`: hot in the final week and in no earlier week;
    - `intensifying`: hot in the final week and at least one earlier week, significant upward trend;
    - `diminishing`: hot in at least half of the weeks, significant downward trend (final week hot or not);
    - `persistent`: hot in the final week and in at least 90 % of the weeks, no significant trend;
    - `sporadic`: hot in the final week, in some earlier weeks but fewer than 90 %, no significant trend.
  Cells that fit none (e.g. hot earlier, not now, without a trend) are not reported, nor cells without a
  complaint of their own in the weeks (hot only through their neighbours: there is nothing there to act on).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from ecohotline.cases.models import Case, CaseKind
from ecohotline.core.workdays import day_bounds
from ecohotline.insight.hotspots import (
    DEFAULT_ALPHA,
    category_q,
    cell_bounds,
    cell_centre,
    complaints,
    fdr,
    gi_star,
    lattice_for,
    queen_graph,
    without_jit,
)

DEFAULT_WEEKS = 12
MIN_WEEKS = 4
MAX_WEEKS = 104
CLASSES = {
    "new": _("New hotspot"),
    "intensifying": _("Intensifying hotspot"),
    "diminishing": _("Diminishing hotspot"),
    "persistent": _("Persistent hotspot"),
    "sporadic": _("Sporadic hotspot"),
}
ORDER = list(CLASSES)


def week_starts(end: dt.date, weeks: int) -> list[dt.date]:
    """The first day of each of the `weeks` weeks ending on `end`, oldest first."""
    return [end - dt.timedelta(days=7 * (weeks - k) - 1) for k in range(weeks)]


def mann_kendall(series: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(S, tau, two-sided p) of Mann-Kendall's test for each row of `series` (cells × time)."""
    from scipy.stats import norm

    n = series.shape[1]
    s = np.zeros(series.shape[0])
    for i in range(n - 1):
        s += np.sign(series[:, i + 1:] - series[:, i:i + 1]).sum(axis=1)
    variance = n * (n - 1) * (2 * n + 5) / 18.0
    z = np.where(s > 0, (s - 1) / np.sqrt(variance), np.where(s < 0, (s + 1) / np.sqrt(variance), 0.0))
    return s, s / (n * (n - 1) / 2), np.minimum(1.0, 2.0 * norm.sf(np.abs(z)))


@dataclass
class EmergingCell:
    """A cell classified by its weekly Gi*: its class, weekly counts and z-scores, and the trend test."""

    cell: int
    kind: str
    counts: list[int]
    z: list[float]
    hot_weeks: int
    tau: float
    trend_p: float
    trend_q: float

    @property
    def label(self) -> str:
        return str(CLASSES[self.kind])

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def centre(self) -> tuple[float, float]:
        return cell_centre(self.cell)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return cell_bounds(self.cell)

    def as_json(self) -> dict[str, Any]:
        lat, lng = self.centre
        south, west, north, east = self.bounds
        return {"cell": self.cell, "class": self.kind, "counts": self.counts, "z": [round(v, 4) for v in self.z],
                "hot_weeks": self.hot_weeks, "tau": round(self.tau, 4), "trend_p": self.trend_p,
                "trend_q": self.trend_q, "centre": {"lat": lat, "lng": lng},
                "bounds": {"south": south, "west": west, "north": north, "east": east}}


@dataclass
class EmergingResult:
    """The emerging hotspots of the `weeks` weeks ending on `end`."""

    end: dt.date
    weeks: int
    category: str | None
    alpha: float
    week_starts: list[dt.date]
    lattice_cells: int
    cells: list[EmergingCell]

    @property
    def start(self) -> dt.date:
        return self.week_starts[0] if self.week_starts else self.end

    def of_kind(self, kind: str) -> list[EmergingCell]:
        return [cell for cell in self.cells if cell.kind == kind]

    def cases_in(self, cell: EmergingCell | int) -> QuerySet[Case]:
        """The complaints of the window in the cell."""
        cell_id = cell.cell if isinstance(cell, EmergingCell) else cell
        return complaints(self.start, self.end, self.category).filter(geo_cell=cell_id)

    def as_json(self) -> dict[str, Any]:
        return {"end": self.end.isoformat(), "weeks": self.weeks, "category": self.category or "",
                "alpha": self.alpha, "week_starts": [day.isoformat() for day in self.week_starts],
                "lattice_cells": self.lattice_cells, "method": "weekly_gi_star_mann_kendall",
                "cells": [cell.as_json() for cell in self.cells]}


def count_cell_weeks(end: dt.date, weeks: int, category: str | None) -> list[tuple[int, int, list[int]]]:
    """(cell, complaints of any category in the window, [complaints of `category` per week]): one query."""
    starts = week_starts(end, weeks)
    since, until = day_bounds(starts[0], end)
    chosen = category_q(category)
    aggregates: dict[str, Any] = {"every": Count("pk")}
    for k, first in enumerate(starts):
        low, high = day_bounds(first, first + dt.timedelta(days=6))
        aggregates[f"w{k}"] = Count("pk", filter=chosen & Q(received_at__gte=low, received_at__lt=high))
    rows = (Case.objects.filter(kind=CaseKind.COMPLAINT, received_at__gte=since, received_at__lt=until,
                                geo_cell__isnull=False)
            .order_by().values("geo_cell").annotate(**aggregates))
    return [(int(row["geo_cell"]), int(row["every"]), [int(row[f"w{k}"]) for k in range(weeks)]) for row in rows]


def classify(hot: np.ndarray, trend_up: np.ndarray, trend_down: np.ndarray) -> list[str | None]:
    """The class of each cell from its weekly hot flags (cells × weeks) and significant trends."""
    weeks = hot.shape[1]
    hot_weeks = hot.sum(axis=1)
    final = hot[:, -1]
    kinds: list[str | None] = []
    for i in range(hot.shape[0]):
        if final[i] and hot_weeks[i] == 1:
            kinds.append("new")
        elif final[i] and trend_up[i]:
            kinds.append("intensifying")
        elif trend_down[i] and hot_weeks[i] * 2 >= weeks:
            kinds.append("diminishing")
        elif final[i] and hot_weeks[i] >= 0.9 * weeks:
            kinds.append("persistent")
        elif final[i]:
            kinds.append("sporadic")
        else:
            kinds.append(None)
    return kinds


def emerging_from_counts(cells: np.ndarray, every: np.ndarray, weekly: np.ndarray, *,
                         alpha: float = DEFAULT_ALPHA) -> list[EmergingCell]:
    """The pure part: classified cells from the weekly counts per occupied cell (cells × weeks)."""
    lattice = lattice_for(cells, every.astype(float))
    if lattice is None:
        return []
    weeks = weekly.shape[1]
    graph = queen_graph(lattice)
    counts = np.zeros((lattice.size, weeks))
    z = np.zeros((lattice.size, weeks))
    hot = np.zeros((lattice.size, weeks), dtype=bool)
    for k in range(weeks):
        counts[:, k] = lattice.grid(cells, weekly[:, k].astype(float))
        z[:, k], p = gi_star(counts[:, k], graph)
        _, q = fdr(p, alpha)
        hot[:, k] = (q <= alpha) & (z[:, k] > 0)
    family = np.flatnonzero(hot.any(axis=1))
    if len(family) == 0:
        return []
    s, tau, trend_p = mann_kendall(z[family])
    _, trend_q = fdr(trend_p, alpha)
    significant = trend_q <= alpha
    kinds = classify(hot[family], significant & (s > 0), significant & (s < 0))
    found = [
        EmergingCell(lattice.cell_at(int(index)), kind, [int(v) for v in counts[index]], [float(v) for v in z[index]],
                     int(hot[index].sum()), float(tau[j]), float(trend_p[j]), float(trend_q[j]))
        for j, (index, kind) in enumerate(zip(family, kinds, strict=True))
        if kind is not None and counts[index].sum() > 0
    ]
    found.sort(key=lambda cell: (ORDER.index(cell.kind), -cell.z[-1]))
    return found


def compute_emerging(end: dt.date, *, weeks: int = DEFAULT_WEEKS, category: str | None = None,
                     alpha: float = DEFAULT_ALPHA) -> EmergingResult:
    """新兴热点 over the `weeks` weeks ending on `end` (Beijing), for one category or all."""
    if not MIN_WEEKS <= weeks <= MAX_WEEKS:
        raise ValueError(f"weeks must be from {MIN_WEEKS} to {MAX_WEEKS}")
    rows = without_jit(count_cell_weeks, end, weeks, category)
    cells = np.array([row[0] for row in rows], dtype=np.int64)
    every = np.array([row[1] for row in rows], dtype=np.int64)
    weekly = np.array([row[2] for row in rows], dtype=np.int64).reshape(len(rows), weeks)
    lattice = lattice_for(cells, every.astype(float))
    found = emerging_from_counts(cells, every, weekly, alpha=alpha)
    return EmergingResult(end, weeks, category or None, alpha, week_starts(end, weeks),
                          lattice.size if lattice else 0, found)
