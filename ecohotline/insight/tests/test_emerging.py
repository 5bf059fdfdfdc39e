"""Emerging hotspots: a cell whose weekly complaints grow is intensifying, a steady hot cell is persistent, a cell
hot only in the last week is new; Mann-Kendall and the weeks are checked by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from ecohotline.cases.models import Channel
from ecohotline.cases.services import CaseDraft, create_cases
from ecohotline.core.geo import CELL_DEGREES
from ecohotline.core.workdays import BEIJING
from ecohotline.insight.emerging import classify, compute_emerging, emerging_from_counts, mann_kendall, week_starts
from ecohotline.insight.hotspots import cell_id

ROW0, COL0 = 7983, 23260
SIZE = 16
WEEKS = 12
END = dt.date(2026, 11, 22)
GROWING = (5, 5)
STEADY = (10, 10)


def test_week_starts_end_on_the_last_day() -> None:
    starts = week_starts(END, 3)
    assert starts == [dt.date(2026, 11, 2), dt.date(2026, 11, 9), dt.date(2026, 11, 16)]


def test_mann_kendall_by_hand() -> None:
    # 1 2 3 4: S = 6, var = 4·3·13/18 = 8.667, z = (6 − 1)/2.944 = 1.698, p = 0.0894; 4 3 2 1 mirrors it
    s, tau, p = mann_kendall(np.array([[1.0, 2, 3, 4], [4, 3, 2, 1], [1, 3, 2, 4]]))
    assert list(s) == [6, -6, 4]
    assert list(tau) == pytest.approx([1.0, -1.0, 4 / 6])
    assert p[0] == pytest.approx(0.0894, abs=1e-4) and p[1] == pytest.approx(p[0])
    assert p[2] == pytest.approx(0.3082, abs=1e-4)  # z = 3/2.944


def test_classes_follow_the_rules() -> None:
    weeks = 10
    hot = np.zeros((6, weeks), dtype=bool)
    hot[0, -1] = True  # new
    hot[1, 5:] = True  # intensifying (with the trend)
    hot[2, :6] = True  # diminishing (with the downward trend)
    hot[3, :] = True  # persistent
    hot[4, [2, 6, 9]] = True  # sporadic
    hot[5, :4] = True  # hot before, not now, no trend: not reported
    up = np.array([False, True, False, False, False, False])
    down = np.array([False, False, True, False, False, False])
    assert classify(hot, up, down) == ["new", "intensifying", "diminishing", "persistent", "sporadic", None]


def lattice_cells() -> np.ndarray:
    return np.array([cell_id(ROW0 + r, COL0 + c) for r in range(SIZE) for c in range(SIZE)], dtype=np.int64)


def index(cell: tuple[int, int]) -> int:
    return cell[0] * SIZE + cell[1]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_growing_cell_is_intensifying(seed: int) -> None:
    rng = np.random.default_rng(seed)
    weekly = rng.poisson(2, (SIZE * SIZE, WEEKS))
    weekly[index(GROWING)] = [4 * k for k in range(WEEKS)]  # 0, 4, ... 44

    found = {cell.cell: cell for cell in emerging_from_counts(lattice_cells(), weekly.sum(axis=1), weekly)}

    growing = found[cell_id(ROW0 + GROWING[0], COL0 + GROWING[1])]
    assert growing.kind == "intensifying"
    # Gi* is relative: once the cell dominates the week's variance its z rises more slowly than its counts
    assert growing.tau > 0.5 and growing.trend_q <= 0.05
    assert growing.counts == [4 * k for k in range(WEEKS)]
    assert 2 <= growing.hot_weeks < WEEKS
    # Nothing far from it emerges
    assert all(abs(r - ROW0 - GROWING[0]) <= 1 and abs(c - COL0 - GROWING[1]) <= 1
               for r, c in (divmod(cell, 1_000_000) for cell in found))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_steady_hot_cell_is_persistent_not_intensifying(seed: int) -> None:
    rng = np.random.default_rng(seed)
    weekly = rng.poisson(2, (SIZE * SIZE, WEEKS))
    weekly[index(STEADY)] = rng.poisson(40, WEEKS)

    found = {cell.cell: cell for cell in emerging_from_counts(lattice_cells(), weekly.sum(axis=1), weekly)}

    steady = found[cell_id(ROW0 + STEADY[0], COL0 + STEADY[1])]
    assert steady.kind == "persistent"
    assert steady.trend_q > 0.05
    assert not [cell for cell in found.values() if cell.kind in ("intensifying", "new", "diminishing")]


def test_a_uniform_field_has_no_emerging_hotspot() -> None:
    rng = np.random.default_rng(9)
    weekly = rng.poisson(3, (SIZE * SIZE, WEEKS))
    assert emerging_from_counts(lattice_cells(), weekly.sum(axis=1), weekly) == []


@pytest.mark.django_db
def test_through_the_database_growing_is_intensifying_and_a_last_week_burst_is_new() -> None:
    # Given noise complaints: a Poisson background of 2 a week per cell and a cell growing by 4 a week; and air
    # complaints: 30 in one cell in the last week only
    rng = np.random.default_rng(0)
    starts = week_starts(END, WEEKS)
    noise = rng.poisson(2, (SIZE * SIZE, WEEKS))
    noise[index(GROWING)] = [4 * k for k in range(WEEKS)]
    air = np.zeros((SIZE * SIZE, WEEKS), dtype=int)
    air[index(STEADY), -1] = 30

    def drafts(weekly: np.ndarray, category: str) -> list[CaseDraft]:
        made = []
        for flat, counts in enumerate(weekly):
            row, col = divmod(flat, SIZE)
            lng, lat = (COL0 + col + 0.5) * CELL_DEGREES, (ROW0 + row + 0.5) * CELL_DEGREES
            for week, count in enumerate(counts):
                for k in range(int(count)):
                    day = starts[week] + dt.timedelta(days=k % 7)
                    made.append(CaseDraft(
                        channel=Channel.HOTLINE_12345, description="投诉", latitude=lat, longitude=lng,
                        received_at=dt.datetime.combine(day, dt.time(12), tzinfo=BEIJING), category=category))
        return made

    before = CaseDraft(channel=Channel.HOTLINE_12345, description="投诉", category="noise",
                       latitude=(ROW0 + GROWING[0] + 0.5) * CELL_DEGREES,
                       longitude=(COL0 + GROWING[1] + 0.5) * CELL_DEGREES,
                       received_at=dt.datetime.combine(starts[0] - dt.timedelta(days=1), dt.time(12), tzinfo=BEIJING))
    create_cases(actor=None, drafts=[*drafts(noise, "noise"), *drafts(air, "air"), before])

    growing_cell = cell_id(ROW0 + GROWING[0], COL0 + GROWING[1])
    burst_cell = cell_id(ROW0 + STEADY[0], COL0 + STEADY[1])
    by_noise = {cell.cell: cell for cell in compute_emerging(END, weeks=WEEKS, category="noise").cells}
    by_air = compute_emerging(END, weeks=WEEKS, category="air")

    growing = by_noise[growing_cell]
    assert growing.kind == "intensifying"
    assert growing.counts == [4 * k for k in range(WEEKS)]  # the case the day before the window is left out
    assert burst_cell not in by_noise
    assert [(cell.cell, cell.kind) for cell in by_air.cells] == [(burst_cell, "new")]
    assert by_air.lattice_cells == SIZE * SIZE
    assert by_air.cases_in(burst_cell).count() == 30
    assert compute_emerging(END, weeks=WEEKS, category="water").cells == []


def test_a_cell_without_complaints_of_its_own_is_not_reported() -> None:
    # A burst in the last week makes its empty neighbours hot too (Gi* counts the 3 × 3 block), but only the cell
    # with complaints is reported
    weekly = np.zeros((SIZE * SIZE, WEEKS), dtype=int)
    weekly[index(STEADY), -1] = 30
    found = emerging_from_counts(lattice_cells(), weekly.sum(axis=1) + 1, weekly)
    assert [(cell.cell, cell.kind) for cell in found] == [(cell_id(ROW0 + STEADY[0], COL0 + STEADY[1]), "new")]
