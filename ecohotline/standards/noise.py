"""Noise measurements (逢诉必测) judged against the four national noise standards.

* GB 3096-2008 声环境质量标准 (environmental quality, by 声环境功能区 0/1/2/3/4a/4b);
* GB 12348-2008 工业企业厂界环境噪声排放标准 (industrial enterprise boundary, plus structure-borne noise indoors);
* GB 22337-2008 社会生活环境噪声排放标准 (social-life source boundary, plus structure-borne noise indoors);
* GB 12523-2011 建筑施工场界环境噪声排放标准 (construction site boundary, one limit for every zone).

Source of every number: ``shared/domain/standards.md`` sections 1–4. One call, one measuring point, one period
(the standards evaluate each point and day and night separately, GB 12348 §6.1).

How values are handled (the standards only fix the rounding of the background difference):

* Levels are taken as ``Decimal(str(value))`` so that 55.6 − 50.1 is exactly 5.5.
* The background difference is rounded to an integer (GB 12348 §5.7.2 "取整", GB 12523 §5.7 "修约") by GB/T 8170,
  round-half-even. For Table 4 half-even and half-up never give different corrections (3.5 → 4, 4.5 → 4 or 5,
  5.5 → 6 all stay in the same row), so the choice does not matter.
* The comparison with the table ranges uses the unrounded difference: more than 10 → no correction, 3 to 10
  inclusive → Table 4, less than 3 (e.g. 2.9) → measure again.
* Corrected Leq, Lmax and octave-band levels are reported to 0.1 dB (the display resolution of sound level meters,
  rounded half-even). The verdict is taken on those reported values: "exceeds" means the reported value minus the
  limit is more than 0.0, so a summary never says "超标0.0". A level equal to the limit complies (不得超过).

Time: ``measured_at`` may be naive or aware. An aware datetime is converted to Beijing time (Asia/Shanghai, the
bureau's time zone); a naive one is taken to be Beijing wall-clock time already. Day is ``day_starts`` (default
06:00) inclusive to ``night_starts`` (default 22:00) exclusive, so 06:00:00 is day and 22:00:00 is night.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.translation import gettext_lazy as _

from ecohotline.standards.errors import StandardsError

__all__ = [
    "BEIJING",
    "DEFAULT_DAY_STARTS",
    "DEFAULT_NIGHT_STARTS",
    "GB3096_TABLE_1",
    "GB12348_TABLE_1",
    "GB12348_TABLE_2",
    "GB12348_TABLE_3",
    "GB12348_TABLE_4",
    "GB12523_TABLE_1",
    "GB12523_TABLE_2",
    "GB22337_TABLE_1",
    "GB22337_TABLE_2",
    "GB22337_TABLE_3",
    "GB22337_TABLE_4",
    "MAX_LEVEL_DB",
    "MIN_LEVEL_DB",
    "NOISE_FIELDS",
    "NOISE_STANDARDS",
    "OCTAVE_BANDS_HZ",
    "DayNight",
    "LmaxKind",
    "NoiseField",
    "NoiseOutcome",
    "NoisePeriod",
    "NoiseStandard",
    "NoiseStandardInfo",
    "NoiseVerdict",
    "OctaveBandResult",
    "RoomType",
    "noise_verdict",
]

try:
    BEIJING: datetime.tzinfo = ZoneInfo("Asia/Shanghai")
except ZoneInfoNotFoundError:  # no tz database installed; China has kept UTC+8 without DST since 1991
    BEIJING = datetime.timezone(datetime.timedelta(hours=8), "CST")

DEFAULT_DAY_STARTS = datetime.time(6, 0)
DEFAULT_NIGHT_STARTS = datetime.time(22, 0)

# Below 0 dB or above 200 dB is a typing error, not a complaint.
MIN_LEVEL_DB = 0
MAX_LEVEL_DB = 200


class NoiseStandard(StrEnum):
    """The four noise standards, by the code stored on a measurement."""

    GB3096 = "GB3096"
    GB12348 = "GB12348"
    GB22337 = "GB22337"
    GB12523 = "GB12523"


class NoisePeriod(StrEnum):
    DAY = "day"  # 昼间
    NIGHT = "night"  # 夜间


class NoiseOutcome(StrEnum):
    COMPLIANT = "compliant"  # 达标
    EXCEEDS = "exceeds"  # 超标
    REMEASURE = "remeasure"  # 背景噪声过近，需重新测量


class LmaxKind(StrEnum):
    """GB 12348 §3.7/3.8: the kind of night-time noise whose maximum level (Lmax) was measured."""

    FREQUENT = "frequent"  # 频发噪声 (e.g. exhaust, loading): Lmax ≤ limit + 10
    OCCASIONAL = "occasional"  # 偶发噪声 (e.g. a short horn, blasting): Lmax ≤ limit + 15


class RoomType(StrEnum):
    """GB 12348 / GB 22337 Table 2: A = rooms for sleep (卧室、病房、客房); B = rooms used by day (教室、办公室…)."""

    A = "A"
    B = "B"


@dataclass(frozen=True, slots=True)
class NoiseStandardInfo:
    code: NoiseStandard
    name: str  # as printed: "GB 22337-2008"
    title_zh: str
    effective_from: datetime.date


NOISE_STANDARDS: Mapping[NoiseStandard, NoiseStandardInfo] = {
    # GB 3096's date is not in standards.md (its PDF was not found); 2008-10-01 is the published date.
    NoiseStandard.GB3096: NoiseStandardInfo(
        NoiseStandard.GB3096, "GB 3096-2008", "声环境质量标准", datetime.date(2008, 10, 1)
    ),
    NoiseStandard.GB12348: NoiseStandardInfo(
        NoiseStandard.GB12348, "GB 12348-2008", "工业企业厂界环境噪声排放标准", datetime.date(2008, 10, 1)
    ),
    NoiseStandard.GB22337: NoiseStandardInfo(
        NoiseStandard.GB22337, "GB 22337-2008", "社会生活环境噪声排放标准", datetime.date(2008, 10, 1)
    ),
    NoiseStandard.GB12523: NoiseStandardInfo(
        NoiseStandard.GB12523, "GB 12523-2011", "建筑施工场界环境噪声排放标准", datetime.date(2012, 7, 1)
    ),
}


class DayNight(NamedTuple):
    day: int
    night: int


# --- Tables, dB(A) unless noted -------------------------------------------------------------------------------

# GB 3096-2008 表1 环境噪声限值 (LAeq), by 声环境功能区类别.
GB3096_TABLE_1: Mapping[str, DayNight] = {
    "0": DayNight(50, 40),
    "1": DayNight(55, 45),
    "2": DayNight(60, 50),
    "3": DayNight(65, 55),
    "4a": DayNight(70, 55),
    "4b": DayNight(70, 60),
}
# GB 3096-2008 §5.3: background noise (no train passing) beside existing railway trunk lines crossing urban areas.
GB3096_EXISTING_RAILWAY_LIMITS = DayNight(70, 55)
# GB 3096-2008 §5.4: night burst noise (突发噪声) Lmax may exceed the limit by at most 15 dB(A).
GB3096_NIGHT_BURST_ALLOWANCE = 15

# GB 12348-2008 表1 工业企业厂界环境噪声排放限值, by the zone class outside the boundary (one class 4).
GB12348_TABLE_1: Mapping[str, DayNight] = {
    "0": DayNight(50, 40),
    "1": DayNight(55, 45),
    "2": DayNight(60, 50),
    "3": DayNight(65, 55),
    "4": DayNight(70, 55),
}
GB12348_FREQUENT_ALLOWANCE = 10  # §4.1.2 夜间频发噪声
GB12348_OCCASIONAL_ALLOWANCE = 15  # §4.1.3 夜间偶发噪声
INDOOR_REDUCTION = 10  # GB 12348 §4.1.5, GB 22337 §4.1.3, GB 12523 §4.3: limit − 10 dB(A) indoors

# GB 12348-2008 表2 结构传播固定设备室内噪声排放限值（等效声级）: rows as printed (zone classes, A room, B room).
GB12348_TABLE_2: tuple[tuple[tuple[str, ...], DayNight, DayNight], ...] = (
    (("0",), DayNight(40, 30), DayNight(40, 30)),
    (("1",), DayNight(40, 30), DayNight(45, 35)),
    (("2", "3", "4"), DayNight(45, 35), DayNight(50, 40)),
)

# Octave-band centre frequencies of Table 3, Hz. 31.5 Hz may also be given as 31.
OCTAVE_BANDS_HZ: tuple[float, ...] = (31.5, 63, 125, 250, 500)

# GB 12348-2008 表3 结构传播固定设备室内噪声排放限值（倍频带声压级, dB, not A-weighted）:
# rows as printed (zone classes, period, room types, limits at OCTAVE_BANDS_HZ).
GB12348_TABLE_3: tuple[tuple[tuple[str, ...], NoisePeriod, tuple[RoomType, ...], tuple[int, ...]], ...] = (
    (("0",), NoisePeriod.DAY, (RoomType.A, RoomType.B), (76, 59, 48, 39, 34)),
    (("0",), NoisePeriod.NIGHT, (RoomType.A, RoomType.B), (69, 51, 39, 30, 24)),
    (("1",), NoisePeriod.DAY, (RoomType.A,), (76, 59, 48, 39, 34)),
    (("1",), NoisePeriod.DAY, (RoomType.B,), (79, 63, 52, 44, 38)),
    (("1",), NoisePeriod.NIGHT, (RoomType.A,), (69, 51, 39, 30, 24)),
    (("1",), NoisePeriod.NIGHT, (RoomType.B,), (72, 55, 43, 35, 29)),
    (("2", "3", "4"), NoisePeriod.DAY, (RoomType.A,), (79, 63, 52, 44, 38)),
    (("2", "3", "4"), NoisePeriod.DAY, (RoomType.B,), (82, 67, 56, 49, 43)),
    (("2", "3", "4"), NoisePeriod.NIGHT, (RoomType.A,), (72, 55, 43, 35, 29)),
    (("2", "3", "4"), NoisePeriod.NIGHT, (RoomType.B,), (76, 59, 48, 39, 34)),
)

# GB 12348-2008 表4 测量结果修正表: (lowest difference, highest difference, correction), integer differences.
GB12348_TABLE_4: tuple[tuple[int, int, int], ...] = (
    (3, 3, -3),
    (4, 5, -2),
    (6, 10, -1),
)

# GB 22337-2008: Tables 1–4 are word for word those of GB 12348 (standards.md §3, checked cell by cell).
GB22337_TABLE_1 = GB12348_TABLE_1
GB22337_TABLE_2 = GB12348_TABLE_2
GB22337_TABLE_3 = GB12348_TABLE_3
GB22337_TABLE_4 = GB12348_TABLE_4
GB22337_STRUCTURE_LMAX_ALLOWANCE = 10  # §4.2.2 非稳态噪声（如电梯噪声）

# GB 12523-2011 表1 建筑施工场界环境噪声排放限值: one limit, no zone classes.
GB12523_TABLE_1 = DayNight(70, 55)
GB12523_NIGHT_LMAX_ALLOWANCE = 15  # §4.2
# GB 12523-2011 表2 (§5.7) is the same correction table as GB 12348 表4.
GB12523_TABLE_2 = GB12348_TABLE_4


# --- Clauses ----------------------------------------------------------------------------------------------------

_BOUNDARY_CLAUSE = {
    NoiseStandard.GB3096: "5.1 表1",
    NoiseStandard.GB12348: "4.1 表1",
    NoiseStandard.GB22337: "4.1 表1",
    NoiseStandard.GB12523: "4.1 表1",
}
_INDOOR_CLAUSE = {
    NoiseStandard.GB12348: "4.1.5 表1",
    NoiseStandard.GB22337: "4.1.3 表1",
    NoiseStandard.GB12523: "4.3 表1",
}
# GB 22337 names §4.2.1 in standards.md; for GB 12348 only the section (4.2) is certain.
_STRUCTURE_CLAUSE = {NoiseStandard.GB12348: "4.2", NoiseStandard.GB22337: "4.2.1"}
_REMEASURE_CLAUSE = {
    NoiseStandard.GB12348: "5.7.3",
    NoiseStandard.GB22337: "5.7.3",
    NoiseStandard.GB12523: "5.7",
}
_CORRECTION_TABLE = {
    NoiseStandard.GB12348: GB12348_TABLE_4,
    NoiseStandard.GB22337: GB22337_TABLE_4,
    NoiseStandard.GB12523: GB12523_TABLE_2,
}

_GB3096_ZONES = ("0", "1", "2", "3", "4a", "4b")
_EMISSION_ZONES = ("0", "1", "2", "3", "4", "4a", "4b")  # 4a and 4b are read as the single class 4


# --- Which inputs each standard uses ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NoiseField:
    """One keyword of `noise_verdict` as a web form should offer it for one standard.

    `required` holds whenever `when` holds (always, if `when` is None). `when` is one of:
    "boundary" (structure_borne is false), "structure_borne", "zone_class_4b", "boundary_lmax_at_night"
    (structure_borne is false, lmax is given and the time is at night). `choices` lists the accepted codes
    for a choice field (empty for numbers, booleans, times and the octave-band mapping).
    """

    name: str
    required: bool
    when: str | None = None
    choices: tuple[str, ...] = ()


_COMMON_HEAD = (NoiseField("measured_at", True), NoiseField("leq", True))
_HOURS = (NoiseField("day_starts", False), NoiseField("night_starts", False))
_ZONE = NoiseField("zone_class", True, choices=_GB3096_ZONES)
_STRUCTURE = (
    NoiseField("structure_borne", False),
    NoiseField("room_type", True, "structure_borne", choices=("A", "B")),
    NoiseField("octave_bands", False, "structure_borne"),
)

NOISE_FIELDS: Mapping[NoiseStandard, tuple[NoiseField, ...]] = {
    NoiseStandard.GB3096: (
        *_COMMON_HEAD,
        _ZONE,
        NoiseField("existing_railway", True, "zone_class_4b"),
        NoiseField("lmax", False),
        *_HOURS,
    ),
    NoiseStandard.GB12348: (
        *_COMMON_HEAD,
        _ZONE,
        NoiseField("background", False),
        NoiseField("lmax", False),
        NoiseField("lmax_kind", True, "boundary_lmax_at_night", choices=("frequent", "occasional")),
        NoiseField("indoor", False, "boundary"),
        *_STRUCTURE,
        *_HOURS,
    ),
    NoiseStandard.GB22337: (
        *_COMMON_HEAD,
        _ZONE,
        NoiseField("background", False),
        NoiseField("lmax", False),
        NoiseField("indoor", False, "boundary"),
        *_STRUCTURE,
        *_HOURS,
    ),
    NoiseStandard.GB12523: (
        *_COMMON_HEAD,
        NoiseField("background", False),
        NoiseField("lmax", False),
        NoiseField("indoor", False),
        *_HOURS,
    ),
}


# --- The verdict ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OctaveBandResult:
    """One octave band of GB 12348 / GB 22337 Table 3 (dB, not A-weighted)."""

    band_hz: float  # 31.5, 63, 125, 250 or 500
    measured: float  # as given
    limit: int
    exceedance: float  # measured (to 0.1) − limit
    exceeds: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "band_hz": self.band_hz,
            "measured": self.measured,
            "limit": self.limit,
            "exceedance": self.exceedance,
            "exceeds": self.exceeds,
        }


@dataclass(frozen=True, slots=True)
class NoiseVerdict:
    """The judgement of one noise measurement; `as_dict()` is what is stored and shown.

    `clause` is the clause that decided the verdict: the Leq limit's when Leq exceeds or everything complies,
    otherwise the clause of the Lmax rule or of Table 3 that was exceeded, or the remeasure clause.
    `limit`, `corrected` and `exceedance` are about Leq; `lmax_*` and `bands` about the maximum level and the
    octave bands (empty or None when not judged).
    """

    standard: str  # "GB 22337-2008"
    standard_code: str  # "GB22337"
    clause: str
    period: str  # "day" / "night"
    measured_at_local: datetime.datetime  # Beijing time used to choose the period
    zone_class: str | None  # normalised: "0" … "3", "4", "4a", "4b"; None for GB 12523
    room_type: str | None  # "A" / "B" for structure-borne noise
    measured: float  # Leq as given
    background: float | None
    correction: int | None  # 0, −1, −2 or −3 dB(A); None without background or when it was too close
    corrected: float | None  # Leq after correction, to 0.1 dB; None when it must be measured again
    limit: int | None
    limit_clause: str
    exceedance: float | None  # corrected − limit, to 0.1 dB
    verdict: str  # "compliant" / "exceeds" / "remeasure"
    reasons: tuple[str, ...]
    lmax: float | None = None
    lmax_limit: int | None = None
    lmax_exceedance: float | None = None
    lmax_clause: str | None = None
    bands: tuple[OctaveBandResult, ...] = field(default=())
    bands_clause: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types only: strings, numbers, None, lists and dicts."""
        return {
            "standard": self.standard,
            "standard_code": self.standard_code,
            "clause": self.clause,
            "period": str(self.period),
            "measured_at_local": self.measured_at_local.isoformat(),
            "zone_class": self.zone_class,
            "room_type": self.room_type,
            "measured": self.measured,
            "background": self.background,
            "correction": self.correction,
            "corrected": self.corrected,
            "limit": self.limit,
            "limit_clause": self.limit_clause,
            "exceedance": self.exceedance,
            "verdict": str(self.verdict),
            "reasons": list(self.reasons),
            "lmax": self.lmax,
            "lmax_limit": self.lmax_limit,
            "lmax_exceedance": self.lmax_exceedance,
            "lmax_clause": self.lmax_clause,
            "bands": [band.as_dict() for band in self.bands],
            "bands_clause": self.bands_clause,
        }

    def summary_zh(self) -> str:
        """One line for a reply, e.g. "夜间 2类区 限值45 dB(A)，修正后测量值52.3 dB(A)，超标7.3 dB(A)"."""
        head = ["昼间" if self.period == NoisePeriod.DAY else "夜间"]
        if self.zone_class is not None:
            head.append(f"{self.zone_class}类区")
        if self.room_type is not None:
            head.append(f"{self.room_type}类房间")
        parts = [" ".join(head) + f" 限值{self.limit} dB(A)"]
        if self.corrected is None:
            parts.append(f"测量值{_fmt(self.measured)} dB(A)与背景值相差不足3 dB(A)，需降低背景噪声后重新测量")
        else:
            label = "修正后测量值" if self.correction else "测量值"
            parts.append(f"{label}{_fmt(self.corrected)} dB(A)")
            assert self.exceedance is not None
            parts.append(f"超标{_fmt(self.exceedance)} dB(A)" if self.exceedance > 0 else "达标")
        text = "，".join(parts)
        if self.lmax is not None and self.lmax_limit is not None and self.lmax_exceedance is not None:
            lmax_text = f"最大声级{_fmt(self.lmax)} dB(A)，限值{self.lmax_limit} dB(A)，"
            lmax_text += f"超标{_fmt(self.lmax_exceedance)} dB(A)" if self.lmax_exceedance > 0 else "达标"
            text += "；" + lmax_text
        over = [band for band in self.bands if band.exceeds]
        if self.bands:
            if over:
                text += "；倍频带" + "、".join(f"{_fmt_hz(b.band_hz)} Hz超标{_fmt(b.exceedance)} dB" for b in over)
            else:
                text += "；倍频带声压级达标"
        return text


def _fmt(value: float) -> str:
    """Levels and exceedances to one decimal, as reported: 52.3, 60.0."""
    return f"{value:.1f}"


def _fmt_hz(value: float) -> str:
    return f"{value:g}"


# --- Validation -------------------------------------------------------------------------------------------------


def _level(value: object, name: str) -> Decimal:
    """A sound level in dB as an exact decimal; NaN, infinities, non-numbers and absurd levels are refused."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise StandardsError("not_a_number", _("%(name)s must be a number of decibels."), field=name, name=name)
    number = Decimal(str(value))
    if not number.is_finite() or (isinstance(value, float) and not math.isfinite(value)):
        raise StandardsError("not_a_number", _("%(name)s must be a number of decibels."), field=name, name=name)
    if number < MIN_LEVEL_DB or number > MAX_LEVEL_DB:
        raise StandardsError(
            "level_out_of_range",
            _("%(name)s is %(value)s dB, outside %(min)s to %(max)s dB."),
            field=name,
            name=name,
            value=str(value),
            min=MIN_LEVEL_DB,
            max=MAX_LEVEL_DB,
        )
    return number


def _round1(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)


def _not_applicable(name: str, standard: NoiseStandard) -> StandardsError:
    return StandardsError(
        "input_not_applicable",
        _("%(name)s is not used by %(standard)s in this case; leave it empty."),
        field=name,
        name=name,
        standard=NOISE_STANDARDS[standard].name,
    )


def _standard(value: object) -> NoiseStandard:
    """The code, spaces and case ignored; the full name with its year ("GB 22337-2008") is accepted too."""
    compact = str(value).replace(" ", "").upper()
    for code, info in NOISE_STANDARDS.items():
        if compact in (code.value, info.name.replace(" ", "")):
            return code
    raise StandardsError(
        "unknown_standard",
        _("Unknown noise standard %(standard)s; use GB3096, GB12348, GB22337 or GB12523."),
        field="standard",
        standard=str(value),
    )


def _zone(value: object, standard: NoiseStandard) -> str:
    allowed = _GB3096_ZONES if standard == NoiseStandard.GB3096 else _EMISSION_ZONES
    if value is None or (isinstance(value, str) and not value.strip()):
        raise StandardsError(
            "zone_class_required",
            _("%(standard)s needs the zone class (声环境功能区类别) of the place."),
            field="zone_class",
            standard=NOISE_STANDARDS[standard].name,
        )
    zone = str(value).strip().lower().removesuffix("类")
    if zone not in allowed:
        raise StandardsError(
            "unknown_zone_class",
            _("Unknown zone class %(zone_class)s for %(standard)s; use one of %(allowed)s."),
            field="zone_class",
            zone_class=str(value),
            standard=NOISE_STANDARDS[standard].name,
            allowed=", ".join(allowed),
        )
    return zone


def _local_time(measured_at: object) -> datetime.datetime:
    if not isinstance(measured_at, datetime.datetime):
        raise StandardsError(
            "invalid_datetime",
            _("The measurement time must be a date and time, not %(value)s."),
            field="measured_at",
            value=repr(measured_at),
        )
    if measured_at.tzinfo is not None and measured_at.utcoffset() is not None:
        return measured_at.astimezone(BEIJING)
    return measured_at


def _period(local: datetime.datetime, day_starts: datetime.time, night_starts: datetime.time) -> NoisePeriod:
    clock = local.time()
    return NoisePeriod.DAY if day_starts <= clock < night_starts else NoisePeriod.NIGHT


def _hours(day_starts: object, night_starts: object) -> tuple[datetime.time, datetime.time]:
    day = DEFAULT_DAY_STARTS if day_starts is None else day_starts
    night = DEFAULT_NIGHT_STARTS if night_starts is None else night_starts
    for name, value in (("day_starts", day), ("night_starts", night)):
        if not isinstance(value, datetime.time):
            raise StandardsError(
                "invalid_day_night_hours",
                _("%(name)s must be a time of day."),
                field=name,
                name=name,
            )
    assert isinstance(day, datetime.time) and isinstance(night, datetime.time)
    day, night = day.replace(tzinfo=None), night.replace(tzinfo=None)
    if not day < night:
        raise StandardsError(
            "invalid_day_night_hours",
            _("Day must start before night on the same day (day %(day)s, night %(night)s)."),
            field="night_starts" if night_starts is not None else "day_starts",
            day=day.isoformat(),
            night=night.isoformat(),
        )
    return day, night


def _octave_bands(values: Mapping[float, float]) -> dict[float, Decimal]:
    bands: dict[float, Decimal] = {}
    for key, level in values.items():
        band = 31.5 if key in (31, 31.5) else key
        if isinstance(key, bool) or band not in OCTAVE_BANDS_HZ:
            raise StandardsError(
                "unknown_octave_band",
                _("Octave band %(band)s Hz is not in the table; use 31.5 (or 31), 63, 125, 250 or 500."),
                field="octave_bands",
                band=str(key),
            )
        if band in bands:
            raise StandardsError(
                "duplicate_octave_band",
                _("Octave band %(band)s Hz is given twice."),
                field="octave_bands",
                band=str(key),
            )
        bands[float(band)] = _level(level, "octave_bands")
    return bands


# --- Judgement --------------------------------------------------------------------------------------------------


def _background_correction(standard: NoiseStandard, leq: Decimal, background: Decimal) -> tuple[int | None, str]:
    """GB 12348 §5.7 / GB 22337 §5.7 / GB 12523 §5.7: the correction, or None when it must be measured again."""
    difference = leq - background
    if difference > 10:
        return 0, "background_negligible"
    if difference < 3:
        return None, "remeasure_background_too_close"
    rounded = int(difference.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    for low, high, correction in _CORRECTION_TABLE[standard]:
        if low <= rounded <= high:
            return correction, "background_corrected"
    raise AssertionError(rounded)  # pragma: no cover - 3 ≤ rounded ≤ 10 always matches a row


def _table_2(table: tuple[tuple[tuple[str, ...], DayNight, DayNight], ...], zone: str, room: RoomType) -> DayNight:
    for zones, room_a, room_b in table:
        if zone in zones:
            return room_a if room == RoomType.A else room_b
    raise AssertionError(zone)  # pragma: no cover - zones are validated


def _table_3(
    table: tuple[tuple[tuple[str, ...], NoisePeriod, tuple[RoomType, ...], tuple[int, ...]], ...],
    zone: str,
    period: NoisePeriod,
    room: RoomType,
) -> dict[float, int]:
    for zones, row_period, rooms, limits in table:
        if zone in zones and row_period == period and room in rooms:
            return dict(zip(OCTAVE_BANDS_HZ, limits, strict=True))
    raise AssertionError(zone)  # pragma: no cover - zones are validated


def noise_verdict(
    *,
    standard: str,
    measured_at: datetime.datetime,
    leq: float,
    zone_class: str | None = None,
    background: float | None = None,
    lmax: float | None = None,
    lmax_kind: str | None = None,
    indoor: bool = False,
    structure_borne: bool = False,
    room_type: str | None = None,
    octave_bands: Mapping[float, float] | None = None,
    existing_railway: bool | None = None,
    day_starts: datetime.time | None = None,
    night_starts: datetime.time | None = None,
) -> NoiseVerdict:
    """Judge one noise measurement (逢诉必测) against `standard` as in force at `measured_at`.

    * `standard`: "GB3096", "GB12348", "GB22337" or "GB12523" (spaces and case are ignored; the full name with
      the year, "GB 22337-2008", is accepted too).
    * `measured_at`: aware (converted to Beijing time) or naive (taken as Beijing time); chooses day or night
      between `day_starts` (default 06:00, inclusive) and `night_starts` (default 22:00, exclusive).
    * `leq`: the A-weighted equivalent level Leq in dB(A) as measured.
    * `zone_class`: 声环境功能区类别 "0", "1", "2", "3", "4a", "4b" ("4A", "2类" accepted). GB 12348 and
      GB 22337 have one class 4 and also accept "4". Required except for GB 12523, which has no classes (where a
      place has no zoning, GB 12348 §4.1.4 leaves the class to the county government: pass the class it set).
    * `background`: background level (背景噪声) for the emission standards; corrected by Table 4 (GB 12523 Table 2).
    * `lmax`: the maximum level. Judged at night under GB 3096 §5.4 (+15), GB 12348 §4.1.2/4.1.3 (+10 frequent,
      +15 occasional, `lmax_kind` then required) and GB 12523 §4.2 (+15); at any hour for structure-borne noise
      under GB 22337 §4.2.2 (+10, 非稳态噪声 such as lifts). Elsewhere it is recorded and not judged.
    * `indoor`: measured indoors because the boundary is less than 1 m from a sensitive building (GB 12348 §4.1.5,
      GB 22337 §4.1.3) or the site cannot be measured outdoors (GB 12523 §4.3): the limit is reduced by 10 dB(A).
    * `structure_borne`, `room_type`, `octave_bands`: noise of fixed equipment carried through the building
      (GB 12348 §4.2, GB 22337 §4.2.1): Table 2 by room type "A"/"B", and Table 3 for the octave bands given as
      {Hz: dB}, keys 31.5 (or 31), 63, 125, 250, 500. Octave bands are judged as measured (no background correction).
    * `existing_railway`: GB 3096 zone 4b only, required there. True for an existing railway trunk line (built,
      or its EIA approved, by 2010-12-31) and its rebuilding: §5.3 limits 70/55 for the background when no train
      passes. False for a new line (EIA approved from 2011-01-01): the 4b limits 70/60 of §5.2.

    An input the chosen standard does not use raises `StandardsError("input_not_applicable")`, except `lmax`,
    which sound level meters always record: where no Lmax rule applies it is kept with reason "lmax_not_assessed_day"
    or "lmax_no_rule". The overall verdict is "exceeds" when Leq, Lmax or any octave band exceeds (Lmax and octave
    bands are judged directly, so they can decide even when Leq has to be measured again), otherwise "remeasure"
    when the background was within 3 dB(A) of Leq, otherwise "compliant".
    """
    code = _standard(standard)
    info = NOISE_STANDARDS[code]
    local = _local_time(measured_at)
    if local.date() < info.effective_from:
        raise StandardsError(
            "standard_not_in_force",
            _("%(standard)s took effect on %(effective)s, after the measurement on %(date)s."),
            field="measured_at",
            standard=info.name,
            effective=info.effective_from.isoformat(),
            date=local.date().isoformat(),
        )
    day_start, night_start = _hours(day_starts, night_starts)
    period = _period(local, day_start, night_start)
    reasons: list[str] = []
    if (day_start, night_start) != (DEFAULT_DAY_STARTS, DEFAULT_NIGHT_STARTS):
        reasons.append("custom_day_night_hours")

    leq_level = _level(leq, "leq")
    background_level = None if background is None else _level(background, "background")
    lmax_level = None if lmax is None else _level(lmax, "lmax")

    # Which inputs the standard uses.
    emission = code in (NoiseStandard.GB12348, NoiseStandard.GB22337)
    if structure_borne and not emission:
        raise _not_applicable("structure_borne", code)
    if code == NoiseStandard.GB12523 and zone_class is not None:
        raise _not_applicable("zone_class", code)
    if code == NoiseStandard.GB3096:
        if background is not None:
            raise _not_applicable("background", code)
        if indoor:
            raise _not_applicable("indoor", code)
    if structure_borne and indoor:
        raise _not_applicable("indoor", code)  # structure-borne noise is always measured indoors, no −10
    if not structure_borne:
        if room_type is not None:
            raise _not_applicable("room_type", code)
        if octave_bands is not None:
            raise _not_applicable("octave_bands", code)
    if lmax_kind is not None and (code != NoiseStandard.GB12348 or structure_borne):
        raise _not_applicable("lmax_kind", code)

    zone = None if code == NoiseStandard.GB12523 else _zone(zone_class, code)
    if code == NoiseStandard.GB3096 and zone == "4b":
        if existing_railway is None:
            raise StandardsError(
                "existing_railway_required",
                _("For zone class 4b say whether the railway line is an existing one (EIA approved by 2010)."),
                field="existing_railway",
            )
    elif existing_railway is not None:
        raise _not_applicable("existing_railway", code)

    kind = None
    if lmax_kind is not None:
        try:
            kind = LmaxKind(str(lmax_kind).lower())
        except ValueError:
            raise StandardsError(
                "unknown_lmax_kind",
                _("Unknown kind of noise %(lmax_kind)s; use frequent (频发) or occasional (偶发)."),
                field="lmax_kind",
                lmax_kind=str(lmax_kind),
            ) from None

    room = None
    bands: dict[float, Decimal] = {}
    if structure_borne:
        if room_type is None or (isinstance(room_type, str) and not room_type.strip()):
            raise StandardsError(
                "room_type_required",
                _("Structure-borne noise is judged by room type; give A (bedroom) or B (other room)."),
                field="room_type",
            )
        try:
            room = RoomType(str(room_type).strip().upper().removesuffix("类"))
        except ValueError:
            raise StandardsError(
                "unknown_room_type",
                _("Unknown room type %(room_type)s; use A or B."),
                field="room_type",
                room_type=str(room_type),
            ) from None
        bands = _octave_bands(octave_bands or {})

    if background_level is not None and background_level > leq_level:
        raise StandardsError(
            "background_above_measured",
            _("The background level %(background)s dB(A) is higher than the measured level %(leq)s dB(A)."),
            field="background",
            background=str(background),
            leq=str(leq),
        )
    if lmax_level is not None and lmax_level < leq_level:
        raise StandardsError(
            "lmax_below_leq",
            _("The maximum level %(lmax)s dB(A) cannot be lower than the equivalent level %(leq)s dB(A)."),
            field="lmax",
            lmax=str(lmax),
            leq=str(leq),
        )

    # The Leq limit.
    table_row: DayNight
    if code == NoiseStandard.GB3096:
        assert zone is not None
        if zone == "4b" and existing_railway:
            table_row, limit_clause = GB3096_EXISTING_RAILWAY_LIMITS, "5.3"
            reasons.append("existing_railway_background")
        else:
            table_row, limit_clause = GB3096_TABLE_1[zone], "5.1 表1"
    elif code == NoiseStandard.GB12523:
        table_row, limit_clause = GB12523_TABLE_1, _BOUNDARY_CLAUSE[code]
    else:
        assert zone is not None
        row_zone = "4" if zone in ("4a", "4b") else zone
        if structure_borne:
            assert room is not None
            table = GB12348_TABLE_2 if code == NoiseStandard.GB12348 else GB22337_TABLE_2
            table_row, limit_clause = _table_2(table, row_zone, room), f"{_STRUCTURE_CLAUSE[code]} 表2"
            reasons.append("structure_borne")
        else:
            table_1 = GB12348_TABLE_1 if code == NoiseStandard.GB12348 else GB22337_TABLE_1
            table_row, limit_clause = table_1[row_zone], _BOUNDARY_CLAUSE[code]
    limit = table_row.day if period == NoisePeriod.DAY else table_row.night
    if indoor:
        limit -= INDOOR_REDUCTION
        limit_clause = _INDOOR_CLAUSE[code]
        reasons.append("indoor_limit_minus_10")

    # Background correction and the Leq judgement.
    correction: int | None = None
    if background_level is not None:
        correction, reason = _background_correction(code, leq_level, background_level)
        reasons.append(reason)
    corrected: Decimal | None = None
    exceedance: Decimal | None = None
    if background_level is None or correction is not None:
        corrected = _round1(leq_level + (correction or 0))
        exceedance = corrected - limit
        reasons.append("leq_exceeds" if exceedance > 0 else "leq_compliant")

    # Lmax.
    lmax_limit: int | None = None
    lmax_clause: str | None = None
    if lmax_level is not None:
        allowance: int | None = None
        if code == NoiseStandard.GB22337 and structure_borne:
            allowance, lmax_clause = GB22337_STRUCTURE_LMAX_ALLOWANCE, "4.2.2"
        elif code == NoiseStandard.GB22337 or structure_borne:
            reasons.append("lmax_no_rule")
        elif period == NoisePeriod.DAY:
            reasons.append("lmax_not_assessed_day")
        elif code == NoiseStandard.GB3096:
            allowance, lmax_clause = GB3096_NIGHT_BURST_ALLOWANCE, "5.4"
        elif code == NoiseStandard.GB12523:
            allowance, lmax_clause = GB12523_NIGHT_LMAX_ALLOWANCE, "4.2"
        else:  # GB 12348 boundary at night
            if kind is None:
                raise StandardsError(
                    "lmax_kind_required",
                    _("At night GB 12348 judges Lmax by the kind of noise: frequent (频发) or occasional (偶发)."),
                    field="lmax_kind",
                )
            if kind == LmaxKind.FREQUENT:
                allowance, lmax_clause = GB12348_FREQUENT_ALLOWANCE, "4.1.2"
            else:
                allowance, lmax_clause = GB12348_OCCASIONAL_ALLOWANCE, "4.1.3"
        if allowance is not None:
            lmax_limit = limit + allowance
    lmax_exceedance = None
    if lmax_level is not None and lmax_limit is not None:
        lmax_exceedance = _round1(lmax_level) - lmax_limit
        reasons.append("lmax_exceeds" if lmax_exceedance > 0 else "lmax_compliant")

    # Octave bands (Table 3).
    band_results: list[OctaveBandResult] = []
    bands_clause = None
    if bands:
        assert zone is not None and room is not None
        row_zone = "4" if zone in ("4a", "4b") else zone
        table_3 = GB12348_TABLE_3 if code == NoiseStandard.GB12348 else GB22337_TABLE_3
        band_limits = _table_3(table_3, row_zone, period, room)
        bands_clause = f"{_STRUCTURE_CLAUSE[code]} 表3"
        for band_hz in OCTAVE_BANDS_HZ:
            if band_hz in bands:
                over = _round1(bands[band_hz]) - band_limits[band_hz]
                band_results.append(
                    OctaveBandResult(float(band_hz), float(bands[band_hz]), band_limits[band_hz], float(over), over > 0)
                )
        reasons.append("octave_band_exceeds" if any(b.exceeds for b in band_results) else "octave_bands_compliant")

    # The overall verdict and the clause that decided it.
    if exceedance is not None and exceedance > 0:
        verdict, clause = NoiseOutcome.EXCEEDS, limit_clause
    elif lmax_exceedance is not None and lmax_exceedance > 0:
        assert lmax_clause is not None
        verdict, clause = NoiseOutcome.EXCEEDS, lmax_clause
    elif any(b.exceeds for b in band_results):
        assert bands_clause is not None
        verdict, clause = NoiseOutcome.EXCEEDS, bands_clause
    elif corrected is None:
        verdict, clause = NoiseOutcome.REMEASURE, _REMEASURE_CLAUSE[code]
    else:
        verdict, clause = NoiseOutcome.COMPLIANT, limit_clause

    return NoiseVerdict(
        standard=info.name,
        standard_code=str(code),
        clause=clause,
        period=str(period),
        measured_at_local=local,
        zone_class=zone,
        room_type=None if room is None else str(room),
        measured=float(leq),
        background=None if background is None else float(background),
        correction=correction,
        corrected=None if corrected is None else float(corrected),
        limit=limit,
        limit_clause=limit_clause,
        exceedance=None if exceedance is None else float(exceedance),
        verdict=str(verdict),
        reasons=tuple(reasons),
        lmax=None if lmax is None else float(lmax),
        lmax_limit=lmax_limit,
        lmax_exceedance=None if lmax_exceedance is None else float(lmax_exceedance),
        lmax_clause=lmax_clause,
        bands=tuple(band_results),
        bands_clause=bands_clause,
    )
