"""热点区域: where complaints cluster more than chance allows, by Getis-Ord Gi* over grid cells of about 500 m.

How it is computed.

* **Cells.** Cases store `geo_cell` = `core.geo.grid_cell(lng, lat)`: cells of 0.005° × 0.005° (about 556 m
  north–south × 427 m east–west in Beijing). One aggregate query counts the period's complaints per cell
  (`GROUP BY geo_cell`), with the category's count as a filtered aggregate of the same query.
* **Which cases.** Complaints (`kind = complaint`, duplicates merged into another case included: each is a call
  about the place) received in [start, end] (Beijing days, both included) that have coordinates. A category code
  with a dot (`noise.social`) selects the sub-category, one without (`noise`) the category, as the case list does.
* **The lattice (the study area).** Every cell of the bounding box of the cells holding a complaint of *any*
  category in the period, zero-count cells included: a cell with no complaint of the chosen category inside the
  district's extent is a real zero. Cells outside the district's outline but inside its box (hills, lakes,
  the neighbours' land) are zeros too, so cold spots mark places without complaints, including places without
  people. A box of more than `MAX_LATTICE_CELLS` cells (a few cases geocoded far away) is trimmed to the
  0.5–99.5 % quantiles of the cases' rows and columns, and the cases outside it are left out (`cases_outside`).
* **The statistic.** Gi* (`esda.G_Local(..., star=True)`) with binary queen contiguity on the lattice: a cell's
  neighbourhood is the 3 × 3 block of cells around it, itself included (fewer at the box's edge). Inference is
  the analytic z-score under the normal approximation (as ArcGIS's Hot Spot Analysis does), not permutations:
  it is deterministic and fast enough for every request; two-sided p = 2·(1 − Φ(|z|)).
* **False discovery rate.** Benjamini–Hochberg over every cell of the lattice (statsmodels `multipletests`,
  `fdr_bh`) at `alpha` (default 0.05): a cell is a hot cell when its q-value is at most `alpha` and z > 0, a
  cold cell when z < 0.
* **Areas.** Adjacent hot cells (sharing an edge or a corner) form one hotspot area (likewise cold cells),
  ranked by complaints, then by the highest z. The cases behind an area: `HotspotResult.cases_in(area)`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet

from ecohotline.cases.models import Case, CaseKind
from ecohotline.core.geo import CELL_DEGREES
from ecohotline.core.workdays import day_bounds

# `core.geo.grid_cell`: row × 1,000,000 + column (rows of latitude, columns of longitude, both ≥ 0 in China).
CELL_ROW = 1_000_000
# Cells of 0.005° cover about 0.24 km²: 200,000 of them are about 47,000 km², far beyond any district.
MAX_LATTICE_CELLS = 200_000
DEFAULT_ALPHA = 0.05
MAX_DAYS = 366 * 3


# --- cells --------------------------------------------------------------------------------------------------


def cell_row_col(cell: int) -> tuple[int, int]:
    """The (row, column) of a `grid_cell` id."""
    row, col = divmod(int(cell), CELL_ROW)
    return row, col


def cell_id(row: int, col: int) -> int:
    return row * CELL_ROW + col


def cell_bounds(cell: int) -> tuple[float, float, float, float]:
    """(south, west, north, east) of a cell in WGS-84 degrees."""
    row, col = cell_row_col(cell)
    return (round(row * CELL_DEGREES, 6), round(col * CELL_DEGREES, 6), round((row + 1) * CELL_DEGREES, 6),
            round((col + 1) * CELL_DEGREES, 6))


def cell_centre(cell: int) -> tuple[float, float]:
    """(lat, lng) of a cell's centre in WGS-84 degrees."""
    row, col = cell_row_col(cell)
    return round((row + 0.5) * CELL_DEGREES, 6), round((col + 0.5) * CELL_DEGREES, 6)


# --- the cases ----------------------------------------------------------------------------------------------


def category_q(category: str | None) -> Q:
    """`noise` matches the category, `noise.social` the sub-category (as the case list's filter); None: all."""
    if not category:
        return Q()
    return Q(sub_category=category) if "." in category else Q(category=category)


def complaints(start: dt.date, end: dt.date, category: str | None = None) -> QuerySet[Case]:
    """The complaints with coordinates received in [start, end]: what the hotspots count."""
    since, until = day_bounds(start, end)
    return Case.objects.filter(category_q(category), kind=CaseKind.COMPLAINT, received_at__gte=since,
                               received_at__lt=until, geo_cell__isnull=False)


def without_jit(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Call `function` with PostgreSQL's JIT off (its compile time exceeds what these one-scan aggregates gain)."""
    if connection.vendor != "postgresql":
        return function(*args, **kwargs)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        return function(*args, **kwargs)


# --- the lattice and Gi* -------------------------------------------------------------------------------------


@dataclass
class Lattice:
    """The study area: a box of `rows` × `cols` cells whose south-west cell is (row0, col0)."""

    row0: int
    col0: int
    rows: int
    cols: int

    @property
    def size(self) -> int:
        return self.rows * self.cols

    def index_of(self, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Flat indexes of `cells` in the lattice, and the mask of those inside it."""
        rows, cols = np.divmod(cells.astype(np.int64), CELL_ROW)
        rows, cols = rows - self.row0, cols - self.col0
        inside = (rows >= 0) & (rows < self.rows) & (cols >= 0) & (cols < self.cols)
        return rows * self.cols + cols, inside

    def cell_at(self, index: int) -> int:
        row, col = divmod(int(index), self.cols)
        return cell_id(self.row0 + row, self.col0 + col)

    def grid(self, cells: np.ndarray, values: np.ndarray) -> np.ndarray:
        """A flat array over the lattice with `values` summed into the cells' places (zeros elsewhere)."""
        index, inside = self.index_of(cells)
        flat = np.zeros(self.size, dtype=float)
        np.add.at(flat, index[inside], values[inside])
        return flat


def _weighted_quantile(values: np.ndarray, weights: np.ndarray, share: float) -> int:
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return int(values[order][np.searchsorted(cumulative, share * cumulative[-1])])


def lattice_for(cells: np.ndarray, weights: np.ndarray) -> Lattice | None:
    """The bounding box of the occupied cells (trimmed when too large; see the module's docstring)."""
    if len(cells) == 0:
        return None
    rows, cols = np.divmod(cells.astype(np.int64), CELL_ROW)
    south, north, west, east = int(rows.min()), int(rows.max()), int(cols.min()), int(cols.max())
    if (north - south + 1) * (east - west + 1) > MAX_LATTICE_CELLS:
        south, north = _weighted_quantile(rows, weights, 0.005), _weighted_quantile(rows, weights, 0.995)
        west, east = _weighted_quantile(cols, weights, 0.005), _weighted_quantile(cols, weights, 0.995)
    return Lattice(south, west, north - south + 1, east - west + 1)


def queen_graph(lattice: Lattice) -> Any:
    """Binary queen contiguity with each cell its own neighbour (Gi*): a libpysal Graph over the lattice."""
    import scipy.sparse as sparse
    from libpysal.graph import Graph

    rows, cols = lattice.rows, lattice.cols
    index = np.arange(rows * cols).reshape(rows, cols)
    focal, neighbour = [], []
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            a = index[max(0, -dr):rows - max(0, dr), max(0, -dc):cols - max(0, dc)]
            b = index[max(0, dr):rows - max(0, -dr), max(0, dc):cols - max(0, -dc)]
            focal.append(a.ravel())
            neighbour.append(b.ravel())
    heads, tails = np.concatenate(focal), np.concatenate(neighbour)
    matrix = sparse.csr_matrix((np.ones(len(heads)), (heads, tails)), shape=(rows * cols, rows * cols))
    return Graph.from_sparse(matrix)


def gi_star(values: np.ndarray, graph: Any) -> tuple[np.ndarray, np.ndarray]:
    """Gi* z-scores and two-sided p-values (analytic) of `values` over `graph`; z 0 and p 1 when all are equal."""
    from esda import G_Local
    from scipy.stats import norm

    if len(values) < 2 or float(np.ptp(values)) == 0.0:
        return np.zeros(len(values)), np.ones(len(values))
    with np.errstate(invalid="ignore", divide="ignore"):
        local = G_Local(values, graph, transform="B", star=True, permutations=0)
        z = np.nan_to_num(np.asarray(local.Zs, dtype=float), nan=0.0, posinf=0.0, neginf=0.0)
    return z, np.minimum(1.0, 2.0 * norm.sf(np.abs(z)))


def fdr(p_values: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Benjamini–Hochberg: (significant, q-values)."""
    from statsmodels.stats.multitest import multipletests

    if len(p_values) == 0:
        return np.zeros(0, dtype=bool), np.zeros(0)
    reject, q_values, _, _ = multipletests(p_values, alpha=alpha, method="fdr_bh")
    return np.asarray(reject, dtype=bool), np.asarray(q_values, dtype=float)


def areas_of(lattice: Lattice, mask: np.ndarray) -> list[list[int]]:
    """Groups of flat lattice indexes in `mask` that touch (edge or corner)."""
    from scipy import ndimage

    labels, count = ndimage.label(mask.reshape(lattice.rows, lattice.cols), structure=np.ones((3, 3), dtype=int))
    flat = labels.ravel()
    found = np.flatnonzero(flat)
    groups: list[list[int]] = [[] for _ in range(count)]
    for index in found:
        groups[flat[index] - 1].append(int(index))
    return groups


# --- results ------------------------------------------------------------------------------------------------


@dataclass
class CellResult:
    """One significant cell: its complaints, Gi* z, p and FDR q-value, centre and bounds (WGS-84)."""

    cell: int
    count: int
    z: float
    p: float
    q: float

    @property
    def centre(self) -> tuple[float, float]:
        return cell_centre(self.cell)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return cell_bounds(self.cell)

    def as_json(self) -> dict[str, Any]:
        lat, lng = self.centre
        south, west, north, east = self.bounds
        return {"cell": self.cell, "count": self.count, "z": round(self.z, 4), "p": self.p, "q": self.q,
                "centre": {"lat": lat, "lng": lng},
                "bounds": {"south": south, "west": west, "north": north, "east": east}}


@dataclass
class Area:
    """A hotspot (or cold spot): adjacent significant cells of one sign."""

    rank: int
    kind: str  # "hot" or "cold"
    cells: list[CellResult]

    @property
    def count(self) -> int:
        return sum(cell.count for cell in self.cells)

    @property
    def cell_ids(self) -> list[int]:
        return [cell.cell for cell in self.cells]

    @property
    def peak_z(self) -> float:
        return max((cell.z for cell in self.cells), key=abs)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        boxes = [cell.bounds for cell in self.cells]
        return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                max(b[3] for b in boxes))

    @property
    def centre(self) -> tuple[float, float]:
        south, west, north, east = self.bounds
        return round((south + north) / 2, 6), round((west + east) / 2, 6)

    def as_json(self) -> dict[str, Any]:
        lat, lng = self.centre
        south, west, north, east = self.bounds
        return {"rank": self.rank, "kind": self.kind, "count": self.count, "peak_z": round(self.peak_z, 4),
                "centre": {"lat": lat, "lng": lng},
                "bounds": {"south": south, "west": west, "north": north, "east": east},
                "cells": [cell.as_json() for cell in self.cells]}


@dataclass
class HotspotResult:
    """The hotspots of a period: the lattice tested, the significant cells, and the areas they form."""

    start: dt.date
    end: dt.date
    category: str | None
    alpha: float
    cases: int  # complaints of the category counted in the lattice
    cases_outside: int  # ... left out because the lattice was trimmed
    lattice_cells: int
    occupied_cells: int
    hot_cells: list[CellResult] = field(default_factory=list)
    cold_cells: list[CellResult] = field(default_factory=list)
    hotspots: list[Area] = field(default_factory=list)
    coldspots: list[Area] = field(default_factory=list)

    def cases_in(self, area: Area | Iterable[int]) -> QuerySet[Case]:
        """The complaints behind an area (or a list of cells): those the counts were made of."""
        cells = area.cell_ids if isinstance(area, Area) else list(area)
        return complaints(self.start, self.end, self.category).filter(geo_cell__in=cells)

    def as_json(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(), "end": self.end.isoformat(), "category": self.category or "",
            "alpha": self.alpha, "method": "getis_ord_gi_star", "weights": "queen_3x3_binary",
            "inference": "analytic_z", "fdr": "benjamini_hochberg", "cell_degrees": CELL_DEGREES,
            "cases": self.cases, "cases_outside": self.cases_outside, "lattice_cells": self.lattice_cells,
            "occupied_cells": self.occupied_cells,
            "hotspots": [area.as_json() for area in self.hotspots],
            "coldspots": [area.as_json() for area in self.coldspots],
        }


def _cell_results(lattice: Lattice, indexes: Sequence[int], counts: np.ndarray, z: np.ndarray, p: np.ndarray,
                  q: np.ndarray) -> list[CellResult]:
    return [CellResult(lattice.cell_at(i), int(counts[i]), float(z[i]), float(p[i]), float(q[i])) for i in indexes]


def _areas(kind: str, lattice: Lattice, mask: np.ndarray, counts: np.ndarray, z: np.ndarray, p: np.ndarray,
           q: np.ndarray) -> list[Area]:
    areas = [Area(0, kind, _cell_results(lattice, sorted(group, key=lambda i: -abs(z[i])), counts, z, p, q))
             for group in areas_of(lattice, mask)]
    areas.sort(key=lambda area: (-area.count, -abs(area.peak_z)) if kind == "hot" else (-abs(area.peak_z),))
    for rank, area in enumerate(areas, start=1):
        area.rank = rank
    return areas


def count_cells(start: dt.date, end: dt.date, category: str | None = None) -> list[tuple[int, int, int]]:
    """(cell, complaints of any category, complaints of `category`) per occupied cell: one aggregate query."""
    since, until = day_bounds(start, end)
    rows = (Case.objects.filter(kind=CaseKind.COMPLAINT, received_at__gte=since, received_at__lt=until,
                                geo_cell__isnull=False)
            .order_by().values("geo_cell")
            .annotate(every=Count("pk"), counted=Count("pk", filter=category_q(category)) if category else Count("pk"))
            .values_list("geo_cell", "every", "counted"))
    return [(int(cell or 0), int(every), int(counted)) for cell, every, counted in rows]


def hotspots_from_counts(cells: np.ndarray, every: np.ndarray, counted: np.ndarray, *, alpha: float = DEFAULT_ALPHA
                         ) -> tuple[Lattice | None, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """The pure part: (lattice, counts, z, p, q, cases outside) of the counts per cell."""
    lattice = lattice_for(cells, every.astype(float))
    if lattice is None:
        empty = np.zeros(0)
        return None, empty, empty, empty, empty, 0
    _, inside = lattice.index_of(cells)
    outside = int(counted[~inside].sum())
    grid = lattice.grid(cells, counted.astype(float))
    z, p = gi_star(grid, queen_graph(lattice))
    _, q = fdr(p, alpha)
    return lattice, grid, z, p, q, outside


def compute_hotspots(start: dt.date, end: dt.date, *, category: str | None = None,
                     alpha: float = DEFAULT_ALPHA) -> HotspotResult:
    """热点区域 of the period [start, end] (Beijing days, both included), for one category or all."""
    if end < start:
        raise ValueError("the end must be on or after the start")
    rows = without_jit(count_cells, start, end, category)
    cells = np.array([row[0] for row in rows], dtype=np.int64)
    every = np.array([row[1] for row in rows], dtype=np.int64)
    counted = np.array([row[2] for row in rows], dtype=np.int64)
    lattice, grid, z, p, q, outside = hotspots_from_counts(cells, every, counted, alpha=alpha)
    result = HotspotResult(start, end, category or None, alpha, int(counted.sum()) - outside, outside,
                           lattice.size if lattice else 0, int((counted > 0).sum()))
    if lattice is None:
        return result
    significant = q <= alpha
    hot, cold = significant & (z > 0), significant & (z < 0)
    result.hot_cells = sorted(_cell_results(lattice, np.flatnonzero(hot).tolist(), grid, z, p, q),
                              key=lambda cell: -cell.z)
    result.cold_cells = sorted(_cell_results(lattice, np.flatnonzero(cold).tolist(), grid, z, p, q),
                               key=lambda cell: cell.z)
    result.hotspots = _areas("hot", lattice, hot, grid, z, p, q)
    result.coldspots = _areas("cold", lattice, cold, grid, z, p, q)
    return result


def cases_by_cell(queryset: QuerySet[Case], cells: Iterable[int]) -> dict[int, list[tuple[dt.datetime, int]]]:
    """{cell: [(received_at, case id)], latest first} of the cases of `queryset` in `cells`: one query."""
    found: dict[int, list[tuple[dt.datetime, int]]] = defaultdict(list)
    wanted = sorted(set(cells))
    if not wanted:
        return found
    rows = queryset.filter(geo_cell__in=wanted).order_by("-received_at", "-pk").values_list(
        "geo_cell", "received_at", "pk")
    for cell, received, pk in rows:
        found[int(cell or 0)].append((received, int(pk)))
    return found


def merge_case_ids(by_cell: dict[int, list[tuple[dt.datetime, int]]], cells: Iterable[int]) -> list[int]:
    """The case ids of several cells (from `cases_by_cell`), latest first."""
    merged = [item for cell in cells for item in by_cell.get(cell, [])]
    return [pk for _, pk in sorted(merged, reverse=True)]
