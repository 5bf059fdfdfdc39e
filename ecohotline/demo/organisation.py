"""Create (or bring up to date) the demo district's organisation: units, staff, roles and 包片 areas.

Idempotent: units are matched by `code`, people by `username`, areas by name, so running it twice changes
nothing and duplicates nothing. Demo accounts get `DEMO_PASSWORD` again on every run.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from ecohotline.demo.people import DEMO_PASSWORD, LEADER_AREAS, STAFF, UNITS
from ecohotline.demo.places import PLACES
from ecohotline.org.models import LeaderArea, OrgUnit, Role, RoleAssignment, User


@dataclass(frozen=True)
class OrganisationSummary:
    units: int
    places: int
    staff: int
    areas: int


@transaction.atomic
def build_organisation(password: str = DEMO_PASSWORD) -> OrganisationSummary:
    """Create or update every demo unit, account, role and leader's area."""
    units: dict[str, OrgUnit] = {}
    for spec in UNITS:
        parent = units[spec.parent] if spec.parent else None
        unit = OrgUnit.objects.filter(code=spec.code).first()
        if unit is None:
            unit = OrgUnit(code=spec.code)
        if (unit.pk is None or unit.name != spec.name or unit.kind != spec.kind
                or unit.parent_id != (parent.pk if parent else None) or not unit.is_active):
            unit.name, unit.kind, unit.parent, unit.is_active = spec.name, spec.kind, parent, True
            unit.save()  # OrgUnit.save keeps the materialised path right
        units[spec.code] = unit

    # One hash for every account: hashing is deliberately slow and the demo password is shared anyway.
    password_hash = make_password(password)
    people: dict[str, User] = {}
    for staff in STAFF:
        is_admin = staff.role == Role.ADMIN
        user, _created = User.objects.update_or_create(
            username=staff.username,
            defaults={
                "display_name": staff.display_name, "unit": units[staff.unit], "phone": staff.phone,
                "is_active": True, "is_staff": is_admin, "is_superuser": is_admin, "password": password_hash,
                "first_name": staff.display_name[1:], "last_name": staff.display_name[:1],
            },
        )
        RoleAssignment.objects.get_or_create(user=user, role=staff.role)
        people[staff.username] = user

    for area_spec in LEADER_AREAS:
        area, _created = LeaderArea.objects.update_or_create(
            name=area_spec.name, defaults={"leader": people[area_spec.leader]}
        )
        area.streets.set([units[place.code] for place in PLACES if place.squad in area_spec.squads])

    return OrganisationSummary(units=len(UNITS), places=len(PLACES), staff=len(STAFF), areas=len(LEADER_AREAS))
