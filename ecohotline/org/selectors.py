"""Reads about the organisation."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ecohotline.org.models import LeaderArea, OrgUnit, ResponsibilityEntry, Role, User


def unit_and_descendants(unit: OrgUnit) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(path__startswith=unit.path)


def unit_heads_of(unit: OrgUnit) -> QuerySet[User]:
    """The heads of a unit, or of its nearest ancestor that has one."""
    ancestor_ids = [int(pk) for pk in unit.path.strip("/").split("/") if pk]
    for pk in reversed(ancestor_ids):
        heads = User.objects.filter(unit_id=pk, is_active=True, role_assignments__role=Role.UNIT_HEAD)
        if heads.exists():
            return heads
    return User.objects.none()


def leaders_by_street() -> dict[int, User]:
    """Every street's 包片 leader (as `leader_for_street` picks it), in two queries."""
    leaders: dict[int, User] = {}
    areas = LeaderArea.objects.select_related("leader").prefetch_related("streets").order_by("-pk")
    for area in areas:  # the area with the lowest id wins, as in `leader_for_street`
        for street in area.streets.all():
            leaders[street.pk] = area.leader
    return leaders


def leader_for_street(street: OrgUnit | None) -> User | None:
    """The leader whose 包片 area includes this street or town."""
    if street is None:
        return None
    area = LeaderArea.objects.filter(streets=street).select_related("leader").order_by("pk").first()
    return area.leader if area else None


ResponsibilityMatrix = dict[str, list[dict[str, Any]]]


def responsibility_matrix() -> ResponsibilityMatrix:
    """The active lines of the 权责清单 by category code, in order (one query): what triage reads."""
    matrix: ResponsibilityMatrix = {}
    for entry in ResponsibilityEntry.objects.filter(is_active=True).order_by("subject", "position", "pk"):
        matrix.setdefault(entry.subject, []).append({
            "when_any": entry.word_list, "decision": entry.decision, "department": entry.department,
            "reason": entry.reason, "legal_basis": entry.legal_basis,
        })
    return matrix
