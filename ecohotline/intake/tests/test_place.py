"""The place step: real Haidian addresses, other districts, ambiguous names, conflicts and coordinates."""

import datetime as dt
import time

import pytest

from ecohotline.core import geo
from ecohotline.core.gazetteer import COMMUNITY, DISTRICT, TOWNSHIP, Division, Gazetteer
from ecohotline.demo.places import PLACES, PLACES_BY_CODE
from ecohotline.intake.orders import OrderInput
from ecohotline.intake.place import Placer, place_order, placer_for
from ecohotline.org.models import OrgUnit, UnitKind

# Unsaved units with primary keys: the place step reads names only, no database.
STREETS = [OrgUnit(pk=i + 1, name=p.name, code=p.code, kind=p.kind) for i, p in enumerate(PLACES)]
CENTRE = {p.name: (p.longitude, p.latitude) for p in PLACES}


def order(address: str = "", **fields) -> OrderInput:
    return OrderInput(channel="hotline_12345", external_id="2026050300001",
                      received_at=dt.datetime(2026, 5, 3, 9, 0, tzinfo=dt.UTC), description="噪音扰民",
                      address=address, **fields)


def place(address: str = "", streets=STREETS, **fields):
    return place_order(order(address, **fields), streets)


def near(name: str, east_m: float = 150, north_m: float = 100) -> tuple[float, float]:
    lng, lat = CENTRE[name]
    return lng + east_m / 85_000, lat + north_m / 111_000


# --- real Haidian addresses ---

def test_street_and_community_in_the_address():
    p = place("北京市海淀区学院路街道二里庄社区3号楼2单元")
    assert p.placed and p.street.name == "学院路街道" and p.community == "二里庄社区"
    assert p.district == "海淀区" and p.code == "110108010" and p.decided_by == "address"
    assert p.reason.startswith("地址含“学院路街道”")


def test_a_towns_official_name():
    p = place("海淀区西北旺镇永丰屯村南口")
    assert p.placed and p.street.name == "西北旺地区" and p.community == "永丰屯村"
    assert "西北旺镇" in p.reason and "西北旺地区" in p.reason


def test_a_short_form_without_the_district():
    p = place("四季青常青园社区5号楼")
    assert p.placed and p.street.name == "四季青地区" and p.community == "常青园社区" and p.district == "海淀区"


def test_haidian_town_is_wanliu():
    p = place("北京市海淀区海淀镇六郎庄村")
    assert p.placed and p.street.name == "万柳地区" and p.community == "六郎庄村"


def test_haidian_street_is_not_the_district():
    assert place("北京市海淀区海淀街道稻香园南社区").street.name == "海淀街道"
    assert place("海淀西三旗育新花园社区").street.name == "西三旗街道"


def test_a_community_alone_places_its_street():
    p = place("海淀黄庄")
    assert p.placed and p.street.name == "中关村街道" and p.community == "黄庄社区" and p.decided_by == "community"
    assert "黄庄社区" in p.reason and "中关村街道" in p.reason


def test_a_road_alone_is_not_a_street():
    p = place("北京市海淀区中关村大街27号")
    assert not p.placed and p.street is None and p.district == "海淀区"
    assert "中关村大街" in p.reason and "道路" in p.reason


def test_a_road_with_coordinates_goes_to_the_nearest_street_centre():
    lng, lat = near("中关村街道")
    gcj = geo.wgs84_to_gcj02(lng, lat)
    p = place("北京市海淀区中关村大街27号", longitude=gcj[0], latitude=gcj[1], coordinate_system="gcj02")
    assert p.placed and p.street.name == "中关村街道" and p.decided_by == "coordinates"
    assert "按坐标就近归入中关村街道" in p.reason
    assert geo.distance_m(p.longitude, p.latitude, lng, lat) < 1


def test_coordinates_far_from_every_street_are_not_used_to_place():
    p = place("北京市海淀区", longitude=116.60, latitude=40.30)  # 怀柔/顺义, far from any Haidian street
    assert not p.placed and "坐标附近也没有足够近的街乡中心" in p.reason


def test_coordinates_between_two_streets_decide_nothing():
    a, b = CENTRE["中关村街道"], CENTRE["海淀街道"]
    p = place("北京市海淀区", longitude=(a[0] + b[0]) / 2, latitude=(a[1] + b[1]) / 2)
    assert not p.placed


# --- other districts ---

def test_another_districts_address_is_flagged_not_placed():
    p = place("北京市朝阳区望京街道望京西园三区")
    assert not p.placed and p.street is None and p.district == "朝阳区"
    assert p.reason.startswith("地址位于朝阳区，不属本区")


def test_another_district_by_its_short_name():
    p = place("朝阳八里庄")
    assert not p.placed and p.district == "朝阳区" and "不属本区" in p.reason


def test_another_district_in_the_hotline_field():
    p = place("某小区", district="丰台区")
    assert not p.placed and p.district == "丰台区" and p.reason.startswith("所属区为丰台区，不属本区")


def test_a_street_only_another_district_has():
    p = place("望京街道望京西园三区")
    assert not p.placed and p.district == "朝阳区"


# --- ambiguous names ---

def test_a_community_in_two_streets_is_flagged():
    p = place("海淀区树村")
    assert not p.placed and "上地街道" in p.reason and "万柳地区" in p.reason and "无法确定" in p.reason


def test_a_community_in_two_streets_takes_the_hotlines_street():
    p = place("海淀区树村", street_name="上地街道")
    assert p.placed and p.street.name == "上地街道" and p.community == "树村"


def test_a_community_in_two_streets_with_coordinates():
    lng, lat = near("万柳地区")
    p = place("海淀区树村", longitude=lng, latitude=lat)
    assert p.placed and p.street.name == "万柳地区" and p.community == "树村" and "按坐标" in p.reason


def test_a_street_name_in_two_districts_needs_the_district():
    p = place("八里庄街道")
    assert not p.placed and "朝阳区" in p.reason and "海淀区" in p.reason
    p = place("八里庄街道", district="海淀区")
    assert p.placed and p.street.name == "八里庄街道"


def test_the_other_names_in_the_address_settle_the_district():
    # 恩济里社区 is Haidian's 八里庄街道's, so the address is Haidian's.
    p = place("八里庄街道恩济里社区")
    assert p.placed and p.street.name == "八里庄街道" and p.community == "恩济里社区"


# --- the hotline's fields ---

def test_the_hotlines_street_decides():
    p = place("北京市海淀区中关村大街12号", street_name="中关村街道", longitude=116.3162, latitude=39.9834)
    assert p.placed and p.street.name == "中关村街道" and p.decided_by == "field"
    assert p.reason == "按所属街乡“中关村街道”"
    assert (p.longitude, p.latitude) == (116.3162, 39.9834)


def test_the_hotlines_street_by_an_alias():
    assert place("", street_name="西北旺镇").street.name == "西北旺地区"
    assert place("", street_name="海淀镇").street.name == "万柳地区"
    assert place("", street_name="马连洼街道办事处").street.name == "马连洼街道"


def test_a_conflict_prefers_the_hotlines_field_and_says_so():
    p = place("海淀区学院路街道二里庄社区", street_name="中关村街道")
    assert p.placed and p.street.name == "中关村街道" and p.community == ""
    assert "学院路街道" in p.reason and "不符" in p.reason and "以所属街乡为准" in p.reason


def test_a_community_of_another_street_is_a_conflict_too():
    p = place("二里庄社区", street_name="中关村街道")
    assert p.street.name == "中关村街道" and "二里庄社区属学院路街道" in p.reason


def test_a_district_conflict_prefers_the_field():
    p = place("北京市朝阳区望京西园", district="海淀区", street_name="中关村街道")
    assert p.placed and p.street.name == "中关村街道"
    assert "所属区为海淀区，地址却写朝阳区" in p.reason


def test_an_unknown_hotline_street_falls_back_to_the_address():
    p = place("海淀区清河街道安宁里社区", street_name="望京街道")
    assert p.placed and p.street.name == "清河街道" and "望京街道" in p.reason


# --- coordinates ---

def test_bd09_coordinates_are_converted():
    lng, lat = near("学院路街道")
    bd = geo.wgs84_to_bd09(lng, lat)
    p = place("海淀区学院路街道", longitude=bd[0], latitude=bd[1], coordinate_system="bd09")
    assert geo.distance_m(p.longitude, p.latitude, lng, lat) < 1


def test_without_coordinates_the_street_centre_stands_in():
    p = place("海淀区学院路街道二里庄社区")
    assert (p.longitude, p.latitude) == CENTRE["学院路街道"]
    assert "坐标取自街乡中心" in p.reason


def test_without_coordinates_the_community_centre_stands_in():
    small = Gazetteer([
        Division(1, 1, "city", "110000", "北京市", None, ("北京",)),
        Division(2, DISTRICT, "district", "110108", "海淀区", 1, ("海淀",)),
        Division(3, TOWNSHIP, "street", "110108010", "学院路街道", 2, (), 39.998, 116.35),
        Division(4, COMMUNITY, "community", "", "二里庄社区", 3, ("二里庄",), 39.9921, 116.3502),
    ])
    p = place_order(order("海淀区二里庄5号楼"), STREETS, gazetteer=small)
    assert p.placed and p.street.name == "学院路街道" and p.community == "二里庄社区"
    assert (p.latitude, p.longitude) == (39.9921, 116.3502) and "坐标取自社区中心" in p.reason


def test_coordinates_outside_beijing_are_dropped():
    p = place("海淀区学院路街道", longitude=121.47, latitude=31.23)
    assert p.placed and "不在北京市范围内" in p.reason and (p.longitude, p.latitude) == CENTRE["学院路街道"]


def test_swapped_coordinates_are_put_right():
    p = place("海淀区学院路街道", longitude=40.0, latitude=116.35)
    assert p.placed and "经纬度填反" in p.reason and (p.longitude, p.latitude) == (116.35, 40.0)


def test_coordinates_far_from_the_street_get_a_note():
    p = place("海淀区苏家坨地区前沙涧村", longitude=116.40, latitude=39.90)
    assert p.placed and p.street.name == "苏家坨地区" and "请核对" in p.reason


def test_an_unknown_coordinate_system_is_noted():
    p = place("海淀区学院路街道", longitude=116.35, latitude=40.0, coordinate_system="mercator")
    assert p.placed and "坐标系“mercator”无法识别" in p.reason


# --- flagged, never guessed ---

def test_nothing_to_go_on():
    p = place("某小区门口")
    assert not p.placed and p.street is None and p.reason == "无法从地址确定街乡"
    assert p.latitude is None and p.longitude is None


def test_only_the_district():
    p = place("北京市海淀区")
    assert not p.placed and p.reason == "地址只写到海淀区，无法确定街乡"


def test_a_street_without_a_unit_is_flagged_with_what_was_found():
    p = place("海淀区清河街道安宁里社区", streets=[s for s in STREETS if s.name != "清河街道"])
    assert not p.placed and p.community == "安宁里社区" and "系统中没有清河街道" in p.reason


def test_units_the_gazetteer_does_not_know_still_match_by_name():
    units = [OrgUnit(pk=1, name="街道1", code="street-1", kind=UnitKind.STREET)]
    assert place("", streets=units, street_name="街道1").street is units[0]
    assert place("海淀区街道1某小区", streets=units).street is units[0]


# --- the placer ---

def test_the_placer_is_built_once_per_list_of_streets():
    assert placer_for(STREETS) is placer_for(list(STREETS))
    renamed = [OrgUnit(pk=s.pk, name=s.name, code=s.code, kind=s.kind) for s in STREETS]
    assert place_order(order("海淀区学院路街道"), renamed).street is renamed[PLACES.index(
        PLACES_BY_CODE["xueyuanlu"])]


def test_the_district_comes_from_the_streets():
    assert Placer(STREETS).home.name == "海淀区"
    chaoyang = [OrgUnit(pk=1, name="望京街道", code="wangjing", kind=UnitKind.STREET)]
    placer = Placer(chaoyang)
    assert placer.home.name == "朝阳区"
    assert placer.place(order("北京市朝阳区望京街道")).street is chaoyang[0]
    assert placer.place(order("北京市海淀区学院路街道")).reason.startswith("地址位于海淀区，不属本区")


def test_an_explicit_district():
    with pytest.raises(ValueError):
        Placer(STREETS, district="火星区")


def test_the_payload_says_what_decided():
    payload = place("海淀区学院路街道二里庄社区").as_payload()
    assert payload["placed"] is True and payload["street_name"] == "学院路街道"
    assert payload["decided_by"] == "address" and payload["code"] == "110108010"


def test_placing_is_fast():
    orders = [order(f"北京市海淀区{p.name}{p.communities[0]}{n}号楼") for n in range(50) for p in PLACES]
    place_order(orders[0], STREETS)
    started = time.perf_counter()
    for o in orders:
        place_order(o, STREETS)
    per_order = (time.perf_counter() - started) / len(orders)
    assert per_order < 0.001  # the budget is 0.2 ms; bench/place_speed.py measures ~0.03 ms


def test_a_street_in_full_outranks_another_streets_short_form():
    p = place("北京市海淀区清河街道上地佳园5号楼")
    assert p.placed and p.street.name == "清河街道" and "上地" in p.reason


def test_two_streets_in_full_are_ambiguous():
    p = place("海淀区中关村街道与学院路街道交界处")
    assert not p.placed and "同时提到" in p.reason
