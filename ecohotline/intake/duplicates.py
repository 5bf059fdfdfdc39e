"""Duplicates and repeats (重复件、重复投诉): earlier cases about the same thing, scored.

Candidates come from the same category within a time window (default 30 days) and a category-dependent
radius (default 300 m) around the place, plus any case from the same phone number in the window. Each is
scored from distance, text similarity, the same phone and the same polluter; the best above a threshold is
suggested as `duplicate_of` for a dispatcher to confirm.

"Earlier" means received before the case, or at the same moment and registered before it: a case never
finds the cases registered after it, and two orders of one import batch see each other once, not twice. Only real
cases count: the statements read the table itself, not `Case.objects`, so they leave out the training sandbox's
cases (情景模拟) themselves.

The lookup runs for every order taken in, so it is one or two plain SQL statements per case on the indexes
(sub_category, geo_cell, received_at), (complainant_phone, received_at) and (sub_category, street,
received_at): building the same query through the ORM costs several times what the database spends on it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from ecohotline.cases.models import Case, CaseStatus, Channel
from ecohotline.core.geo import EARTH_RADIUS_M, cells_around, distance_m
from ecohotline.core.text import text_similarity

WINDOW = dt.timedelta(days=30)
REPEAT_WINDOW = dt.timedelta(days=90)
DEFAULT_RADIUS_M = 300.0
# Some sources are heard (or smelt) from further away.
RADIUS_M = {"air.odor": 800.0, "air.industrial": 800.0, "noise.construction": 500.0, "noise.traffic": 500.0,
            "water.quality": 1000.0}
SUGGEST_AT = 0.6
REPEAT_FLAG_AT = 3  # complaints about the place in 90 days before it counts as 重复投诉
MAX_CANDIDATES = 20  # the most recent nearby cases scored (and as many from the same phone)


@dataclass
class Candidate:
    case_id: int
    score: float
    reasons: dict[str, object] = field(default_factory=dict)


@dataclass
class Lookup:
    candidates: list[Candidate]  # best first
    repeat_count: int  # complaints about the place in the 90 days up to the case, the case included


def radius_for(code: str) -> float:
    return RADIUS_M.get(code, DEFAULT_RADIUS_M)


# One row of an earlier case: what scoring needs.
Row = tuple[int, float | None, float | None, str, str, str, int | None, str]
_COLUMNS = "id, latitude, longitude, {description}, complainant_phone, polluter, street_id, sub_category"


def _table() -> str:
    return connection.ops.quote_name(Case._meta.db_table)


def _earlier(case: Case) -> tuple[str, list[Any]]:
    """SQL condition and parameters: a real case registered before `case` (see the module's docstring). Every
    statement of the lookup has it."""
    at = connection.ops.adapt_datetimefield_value(case.received_at)
    if case.pk is None:
        return "channel <> %s AND received_at <= %s", [Channel.TRAINING, at]
    return "channel <> %s AND (received_at < %s OR (received_at = %s AND id < %s))", [Channel.TRAINING, at, at,
                                                                                      case.pk]


class _Reader:
    """Runs the lookup's statements on one cursor (a batch's lookups share it)."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor
        self.table = _table()

    def select(self, columns: str, where: str, params: list[Any], limit: int | None = None) -> list[tuple]:
        sql = f"SELECT {columns} FROM {self.table} WHERE {where}"
        if limit is not None:
            sql += f" ORDER BY received_at DESC LIMIT {int(limit)}"
        self.cursor.execute(sql, params)
        return self.cursor.fetchall()


def look_up(case: Case) -> Lookup:
    """The duplicate candidates of a case (best first) and its 90-day repeat count, in one or two queries."""
    return look_up_many([case])[0]


def look_up_many(cases: list[Case]) -> list[Lookup]:
    """`look_up` for each case."""
    with connection.cursor() as cursor:
        reader = _Reader(cursor)
        return [_look_up(case, reader) for case in cases]


def _look_up(case: Case, reader: _Reader) -> Lookup:
    earlier, earlier_params = _earlier(case)
    adapt = connection.ops.adapt_datetimefield_value
    since = adapt(case.received_at - WINDOW)
    since_repeat = adapt(case.received_at - REPEAT_WINDOW)
    radius = radius_for(case.sub_category)
    rows: dict[int, Row] = {}
    repeats = 1
    if case.latitude is not None and case.longitude is not None and case.sub_category:
        # Same category, in the grid cells around the place (the index) and within the radius (computed in
        # the database on a local flat projection: under 1 m off the great-circle distance at 1 km).
        cells = cells_around(case.longitude, case.latitude, radius)
        per_degree = math.radians(EARTH_RADIUS_M)
        near = (f"sub_category = %s AND geo_cell IN ({', '.join(['%s'] * len(cells))}) "
                "AND (latitude - %s) * (latitude - %s) * %s + (longitude - %s) * (longitude - %s) * %s <= %s")
        near_params = [case.sub_category, *cells, case.latitude, case.latitude, per_degree ** 2, case.longitude,
                       case.longitude, (per_degree * math.cos(math.radians(case.latitude))) ** 2, radius ** 2]
        counted = reader.select("COUNT(*)", f"{near} AND received_at >= %s AND {earlier}",
                                [*near_params, since_repeat, *earlier_params])
        repeats += int(counted[0][0])
        # The candidates: the most recent of those in the 30-day window that are not merged.
        nearby = reader.select(
            _COLUMNS.format(description="description"),
            f"{near} AND received_at >= %s AND status <> %s AND {earlier}",
            [*near_params, since, CaseStatus.MERGED, *earlier_params], MAX_CANDIDATES,
        )
        rows.update((row[0], row) for row in nearby)
    else:
        if case.street_id and case.sub_category:
            same_street = reader.select(
                _COLUMNS.format(description="description"),
                f"sub_category = %s AND street_id = %s AND received_at >= %s AND status <> %s AND {earlier}",
                [case.sub_category, case.street_id, since, CaseStatus.MERGED, *earlier_params], MAX_CANDIDATES,
            )
            rows.update((row[0], row) for row in same_street)
        repeats += _repeats_without_place(case, reader, since_repeat, earlier, earlier_params)
    if case.complainant_phone:
        same_phone = reader.select(
            _COLUMNS.format(description="description"),
            f"complainant_phone = %s AND received_at >= %s AND status <> %s AND {earlier}",
            [case.complainant_phone, since, CaseStatus.MERGED, *earlier_params], MAX_CANDIDATES,
        )
        rows.update((row[0], row) for row in same_phone)
    scored = [score_candidate(case, row, radius) for row in rows.values()]
    return Lookup(sorted((c for c in scored if c.score > 0), key=lambda c: (-c.score, -c.case_id)), repeats)


def _repeats_without_place(case: Case, reader: _Reader, since: Any, earlier: str, params: list[Any]) -> int:
    """Earlier complaints about the same polluter, else the same address, of the category in 90 days."""
    if not case.sub_category:
        return 0
    for column, value in (("polluter", case.polluter), ("address", case.address)):
        if value:
            where = f"sub_category = %s AND {column} = %s AND received_at >= %s AND {earlier}"
            found = reader.select("COUNT(*)", where, [case.sub_category, value, since, *params])
            return int(found[0][0])
    return 0


def find_candidates(case: Case) -> list[Candidate]:
    """Earlier cases that may be the same complaint, best first (the case itself excluded)."""
    return look_up(case).candidates


def repeat_count(case: Case) -> int:
    """How many complaints the same place had in the 90 days up to this one (this one included)."""
    return look_up(case).repeat_count


def score_candidate(case: Case, row: Row, radius: float) -> Candidate:
    """How likely the earlier case in `row` is a duplicate of `case`: distance within `radius`, same phone,
    same polluter, similar words (the demo scores its own candidates with it too)."""
    pk, lat, lng, description, phone, polluter, street_id, sub_category = row
    reasons: dict[str, object] = {}
    score = 0.0
    if lat is not None and lng is not None and case.latitude is not None and case.longitude is not None:
        metres = distance_m(case.longitude, case.latitude, lng, lat)
        reasons["distance_m"] = round(metres)
        if metres <= radius:
            score += 0.35 * (1 - metres / radius)
    elif street_id and street_id == case.street_id:
        reasons["same_street"] = True
        score += 0.15
    similarity = text_similarity(case.description, description or "")
    reasons["text_similarity"] = round(similarity, 3)
    score += 0.35 * similarity
    if sub_category == case.sub_category:
        score += 0.1
    if case.complainant_phone and phone == case.complainant_phone:
        reasons["same_phone"] = True
        score += 0.25
    if case.polluter and polluter and case.polluter == polluter:
        reasons["same_polluter"] = True
        score += 0.15
    return Candidate(pk, round(min(score, 1.0), 3), reasons)
