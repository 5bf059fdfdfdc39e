"""Getting station readings in (监测数据导入): CSV files (long or wide, UTF-8 / UTF-8 with BOM / GBK, plain or
gzipped) and pushed JSON, checked row by row and written idempotently per station × hour × parameter.

Readings are written with one prepared ``INSERT … ON CONFLICT (station_id, parameter, at) DO UPDATE SET value =
excluded.value`` run through ``executemany`` in batches (SQLite ≥ 3.24 and PostgreSQL): ingesting the same data
again changes nothing (the update only fires when the value differs, so "unchanged" can be counted), a corrected
value replaces the old one. **One transaction per ingest call** (one file, one push): a file that breaks half-way
(a CSV error, a damaged gzip stream) or a crash leaves nothing written. Rows that cannot be readings are refused
one by one with where (row and column, or index) and why, and the good rows of the same file are written.

Times: naive times are Beijing time (the files of the monitoring centre are); stored as aware UTC hours. ``at`` is
the start of the hour the value belongs to; a time not on the hour is refused. The beijing-air files give the hour
in year/month/day/hour columns, taken as that hour's ``at`` (the source does not say more).

Units are those of :data:`detectors.PARAMETERS` (µg/m³, CO in mg/m³, noise dB(A)). A unit given in the header
(``CO(μg/m³)``), in a unit column, or implied by the layout (the beijing-air files give CO in µg/m³) is converted.

File layouts (``layout``): ``long`` (站点/时间/监测项目/监测值, or station/time/parameter/value; an optional
单位/unit column), ``wide`` (one row per station-hour, one column per parameter; time in one column or in
year/month/day/hour columns), ``beijing-air`` (the UCI/PRSA files: wide, CO in µg/m³, ``NA`` missing) and
``auto`` (decided from the header). Missing values (``NA``, empty, ``-``) are skipped, not refused.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import math
import re
import unicodedata
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final, NamedTuple, cast

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecohotline.core import bulk, textfiles
from ecohotline.core.workdays import BEIJING
from ecohotline.monitoring.detectors import PARAMETERS
from ecohotline.monitoring.models import Reading, Station

__all__ = [
    "LAYOUTS", "FileImport", "FileUnreadable", "IngestResult", "Problem", "ReadingFile", "ReadingRow", "Rejection",
    "import_file", "ingest_readings", "parameter_code",
]  # fmt: skip

BATCH_SIZE: Final = 5000  # rows per executemany
LAYOUTS: Final = ("auto", "long", "wide", "beijing-air")
MISSING_MARKS: Final = frozenset({"", "na", "n/a", "nan", "null", "none", "-", "--", "—", "/"})
#: The same as written, checked first (no lower-casing for the common cases).
_MISSING_AS_WRITTEN: Final = MISSING_MARKS | {"NA", "N/A", "NaN", "NULL", "None", "Null"}


def _is_missing(text: str) -> bool:
    return text in _MISSING_AS_WRITTEN or text.strip().lower() in MISSING_MARKS
EARLIEST: Final = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
FUTURE_TOLERANCE: Final = dt.timedelta(hours=1)
SNIFF_BYTES: Final = 64 * 1024
CSV_FIELD_LIMIT: Final = 1024 * 1024  # the same as the order importer's (csv's limit is process-wide)
STATION_CODE: Final = re.compile(r"^[-a-zA-Z0-9_]+\Z")  # what Station.code (a SlugField) holds
STATISTICS_AFTER: Final = 50_000  # rows written in one go after which the planner statistics are refreshed

# --- names -----------------------------------------------------------------------------------------------------


def _key(name: str) -> str:
    """A header, parameter name or unit reduced for comparison: NFKC (PM₂.₅ → PM2.5, full-width → ASCII),
    lower case, without blanks and the separators people put in names (``.``, ``_``, ``-``, ``·``)."""
    text = unicodedata.normalize("NFKC", name).replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s._\-·*＊]+", "", text)


_UNIT_IN_HEADER: Final = re.compile(r"^(?P<name>.*?)\s*[(（\[【](?P<unit>[^)）\]】]*)[)）\]】]\s*$")

STATION_HEADERS: Final = frozenset(map(_key, (
    "station", "station code", "station_code", "site", "site code", "站点", "站点名称", "站点编码", "站点代码",
    "监测站", "监测站点", "站名", "测点", "点位",
)))  # fmt: skip
TIME_HEADERS: Final = frozenset(map(_key, (
    "time", "datetime", "date time", "at", "timestamp", "时间", "监测时间", "时间点", "日期时间", "数据时间",
)))  # fmt: skip
PARAMETER_HEADERS: Final = frozenset(map(_key, (
    "parameter", "pollutant", "item", "监测项目", "项目", "污染物", "监测因子", "因子",
)))  # fmt: skip
VALUE_HEADERS: Final = frozenset(map(_key, ("value", "concentration", "监测值", "数值", "浓度", "浓度值", "值")))
UNIT_HEADERS: Final = frozenset(map(_key, ("unit", "units", "单位")))
YEAR_HEADERS: Final = frozenset({"year", "年", "年份"})
MONTH_HEADERS: Final = frozenset({"month", "月", "月份"})
DAY_HEADERS: Final = frozenset({"day", "日"})
HOUR_HEADERS: Final = frozenset({"hour", "时", "小时"})

#: Names people give the parameters → the codes of detectors.PARAMETERS (compared after `_key`).
PARAMETER_ALIASES: Final[Mapping[str, str]] = {
    **{_key(code): code for code in PARAMETERS},
    **{_key(alias): code for code, aliases in {
        "pm25": ("PM2.5", "PM₂.₅", "pm2_5", "细颗粒物", "细颗粒物(PM2.5)"),
        "pm10": ("PM10", "PM₁₀", "可吸入颗粒物", "可吸入颗粒物(PM10)"),
        "so2": ("SO2", "SO₂", "二氧化硫"),
        "no2": ("NO2", "NO₂", "二氧化氮"),
        "co": ("CO", "一氧化碳"),
        "o3": ("O3", "O₃", "臭氧", "O3_1h", "臭氧1小时"),
        "noise_leq": ("Leq", "LAeq", "noise", "噪声", "等效声级", "等效连续A声级", "噪声等效声级"),
        "permanganate_index": ("CODMn", "COD_Mn", "高锰酸盐指数"),
        "cod": ("CODCr", "化学需氧量"),
        "ammonia_nitrogen": ("NH3-N", "NH3N", "氨氮"),
        "total_phosphorus": ("TP", "总磷"),
    }.items() for alias in aliases},
}  # fmt: skip


def parameter_code(name: str) -> str | None:
    """The code of a parameter name (``PM2.5``, ``PM₂.₅``, ``细颗粒物``, ``pm25`` → ``pm25``), or None."""
    return PARAMETER_ALIASES.get(_key(name))


_MICROGRAMS: Final = frozenset({"μg/m3", "ug/m3", "µg/m3", "微克/立方米", "μg/nm3", "ug/nm3", "μg·m3"})
_MILLIGRAMS: Final = frozenset({"mg/m3", "毫克/立方米", "mg/nm3"})
_DECIBELS: Final = frozenset({"db(a)", "dba", "db", "分贝", "da"})


def _unit_factor(parameter: str, unit: str) -> float | None:
    """The factor that turns a value in ``unit`` into the parameter's unit (None: not a unit of it)."""
    text = _key(unit).replace("³", "3").replace("µ", "μ")
    if not text:
        return 1.0
    standard = PARAMETERS[parameter].unit
    if standard == "dB(A)":
        return 1.0 if text in _DECIBELS else None
    if text in _MICROGRAMS:
        return 1.0 if standard == "µg/m³" else 0.001
    if text in _MILLIGRAMS:
        return 1000.0 if standard == "µg/m³" else 1.0
    if standard == "mg/L" and text in {"mg/l", "毫克/升"}:
        return 1.0
    return None


# --- rows, problems, results -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a row cannot be a reading: a stable ``code``, the column it is about, the numbers of the message."""

    code: str
    column: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        """The reason as a sentence in the active language."""
        message = _MESSAGES.get(self.code)
        return message() % dict(self.params) if message is not None else self.code


def _messages() -> dict[str, Any]:
    # Lambdas, so that each message is translated when it is shown, in the language active then.
    return {
        "unknown_station": lambda: _("unknown station %(station)s"),
        "invalid_station_code": lambda: _("%(station)s cannot be a station code (letters, digits, - and _ only)"),
        "missing_station": lambda: _("no station given"),
        "station_mismatch": lambda: _("station %(station)s is not the station given for the file (%(expected)s)"),
        "unknown_parameter": lambda: _("unknown parameter %(parameter)s (known: %(known)s)"),
        "bad_time": lambda: _("unrecognised date and time %(value)s"),
        "not_on_the_hour": lambda: _("%(value)s is not on the hour: readings are hourly values"),
        "implausible_time": lambda: _("%(value)s is before the year 2000"),
        "in_the_future": lambda: _("%(value)s is in the future"),
        "not_a_number": lambda: _("not a number: %(value)s"),
        "negative_value": lambda: _("negative value %(value)s"),
        "missing_value": lambda: _("no value"),
        "unknown_unit": lambda: _("unknown unit %(unit)s for %(parameter)s (expected %(expected)s)"),
        "conflicting_duplicate": lambda: _("the same station, hour and parameter came earlier (row or index "
                                           "%(first)s) with another value (%(value)s there, %(other)s here)"),
        "not_an_object": lambda: _("a reading must be an object with station, at, parameter and value"),
    }


_MESSAGES: Final = _messages()


class ReadingRow(NamedTuple):
    """One reading as given, not yet checked: a file row (× column, in a wide file) or an item of a push.

    ``at``: a datetime (naive = Beijing time) or text; ``value``: a number or text; ``unit``: empty for the
    parameter's own unit. ``where``: the row number the spreadsheet shows, or the index in a push. ``problem``:
    set by a reader that already knows the row is bad (an impossible date in year/month/day/hour columns).
    (A named tuple: a year of a station is a quarter of a million of them, and a tuple is made fastest.)
    """

    station: str
    at: dt.datetime | str
    parameter: str
    value: float | int | str | None
    where: int = 0
    column: str = ""
    unit: str = ""
    problem: Problem | None = None
    headers: Mapping[str, str] | None = None  # field (station, at, parameter, value, unit) → the file's column


#: The field of a reading a problem is about, by problem code (the API's ``field``; a file's column).
PROBLEM_FIELDS: Final[Mapping[str, str]] = {
    "unknown_station": "station", "invalid_station_code": "station", "missing_station": "station",
    "station_mismatch": "station", "bad_time": "at", "not_on_the_hour": "at", "implausible_time": "at",
    "in_the_future": "at", "unknown_parameter": "parameter", "not_a_number": "value", "negative_value": "value",
    "missing_value": "value", "unknown_unit": "unit", "conflicting_duplicate": "value",
}  # fmt: skip


def _column_of(row: ReadingRow, problem: Problem) -> str:
    if problem.column:
        return problem.column
    if row.headers:
        header = row.headers.get(PROBLEM_FIELDS.get(problem.code, "value"))
        if header:
            return header
    return row.column


@dataclass(frozen=True, slots=True)
class Rejection:
    """A refused reading: where it was (row or index, and column) and why."""

    where: int
    column: str
    problem: Problem
    station: str = ""
    parameter: str = ""

    @property
    def code(self) -> str:
        return self.problem.code

    @property
    def reason(self) -> str:
        return self.problem.reason

    def describe(self) -> str:
        """``row 7, column PM2.5: not a number: "abc"`` in the active language."""
        if self.column:
            return _("row %(row)s, column %(column)s: %(reason)s") % {
                "row": self.where, "column": self.column, "reason": self.reason}
        return _("row %(row)s: %(reason)s") % {"row": self.where, "reason": self.reason}


@dataclass
class IngestResult:
    """What an ingest did: readings written (new or changed), unchanged (already stored with that value; a repeat
    inside the same input counts here too), the refused ones, the stations it created, the hours it wrote."""

    written: int = 0
    unchanged: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    stations_created: list[str] = field(default_factory=list)
    first_at: dt.datetime | None = None  # aware UTC, of the readings accepted
    last_at: dt.datetime | None = None

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    @property
    def accepted(self) -> int:
        return self.written + self.unchanged


# --- checking and writing ----------------------------------------------------------------------------------------


def _quote_value(value: object, limit: int = 40) -> str:
    text = str(value).strip()
    return f"“{text[:limit]}…”" if len(text) > limit else f"“{text}”"


_TIME_FORMATS: Final = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y.%m.%d %H:%M",
    "%Y年%m月%d日 %H:%M", "%Y年%m月%d日%H时", "%Y年%m月%d日 %H时", "%Y年%m月%d日%H时%M分", "%Y%m%d%H%M%S",
    "%Y%m%d%H%M", "%Y%m%d%H", "%Y-%m-%d %H", "%Y/%m/%d %H",
)  # fmt: skip


def parse_time(text: str) -> dt.datetime | None:
    """A date and time as written in files and pushes (ISO 8601 with or without offset, ``2015/3/1 14:00``,
    ``2015年3月1日14时``, ``2015030114``...), or None. Naive results are left naive (Beijing time)."""
    text = " ".join(unicodedata.normalize("NFKC", text).split())
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    for fmt in _TIME_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _shown_time(at: dt.datetime | str) -> str:
    return _quote_value(at if isinstance(at, str) else at.isoformat(sep=" "))


class _Checker:
    """Checks rows and turns the good ones into the parameters of the upsert (one instance per ingest)."""

    def __init__(self, *, create_stations: bool) -> None:
        self.create_stations = create_stations
        self.stations: dict[str, int] = {}
        for pk, code, name in Station.objects.values_list("pk", "code", "name"):
            self.stations.setdefault(code, pk)
            self.stations.setdefault(code.lower(), pk)
            self.stations.setdefault(name, pk)
        self.created: list[str] = []
        self.now = timezone.now()
        self.convert_time = bulk.converter(Reading._meta.get_field("at"), connection.vendor)
        self.times: dict[object, tuple[dt.datetime, object] | Problem] = {}
        self.factors: dict[tuple[str, str], float | None] = {}
        self.known = ", ".join(PARAMETERS)

    def station(self, name: str) -> int | Problem:
        name = name.strip()
        found = self.stations.get(name)
        if found is None:
            found = self.stations.get(name.lower())
        if found is not None:
            return found
        if not name:
            return Problem("missing_station")
        if not self.create_stations:
            return Problem("unknown_station", params={"station": _quote_value(name)})
        if not STATION_CODE.match(name) or len(name) > 50:
            return Problem("invalid_station_code", params={"station": _quote_value(name)})
        pk = Station.objects.create(code=name, name=name[:100]).pk
        self.stations[name] = self.stations[name.lower()] = pk
        self.created.append(name)
        return pk

    def time(self, at: dt.datetime | str) -> tuple[dt.datetime, object] | Problem:
        """(the aware UTC hour, its database form) or a problem; memoised (a wide row shares one time)."""
        try:
            return self.times[at]
        except KeyError:
            pass
        if len(self.times) > 10_000:
            self.times.clear()
        result = self._time(at)
        self.times[at] = result
        return result

    def _time(self, at: dt.datetime | str) -> tuple[dt.datetime, object] | Problem:
        moment = at if isinstance(at, dt.datetime) else parse_time(str(at))
        if moment is None:
            return Problem("bad_time", params={"value": _quote_value(at)})
        if moment.tzinfo is None or moment.utcoffset() is None:
            moment = moment.replace(tzinfo=BEIJING)
        if moment.minute or moment.second or moment.microsecond:
            return Problem("not_on_the_hour", params={"value": _shown_time(at)})
        moment = moment.astimezone(dt.UTC)
        if moment < EARLIEST:
            return Problem("implausible_time", params={"value": _shown_time(at)})
        if moment > self.now + FUTURE_TOLERANCE:
            return Problem("in_the_future", params={"value": _shown_time(at)})
        return moment, (self.convert_time(moment) if self.convert_time is not None else moment)

    def factor(self, parameter: str, unit: str) -> float | None:
        key = (parameter, unit)
        if key not in self.factors:
            self.factors[key] = _unit_factor(parameter, unit)
        return self.factors[key]

    def check(self, row: ReadingRow) -> tuple[int, str, dt.datetime, object, float] | Problem:
        """(station id, parameter code, UTC hour, hour as the database takes it, value) or why not."""
        if row.problem is not None:
            return row.problem
        parameter = row.parameter if row.parameter in PARAMETERS else parameter_code(row.parameter)
        if parameter is None:
            return Problem("unknown_parameter", params={"parameter": _quote_value(row.parameter),
                                                        "known": self.known})
        when = self.time(row.at)
        if isinstance(when, Problem):
            return when
        value = row.value
        if value is None or (isinstance(value, str) and _is_missing(value)):
            return Problem("missing_value")
        if isinstance(value, bool):
            return Problem("not_a_number", params={"value": _quote_value(value)})
        try:
            number = float(value)
        except (TypeError, ValueError):
            return Problem("not_a_number", params={"value": _quote_value(value)})
        if not math.isfinite(number):
            return Problem("not_a_number", params={"value": _quote_value(value)})
        if number < 0:
            return Problem("negative_value", params={"value": _quote_value(value)})
        if row.unit:
            scale = self.factor(parameter, row.unit)
            if scale is None:
                return Problem("unknown_unit", params={"unit": _quote_value(row.unit), "parameter": parameter,
                                                       "expected": PARAMETERS[parameter].unit})
            if scale != 1.0:
                number = round(number * scale, 9)  # 1200 µg/m³ × 0.001 is 1.2, not 1.2000000000000002
        station = self.station(row.station)  # last: a station is only created for a reading that is good
        if isinstance(station, Problem):
            return station
        return station, parameter, when[0], when[1], number


def _upsert_sql(*, replace: bool) -> str:
    quote = connection.ops.quote_name
    table = quote(Reading._meta.db_table)
    column = {f.name: str(f.column) for f in Reading._meta.concrete_fields}
    names = [quote(column[name]) for name in ("station", "parameter", "at", "value")]
    station, parameter, at, value = names
    action = (f"UPDATE SET {value} = excluded.{value} WHERE {table}.{value} <> excluded.{value}" if replace
              else "NOTHING")
    return (f"INSERT INTO {table} ({station}, {parameter}, {at}, {value}) VALUES (%s, %s, %s, %s) "
            f"ON CONFLICT ({station}, {parameter}, {at}) DO {action}")


def _write(sql: str, params: list[tuple[Any, ...]]) -> int:
    """Run the upsert for a batch; the number of rows inserted or changed."""
    if not params:
        return 0
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
        return max(int(cursor.rowcount), 0)


def ingest_readings(rows: Iterable[ReadingRow], *, replace: bool = True, create_stations: bool = False,
                    batch_size: int = BATCH_SIZE) -> IngestResult:
    """Write hourly readings (监测数据入库), idempotently per station × hour × parameter, in one transaction.

    ``replace``: a reading already stored with another value takes the new one (a correction); with False the
    stored value is kept. ``create_stations``: an unknown station code becomes a new active air station named
    after its code (else such rows are refused). Rows are refused one by one (see :class:`Rejection`); a value
    given twice in the same input with different values is refused the second time. An exception raised while
    the rows are read (a file breaking half-way) rolls everything back.
    """
    result = IngestResult()
    sql = _upsert_sql(replace=replace)
    seen: dict[tuple[int, str, object], tuple[int, float]] = {}
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    with transaction.atomic():
        checker = _Checker(create_stations=create_stations)
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            checked = checker.check(row)
            if isinstance(checked, Problem):
                result.rejections.append(Rejection(row.where, _column_of(row, checked), checked, row.station,
                                                   row.parameter))
                continue
            station, parameter, moment, stored, value = checked
            key = (station, parameter, stored)
            earlier = seen.get(key)
            if earlier is not None:
                if earlier[1] == value:
                    result.unchanged += 1
                else:
                    problem = Problem("conflicting_duplicate", params={
                        "first": earlier[0], "value": f"{earlier[1]:g}",
                        "other": f"{value:g}"})
                    result.rejections.append(Rejection(row.where, _column_of(row, problem), problem, row.station,
                                                       row.parameter))
                continue
            seen[key] = (row.where, value)
            if first is None or moment < first:
                first = moment
            if last is None or moment > last:
                last = moment
            batch.append((station, parameter, stored, value))
            if len(batch) >= batch_size:
                changed = _write(sql, batch)
                result.written += changed
                result.unchanged += len(batch) - changed
                batch = []
        changed = _write(sql, batch)
        result.written += changed
        result.unchanged += len(batch) - changed
        result.stations_created = checker.created
    result.first_at, result.last_at = first, last
    if result.written >= STATISTICS_AFTER:
        bulk.refresh_statistics(Reading)
    return result


# --- files -------------------------------------------------------------------------------------------------------


class FileUnreadable(Exception):
    """The file cannot be read at all (not CSV, damaged, unknown encoding, a required column missing...)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _open_binary(path: Path) -> IO[bytes]:
    with path.open("rb") as handle:
        magic = handle.read(2)
    if magic == b"\x1f\x8b":
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def _read_errors() -> tuple[type[BaseException], ...]:
    return (OSError, EOFError, zlib.error)  # gzip.BadGzipFile is an OSError


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM), else GB18030 (reads GBK and GB2312 too), else what charset-normalizer finds."""
    try:
        found = textfiles.guess_encoding(lambda: _open_binary(path))
    except _read_errors() as exc:
        raise FileUnreadable(_("the file is damaged (%(error)s)") % {"error": exc}) from exc
    if found is not None:
        return found
    raise FileUnreadable(_("cannot tell the file's text encoding (it should be CSV in UTF-8 or GBK/GB18030)"))


def _check_kind(path: Path) -> None:
    try:
        with _open_binary(path) as handle:
            head = handle.read(SNIFF_BYTES)
    except _read_errors() as exc:
        raise FileUnreadable(_("the file is damaged (%(error)s)") % {"error": exc}) from exc
    if not head.strip():
        raise FileUnreadable(_("the file is empty"))
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileUnreadable(_("this is an Excel file, not CSV: save it as CSV (UTF-8) and import that"))
    if head.startswith(b"%PDF"):
        raise FileUnreadable(_("this is a PDF file, not CSV"))
    if b"\x00" in head:
        raise FileUnreadable(_("the file holds binary content, not CSV text"))


@dataclass(frozen=True)
class _Columns:
    layout: str
    station: int | None
    time: int | None
    parts: tuple[int, int, int, int] | None  # year, month, day, hour
    parameter: int | None = None
    value: int | None = None
    unit: int | None = None
    parameters: tuple[tuple[int, str, str, str], ...] = ()  # position, code, header as written, unit


def _find(keys: list[str], wanted: frozenset[str]) -> int | None:
    for position, key in enumerate(keys):
        if key in wanted:
            return position
    return None


def _plan(headers: list[str], layout: str) -> _Columns:
    """Which columns hold what, for the layout asked (``auto``: decided from the header)."""
    bare: list[str] = []
    units: list[str] = []
    for header in headers:
        match = _UNIT_IN_HEADER.match(header)
        bare.append(match.group("name") if match else header)
        units.append(match.group("unit").strip() if match else "")
    keys = [_key(name) for name in bare]
    station = _find(keys, STATION_HEADERS)
    time = _find(keys, TIME_HEADERS)
    found = [_find(keys, wanted) for wanted in (YEAR_HEADERS, MONTH_HEADERS, DAY_HEADERS, HOUR_HEADERS)]
    year, month, day, hour = found
    parts = None
    if year is not None and month is not None and day is not None and hour is not None:
        parts = (year, month, day, hour)
    parameter, value = _find(keys, PARAMETER_HEADERS), _find(keys, VALUE_HEADERS)
    shown = "、".join(headers[:20]) + ("…" if len(headers) > 20 else "")

    if layout == "auto":
        named = any(key in PARAMETER_ALIASES for key in keys)
        if (parameter is not None and value is not None) or (not named and (parameter, value) != (None, None)):
            layout = "long"
        elif parts is not None and station is not None and "no" in keys and time is None:
            layout = "beijing-air"
        else:
            layout = "wide"
    if layout == "long":
        missing = [label for label, position in ((_("time"), time), (_("parameter"), parameter),
                                                  (_("value"), value)) if position is None]
        if missing:
            raise FileUnreadable(
                _("row 1 (the header) lacks the columns %(columns)s for the long layout "
                  "(站点, 时间, 监测项目, 监测值 or station, time, parameter, value); the header is: %(header)s")
                % {"columns": ", ".join(missing), "header": shown})
        return _Columns("long", station, time, None, parameter, value, _find(keys, UNIT_HEADERS))
    columns = []
    for position, key in enumerate(keys):
        code = PARAMETER_ALIASES.get(key)
        if code is not None and position not in (station, time):
            unit = units[position]
            if not unit and layout == "beijing-air" and code == "co":
                unit = "µg/m³"  # SOURCE.md of the beijing-air data: "CO is in µg/m³, not mg/m³"
            columns.append((position, code, headers[position], unit))
    if time is None and parts is None:
        raise FileUnreadable(
            _("row 1 (the header) has no time column (时间/time, or year, month, day and hour); the header is: "
              "%(header)s") % {"header": shown})
    if not columns:
        raise FileUnreadable(
            _("row 1 (the header) names no parameter column (PM2.5, PM10, SO2, NO2, CO, O3, Leq...) and no "
              "parameter and value columns; the header is: %(header)s") % {"header": shown})
    return _Columns(layout, station, time, parts if time is None else None, parameters=tuple(columns))


def _header_name(value: str) -> str:
    return value.replace("\ufeff", "").strip().strip("*＊").strip()


def _local_naive(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(BEIJING).replace(tzinfo=None)


class ReadingFile:
    """A readings CSV opened for reading (kind, encoding and header checked when opened). ``rows()`` gives a
    :class:`ReadingRow` per value (several per row in a wide file) and counts the missing values it skips in
    ``missing``; it raises FileUnreadable if the file breaks half-way (call it inside the ingest's transaction).
    """

    def __init__(self, path: Path | str, *, station: str = "", layout: str = "auto") -> None:
        self.path = Path(path)
        if layout not in LAYOUTS:
            raise FileUnreadable(_("unknown layout %(layout)s (one of %(layouts)s)")
                                 % {"layout": layout, "layouts": ", ".join(LAYOUTS)})
        if not self.path.is_file():
            raise FileUnreadable(_("no such file"))
        self.station = station.strip()
        _check_kind(self.path)
        self.encoding = detect_encoding(self.path)
        self.missing = self.rows_read = self.outside = 0
        self.delimiter = self._sniff_delimiter()
        header = next(self._records(), None)
        if header is None or not any(cell.strip() for cell in header[1]):
            raise FileUnreadable(_("row 1 (the header) is empty"))
        self.headers = [_header_name(cell) or f"#{index}" for index, cell in enumerate(header[1], start=1)]
        self.columns = _plan(self.headers, layout)
        if self.columns.station is None and not self.station:
            raise FileUnreadable(_("the file has no station column (站点/station): name the station with --station"))
        columns = self.columns
        named = {"station": columns.station, "at": columns.time, "parameter": columns.parameter,
                 "value": columns.value, "unit": columns.unit}
        self.field_headers = {name: self.headers[position] for name, position in named.items()
                              if position is not None}
        if columns.parts is not None:
            self.field_headers["at"] = "/".join(self.headers[position] for position in columns.parts)

    @property
    def layout(self) -> str:
        return self.columns.layout

    @property
    def description(self) -> str:
        encoding = "UTF-8" if self.encoding == "utf-8-sig" else self.encoding.upper()
        packed = "gzip, " if self.path.suffix.lower() == ".gz" else ""
        return f"CSV, {packed}{encoding}, {self.layout}"

    def _text(self) -> IO[str]:
        return io.TextIOWrapper(_open_binary(self.path), encoding=self.encoding, newline="")

    def _sniff_delimiter(self) -> str:
        try:
            with self._text() as handle:
                line = handle.readline()
        except _read_errors() as exc:
            raise FileUnreadable(_("the file is damaged (%(error)s)") % {"error": exc}) from exc
        counts = {delimiter: line.count(delimiter) for delimiter in (",", "\t", ";", "|")}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        number = 0
        csv.field_size_limit(CSV_FIELD_LIMIT)
        try:
            with self._text() as handle:
                for number, record in enumerate(csv.reader(handle, delimiter=self.delimiter), start=1):
                    yield number, record
        except csv.Error as exc:
            raise FileUnreadable(_("row %(row)s cannot be read as CSV: %(error)s")
                                 % {"row": number + 1, "error": exc}) from exc
        except _read_errors() as exc:
            raise FileUnreadable(_("the file is damaged after row %(row)s (%(error)s)")
                                 % {"row": number, "error": exc}) from exc

    def _station_of(self, record: list[str], number: int) -> tuple[str, Problem | None]:
        position = self.columns.station
        named = record[position].strip() if position is not None and position < len(record) else ""
        if not self.station:
            return named, None
        if named and named != self.station and named.lower() != self.station.lower():
            column = self.headers[position] if position is not None else ""
            return named, Problem("station_mismatch", column,
                                  {"station": _quote_value(named), "expected": _quote_value(self.station)})
        return self.station, None

    def _time_of(self, record: list[str]) -> tuple[dt.datetime | str, Problem | None]:
        columns = self.columns
        if columns.time is not None:
            return (record[columns.time] if columns.time < len(record) else ""), None
        assert columns.parts is not None
        cells = [record[p].strip() if p < len(record) else "" for p in columns.parts]
        try:
            year, month, day, hour = (int(float(cell)) for cell in cells)
            return dt.datetime(year, month, day, hour), None
        except (ValueError, OverflowError):
            shown = _quote_value("-".join(cells[:3]) + " " + cells[3])
            names = "/".join(self.headers[p] for p in columns.parts)
            return "", Problem("bad_time", names, {"value": shown})

    def rows(self, *, since: dt.datetime | None = None, until: dt.datetime | None = None) -> Iterator[ReadingRow]:
        """Every value of the file as a row to ingest (missing values skipped and counted in ``missing``).

        ``since``/``until`` (naive = Beijing time; ``until`` exclusive): only the rows of those hours (the others
        are counted in ``outside``); a row whose time cannot be read is given to the ingest, which refuses it.
        """
        columns = self.columns
        self.missing = self.rows_read = self.outside = 0
        low, high = _local_naive(since), _local_naive(until)
        windowed = low is not None or high is not None
        records = self._records()
        next(records, None)  # the header
        for number, record in records:
            if not "".join(record).strip():
                continue
            self.rows_read += 1
            station, problem = self._station_of(record, number)
            at, time_problem = self._time_of(record)
            problem = problem or time_problem
            if windowed and problem is None:
                moment = _local_naive(at if isinstance(at, dt.datetime) else parse_time(at))
                if moment is not None and ((low is not None and moment < low) or (high is not None and moment >= high)):
                    self.outside += 1
                    continue
            if columns.layout == "long":
                assert columns.parameter is not None and columns.value is not None
                value = record[columns.value] if columns.value < len(record) else ""
                parameter = record[columns.parameter].strip() if columns.parameter < len(record) else ""
                if problem is None and _is_missing(value):
                    self.missing += 1
                    continue
                unit = record[columns.unit].strip() if columns.unit is not None and columns.unit < len(record) else ""
                yield ReadingRow(station, at, parameter, value, number, self.headers[columns.value], unit, problem,
                                 self.field_headers)
                continue
            if problem is not None:
                yield ReadingRow(station, at, "", None, number, problem.column, problem=problem)
                continue
            for position, code, header, unit in columns.parameters:
                value = record[position] if position < len(record) else ""
                if value in _MISSING_AS_WRITTEN or (not value[:1].isdigit() and _is_missing(value)):
                    self.missing += 1
                    continue
                yield ReadingRow(station, at, code, value, number, header, unit, None, self.field_headers)


@dataclass
class FileImport:
    """One file's import: what was read, the ingest's result, or why the file could not be read at all."""

    path: Path
    description: str = ""
    rows_read: int = 0
    missing: int = 0
    result: IngestResult | None = None
    error: str = ""

    @property
    def exit_code(self) -> int:
        """0: every value taken; 1: some refused; 2: the file could not be read at all."""
        if self.error or self.result is None:
            return 2
        return 1 if self.result.rejected else 0


def import_file(path: Path | str, *, station: str = "", layout: str = "auto", create_stations: bool = False,
                replace: bool = True) -> FileImport:
    """Read one readings file and ingest it in one transaction (see :func:`ingest_readings`); a file that cannot be
    read, or breaks half-way, writes nothing and comes back with ``error`` set."""
    report = FileImport(Path(path))
    try:
        source = ReadingFile(path, station=station, layout=layout)
        report.description = source.description
        report.result = ingest_readings(source.rows(), replace=replace, create_stations=create_stations)
        report.rows_read, report.missing = source.rows_read, source.missing
    except FileUnreadable as exc:
        report.result = None
        report.error = exc.message
    return report
