"""Routing rules and key units; duplicate scoring and the repeat count."""

import datetime as dt

import pytest

from ecohotline.core.workdays import BEIJING
from ecohotline.factories import make_case
from ecohotline.intake import duplicates
from ecohotline.intake.models import KeyUnit, RoutingRule
from ecohotline.intake.routing import route

pytestmark = pytest.mark.django_db

T = dt.datetime(2026, 6, 10, 21, 0, tzinfo=BEIJING)


def suggest(org, code="noise.social", street=None, text="广场舞音响太吵"):
    return route(text=text, code=code, street=street, classification_confidence=0.8,
                 rules=list(RoutingRule.objects.select_related("unit", "street")),
                 key_units=list(KeyUnit.objects.select_related("unit")))


def test_the_most_specific_rule_wins(org):
    RoutingRule.objects.create(category="", unit=org.brigade)
    RoutingRule.objects.create(category="noise", unit=org.squad)
    RoutingRule.objects.create(category="noise.social", street=org.street, unit=org.other_squad)
    assert suggest(org, street=org.street).unit == org.other_squad  # sub-category and street
    assert suggest(org, street=org.other_street).unit == org.squad  # category only
    assert suggest(org, code="air.dust", street=org.street).unit == org.brigade  # the catch-all
    assert "分派规则" in suggest(org, street=org.street).reason


def test_no_rule_no_unit_but_the_area_leader(org):
    result = suggest(org, street=org.street)
    assert result.unit is None and result.confidence == 0 and result.leader == org.leader


def test_a_key_unit_named_in_the_text_goes_to_its_team(org):
    RoutingRule.objects.create(category="air", unit=org.squad)
    KeyUnit.objects.create(name="北京某某热电厂", keywords="热电厂，华能", unit=org.other_squad)
    result = suggest(org, code="air.industrial", text="华能热电厂烟囱冒黑烟")
    assert result.unit == org.other_squad and "重点单位" in result.reason and result.confidence > 0.9


def test_inactive_rules_are_ignored(org):
    from ecohotline.intake.triage import TriageContext

    RoutingRule.objects.create(category="noise", unit=org.squad, is_active=False)
    assert TriageContext.load().rules == []


def test_text_similarity():
    assert duplicates.text_similarity("烧烤店油烟直排", "烧烤店油烟直排") == 1.0
    assert duplicates.text_similarity("烧烤店油烟直排", "工地夜间施工噪声") == 0.0
    assert 0 < duplicates.text_similarity("楼下烧烤店油烟很大", "烧烤店油烟扰民") < 1
    assert duplicates.text_similarity("", "油烟") == 0.0


def test_candidates_nearby_same_category_in_the_window(org):
    here = dict(sub_category="air.catering_fumes", category="air", latitude=39.9834, longitude=116.3162)
    near = make_case(received_at=T - dt.timedelta(days=3), description="烧烤店油烟直排", **here)
    make_case(received_at=T - dt.timedelta(days=40), description="烧烤店油烟直排", **here)  # out of the window
    make_case(received_at=T - dt.timedelta(days=1), description="烧烤店油烟直排",
              **{**here, "latitude": 39.9934})  # 1.1 km away
    make_case(received_at=T - dt.timedelta(days=1), description="烧烤店油烟直排",
              **{**here, "sub_category": "noise.social", "category": "noise"})  # another category
    probe = make_case(received_at=T, description="楼下烧烤店油烟直排扰民", **here)
    found = duplicates.find_candidates(probe)
    assert [c.case_id for c in found] == [near.pk]
    assert found[0].reasons["distance_m"] == 0 and found[0].score > 0.6


def test_the_same_phone_is_a_candidate_anywhere_in_the_window(org):
    other_place = make_case(received_at=T - dt.timedelta(days=5), description="小区门口垃圾堆放",
                            sub_category="waste.solid", category="waste", complainant_phone="13900001111",
                            latitude=39.95, longitude=116.30)
    probe = make_case(received_at=T, description="餐馆油烟", sub_category="air.catering_fumes", category="air",
                      complainant_phone="13900001111", latitude=39.98, longitude=116.31)
    found = duplicates.find_candidates(probe)
    assert [c.case_id for c in found] == [other_place.pk] and found[0].reasons["same_phone"] is True
    assert found[0].score < duplicates.SUGGEST_AT  # same person, different matter: not a duplicate


def test_repeat_count_over_90_days(org):
    here = dict(sub_category="noise.social", category="noise", latitude=39.9834, longitude=116.3162)
    for days in (5, 30, 80, 100):
        make_case(received_at=T - dt.timedelta(days=days), **here)
    probe = make_case(received_at=T, **here)
    assert duplicates.repeat_count(probe) == 4  # the three within 90 days and this one
