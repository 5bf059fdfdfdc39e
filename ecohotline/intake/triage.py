"""The triage pipeline (分拣): place → classify → remit check → duplicates and repeats → route. Each step's
result and its reason go into one `triaged` event on the case's timeline; the suggestions wait for a
dispatcher (one click to accept)."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.utils import timezone

from ecohotline.cases import services as case_services
from ecohotline.cases.models import Case
from ecohotline.intake import duplicates
from ecohotline.intake.classify import Classification, classify
from ecohotline.intake.models import KeyUnit, RoutingRule, Suggestion, TriageSuggestion
from ecohotline.intake.orders import OrderInput
from ecohotline.intake.place import Placement, Placer, placer_for
from ecohotline.intake.remit import RemitDecision, check_remit
from ecohotline.intake.routing import Route, route
from ecohotline.org.models import PLACE_KINDS, OrgUnit, User
from ecohotline.org.selectors import ResponsibilityMatrix, leaders_by_street, responsibility_matrix

NIGHT_HOURS = frozenset({22, 23, 0, 1, 2, 3, 4, 5})
HINT_WORDS = {
    "night": ("夜间", "晚上", "深夜", "凌晨", "半夜", "睡不着"),
    "health": ("头晕", "恶心", "呼吸", "咳嗽", "过敏", "头疼", "头痛", "病人"),
    "children": ("孩子", "小孩", "婴儿", "学生", "高考", "中考", "幼儿园", "学校"),
    "repeated": ("多次", "反复", "一直", "屡次", "再次", "又"),
}


@dataclass
class TriageContext:
    """What triage needs from the database, read once per import run or batch."""

    streets: list[OrgUnit]
    rules: list[RoutingRule]
    key_units: list[KeyUnit]
    leaders: dict[int, User] = field(default_factory=dict)  # street → its 包片 leader
    matrix: ResponsibilityMatrix | None = None  # the 权责清单; None reads it per order


    @classmethod
    def load(cls) -> TriageContext:
        return cls(
            streets=list(OrgUnit.objects.filter(kind__in=PLACE_KINDS, is_active=True)),
            rules=list(RoutingRule.objects.filter(is_active=True).select_related("unit", "street")),
            key_units=list(KeyUnit.objects.filter(is_active=True).select_related("unit")),
            leaders=leaders_by_street(),
            matrix=responsibility_matrix(),
        )

    @functools.cached_property
    def placer(self) -> Placer:
        return placer_for(self.streets)

    def street(self, pk: int) -> OrgUnit | None:
        return next((street for street in self.streets if street.pk == pk), None)


@dataclass
class Triage:
    place: Placement
    category: Classification
    remit: RemitDecision
    urgency: str
    hints: list[str]
    route: Route
    candidates: list[duplicates.Candidate] = field(default_factory=list)
    repeat_count: int = 1

    @property
    def tags(self) -> list[str]:
        tags = [f"hint:{hint}" for hint in self.hints]
        if not self.place.placed:
            tags.append("unplaced")
        if self.repeat_count >= duplicates.REPEAT_FLAG_AT:
            tags.append("repeated")
        return tags

    def as_payload(self) -> dict[str, Any]:
        return {
            "place": self.place.as_payload(),
            "classify": self.category.as_payload(),
            "remit": self.remit.as_payload(),
            "hints": self.hints,
            "duplicates": [{"case": c.case_id, "score": c.score, "reasons": c.reasons} for c in self.candidates[:5]],
            "repeat_count_90d": self.repeat_count,
            "repeated": self.repeat_count >= duplicates.REPEAT_FLAG_AT,
            "route": self.route.as_payload(),
        }


def urgency_hints(order: OrderInput) -> list[str]:
    text = f"{order.title} {order.description}"
    hints = [hint for hint, words in HINT_WORDS.items() if any(word in text for word in words)]
    local_hour = timezone.localtime(order.received_at).hour
    if "night" not in hints and local_hour in NIGHT_HOURS:
        hints.insert(0, "night")
    return hints


def triage_order(order: OrderInput, context: TriageContext) -> Triage:
    """The steps that run before the case exists: place, classify, remit, route. What the person entering
    the order already gave (the street, the sub-category) is kept, and the reason says so."""
    text = f"{order.title} {order.description}"
    place = context.placer.place(order, context.streets)
    given_street = context.street(order.street_id) if order.street_id is not None else None
    if given_street is not None:
        place = replace(place, placed=True, street=given_street, community=order.community or place.community,
                        decided_by="given", reason=f"登记时指定：{given_street.name}")
    elif order.community:
        place = replace(place, community=order.community)
    if order.sub_category:
        category = Classification(order.sub_category, 1.0, [], "登记时指定", "given")
    else:
        category = classify(text)
    remit = check_remit(text, category.code, classification=category, matrix=context.matrix)
    suggested = route(text=f"{text} {order.address}", code=category.code, street=place.street,
                      classification_confidence=category.confidence, rules=context.rules,
                      key_units=context.key_units, leaders=context.leaders)
    return Triage(place, category, remit, order.urgency, urgency_hints(order), suggested)


def look_for_duplicates(cases: list[Case], triages: list[Triage]) -> None:
    """Duplicates and repeats: earlier cases like each of these (run once the cases exist)."""
    for triage, found in zip(triages, duplicates.look_up_many(cases), strict=True):
        triage.candidates = found.candidates
        triage.repeat_count = found.repeat_count


def suggestions(case: Case, triage: Triage, payload: Any) -> tuple[dict[str, Any],
                                                                              list[dict[str, Any]]]:
    """The rows (attname → value) that wait for a dispatcher: the `TriageSuggestion` (with `payload`, the
    triage's `as_payload()`, as its reasons) and the likely `DuplicateSuggestion`s."""
    route, remit = triage.route, triage.remit
    suggestion = {
        "case_id": case.pk, "unit_id": route.unit.pk if route.unit else None,
        "leader_id": route.leader.pk if route.leader else None, "confidence": route.confidence,
        "remit": remit.decision, "department": remit.department, "repeat_count_90d": triage.repeat_count,
        "reasons": payload,
    }
    likely = [c for c in triage.candidates if c.score >= duplicates.SUGGEST_AT][:3]
    return suggestion, [{"case_id": case.pk, "candidate_id": c.case_id, "score": c.score, "reasons": c.reasons}
                        for c in likely]


def should_auto_dispatch(triage: Triage) -> bool:
    """Whether the bureau's threshold lets the intake dispatch the case itself."""
    threshold = settings.AUTO_DISPATCH_CONFIDENCE
    return (triage.route.unit is not None and triage.remit.decision == "keep" and triage.place.placed
            and not math.isnan(threshold) and triage.route.confidence >= threshold)


def auto_dispatch(case: Case, triage: Triage) -> None:
    suggestion = triage.route
    assert suggestion.unit is not None
    case_services.auto_dispatch_case(case=case, unit=suggestion.unit, leader=suggestion.leader,
                                     confidence=suggestion.confidence, reason=suggestion.reason)
    TriageSuggestion.objects.filter(case=case).update(status=Suggestion.ACCEPTED)
