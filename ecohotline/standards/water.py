"""GB 3838-2002 地表水环境质量标准: the water-quality class (水质类别) of one surface-water sample.

The class is found by single-factor evaluation (单因子评价, GB 3838 §5.1): each indicator gets the best class
whose Table 1 limit it meets, and the sample takes the worst of those classes; an indicator that meets no
class-V limit makes the sample 劣Ⅴ类. Which indicators take part follows 《地表水环境质量评价办法（试行）》
(环办〔2011〕22号): the Table 1 basic items except water temperature, total nitrogen and faecal coliforms.

Readings of shared/domain/standards.md §6 taken here:

* Water temperature (Table 1 item 1) limits a man-made *change*, not a value, so it is not accepted.
* Dissolved oxygen class I is "饱和率90%（或7.5）"; only the 7.5 mg/L form is implemented (no saturation input).
* pH: the standard gives only 6～9 for every class. A pH within 6–9 (inclusive) meets class I; outside it meets
  no class and is 劣Ⅴ. The 劣Ⅴ treatment is what implementations do and is marked UNCERTAIN in the file.
* Total nitrogen has limits for lakes and reservoirs (湖、库) only. For a lake or reservoir it is classified and
  reported in `per_indicator`, but, like faecal coliforms, it does not decide the sample's class (the 评价办法
  uses it for nutrient evaluation only); both are listed in `not_counted`. For a river it has no limit and is
  listed in `not_applicable`.
* A value equal to a limit meets that class: "≤" for every item, "≥" for dissolved oxygen.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from numbers import Real
from types import MappingProxyType
from typing import Any, Final

from django.utils.translation import gettext_lazy as _

from ecohotline.standards.errors import StandardsError

STANDARD: Final = "GB 3838-2002"


class WaterClass(StrEnum):
    """水质类别, best to worst. The value is a stable code; `label` is the standard's Chinese name."""

    I = "I"  # noqa: E741 - the standard's own name for the class
    II = "II"
    III = "III"
    IV = "IV"
    V = "V"
    WORSE_THAN_V = "worse_than_V"

    @property
    def label(self) -> str:
        return _WATER_CLASS_LABELS[self]

    @property
    def rank(self) -> int:
        """1 for class I … 6 for 劣Ⅴ: larger is worse."""
        return _WATER_CLASS_ORDER.index(self) + 1


_WATER_CLASS_ORDER: Final[tuple[WaterClass, ...]] = tuple(WaterClass)
_WATER_CLASS_LABELS: Final[Mapping[WaterClass, str]] = MappingProxyType(
    {
        WaterClass.I: "Ⅰ类",
        WaterClass.II: "Ⅱ类",
        WaterClass.III: "Ⅲ类",
        WaterClass.IV: "Ⅳ类",
        WaterClass.V: "Ⅴ类",
        WaterClass.WORSE_THAN_V: "劣Ⅴ类",
    }
)
# The five classes that have limits, in the order of the limit tuples below.
_LIMIT_CLASSES: Final[tuple[WaterClass, ...]] = _WATER_CLASS_ORDER[:5]

# key -> (Chinese name as in Table 1, unit). Table 1 order, water temperature left out (see module docstring).
WATER_INDICATORS: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "ph": ("pH值", "无量纲"),
        "dissolved_oxygen": ("溶解氧", "mg/L"),
        "permanganate_index": ("高锰酸盐指数", "mg/L"),
        "cod": ("化学需氧量（COD）", "mg/L"),
        "bod5": ("五日生化需氧量（BOD5）", "mg/L"),
        "ammonia_nitrogen": ("氨氮（NH3-N）", "mg/L"),
        "total_phosphorus": ("总磷（以P计）", "mg/L"),
        "total_nitrogen": ("总氮（湖、库，以N计）", "mg/L"),
        "copper": ("铜", "mg/L"),
        "zinc": ("锌", "mg/L"),
        "fluoride": ("氟化物（以F⁻计）", "mg/L"),
        "selenium": ("硒", "mg/L"),
        "arsenic": ("砷", "mg/L"),
        "mercury": ("汞", "mg/L"),
        "cadmium": ("镉", "mg/L"),
        "chromium_hexavalent": ("铬（六价）", "mg/L"),
        "lead": ("铅", "mg/L"),
        "cyanide": ("氰化物", "mg/L"),
        "volatile_phenol": ("挥发酚", "mg/L"),
        "petroleum": ("石油类", "mg/L"),
        "anionic_surfactant": ("阴离子表面活性剂", "mg/L"),
        "sulfide": ("硫化物", "mg/L"),
        "fecal_coliform": ("粪大肠菌群", "个/L"),
    }
)

# Table 1, pH row: 6～9 for every class, inclusive.
GB3838_TABLE_1_PH_RANGE: Final[tuple[float, float]] = (6.0, 9.0)

# Table 1, "≥" row: dissolved oxygen, limits for classes I, II, III, IV, V (class I: the 7.5 mg/L form).
GB3838_TABLE_1_AT_LEAST: Final[Mapping[str, tuple[float, float, float, float, float]]] = MappingProxyType(
    {"dissolved_oxygen": (7.5, 6.0, 5.0, 3.0, 2.0)}
)

# Table 1, "≤" rows, limits for classes I, II, III, IV, V; total phosphorus here is the river value.
GB3838_TABLE_1_AT_MOST: Final[Mapping[str, tuple[float, float, float, float, float]]] = MappingProxyType(
    {
        "permanganate_index": (2.0, 4.0, 6.0, 10.0, 15.0),
        "cod": (15.0, 15.0, 20.0, 30.0, 40.0),
        "bod5": (3.0, 3.0, 4.0, 6.0, 10.0),
        "ammonia_nitrogen": (0.15, 0.5, 1.0, 1.5, 2.0),
        "total_phosphorus": (0.02, 0.1, 0.2, 0.3, 0.4),
        "copper": (0.01, 1.0, 1.0, 1.0, 1.0),
        "zinc": (0.05, 1.0, 1.0, 2.0, 2.0),
        "fluoride": (1.0, 1.0, 1.0, 1.5, 1.5),
        "selenium": (0.01, 0.01, 0.01, 0.02, 0.02),
        "arsenic": (0.05, 0.05, 0.05, 0.1, 0.1),
        "mercury": (0.00005, 0.00005, 0.0001, 0.001, 0.001),
        "cadmium": (0.001, 0.005, 0.005, 0.005, 0.01),
        "chromium_hexavalent": (0.01, 0.05, 0.05, 0.05, 0.1),
        "lead": (0.01, 0.01, 0.05, 0.05, 0.1),
        "cyanide": (0.005, 0.05, 0.2, 0.2, 0.2),
        "volatile_phenol": (0.002, 0.002, 0.005, 0.01, 0.1),
        "petroleum": (0.05, 0.05, 0.05, 0.5, 1.0),
        "anionic_surfactant": (0.2, 0.2, 0.2, 0.3, 0.3),
        "sulfide": (0.05, 0.1, 0.2, 0.5, 1.0),
        "fecal_coliform": (200.0, 2000.0, 10000.0, 20000.0, 40000.0),
    }
)

# Table 1, the bracketed 湖、库 values: they replace the river row (TP) or exist only for lakes (TN).
GB3838_TABLE_1_LAKE_RESERVOIR: Final[Mapping[str, tuple[float, float, float, float, float]]] = MappingProxyType(
    {
        "total_phosphorus": (0.01, 0.025, 0.05, 0.1, 0.2),
        "total_nitrogen": (0.2, 0.5, 1.0, 1.5, 2.0),
    }
)

# 环办〔2011〕22号: classified but left out of the sample's class.
NOT_COUNTED_INDICATORS: Final[frozenset[str]] = frozenset({"total_nitrogen", "fecal_coliform"})


@dataclass(frozen=True, slots=True)
class WaterClassResult:
    """The class of one sample under GB 3838-2002 and how it was reached.

    `deciding` lists every counted indicator whose class equals the sample's class (all of them on a tie, so
    a sample of class I lists every counted indicator); `per_indicator` maps each classified indicator to its
    `WaterClass` value; `not_counted` are classified indicators that do not decide the class; `not_applicable`
    are given indicators without a limit for this kind of water body. Tuples follow Table 1 order.
    """

    water_class: WaterClass
    deciding: tuple[str, ...]
    per_indicator: Mapping[str, str]
    lake_or_reservoir: bool
    not_counted: tuple[str, ...] = ()
    not_applicable: tuple[str, ...] = ()
    standard: str = STANDARD

    @property
    def label(self) -> str:
        """The Chinese class name, e.g. "Ⅲ类", "劣Ⅴ类"."""
        return self.water_class.label

    def as_dict(self) -> dict[str, Any]:
        return {
            "standard": self.standard,
            "water_class": self.water_class.value,
            "label": self.label,
            "lake_or_reservoir": self.lake_or_reservoir,
            "deciding": list(self.deciding),
            "per_indicator": dict(self.per_indicator),
            "not_counted": list(self.not_counted),
            "not_applicable": list(self.not_applicable),
        }


def water_class(values: Mapping[str, float], *, lake_or_reservoir: bool = False) -> WaterClassResult:
    """Classify one surface-water sample (GB 3838-2002 Table 1, single-factor evaluation).

    `values` maps keys of `WATER_INDICATORS` to measured values in the units given there. Set
    `lake_or_reservoir` for 湖、库 (stricter total-phosphorus limits; total nitrogen has limits).
    Raises `StandardsError` for empty input, unknown keys, non-numeric, NaN, infinite or negative values,
    a pH outside 0–14, or when no given indicator counts towards the class.
    """
    if not values:
        raise StandardsError("empty_input", _("No indicator values were given."), field="values")

    per_indicator: dict[str, WaterClass] = {}
    not_applicable: list[str] = []
    for key, raw in values.items():
        value = _checked_value(key, raw)
        if key == "total_nitrogen" and not lake_or_reservoir:
            not_applicable.append(key)
            continue
        per_indicator[key] = _indicator_class(key, value, lake_or_reservoir=lake_or_reservoir)

    counted = {key: cls for key, cls in per_indicator.items() if key not in NOT_COUNTED_INDICATORS}
    if not counted:
        raise StandardsError(
            "no_counted_indicator",
            _("None of the given indicators counts towards the water-quality class."),
            field="values",
        )
    worst = max(counted.values(), key=lambda cls: cls.rank)
    return WaterClassResult(
        water_class=worst,
        deciding=_in_table_order(key for key, cls in counted.items() if cls is worst),
        per_indicator=MappingProxyType({key: per_indicator[key].value for key in _in_table_order(per_indicator)}),
        lake_or_reservoir=lake_or_reservoir,
        not_counted=_in_table_order(key for key in per_indicator if key in NOT_COUNTED_INDICATORS),
        not_applicable=_in_table_order(not_applicable),
    )


def _checked_value(key: str, raw: object) -> float:
    if key not in WATER_INDICATORS:
        raise StandardsError("unknown_indicator", _("Unknown water-quality indicator %(key)s."), field=key, key=key)
    if isinstance(raw, bool) or not isinstance(raw, Real):
        raise StandardsError("not_a_number", _("The value of %(key)s is not a number."), field=key, key=key)
    value = float(raw)
    if not math.isfinite(value):
        raise StandardsError("not_finite", _("The value of %(key)s must be a finite number."), field=key, key=key)
    if key == "ph" and not 0 <= value <= 14:
        raise StandardsError(
            "ph_out_of_range", _("pH must be between 0 and 14 (got %(value)s)."), field=key, value=value
        )
    if value < 0:
        raise StandardsError(
            "negative_value",
            _("The value of %(key)s cannot be negative (got %(value)s)."),
            field=key,
            key=key,
            value=value,
        )
    return value


def _indicator_class(key: str, value: float, *, lake_or_reservoir: bool) -> WaterClass:
    """The best class whose limit the value meets; 劣Ⅴ when it meets none."""
    if key == "ph":
        low, high = GB3838_TABLE_1_PH_RANGE
        return WaterClass.I if low <= value <= high else WaterClass.WORSE_THAN_V
    if key in GB3838_TABLE_1_AT_LEAST:
        for cls, limit in zip(_LIMIT_CLASSES, GB3838_TABLE_1_AT_LEAST[key], strict=True):
            if value >= limit:
                return cls
        return WaterClass.WORSE_THAN_V
    limits = (
        GB3838_TABLE_1_LAKE_RESERVOIR[key]
        if lake_or_reservoir and key in GB3838_TABLE_1_LAKE_RESERVOIR
        else GB3838_TABLE_1_AT_MOST[key]
    )
    for cls, limit in zip(_LIMIT_CLASSES, limits, strict=True):
        if value <= limit:
            return cls
    return WaterClass.WORSE_THAN_V


_TABLE_ORDER: Final[Mapping[str, int]] = MappingProxyType({key: i for i, key in enumerate(WATER_INDICATORS)})


def _in_table_order(keys: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(keys, key=_TABLE_ORDER.__getitem__))
