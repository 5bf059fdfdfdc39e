"""预警 detectors: early warnings from hourly monitoring-station data, as pure functions.

The monitoring app imports station data (air now; water and noise by adding rows to :data:`PARAMETERS` and
:data:`GB3095_LIMITS`-style limit tables) and runs these detectors over it; every episode they find opens one
verification task (核查任务). Nothing here touches the database or the settings: input is one hourly
:class:`Series` per station × parameter, output is a list of :class:`Hit` (one flagged hour, or one flagged span for
gaps and flat lines) and, from those, :class:`Episode` (consecutive hits of one station × parameter × detector).

Detectors, each vectorised with numpy and causal (a hit at hour *t* depends only on data up to *t*):

* :func:`detect_exceedances` (``exceeds_limit``, pollution): GB 3095 二级 limits on the averaging period the
  standard sets, with the version in force on the date.
* :func:`detect_sudden_rises` (``sudden_rise``, pollution): far above the station's own recent, same-hour-of-day
  level (robust median/MAD baseline over the previous 28 days).
* :func:`detect_neighbour_outliers` (``far_from_neighbours``): far above the other stations at the same hour (a local
  source, pollution) or far below them (a suspect analyser, data quality).
* :func:`detect_flat_lines`, :func:`detect_gaps`, :func:`detect_impossible_values` (data quality).
* :func:`detect_all` runs all of them; :func:`episodes` groups hits.

Units are those of the standards: µg/m³, CO in mg/m³ (convert a µg/m³ CO column by ÷1000 before building a Series).

``Hit.expected`` is the reference the value was compared with (the limit, the baseline median, the neighbours'
median) or ``None``; ``Hit.params`` holds the numbers of a translatable sentence, e.g.
``_("%(value)s above the limit %(limit)s (%(standard)s)") % hit.params`` — plain JSON-friendly values only.
Every threshold is a module constant with the reason for its value; the values were checked on four years of real
data of 12 Beijing stations (see ``docs/monitoring-evaluation.md``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import Any, Final

import numpy as np
import numpy.typing as npt

__all__ = [
    "DATA_QUALITY", "DETECTORS", "GB3095_LIMITS", "PARAMETERS", "POLLUTION", "SEVERITIES", "Episode", "Hit", "Limit",
    "ParameterSpec", "Series", "detect_all", "detect_exceedances", "detect_flat_lines", "detect_gaps",
    "detect_impossible_values", "detect_neighbour_outliers", "detect_sudden_rises", "episodes",
]  # fmt: skip

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

# --- codes (stored, never translated) ----------------------------------------------------------------------------
POLLUTION: Final = "pollution"
DATA_QUALITY: Final = "data_quality"
LOW: Final = "low"
MEDIUM: Final = "medium"
HIGH: Final = "high"
SEVERITIES: Final = (LOW, MEDIUM, HIGH)
_SEVERITY_RANK: Final = {LOW: 0, MEDIUM: 1, HIGH: 2}

EXCEEDS_LIMIT: Final = "exceeds_limit"
SUDDEN_RISE: Final = "sudden_rise"
FAR_FROM_NEIGHBOURS: Final = "far_from_neighbours"
FLAT_LINE: Final = "flat_line"
GAP: Final = "gap"
IMPOSSIBLE_VALUE: Final = "impossible_value"
DETECTORS: Final = (EXCEEDS_LIMIT, SUDDEN_RISE, FAR_FROM_NEIGHBOURS, FLAT_LINE, GAP, IMPOSSIBLE_VALUE)

# Reasons (Hit.reason) beyond the detector names.
FAR_BELOW_NEIGHBOURS: Final = "far_below_neighbours"  # far_from_neighbours, data quality
NEGATIVE_VALUE: Final = "negative_value"  # impossible_value
ABOVE_PHYSICAL_MAX: Final = "above_physical_max"  # impossible_value
AT_REPORTING_CAP: Final = "at_reporting_cap"  # impossible_value (low): censored, the true value is ≥ the cap

HOUR: Final = timedelta(hours=1)

# --- thresholds ---------------------------------------------------------------------------------------------------
#: Exceedance severity by value / limit. 1.5× and 2× the PM2.5 daily limit of GB 3095-2012 (75) are 112 and 150,
#: within a few µg/m³ of the HJ 633 IAQI 150 / 200 breakpoints (115, 150): "light", "moderate", "heavy" pollution.
EXCEEDANCE_MEDIUM_RATIO: Final = 1.5
EXCEEDANCE_HIGH_RATIO: Final = 2.0

#: Sudden rise: the baseline is the same station × parameter over the previous 28 days (four whole weeks, so every
#: weekday counts the same; short enough to follow the season) at the same hour of day ±1 h (84 hours, so the
#: diurnal cycle — rush-hour NO2, afternoon O3 — is part of "normal").
RISE_BASELINE_DAYS: Final = 28
RISE_HOUR_WINDOW: Final = 1
#: At least a third of the 84 baseline hours must be valid, else no baseline and no hit (a station back from a long
#: outage is not compared with a handful of hours).
RISE_MIN_BASELINE_HOURS: Final = 28
#: Robust z = (value − median) / max(1.4826 × MAD, rise_mad_floor) must be ≥ 6, AND the value must be ≥ the
#: parameter's rise_floor above the median, AND it must have risen by ≥ rise_floor within the last 3 hours (that is
#: what makes it *sudden*: a slow build-up over days, which the 28-day baseline lags behind, is the exceedance
#: detector's business). Tuned on the real data: z ≥ 4 without the 3-hour condition gave 180 episodes per
#: station-year, z ≥ 6 alone 84, z ≥ 6 with it 33. z ≥ 8 would give 17, but 6 keeps on the list a summer PM2.5
#: jump of ~150 µg/m³ over a typical summer same-hour spread of ~25 µg/m³.
RISE_Z: Final = 6.0
RISE_STEP_HOURS: Final = 3
#: Severity of a sudden rise by robust z: 6–9 low, 9–15 medium, ≥ 15 high (about a third of the real episodes are
#: medium or high).
RISE_Z_MEDIUM: Final = 9.0
RISE_Z_HIGH: Final = 15.0
MAD_SCALE: Final = 1.4826  # MAD × 1.4826 estimates the standard deviation of a normal sample

#: Neighbours: compare with the median of the other stations (or of the given neighbours) at the same hour.
NEIGHBOUR_MIN_HOURS: Final = 3  # consecutive hours the condition must hold (the hit is the 3rd hour on)
NEIGHBOUR_MIN_COUNT: Final = 3  # a median of fewer than 3 stations is one station's quirk, not "the area"
#: High (pollution): value ≥ 2.5 × the neighbours' median AND ≥ the parameter's absolute floor AND robust z across
#: stations ≥ 4, held for NEIGHBOUR_MIN_HOURS hours. In Beijing winter inversions urban stations run 1.5–2× the
#: suburbs for hours, so 2× was too eager; and a front reaches the northern suburbs an hour or two before the city,
#: which made one- and two-hour "outliers" by the hundred: requiring 3 consecutive hours cut the highs from 83 to 13
#: episodes per station-year on the real data, keeping the stations that sit alone in a plume.
NEIGHBOUR_HIGH_RATIO: Final = 2.5
NEIGHBOUR_Z: Final = 4.0
#: Severity of a high against neighbours by ratio: 2.5–4× low, 4–6× medium, ≥ 6× high. Lows are always low.
NEIGHBOUR_MEDIUM_RATIO: Final = 4.0
NEIGHBOUR_HIGH_SEVERITY_RATIO: Final = 6.0
#: Low (data quality): value ≤ neighbours' median / 8 while the neighbours read high (difference ≥ floor), for 3
#: hours: an analyser reading near zero in the middle of a regional episode is more likely broken than the air
#: clean. /5 flagged the clean-background site 定陵 (Dingling) 33 times a year for its (real) low NO2; /8 keeps ~2.
NEIGHBOUR_LOW_RATIO: Final = 8.0
#: Spread floor: the robust spread of the neighbours is at least this share of their median, so a uniform network
#: (all stations within a few µg/m³) does not make a small difference look like many "sigmas".
NEIGHBOUR_SPREAD_FLOOR_SHARE: Final = 0.1

#: Flat line, gap and span severities (hours). A gap of 5 h already voids that day's 24-h mean (GB 3095 wants 20
#: valid hours a day), so gaps from 5 h on are reported; a day or three days without data is worse.
GAP_MIN_HOURS: Final = 5
SPAN_MEDIUM_HOURS: Final = 24
SPAN_HIGH_HOURS: Final = 72

#: Episodes: hits at most this many hit-free hours apart are one episode (the brief's default: 3 h). Exceedances get
#: 24 h: a 污染过程 (pollution process) dips below the limit overnight (PM) or every night (O3 in a hot spell) and is
#: still one process; with 3 h the real data gave 188 exceedance "episodes" per station-year, with 24 h 125.
EPISODE_MERGE_GAP_HOURS: Final = 3
DETECTOR_MERGE_GAP_HOURS: Final[Mapping[str, int]] = MappingProxyType({"exceeds_limit": 24})


@dataclass(frozen=True)
class ParameterSpec:
    """What the detectors need to know of one measured quantity (监测因子). Add water/noise rows here.

    ``quantum`` is the reporting resolution; ``physical_max`` the value above which a reading is impossible (not
    merely high); ``reporting_cap`` the value analysers/data centres print when over range (a lower bound);
    ``rise_floor`` / ``neighbour_floor`` the smallest absolute difference worth a pollution alert (None: the detector
    does not apply); ``flat_line_hours`` / ``flat_line_ignore_at_or_below`` when identical readings are suspect.
    """

    code: str
    medium: str  # "air" | "water" | "noise"
    unit: str
    quantum: float
    physical_max: float
    rise_floor: float | None
    rise_mad_floor: float
    neighbour_floor: float | None
    flat_line_hours: int
    flat_line_ignore_at_or_below: float
    physical_min: float = 0.0
    reporting_cap: float | None = None


# Physical maxima: the highest hourly values ever published for Beijing are ~1,000 µg/m³ PM2.5 (Jan 2013) and a few
# thousand PM10 in dust storms; the maxima below leave a wide margin and catch unit or decimal-point errors only.
# Reporting caps: this network's PM files top out at 999 (three-digit field) and CO at 10 mg/m³ (SOURCE.md).
# Rise floors are about one AQI sub-band (IAQI 50 step) of the pollutant: a smaller rise is not worth a visit.
# Flat lines: readings stuck at the detection floor (PM 3–6, SO2/NO2/O3 1–2 µg/m³, CO 0.1–0.3 mg/m³) are normal, so
# identical values at or below 10 quanta are ignored; CO, reported to 0.1 mg/m³, repeats itself for 6 h at night
# hundreds of times a year in real data, so it needs 8 h (see the evaluation).
PARAMETERS: Final[Mapping[str, ParameterSpec]] = MappingProxyType({
    "pm25": ParameterSpec("pm25", "air", "µg/m³", 1.0, 2000.0, 75.0, 5.0, 50.0, 6, 10.0, reporting_cap=999.0),
    "pm10": ParameterSpec("pm10", "air", "µg/m³", 1.0, 5000.0, 100.0, 5.0, 75.0, 6, 10.0, reporting_cap=999.0),
    "so2": ParameterSpec("so2", "air", "µg/m³", 1.0, 3000.0, 50.0, 2.0, 30.0, 6, 10.0),
    "no2": ParameterSpec("no2", "air", "µg/m³", 1.0, 2000.0, 60.0, 4.0, 50.0, 6, 10.0),
    "co": ParameterSpec("co", "air", "mg/m³", 0.1, 50.0, 2.0, 0.2, 1.5, 8, 1.0, reporting_cap=10.0),
    "o3": ParameterSpec("o3", "air", "µg/m³", 1.0, 1500.0, 80.0, 5.0, 80.0, 6, 10.0),
    # Noise: LAeq per hour; the limit depends on the station's 声环境功能区 (GB 3096), so it comes as a station Limit.
    # Noise is local by nature, hence no neighbour comparison; a quiet-hour jump of 10 dB is a complaint-grade rise.
    "noise_leq": ParameterSpec("noise_leq", "noise", "dB(A)", 0.1, 140.0, 10.0, 1.0, None, 6, 0.0,
                               physical_min=20.0),
    # Surface water (水质自动站, mg/L): the limit is the class the section must meet (GB 3838 Table 1), a station
    # Limit. Sections are far apart and differ by nature, hence no neighbour comparison; a rise worth an alert is
    # about one class step of the middle classes.
    "permanganate_index": ParameterSpec("permanganate_index", "water", "mg/L", 0.1, 200.0, 4.0, 0.3, None, 12, 1.0),
    "cod": ParameterSpec("cod", "water", "mg/L", 1.0, 1000.0, 10.0, 1.0, None, 12, 10.0),
    "ammonia_nitrogen": ParameterSpec("ammonia_nitrogen", "water", "mg/L", 0.01, 100.0, 0.5, 0.05, None, 12, 0.1),
    "total_phosphorus": ParameterSpec("total_phosphorus", "water", "mg/L", 0.01, 20.0, 0.1, 0.02, None, 12, 0.05),
})  # fmt: skip


@dataclass(frozen=True)
class Limit:
    """One limit value of a standard: the mean over ``averaging_hours`` must not exceed ``value``.

    ``min_valid_hours``: the data-validity rule of the standard (fewer valid hours: no mean, no verdict).
    ``valid_from``/``valid_until`` (exclusive): local dates the version is in force. ``station``: a station-specific
    limit (noise zone, water class). ``hours_of_day``: local hours it applies in (noise 昼间 6–22, 夜间 22–6).
    """

    parameter: str
    value: float
    averaging_hours: int
    min_valid_hours: int
    standard: str
    grade: str = "二级"
    valid_from: date | None = None
    valid_until: date | None = None
    station: str | None = None
    hours_of_day: frozenset[int] | None = None


GB3095_2012: Final = "GB 3095-2012"
GB3095_2026: Final = "GB 3095-2026"
GB3095_2026_IN_FORCE_FROM: Final = date(2026, 3, 1)  # replaced GB 3095-2012 that day (standards.md, CRITICAL)
GB3095_2026_FINAL_FROM: Final = date(2031, 1, 1)  # the transition stage ends 2030-12-31 (standards.md §5C)
#: GB 3095 data validity (表4 of the 2012 text, kept in 2026): a 24-h mean needs ≥ 20 valid hours, an 8-h mean ≥ 6.
#: standards.md does not reproduce that table; these are the well-known values of GB 3095-2012 §8.
VALID_HOURS_24H: Final = 20
VALID_HOURS_8H: Final = 6


def _gb3095(version: str, start: date | None, end: date | None, pm25: float, pm10: float,
            so2_1h: float) -> tuple[Limit, ...]:  # fmt: skip
    return (
        Limit("pm25", pm25, 24, VALID_HOURS_24H, version, valid_from=start, valid_until=end),
        Limit("pm10", pm10, 24, VALID_HOURS_24H, version, valid_from=start, valid_until=end),
        Limit("so2", so2_1h, 1, 1, version, valid_from=start, valid_until=end),
        Limit("no2", 200.0, 1, 1, version, valid_from=start, valid_until=end),
        Limit("co", 10.0, 1, 1, version, valid_from=start, valid_until=end),
        Limit("o3", 200.0, 1, 1, version, valid_from=start, valid_until=end),
        Limit("o3", 160.0, 8, VALID_HOURS_8H, version, valid_from=start, valid_until=end),
    )


#: GB 3095 二级 limits the detectors check: PM on the 24-h mean; SO2/NO2/CO/O3 on the 1-h value; O3 also 8-h mean.
#: 2012 values are not tabulated in standards.md: they are the well-known GB 3095-2012 表1 二级 values (PM2.5 75,
#: PM10 150 daily; SO2 500, NO2 200, CO 10 mg/m³, O3 200 hourly; O3 8 h 160), consistent with HJ 633-2012's IAQI 100
#: breakpoints in standards.md §5B. Applied to all dates before 2026-03-01 (GB 3095-1996 is not modelled).
#: 2026 transitional and final 二级 values: standards.md §5C.
GB3095_LIMITS: Final[tuple[Limit, ...]] = (
    *_gb3095(GB3095_2012, None, GB3095_2026_IN_FORCE_FROM, 75.0, 150.0, 500.0),
    *_gb3095(GB3095_2026 + " 过渡阶段", GB3095_2026_IN_FORCE_FROM, GB3095_2026_FINAL_FROM, 60.0, 120.0, 500.0),
    *_gb3095(GB3095_2026, GB3095_2026_FINAL_FROM, None, 50.0, 100.0, 150.0),
)


# --- input and output ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Series:
    """An hourly series (小时值) of one station × parameter from ``start`` (aware, on the hour); NaN = missing.

    ``values`` is stored as a read-only float64 copy. Equality is identity (arrays have no truth value).
    """

    station: str
    parameter: str
    start: datetime
    values: FloatArray

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.start.utcoffset() is None:
            raise ValueError("Series.start must be timezone-aware")
        if self.start.minute or self.start.second or self.start.microsecond:
            raise ValueError("Series.start must be on the hour")
        values = np.array(self.values, dtype=np.float64)
        if values.ndim != 1:
            raise ValueError("Series.values must be one-dimensional")
        values.flags.writeable = False
        object.__setattr__(self, "values", values)

    def __len__(self) -> int:
        return int(self.values.shape[0])

    def hour(self, index: int) -> datetime:
        """The time of ``values[index]``, in the zone of ``start`` (hours are counted in UTC, so DST is safe)."""
        return (self.start.astimezone(UTC) + index * HOUR).astimezone(self.start.tzinfo)

    def index_of(self, moment: datetime) -> int:
        """The index of the hour ``moment`` falls in (may be outside the series)."""
        return int((moment - self.start) // HOUR)


@dataclass(frozen=True)
class Hit:
    """One flagged hour (or, for ``gap``/``flat_line``, one flagged span starting at ``at``; ``params["hours"]``)."""

    detector: str
    category: str  # "pollution" | "data_quality"
    station: str
    parameter: str
    at: datetime
    value: float  # for a gap: the number of missing hours
    expected: float | None
    severity: str  # "low" | "medium" | "high"
    reason: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    @property
    def last_hour(self) -> datetime:
        """The last hour the hit covers (``at`` unless it is a span)."""
        return self.at + (int(self.params.get("hours", 1)) - 1) * HOUR


@dataclass(frozen=True)
class Episode:
    """Consecutive hits of one station × parameter × detector (× category): one alert and one verification task.

    ``key`` stays the same while an open episode grows with new data, so it identifies "the" alert of the episode.
    """

    detector: str
    category: str
    station: str
    parameter: str
    first: datetime
    last: datetime
    peak: Hit
    hit_count: int
    severity: str

    @property
    def key(self) -> str:
        first = self.first.astimezone(UTC).strftime("%Y-%m-%dT%H")
        return f"{self.detector}|{self.category}|{self.station}|{self.parameter}|{first}"

    @property
    def hours(self) -> int:
        return int((self.last - self.first) // HOUR) + 1


# --- helpers ------------------------------------------------------------------------------------------------------
def _spec(parameter: str) -> ParameterSpec:
    try:
        return PARAMETERS[parameter]
    except KeyError:
        raise ValueError(f"unknown parameter {parameter!r}: add it to PARAMETERS") from None


def _number(value: float) -> float:
    return round(float(value), 3)


def _plausible(series: Series) -> FloatArray:
    """The values with impossible readings (negative, above the physical maximum) set to missing."""
    spec = _spec(series.parameter)
    values = series.values
    with np.errstate(invalid="ignore"):
        bad = (values < spec.physical_min) | (values > spec.physical_max)
    return np.where(bad, np.nan, values) if bad.any() else values


def _rolling_mean(values: FloatArray, window: int, min_valid: int) -> FloatArray:
    """Mean of the ``window`` hours ending at each hour (causal), NaN where fewer than ``min_valid`` are valid."""
    if window == 1:
        return values
    valid = ~np.isnan(values)
    sums = np.concatenate(([0.0], np.cumsum(np.where(valid, values, 0.0))))
    counts = np.concatenate(([0], np.cumsum(valid)))
    ends = np.arange(1, values.shape[0] + 1)
    starts = np.maximum(ends - window, 0)
    total, count = sums[ends] - sums[starts], counts[ends] - counts[starts]
    out = np.full(values.shape[0], np.nan)
    ok = count >= min_valid
    # Rounded to 1e-6 so cumulative-sum error never turns a mean of exactly the limit into an exceedance.
    out[ok] = np.round(total[ok] / count[ok], 6)
    return out


def _sorted_median(sorted_rows: FloatArray, counts: IntArray) -> FloatArray:
    """Median of each row of an array sorted along axis 1 with NaN last, given each row's count of valid values."""
    rows = np.arange(sorted_rows.shape[0])
    low = sorted_rows[rows, np.maximum(counts - 1, 0) // 2]
    high = sorted_rows[rows, counts // 2]
    out = (low + high) / 2.0
    out[counts == 0] = np.nan
    return out


def _runs(mask: npt.NDArray[np.bool_]) -> tuple[IntArray, IntArray]:
    """Start indices and lengths of the runs of True in ``mask``."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    return starts, np.flatnonzero(edges == -1) - starts


def _persistent(mask: npt.NDArray[np.bool_], hours: int) -> npt.NDArray[np.bool_]:
    """True where ``mask`` has been True for the last ``hours`` hours, this one included (causal)."""
    if hours <= 1:
        return mask
    held = np.concatenate(([0], np.cumsum(mask)))
    ends = np.arange(1, mask.shape[0] + 1)
    return (ends >= hours) & (held[ends] - held[np.maximum(ends - hours, 0)] == hours)


def _span_severity(hours: int) -> str:
    return HIGH if hours >= SPAN_HIGH_HOURS else MEDIUM if hours >= SPAN_MEDIUM_HOURS else LOW


def _local_hours(series: Series) -> IntArray:
    # Assumes the zone of `start` has a fixed offset (Asia/Shanghai has had no DST since 1991).
    return ((series.start.hour + np.arange(len(series))) % 24).astype(np.intp)


def _index_of_date(series: Series, day: date) -> int:
    midnight = datetime.combine(day, time(0), tzinfo=series.start.tzinfo)
    return max(0, min(len(series), -int((series.start - midnight) // HOUR)))


# --- pollution detectors ------------------------------------------------------------------------------------------
def detect_exceedances(series: Series, *, limits: Sequence[Limit] = GB3095_LIMITS) -> list[Hit]:
    """``exceeds_limit``: hours whose mean over a limit's averaging period is above the limit in force.

    One hit per hour: where several limits are exceeded (O3 1 h and 8 h) the hit reports the largest ratio.
    ``value`` is that mean, ``expected`` the limit. Severity by ratio (see EXCEEDANCE_*_RATIO).
    """
    values = _plausible(series)
    n = len(series)
    best_ratio = np.zeros(n)
    best_limit = np.full(n, -1, dtype=np.intp)
    best_mean = np.full(n, np.nan)
    applicable = [
        limit for limit in limits
        if limit.parameter == series.parameter and limit.station in (None, series.station)
    ]  # fmt: skip
    for number, limit in enumerate(applicable):
        active = np.zeros(n, dtype=bool)
        lo = 0 if limit.valid_from is None else _index_of_date(series, limit.valid_from)
        hi = n if limit.valid_until is None else _index_of_date(series, limit.valid_until)
        active[lo:hi] = True
        if limit.hours_of_day is not None:
            active &= np.isin(_local_hours(series), sorted(limit.hours_of_day))
        if not active.any():
            continue
        mean = _rolling_mean(values, limit.averaging_hours, limit.min_valid_hours)
        with np.errstate(invalid="ignore"):
            ratio = np.where(active, mean / limit.value, np.nan)
            better = ratio > best_ratio
        best_ratio = np.where(better, ratio, best_ratio)
        best_limit = np.where(better, number, best_limit)
        best_mean = np.where(better, mean, best_mean)
    hits = []
    for index in np.flatnonzero(best_ratio > 1.0):
        limit = applicable[int(best_limit[index])]
        times = float(best_ratio[index])
        severity = HIGH if times > EXCEEDANCE_HIGH_RATIO else MEDIUM if times > EXCEEDANCE_MEDIUM_RATIO else LOW
        hits.append(Hit(
            EXCEEDS_LIMIT, POLLUTION, series.station, series.parameter, series.hour(int(index)),
            _number(best_mean[index]), limit.value, severity, EXCEEDS_LIMIT,
            {"limit": limit.value, "ratio": _number(times), "averaging_hours": limit.averaging_hours,
             "standard": limit.standard, "grade": limit.grade},
        ))  # fmt: skip
    return hits


def _baseline(values: FloatArray, at: IntArray) -> tuple[FloatArray, FloatArray, IntArray]:
    """Median, scaled MAD and count of the same-hour-of-day (±1 h) values of the previous RISE_BASELINE_DAYS days."""
    offsets = np.array([24 * day + shift for day in range(1, RISE_BASELINE_DAYS + 1)
                        for shift in range(-RISE_HOUR_WINDOW, RISE_HOUR_WINDOW + 1)])  # fmt: skip
    past = at[:, None] - offsets[None, :]  # every offset ≥ 23 h: never the hour itself or a later one
    window = np.where(past >= 0, values[np.maximum(past, 0)], np.nan)
    window.sort(axis=1)
    counts = np.count_nonzero(~np.isnan(window), axis=1)
    median = _sorted_median(window, counts)
    deviation = np.abs(window - median[:, None])
    deviation.sort(axis=1)
    return median, MAD_SCALE * _sorted_median(deviation, counts), counts


def detect_sudden_rises(series: Series) -> list[Hit]:
    """``sudden_rise``: an hour far above the station's own baseline for that hour of day and season.

    Flags when robust z = (value − median) / max(1.4826 × MAD, floor) ≥ RISE_Z **and** value − median ≥ the
    parameter's ``rise_floor`` (so a clean, low, quiet series does not alarm on noise) **and** the value rose by
    ≥ ``rise_floor`` over the lowest of the previous RISE_STEP_HOURS hours. Past data only.
    """
    spec = _spec(series.parameter)
    if spec.rise_floor is None:
        return []
    values = _plausible(series)
    with np.errstate(invalid="ignore"):
        # The median is ≥ physical_min, so only hours ≥ physical_min + floor can qualify: skip the others early.
        candidates = np.flatnonzero(values >= spec.physical_min + spec.rise_floor)
    if candidates.size == 0:
        return []
    # The lowest valid value of the previous RISE_STEP_HOURS hours (fmin skips NaN; all missing gives NaN: no hit).
    before = np.full(candidates.shape[0], np.nan)
    for back in range(1, RISE_STEP_HOURS + 1):
        earlier = candidates - back
        before = np.fmin(before, np.where(earlier >= 0, values[np.maximum(earlier, 0)], np.nan))
    median, spread, counts = _baseline(values, candidates)
    spread = np.maximum(spread, spec.rise_mad_floor)
    with np.errstate(invalid="ignore"):
        increase = values[candidates] - median
        z = increase / spread
        step = values[candidates] - before
        flagged = (
            (counts >= RISE_MIN_BASELINE_HOURS)
            & (z >= RISE_Z)
            & (increase >= spec.rise_floor)
            & (step >= spec.rise_floor)
        )
    hits = []
    for position in np.flatnonzero(flagged):
        index = int(candidates[position])
        score = float(z[position])
        severity = HIGH if score >= RISE_Z_HIGH else MEDIUM if score >= RISE_Z_MEDIUM else LOW
        hits.append(Hit(
            SUDDEN_RISE, POLLUTION, series.station, series.parameter, series.hour(index), _number(values[index]),
            _number(median[position]), severity, SUDDEN_RISE,
            {"baseline": _number(median[position]), "spread": _number(spread[position]), "z": _number(score),
             "increase": _number(increase[position]), "rise_in_step": _number(step[position]),
             "step_hours": RISE_STEP_HOURS, "baseline_days": RISE_BASELINE_DAYS},
        ))  # fmt: skip
    return hits


def detect_neighbour_outliers(series_by_station: Mapping[str, Series], *,
                              neighbours: Mapping[str, Sequence[str]] | None = None) -> list[Hit]:  # fmt: skip
    """``far_from_neighbours``: a station far from the median of its neighbours at the same hour.

    ``series_by_station``: one parameter, several stations (aligned on the hour, any starts). ``neighbours``: the
    stations to compare each station with (default, and for stations not in it: all the others). Needs
    ≥ NEIGHBOUR_MIN_COUNT neighbours with data that hour, and the condition held for NEIGHBOUR_MIN_HOURS.
    Highs are pollution (a local source); lows while the neighbours read high are data quality.
    """
    if not series_by_station:
        return []
    parameters = {series.parameter for series in series_by_station.values()}
    if len(parameters) != 1:
        raise ValueError("detect_neighbour_outliers compares one parameter across stations")
    spec = _spec(parameters.pop())
    if spec.neighbour_floor is None or len(series_by_station) <= NEIGHBOUR_MIN_COUNT:
        return []
    names = list(series_by_station)
    origin = min(series.start for series in series_by_station.values())
    offsets = [int((series_by_station[name].start - origin) // HOUR) for name in names]
    length = max(offset + len(series_by_station[name]) for name, offset in zip(names, offsets, strict=True))
    grid = np.full((len(names), length), np.nan)
    for row, (name, offset) in enumerate(zip(names, offsets, strict=True)):
        values = _plausible(series_by_station[name])
        grid[row, offset : offset + values.shape[0]] = values
    row_of = {name: row for row, name in enumerate(names)}
    hits: list[Hit] = []
    for row, name in enumerate(names):
        others = [row_of[other] for other in (neighbours or {}).get(name, names) if other != name and other in row_of]
        if len(others) < NEIGHBOUR_MIN_COUNT:
            continue
        around = np.sort(grid[others].T, axis=1)  # hours × neighbours, NaN last
        counts = np.count_nonzero(~np.isnan(around), axis=1)
        median = _sorted_median(around, counts)
        deviation = np.sort(np.abs(around - median[:, None]), axis=1)
        spread = np.maximum(MAD_SCALE * _sorted_median(deviation, counts), NEIGHBOUR_SPREAD_FLOOR_SHARE * median)
        spread = np.maximum(spread, spec.quantum)
        value = grid[row]
        with np.errstate(invalid="ignore", divide="ignore"):
            enough = counts >= NEIGHBOUR_MIN_COUNT
            difference = value - median
            z = difference / spread
            high = (
                enough
                & (value >= NEIGHBOUR_HIGH_RATIO * median)
                & (difference >= spec.neighbour_floor)
                & (z >= NEIGHBOUR_Z)
            )
            low = (
                enough
                & (value * NEIGHBOUR_LOW_RATIO <= median)
                & (-difference >= spec.neighbour_floor)
                & (z <= -NEIGHBOUR_Z)
            )
            ratio = np.where(median > 0, value / median, np.inf)
        high = _persistent(high, NEIGHBOUR_MIN_HOURS)
        low = _persistent(low, NEIGHBOUR_MIN_HOURS)
        series = series_by_station[name]
        offset = offsets[row]
        for index in np.flatnonzero(high | low):
            is_high = bool(high[index])
            times = float(ratio[index]) if is_high else float(median[index] / max(value[index], spec.quantum))
            if is_high:
                severity = (
                    HIGH
                    if times >= NEIGHBOUR_HIGH_SEVERITY_RATIO
                    else (MEDIUM if times >= NEIGHBOUR_MEDIUM_RATIO else LOW)
                )
            else:
                severity = LOW
            hits.append(Hit(
                FAR_FROM_NEIGHBOURS, POLLUTION if is_high else DATA_QUALITY, name, series.parameter,
                series.hour(int(index) - offset), _number(value[index]), _number(median[index]), severity,
                FAR_FROM_NEIGHBOURS if is_high else FAR_BELOW_NEIGHBOURS,
                {"neighbours_median": _number(median[index]), "ratio": _number(times), "z": _number(z[index]),
                 "neighbour_count": int(counts[index]), "spread": _number(spread[index])},
            ))  # fmt: skip
    return hits


# --- data-quality detectors ---------------------------------------------------------------------------------------
def detect_gaps(series: Series, *, min_hours: int = GAP_MIN_HOURS) -> list[Hit]:
    """``gap``: ≥ ``min_hours`` consecutive missing hours; one hit per gap, at its first missing hour.

    ``value`` and ``params["hours"]`` are the missing hours known so far; ``params["ongoing"]`` says the gap runs to
    the end of the data (it may still grow, the hit's ``at`` and the episode key stay the same).
    """
    starts, lengths = _runs(np.isnan(series.values))
    hits = []
    for start, length in zip(starts.tolist(), lengths.tolist(), strict=True):
        if length >= min_hours:
            hits.append(Hit(
                GAP, DATA_QUALITY, series.station, series.parameter, series.hour(start), float(length), None,
                _span_severity(length), GAP,
                {"hours": length, "ongoing": start + length == len(series), "min_hours": min_hours},
            ))  # fmt: skip
    return hits


def detect_flat_lines(series: Series) -> list[Hit]:
    """``flat_line``: the same non-missing value for ≥ the parameter's ``flat_line_hours`` (a stuck analyser or a
    data centre repeating the last value). Values at or below ``flat_line_ignore_at_or_below`` (detection floor,
    coarse quantisation) are ignored. One hit per run, at its first hour; ``params["hours"]`` is its length so far.
    """
    spec = _spec(series.parameter)
    values = series.values
    n = len(series)
    if n == 0:
        return []
    boundaries = np.flatnonzero(values[1:] != values[:-1]) + 1  # NaN != NaN: missing hours are runs of one
    starts = np.concatenate(([0], boundaries))
    lengths = np.diff(np.concatenate((starts, [n])))
    run_values = values[starts]
    with np.errstate(invalid="ignore"):
        keep = (lengths >= spec.flat_line_hours) & (run_values > spec.flat_line_ignore_at_or_below)
    hits = []
    for start, length, value in zip(starts[keep].tolist(), lengths[keep].tolist(), run_values[keep].tolist(),
                                    strict=True):  # fmt: skip
        hits.append(Hit(
            FLAT_LINE, DATA_QUALITY, series.station, series.parameter, series.hour(start), float(value), None,
            _span_severity(length), FLAT_LINE,
            {"hours": length, "ongoing": start + length == n, "min_hours": spec.flat_line_hours},
        ))  # fmt: skip
    return hits


def detect_impossible_values(series: Series) -> list[Hit]:
    """``impossible_value``: negative (below ``physical_min``) or above ``physical_max`` (high severity: the value
    is dropped by every other detector), or exactly at the reporting cap (low: a lower bound, kept by the others).
    """
    spec = _spec(series.parameter)
    values = series.values
    with np.errstate(invalid="ignore"):
        below = values < spec.physical_min
        above = values > spec.physical_max
        capped = values == spec.reporting_cap if spec.reporting_cap is not None else np.zeros(len(series), bool)
    hits = []
    for index in np.flatnonzero(below | above | capped).tolist():
        if below[index]:
            reason, severity, bound = NEGATIVE_VALUE, HIGH, spec.physical_min
        elif above[index]:
            reason, severity, bound = ABOVE_PHYSICAL_MAX, HIGH, spec.physical_max
        else:
            reason, severity, bound = AT_REPORTING_CAP, LOW, float(spec.reporting_cap or 0.0)
        hits.append(Hit(
            IMPOSSIBLE_VALUE, DATA_QUALITY, series.station, series.parameter, series.hour(index),
            _number(values[index]), None, severity, reason, {"bound": bound, "unit": spec.unit},
        ))  # fmt: skip
    return hits


# --- all detectors and episodes -----------------------------------------------------------------------------------
def detect_all(series_by_station_and_parameter: Mapping[tuple[str, str], Series] | Iterable[Series], *,
               neighbours: Mapping[str, Sequence[str]] | None = None,
               limits: Sequence[Limit] = GB3095_LIMITS) -> list[Hit]:  # fmt: skip
    """Every detector over every series (keyed ``(station, parameter)`` or just an iterable of series); the hits are
    sorted by hour, station, parameter and detector. Neighbours are compared within each parameter.

    Run incrementally, pass at least RISE_BASELINE_DAYS + 1 days of history before the hours to be judged (the
    sudden-rise baseline; 24-h means need 23 hours) and keep the hits of those hours only; episode keys stay stable.
    """
    if isinstance(series_by_station_and_parameter, Mapping):
        all_series = list(series_by_station_and_parameter.values())
    else:
        all_series = list(series_by_station_and_parameter)
    hits: list[Hit] = []
    by_parameter: dict[str, dict[str, Series]] = {}
    for series in all_series:
        hits += detect_impossible_values(series)
        hits += detect_gaps(series)
        hits += detect_flat_lines(series)
        hits += detect_exceedances(series, limits=limits)
        hits += detect_sudden_rises(series)
        by_parameter.setdefault(series.parameter, {})[series.station] = series
    for stations in by_parameter.values():
        hits += detect_neighbour_outliers(stations, neighbours=neighbours)
    hits.sort(key=lambda hit: (hit.at, hit.station, hit.parameter, hit.detector, hit.reason))
    return hits


def episodes(hits: Iterable[Hit], *, merge_gap_hours: int = EPISODE_MERGE_GAP_HOURS,
             detector_merge_gap_hours: Mapping[str, int] = DETECTOR_MERGE_GAP_HOURS) -> list[Episode]:  # fmt: skip
    """Group hits into episodes: hits of one station × parameter × detector × category belong to one episode when at
    most ``merge_gap_hours`` hit-free hours separate them (``detector_merge_gap_hours`` overrides it per detector;
    pass ``{}`` for one gap for all). A span hit (gap, flat line) covers its ``params["hours"]``.

    The peak is the hit of highest severity, then highest value; the episode's severity is the peak's.
    """
    groups: dict[tuple[str, str, str, str], list[Hit]] = {}
    for hit in hits:
        groups.setdefault((hit.detector, hit.category, hit.station, hit.parameter), []).append(hit)
    result = []
    for (detector, category, station, parameter), group in groups.items():
        reach = (detector_merge_gap_hours.get(detector, merge_gap_hours) + 1) * HOUR
        group.sort(key=lambda hit: hit.at)
        current: list[Hit] = []
        last = group[0].at
        following: list[Hit | None] = [*group, None]
        for upcoming in following:
            if current and (upcoming is None or upcoming.at - last > reach):
                peak = max(current, key=lambda item: (_SEVERITY_RANK[item.severity], item.value))
                result.append(Episode(detector, category, station, parameter, current[0].at, last, peak,
                                      len(current), peak.severity))  # fmt: skip
                current = []
            if upcoming is not None:
                last = max(last, upcoming.last_hour) if current else upcoming.last_hour
                current.append(upcoming)
    result.sort(key=lambda episode: (episode.first, episode.station, episode.parameter, episode.detector))
    return result
