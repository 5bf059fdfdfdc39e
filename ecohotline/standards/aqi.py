"""空气质量指数 (AQI) under HJ 633: the daily (日报) and the real-time (实时报) index of a set of concentrations.

The version of HJ 633 in force on the measurement date applies:

* **HJ 633-2012** for dates before 2026-03-01;
* **HJ 633-2026** from 2026-03-01 on (it replaced HJ 633-2012 on that day).

Source of every number and rule: ``shared/domain/standards.md`` §5A (2026), §5B (2012) and §8 (why python-aqi is
not used). Where that file marks a point UNCERTAIN, the comment at the point says which reading was taken.

Readings taken where standards.md leaves a choice (each also commented where it is applied):

* Above the top breakpoint (not defined by HJ 633, UNCERTAIN): the IAQI is capped at 500 and the key is listed in
  ``AqiResult.above_scale``.
* HJ 633-2026 §4.2.2/4.2.3 "rounded per GB/T 8170": GB/T 8170's rule is half to even (四舍六入五成双), on the
  decimal the caller wrote. So under 2026 PM10 50.5 → 50 → IAQI 50 and PM2.5 0.4 → 0 → IAQI 0; §8's "HJ 633 gives
  51 / 1" holds for 2012, which sets no rounding of concentrations (§8: PM2.5 75.4 → 101 under 2012).
* AQI 0 (nothing measured) is below Table 1's "1～50" and is read as level 1 (优).
* 2026 实时报 "1-hour averages of all 6 pollutants": O3 8 h is not part of it (``key_not_for_kind``).

Keys (µg/m³, CO in mg/m³): ``so2_24h so2_1h no2_24h no2_1h pm10_24h pm10_1h co_24h co_1h o3_1h o3_8h pm25_24h
pm25_1h``. ``o3_1h`` is the (daily maximum) 1-hour O3 value, ``o3_8h`` the (daily maximum / sliding) 8-hour mean.
Which keys a report uses is in :data:`REPORT_KEYS`; see :func:`aqi`.
"""

from __future__ import annotations

import datetime
import math
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from numbers import Real
from types import MappingProxyType
from typing import Any, Final, Literal

from django.utils.translation import gettext_lazy as _

from ecohotline.standards.errors import StandardsError

__all__ = ["HJ633_2012", "HJ633_2026", "HJ633_2026_IN_FORCE_FROM", "KEYS", "REPORT_KEYS", "AqiResult", "aqi"]

HJ633_2012: Final = "HJ 633-2012"
HJ633_2026: Final = "HJ 633-2026"
#: HJ 633-2026 took effect on this day; HJ 633-2012 "废止" the same day (§0 of standards.md).
HJ633_2026_IN_FORCE_FROM: Final = datetime.date(2026, 3, 1)

KEYS: Final = (
    "so2_24h", "so2_1h", "no2_24h", "no2_1h", "pm10_24h", "pm10_1h",
    "co_24h", "co_1h", "o3_1h", "o3_8h", "pm25_24h", "pm25_1h",
)  # fmt: skip

# --- HJ 633-2012 表1 空气质量分指数及对应的污染物项目浓度限值 ------------------------------------------------
HJ633_2012_TABLE1_IAQI: Final = (0, 50, 100, 150, 200, 300, 400, 500)
HJ633_2012_TABLE1_SO2_24H: Final = (0, 50, 150, 475, 800, 1600, 2100, 2620)
HJ633_2012_TABLE1_SO2_1H: Final = (0, 150, 500, 650, 800)  # note (2): above 800 no IAQI, use the 24-hour value
HJ633_2012_TABLE1_NO2_24H: Final = (0, 40, 80, 180, 280, 565, 750, 940)
HJ633_2012_TABLE1_NO2_1H: Final = (0, 100, 200, 700, 1200, 2340, 3090, 3840)
HJ633_2012_TABLE1_PM10_24H: Final = (0, 50, 150, 250, 350, 420, 500, 600)
HJ633_2012_TABLE1_CO_24H: Final = (0, 2, 4, 14, 24, 36, 48, 60)  # mg/m³
HJ633_2012_TABLE1_CO_1H: Final = (0, 5, 10, 35, 60, 90, 120, 150)  # mg/m³
HJ633_2012_TABLE1_O3_1H: Final = (0, 160, 200, 300, 400, 800, 1000, 1200)
HJ633_2012_TABLE1_O3_8H: Final = (0, 100, 160, 215, 265, 800)  # note (3): above 800 no IAQI, use the 1-hour value
HJ633_2012_TABLE1_PM25_24H: Final = (0, 35, 75, 115, 150, 250, 350, 500)

# --- HJ 633-2026 表3 空气质量分指数及对应的污染物项目浓度限值 ------------------------------------------------
HJ633_2026_TABLE3_IAQI: Final = (0, 50, 100, 150, 200, 300, 400, 500)
HJ633_2026_TABLE3_SO2_24H: Final = HJ633_2012_TABLE1_SO2_24H
HJ633_2026_TABLE3_SO2_1H: Final = HJ633_2012_TABLE1_SO2_1H  # note b: above 800 the IAQI is 200
HJ633_2026_TABLE3_NO2_24H: Final = HJ633_2012_TABLE1_NO2_24H
HJ633_2026_TABLE3_NO2_1H: Final = HJ633_2012_TABLE1_NO2_1H
HJ633_2026_TABLE3_CO_24H: Final = HJ633_2012_TABLE1_CO_24H  # mg/m³
HJ633_2026_TABLE3_CO_1H: Final = HJ633_2012_TABLE1_CO_1H  # mg/m³
HJ633_2026_TABLE3_O3_8H: Final = HJ633_2012_TABLE1_O3_8H  # note c: above 800 the IAQI is 300
HJ633_2026_TABLE3_O3_1H: Final = HJ633_2012_TABLE1_O3_1H
HJ633_2026_TABLE3_PM10_24H: Final = (0, 50, 120, 250, 350, 420, 500, 600)  # IAQI 100 at 120 (was 150)
HJ633_2026_TABLE3_PM25_24H: Final = (0, 35, 60, 115, 150, 250, 350, 500)  # IAQI 100 at 60 (was 75)

# --- AQI levels: HJ 633-2012 表2 / HJ 633-2026 表1 (same bands); colours: 附录 A.1 (same in both) ------------
#: (highest AQI of the level, level, 类别, category in English, colour, colour as #RRGGBB from the RGB column)
HJ633_AQI_LEVELS: Final = (
    (50, 1, "优", "Excellent", "green", "#00E400"),  # 绿 0/228/0
    (100, 2, "良", "Good", "yellow", "#FFFF00"),  # 黄 255/255/0
    (150, 3, "轻度污染", "Lightly polluted", "orange", "#FF7E00"),  # 橙 255/126/0
    (200, 4, "中度污染", "Moderately polluted", "red", "#FF0000"),  # 红 255/0/0
    (300, 5, "重度污染", "Heavily polluted", "purple", "#99004C"),  # 紫 153/0/76
    (500, 6, "严重污染", "Severely polluted", "maroon", "#7E0023"),  # 褐红 126/0/35
)
_LEVEL_TOPS: Final = tuple(row[0] for row in HJ633_AQI_LEVELS[:-1])
# AQI 0 is below Table 1's "1～50" (2026) but is what formula (1) gives for nothing measured: read as 一级 优.
_LEVEL_OF_AQI: Final = tuple(HJ633_AQI_LEVELS[bisect_left(_LEVEL_TOPS, index)] for index in range(501))

#: The indicators (指标) each report computes an IAQI for, in the order of the standard's table.
#: 2012 日报: 5 daily means + O3 daily max 1 h + O3 max 8 h (7 indicators).
#: 2012 实时报: 1-hour SO2/NO2/CO/O3, O3 8 h sliding, PM10/PM2.5 24 h sliding (the PM 1-hour values are reported
#: without an IAQI, so they are accepted but not scored; so2_24h is accepted as the substitute of note (2)).
#: 2026 日报: 5 daily means + O3 daily max 8 h (no O3 1 h: note a says 1-hour limits are for the 实时报 only).
#: 2026 实时报: the 1-hour values of all 6 pollutants; PM 1-hour values use the daily-mean breakpoints (§5A).
REPORT_KEYS: Final[Mapping[tuple[str, str], tuple[str, ...]]] = MappingProxyType({
    (HJ633_2012, "daily"): ("so2_24h", "no2_24h", "pm10_24h", "co_24h", "o3_1h", "o3_8h", "pm25_24h"),
    (HJ633_2012, "hourly"): ("so2_1h", "no2_1h", "pm10_24h", "co_1h", "o3_1h", "o3_8h", "pm25_24h"),
    (HJ633_2026, "daily"): ("so2_24h", "no2_24h", "co_24h", "o3_8h", "pm10_24h", "pm25_24h"),
    (HJ633_2026, "hourly"): ("so2_1h", "no2_1h", "co_1h", "o3_1h", "pm10_1h", "pm25_1h"),
})
#: Keys a report accepts without scoring them (see REPORT_KEYS).
_UNSCORED: Final[Mapping[tuple[str, str], frozenset[str]]] = MappingProxyType({
    (HJ633_2012, "daily"): frozenset(),
    (HJ633_2012, "hourly"): frozenset({"pm10_1h", "pm25_1h", "so2_24h"}),
    (HJ633_2026, "daily"): frozenset(),
    (HJ633_2026, "hourly"): frozenset(),
})

# Rules for a concentration above `limit` (800 µg/m³ for SO2 1 h and O3 8 h).
_NONE: Final = 0
_FIXED: Final = 1  # 2026 notes b/c: the IAQI is `value`
_SUBSTITUTE: Final = 2  # 2012 notes (2)/(3): no IAQI; the pollutant's IAQI comes from key `value`
_INF: Final = math.inf
_NEAR: Final = 1e-9


@dataclass(frozen=True, slots=True)
class _Column:
    """One concentration column of the table, prepared for the per-call loop."""

    bounds: tuple[int, ...]  # concentration breakpoints, in tenths for CO under 2026 (it is rounded to 0.1)
    segments: tuple[tuple[int, int, int, int], ...]  # per bisect index: (BP_Lo, IAQI_Lo, ΔIAQI, ΔBP)
    top: int
    tenths: bool  # 2026 CO: the concentration is rounded to one decimal, so work in tenths of mg/m³
    rule: int
    rule_value: Any  # the fixed IAQI (int) or the substitute key (str)
    by_whole: tuple[int, ...]  # the IAQI of C = 0, 1, … top (formula (1) rounded up, worked out once at import)


def _column(bounds: tuple[int, ...], *, tenths: bool = False, rule: int = _NONE, rule_value: Any = None) -> _Column:
    if tenths:
        bounds = tuple(bound * 10 for bound in bounds)
    iaqi = HJ633_2026_TABLE3_IAQI  # the same rows as HJ633_2012_TABLE1_IAQI
    # Index 0 is bisect_left's answer for C = 0 only (IAQI 0); index j is the segment BP[j-1] < C ≤ BP[j].
    segments = ((0, 0, 0, 1), *(
        (bounds[j - 1], iaqi[j - 1], iaqi[j] - iaqi[j - 1], bounds[j] - bounds[j - 1]) for j in range(1, len(bounds))
    ))
    by_whole = tuple(ilo - (-di * (c - lo) // db) for c in range(bounds[-1] + 1)
                     for lo, ilo, di, db in (segments[bisect_left(bounds, c)],))
    return _Column(bounds, segments, bounds[-1], tenths, rule, rule_value, by_whole)


_COLUMNS_2012: Final = {
    "so2_24h": _column(HJ633_2012_TABLE1_SO2_24H),
    "so2_1h": _column(HJ633_2012_TABLE1_SO2_1H, rule=_SUBSTITUTE, rule_value="so2_24h"),
    "no2_24h": _column(HJ633_2012_TABLE1_NO2_24H),
    "no2_1h": _column(HJ633_2012_TABLE1_NO2_1H),
    "pm10_24h": _column(HJ633_2012_TABLE1_PM10_24H),
    "co_24h": _column(HJ633_2012_TABLE1_CO_24H),
    "co_1h": _column(HJ633_2012_TABLE1_CO_1H),
    "o3_1h": _column(HJ633_2012_TABLE1_O3_1H),
    "o3_8h": _column(HJ633_2012_TABLE1_O3_8H, rule=_SUBSTITUTE, rule_value="o3_1h"),
    "pm25_24h": _column(HJ633_2012_TABLE1_PM25_24H),
}
_COLUMNS_2026: Final = {
    "so2_24h": _column(HJ633_2026_TABLE3_SO2_24H),
    "so2_1h": _column(HJ633_2026_TABLE3_SO2_1H, rule=_FIXED, rule_value=200),
    "no2_24h": _column(HJ633_2026_TABLE3_NO2_24H),
    "no2_1h": _column(HJ633_2026_TABLE3_NO2_1H),
    "co_24h": _column(HJ633_2026_TABLE3_CO_24H, tenths=True),
    "co_1h": _column(HJ633_2026_TABLE3_CO_1H, tenths=True),
    "o3_8h": _column(HJ633_2026_TABLE3_O3_8H, rule=_FIXED, rule_value=300),
    "o3_1h": _column(HJ633_2026_TABLE3_O3_1H),
    "pm10_24h": _column(HJ633_2026_TABLE3_PM10_24H),
    "pm10_1h": _column(HJ633_2026_TABLE3_PM10_24H),  # §5A formula (1): PM 1-hour values use the daily breakpoints
    "pm25_24h": _column(HJ633_2026_TABLE3_PM25_24H),
    "pm25_1h": _column(HJ633_2026_TABLE3_PM25_24H),
}


def _report(standard: str, kind: str, columns: dict[str, _Column]) -> dict[str, _Column | None]:
    """Key → column for the keys the report scores, key → None for keys it accepts without a score."""
    scored: dict[str, _Column | None] = {key: columns[key] for key in REPORT_KEYS[standard, kind]}
    return scored | dict.fromkeys(_UNSCORED[standard, kind])


_REPORTS: Final[dict[tuple[bool, str], dict[str, Any]]] = {
    (False, "daily"): _report(HJ633_2012, "daily", _COLUMNS_2012),
    (False, "hourly"): _report(HJ633_2012, "hourly", _COLUMNS_2012),
    (True, "daily"): _report(HJ633_2026, "daily", _COLUMNS_2026),
    (True, "hourly"): _report(HJ633_2026, "hourly", _COLUMNS_2026),
}
_KEY_ORDER: Final = {key: index for index, key in enumerate(KEYS)}
_TENTH: Final = Decimal("0.1")


@dataclass(frozen=True, slots=True)
class AqiResult:
    """The AQI (空气质量指数) of one set of concentrations and what the standard says about it.

    ``iaqi`` holds the 空气质量分指数 of every key that was scored (a key accepted without a score, e.g. PM2.5 1 h
    under the 2012 实时报, or a 2012 value above 800 that the standard tells not to compute, is absent).
    ``primary_pollutants`` are the keys of the 首要污染物 (empty when the AQI is 50 or less). ``missing`` lists the
    report's indicators that were not given (HJ 633-2026 §5.3: the AQI is then computed from the others, and
    published only if above 100, otherwise "NA"; the caller decides). ``above_scale`` lists keys above the top
    of the table, whose IAQI was capped at 500.
    """

    aqi: int
    level: int
    category: str
    category_en: str
    colour: str
    colour_hex: str
    primary_pollutants: tuple[str, ...]
    iaqi: Mapping[str, int]
    standard: str
    missing: tuple[str, ...] = ()
    above_scale: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable types, for a JSONField."""
        return {
            "aqi": self.aqi,
            "level": self.level,
            "category": self.category,
            "category_en": self.category_en,
            "colour": self.colour,
            "colour_hex": self.colour_hex,
            "primary_pollutants": list(self.primary_pollutants),
            "iaqi": dict(self.iaqi),
            "standard": self.standard,
            "missing": list(self.missing),
            "above_scale": list(self.above_scale),
        }


# The dataclass __init__ of a frozen slotted class sets each field through object.__setattr__, which is a quarter of
# an aqi() call; the slot descriptors do the same at a third of the cost. Every field is set; there is no
# __post_init__ to skip.
(_set_aqi, _set_level, _set_category, _set_category_en, _set_colour, _set_colour_hex, _set_primary, _set_iaqi,
 _set_standard, _set_missing, _set_above_scale) = (AqiResult.__dict__[slot.name].__set__ for slot in fields(AqiResult))


def _new_result(
    index: int, level: int, category: str, category_en: str, colour: str, colour_hex: str,
    primary: tuple[str, ...], iaqi: Mapping[str, int], standard: str, missing: tuple[str, ...],
    above_scale: tuple[str, ...],
) -> AqiResult:
    result = object.__new__(AqiResult)
    _set_aqi(result, index)
    _set_level(result, level)
    _set_category(result, category)
    _set_category_en(result, category_en)
    _set_colour(result, colour)
    _set_colour_hex(result, colour_hex)
    _set_primary(result, primary)
    _set_iaqi(result, iaqi)
    _set_standard(result, standard)
    _set_missing(result, missing)
    _set_above_scale(result, above_scale)
    return result


def aqi(
    concentrations: Mapping[str, float],
    *,
    on: datetime.date,
    kind: Literal["daily", "hourly"] = "daily",
) -> AqiResult:
    """The 日报 (``kind="daily"``) or 实时报 (``kind="hourly"``) AQI of `concentrations` measured on `on`.

    The version in force on `on` decides everything: HJ 633-2012 before 2026-03-01, HJ 633-2026 from then on.

    Keys each report scores (others raise ``key_not_for_kind``):

    * 2012 daily: so2_24h no2_24h pm10_24h co_24h o3_1h o3_8h pm25_24h (the 7 日报 indicators).
    * 2012 hourly: so2_1h no2_1h co_1h o3_1h o3_8h pm10_24h pm25_24h (the PM IAQI of the 实时报 comes from the
      24-hour sliding mean); pm10_1h/pm25_1h are accepted and not scored (the standard reports them without an
      IAQI); so2_24h is accepted and only used when so2_1h is above 800.
    * 2026 daily: so2_24h no2_24h co_24h o3_8h pm10_24h pm25_24h (no O3 1 h: 1-hour limits are for the 实时报).
    * 2026 hourly: so2_1h no2_1h co_1h o3_1h pm10_1h pm25_1h (PM 1-hour values on the daily-mean breakpoints).

    Rules: IAQI by formula (1), rounded up (全部进位取整数); AQI = max IAQI; 首要污染物 = every key with the
    largest IAQI when AQI > 50. HJ 633-2026 first rounds concentrations per GB/T 8170 (integers; CO to 0.1);
    HJ 633-2012 uses them as given. Above 800: 2012 drops SO2 1 h for SO2 24 h and O3 8 h for O3 1 h
    (``substitute_missing`` if that value was not given); 2026 counts SO2 1 h as 200 and O3 8 h as 300. Above
    the top of the table the IAQI is capped at 500 (not in the standard; see ``above_scale``).

    Raises StandardsError (codes: invalid_kind, invalid_date, not_a_mapping, unknown_key, key_not_for_kind,
    not_a_number, not_finite, negative_value, substitute_missing, no_pollutants).
    """
    if type(on) is not datetime.date:
        _check_date(on)
    is2026 = on >= HJ633_2026_IN_FORCE_FROM
    if kind in ("daily", "hourly"):
        report = _REPORTS[is2026, kind]
    else:
        raise StandardsError("invalid_kind", _('The AQI kind must be "daily" or "hourly", not %(kind)s.'),
                             field="kind", kind=str(kind))
    try:
        items = concentrations.items()
    except AttributeError:
        raise StandardsError("not_a_mapping", _("The concentrations must be a mapping of pollutant key to value."),
                             ) from None

    iaqi: dict[str, int] = {}
    substituted: list[tuple[str, str]] | None = None
    above: list[str] | None = None
    for key, value in items:
        column = report.get(key, _INF)
        if column is _INF:
            _reject_key(key, is2026, kind)
        if type(value) is not float and type(value) is not int:
            value = _as_float(key, value)
        if not 0 <= value < _INF:  # false for negative, NaN and infinite values
            _reject_value(key, value)
        if column is None:  # accepted, not scored
            continue
        if is2026:
            # §4.2.2/4.2.3: round per GB/T 8170 (四舍六入五成双, i.e. half to even) to integers, CO to 0.1.
            c: Any = _round_tenths(value) if column.tenths else round(value)
        elif type(value) is int:
            c = value
        else:
            # HJ 633-2012 sets no rounding of the concentration (standards.md §5B, and §8's "PM2.5 75.4 →
            # HJ633-2012 101"): the value is used as given.
            c = int(value) if value.is_integer() else value
        if c > column.top:
            rule = column.rule
            if rule == _FIXED:  # 2026 notes b/c
                iaqi[key] = column.rule_value
            elif rule == _SUBSTITUTE:  # 2012 notes (2)/(3)
                if substituted is None:
                    substituted = []
                substituted.append((key, column.rule_value))
            else:
                # Not defined by HJ 633 (standards.md §5B: UNCERTAIN). Literal reading: 2026 Table 1 gives the AQI
                # range as 1～500 and both tables end at 500, so the index cannot exceed 500 (common "爆表" practice).
                iaqi[key] = 500
                if above is None:
                    above = []
                above.append(key)
            continue
        # Formula (1), rounded up (2012 §6.2 / 2026 §4.2.6 全部进位取整数), exactly: a float could put 55.0 at
        # 55.000000000000007 and the ceiling at 56. Whole concentrations (all of 2026's) are looked up.
        if type(c) is int:
            iaqi[key] = column.by_whole[c]
        else:
            lo, ilo, di, db = column.segments[bisect_left(column.bounds, c)]
            tenths = round(c * 10)
            if tenths / 10 == c:  # one decimal, the usual case: integers in tenths (see _ceil_share)
                iaqi[key] = ilo - (-di * (tenths - lo * 10) // (db * 10))
            else:
                iaqi[key] = ilo + _ceil_share(c, lo, di, db)

    if substituted is not None:
        above = _apply_substitutes(substituted, iaqi, concentrations, above)
    if not iaqi:
        standard = HJ633_2026 if is2026 else HJ633_2012
        raise StandardsError(
            "no_pollutants",
            _("No concentration the %(kind)s AQI under %(standard)s can use was given; give at least one of "
              "%(allowed)s."),
            kind=kind, standard=standard, allowed=", ".join(REPORT_KEYS[standard, kind]),
        )

    index = max(iaqi.values())
    if index <= 50:
        primary: tuple[str, ...] = ()
    else:
        tied = [key for key, value in iaqi.items() if value == index]
        primary = tuple(tied) if len(tied) == 1 else tuple(sorted(tied, key=_KEY_ORDER.__getitem__))
    _top, level, category, category_en, colour, colour_hex = _LEVEL_OF_AQI[index]
    standard = HJ633_2026 if is2026 else HJ633_2012
    if len(iaqi) == len(report):
        missing: tuple[str, ...] = ()
    else:
        missing = tuple(key for key in REPORT_KEYS[standard, kind] if key not in iaqi and key not in concentrations)
    return _new_result(
        index, level, category, category_en, colour, colour_hex, primary, MappingProxyType(iaqi), standard,
        missing, () if above is None else tuple(above),
    )


def _round_tenths(value: float) -> int:
    """`value` (mg/m³) rounded to one decimal per GB/T 8170, in tenths (2.45 → 24, 2.55 → 26, 2.451 → 25)."""
    scaled = value * 10
    if abs(scaled - math.floor(scaled) - 0.5) > _NEAR:
        return round(scaled)
    # At a tie the binary product can fall either side of it: decide on the decimal the caller wrote (repr).
    return int(Decimal(repr(value)).quantize(_TENTH, rounding=ROUND_HALF_EVEN) * 10)


def _ceil_share(value: float, lo: int, di: int, db: int) -> int:
    """ceil(ΔIAQI × (C − BP_Lo) / ΔBP), exact for the decimal the caller wrote (C not a whole number)."""
    for scale in (10, 100, 1000):
        scaled = round(value * scale)
        if scaled / scale == value:  # `value` is the float of the decimal scaled/scale: integers from here on
            return -(-di * (scaled - lo * scale) // (db * scale))
    return math.ceil(di * (Fraction(repr(value)) - lo) / db)  # repr: the shortest decimal giving this float


def _score_2012(column: _Column, value: float) -> int:
    """The IAQI of `value` on a 2012 column (for the substitutes of notes (2)/(3))."""
    if value > column.top:
        return 500
    lo, ilo, di, db = column.segments[bisect_left(column.bounds, value)]
    if value.is_integer():
        return ilo - (-di * (int(value) - lo) // db)
    return ilo + _ceil_share(value, lo, di, db)


def _apply_substitutes(
    substituted: list[tuple[str, str]], iaqi: dict[str, int], concentrations: Mapping[str, float],
    above: list[str] | None,
) -> list[str] | None:
    """HJ 633-2012 notes (2)/(3): a value above 800 gets no IAQI; its pollutant's IAQI comes from another key.

    Returns `above` with the substitute added if it is itself above its table.
    """
    for key, substitute in substituted:
        if substitute in iaqi:  # o3_1h: scored anyway in both 2012 reports
            continue
        if substitute in concentrations:  # so2_24h in the 实时报: accepted unscored, scored only as the substitute
            column = _COLUMNS_2012[substitute]
            value = float(concentrations[substitute])  # checked by the loop
            iaqi[substitute] = _score_2012(column, value)
            if value > column.top:
                above = [*(above or ()), substitute]
            continue
        raise StandardsError(
            "substitute_missing",
            _("%(key)s is above %(limit)s, so %(standard)s takes the %(pollutant)s index from %(substitute)s, "
              "which was not given."),
            field=key, key=key, limit=800, standard=HJ633_2012, pollutant=key.split("_", 1)[0].upper(),
            substitute=substitute,
        )
    return above


def _check_date(on: object) -> None:
    if isinstance(on, datetime.datetime) or not isinstance(on, datetime.date):
        # A datetime is refused: its calendar day depends on the time zone, and the version switch is by day.
        raise StandardsError("invalid_date", _("The measurement date must be a date (not a date and time)."),
                             field="on")


def _as_float(key: str, value: object) -> float:
    if isinstance(value, Real | Decimal) and not isinstance(value, bool):
        return float(value)
    raise StandardsError("not_a_number", _("The concentration of %(key)s must be a number, not %(value)s."),
                         field=key, key=key, value=repr(value))


def _reject_key(key: object, is2026: bool, kind: str) -> None:
    """Raise the error for a key the report cannot use."""
    standard = HJ633_2026 if is2026 else HJ633_2012
    if key not in _KEY_ORDER:
        raise StandardsError("unknown_key", _("Unknown pollutant key %(key)s; the keys are %(allowed)s."),
                             field=str(key), key=str(key), allowed=", ".join(KEYS))
    allowed = ", ".join(REPORT_KEYS[standard, kind] + tuple(sorted(_UNSCORED[standard, kind])))
    raise StandardsError(
        "key_not_for_kind",
        _("%(key)s is not used in the %(kind)s AQI under %(standard)s; the keys are %(allowed)s."),
        field=str(key), key=key, kind=kind, standard=standard, allowed=allowed,
    )


def _reject_value(key: str, value: float) -> None:
    """Raise the error for a value no concentration can have."""
    if math.isnan(value) or math.isinf(value):
        raise StandardsError("not_finite", _("The concentration of %(key)s must be a finite number, not %(value)s."),
                             field=key, key=key, value=str(value))
    raise StandardsError("negative_value", _("The concentration of %(key)s cannot be negative (%(value)s)."),
                         field=key, key=key, value=value)
