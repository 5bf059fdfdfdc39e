"""Duplicates and repeats (重复件、重复投诉): earlier cases about the same thing, scored.

Candidates come from the same category within a time window (default 30 days) and a category-dependent
radius (default 300 m) around the place, plus any case from the same phone number in the window. Each is
scored from distance, text similarity, the same phone and the same polluter; the best above a threshold is
suggested as `duplicate_of` for a dispatcher to confirm.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ecohotline.cases.models import Case, CaseStatus
from ecohotline.core.geo import cells_around, distance_m

WINDOW = dt.timedelta(days=30)
REPEAT_WINDOW = dt.timedelta(days=90)
DEFAULT_RADIUS_M = 300.0
# Some sources are heard (or smelt) from further away.
RADIUS_M = {"air.odor": 800.0, "air.industrial": 800.0, "noise.construction": 500.0, "noise.traffic": 500.0,
            "water.quality": 1000.0}
SUGGEST_AT = 0.6
REPEAT_FLAG_AT = 3  # complaints about the place in 90 days before it counts as 重复投诉
MAX_CANDIDATES = 200


@dataclass
class Candidate:
    case_id: int
    score: float
    reasons: dict[str, object] = field(default_factory=dict)


def radius_for(code: str) -> float:
    return RADIUS_M.get(code, DEFAULT_RADIUS_M)


def _bigrams(text: str) -> set[str]:
    text = "".join(ch for ch in text if not ch.isspace())
    return {text[i: i + 2] for i in range(len(text) - 1)}


def text_similarity(a: str, b: str) -> float:
    """Jaccard similarity of character bigrams (robust for Chinese without word segmentation)."""
    left, right = _bigrams(a), _bigrams(b)
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def find_candidates(case: Case) -> list[Candidate]:
    """Earlier cases that may be the same complaint, best first (the case itself excluded)."""
    start = case.received_at - WINDOW
    base = Case.objects.filter(received_at__gte=start, received_at__lte=case.received_at).exclude(pk=case.pk)
    base = base.exclude(status=CaseStatus.MERGED)
    fields = ("pk", "latitude", "longitude", "description", "complainant_phone", "polluter", "street_id",
              "sub_category")
    rows: dict[int, tuple] = {}
    radius = radius_for(case.sub_category)
    if case.latitude is not None and case.longitude is not None and case.sub_category:
        near = base.filter(sub_category=case.sub_category,
                           geo_cell__in=cells_around(case.longitude, case.latitude, radius))
        for row in near.values_list(*fields)[:MAX_CANDIDATES]:
            rows[row[0]] = row
    elif case.street_id and case.sub_category:
        same_street = base.filter(sub_category=case.sub_category, street_id=case.street_id)
        for row in same_street.values_list(*fields)[:MAX_CANDIDATES]:
            rows[row[0]] = row
    if case.complainant_phone:
        for row in base.filter(complainant_phone=case.complainant_phone).values_list(*fields)[:MAX_CANDIDATES]:
            rows[row[0]] = row
    scored = [_score(case, row, radius) for row in rows.values()]
    return sorted((c for c in scored if c.score > 0), key=lambda c: -c.score)


def _score(case: Case, row: tuple, radius: float) -> Candidate:
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


def repeat_count(case: Case) -> int:
    """How many complaints the same place had in the 90 days up to this one (this one included)."""
    start = case.received_at - REPEAT_WINDOW
    base = Case.objects.filter(received_at__gte=start, received_at__lte=case.received_at,
                               sub_category=case.sub_category)
    if case.latitude is not None and case.longitude is not None:
        radius = radius_for(case.sub_category)
        near = base.filter(geo_cell__in=cells_around(case.longitude, case.latitude, radius))
        return len([
            1 for lng, lat in near.values_list("longitude", "latitude")
            if lng is not None and lat is not None and distance_m(case.longitude, case.latitude, lng, lat) <= radius
        ])
    if case.polluter:
        return base.filter(polluter=case.polluter).count()
    if case.address:
        return base.filter(address=case.address).count()
    return 1
