"""Who may see which case, who may see the complainant, and through which roles a user acts on a case.

Dispatchers, leaders, analysts and administrators see every case; handlers and unit heads the cases of
their unit (and of the units under it) and the cases their unit was called in on (吹哨报到); street liaisons
the cases of their street or town and those their street was called in on. A duplicate merged into another
case (并案) is handled through it: while it waits for its reply it carries its parent's handling unit, handler
and leader, so the people handling the parent see it and act on it.

The complainant's name and phone (confidential by law) are shown only to dispatchers, the handling unit and
the leader in charge of the case (包案); everybody else sees them masked.

Inside a training workspace (情景模拟, `cases.workspace`) the workspace decides: its cases are the run's, and the
trainee acts on them as the handling unit does, whatever their roles outside.
"""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from ecohotline.cases import workspace
from ecohotline.cases.models import Case, JointHandling
from ecohotline.org.models import Role, User

GLOBAL_ROLES = frozenset({Role.DISPATCHER, Role.LEADER, Role.ANALYST, Role.ADMIN})
UNIT_ROLES = frozenset({Role.HANDLER, Role.UNIT_HEAD})


def _unit_path(user: User) -> str | None:
    return user.unit.path if user.unit_id and user.unit else None


def visible_cases(user: User, queryset: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """The cases `user` may see."""
    qs = Case.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if workspace.current() is not None:
        return qs  # `Case.objects` holds only the run's cases
    roles = user.role_codes
    if roles & GLOBAL_ROLES:
        return qs
    path = _unit_path(user)
    if path is None:
        return qs.none()
    condition = Q()
    if roles & UNIT_ROLES:
        condition |= Q(handling_unit__path__startswith=path)
        # From the units called in (an index on the unit), not from every case's joint handlings.
        joint = JointHandling.units.through.objects.filter(orgunit__path__startswith=path)
        condition |= Q(pk__in=joint.values("jointhandling__case_id"))
    if Role.STREET_LIAISON in roles:
        condition |= Q(street_id=user.unit_id)
        condition |= Q(pk__in=Case.objects.filter(jointhandlings__units=user.unit_id).values("pk"))
    if not condition:
        return qs.none()
    return qs.filter(condition)


def in_handling_unit(user: User, case: Case) -> bool:
    """Is the user a handler or unit head of the case's handling unit (or of a unit above it)?"""
    path = _unit_path(user)
    if path is None or case.handling_unit_id is None or not (user.role_codes & UNIT_ROLES):
        return False
    return bool(case.handling_unit and case.handling_unit.path.startswith(path))


def in_joint_units(user: User, case: Case) -> bool:
    path = _unit_path(user)
    if path is None or case.pk is None:
        return False
    return case.jointhandlings.filter(units__path__startswith=path).exists()


def can_see_case(user: User, case: Case) -> bool:
    return visible_cases(user, Case.objects.filter(pk=case.pk)).exists()


def can_see_complainant(user: User, case: Case) -> bool:
    if not user.is_authenticated:
        return False
    scope = workspace.current()
    if scope is not None:
        return scope.shows_complainant
    if user.has_role(Role.DISPATCHER):
        return True
    if case.leader_id is not None and case.leader_id == user.pk:
        return True
    return in_handling_unit(user, case)


# Actions a unit that was only called in (吹哨报到), not given the case, may take on it.
JOINT_ACTIONS = frozenset({"record_joint_reply", "add_note"})


def acting_roles(user: User, case: Case, action: str) -> frozenset[str]:
    """The roles through which `user` may take `action` on this particular case.

    A role counts only where its reach covers the case: a handler or unit head acts on the cases of their
    unit, and on cases their unit was called in on only to answer the call or add a note; a street liaison
    on the cases of their street or those it was called in on; dispatchers, leaders and administrators on
    every case.
    """
    scope = workspace.current()
    if scope is not None:
        return scope.acting_roles(user.pk, action)
    roles = user.role_codes
    granted: set[str] = set(roles & {Role.DISPATCHER, Role.LEADER, Role.ADMIN, Role.ANALYST})
    if roles & UNIT_ROLES and (
        in_handling_unit(user, case) or (action in JOINT_ACTIONS and in_joint_units(user, case))
    ):
        granted |= roles & UNIT_ROLES
    if Role.STREET_LIAISON in roles and user.unit_id and (
        case.street_id == user.unit_id or in_joint_units(user, case)
    ):
        granted.add(Role.STREET_LIAISON)
    return frozenset(granted)


def mask_name(name: str) -> str:
    """张三丰 → 张**; keeps the first character only."""
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; short numbers keep only their last two digits."""
    digits = phone.strip()
    if len(digits) >= 11:
        return digits[:3] + "****" + digits[-4:]
    if len(digits) > 2:
        return "*" * (len(digits) - 2) + digits[-2:]
    return "*" * len(digits)


MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def mask_complainant(case: Case, text: str) -> str:
    """`text` with the case's complainant's name and phone, and any mobile number, masked: for readers who may not
    see the complainant (the timeline), and for pages and documents that never show them (the ledger, reports)."""
    if not text:
        return ""
    for value, mask in ((case.complainant_phone.strip(), mask_phone), (case.complainant_name.strip(), mask_name)):
        if len(value) > 1:
            text = text.replace(value, mask(value))
    return MOBILE.sub(lambda match: mask_phone(match.group(0)), text)
