"""Repeated sources: complaints about one restaurant written differently group into one source; the same name
2 km away, another restaurant next door and a pair of complaints do not; ranking and complainants by hand."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from ecohotline.cases.models import Channel
from ecohotline.cases.services import CaseDraft, create_cases
from ecohotline.core.geo import distance_m
from ecohotline.core.workdays import BEIJING
from ecohotline.insight.sources import (
    chinese_number,
    names_contain,
    normalise_address,
    normalise_name,
    phone_key,
    repeated_sources,
)

pytestmark = pytest.mark.django_db

LAT, LNG = 39.980, 116.310
METRE_LAT = 1 / 111_320
START, END = dt.date(2026, 9, 1), dt.date(2026, 11, 30)


def at(day: str, hour: int = 20) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=BEIJING)


def complaint(*, north_m: float, day: str, polluter: str = "", address: str = "", title: str = "",
              description: str = "投诉", phone: str = "", name: str = "", category: str = "air",
              sub_category: str = "air.catering_fumes") -> CaseDraft:
    return CaseDraft(channel=Channel.HOTLINE_12345, received_at=at(day), description=description, title=title,
                     latitude=LAT + north_m * METRE_LAT, longitude=LNG, address=address, polluter=polluter,
                     complainant_phone=phone, complainant_name=name, category=category, sub_category=sub_category)


def test_normalisation() -> None:
    assert chinese_number("一") == 1 and chinese_number("十二") == 12 and chinese_number("二十") == 20
    assert chinese_number("一二三") == 123 and chinese_number("一百零五") == 105
    assert normalise_address("北京市海淀区中关村大街一号") == normalise_address("海淀区 中关村大街1号") \
        == normalise_address("中关村大街１号附近") == "中关村大街1号"
    assert normalise_name("老王烧烤店") == normalise_name("老王烧烤（中关村店）") == normalise_name("老王 烧烤") \
        == "老王烧烤"
    assert normalise_name("北京某某建筑有限公司") == "北京某某建筑"
    assert normalise_address("百旺茉莉园十号楼") == "百旺茉莉园10号楼"  # 百 in a name stays
    assert names_contain("诚达汽修厂", "诚达汽修厂喷漆房") and names_contain("老王烧烤", "中关村老王烧烤")
    assert not names_contain("裸露土方", "海清园社区旁裸露土方") and not names_contain("老王", "老王烧烤")
    assert phone_key("138 0000 1111") == phone_key("13800001111") != phone_key("13800002222")
    assert phone_key("") == "" and "13800001111" not in phone_key("13800001111")


def make_district() -> None:
    create_cases(actor=None, drafts=[
        # 老王烧烤: three complaints within 50 m, each address written differently; two from one phone
        complaint(north_m=0, day="2026-10-02", polluter="老王烧烤", address="北京市海淀区中关村大街一号",
                  phone="13800001111", name="张三"),
        complaint(north_m=25, day="2026-10-20", polluter="老王烧烤店", address="海淀区中关村大街1号",
                  phone="138 0000 1111", name="张三"),
        complaint(north_m=50, day="2026-11-15", polluter="老王烧烤（中关村店）", address="中关村大街１号附近",
                  phone="13900002222", name="李四", category="noise", sub_category="noise.social"),
        # ... and a fourth 老王烧烤 2 km north: another shop
        complaint(north_m=2000, day="2026-11-16", polluter="老王烧烤", address="海淀区学院路20号",
                  phone="13700003333"),
        # 川味小馆 next door (30 m): its own source, three different complainants
        complaint(north_m=30, day="2026-10-05", polluter="川味小馆", address="中关村大街3号", phone="13600000001"),
        complaint(north_m=35, day="2026-10-25", polluter="川味小馆", address="中关村大街3号", phone="13600000002"),
        complaint(north_m=40, day="2026-11-14", polluter="川味小馆", address="中关村大街三号", phone="13600000003"),
        # Night construction without a polluter's name, told by the texts, 600 m away
        complaint(north_m=600, day="2026-09-10", title="小区门口夜间施工噪声扰民", category="noise",
                  sub_category="noise.construction"),
        complaint(north_m=620, day="2026-09-12", title="小区门口夜间施工噪音扰民", category="noise",
                  sub_category="noise.construction"),
        complaint(north_m=640, day="2026-09-13", title="夜间施工噪声扰民，小区门口", category="noise",
                  sub_category="noise.construction"),
        # A pair is not a repeated source
        complaint(north_m=-900, day="2026-11-01", polluter="好再来洗车", phone="13500000001"),
        complaint(north_m=-900, day="2026-11-02", polluter="好再来洗车", phone="13500000002"),
        # Outside the period
        complaint(north_m=0, day="2026-08-30", polluter="老王烧烤", phone="13800009999"),
    ])


def test_complaints_about_one_restaurant_group_into_one_source() -> None:
    make_district()

    found = repeated_sources(START, END, top=None)

    by_name = {source.name: source for source in found.sources}
    assert found.cases == 12
    assert set(by_name) == {"老王烧烤", "川味小馆", "小区门口夜间施工噪声扰民"}
    wang = by_name["老王烧烤"]
    assert wang.complaints == 3 and wang.complainants == 2
    assert wang.address == "北京市海淀区中关村大街一号"  # every spelling once: the first
    assert wang.by_month == {"2026-10": 2, "2026-11": 1}
    assert wang.by_category == {"air.catering_fumes": 2, "noise.social": 1}
    assert wang.first_at == at("2026-10-02") and wang.last_at == at("2026-11-15")
    assert distance_m(LNG, LAT, wang.longitude or 0, wang.latitude or 0) == pytest.approx(25, abs=1)
    assert found.cases_of(wang).count() == 3
    assert not found.cases_of(wang).filter(latitude__gt=LAT + 100 * METRE_LAT).exists()  # not the one 2 km away
    assert by_name["川味小馆"].complainants == 3
    assert by_name["小区门口夜间施工噪声扰民"].complaints == 3


def test_ranked_by_complaints_complainants_and_recency() -> None:
    make_district()

    found = repeated_sources(START, END, top=None)

    # Days from the last complaint (20:00) to the end of 30 November: 川味小馆 16 d 4 h, 老王烧烤 15 d 4 h, the
    # construction 78 d 4 h. Scores: (3 + 3) × 0.5^(16.17 / 30) = 4.13 > (3 + 2) × 0.5^(15.17 / 30) = 3.52 > 0.99
    assert [source.name for source in found.sources] == ["川味小馆", "老王烧烤", "小区门口夜间施工噪声扰民"]
    assert [source.rank for source in found.sources] == [1, 2, 3]
    assert found.sources[0].score == pytest.approx(6 * 0.5 ** ((16 + 4 / 24) / 30))
    assert found.sources[1].score == pytest.approx(5 * 0.5 ** ((15 + 4 / 24) / 30))
    assert found.sources[2].score == pytest.approx(6 * 0.5 ** ((78 + 4 / 24) / 30))
    assert [source.name for source in repeated_sources(START, END, top=1).sources] == ["川味小馆"]


def test_category_and_radius() -> None:
    make_district()
    assert [s.name for s in repeated_sources(START, END, category="noise").sources] == ["小区门口夜间施工噪声扰民"]
    # Within 10 m the complaints 20 m apart no longer link by place; the restaurants' still do by their addresses
    assert [s.name for s in repeated_sources(START, END, radius_m=10).sources] == ["川味小馆", "老王烧烤"]
    assert [s.name for s in repeated_sources(START, END, radius_m=10, min_complaints=2).sources] == [
        "川味小馆", "老王烧烤", "好再来洗车"]


def test_no_complainant_data_in_the_result() -> None:
    make_district()
    text = json.dumps(repeated_sources(START, END).as_json(), ensure_ascii=False)
    for secret in ("13800001111", "13900002222", "张三", "李四", phone_key("13800001111")):
        assert secret not in text


def test_a_name_inside_another_links_but_a_name_from_the_same_pattern_does_not() -> None:
    create_cases(actor=None, drafts=[
        complaint(north_m=0, day="2026-10-01", polluter="诚达汽修厂", address="学院路1号", category="air",
                  sub_category="air.industrial"),
        complaint(north_m=20, day="2026-10-08", polluter="诚达汽修厂", address="学院路一号院", category="air",
                  sub_category="air.industrial"),
        complaint(north_m=40, day="2026-10-15", polluter="诚达汽修厂喷漆房", address="学院路甲1号", category="air",
                  sub_category="air.industrial"),
        # 0.86 alike by n-grams, but two places: 2 + 1 complaints, no source of 3
        complaint(north_m=3000, day="2026-10-01", polluter="学清路科研楼项目工地", phone="13300000001"),
        complaint(north_m=3010, day="2026-10-02", polluter="学清路科研楼项目工地", phone="13300000002"),
        complaint(north_m=3020, day="2026-10-03", polluter="双清路科研楼项目工地", phone="13300000003"),
    ])

    found = repeated_sources(START, END, top=None)

    assert [(source.name, source.complaints) for source in found.sources] == [("诚达汽修厂", 3)]
