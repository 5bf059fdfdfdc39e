"""Reads of the key units registry (重点单位台账): which registered unit a case is about (the triage suggestion),
the registry list with its complaint counts, and one unit's complaint, inspection and measurement history."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from ecohotline.cases.measurements import verdict_outcome
from ecohotline.cases.models import Case, Inspection, Measurement
from ecohotline.core import geo
from ecohotline.core.gazetteer import normalise as nfkc
from ecohotline.insight.models import KeyUnit, KeyUnitCase, LinkHow

# A unit within this distance of the case's point is a candidate by place.
NEAR_M = 300.0
# A name match farther than this (when both have a point) is another branch of the same name, not this unit.
FAR_M = 1000.0
# The weights of the suggestion score (at most 1): place, name, street.
PLACE_WEIGHT = 0.5
NAME_WEIGHT = 0.4
STREET_WEIGHT = 0.1
# Links that count as the unit's complaints (a suggestion waits for the dispatcher).
COUNTED_LINKS = (LinkHow.CONFIRMED, LinkHow.MANUAL)

_LEGAL_SUFFIXES = re.compile(r"(有限责任公司|股份有限公司|有限公司|分公司|公司|\(.*?\)|（.*?）)$")
_PUNCTUATION = re.compile(r"[\s\-_·•.,，。、:：;；!！?？\"'“”‘’()（）\[\]【】]+")


def normalise(text: str) -> str:
    """The text as names are compared: NFKC, lower case, without spaces and punctuation."""
    return _PUNCTUATION.sub("", nfkc(text).lower())


def name_forms(unit: KeyUnit) -> list[str]:
    """The normalised names a complaint may call the unit by: its name, its name without the legal suffix
    (有限公司...), and its aliases; none shorter than two characters."""
    forms = [unit.name, _LEGAL_SUFFIXES.sub("", unit.name.strip()), *unit.alias_list]
    result = []
    for form in forms:
        text = normalise(form)
        if len(text) >= 2 and text not in result:
            result.append(text)
    return result


@dataclass
class KeyUnitSuggestion:
    """A registered unit the case may be about, with why: the distance, the name found in the text, the street."""

    key_unit: KeyUnit
    score: float
    distance_m: float | None = None
    matched_name: str = ""
    same_street: bool = False


def _case_text(case: Case) -> str:
    return normalise(" ".join((case.polluter, case.title, case.description, case.address)))


def suggest_key_units(case: Case, limit: int = 3) -> list[KeyUnitSuggestion]:
    """The registered active units the case is most likely about, best first: within 300 m of its point, named
    (name or alias) in its polluter, title, description or address, in the same street. A unit is suggested only
    when it is near or named; a named unit more than 1 km from the case's point is another branch and left out.
    Units already linked to the case are left out."""
    has_point = case.latitude is not None and case.longitude is not None
    linked = set(KeyUnitCase.objects.filter(case=case, how__in=COUNTED_LINKS).values_list("key_unit_id", flat=True))
    units = KeyUnit.objects.filter(is_active=True).exclude(pk__in=linked).select_related("street", "team")
    text = _case_text(case)
    result = []
    for unit in units:
        distance = None
        if has_point and unit.latitude is not None and unit.longitude is not None:
            assert case.latitude is not None and case.longitude is not None
            distance = geo.distance_m(case.longitude, case.latitude, unit.longitude, unit.latitude)
        matched = next((form for form in name_forms(unit) if form in text), "") if text else ""
        near = distance is not None and distance <= NEAR_M
        if not near and not matched:
            continue
        if distance is not None and distance > FAR_M:
            continue
        same_street = case.street_id is not None and unit.street_id == case.street_id
        score = (PLACE_WEIGHT * (1 - distance / NEAR_M) if near and distance is not None else 0.0)
        score += NAME_WEIGHT if matched else 0.0
        score += STREET_WEIGHT if same_street else 0.0
        result.append(KeyUnitSuggestion(unit, round(score, 3), None if distance is None else round(distance, 1),
                                        matched, same_street))
    result.sort(key=lambda s: (-s.score, s.distance_m if s.distance_m is not None else 1e9, s.key_unit.pk))
    return result[:limit]


def links_of_case(case: Case) -> QuerySet[KeyUnitCase]:
    """The units the case is linked to (confirmed or by hand)."""
    return (KeyUnitCase.objects.filter(case=case, how__in=COUNTED_LINKS)
            .select_related("key_unit", "confirmed_by").order_by("pk"))


# --- the registry ------------------------------------------------------------------------------------------


FLAGS = {"industry": "is_key_industry", "area": "is_key_area", "unit": "is_key_unit"}


def key_units(*, flag: str = "", industry: str = "", street: Any = None, query: str = "",
              include_inactive: bool = False) -> QuerySet[KeyUnit]:
    """The registry filtered by flag (industry/area/unit), industry code (prefix), street and name, each unit
    with `complaints`: the cases linked to it (confirmed or by hand)."""
    units = KeyUnit.objects.select_related("street", "team")
    if not include_inactive:
        units = units.filter(is_active=True)
    if flag in FLAGS:
        units = units.filter(**{FLAGS[flag]: True})
    if industry:
        units = units.filter(industry_code__startswith=industry.strip().upper())
    if street is not None:
        units = units.filter(street=street)
    if query:
        units = units.filter(Q(name__icontains=query) | Q(aliases__icontains=query) | Q(address__icontains=query))
    return units.annotate(complaints=Count("case_links", filter=Q(case_links__how__in=COUNTED_LINKS))).order_by(
        "name", "pk")


@dataclass
class KeyUnitHistory:
    """One unit's record: its linked complaint cases, complaints per month, and the inspections and measurements of
    those cases (measurements with the standard's verdict)."""

    links: list[KeyUnitCase]
    by_month: list[tuple[str, int]]
    inspections: list[Inspection]
    measurements: list[Measurement]
    outcomes: dict[int, str] = field(default_factory=dict)

    @property
    def exceedances(self) -> int:
        return sum(1 for outcome in self.outcomes.values() if outcome == "exceeds")


def _month(value: dt.datetime) -> str:
    return f"{timezone.localtime(value):%Y-%m}"


def key_unit_history(unit: KeyUnit) -> KeyUnitHistory:
    links = list(KeyUnitCase.objects.filter(key_unit=unit, how__in=COUNTED_LINKS)
                 .select_related("case", "case__handling_unit", "confirmed_by").order_by("-case__received_at"))
    case_ids = [link.case_id for link in links]
    counts = Counter(_month(link.case.received_at) for link in links)
    by_month = sorted(counts.items())
    inspections = list(Inspection.objects.filter(case_id__in=case_ids).select_related("case").order_by("-at"))
    measurements = list(Measurement.objects.filter(case_id__in=case_ids).select_related("case")
                        .order_by("-measured_at"))
    outcomes = {m.pk: verdict_outcome(m.verdict) for m in measurements}
    return KeyUnitHistory(links, by_month, inspections, measurements, outcomes)
