"""Order files for the tests (and the import benchmark): realistic 12345 rows of a Haidian-like district, written
as CSV in any encoding or as XLSX."""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from ecohotline.core import geo
from ecohotline.core.workdays import BEIJING
from ecohotline.demo.places import PLACES
from ecohotline.intake.orders import CANONICAL_COLUMNS

COLUMNS: tuple[str, ...] = tuple(CANONICAL_COLUMNS)
Row = dict[str, Any]

# What people complain about: (text, request type). {c} community, {r} road, {b} a brand, {s} a shop name.
COMPLAINTS = (
    ("{c}楼下{b}烧烤店油烟直排，晚上开窗油烟味很大，希望相关部门尽快处理。", "投诉"),
    ("{r}{b}餐馆排烟管道没有净化设备，油烟熏到居民楼，老人咳嗽。", "投诉"),
    ("{c}附近工地夜间施工，凌晨一点还在浇筑混凝土，噪声严重影响休息。", "投诉"),
    ("{r}{s}KTV音响声音很大，夜间低频噪声震得窗户都响，孩子睡不着。", "投诉"),
    ("{c}广场舞音响声音开得很大，每天晚上八点到十点，噪音扰民。", "投诉"),
    ("{r}沿线渣土车未苫盖，扬尘严重，路面全是尘土。", "举报"),
    ("{c}旁边有人露天焚烧垃圾，烟很大，气味刺鼻。", "举报"),
    ("{r}附近河道有污水直排，河水发黑发臭。", "举报"),
    ("{c}小区门口汽修店喷漆废气，异味很重，头晕恶心。", "投诉"),
    ("{r}新建的信号塔离住宅很近，担心电磁辐射影响健康。", "咨询"),
    ("咨询{c}附近工地夜间施工是否办理了夜间施工证明。", "咨询"),
    ("建议加强对{r}沿线餐饮油烟问题的巡查。", "建议"),
)
BRANDS = ("老王", "张记", "蜀香", "湘遇", "川味坊", "京味斋", "金鼎", "福满楼", "鑫源", "聚福")
SHOPS = ("金色年华", "星光", "欢乐时光", "阳光", "蓝天", "嘉年华", "新世纪", "乐活")
SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林")
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞")
URGENCY_WEIGHTS = (("一般", 0.9), ("紧急", 0.03), ("复杂", 0.07))


def order_row(**fields: Any) -> Row:
    """One good row of the canonical layout (values as text); keyword arguments by canonical column."""
    row: Row = {
        "工单编号": "2026050300001", "受理时间": "2026-05-03 14:05", "诉求人": "张三", "联系电话": "13812345678",
        "诉求地址": "北京市海淀区中关村大街12号", "诉求内容": "楼下烧烤店油烟直排，晚上十一点还在营业。",
        "诉求类型": "投诉", "紧急程度": "一般", "所属区": "海淀区", "所属街乡": "中关村街道",
        "办理时限": "2026-05-10 14:05", "经度": "116.3162", "纬度": "39.9834",
    }
    row.update(fields)
    return row


def realistic_rows(count: int, *, seed: int = 1, start: dt.datetime | None = None, days: int = 150,
                   repeat_share: float = 0.03, resend_share: float = 0.0, number_prefix: str = "2026") -> list[Row]:
    """`count` rows as a 12345 export of a Haidian-like district would have them: streets, roads and
    communities of 海淀区, GCJ-02 coordinates (9 in 10 rows), times over `days` days from `start`.

    `repeat_share` of the rows are another person's (or the same person's) complaint about something already
    complained about nearby (new order numbers: candidates for duplicates); `resend_share` are the very same
    order sent again (same number and content: taken once)."""
    rng = random.Random(seed)
    start = start or dt.datetime(2026, 5, 1, 7, 0, tzinfo=BEIJING)
    step = dt.timedelta(days=days) / max(count, 1)
    weights = [place.weight for place in PLACES]
    rows: list[Row] = []
    for index in range(count):
        if rows and rng.random() < resend_share:
            rows.append(dict(rng.choice(rows)))
            continue
        received = start + step * index + dt.timedelta(seconds=rng.randint(0, 59))
        number = f"{number_prefix}{index + 1:09d}"
        if rows and rng.random() < repeat_share:
            earlier = dict(rng.choice(rows[-200:]))
            if rng.random() < 0.5:
                earlier["诉求人"] = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
                earlier["联系电话"] = f"1{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}"
            earlier["诉求内容"] = "再次反映：" + earlier["诉求内容"]
            earlier.update({"工单编号": number, "受理时间": f"{received:%Y-%m-%d %H:%M}",
                            "办理时限": f"{received + dt.timedelta(days=7):%Y-%m-%d %H:%M}"})
            rows.append(earlier)
            continue
        place = rng.choices(PLACES, weights=weights)[0]
        community, road = rng.choice(place.communities), rng.choice(place.roads)
        template, request_type = rng.choice(COMPLAINTS)
        text = template.format(c=community, r=road, b=rng.choice(BRANDS), s=rng.choice(SHOPS))
        urgency = rng.choices([u for u, _w in URGENCY_WEIGHTS], weights=[w for _u, w in URGENCY_WEIGHTS])[0]
        row: Row = {
            "工单编号": number, "受理时间": f"{received:%Y-%m-%d %H:%M}",
            "诉求人": rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2))),
            "联系电话": f"1{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}",
            "诉求地址": f"北京市海淀区{road}{rng.randint(1, 199)}号{community}", "诉求内容": text,
            "诉求类型": request_type, "紧急程度": urgency, "所属区": "海淀区",
            "所属街乡": place.name if rng.random() < 0.8 else "",
            "办理时限": f"{received + dt.timedelta(days=7 if urgency != '复杂' else 15):%Y-%m-%d %H:%M}",
            "经度": "", "纬度": "",
        }
        if rng.random() < 0.9:
            lng = place.longitude + rng.uniform(-0.008, 0.008)
            lat = place.latitude + rng.uniform(-0.006, 0.006)
            glng, glat = geo.wgs84_to_gcj02(lng, lat)
            row["经度"], row["纬度"] = f"{glng:.6f}", f"{glat:.6f}"
        rows.append(row)
    return rows


def _table(rows: Iterable[Mapping[str, Any]], columns: Sequence[str], headers: Mapping[str, str] | None
           ) -> tuple[list[str], list[list[Any]]]:
    names = [(headers or {}).get(column, column) for column in columns]
    return names, [[row.get(column, "") for column in columns] for row in rows]


def write_csv(path: Path, rows: Iterable[Mapping[str, Any]], *, encoding: str = "utf-8",
              columns: Sequence[str] = COLUMNS, headers: Mapping[str, str] | None = None, delimiter: str = ",",
              preamble: Sequence[Sequence[str]] = ()) -> Path:
    """Rows (by canonical column) as a CSV file; `headers` renames columns (another layout), `preamble`
    puts lines above the header."""
    names, table = _table(rows, columns, headers)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        writer.writerows(preamble)
        writer.writerow(names)
        writer.writerows(table)
    return path


def write_xlsx(path: Path, rows: Iterable[Mapping[str, Any]], *, columns: Sequence[str] = COLUMNS,
               headers: Mapping[str, str] | None = None, sheet: str = "工单", preamble: Sequence[Sequence[Any]] = (),
               extra_sheets: Sequence[str] = ()) -> Path:
    """Rows as an XLSX workbook; values keep their type (datetimes and numbers become such cells)."""
    names, table = _table(rows, columns, headers)
    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    for name in extra_sheets:
        workbook.create_sheet(name)
    worksheet.title = sheet
    for line in preamble:
        worksheet.append(list(line))
    worksheet.append(names)
    for values in table:
        worksheet.append(values)
    workbook.save(path)
    return path
