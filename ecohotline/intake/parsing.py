"""Reading 12345 order files: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030, detected) and XLSX, in the canonical
layout or another one described by an `ImportProfile`, into `OrderInput`s or row problems with where and why.

Row numbers are the ones the spreadsheet shows (the header is row 1 unless the profile says otherwise; a CSV
record with a line break inside quotes is still one row). Reasons are Chinese, like the rest of what intake
records about an order (they are stored with the rejected row and sent back to the hotline in the XLSX).

Coordinates (经度/纬度) are taken as GCJ-02 unless the row or the layout says otherwise: 12345 orders get their
coordinates from the 高德/腾讯 map pickers of the hotline's systems, which give GCJ-02. An import profile says
what its layout's coordinates are in (`ImportProfile.coordinate_system`); a file may also carry an optional
坐标系 column (WGS84, GCJ02/高德/腾讯, BD09/百度) that says it row by row and wins over the layout.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import math
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from django.utils import timezone
from openpyxl.utils.datetime import from_excel

from ecohotline.cases.models import Case, Channel, RequestType, Urgency
from ecohotline.core import geo, textfiles
from ecohotline.core.workdays import BEIJING
from ecohotline.intake.models import ImportProfile, OrderRecord
from ecohotline.intake.orders import CANONICAL_COLUMNS, REQUEST_TYPES, REQUIRED_COLUMNS, URGENCIES, OrderInput

# Cells as read: CSV gives text, XLSX also numbers and datetimes.
Cell = str | int | float | bool | dt.datetime | dt.date | dt.time | None

COORDINATE_SYSTEM_COLUMN = "坐标系"  # optional, not one of the canonical columns
DEFAULT_COORDINATE_SYSTEM = "gcj02"
COORDINATE_SYSTEMS = {
    "wgs84": "wgs84", "wgs": "wgs84", "gps": "wgs84", "地球坐标": "wgs84",
    "gcj02": "gcj02", "gcj": "gcj02", "高德": "gcj02", "腾讯": "gcj02", "火星坐标": "gcj02", "国测局": "gcj02",
    "bd09": "bd09", "bd": "bd09", "百度": "bd09",
}
# Values that must be present in every row (诉求人 and 联系电话 may be blank: anonymous callers).
REQUIRED_VALUES = ("工单编号", "受理时间", "诉求地址", "诉求内容", "诉求类型", "紧急程度")
ANONYMOUS_NAMES = frozenset({"匿名", "匿名用户", "匿名来电", "匿名市民"})
DESCRIPTION_MAX_LENGTH = 5000
MAX_LENGTHS: dict[str, int] = {
    "工单编号": min(int(Case._meta.get_field("external_id").max_length or 64),
                int(OrderRecord._meta.get_field("external_id").max_length or 64)),
    "诉求人": int(Case._meta.get_field("complainant_name").max_length or 100),
    "联系电话": int(Case._meta.get_field("complainant_phone").max_length or 30),
    "诉求地址": int(Case._meta.get_field("address").max_length or 300),
    "诉求内容": DESCRIPTION_MAX_LENGTH,
    "所属区": int(Case._meta.get_field("district").max_length or 30),
    "所属街乡": int(Case._meta.get_field("community").max_length or 100),
}
# Tried after a profile's own formats and ISO 8601 (`datetime.fromisoformat`); %m/%d/%H accept "5" for "05".
DATE_FORMATS = (
    "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d",
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d",
    "%Y.%m.%d %H:%M:%S", "%Y.%m.%d %H:%M", "%Y.%m.%d",
    "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日%H时%M分", "%Y年%m月%d日 %H时%M分", "%Y年%m月%d日",
    "%Y%m%d%H%M%S", "%Y%m%d%H%M", "%Y%m%d",
)
EXCEL_SERIAL_MAX = 2958465  # 9999-12-31
EARLIEST_YEAR = 2000
FUTURE_TOLERANCE = dt.timedelta(days=1)
SNIFF_BYTES = 64 * 1024
CSV_FIELD_LIMIT = 1024 * 1024


class FileUnreadable(Exception):
    """The file cannot be read at all (not CSV/XLSX, broken, empty, a required column missing...)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Layout:
    """How to read one layout of order file: headers, date formats, encoding, sheet, header row, channel."""

    column_map: Mapping[str, str] = field(default_factory=dict)  # canonical column → header in the file
    date_formats: tuple[str, ...] = ()
    encoding: str = ""
    sheet: str = ""
    header_row: int = 1
    channel: str = Channel.HOTLINE_12345
    coordinate_system: str = DEFAULT_COORDINATE_SYSTEM

    @classmethod
    def from_profile(cls, profile: ImportProfile | None) -> Layout:
        if profile is None:
            return cls()
        column_map = {str(k).strip(): str(v).strip() for k, v in (profile.column_map or {}).items() if v}
        formats = tuple(str(f) for f in (profile.date_formats or []) if f)
        system = profile.coordinate_system or DEFAULT_COORDINATE_SYSTEM
        return cls(column_map=column_map, date_formats=formats, encoding=profile.encoding.strip(),
                   sheet=profile.sheet.strip(), header_row=max(1, profile.header_row), channel=profile.channel,
                   coordinate_system=COORDINATE_SYSTEMS.get(system.lower().replace("-", ""), system))

    def header_for(self, column: str) -> str:
        return self.column_map.get(column) or column


@dataclass
class RowProblem:
    column: str  # the canonical (Chinese) column, or "" for the whole row
    reason: str

    def describe(self, row_number: int) -> str:
        where = f"第 {row_number} 行"
        return f"{where} {self.column}：{self.reason}" if self.column else f"{where}：{self.reason}"


@dataclass
class Row:
    """One data row of the file as read."""

    number: int  # as the spreadsheet shows it
    values: dict[str, str]  # header → text as read (what a rejection shows and `OrderInput.raw` keeps)
    cells: dict[str, Cell]  # canonical column → value as read


@dataclass
class ParsedRow:
    row: Row
    order: OrderInput | None
    problems: list[RowProblem]
    repeat_of: int | None = None  # an identical order was already read at this row


# --- cells -----------------------------------------------------------------------------------------------


def display(value: Cell) -> str:
    """A cell's value as text, as a person reading the sheet would write it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _text(value: Cell) -> str:
    text = display(value).strip()
    # Exports that keep long numbers as text write them as ="2026050300001"
    if len(text) >= 3 and text.startswith('="') and text.endswith('"'):
        text = text[2:-1].strip()
    return text


def _quote(value: Cell, limit: int = 40) -> str:
    text = display(value).strip()
    return f"“{text[:limit]}…”" if len(text) > limit else f"“{text}”"


# --- dates -----------------------------------------------------------------------------------------------


def _aware(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=BEIJING)
    return moment.astimezone(BEIJING)


def _from_serial(number: float) -> dt.datetime | None:
    if not (1 <= number <= EXCEL_SERIAL_MAX):
        return None
    moment = from_excel(number)
    return moment if isinstance(moment, dt.datetime) else None


def parse_when(value: Cell, formats: tuple[str, ...] = ()) -> dt.datetime | None:
    """A date and time in any accepted form → aware (Beijing time when none is given), or None.

    Accepted: the layout's own strftime formats, ISO 8601 (with or without offset), `2026-05-03 14:05`,
    `2026/5/3 14:05`, Chinese `2026年5月3日 14:05`, compact `20260503140500`, Excel serial numbers (cells or
    text) and the date/datetime cells of XLSX.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        return _aware(value)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), tzinfo=BEIJING)
    if isinstance(value, int | float):
        moment = _from_serial(float(value))
        return _aware(moment) if moment else None
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    if not text:
        return None
    for fmt in formats:
        try:
            return _aware(dt.datetime.strptime(text, fmt))
        except ValueError:
            continue
    try:
        return _aware(dt.datetime.fromisoformat(text))
    except ValueError:
        pass
    for fmt in DATE_FORMATS:
        try:
            return _aware(dt.datetime.strptime(text, fmt))
        except ValueError:
            continue
    try:
        number = float(text)
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    moment = _from_serial(number)
    return _aware(moment) if moment else None


# --- one row → an order ----------------------------------------------------------------------------------


_REQUEST_TYPE_CODES = frozenset(RequestType.values)
_URGENCY_CODES = frozenset(Urgency.values)


def _choice(text: str, labels: Mapping[str, str], codes: frozenset[str]) -> str | None:
    if text in labels:
        return labels[text]
    if text.lower() in codes:
        return text.lower()
    for suffix in ("类", "件"):
        if text.endswith(suffix) and text[: -len(suffix)] in labels:
            return labels[text[: -len(suffix)]]
    return None


def _coordinate(value: Cell) -> float:
    if isinstance(value, bool):
        raise ValueError
    number = float(value) if isinstance(value, int | float) else float(_text(value))
    if not math.isfinite(number):
        raise ValueError
    return number


def build_order(cells: Mapping[str, Cell], layout: Layout, raw: dict[str, Any]) -> tuple[OrderInput | None,
                                                                                          list[RowProblem]]:
    """Check and type one order given by canonical column; either an order or the problems found."""
    problems: list[RowProblem] = []
    text = {column: _text(cells.get(column)) for column in (*CANONICAL_COLUMNS, COORDINATE_SYSTEM_COLUMN)}

    for column in REQUIRED_VALUES:
        if not text[column]:
            problems.append(RowProblem(column, "必填项为空"))
    for column, value in text.items():
        if "\x00" in value:  # no database keeps it in text (PostgreSQL refuses it)
            problems.append(RowProblem(column, "含有空字符（\\x00），无法保存；请检查导出文件"))
    for column, limit in MAX_LENGTHS.items():
        if len(text[column]) > limit:
            problems.append(RowProblem(column, f"内容过长（{len(text[column])} 字，最多 {limit} 字）"))

    received_at = due_at = None
    if text["受理时间"]:
        received_at = parse_when(cells.get("受理时间"), layout.date_formats)
        if received_at is None:
            problems.append(RowProblem("受理时间", f"无法识别的日期{_quote(cells.get('受理时间'))}"))
        elif received_at.year < EARLIEST_YEAR:
            problems.append(RowProblem("受理时间", f"日期不合理{_quote(cells.get('受理时间'))}"))
            received_at = None
        elif received_at > timezone.now() + FUTURE_TOLERANCE:
            problems.append(RowProblem("受理时间", f"受理时间晚于当前时间{_quote(cells.get('受理时间'))}"))
            received_at = None
    if text["办理时限"]:
        due_at = parse_when(cells.get("办理时限"), layout.date_formats)
        if due_at is None:
            problems.append(RowProblem("办理时限", f"无法识别的日期{_quote(cells.get('办理时限'))}"))
        elif received_at is not None and due_at < received_at:
            problems.append(RowProblem("办理时限", f"办理时限早于受理时间{_quote(cells.get('办理时限'))}"))

    request_type = _choice(text["诉求类型"], REQUEST_TYPES, _REQUEST_TYPE_CODES)
    if text["诉求类型"] and request_type is None:
        problems.append(RowProblem("诉求类型", f"未知的诉求类型{_quote(text['诉求类型'])}（可填："
                                              f"{'、'.join(REQUEST_TYPES)}）"))
    urgency = _choice(text["紧急程度"], URGENCIES, _URGENCY_CODES)
    if text["紧急程度"] and urgency is None:
        problems.append(RowProblem("紧急程度", f"未知的紧急程度{_quote(text['紧急程度'])}（可填："
                                              f"{'、'.join(URGENCIES)}）"))

    longitude = latitude = None
    has_lng, has_lat = bool(text["经度"]), bool(text["纬度"])
    if has_lng != has_lat:
        problems.append(RowProblem("纬度" if has_lng else "经度", "经度和纬度须同时填写或同时留空"))
    elif has_lng:
        numbers: dict[str, float] = {}
        for column in ("经度", "纬度"):
            try:
                numbers[column] = _coordinate(cells.get(column))
            except ValueError:
                problems.append(RowProblem(column, f"不是数字{_quote(cells.get(column))}"))
        if len(numbers) == 2:
            longitude, latitude = numbers["经度"], numbers["纬度"]
            if longitude == 0 and latitude == 0:  # some exports write 0, 0 for "no coordinates"
                longitude = latitude = None
            elif -90 <= longitude <= 90 and 73 <= latitude <= 136:
                problems.append(RowProblem("经度", f"经度和纬度可能填反了（经度 {longitude}，纬度 {latitude}）"))
            elif geo.out_of_china(longitude, latitude):
                problems.append(RowProblem("经度", f"坐标不在中国境内（经度 {longitude}，纬度 {latitude}）"))

    system = layout.coordinate_system
    if text[COORDINATE_SYSTEM_COLUMN]:
        named = COORDINATE_SYSTEMS.get(text[COORDINATE_SYSTEM_COLUMN].lower().replace("-", "").replace("_", ""))
        if named is None:
            problems.append(RowProblem(COORDINATE_SYSTEM_COLUMN, f"未知的坐标系{_quote(text[COORDINATE_SYSTEM_COLUMN])}"
                                                                 "（可填：WGS84、GCJ02、BD09）"))
        else:
            system = named

    if problems or received_at is None or request_type is None or urgency is None:
        return None, problems
    name = text["诉求人"]
    anonymous = name in ANONYMOUS_NAMES
    order = OrderInput(
        channel=layout.channel, external_id=text["工单编号"], received_at=received_at,
        description=text["诉求内容"], complainant_name="" if anonymous else name,
        complainant_phone=text["联系电话"], address=text["诉求地址"], request_type=request_type, urgency=urgency,
        district=text["所属区"], street_name=text["所属街乡"], hotline_due_at=due_at, longitude=longitude,
        latitude=latitude, coordinate_system=system if longitude is not None else DEFAULT_COORDINATE_SYSTEM,
        complainant_anonymous=anonymous, raw=raw,
    )
    return order, []


class SeenOrders:
    """Orders already read from the same file (or push): the same number again with the same content is a
    harmless repeat; with different content it is rejected (which of the two is right is not ours to guess)."""

    def __init__(self, where: Callable[[int], str] = lambda number: f"第 {number} 行") -> None:
        self._seen: dict[str, tuple[int, str]] = {}
        self._where = where

    def check(self, number: int, order: OrderInput) -> tuple[int | None, RowProblem | None]:
        """(where an identical earlier order was, or a problem); (None, None) for a first occurrence."""
        digest = order.content_hash()
        earlier = self._seen.get(order.external_id)
        if earlier is None:
            self._seen[order.external_id] = (number, digest)
            return None, None
        if earlier[1] == digest:
            return earlier[0], None
        return None, RowProblem("工单编号", f"与{self._where(earlier[0])}工单编号相同但内容不同")


# --- files -----------------------------------------------------------------------------------------------


def _decodes(path: Path, encoding: str) -> bool:
    return textfiles.decodes(lambda: path.open("rb"), encoding)


def _normal_encoding(name: str) -> str:
    key = name.strip().lower().replace("_", "-")
    if key in {"gbk", "gb2312", "cp936", "gb-2312", "gb18030", "ms936"}:
        return "gb18030"  # a superset of GBK and GB2312
    if key in {"utf-8", "utf8", "utf-8-sig"}:
        return "utf-8-sig"  # tolerates a BOM
    return name.strip()


def detect_encoding(path: Path, declared: str = "") -> str:
    """The file's text encoding: the declared one (checked), else UTF-8 (with or without BOM), else
    GB18030 (which reads GBK and GB2312 too), else what charset-normalizer finds."""
    with path.open("rb") as handle:
        head = handle.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if declared:
        encoding = _normal_encoding(declared)
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise FileUnreadable(f"导入配置中的编码“{declared}”无法识别") from exc
        if not _decodes(path, encoding):
            raise FileUnreadable(f"文件不是导入配置所说的 {declared} 编码")
        return encoding
    found = textfiles.guess_encoding(lambda: path.open("rb"))
    if found is None:
        raise FileUnreadable("无法识别文件的文字编码（应为 UTF-8 或 GBK/GB18030 的 CSV 文件）")
    return found


def _kind_of(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if not head.strip():
        raise FileUnreadable("文件是空的")
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileUnreadable("不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 CSV 后再导入")
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:200].lower().startswith((b"<html", b"<!doctype html", b"<table")):
        raise FileUnreadable("这是网页（HTML）格式的表格，不是 CSV 或 XLSX 文件：请用 Excel 打开后另存为 .xlsx")
    if head.startswith(b"%PDF"):
        raise FileUnreadable("这是 PDF 文件，不是 CSV 或 XLSX 文件")
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        raise FileUnreadable("XLSX 文件已损坏或不是 Excel 文件")
    if not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and b"\x00" in head:
        raise FileUnreadable("文件含有二进制内容，不是 CSV 或 XLSX 文件")
    return "csv"


def _header_name(value: Cell) -> str:
    return display(value).replace("\ufeff", "").strip().strip("*＊").strip()


class OrderFile:
    """An order file opened for reading; its kind, encoding and header are checked when it is opened.

    Use as a context manager; `count()` and `rows()` may each be called more than once (a first pass counts
    the rows for the progress bar and finds a file that breaks half-way before anything is written)."""

    def __init__(self, path: Path | str, layout: Layout | None = None) -> None:
        self.path = Path(path)
        self.layout = layout or Layout()
        self.kind = _kind_of(self.path)
        self.encoding = ""
        self.delimiter = ","
        self._workbook: Any = None
        self._sheet: Any = None
        try:
            if self.kind == "xlsx":
                self._open_workbook()
            else:
                self.encoding = detect_encoding(self.path, self.layout.encoding)
            self.headers, self.columns = self._read_header()
        except BaseException:
            self.close()
            raise

    # context manager
    def __enter__(self) -> OrderFile:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        if self._workbook is not None:
            self._workbook.close()
            self._workbook = None

    @property
    def description(self) -> str:
        if self.kind == "xlsx":
            return f"XLSX，工作表“{self._sheet.title}”"
        encoding = "UTF-8" if self.encoding == "utf-8-sig" else self.encoding.upper()
        return f"CSV，{encoding} 编码"

    def _open_workbook(self) -> None:
        import openpyxl

        try:
            self._workbook = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError, AttributeError,
                SyntaxError) as exc:
            raise FileUnreadable(f"XLSX 文件已损坏或不是 Excel 文件（{type(exc).__name__}）") from exc
        except Exception as exc:  # openpyxl and its XML parser raise many kinds of errors on broken files
            raise FileUnreadable(f"XLSX 文件已损坏或不是 Excel 文件（{type(exc).__name__}）") from exc
        names = self._workbook.sheetnames
        if self.layout.sheet:
            if self.layout.sheet not in names:
                raise FileUnreadable(f"找不到工作表“{self.layout.sheet}”（文件中有：{'、'.join(names)}）")
            self._sheet = self._workbook[self.layout.sheet]
        elif names:
            self._sheet = self._workbook[names[0]]
        else:
            raise FileUnreadable("XLSX 文件中没有工作表")

    def _records(self) -> Iterator[tuple[int, list[Cell]]]:
        """(row number, cells) of every row, the header included, blank ones too."""
        if self.kind == "xlsx":
            try:
                for number, values in enumerate(self._sheet.iter_rows(min_row=1, values_only=True), start=1):
                    yield number, list(values)
            except FileUnreadable:
                raise
            except Exception as exc:
                raise FileUnreadable(f"XLSX 文件已损坏，读取时出错（{type(exc).__name__}）") from exc
            return
        csv.field_size_limit(CSV_FIELD_LIMIT)
        with self.path.open(encoding=self.encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=self.delimiter)
            number = 0
            try:
                for number, record in enumerate(reader, start=1):
                    yield number, list(record)
            except csv.Error as exc:
                raise FileUnreadable(f"第 {number + 1} 行附近无法按 CSV 解析：{exc}") from exc

    def _read_header(self) -> tuple[list[str], dict[str, int]]:
        wanted = self.layout.header_row
        if self.kind == "csv":
            self.delimiter = self._sniff_delimiter()
        header: list[Cell] | None = None
        for number, cells in self._records():
            if number == wanted:
                header = cells
                break
        if header is None or not any(_header_name(cell) for cell in header):
            raise FileUnreadable(f"第 {wanted} 行（表头）是空的，文件中没有可读的表头")
        headers: list[str] = []
        for index, cell in enumerate(header, start=1):
            name = _header_name(cell)
            if not name or name in headers:
                name = f"第{index}列"
            headers.append(name)
        positions = {name: index for index, name in enumerate(headers)}
        columns: dict[str, int] = {}
        for column in (*CANONICAL_COLUMNS, COORDINATE_SYSTEM_COLUMN):
            position = positions.get(self.layout.header_for(column))
            if position is not None:
                columns[column] = position
        missing = [column for column in REQUIRED_COLUMNS if column not in columns]
        if missing:
            wanted_names = "、".join(self._header_label(column) for column in missing)
            shown = "、".join(headers[:20]) + ("…" if len(headers) > 20 else "")
            raise FileUnreadable(f"第 {wanted} 行（表头）缺少必需的列：{wanted_names}。表头为：{shown}")
        return headers, columns

    def _header_label(self, column: str) -> str:
        header = self.layout.header_for(column)
        return column if header == column else f"{column}（“{header}”）"

    def _sniff_delimiter(self) -> str:
        with self.path.open(encoding=self.encoding, newline="") as handle:
            sample = handle.read(SNIFF_BYTES)
        lines = sample.splitlines()
        line = lines[self.layout.header_row - 1] if len(lines) >= self.layout.header_row else sample
        counts = {delimiter: line.count(delimiter) for delimiter in (",", "\t", ";", "|")}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","

    def rows(self) -> Iterator[Row]:
        """The data rows after the header, blank rows skipped."""
        header_row = self.layout.header_row
        width = len(self.headers)
        for number, cells in self._records():
            if number <= header_row:
                continue
            if not any(_text(cell) for cell in cells):
                continue
            values = {self.headers[i]: display(cells[i]) if i < len(cells) else "" for i in range(width)}
            for extra in range(width, len(cells)):
                if _text(cells[extra]):
                    values[f"第{extra + 1}列"] = display(cells[extra])
            by_column = {column: cells[i] if i < len(cells) else None for column, i in self.columns.items()}
            yield Row(number, values, by_column)

    def count(self) -> int:
        return sum(1 for _row in self.rows())

    def parsed(self) -> Iterator[ParsedRow]:
        """Every data row checked: an order, or its problems (a repeat of an earlier order is marked)."""
        seen = SeenOrders()
        for row in self.rows():
            order, problems = build_order(row.cells, self.layout, row.values)
            repeat_of = None
            if order is not None:
                repeat_of, problem = seen.check(row.number, order)
                if problem is not None:
                    order, problems = None, [problem]
            yield ParsedRow(row, order, problems, repeat_of)
