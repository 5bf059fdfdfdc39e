"""Catering fumes (餐饮油烟): GB 18483-2001 nationally, DB11/1488-2018 in Beijing from 2019-01-01.

`fumes_verdict` judges one measurement of a catering unit (餐饮服务单位) against the standard in force on the
day of measurement. Readings of shared/domain/standards.md §7 taken here:

* GB 18483-2001 (试行) applies from 2002-01-01 (it replaced GWPB 5-2000, which is not implemented: earlier
  dates are refused). It sets only 油烟: 2.0 mg/m³ for every scale (Table 2) and a minimum purifier removal
  efficiency of 60 / 75 / 85 % for small / medium / large units. The scale comes from the number of base
  stoves (基准灶头数, Table 1: [1, 3) small, [3, 6) medium, ≥ 6 large) or is given directly. Concentrations are
  taken as already converted to the reference air volume (§6.6, see `reference_concentration`) and averaged
  (§6.5, see `sampling_average`). Whether GB 18483 is still current in 2026 is UNCERTAIN in the file; it is
  applied because no replacement is known.
* §5.1: emission without a purifier (无组织排放) is deemed to exceed (视同超标): `purifier_installed=False`.
* §7.1 ("a compliant purifier installed and properly running counts as compliance") is not applied: this
  function always has a measured concentration, and a measurement above the limit is not overridden.
* DB11/1488-2018 applies in Beijing from 2019-01-01 (no separate dates for existing and new units are known):
  油烟 1.0 mg/m³ (CONFIRMED), 颗粒物 5.0 mg/m³ from 2019-01-01 and 非甲烷总烃 10.0 mg/m³ from 2020-01-01 (both
  UNCERTAIN, one source; applied literally). No scale classes and no removal-efficiency requirement are known,
  so under DB11 the scale and the efficiency are checked for sanity but not judged (see `notes`). Its
  "未经任何净化设备净化排放油烟的…视同超标排放" (UNCERTAIN, one source) is applied literally, like GB 18483 §5.1.
  Its table and clause numbers were not verified, so `clause` is None under DB11.
* A value equal to a limit complies (最高允许排放浓度); an efficiency equal to the minimum complies.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from numbers import Real
from types import MappingProxyType
from typing import Any, Final

from django.utils.translation import gettext_lazy as _

from ecohotline.standards.errors import StandardsError

GB18483_CODE: Final = "GB 18483-2001"
GB18483_NAME: Final = "GB 18483-2001 饮食业油烟排放标准（试行）"
GB18483_EFFECTIVE: Final = datetime.date(2002, 1, 1)

DB11_1488_CODE: Final = "DB11/1488-2018"
DB11_1488_NAME: Final = "DB11/1488-2018 北京市餐饮业大气污染物排放标准"
DB11_1488_EFFECTIVE: Final = datetime.date(2019, 1, 1)

CHINA_STANDARD_TIME: Final = datetime.timezone(datetime.timedelta(hours=8), "CST")


class FumesScale(StrEnum):
    """GB 18483-2001 Table 1 规模."""

    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"

    @property
    def label(self) -> str:
        return {"small": "小型", "medium": "中型", "large": "大型"}[self.value]


class Verdict(StrEnum):
    COMPLIANT = "compliant"
    EXCEEDS = "exceeds"


class Pollutant(StrEnum):
    """Pollutant codes; `fumes` is 油烟, judged under both standards."""

    FUMES = "fumes"
    PARTICULATE_MATTER = "particulate_matter"
    NON_METHANE_HYDROCARBONS = "non_methane_hydrocarbons"

    @property
    def label(self) -> str:
        return {"fumes": "油烟", "particulate_matter": "颗粒物", "non_methane_hydrocarbons": "非甲烷总烃"}[self.value]


# Table 1: base stoves (基准灶头数) per scale, [lower, upper); None = no upper bound.
GB18483_TABLE_1: Final[Mapping[FumesScale, tuple[int, int | None]]] = MappingProxyType(
    {FumesScale.SMALL: (1, 3), FumesScale.MEDIUM: (3, 6), FumesScale.LARGE: (6, None)}
)
# Table 2: (最高允许排放浓度 mg/m³, 净化设施最低去除效率 %) per scale.
GB18483_TABLE_2: Final[Mapping[FumesScale, tuple[float, float]]] = MappingProxyType(
    {FumesScale.SMALL: (2.0, 60.0), FumesScale.MEDIUM: (2.0, 75.0), FumesScale.LARGE: (2.0, 85.0)}
)
# §6.6: reference exhaust volume per base stove, m³/h, for every scale.
GB18483_REFERENCE_FLOW_PER_STOVE: Final = 2000.0

# DB11/1488-2018 emission limits: pollutant -> (最高允许排放浓度 mg/m³, date from which it applies).
DB11_1488_LIMITS: Final[Mapping[Pollutant, tuple[float, datetime.date]]] = MappingProxyType(
    {
        Pollutant.FUMES: (1.0, datetime.date(2019, 1, 1)),
        Pollutant.PARTICULATE_MATTER: (5.0, datetime.date(2019, 1, 1)),  # UNCERTAIN: one source
        Pollutant.NON_METHANE_HYDROCARBONS: (10.0, datetime.date(2020, 1, 1)),  # UNCERTAIN: one source
    }
)


@dataclass(frozen=True, slots=True)
class PollutantVerdict:
    """One pollutant's concentration against its limit. `exceedance` is 超标倍数: (measured − limit) / limit
    when above the limit, else 0.0, rounded to 6 decimals."""

    pollutant: Pollutant
    limit: float
    measured: float
    exceedance: float
    verdict: Verdict
    clause: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "pollutant": self.pollutant.value,
            "label": self.pollutant.label,
            "limit": self.limit,
            "measured": self.measured,
            "exceedance": self.exceedance,
            "verdict": self.verdict.value,
            "clause": self.clause,
        }


@dataclass(frozen=True, slots=True)
class FumesVerdict:
    """The verdict on one catering unit's emission.

    `limit`, `measured`, `exceedance` and `clause` are for 油烟; `pollutants` has one entry per judged
    pollutant (油烟 first). `verdict` is "exceeds" if any pollutant exceeds, the purifier's removal efficiency is
    below the minimum for its scale, or there is no purifier. `reasons` has one stable code per judged rule;
    `notes` has stable codes for inputs the standard in force does not judge.
    """

    standard: str
    standard_code: str
    clause: str | None
    limit: float
    measured: float
    exceedance: float
    verdict: Verdict
    reasons: tuple[str, ...]
    pollutants: tuple[PollutantVerdict, ...]
    scale: FumesScale | None = None
    removal_efficiency: float | None = None
    minimum_removal_efficiency: float | None = None
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "standard": self.standard,
            "standard_code": self.standard_code,
            "clause": self.clause,
            "limit": self.limit,
            "measured": self.measured,
            "exceedance": self.exceedance,
            "verdict": self.verdict.value,
            "reasons": list(self.reasons),
            "pollutants": [p.as_dict() for p in self.pollutants],
            "scale": self.scale.value if self.scale is not None else None,
            "removal_efficiency": self.removal_efficiency,
            "minimum_removal_efficiency": self.minimum_removal_efficiency,
            "notes": list(self.notes),
        }


def fumes_verdict(
    *,
    concentration: float,
    on: datetime.date,
    in_beijing: bool = True,
    scale: str | None = None,
    stoves: int | None = None,
    removal_efficiency: float | None = None,
    particulate_matter: float | None = None,
    non_methane_hydrocarbons: float | None = None,
    purifier_installed: bool = True,
) -> FumesVerdict:
    """Judge a catering unit's emission measured on `on` (all concentrations in mg/m³, standard state, dry gas).

    `concentration` is 油烟; `particulate_matter` (颗粒物) and `non_methane_hydrocarbons` (非甲烷总烃) are judged
    only under DB11/1488-2018. `scale` ("small"/"medium"/"large") or `stoves` (基准灶头数) sets the GB 18483
    scale; `removal_efficiency` is in percent (0–100) and under GB 18483 needs the scale.
    `on` may be a date or a datetime (an aware one is read in China Standard Time).
    Raises `StandardsError` for impossible or contradictory input.
    """
    day = _china_date(on)
    fumes = _concentration("concentration", concentration)
    pm = None if particulate_matter is None else _concentration("particulate_matter", particulate_matter)
    nmhc = (
        None
        if non_methane_hydrocarbons is None
        else _concentration("non_methane_hydrocarbons", non_methane_hydrocarbons)
    )
    resolved_scale = _resolve_scale(scale, stoves)
    efficiency = None if removal_efficiency is None else _efficiency(removal_efficiency)
    if efficiency is not None and not purifier_installed:
        raise StandardsError(
            "efficiency_without_purifier",
            _("A removal efficiency was given for a unit without a purifier."),
            field="removal_efficiency",
        )
    if day < GB18483_EFFECTIVE:
        raise StandardsError(
            "no_standard_in_force",
            _("No catering-fumes standard is implemented for dates before %(date)s."),
            field="on",
            date=GB18483_EFFECTIVE.isoformat(),
        )
    if in_beijing and day >= DB11_1488_EFFECTIVE:
        return _db11_1488(day, fumes, pm, nmhc, resolved_scale, efficiency, purifier_installed=purifier_installed)
    return _gb18483(fumes, pm, nmhc, resolved_scale, efficiency, purifier_installed=purifier_installed)


def scale_for_stoves(stoves: int) -> FumesScale:
    """GB 18483-2001 Table 1: the scale of a unit with this many base stoves (基准灶头数)."""
    if isinstance(stoves, bool) or not isinstance(stoves, int):
        raise StandardsError("not_an_integer", _("The number of stoves must be a whole number."), field="stoves")
    if stoves < 1:
        raise StandardsError(
            "stoves_below_one",
            _("The number of stoves must be at least 1 (got %(stoves)s)."),
            field="stoves",
            stoves=stoves,
        )
    for size, (lower, upper) in GB18483_TABLE_1.items():
        if lower <= stoves and (upper is None or stoves < upper):
            return size
    raise AssertionError("GB18483_TABLE_1 covers every count from 1")  # pragma: no cover


def reference_concentration(*, measured: float, flow_rate: float, stoves: int) -> float:
    """GB 18483-2001 §6.6: c_基 = c_测 × Q_测 / (n × q_基), q_基 = 2000 m³/h per base stove.

    `measured` in mg/m³, `flow_rate` (Q_测) in m³/h, `stoves` = n. Only GB 18483 is known to convert this way.
    """
    c = _concentration("measured", measured)
    q = _number("flow_rate", flow_rate)
    if q <= 0:
        raise StandardsError(
            "flow_rate_not_positive",
            _("The exhaust flow rate must be positive (got %(value)s)."),
            field="flow_rate",
            value=q,
        )
    scale_for_stoves(stoves)  # validates the count
    return c * q / (stoves * GB18483_REFERENCE_FLOW_PER_STOVE)


def sampling_average(samples: Sequence[float]) -> float:
    """GB 18483-2001 §6.5: discard values below ¼ of the largest, average the rest; at least 3 must remain."""
    values = [_concentration("samples", s) for s in samples]
    if not values:
        raise StandardsError("empty_input", _("No sample values were given."), field="samples")
    floor = max(values) / 4
    valid = [v for v in values if v >= floor]
    if len(valid) < 3:
        raise StandardsError(
            "too_few_valid_samples",
            _("Only %(count)s valid samples remain; at least 3 are needed. Sample again."),
            field="samples",
            count=len(valid),
        )
    return sum(valid) / len(valid)


def _gb18483(
    fumes: float,
    pm: float | None,
    nmhc: float | None,
    scale: FumesScale | None,
    efficiency: float | None,
    *,
    purifier_installed: bool,
) -> FumesVerdict:
    # Table 2's concentration limit is the same for every scale, so it is judged even without a scale.
    limit = GB18483_TABLE_2[scale or FumesScale.SMALL][0]
    fumes_result = _judge(Pollutant.FUMES, fumes, limit, "表2")
    reasons = [_reason(fumes_result)]
    notes: list[str] = []
    minimum = None
    if not purifier_installed:
        reasons.append("no_purifier")  # §5.1 无组织排放视同超标
    if efficiency is not None:
        if scale is None:
            raise StandardsError(
                "scale_required",
                _("The scale or the number of stoves is needed to judge the removal efficiency."),
                field="scale",
            )
        minimum = GB18483_TABLE_2[scale][1]
        reasons.append(
            "removal_efficiency_meets_minimum" if efficiency >= minimum else "removal_efficiency_below_minimum"
        )
    if pm is not None:
        notes.append("particulate_matter_not_set_by_standard")
    if nmhc is not None:
        notes.append("non_methane_hydrocarbons_not_set_by_standard")
    failed = (
        fumes_result.verdict is Verdict.EXCEEDS
        or not purifier_installed
        or (minimum is not None and efficiency is not None and efficiency < minimum)
    )
    return FumesVerdict(
        standard=GB18483_NAME,
        standard_code=GB18483_CODE,
        clause=fumes_result.clause,
        limit=fumes_result.limit,
        measured=fumes_result.measured,
        exceedance=fumes_result.exceedance,
        verdict=Verdict.EXCEEDS if failed else Verdict.COMPLIANT,
        reasons=tuple(reasons),
        pollutants=(fumes_result,),
        scale=scale,
        removal_efficiency=efficiency,
        minimum_removal_efficiency=minimum,
        notes=tuple(notes),
    )


def _db11_1488(
    on: datetime.date,
    fumes: float,
    pm: float | None,
    nmhc: float | None,
    scale: FumesScale | None,
    efficiency: float | None,
    *,
    purifier_installed: bool,
) -> FumesVerdict:
    results: list[PollutantVerdict] = []
    notes: list[str] = []
    for pollutant, measured in (
        (Pollutant.FUMES, fumes),
        (Pollutant.PARTICULATE_MATTER, pm),
        (Pollutant.NON_METHANE_HYDROCARBONS, nmhc),
    ):
        if measured is None:
            continue
        limit, applies_from = DB11_1488_LIMITS[pollutant]
        if on < applies_from:
            notes.append(f"{pollutant.value}_not_yet_applicable")
            continue
        results.append(_judge(pollutant, measured, limit, None))
    reasons = [_reason(r) for r in results]
    if not purifier_installed:
        reasons.append("no_purifier")  # "未经任何净化设备净化排放油烟的…视同超标排放" (UNCERTAIN, one source)
    if scale is not None:
        notes.append("scale_not_used_by_standard")
    if efficiency is not None:
        notes.append("removal_efficiency_not_set_by_standard")
    failed = not purifier_installed or any(r.verdict is Verdict.EXCEEDS for r in results)
    fumes_result = results[0]
    return FumesVerdict(
        standard=DB11_1488_NAME,
        standard_code=DB11_1488_CODE,
        clause=fumes_result.clause,
        limit=fumes_result.limit,
        measured=fumes_result.measured,
        exceedance=fumes_result.exceedance,
        verdict=Verdict.EXCEEDS if failed else Verdict.COMPLIANT,
        reasons=tuple(reasons),
        pollutants=tuple(results),
        scale=scale,
        removal_efficiency=efficiency,
        minimum_removal_efficiency=None,
        notes=tuple(notes),
    )


def _judge(pollutant: Pollutant, measured: float, limit: float, clause: str | None) -> PollutantVerdict:
    exceeds = measured > limit
    return PollutantVerdict(
        pollutant=pollutant,
        limit=limit,
        measured=measured,
        exceedance=round((measured - limit) / limit, 6) if exceeds else 0.0,
        verdict=Verdict.EXCEEDS if exceeds else Verdict.COMPLIANT,
        clause=clause,
    )


def _reason(result: PollutantVerdict) -> str:
    suffix = "above_limit" if result.verdict is Verdict.EXCEEDS else "within_limit"
    return f"{result.pollutant.value}_{suffix}"


def _resolve_scale(scale: str | None, stoves: int | None) -> FumesScale | None:
    from_stoves = None if stoves is None else scale_for_stoves(stoves)
    if scale is None:
        return from_stoves
    try:
        given = FumesScale(scale)
    except ValueError:
        raise StandardsError(
            "unknown_scale",
            _("Unknown scale %(scale)s; use small, medium or large."),
            field="scale",
            scale=scale,
        ) from None
    if from_stoves is not None and from_stoves is not given:
        raise StandardsError(
            "scale_conflict",
            _("The scale %(scale)s does not match %(stoves)s stoves."),
            field="scale",
            scale=given.value,
            stoves=stoves,
        )
    return given


def _china_date(on: datetime.date) -> datetime.date:
    """The calendar day of the measurement; an aware datetime is read in China Standard Time (UTC+8, no DST)."""
    if isinstance(on, datetime.datetime):
        return (on.astimezone(CHINA_STANDARD_TIME) if on.tzinfo is not None else on).date()
    return on


def _number(field: str, raw: object) -> float:
    if isinstance(raw, bool) or not isinstance(raw, Real):
        raise StandardsError("not_a_number", _("The value of %(name)s is not a number."), field=field, name=field)
    value = float(raw)
    if not math.isfinite(value):
        raise StandardsError("not_finite", _("The value of %(name)s must be a finite number."), field=field, name=field)
    return value


def _concentration(field: str, raw: object) -> float:
    value = _number(field, raw)
    if value < 0:
        raise StandardsError(
            "negative_value",
            _("The value of %(name)s cannot be negative (got %(value)s)."),
            field=field,
            name=field,
            value=value,
        )
    return value


def _efficiency(raw: object) -> float:
    value = _number("removal_efficiency", raw)
    if not 0 <= value <= 100:
        raise StandardsError(
            "efficiency_out_of_range",
            _("The removal efficiency must be between 0 and 100 percent (got %(value)s)."),
            field="removal_efficiency",
            value=value,
        )
    return value
