"""The limit tables a standard article shows, built from the `ecohotline.standards` module's own data (the same
numbers the verdicts use), never copied into the knowledge base.

`tables_for("GB 22337-2008")` gives the tables of that standard, or an empty list for a code the standards module
does not implement."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ecohotline.standards import fumes, noise, water
from ecohotline.standards.aqi import (
    HJ633_2012,
    HJ633_2012_TABLE1_CO_1H,
    HJ633_2012_TABLE1_CO_24H,
    HJ633_2012_TABLE1_IAQI,
    HJ633_2012_TABLE1_NO2_1H,
    HJ633_2012_TABLE1_NO2_24H,
    HJ633_2012_TABLE1_O3_1H,
    HJ633_2012_TABLE1_O3_8H,
    HJ633_2012_TABLE1_PM10_24H,
    HJ633_2012_TABLE1_PM25_24H,
    HJ633_2012_TABLE1_SO2_1H,
    HJ633_2012_TABLE1_SO2_24H,
    HJ633_2026,
    HJ633_2026_TABLE3_CO_1H,
    HJ633_2026_TABLE3_CO_24H,
    HJ633_2026_TABLE3_IAQI,
    HJ633_2026_TABLE3_NO2_1H,
    HJ633_2026_TABLE3_NO2_24H,
    HJ633_2026_TABLE3_O3_1H,
    HJ633_2026_TABLE3_O3_8H,
    HJ633_2026_TABLE3_PM10_24H,
    HJ633_2026_TABLE3_PM25_24H,
    HJ633_2026_TABLE3_SO2_1H,
    HJ633_2026_TABLE3_SO2_24H,
    HJ633_AQI_LEVELS,
)


@dataclass(frozen=True)
class StandardTable:
    """One table as printed: a caption, column headings and rows of cells (text)."""

    caption: str | Promise
    headers: Sequence[str | Promise]
    rows: Sequence[Sequence[str]]
    source: str  # the standards module's constant it was built from, for the curious


def _num(value: float) -> str:
    return f"{value:g}"


def _zone_table(caption: str, table: Mapping[str, noise.DayNight], source: str) -> StandardTable:
    rows = [[zone, str(limits.day), str(limits.night)] for zone, limits in table.items()]
    return StandardTable(caption, [_("Zone class"), _("Day, dB(A)"), _("Night, dB(A)")], rows, source)


def _structure_table(code: str, table: Sequence[tuple[tuple[str, ...], noise.DayNight, noise.DayNight]],
                     source: str) -> StandardTable:
    rows = [["、".join(zones), str(a.day), str(a.night), str(b.day), str(b.night)] for zones, a, b in table]
    return StandardTable(
        f"{code} 表2 结构传播固定设备室内噪声排放限值（等效声级）",
        [_("Zone class"), _("Room A, day"), _("Room A, night"), _("Room B, day"), _("Room B, night")], rows, source)


def _correction_table(code: str, number: str, table: Sequence[tuple[int, int, int]], source: str) -> StandardTable:
    rows = [[str(low) if low == high else f"{low}～{high}", str(correction)] for low, high, correction in table]
    return StandardTable(f"{code} {number} 测量结果修正表",
                         [_("Difference to background, dB(A)"), _("Correction, dB(A)")], rows, source)


def _gb3096() -> list[StandardTable]:
    return [_zone_table("GB 3096-2008 表1 环境噪声限值", noise.GB3096_TABLE_1, "noise.GB3096_TABLE_1")]


def _gb12348() -> list[StandardTable]:
    return [
        _zone_table("GB 12348-2008 表1 工业企业厂界环境噪声排放限值", noise.GB12348_TABLE_1,
                    "noise.GB12348_TABLE_1"),
        _structure_table("GB 12348-2008", noise.GB12348_TABLE_2, "noise.GB12348_TABLE_2"),
        _correction_table("GB 12348-2008", "表4", noise.GB12348_TABLE_4, "noise.GB12348_TABLE_4"),
    ]


def _gb22337() -> list[StandardTable]:
    return [
        _zone_table("GB 22337-2008 表1 社会生活噪声排放源边界噪声排放限值", noise.GB22337_TABLE_1,
                    "noise.GB22337_TABLE_1"),
        _structure_table("GB 22337-2008", noise.GB22337_TABLE_2, "noise.GB22337_TABLE_2"),
        _correction_table("GB 22337-2008", "表4", noise.GB22337_TABLE_4, "noise.GB22337_TABLE_4"),
    ]


def _gb12523() -> list[StandardTable]:
    limits = noise.GB12523_TABLE_1
    return [
        StandardTable("GB 12523-2011 表1 建筑施工场界环境噪声排放限值", [_("Day, dB(A)"), _("Night, dB(A)")],
                      [[str(limits.day), str(limits.night)]], "noise.GB12523_TABLE_1"),
        _correction_table("GB 12523-2011", "表2", noise.GB12523_TABLE_2, "noise.GB12523_TABLE_2"),
    ]


_AQI_COLUMNS_2012 = (
    ("SO₂ 24h", HJ633_2012_TABLE1_SO2_24H), ("SO₂ 1h", HJ633_2012_TABLE1_SO2_1H),
    ("NO₂ 24h", HJ633_2012_TABLE1_NO2_24H), ("NO₂ 1h", HJ633_2012_TABLE1_NO2_1H),
    ("PM10 24h", HJ633_2012_TABLE1_PM10_24H), ("CO 24h (mg/m³)", HJ633_2012_TABLE1_CO_24H),
    ("CO 1h (mg/m³)", HJ633_2012_TABLE1_CO_1H), ("O₃ 1h", HJ633_2012_TABLE1_O3_1H),
    ("O₃ 8h", HJ633_2012_TABLE1_O3_8H), ("PM2.5 24h", HJ633_2012_TABLE1_PM25_24H),
)
_AQI_COLUMNS_2026 = (
    ("SO₂ 24h", HJ633_2026_TABLE3_SO2_24H), ("SO₂ 1h", HJ633_2026_TABLE3_SO2_1H),
    ("NO₂ 24h", HJ633_2026_TABLE3_NO2_24H), ("NO₂ 1h", HJ633_2026_TABLE3_NO2_1H),
    ("PM10 24h", HJ633_2026_TABLE3_PM10_24H), ("CO 24h (mg/m³)", HJ633_2026_TABLE3_CO_24H),
    ("CO 1h (mg/m³)", HJ633_2026_TABLE3_CO_1H), ("O₃ 1h", HJ633_2026_TABLE3_O3_1H),
    ("O₃ 8h", HJ633_2026_TABLE3_O3_8H), ("PM2.5 24h", HJ633_2026_TABLE3_PM25_24H),
)


def _iaqi_table(caption: str, iaqi: Sequence[int], columns: Sequence[tuple[str, Sequence[int]]],
                source: str) -> StandardTable:
    rows = [[str(index), *(str(limits[i]) if i < len(limits) else "—" for _name, limits in columns)]
            for i, index in enumerate(iaqi)]
    return StandardTable(caption, ["IAQI", *(name for name, _limits in columns)], rows, source)


def _levels_table(code: str, number: str) -> StandardTable:
    rows = []
    low = 0
    for top, level, category, _english, _colour, hex_colour in HJ633_AQI_LEVELS:
        rows.append([f"{low}～{top}", str(level), category, hex_colour])
        low = top + 1
    return StandardTable(f"{code} {number} 空气质量指数及相关信息", [_("AQI"), _("Level"), _("Category"), _("Colour")],
                         rows, "aqi.HJ633_AQI_LEVELS")


def _hj633_2012() -> list[StandardTable]:
    return [
        _iaqi_table("HJ 633-2012 表1 空气质量分指数及对应的污染物项目浓度限值（μg/m³）",
                    HJ633_2012_TABLE1_IAQI, _AQI_COLUMNS_2012, "aqi.HJ633_2012_TABLE1_*"),
        _levels_table(HJ633_2012, "表2"),
    ]


def _hj633_2026() -> list[StandardTable]:
    return [
        _levels_table(HJ633_2026, "表1"),
        _iaqi_table("HJ 633-2026 表3 空气质量分指数及对应的污染物项目浓度限值（μg/m³）",
                    HJ633_2026_TABLE3_IAQI, _AQI_COLUMNS_2026, "aqi.HJ633_2026_TABLE3_*"),
    ]


def _gb18483() -> list[StandardTable]:
    rows = []
    for scale, (low, high) in fumes.GB18483_TABLE_1.items():
        limit, efficiency = fumes.GB18483_TABLE_2[scale]
        stoves = f"≥{low}, <{high}" if high is not None else f"≥{low}"
        rows.append([scale.label, stoves, _num(limit), _num(efficiency)])
    return [StandardTable(
        "GB 18483-2001 表1/表2 饮食业单位的规模划分、油烟最高允许排放浓度和净化设施最低去除效率",
        [_("Scale"), _("Base stoves"), _("Limit, mg/m³"), _("Lowest removal efficiency, %")], rows,
        "fumes.GB18483_TABLE_1, fumes.GB18483_TABLE_2")]


def _db11_1488() -> list[StandardTable]:
    rows = [[pollutant.label, _num(limit), since.isoformat()]
            for pollutant, (limit, since) in fumes.DB11_1488_LIMITS.items()]
    return [StandardTable("DB11/1488-2018 餐饮业大气污染物排放限值",
                          [_("Pollutant"), _("Limit, mg/m³"), _("Applies from")], rows, "fumes.DB11_1488_LIMITS")]


def _gb3838() -> list[StandardTable]:
    classes = ["Ⅰ类", "Ⅱ类", "Ⅲ类", "Ⅳ类", "Ⅴ类"]
    rows = [[water.WATER_INDICATORS["ph"][0], "", *(["6～9"] * 5)]]
    for key, limits in water.GB3838_TABLE_1_AT_LEAST.items():
        name, unit = water.WATER_INDICATORS[key]
        rows.append([name, f"≥ {unit}", *(_num(v) for v in limits)])
    for key, limits in water.GB3838_TABLE_1_AT_MOST.items():
        name, unit = water.WATER_INDICATORS[key]
        rows.append([name, f"≤ {unit}", *(_num(v) for v in limits)])
    for key, limits in water.GB3838_TABLE_1_LAKE_RESERVOIR.items():
        name, unit = water.WATER_INDICATORS[key]
        rows.append([f"{name}（湖、库）", f"≤ {unit}", *(_num(v) for v in limits)])
    return [StandardTable("GB 3838-2002 表1 地表水环境质量标准基本项目标准限值",
                          [_("Indicator"), _("Unit"), *classes], rows, "water.GB3838_TABLE_1_*")]


TABLES: dict[str, Callable[[], list[StandardTable]]] = {
    "GB 3096-2008": _gb3096,
    "GB 12348-2008": _gb12348,
    "GB 22337-2008": _gb22337,
    "GB 12523-2011": _gb12523,
    HJ633_2012: _hj633_2012,
    HJ633_2026: _hj633_2026,
    fumes.GB18483_CODE: _gb18483,
    fumes.DB11_1488_CODE: _db11_1488,
    water.STANDARD: _gb3838,
}


def tables_for(code: str) -> list[StandardTable]:
    """The limit tables of the standard `code` (as printed, e.g. "GB 22337-2008"); [] if not implemented."""
    build = TABLES.get(" ".join(code.split()))
    return build() if build else []
