"""The registry's pages, the case page fragment with its Confirm button, and the API: who sees and does what."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ecohotline.cases.models import CaseEvent, CaseStatus
from ecohotline.factories import force_status
from ecohotline.insight import services
from ecohotline.insight.models import KeyUnit, KeyUnitCase, LinkHow
from ecohotline.insight.tests.conftest import BASE_LAT, BASE_LNG, beijing, offset

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def unit(org: Any) -> KeyUnit:
    lat, lng = offset(BASE_LAT, BASE_LNG, east_m=80)
    return services.save_key_unit(actor=org.leader, name="老王烧烤", aliases="王记串店", latitude=lat, longitude=lng,
                                  street=org.street, team=org.squad, is_key_area=False, industry_code="6210",
                                  contact="王经理 010-62000000")


@pytest.fixture
def area(org: Any) -> KeyUnit:
    return services.save_key_unit(actor=org.leader, name="中关村工地片区", is_key_area=True, is_key_unit=False,
                                  street=org.street)


@pytest.fixture
def case(org: Any, complaint: Any) -> Any:
    """A complaint about the restaurant, handled by the first squad, whose text names the complainant."""
    made = complaint(beijing(2026, 5, 2), description="张三丰反映老王烧烤油烟扰民，电话13812345678",
                     complainant_name="张三丰", complainant_phone="13812345678", latitude=BASE_LAT,
                     longitude=BASE_LNG, street=org.street)
    return force_status(made, CaseStatus.IN_PROGRESS, handling_unit=org.squad)


@pytest.mark.parametrize(("role", "expected"), [
    ("leader", 200), ("analyst", 200), ("dispatcher", 200), ("unit_head", 200), ("admin", 200),
    ("handler", 403), ("street_liaison", 403)])
def test_list_page_access(org: Any, unit: KeyUnit, role: str, expected: int) -> None:
    response = client_for(getattr(org, role)).get(reverse("insight:key-units"))
    assert response.status_code == expected


def test_list_filters_and_counts(org: Any, unit: KeyUnit, area: KeyUnit, case: Any, key_unit_event: None) -> None:
    services.confirm_key_unit(actor=org.dispatcher, case=case, key_unit=unit)
    client = client_for(org.analyst)
    page = client.get(reverse("insight:key-units")).content.decode()
    assert "老王烧烤" in page and "中关村工地片区" in page
    only_areas = client.get(reverse("insight:key-units"), {"flag": "area"}).content.decode()
    assert "中关村工地片区" in only_areas and "老王烧烤" not in only_areas
    response = client.get(reverse("insight:key-units"), {"industry": "62"})
    assert list(response.context["page"].object_list) == [unit]
    assert response.context["page"].object_list[0].complaints == 1


def test_detail_masks_the_complainant(org: Any, unit: KeyUnit, case: Any, key_unit_event: None) -> None:
    services.confirm_key_unit(actor=org.dispatcher, case=case, key_unit=unit)
    response = client_for(org.analyst).get(reverse("insight:key-unit", args=[unit.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "2026-05" in page and case.reference in page
    assert "张三丰" not in page and "13812345678" not in page
    assert "张**" in page and "138****5678" in page
    assert client_for(org.handler).get(reverse("insight:key-unit", args=[unit.pk])).status_code == 403


def test_create_and_edit(org: Any) -> None:
    url = reverse("insight:key-unit-new")
    assert client_for(org.dispatcher).get(url).status_code == 403
    client = client_for(org.analyst)
    bad = client.post(url, {"name": "某厂", "latitude": "39.98"})
    assert bad.status_code == 400
    assert "latitude" in bad.context["form"].errors or bad.context["form"].non_field_errors()
    good = client.post(url, {"name": "某厂", "latitude": "39.98", "longitude": "116.31", "industry_code": "c",
                             "is_key_unit": "on", "is_active": "on", "team": org.squad.pk})
    made = KeyUnit.objects.get(name="某厂")
    assert good.status_code == 302 and good["Location"] == reverse("insight:key-unit", args=[made.pk])
    assert (made.industry_code, made.team, made.geo_cell is not None) == ("C", org.squad, True)
    edit = client.post(reverse("insight:key-unit-edit", args=[made.pk]),
                       {"name": "某厂（改）", "is_key_unit": "on", "is_active": "on"})
    assert edit.status_code == 302
    made.refresh_from_db()
    assert (made.name, made.latitude, made.geo_cell) == ("某厂（改）", None, None)


def test_fragment_for_dispatcher_with_confirm(org: Any, unit: KeyUnit, case: Any) -> None:
    response = client_for(org.dispatcher).get(reverse("insight:key-unit-suggestions", args=[case.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert f'data-suggested="{unit.pk}"' in page
    assert reverse("insight:key-unit-confirm", args=[case.pk]) in page


def test_the_case_page_loads_the_suggestions(org: Any, unit: KeyUnit, case: Any) -> None:
    page = client_for(org.dispatcher).get(reverse("ui:case-detail", args=[case.pk])).content.decode()
    assert f'hx-get="{reverse("insight:key-unit-suggestions", args=[case.pk])}"' in page


def test_fragment_for_the_handling_unit_without_confirm_and_403_for_others(org: Any, unit: KeyUnit,
                                                                          case: Any) -> None:
    own = client_for(org.handler).get(reverse("insight:key-unit-suggestions", args=[case.pk]))
    assert own.status_code == 200
    assert f'data-suggested="{unit.pk}"' in own.content.decode()
    assert reverse("insight:key-unit-confirm", args=[case.pk]) not in own.content.decode()
    other = client_for(org.other_handler).get(reverse("insight:key-unit-suggestions", args=[case.pk]))
    assert other.status_code == 403


def test_confirm_through_htmx(org: Any, unit: KeyUnit, case: Any, key_unit_event: None) -> None:
    url = reverse("insight:key-unit-confirm", args=[case.pk])
    response = client_for(org.dispatcher).post(url, {"key_unit": unit.pk, "score": "0.87"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'data-linked="{unit.pk}"' in response.content.decode()
    link = KeyUnitCase.objects.get(case=case)
    assert (link.key_unit, link.how, link.score, link.confirmed_by) == (unit, LinkHow.CONFIRMED, 0.87,
                                                                        org.dispatcher)
    assert CaseEvent.objects.filter(case=case, action="key_unit_linked").count() == 1
    plain = client_for(org.admin).post(url, {"key_unit": unit.pk})
    assert plain.status_code == 302 and plain["Location"] == reverse("ui:case-detail", args=[case.pk])
    assert client_for(org.dispatcher).post(url, {"key_unit": 999999}).status_code == 400


@pytest.mark.parametrize("role", ["handler", "analyst", "leader", "unit_head"])
def test_only_dispatchers_confirm_through_the_page(org: Any, unit: KeyUnit, case: Any, role: str,
                                                   key_unit_event: None) -> None:
    url = reverse("insight:key-unit-confirm", args=[case.pk])
    assert client_for(getattr(org, role)).post(url, {"key_unit": unit.pk}).status_code == 403
    assert not KeyUnitCase.objects.exists()


def test_api(org: Any, unit: KeyUnit, area: KeyUnit, case: Any, key_unit_event: None) -> None:
    services.confirm_key_unit(actor=org.dispatcher, case=case, key_unit=unit)
    url = reverse("api:insight-key-units")
    data = client_for(org.analyst).get(url).json()
    by_name = {row["name"]: row for row in data["results"]}
    assert by_name["老王烧烤"]["complaints"] == 1
    assert by_name["老王烧烤"]["aliases"] == ["王记串店"]
    assert by_name["老王烧烤"]["team"] == {"id": org.squad.pk, "name": org.squad.name}
    assert by_name["中关村工地片区"]["flags"] == ["area"]
    assert [row["name"] for row in client_for(org.analyst).get(url, {"flag": "area"}).json()["results"]] == [
        "中关村工地片区"]
    assert client_for(org.analyst).get(url, {"street": org.other_street.pk}).json()["count"] == 0
    bad = client_for(org.analyst).get(url, {"flag": "nope"})
    assert bad.status_code == 400 and bad.json()["errors"].keys() == {"flag"}
    assert client_for(org.handler).get(url).status_code == 403
    assert Client().get(url).status_code in (401, 403)


def test_api_queries_do_not_grow_with_the_registry(org: Any, django_assert_max_num_queries: Any) -> None:
    for number in range(12):
        services.save_key_unit(actor=org.admin, name=f"单位{number}", street=org.street, team=org.squad)
    client = client_for(org.analyst)
    client.get(reverse("api:insight-key-units"))  # warm the session
    with django_assert_max_num_queries(6):
        data = client.get(reverse("api:insight-key-units")).json()
    assert data["count"] == 12


def test_form_pages_render(org: Any, unit: KeyUnit) -> None:
    client = client_for(org.leader)
    new = client.get(reverse("insight:key-unit-new"))
    assert new.status_code == 200 and 'name="latitude"' in new.content.decode()
    edit = client.get(reverse("insight:key-unit-edit", args=[unit.pk]))
    assert edit.status_code == 200 and "老王烧烤" in edit.content.decode()
