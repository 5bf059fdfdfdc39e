"""Route: the suggested handling unit (routing rules, key units) and leader (包片 area) of a case."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ecohotline.intake.models import KeyUnit, RoutingRule
from ecohotline.org.models import OrgUnit, User
from ecohotline.org.selectors import leader_for_street


@dataclass
class Route:
    unit: OrgUnit | None
    leader: User | None
    confidence: float
    reason: str

    def as_payload(self) -> dict[str, object]:
        return {"unit": self.unit.pk if self.unit else None, "unit_name": self.unit.name if self.unit else "",
                "leader": self.leader.pk if self.leader else None, "confidence": round(self.confidence, 3),
                "reason": self.reason}


def _rule_score(rule: RoutingRule, code: str, street_id: int | None) -> int | None:
    """How specific a matching rule is, or None when it does not match."""
    if rule.category and not (code == rule.category or code.startswith(rule.category + ".")):
        return None
    if rule.street_id is not None and rule.street_id != street_id:
        return None
    return (2 if rule.street_id else 0) + (len(rule.category.split(".")) if rule.category else 0)


def route(*, text: str, code: str, street: OrgUnit | None, classification_confidence: float,
          rules: list[RoutingRule], key_units: list[KeyUnit],
          leaders: Mapping[int, User | None] | None = None) -> Route:
    """`leaders`: the 包片 leader of each street when the caller has read them already."""
    if leaders is not None:
        leader = leaders.get(street.pk) if street is not None else None
    else:
        leader = leader_for_street(street)
    for key_unit in key_units:
        words = [word for word in key_unit.keyword_list if word in text]
        if words:
            return Route(key_unit.unit, leader, 0.95, f"重点单位“{key_unit.name}”（{'、'.join(words)}）")
    best: tuple[int, RoutingRule] | None = None
    for rule in rules:
        score = _rule_score(rule, code, street.pk if street else None)
        if score is not None and (best is None or score > best[0]):
            best = (score, rule)
    if best is None:
        return Route(None, leader, 0.0, "没有适用的分派规则")
    rule = best[1]
    where = f"{rule.street.name}的" if rule.street_id and rule.street else ""
    what = rule.category or "全部类别"
    confidence = classification_confidence * (1.0 if rule.street_id else 0.9)
    return Route(rule.unit, leader, confidence, f"分派规则：{where}{what} → {rule.unit.name}")
