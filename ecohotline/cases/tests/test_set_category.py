"""分类更正: dispatchers set or correct a case's pollution sub-category, which confirms it; a dispatcher who
sends a case on confirms the category it shows. Confirmed categories are what train-classifier learns."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from ecohotline.cases import services
from ecohotline.cases.exceptions import ActionForbidden, RuleViolation, TransitionNotAllowed
from ecohotline.cases.models import Case, CaseStatus, Category
from ecohotline.cases.selectors import event_label
from ecohotline.factories import force_status, make_case

pytestmark = pytest.mark.django_db


def guessed(org: Any, code: str = "noise.social", **fields: Any) -> Case:
    """A new order the intake classified (a guess, not confirmed)."""
    case = make_case(street=org.street, description="烧烤店排风机噪声和油烟", category=code.split(".")[0],
                     sub_category=code, **fields)
    assert not case.category_confirmed
    return case


def snapshot(case: Case) -> tuple[dict[str, Any], int]:
    return Case.objects.filter(pk=case.pk).values().get(), case.events.count()


def test_a_dispatcher_corrects_the_category(org: Any) -> None:
    case = guessed(org)
    services.set_category(actor=org.dispatcher, case=case, sub_category="air.catering_fumes", note="主要是油烟",
                          version=case.version)
    case.refresh_from_db()
    assert (case.category, case.sub_category, case.category_confirmed) == ("air", "air.catering_fumes", True)
    assert (case.status, case.version) == (CaseStatus.NEW, 2)
    event = case.events.get(action="set_category")
    assert (event.actor, event.from_status, event.to_status) == (org.dispatcher, "new", "new")
    assert event.payload == {"old_category": "noise", "old_sub_category": "noise.social", "category": "air",
                             "sub_category": "air.catering_fumes", "was_confirmed": False, "note": "主要是油烟"}
    with translation.override("en"):
        assert event_label("set_category") == "Set category"


def test_confirming_the_guess_and_a_code_without_family(org: Any) -> None:
    case = guessed(org)
    services.set_category(actor=org.admin, case=case, sub_category="noise.social")
    case.refresh_from_db()
    assert (case.sub_category, case.category_confirmed) == ("noise.social", True)
    services.set_category(actor=org.admin, case=case, sub_category="soil")
    case.refresh_from_db()
    assert (case.category, case.sub_category) == ("soil", "soil")
    assert case.events.filter(action="set_category").last().payload["was_confirmed"] is True


@pytest.mark.parametrize("code", ["noise.nonsense", "noise", "", "AIR.DUST", "radiation.ionizing"])
def test_only_an_active_sub_category_is_accepted(org: Any, code: str) -> None:
    Category.objects.filter(code="radiation.ionizing").update(is_active=False)
    case = guessed(org)
    before = snapshot(case)
    with pytest.raises(RuleViolation) as error:
        services.set_category(actor=org.dispatcher, case=case, sub_category=code)
    assert error.value.code == "invalid_category" and error.value.extra["field"] == "sub_category"
    assert snapshot(case) == before


def test_who_and_when(org: Any) -> None:
    case = force_status(guessed(org), CaseStatus.IN_PROGRESS, handling_unit=org.squad)
    for person in (org.handler, org.unit_head, org.leader, org.analyst, org.street_liaison):
        with pytest.raises(ActionForbidden):
            services.set_category(actor=person, case=case, sub_category="air.catering_fumes")
    for status in (CaseStatus.REPLIED, CaseStatus.CLOSED):
        answered = force_status(guessed(org), status, handling_unit=org.squad)
        before = snapshot(answered)
        with pytest.raises(TransitionNotAllowed):
            services.set_category(actor=org.dispatcher, case=answered, sub_category="air.catering_fumes")
        assert snapshot(answered) == before
    merged = force_status(guessed(org), CaseStatus.MERGED, handling_unit=org.squad)
    services.set_category(actor=org.dispatcher, case=merged, sub_category="air.catering_fumes")
    merged.refresh_from_db()
    assert merged.status == CaseStatus.MERGED and merged.category_confirmed


# --- a dispatch by a person confirms the category shown -------------------------------------------------


def test_a_dispatcher_who_sends_the_case_on_confirms_its_category(org: Any) -> None:
    case = services.dispatch_case(actor=org.dispatcher, case=guessed(org), unit=org.squad)
    case.refresh_from_db()
    assert case.category_confirmed and case.sub_category == "noise.social"
    assert case.events.get(action="dispatch").payload["confirms_category"] == "noise.social"


def test_a_dispatch_without_a_category_confirms_nothing(org: Any) -> None:
    case = services.dispatch_case(actor=org.dispatcher, case=make_case(street=org.street), unit=org.squad)
    case.refresh_from_db()
    assert not case.category_confirmed
    assert "confirms_category" not in case.events.get(action="dispatch").payload


def test_the_systems_own_dispatch_confirms_nothing(org: Any) -> None:
    case = services.auto_dispatch_case(case=guessed(org), unit=org.squad, leader=None, confidence=0.97,
                                       reason="派单规则：噪声→执法一中队")
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED and not case.category_confirmed
    assert "confirms_category" not in case.events.get(action="dispatch").payload
