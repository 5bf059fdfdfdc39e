"""Similar past cases (相似案例): the closed cases most like a case, with how each was handled and how it ended,
so that a handler sees what worked before (the inspection, the measurements and their verdicts, the reply, the
return visit's 回访 outcome).

Candidates are closed cases (not merged into another) of the same sub-category, received before the case, either
within `RADIUS_M` of it (the grid cells and the circle around the place: the index on sub_category, geo_cell,
received_at, latitude, longitude) or, in the same street, about the same polluter or address (the index on
sub_category, street, received_at). A case without a sub-category, or whose sub-category finds too few, is compared
with the whole category. Only the most recent `MAX_CANDIDATES` ids near the place and `SAME_SOURCE_CANDIDATES` in
the street are read from the indexes, and only their rows from the table, so the cost is bounded however many cases
the district has; the scoring reuses the duplicate lookup's measures (character-bigram similarity, distance).

The score adds up text similarity, closeness, the same polluter or address, the same sub-category and the same
channel and kind; its parts are returned as the reasons, so that the handler sees why a case came up. The best are
then filtered to those the viewer may open (`cases.access.visible_cases`) and loaded with their records in a fixed
number of queries, whatever their number. Free texts are masked as the case page masks them for the viewer.
"""

from __future__ import annotations

import functools
import math
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from ecohotline.cases import access, measurements
from ecohotline.cases.models import (
    Case,
    CaseStatus,
    Channel,
    Inspection,
    Measurement,
    Rectification,
    Reply,
    Satisfaction,
)
from ecohotline.cases.selectors import category_label, category_labels
from ecohotline.core.geo import EARTH_RADIUS_M, cells_around, distance_m
from ecohotline.core.text import text_similarity
from ecohotline.org.models import User

RADIUS_M = 500.0  # "near": the circle around the place searched, and the distance the closeness score decays over
MAX_CANDIDATES = 1000  # the most recent earlier cases near the place considered
SAME_SOURCE_CANDIDATES = 300  # and in the street, of which those about the same polluter or address
WIDEN_BELOW = 20  # fewer candidates of the sub-category than this: compare with the whole category too
TOP = 5
SHORTLIST = 50  # the best scored, of which the first TOP the viewer may open are shown
MIN_SCORE = 0.2

WEIGHTS = {"text": 0.45, "distance": 0.2, "same_street": 0.1, "same_polluter": 0.1, "same_address": 0.05,
           "same_sub_category": 0.1, "same_channel": 0.05, "same_kind": 0.05}

# One candidate row: what scoring needs.
Row = tuple[int, float | None, float | None, str, str, str, int | None, str, str, str]
_COLUMNS = "id, latitude, longitude, description, polluter, address, street_id, sub_category, channel, kind"


@dataclass
class Scored:
    case_id: int
    score: float
    reasons: dict[str, Any] = field(default_factory=dict)


@dataclass
class MeasurementLine:
    kind: str
    measured_at: Any
    values: str
    verdict: str
    outcome: str  # compliant, exceeds, remeasure or ""


@dataclass
class SimilarCase:
    """One similar past case as the viewer may see it."""

    case: Case
    score: float
    reasons: dict[str, Any]
    category: str
    title: str
    description: str
    findings: list[str]
    measurements: list[MeasurementLine]
    rectifications: list[str]
    reply: str
    satisfaction: str  # the deciding return visit's answer, in words


@functools.lru_cache(maxsize=8192)
def _normal(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split()).lower()


def _sub_categories(case: Case) -> list[str]:
    """The sub-categories of the case's category (its own first), and "" for cases given only the category."""
    if not case.category:
        return [case.sub_category] if case.sub_category else []
    prefix = case.category + "."
    codes = sorted(code for code in category_labels() if code.startswith(prefix))
    return ["", *codes]


class _Reader:
    """The candidate statements of one case, in two steps: the ids of the most recent earlier cases near it or in its
    street, read from an index alone (ORDER BY received_at DESC LIMIT: bounded however many cases a place has);
    then the rows of those ids that are real, closed and not merged."""

    def __init__(self, cursor: Any, case: Case) -> None:
        self.cursor = cursor
        self.table = connection.ops.quote_name(Case._meta.db_table)
        at = connection.ops.adapt_datetimefield_value(case.received_at)
        # Received before the case, or at the same moment and registered before it (as the duplicate lookup).
        self.earlier = "(received_at < %s OR (received_at = %s AND id < %s))"
        self.earlier_params: list[Any] = [at, at, case.pk or 0]

    def ids(self, where: str, params: list[Any], limit: int) -> list[int]:
        self.cursor.execute(f"SELECT id FROM {self.table} WHERE {where} AND {self.earlier} "
                            f"ORDER BY received_at DESC LIMIT {int(limit)}", [*params, *self.earlier_params])
        return [row[0] for row in self.cursor.fetchall()]

    def rows(self, ids: list[int], category: str = "") -> list[Row]:
        if not ids:
            return []
        # Real cases only: the statements read the table, not `Case.objects`, which leaves training cases out.
        where = f"id IN ({', '.join(['%s'] * len(ids))}) AND status = %s AND parent_id IS NULL AND channel <> %s"
        params: list[Any] = [*ids, CaseStatus.CLOSED, Channel.TRAINING]
        if category:
            where += " AND category = %s"
            params.append(category)
        self.cursor.execute(f"SELECT {_COLUMNS} FROM {self.table} WHERE {where}", params)
        return self.cursor.fetchall()


def _candidates(case: Case, reader: _Reader, codes: list[str], category: str = "") -> dict[int, Row]:
    """Closed earlier cases of the sub-categories `codes`: near the place, or in the street about the same polluter
    or address (any in the street when the case has no coordinates)."""
    in_codes = f"sub_category IN ({', '.join(['%s'] * len(codes))})"
    lat, lng = case.latitude, case.longitude
    has_place = lat is not None and lng is not None
    near: list[int] = []
    if lat is not None and lng is not None:
        # The grid cells around the place, then the circle on a local flat projection (as the duplicate lookup
        # does): all read from the index on sub_category, geo_cell, received_at, latitude, longitude.
        cells = cells_around(lng, lat, RADIUS_M)
        per_degree = math.radians(EARTH_RADIUS_M)
        where = (f"{in_codes} AND geo_cell IN ({', '.join(['%s'] * len(cells))}) "
                 "AND (latitude - %s) * (latitude - %s) * %s + (longitude - %s) * (longitude - %s) * %s <= %s")
        near = reader.ids(where, [*codes, *cells, lat, lat, per_degree ** 2, lng, lng,
                                  (per_degree * math.cos(math.radians(lat))) ** 2, RADIUS_M ** 2], MAX_CANDIDATES)
    street: list[int] = []
    if case.street_id and (not has_place or case.polluter or case.address):
        street = reader.ids(f"{in_codes} AND street_id = %s", [*codes, case.street_id],
                            SAME_SOURCE_CANDIDATES if has_place else MAX_CANDIDATES)
    near_ids = set(near)
    rows: dict[int, Row] = {}
    polluter, address = _normal(case.polluter), _normal(case.address)
    for row in reader.rows(list(near_ids.union(street)), category):
        # From the street (not near), only those about the same polluter or address when the case has a place.
        if row[0] in near_ids or not has_place or (polluter and _normal(row[4]) == polluter) or (
                address and _normal(row[5]) == address):
            rows[row[0]] = row
    return rows


def candidate_rows(case: Case) -> dict[int, Row]:
    """The closed earlier cases worth scoring for `case`, by id (three plain statements on indexes; five when the
    sub-category finds few and the whole category is searched)."""
    with connection.cursor() as cursor:
        reader = _Reader(cursor, case)
        rows: dict[int, Row] = {}
        if case.sub_category:
            rows = _candidates(case, reader, [case.sub_category])
        if (not case.sub_category or len(rows) < WIDEN_BELOW) and case.category:
            codes = [code for code in _sub_categories(case) if code != case.sub_category]
            if codes:
                rows.update(_candidates(case, reader, codes, case.category))
        rows.pop(case.pk or 0, None)
        return rows


def score_row(case: Case, row: Row) -> Scored:
    """How like `case` the closed case in `row` is, with the parts of the score as reasons."""
    pk, lat, lng, description, polluter, address, street_id, sub_category, channel, kind = row
    reasons: dict[str, Any] = {}
    score = 0.0
    if lat is not None and lng is not None and case.latitude is not None and case.longitude is not None:
        metres = distance_m(case.longitude, case.latitude, lng, lat)
        reasons["distance_m"] = round(metres)
        if metres <= RADIUS_M:
            score += WEIGHTS["distance"] * (1 - metres / RADIUS_M)
    elif street_id and street_id == case.street_id:
        reasons["same_street"] = True
        score += WEIGHTS["same_street"]
    similarity = text_similarity(case.description, description or "")
    reasons["text_similarity"] = round(similarity, 3)
    score += WEIGHTS["text"] * similarity
    if case.polluter and polluter and _normal(polluter) == _normal(case.polluter):
        reasons["same_polluter"] = True
        score += WEIGHTS["same_polluter"]
    if case.address and address and _normal(address) == _normal(case.address):
        reasons["same_address"] = True
        score += WEIGHTS["same_address"]
    if case.sub_category and sub_category == case.sub_category:
        reasons["same_sub_category"] = True
        score += WEIGHTS["same_sub_category"]
    if channel == case.channel:
        reasons["same_channel"] = True
        score += WEIGHTS["same_channel"]
    if kind == case.kind:
        score += WEIGHTS["same_kind"]
    return Scored(pk, round(min(score, 1.0), 3), reasons)


def rank(case: Case) -> list[Scored]:
    """Every candidate of `case` scoring at least MIN_SCORE, best first (the more recent first on a tie)."""
    scored = (score_row(case, row) for row in candidate_rows(case).values())
    return sorted((item for item in scored if item.score >= MIN_SCORE), key=lambda item: (-item.score, -item.case_id))


def similar_cases(case: Case, user: User, *, limit: int = TOP) -> list[SimilarCase]:
    """The closed cases most similar to `case` that `user` may open, best first, each with its handling and
    outcome: the candidate statements plus five queries (the cases, inspections, measurements, rectifications
    and final replies), whatever the number shown."""
    shortlist = rank(case)[:SHORTLIST]
    if not shortlist:
        return []
    order = {item.case_id: index for index, item in enumerate(shortlist)}
    visible = access.visible_cases(user, Case.objects.filter(pk__in=list(order)))
    cases = sorted(visible.select_related("handling_unit", "street"), key=lambda c: order[c.pk])[:limit]
    if not cases:
        return []
    ids = [c.pk for c in cases]
    findings: dict[int, list[str]] = {}
    for inspection in Inspection.objects.filter(case_id__in=ids).order_by("at", "pk"):
        findings.setdefault(inspection.case_id, []).append(inspection.findings)
    measured: dict[int, list[Measurement]] = {}
    for measurement in Measurement.objects.filter(case_id__in=ids).order_by("measured_at", "pk"):
        measured.setdefault(measurement.case_id, []).append(measurement)
    rectified: dict[int, list[str]] = {}
    for rectification in Rectification.objects.filter(case_id__in=ids).order_by("pk"):
        rectified.setdefault(rectification.case_id, []).append(rectification.requirement)
    replies: dict[int, str] = {}
    for reply in Reply.objects.filter(case_id__in=ids, final=True).order_by("at", "pk"):
        replies[reply.case_id] = reply.text  # the latest final reply wins
    scores = {item.case_id: item for item in shortlist}
    result = []
    for similar in cases:
        shows = access.can_see_complainant(user, similar)

        def redact(text: str, similar: Case = similar, shows: bool = shows) -> str:
            return text if shows else access.mask_complainant(similar, text)

        result.append(SimilarCase(
            case=similar, score=scores[similar.pk].score, reasons=scores[similar.pk].reasons,
            category=category_label(similar.sub_category or similar.category),
            title=redact(similar.title), description=redact(similar.description),
            findings=[redact(text) for text in findings.get(similar.pk, [])],
            measurements=[MeasurementLine(
                kind=m.kind, measured_at=m.measured_at, values=measurements.describe_values(m.kind, m.values),
                verdict=measurements.describe_verdict(m.verdict), outcome=measurements.verdict_outcome(m.verdict),
            ) for m in measured.get(similar.pk, [])],
            rectifications=[redact(text) for text in rectified.get(similar.pk, [])],
            reply=redact(replies.get(similar.pk, "")),
            satisfaction=str(Satisfaction(similar.visit_satisfaction).label)
            if similar.visit_satisfaction in Satisfaction.values else (similar.visit_satisfaction or ""),
        ))
    return result


def reasons_in_words(reasons: dict[str, Any]) -> list[str]:
    """Why a case came up, in the reader's language: `text 83% alike`, `120 m away`, `same polluter`…"""
    words = []
    if reasons.get("text_similarity"):
        words.append(_("text %(percent)s%% alike") % {"percent": round(100 * float(reasons["text_similarity"]))})
    if reasons.get("distance_m") is not None:
        words.append(_("%(metres)s m away") % {"metres": reasons["distance_m"]})
    if reasons.get("same_street"):
        words.append(_("same street"))
    if reasons.get("same_polluter"):
        words.append(_("same polluter"))
    if reasons.get("same_address"):
        words.append(_("same address"))
    if reasons.get("same_sub_category"):
        words.append(_("same sub-category"))
    if reasons.get("same_channel"):
        words.append(_("same channel"))
    return words
