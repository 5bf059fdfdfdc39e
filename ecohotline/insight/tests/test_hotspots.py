"""Gi* hotspots on fields built so the answer is known: a planted cluster is found after FDR, a Poisson field of
equal rate gives none, and the counts come from the period's complaints only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pytest

from ecohotline.cases.models import CaseKind, Channel
from ecohotline.cases.services import CaseDraft, create_cases
from ecohotline.core.geo import CELL_DEGREES, grid_cell
from ecohotline.core.workdays import BEIJING
from ecohotline.insight import hotspots
from ecohotline.insight.hotspots import cell_id, compute_hotspots, hotspots_from_counts

pytestmark = pytest.mark.django_db

# The south-west cell of the test lattices: around Zhongguancun (39.915°N … 116.30°E).
ROW0, COL0 = 7983, 23260
SIZE = 16
START, END = dt.date(2026, 10, 1), dt.date(2026, 10, 31)
CLUSTER = [(5, 5), (5, 6), (6, 5), (6, 6)]


def centre(row: int, col: int) -> tuple[float, float]:
    """(lng, lat) of the centre of the lattice's cell (row, col)."""
    return (COL0 + col + 0.5) * CELL_DEGREES, (ROW0 + row + 0.5) * CELL_DEGREES


def drafts(counts: dict[tuple[int, int], int], *, category: str = "noise", day: dt.date = START,
           kind: str = CaseKind.COMPLAINT) -> list[CaseDraft]:
    """`count` complaints at the centre of each cell (spread over the day's hours)."""
    made = []
    for (row, col), count in counts.items():
        lng, lat = centre(row, col)
        for k in range(count):
            made.append(CaseDraft(
                channel=Channel.HOTLINE_12345, kind=kind, description="噪声扰民",
                received_at=dt.datetime.combine(day, dt.time(k % 24, 0), tzinfo=BEIJING),
                latitude=lat, longitude=lng, category=category, sub_category=f"{category}.social"))
    return made


def poisson_field(seed: int, rate: float) -> dict[tuple[int, int], int]:
    rng = np.random.default_rng(seed)
    values = rng.poisson(rate, (SIZE, SIZE))
    return {(row, col): int(values[row, col]) for row in range(SIZE) for col in range(SIZE)}


def make(items: Iterable[CaseDraft]) -> None:
    create_cases(actor=None, drafts=list(items))


def test_cells_map_back_to_their_bounds() -> None:
    lng, lat = centre(3, 4)
    cell = grid_cell(lng, lat)
    assert cell == cell_id(ROW0 + 3, COL0 + 4)
    south, west, north, east = hotspots.cell_bounds(cell)
    assert south < lat < north and west < lng < east
    assert north - south == pytest.approx(CELL_DEGREES) and east - west == pytest.approx(CELL_DEGREES)
    assert hotspots.cell_centre(cell) == (pytest.approx(lat), pytest.approx(lng))


def test_a_planted_cluster_is_found_after_fdr() -> None:
    # Given a Poisson background of 2 complaints a cell, and 20 more in each of 4 adjacent cells
    field = poisson_field(seed=11, rate=2)
    for cell in CLUSTER:
        field[cell] += 20
    make(drafts(field))

    # When
    result = compute_hotspots(START, END)

    # Then one hotspot area holds the four cells (and, Gi* being local sums, the ring around them)
    assert result.lattice_cells == SIZE * SIZE
    assert result.cases == sum(field.values())
    assert len(result.hotspots) == 1
    area = result.hotspots[0]
    cells = set(area.cell_ids)
    assert {cell_id(ROW0 + r, COL0 + c) for r, c in CLUSTER} <= cells
    rows_cols = [hotspots.cell_row_col(cell) for cell in cells]
    assert all(4 <= row - ROW0 <= 7 and 4 <= col - COL0 <= 7 for row, col in rows_cols)  # the 4×4 around it
    assert all(cell.q <= 0.05 and cell.z > 0 for cell in area.cells)
    assert area.peak_z > 5
    # The cases behind it are those of its cells
    assert result.cases_in(area).count() == area.count == sum(field[(r - ROW0, c - COL0)] for r, c in rows_cols)
    south, _, _, east = area.bounds
    assert south == pytest.approx(min(r for r, _ in rows_cols) * CELL_DEGREES)
    assert east == pytest.approx((max(c for _, c in rows_cols) + 1) * CELL_DEGREES)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_poisson_field_of_equal_rate_has_no_hotspot_after_fdr(seed: int) -> None:
    field = poisson_field(seed=seed, rate=3)
    cells = np.array([cell_id(ROW0 + r, COL0 + c) for r, c in field], dtype=np.int64)
    counts = np.array(list(field.values()), dtype=np.int64)

    lattice, grid, _, p, q, outside = hotspots_from_counts(cells, counts, counts)

    assert lattice is not None and lattice.size == SIZE * SIZE and outside == 0
    assert grid.sum() == counts.sum()
    assert p.min() < 0.05  # some cells look unusual on their own ...
    assert q.min() > 0.05  # ... but none survives the false discovery rate


def test_the_uniform_field_through_the_database_has_no_hotspot() -> None:
    make(drafts(poisson_field(seed=5, rate=3)))
    result = compute_hotspots(START, END)
    assert result.hotspots == [] and result.hot_cells == [] and result.cold_cells == []


def test_only_the_periods_complaints_of_the_category_count() -> None:
    # Given a cluster of noise complaints in October, and outside the counts: the same cluster in November,
    # air complaints there in October, and proactive tasks
    background = {(row, col): 1 for row in range(SIZE) for col in range(SIZE)}
    cluster = dict.fromkeys(CLUSTER, 15)
    make(drafts(background) + drafts(cluster) + drafts(dict.fromkeys([(12, 12)], 60), day=dt.date(2026, 11, 2))
         + drafts(dict.fromkeys([(12, 3), (12, 4)], 40), category="air")
         + drafts(dict.fromkeys([(2, 12)], 50), kind=CaseKind.PROACTIVE_TASK))

    noise = compute_hotspots(START, END, category="noise")
    sub = compute_hotspots(START, END, category="noise.social")
    air = compute_hotspots(START, END, category="air")

    assert noise.cases == sub.cases == SIZE * SIZE + 60
    assert len(noise.hotspots) == 1  # the November cluster does not count
    assert {cell_id(ROW0 + r, COL0 + c) for r, c in CLUSTER} <= set(noise.hotspots[0].cell_ids)
    assert air.cases == 80 and len(air.hotspots) == 1
    assert cell_id(ROW0 + 12, COL0 + 3) in air.hotspots[0].cell_ids
    assert noise.hotspots[0].count == sub.hotspots[0].count


def test_no_complaints_no_hotspot() -> None:
    result = compute_hotspots(START, END)
    assert result.lattice_cells == 0 and result.hotspots == [] and result.cases == 0


def test_a_far_outlier_does_not_stretch_the_lattice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hotspots, "MAX_LATTICE_CELLS", 1000)
    field = poisson_field(seed=4, rate=3)
    cells = np.array([cell_id(ROW0 + r, COL0 + c) for r, c in field] + [cell_id(ROW0 + 300, COL0 + 300)])
    counts = np.array([*field.values(), 1])
    lattice, _, _, _, _, outside = hotspots_from_counts(cells, counts, counts)
    assert lattice is not None and lattice.size <= SIZE * SIZE and outside >= 1
