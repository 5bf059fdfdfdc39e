"""Similar past cases (相似案例): a planted near-duplicate ranks first above decoys, each shown with its handling and
outcome; complainants masked as on the case page; only cases the viewer may open; a fixed number of queries; the
htmx fragment and the API."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from ecohotline.cases.models import Case, CaseStatus, Inspection, Measurement, Rectification, Reply
from ecohotline.factories import force_status, make_case
from ecohotline.knowledge import similar
from ecohotline.knowledge.tests.conftest import client_for

pytestmark = pytest.mark.django_db
BEIJING = datetime.timezone(datetime.timedelta(hours=8))
NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=BEIJING)
LAT, LNG = 39.9835, 116.3162  # 中关村
FAR_LAT = LAT + 0.09  # 10 km north
TEXT = "海淀黄庄小区楼下川味餐馆油烟扰民，每晚排风机对着居民楼窗户，联系人张三丰13812345678。"
NEAR_TEXT = "海淀黄庄小区楼下川味餐馆油烟扰民，每晚排风机正对居民楼窗户。"
OTHER_TEXT = "施工工地夜间打桩噪声，影响休息。"


def english(user: Any) -> Client:
    user.language = "en"
    user.save(update_fields=["language"])
    return client_for(user)


def closed(org: Any, *, days_ago: int = 30, text: str = NEAR_TEXT, lat: float | None = LAT, lng: float | None = LNG,
           sub_category: str = "air.catering_fumes", category: str = "air", status: str = CaseStatus.CLOSED,
           unit: Any = None, **fields: Any) -> Case:
    fields.setdefault("street", org.street)
    case = make_case(received_at=NOW - datetime.timedelta(days=days_ago), description=text, latitude=lat,
                     longitude=lng, category=category, sub_category=sub_category, community="黄庄社区", **fields)
    return force_status(case, status, handling_unit=unit or org.squad,
                        closed_at=NOW - datetime.timedelta(days=days_ago - 5) if status == CaseStatus.CLOSED else None)


def current(org: Any, **fields: Any) -> Case:
    fields.setdefault("description", TEXT)
    return make_case(received_at=NOW, latitude=LAT + 0.0002, longitude=LNG, category="air",
                     sub_category="air.catering_fumes", street=org.street, **fields)


def with_handling(case: Case) -> Case:
    at = case.received_at + datetime.timedelta(days=1)
    inspection = Inspection.objects.create(case=case, at=at, findings="现场检查油烟净化器未开启，张三丰在场。")
    Measurement.objects.create(
        case=case, inspection=inspection, kind="catering_fumes", measured_at=at, values={"concentration": 2.4},
        verdict={"verdict": "exceeds", "exceedance": 1.2, "pollutants": {}, "standard": "GB 18483-2001",
                 "limit": 2.0})
    Rectification.objects.create(case=case, requirement="清洗并常开油烟净化设施")
    Reply.objects.create(case=case, at=at, text="初步答复", final=False)
    Reply.objects.create(case=case, at=at + datetime.timedelta(days=2),
                         text="经核查油烟超标，已责令整改，复测达标。来电人13812345678已知悉。")
    Case.objects.filter(pk=case.pk).update(visit_at=at + datetime.timedelta(days=4), visit_contacted=True,
                                           visit_solved=True, visit_satisfaction="satisfied")
    case.refresh_from_db()
    return case


def test_planted_near_duplicate_ranks_first_above_decoys(org: Any) -> None:
    planted = with_handling(closed(org, complainant_name="张三丰", complainant_phone="13812345678",
                                   polluter="川味餐馆"))
    decoys = {
        "same text 10 km away": closed(org, text=TEXT, lat=FAR_LAT),
        "same place other category": closed(org, text=TEXT, sub_category="noise.social", category="noise"),
        "open": closed(org, text=TEXT, status=CaseStatus.IN_PROGRESS),
        "merged": closed(org, text=TEXT, status=CaseStatus.MERGED),
        "received later": make_case(received_at=NOW + datetime.timedelta(hours=2), description=TEXT, latitude=LAT,
                                    longitude=LNG, category="air", sub_category="air.catering_fumes"),
    }
    force_status(decoys["received later"], CaseStatus.CLOSED)
    weaker = closed(org, text="小区附近餐馆油烟味道很大。", days_ago=60)  # same sub-category, nearby, other words
    case = current(org, polluter="川味餐馆")

    ranked = similar.similar_cases(case, org.dispatcher)

    ids = [item.case.pk for item in ranked]
    assert ids[0] == planted.pk
    assert weaker.pk in ids
    for name, decoy in decoys.items():
        assert decoy.pk not in ids, name
    first = ranked[0]
    assert first.reasons["same_polluter"] is True and first.reasons["same_sub_category"] is True
    assert first.reasons["distance_m"] < 30 and first.reasons["text_similarity"] > 0.4
    assert first.score > ranked[1].score


def test_far_case_about_the_same_polluter_is_found_through_the_street(org: Any) -> None:
    """The same polluter and street count even outside the box (a geocoded address can be off)."""
    far = closed(org, text="川味餐馆油烟大", lat=FAR_LAT, polluter="川味 餐馆")
    case = current(org, polluter="川味餐馆")  # written differently: compared without spaces
    [item] = similar.similar_cases(case, org.dispatcher)
    assert item.case.pk == far.pk and item.reasons["same_polluter"] is True


def test_case_without_coordinates_compares_with_its_street(org: Any) -> None:
    same_street = closed(org, lat=None, lng=None)
    closed(org, lat=None, lng=None, street=org.other_street)
    case = make_case(received_at=NOW, description=TEXT, category="air", sub_category="air.catering_fumes",
                     street=org.street)
    [item] = similar.similar_cases(case, org.dispatcher)
    assert item.case.pk == same_street.pk and item.reasons["same_street"] is True


def test_without_sub_category_compares_with_the_category(org: Any) -> None:
    found = closed(org, text=NEAR_TEXT)
    case = make_case(received_at=NOW, description=TEXT, latitude=LAT, longitude=LNG, category="air",
                     street=org.street)
    assert [item.case.pk for item in similar.similar_cases(case, org.dispatcher)] == [found.pk]


def test_handling_and_outcome_are_shown(org: Any) -> None:
    planted = with_handling(closed(org))
    [item] = similar.similar_cases(current(org), org.dispatcher)
    assert item.case.pk == planted.pk
    assert item.findings == ["现场检查油烟净化器未开启，张三丰在场。"]
    assert item.rectifications == ["清洗并常开油烟净化设施"]
    assert item.reply.startswith("经核查油烟超标")  # the final reply, not the interim one
    [measured] = item.measurements
    assert measured.outcome == "exceeds" and "GB 18483-2001" in measured.verdict
    assert item.case.visit_solved is True and item.satisfaction


def test_complainant_masked_for_viewers_who_may_not_see_them(org: Any) -> None:
    planted = with_handling(closed(org, text=NEAR_TEXT + "张三丰来电", complainant_name="张三丰",
                                   complainant_phone="13812345678", unit=org.other_squad, title="张三丰反映油烟"))
    case = current(org)
    # The street liaison sees both cases (their street) but not the complainant.
    [masked] = similar.similar_cases(case, org.street_liaison)
    assert masked.case.pk == planted.pk
    texts = [masked.title, masked.description, masked.reply, *masked.findings]
    assert all("13812345678" not in text and "张三丰" not in text for text in texts)
    assert "138****5678" in masked.reply and "张**" in masked.findings[0]
    # The dispatcher sees the complainant, as on the case page.
    [shown] = similar.similar_cases(case, org.dispatcher)
    assert "13812345678" in shown.reply and "张三丰" in shown.description


def test_only_cases_the_viewer_may_open(org: Any) -> None:
    mine = closed(org, unit=org.squad, days_ago=40)
    other = closed(org, text=TEXT, unit=org.other_squad, street=org.other_street)
    case = current(org, polluter="")
    force_status(case, CaseStatus.IN_PROGRESS, handling_unit=org.squad)
    assert {item.case.pk for item in similar.similar_cases(case, org.dispatcher)} == {mine.pk, other.pk}
    assert [item.case.pk for item in similar.similar_cases(case, org.handler)] == [mine.pk]


def test_query_count_does_not_grow_with_the_cases_shown(org: Any) -> None:
    case = current(org)
    with_handling(closed(org, days_ago=10))
    similar.similar_cases(case, org.dispatcher)  # warm the category names' cache
    with CaptureQueriesContext(connection) as one:
        assert len(similar.similar_cases(case, org.dispatcher)) == 1
    for days in range(11, 16):
        with_handling(closed(org, days_ago=days))
    with CaptureQueriesContext(connection) as five:
        assert len(similar.similar_cases(case, org.dispatcher)) == similar.TOP
    assert len(five) == len(one)
    # three candidate statements (ids near; ids in the street; their rows), then the cases, inspections,
    # measurements, rectifications and final replies
    assert len(five) == 8, [q["sql"] for q in five.captured_queries]


def test_fragment_in_chinese_and_english(org: Any) -> None:
    planted = with_handling(closed(org))
    case = current(org)
    response = client_for(org.dispatcher).get(reverse("knowledge:similar-cases", args=[case.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    with translation.override("zh-hans"):
        heading = gettext("Similar past cases")  # 相似案例 once the catalogue has it
    assert heading in page and "已解决" in page and "满意" in page  # zh-Hans, the dispatcher's default language
    assert planted.reference in page and "清洗并常开油烟净化设施" in page
    assert reverse("ui:case-detail", args=[planted.pk]) in page
    english_page = english(org.leader).get(reverse("knowledge:similar-cases", args=[case.pk])).content.decode()
    assert "Similar past cases" in english_page and "Why similar:" in english_page
    assert "same sub-category" in english_page


def test_fragment_when_nothing_is_similar(org: Any) -> None:
    case = current(org)
    page = english(org.dispatcher).get(reverse("knowledge:similar-cases", args=[case.pk])).content.decode()
    assert "No similar closed case was found." in page


def test_fragment_404_for_a_case_the_viewer_may_not_see(org: Any) -> None:
    case = current(org)
    force_status(case, CaseStatus.IN_PROGRESS, handling_unit=org.other_squad, street=org.other_street)
    assert client_for(org.handler).get(reverse("knowledge:similar-cases", args=[case.pk])).status_code == 404
    assert client_for(org.handler).get(f"/api/v1/knowledge/cases/{case.pk}/similar").status_code == 404


def test_api(org: Any) -> None:
    planted = with_handling(closed(org, complainant_name="张三丰", complainant_phone="13812345678",
                                   unit=org.other_squad))
    case = current(org)
    response = client_for(org.street_liaison).get(f"/api/v1/knowledge/cases/{case.pk}/similar")
    assert response.status_code == 200
    body = response.json()
    assert body["case"] == case.pk
    [result] = body["results"]
    assert result["id"] == planted.pk and result["reference"] == planted.reference
    assert result["reasons"]["same_sub_category"] is True and result["score"] > 0.5
    assert result["measurements"][0]["outcome"] == "exceeds"
    assert result["return_visit"] == {"at": planted.visit_at.isoformat(), "contacted": True, "solved": True,
                                      "satisfaction": "satisfied"}
    assert "13812345678" not in response.content.decode()
    assert "complainant_name" not in result and "complainant_phone" not in result
    assert Client().get(f"/api/v1/knowledge/cases/{case.pk}/similar").status_code in (401, 403)


def test_api_is_in_the_schema() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/knowledge/cases/{id}/similar"]["get"]
    assert operation["summary"] == "Similar past cases of a case"
