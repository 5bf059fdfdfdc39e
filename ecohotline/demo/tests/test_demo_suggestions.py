"""The demo's cases still new at the cut-off wait with the intake's suggestions, as imported orders do."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from ecohotline.cases import inbox
from ecohotline.cases.models import Case, CaseStatus
from ecohotline.demo.generator import ensure_routing_rules
from ecohotline.demo.people import STAFF
from ecohotline.demo.places import PLACES
from ecohotline.intake.duplicates import SUGGEST_AT
from ecohotline.intake.models import DuplicateSuggestion, RoutingRule, Suggestion, TriageSuggestion
from ecohotline.org.models import OrgUnit, User

END = dt.date(2026, 11, 22)
# The keys of `intake.triage.Triage.as_payload()` and of its parts' `as_payload()`.
PAYLOAD_KEYS = {"place", "classify", "remit", "hints", "duplicates", "repeat_count_90d", "repeated", "route"}
PART_KEYS = {
    "place": {"placed", "reason", "district", "street", "street_name", "community", "latitude", "longitude",
              "code", "decided_by"},
    "classify": {"code", "confidence", "words", "reason", "source"},
    "remit": {"decision", "confidence", "department", "reason"},
    "route": {"unit", "unit_name", "leader", "confidence", "reason"},
}


class _Sink:
    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """`demo-data` with 2,400 cases (as `ecohotline start` makes), kept for the module, rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic(), \
            override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        call_command("demo-data", "--cases", "2400", "--seed", "7", "--end", END.isoformat(), "--quiet",
                     stdout=_Sink())
        yield
        transaction.set_rollback(True)


def _dispatcher() -> User:
    return User.objects.get(username=next(s.username for s in STAFF if s.role == "dispatcher"))


@pytest.mark.django_db
def test_the_dispatchers_inbox_has_routing_suggestions_after_demo_data(demo: None, client: Any) -> None:
    dispatcher = _dispatcher()
    waiting = inbox.triage_suggestions(dispatcher)
    assert waiting.count() > 0
    assert inbox.inbox_counts(dispatcher)["triage_suggestions"] == waiting.count()
    client.force_login(dispatcher)
    page = client.get(reverse("ui:inbox"), {"lang": "en"}).content.decode()
    assert "Routing suggestions to accept" in page
    case = waiting.first()
    assert case is not None and case.reference in page


@pytest.mark.django_db
def test_only_the_new_cases_have_suggestions_shaped_like_the_intakes(demo: None) -> None:
    new = set(Case.objects.filter(status=CaseStatus.NEW).values_list("pk", flat=True))
    assert new and set(TriageSuggestion.objects.values_list("case_id", flat=True)) == new
    squads = {place.code: place.squad for place in PLACES}
    for suggestion in TriageSuggestion.objects.select_related("case__street", "unit"):
        case, reasons = suggestion.case, suggestion.reasons
        assert suggestion.status == Suggestion.PENDING and suggestion.remit == "keep"
        assert set(reasons) == PAYLOAD_KEYS
        for part, keys in PART_KEYS.items():
            assert set(reasons[part]) == keys, part
        assert suggestion.unit is not None and suggestion.unit.code == squads[case.street.code]
        assert suggestion.leader_id == case.leader_id == reasons["route"]["leader"]
        assert reasons["route"]["unit"] == suggestion.unit_id and 0 < suggestion.confidence <= 1
        assert reasons["route"]["reason"] == f"分派规则：{case.street.name}的全部类别 → {suggestion.unit.name}"
        assert reasons["classify"]["code"] == case.sub_category
        assert reasons["place"]["street"] == case.street_id and reasons["place"]["placed"]
        assert suggestion.repeat_count_90d == reasons["repeat_count_90d"] >= 1
        assert reasons["repeated"] == (suggestion.repeat_count_90d >= 3)


@pytest.mark.django_db
def test_new_repeat_complaints_wait_as_possible_duplicates(demo: None) -> None:
    pending = list(DuplicateSuggestion.objects.select_related("case", "candidate"))
    assert pending
    for duplicate in pending:
        case, candidate = duplicate.case, duplicate.candidate
        assert case.status == CaseStatus.NEW and duplicate.status == Suggestion.PENDING
        assert "repeat" in case.tags and candidate.received_at < case.received_at
        assert candidate.polluter == case.polluter and candidate.sub_category == case.sub_category
        assert duplicate.score >= SUGGEST_AT and duplicate.reasons["same_polluter"]
        listed = TriageSuggestion.objects.get(case=case).reasons["duplicates"]
        assert {"case": candidate.pk, "score": duplicate.score, "reasons": duplicate.reasons} in listed
    shown = inbox.duplicate_suggestions(_dispatcher())
    assert shown.count() > 0


@pytest.mark.django_db
def test_the_demo_has_a_routing_rule_for_every_street_and_adds_none_twice(demo: None) -> None:
    rules = RoutingRule.objects.select_related("street", "unit")
    assert rules.count() == len(PLACES)
    squads = {place.code: place.squad for place in PLACES}
    for rule in rules:
        assert rule.is_active and rule.category == "" and rule.street is not None
        assert rule.unit.code == squads[rule.street.code]
    assert ensure_routing_rules() == 0
    assert RoutingRule.objects.count() == len(PLACES)
    assert OrgUnit.objects.filter(pk__in=rules.values("unit")).count() == 4
