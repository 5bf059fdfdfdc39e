"""Which industry (GB/T 4754-2017) a complaint is about, from its polluter, title and sub-category."""

from __future__ import annotations

import pytest

from ecohotline.insight.industries import INDUSTRIES, SECTIONS, assign_industry, industry_name, section_of


def test_the_twenty_sections_a_to_t() -> None:
    assert [s.code for s in SECTIONS] == list("ABCDEFGHIJKLMNOPQRST")
    assert INDUSTRIES["H62"].name_zh == "餐饮业" and INDUSTRIES["E47"].name_zh == "房屋建筑业"
    assert INDUSTRIES["G59"].section == "G" and section_of("O81") == "O" and section_of(None) is None


@pytest.mark.parametrize(("polluter", "title", "sub_category", "expected"), [
    ("老王烧烤", "", "noise.social", "H62"),            # the polluter names a restaurant
    ("", "小区旁饭店油烟扰民", "", "H62"),                 # the title does when the polluter is blank
    ("中建某项目工地", "", "air.dust", "E47"),
    ("", "夜间施工噪声", "", "E47"),
    ("某某汽修厂", "", "air.odor", "O81"),               # 汽修 before the generic 厂
    ("某食品厂", "", "air.odor", "C14"),                 # a food factory, not a restaurant
    ("某家具厂", "", "", "C21"),
    ("某电子厂房", "", "", "C"),                          # only the section is known
    ("顺丰快递站", "", "noise.social", "G60"),
    ("京东物流园", "", "", "G59"),
    ("某某KTV", "", "noise.social", "R90"),
    ("", "饭店装修噪声", "noise.social", "E50"),          # renovation is named before the restaurant
    ("", "", "air.catering_fumes", "H62"),              # the sub-category alone
    ("", "", "noise.construction", "E47"),
    ("", "", "noise.industrial", "C"),
    ("", "楼上邻居噪声", "noise.social", None),           # unsure: no guess
    ("", "河水发黑", "water.quality", None),
])
def test_assignment_rules(polluter: str, title: str, sub_category: str, expected: str | None) -> None:
    assert assign_industry(polluter=polluter, title=title, sub_category=sub_category) == expected


def test_the_title_is_read_only_when_no_polluter_is_named() -> None:
    assert assign_industry(polluter="某物流仓库", title="工地旁仓库噪声") == "G59"
    assert assign_industry(polluter="某某公司", title="某某公司工地噪声", sub_category="noise.social") is None
    assert assign_industry(polluter="", title="某某公司工地噪声", sub_category="noise.social") == "E47"


def test_names() -> None:
    assert industry_name("H62") == "H62 餐饮业"
    assert industry_name("C", chinese=False) == "C Manufacturing"
    assert industry_name(None) == industry_name("X99")  # "unknown" in the active language


def test_a_place_name_with_chang_is_not_a_factory() -> None:
    assert assign_industry(polluter="蓝靛厂东路路边", sub_category="waste.solid") is None
    assert assign_industry(polluter="新世纪木材加工厂") == "C"
