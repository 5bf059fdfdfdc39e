"""Who sees which case, and who sees the complainant's name and phone unmasked."""

from __future__ import annotations

import pytest

from ecohotline.cases import access, services
from ecohotline.cases.access import can_see_case, can_see_complainant, mask_name, mask_phone, visible_cases
from ecohotline.cases.models import JointHandling
from ecohotline.factories import UserFactory, make_case
from ecohotline.org.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(org):
    """Four cases: the squad's (street 中关村), the other squad's (street 学院路), an undispatched one in
    中关村, and one with neither street nor unit."""
    ours = services.dispatch_case(
        actor=org.dispatcher, unit=org.squad, handler=org.handler,
        case=make_case(street=org.street, complainant_name="张三丰", complainant_phone="13812345678"),
    )
    theirs = services.dispatch_case(
        actor=org.dispatcher, unit=org.other_squad, handler=org.other_handler,
        case=make_case(street=org.other_street, complainant_name="李四", complainant_phone="13987654321"),
    )
    new = make_case(street=org.street)
    orphan = make_case()
    return {"ours": ours, "theirs": theirs, "new": new, "orphan": orphan}


def seen(user, cases) -> set[str]:
    pks = set(visible_cases(user).values_list("pk", flat=True))
    return {name for name, case in cases.items() if case.pk in pks}


ALL = {"ours", "theirs", "new", "orphan"}


@pytest.mark.parametrize("role", ["dispatcher", "leader", "analyst", "admin", "other_leader"])
def test_global_roles_see_every_case(org, cases, role):
    assert seen(getattr(org, role), cases) == ALL


def test_handlers_and_unit_heads_see_their_units_cases(org, cases):
    assert seen(org.handler, cases) == {"ours"}
    assert seen(org.unit_head, cases) == {"ours"}
    assert seen(org.other_handler, cases) == {"theirs"}
    assert seen(org.other_unit_head, cases) == {"theirs"}


def test_unit_head_of_a_parent_unit_sees_its_squads_cases(org, cases):
    head = UserFactory(username="brigade_head", unit=org.brigade, roles=[Role.UNIT_HEAD])
    assert seen(head, cases) == {"ours", "theirs"}
    assert access.in_handling_unit(head, cases["ours"])
    # ... but not the other way round: a squad member does not see the brigade's own cases.
    brigade_case = services.dispatch_case(actor=org.dispatcher, case=make_case(), unit=org.brigade)
    assert not can_see_case(org.handler, brigade_case)
    assert can_see_case(head, brigade_case)


def test_street_liaison_sees_the_cases_of_their_street(org, cases):
    assert seen(org.street_liaison, cases) == {"ours", "new"}
    other = UserFactory(username="liaison2", unit=org.other_street, roles=[Role.STREET_LIAISON])
    assert seen(other, cases) == {"theirs"}


def test_joint_handling_opens_the_case_to_the_units_called_in(org, cases):
    ours = services.accept_case(actor=org.handler, case=cases["ours"])
    liaison2 = UserFactory(username="liaison2", unit=org.other_street, roles=[Role.STREET_LIAISON])
    department_staff = UserFactory(username="chengguan", unit=org.department, roles=[Role.HANDLER])
    assert not can_see_case(org.other_handler, ours)
    assert not can_see_case(liaison2, ours)
    assert not can_see_case(department_staff, ours)

    services.call_joint_handling(actor=org.handler, case=ours, units=[org.other_squad, org.other_street,
                                                                      org.department], reason="联合执法")
    assert seen(org.other_handler, cases) == {"ours", "theirs"}
    assert seen(org.other_unit_head, cases) == {"ours", "theirs"}
    assert seen(liaison2, cases) == {"ours", "theirs"}
    assert seen(department_staff, cases) == {"ours"}
    # A joint case is listed once, not once per joint handling or unit.
    services.call_joint_handling(actor=org.handler, case=ours, units=[org.other_squad], reason="再次")
    assert list(visible_cases(org.other_handler).values_list("pk", flat=True)).count(ours.pk) == 1
    # Being called in does not make the unit the handling unit: the complainant stays masked.
    assert not can_see_complainant(org.other_handler, ours)
    assert not can_see_complainant(liaison2, ours)


def test_joint_handling_of_a_squad_shows_it_to_the_head_of_the_brigade(org, cases):
    brigade_head = UserFactory(username="brigade_head", unit=org.brigade, roles=[Role.UNIT_HEAD])
    theirs = services.accept_case(actor=org.other_handler, case=cases["theirs"])
    JointHandling.objects.create(case=theirs, reason="x").units.set([org.street])
    assert can_see_case(org.street_liaison, theirs)
    assert can_see_case(brigade_head, theirs)


def test_inactive_users_and_users_without_unit_or_role_see_nothing(org, cases):
    org.dispatcher.is_active = False
    org.dispatcher.save()
    assert seen(org.dispatcher, cases) == set()
    org.handler.is_active = False
    org.handler.save()
    assert seen(org.handler, cases) == set()
    homeless = UserFactory(username="homeless", unit=None, roles=[Role.HANDLER])
    assert seen(homeless, cases) == set()
    roleless = UserFactory(username="roleless", unit=org.squad, roles=[])
    assert seen(roleless, cases) == set()


def test_anonymous_user_sees_nothing(org, cases):
    from django.contrib.auth.models import AnonymousUser

    assert not visible_cases(AnonymousUser()).exists()
    assert not can_see_complainant(AnonymousUser(), cases["ours"])


def test_visible_cases_narrows_a_given_queryset(org, cases):
    from ecohotline.cases.models import Case

    qs = Case.objects.filter(pk__in=[cases["ours"].pk, cases["theirs"].pk])
    assert list(visible_cases(org.handler, qs).values_list("pk", flat=True)) == [cases["ours"].pk]


# --- the complainant ----------------------------------------------------------------------------------------


def test_who_sees_the_complainant(org, cases):
    ours = cases["ours"]
    assert ours.leader == org.leader  # 包片 leader of 中关村
    brigade_head = UserFactory(username="brigade_head", unit=org.brigade, roles=[Role.UNIT_HEAD])
    allowed = {"dispatcher": org.dispatcher, "handler": org.handler, "unit_head": org.unit_head,
               "leader": org.leader, "brigade_head": brigade_head}
    refused = {"other_leader": org.other_leader, "analyst": org.analyst, "admin": org.admin,
               "street_liaison": org.street_liaison, "other_handler": org.other_handler,
               "other_unit_head": org.other_unit_head}
    assert {name for name, user in allowed.items() if can_see_complainant(user, ours)} == set(allowed)
    assert {name for name, user in refused.items() if can_see_complainant(user, ours)} == set()
    # The same people of the other squad do see their own case's complainant; our leader does not.
    theirs = cases["theirs"]
    assert can_see_complainant(org.other_handler, theirs)
    assert not can_see_complainant(org.handler, theirs)
    assert theirs.leader is None and not can_see_complainant(org.leader, theirs)


def test_a_leader_put_in_charge_sees_the_complainant(org, cases):
    theirs = services.dispatch_case(actor=org.dispatcher, case=make_case(street=org.other_street),
                                    unit=org.other_squad, leader=org.other_leader)
    assert can_see_complainant(org.other_leader, theirs)
    assert not can_see_complainant(org.leader, theirs)


def test_before_dispatch_only_dispatcher_and_leader_see_the_complainant(org, cases):
    new = cases["new"]
    assert can_see_complainant(org.dispatcher, new)
    assert can_see_complainant(org.leader, new)
    assert not can_see_complainant(org.handler, new)
    assert not can_see_complainant(org.unit_head, new)


@pytest.mark.parametrize(("name", "masked"), [
    ("张三丰", "张**"),
    ("张三", "张*"),
    ("欧阳娜娜", "欧***"),
    ("张先生", "张**"),
    ("  王五  ", "王*"),  # surrounding blanks do not count
    ("张", "张*"),  # a bare surname stays a surname; the star hides that nothing follows
    ("", ""),
    ("   ", ""),
    ("Li Lei", "L*****"),
])
def test_mask_name(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(("phone", "masked"), [
    ("13812345678", "138****5678"),
    (" 13812345678 ", "138****5678"),
    ("010-62345678", "010****5678"),  # landline with area code: area code and last four
    ("+8613812345678", "+86****5678"),
    ("62345678", "******78"),  # a local number: only the last two digits
    ("12345", "***45"),
    ("123", "*23"),
    ("12", "**"),
    ("1", "*"),
    ("", ""),
])
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


def test_masked_values_never_contain_the_hidden_part():
    assert "1234" not in mask_phone("13812345678")
    assert "6234" not in mask_phone("010-62345678")
    assert "三丰" not in mask_name("张三丰")
