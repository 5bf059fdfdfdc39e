"""The key units registry: the triage suggestion, the dispatcher's confirmation and a unit's history."""

from __future__ import annotations

from typing import Any

import pytest

from ecohotline.cases import services as case_services
from ecohotline.cases.exceptions import ActionForbidden, RuleViolation
from ecohotline.cases.models import CaseEvent, CaseStatus
from ecohotline.core import geo
from ecohotline.factories import force_status
from ecohotline.insight import services
from ecohotline.insight.models import KeyUnit, KeyUnitCase, LinkHow
from ecohotline.insight.registry import key_unit_history, key_units, normalise, suggest_key_units
from ecohotline.insight.tests.conftest import BASE_LAT, BASE_LNG, beijing, offset

pytestmark = pytest.mark.django_db


def register(org: Any, name: str, *, east_m: float, aliases: str = "", street: Any = None, **extra: Any) -> KeyUnit:
    lat, lng = offset(BASE_LAT, BASE_LNG, east_m=east_m)
    return services.save_key_unit(actor=org.analyst, name=name, aliases=aliases, latitude=lat, longitude=lng,
                                  street=street, team=org.squad, **extra)


@pytest.fixture
def units(org: Any) -> dict[str, KeyUnit]:
    return {
        "near": register(org, "北京老王烧烤餐饮有限公司", aliases="老王烧烤, 王记串店", east_m=80, street=org.street,
                         industry_code="6210"),
        # The same chain's other branch, 2 km away: named in the text too, but not the place complained about.
        "far": register(org, "老王烧烤学院路店", aliases="老王烧烤", east_m=2000, street=org.other_street),
        "carwash": register(org, "清风洗车行", east_m=-150, street=org.other_street),
        "unrelated": register(org, "远方化工厂", east_m=5000),
    }


def test_normalise_drops_width_case_and_punctuation() -> None:
    assert normalise("老王 烧烤（ＡＢＣ店）") == "老王烧烤abc店"


def test_suggestion_finds_the_named_unit_80_m_away_not_the_branch_2_km_away(org: Any, units: Any,
                                                                           complaint: Any) -> None:
    case = complaint(beijing(2026, 5, 1), description="楼下的老王烧烤每天晚上油烟很大，熏得没法开窗。",
                     latitude=BASE_LAT, longitude=BASE_LNG, street=org.street)
    suggestions = suggest_key_units(case)
    assert [s.key_unit for s in suggestions] == [units["near"], units["carwash"]]
    top = suggestions[0]
    assert top.matched_name == "老王烧烤"
    assert top.same_street
    assert top.distance_m == pytest.approx(80, abs=1)
    # 0.5 × (1 − 80/300) + 0.4 (name) + 0.1 (street)
    assert top.score == pytest.approx(0.5 * (1 - 80 / 300) + 0.5, abs=0.005)
    # the car wash is only near: 0.5 × (1 − 150/300)
    assert suggestions[1].score == pytest.approx(0.25, abs=0.005)
    assert suggestions[1].matched_name == ""


def test_suggestion_by_name_alone_when_the_case_has_no_point(org: Any, units: Any, complaint: Any) -> None:
    case = complaint(beijing(2026, 5, 1), description="投诉王记串店油烟", street=org.street)
    assert [s.key_unit for s in suggest_key_units(case)] == [units["near"]]
    nothing = complaint(beijing(2026, 5, 1), description="小区里有人遛狗不拴绳")
    assert suggest_key_units(nothing) == []


def test_dispatcher_confirms_link_with_timeline_event(org: Any, units: Any, complaint: Any,
                                                      key_unit_event: None) -> None:
    case = complaint(beijing(2026, 5, 1), description="老王烧烤油烟扰民", latitude=BASE_LAT, longitude=BASE_LNG)
    link = services.confirm_key_unit(actor=org.dispatcher, case=case, key_unit=units["near"], score=0.87)
    assert (link.how, link.confirmed_by, link.score) == (LinkHow.CONFIRMED, org.dispatcher, 0.87)
    events = list(CaseEvent.objects.filter(case=case, action="key_unit_linked"))
    assert len(events) == 1
    assert events[0].actor == org.dispatcher
    assert events[0].payload["key_unit"] == units["near"].pk
    assert events[0].payload["name"] == "北京老王烧烤餐饮有限公司"
    # confirming again changes nothing; the linked unit is no longer suggested
    services.confirm_key_unit(actor=org.dispatcher, case=case, key_unit=units["near"])
    assert CaseEvent.objects.filter(case=case, action="key_unit_linked").count() == 1
    assert KeyUnitCase.objects.filter(case=case).count() == 1
    assert units["near"] not in [s.key_unit for s in suggest_key_units(case)]


def test_a_suggested_link_becomes_confirmed(org: Any, units: Any, complaint: Any, key_unit_event: None) -> None:
    case = complaint(beijing(2026, 5, 1), description="老王烧烤油烟扰民")
    KeyUnitCase.objects.create(key_unit=units["near"], case=case, how=LinkHow.SUGGESTED, score=0.4)
    link = services.confirm_key_unit(actor=org.admin, case=case, key_unit=units["near"])
    assert (link.how, link.score, link.confirmed_by) == (LinkHow.CONFIRMED, 0.4, org.admin)


@pytest.mark.parametrize("role", ["handler", "unit_head", "leader", "analyst", "street_liaison"])
def test_only_dispatchers_and_admins_confirm(org: Any, units: Any, complaint: Any, role: str,
                                             key_unit_event: None) -> None:
    case = complaint(beijing(2026, 5, 1), description="老王烧烤油烟扰民")
    with pytest.raises(ActionForbidden):
        services.confirm_key_unit(actor=getattr(org, role), case=case, key_unit=units["near"])
    assert not KeyUnitCase.objects.exists()
    assert not CaseEvent.objects.filter(action="key_unit_linked").exists()


def test_registry_edits_are_checked(org: Any) -> None:
    with pytest.raises(ActionForbidden):
        services.save_key_unit(actor=org.handler, name="某厂")
    with pytest.raises(RuleViolation) as error:
        services.save_key_unit(actor=org.leader, name="某厂", latitude=39.9)
    assert error.value.code == "invalid_point"
    with pytest.raises(RuleViolation) as error:
        services.save_key_unit(actor=org.leader, name="某厂", latitude=31.2, longitude=121.5)  # Shanghai
    assert error.value.code == "invalid_point"
    with pytest.raises(RuleViolation) as error:
        services.save_key_unit(actor=org.leader, name="某厂", team=org.street)
    assert error.value.code == "not_a_handling_unit"
    unit = services.save_key_unit(actor=org.leader, name="某厂", latitude=39.98, longitude=116.31)
    assert unit.geo_cell == geo.grid_cell(116.31, 39.98)
    services.save_key_unit(actor=org.admin, key_unit=unit, latitude=39.90, longitude=116.40)
    unit.refresh_from_db()
    assert unit.geo_cell == geo.grid_cell(116.40, 39.90) != geo.grid_cell(116.31, 39.98)


def test_history_and_counts(org: Any, units: Any, complaint: Any, key_unit_event: None) -> None:
    april = complaint(beijing(2026, 4, 3), description="老王烧烤油烟")
    may_1 = complaint(beijing(2026, 5, 2), description="老王烧烤油烟")
    may_2 = complaint(beijing(2026, 5, 20), description="老王烧烤噪声")
    for case in (april, may_1, may_2):
        services.confirm_key_unit(actor=org.dispatcher, case=case, key_unit=units["near"])
    # a suggestion waiting for the dispatcher does not count
    KeyUnitCase.objects.create(key_unit=units["far"], case=april, how=LinkHow.SUGGESTED)
    handled = force_status(may_1, CaseStatus.IN_PROGRESS, handling_unit=org.squad)
    inspection = case_services.record_inspection(actor=org.handler, case=handled, findings="净化器未开启")
    case_services.record_measurement(actor=org.handler, case=handled, kind="catering_fumes",
                                     measured_at=beijing(2026, 5, 3), values={"fumes_mg_m3": 2.5},
                                     inspection=inspection)
    history = key_unit_history(units["near"])
    assert history.by_month == [("2026-04", 1), ("2026-05", 2)]
    assert [link.case for link in history.links] == [may_2, may_1, april]
    assert history.inspections == [inspection]
    assert len(history.measurements) == 1
    assert history.exceedances == 1
    counts = {unit.name: unit.complaints for unit in key_units()}
    assert counts["北京老王烧烤餐饮有限公司"] == 3
    assert counts["老王烧烤学院路店"] == 0
    assert [unit.name for unit in key_units(industry="62")] == ["北京老王烧烤餐饮有限公司"]
    assert {unit.name for unit in key_units(street=org.other_street)} == {"老王烧烤学院路店", "清风洗车行"}
