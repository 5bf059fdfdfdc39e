"""Reading order files: encodings, layouts, dates, and every kind of bad row with its row, column and reason."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest

from ecohotline.cases.models import Channel, RequestType, Urgency
from ecohotline.core.workdays import BEIJING
from ecohotline.intake.models import ImportProfile
from ecohotline.intake.parsing import FileUnreadable, Layout, OrderFile, ParsedRow, build_order, parse_when
from ecohotline.intake.tests.builders import COLUMNS, order_row, write_csv, write_xlsx

AT_1405 = dt.datetime(2026, 5, 3, 14, 5, tzinfo=BEIJING)


def read(path: Path, layout: Layout | None = None) -> list[ParsedRow]:
    with OrderFile(path, layout) as source:
        return list(source.parsed())


def problems(parsed: ParsedRow) -> list[tuple[str, str]]:
    return [(problem.column, problem.reason) for problem in parsed.problems]


# --- encodings -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("encoding", "detected"), [
    ("utf-8", "utf-8-sig"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030"),
])
def test_each_encoding_is_detected(tmp_path, encoding, detected):
    path = write_csv(tmp_path / "orders.csv", [order_row(), order_row(工单编号="2026050300002", 诉求人="欧阳娜娜")],
                     encoding=encoding)
    with OrderFile(path) as source:
        assert source.encoding == detected
        rows = list(source.parsed())
    assert [row.order.external_id for row in rows if row.order] == ["2026050300001", "2026050300002"]
    assert rows[1].order is not None and rows[1].order.complainant_name == "欧阳娜娜"
    assert rows[0].order is not None and rows[0].order.description == "楼下烧烤店油烟直排，晚上十一点还在营业。"


def test_a_bom_does_not_end_up_in_the_first_header(tmp_path):
    path = write_csv(tmp_path / "orders.csv", [order_row()], encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with OrderFile(path) as source:
        assert source.headers[0] == "工单编号"


def test_gb18030_only_characters(tmp_path):
    # 𠮷 (U+20BB7) and 䶮 (U+4DAE) are not in GBK: a GBK reader would fail or garble them.
    name, address = "王𠮷", "北京市海淀区䶮村路1号"
    with pytest.raises(UnicodeEncodeError):
        name.encode("gbk")
    path = write_csv(tmp_path / "orders.csv", [order_row(诉求人=name, 诉求地址=address)], encoding="gb18030")
    (row,) = read(path)
    assert row.order is not None and row.order.complainant_name == name and row.order.address == address


def test_a_declared_encoding_is_checked(tmp_path):
    path = write_csv(tmp_path / "orders.csv", [order_row()], encoding="utf-8")
    with pytest.raises(FileUnreadable, match="GBK"):
        OrderFile(path, Layout(encoding="GBK"))
    gbk = write_csv(tmp_path / "gbk.csv", [order_row()], encoding="gbk")
    assert read(gbk, Layout(encoding="GBK"))[0].order is not None


def test_tab_separated_and_utf16_as_excel_saves_unicode_text(tmp_path):
    path = write_csv(tmp_path / "orders.txt", [order_row()], encoding="utf-16", delimiter="\t")
    (row,) = read(path)
    assert row.order is not None and row.order.external_id == "2026050300001"


# --- dates -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "2026-05-03 14:05", "2026/5/3 14:05", "2026/05/03 14:05:00", "2026-05-03T14:05", "2026-05-03T14:05:00+08:00",
    "2026-05-03T06:05:00Z", "2026-05-03T06:05:00+00:00", "2026年5月3日 14:05", "20260503140500",
    "46145.5868055556",  # an Excel serial number, as a CSV export of an Excel sheet writes it
])
def test_every_date_format(text):
    assert parse_when(text) == AT_1405


def test_dates_without_a_time_and_unreadable_dates():
    assert parse_when("2026-05-03") == dt.datetime(2026, 5, 3, tzinfo=BEIJING)
    assert parse_when(46145) == dt.datetime(2026, 5, 3, tzinfo=BEIJING)
    for text in ("2026-13-45", "昨天下午", "", "0", "2026/5/3 25:00", "nan"):
        assert parse_when(text) is None


def test_naive_times_are_beijing_time_and_aware_ones_are_kept(tmp_path):
    path = write_csv(tmp_path / "orders.csv", [order_row(受理时间="2026-05-03T06:05:00Z")])
    (row,) = read(path)
    assert row.order is not None and row.order.received_at == AT_1405
    assert row.order.received_at.utcoffset() == dt.timedelta(hours=8)


def test_xlsx_with_datetime_cells_serial_numbers_and_numeric_cells(tmp_path):
    rows = [
        order_row(受理时间=dt.datetime(2026, 5, 3, 14, 5), 办理时限=dt.datetime(2026, 5, 10, 14, 5)),
        order_row(工单编号=2026050300002, 受理时间=46145.5868055556, 联系电话=13812345678, 经度=116.3162,
                  纬度=39.9834, 办理时限=None),
        order_row(工单编号="2026050300003", 受理时间="2026/5/3 14:05"),
    ]
    path = write_xlsx(tmp_path / "orders.xlsx", rows)
    parsed = read(path)
    assert [p.problems for p in parsed] == [[], [], []]
    orders = [p.order for p in parsed if p.order]
    assert [order.received_at for order in orders] == [AT_1405] * 3
    assert orders[0].hotline_due_at == dt.datetime(2026, 5, 10, 14, 5, tzinfo=BEIJING)
    assert orders[1].external_id == "2026050300002" and orders[1].complainant_phone == "13812345678"
    assert (orders[1].longitude, orders[1].latitude) == (116.3162, 39.9834)
    assert [p.row.number for p in parsed] == [2, 3, 4]


# --- rows ------------------------------------------------------------------------------------------------


def test_a_good_row_becomes_an_order(tmp_path):
    path = write_csv(tmp_path / "orders.csv", [order_row(诉求类型="举报", 紧急程度="紧急")])
    (row,) = read(path)
    order = row.order
    assert order is not None and row.problems == [] and row.row.number == 2
    assert order.channel == Channel.HOTLINE_12345
    assert order.request_type == RequestType.REPORT and order.urgency == Urgency.URGENT
    assert order.street_name == "中关村街道" and order.district == "海淀区"
    assert order.hotline_due_at == dt.datetime(2026, 5, 10, 14, 5, tzinfo=BEIJING)
    # GCJ-02 unless told otherwise: what the hotline's 高德/腾讯 map pickers give
    assert order.coordinate_system == "gcj02"
    assert order.raw["工单编号"] == "2026050300001" and order.raw["诉求内容"].startswith("楼下烧烤店")


def test_whitespace_is_stripped_and_hostile_text_kept_as_given(tmp_path):
    script = '<script>alert("x")</script> & <b>油烟</b> =HYPERLINK("http://evil")'
    path = write_csv(tmp_path / "orders.csv", [order_row(工单编号='  ="2026050300001"\t', 诉求人="\u3000张三 ",
                                                         诉求内容=f"  {script}\n")])
    (row,) = read(path)
    assert row.order is not None
    assert row.order.external_id == "2026050300001" and row.order.complainant_name == "张三"
    assert row.order.description == script


def test_optional_columns_may_be_missing(tmp_path):
    required = [c for c in COLUMNS if c not in ("所属区", "所属街乡", "办理时限", "经度", "纬度")]
    path = write_csv(tmp_path / "orders.csv", [order_row()], columns=required)
    (row,) = read(path)
    assert row.order is not None and row.order.longitude is None and row.order.hotline_due_at is None


def test_anonymous_callers_and_labels_with_suffixes(tmp_path):
    path = write_csv(tmp_path / "orders.csv", [order_row(诉求人="匿名", 联系电话="", 诉求类型="投诉类",
                                                         紧急程度="complex")])
    (row,) = read(path)
    assert row.order is not None and row.order.complainant_anonymous and row.order.complainant_name == ""
    assert row.order.request_type == RequestType.COMPLAINT and row.order.urgency == Urgency.COMPLEX


def test_coordinates_in_another_system_per_row(tmp_path):
    columns = (*COLUMNS, "坐标系")
    path = write_csv(tmp_path / "orders.csv", [order_row(坐标系="百度"), order_row(工单编号="2", 坐标系="WGS-84"),
                                               order_row(工单编号="3", 坐标系="")], columns=columns)
    assert [row.order.coordinate_system for row in read(path) if row.order] == ["bd09", "wgs84", "gcj02"]


BAD_ROWS = [
    ({"诉求内容": ""}, "诉求内容", "必填项为空"),
    ({"工单编号": " "}, "工单编号", "必填项为空"),
    ({"受理时间": "2026-13-45"}, "受理时间", "无法识别的日期“2026-13-45”"),
    ({"受理时间": "1899-01-01 10:00"}, "受理时间", "日期不合理“1899-01-01 10:00”"),
    ({"受理时间": "2099-01-01 10:00", "办理时限": ""}, "受理时间", "受理时间晚于当前时间“2099-01-01 10:00”"),
    ({"办理时限": "下周一"}, "办理时限", "无法识别的日期“下周一”"),
    ({"办理时限": "2026-05-01 10:00"}, "办理时限", "办理时限早于受理时间“2026-05-01 10:00”"),
    ({"诉求类型": "投拆"}, "诉求类型", "未知的诉求类型“投拆”（可填：投诉、举报、咨询、建议、求助、表扬）"),
    ({"紧急程度": "特急"}, "紧急程度", "未知的紧急程度“特急”（可填：紧急、一般、普通、复杂、复杂疑难）"),
    ({"纬度": ""}, "纬度", "经度和纬度须同时填写或同时留空"),
    ({"经度": ""}, "经度", "经度和纬度须同时填写或同时留空"),
    ({"经度": "116.3一"}, "经度", "不是数字“116.3一”"),
    ({"纬度": "北纬39度"}, "纬度", "不是数字“北纬39度”"),
    ({"经度": "39.9834", "纬度": "116.3162"}, "经度", "经度和纬度可能填反了（经度 39.9834，纬度 116.3162）"),
    ({"经度": "2.35", "纬度": "48.85"}, "经度", "坐标不在中国境内（经度 2.35，纬度 48.85）"),
    ({"诉求人": "张" * 101}, "诉求人", "内容过长（101 字，最多 100 字）"),
    ({"联系电话": "1" * 31}, "联系电话", "内容过长（31 字，最多 30 字）"),
    ({"工单编号": "9" * 65}, "工单编号", "内容过长（65 字，最多 64 字）"),
    ({"诉求地址": "路" * 301}, "诉求地址", "内容过长（301 字，最多 300 字）"),
    ({"诉求内容": "吵" * 5001}, "诉求内容", "内容过长（5001 字，最多 5000 字）"),
]


@pytest.mark.parametrize(("fields", "column", "reason"), BAD_ROWS)
def test_every_kind_of_bad_row_with_its_column_and_reason(tmp_path, fields, column, reason):
    rows = [order_row(工单编号="1"), order_row(**{"工单编号": "2", **fields}), order_row(工单编号="3")]
    parsed = read(write_csv(tmp_path / "orders.csv", rows))
    good, bad, also_good = parsed
    assert good.order is not None and also_good.order is not None
    assert bad.order is None and bad.row.number == 3
    assert (column, reason) in problems(bad)
    assert bad.problems[0].describe(3).startswith(f"第 3 行 {bad.problems[0].column}：")


def test_every_problem_of_a_row_is_reported():
    order, found = build_order(order_row(受理时间="2026-13-45", 紧急程度="特急", 经度="116.3", 纬度=""), Layout(), {})
    assert order is None
    assert {p.column for p in found} == {"受理时间", "紧急程度", "纬度"}


def test_the_same_order_number_twice(tmp_path):
    rows = [order_row(), order_row(诉求人="李四"), order_row(工单编号="2"), order_row()]
    parsed = read(write_csv(tmp_path / "orders.csv", rows))
    assert parsed[0].order is not None and parsed[0].repeat_of is None
    assert parsed[1].order is None and problems(parsed[1]) == [("工单编号", "与第 2 行工单编号相同但内容不同")]
    assert parsed[3].order is not None and parsed[3].repeat_of == 2  # the very same order again: harmless


def test_row_numbers_are_the_spreadsheets_blank_rows_and_line_breaks_included(tmp_path):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow([order_row(工单编号="1", 诉求内容="楼下\n烧烤店油烟")[c] for c in COLUMNS])  # one row, two lines
    writer.writerow([])
    writer.writerow([""] * len(COLUMNS))
    writer.writerow([order_row(工单编号="2", 受理时间="2026-13-45")[c] for c in COLUMNS])
    path = tmp_path / "orders.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    parsed = read(path)
    assert [(p.row.number, p.order is not None) for p in parsed] == [(2, True), (5, False)]
    assert parsed[0].order is not None and parsed[0].order.description == "楼下\n烧烤店油烟"


# --- other layouts (import profiles) ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_profile_maps_columns_dates_sheet_header_row_and_channel(tmp_path):
    headers = {"工单编号": "编号", "受理时间": "来电时间", "诉求内容": "反映内容", "诉求人": "来电人"}
    profile = ImportProfile.objects.create(
        name="12369 平台导出", column_map=headers, date_formats=["%d.%m.%Y %H:%M"], sheet="明细", header_row=3,
        channel=Channel.ECO_12369,
    )
    rows = [order_row(受理时间="03.05.2026 14:05", 办理时限="")]
    path = write_xlsx(tmp_path / "orders.xlsx", rows, headers=headers, sheet="明细", extra_sheets=["说明"],
                      preamble=[["12369 举报件导出"], ["导出时间：2026-05-04"]])
    (row,) = read(path, Layout.from_profile(profile))
    assert row.row.number == 4 and row.problems == []
    assert row.order is not None and row.order.channel == Channel.ECO_12369 and row.order.received_at == AT_1405
    assert row.order.raw["编号"] == "2026050300001"

    csv_path = write_csv(tmp_path / "orders.csv", rows, headers=headers, encoding="gbk",
                         preamble=[["12369 举报件导出"], ["导出时间：2026-05-04"]])
    (row,) = read(csv_path, Layout.from_profile(profile))
    assert row.row.number == 4 and row.order is not None and row.order.received_at == AT_1405


@pytest.mark.django_db
def test_a_profile_says_what_its_coordinates_are_in_and_a_row_may_say_otherwise(tmp_path):
    assert Layout().coordinate_system == "gcj02"  # the standard 12345 export: the hotline's Gaode/Tencent maps
    assert Layout.from_profile(ImportProfile.objects.create(name="默认")).coordinate_system == "gcj02"
    profile = ImportProfile.objects.create(name="百度坐标", coordinate_system="bd09")
    layout = Layout.from_profile(profile)
    assert layout.coordinate_system == "bd09"
    path = write_csv(tmp_path / "orders.csv", [order_row(坐标系=""), order_row(工单编号="2", 坐标系="WGS84"),
                                               order_row(工单编号="3", 经度="", 纬度="")], columns=(*COLUMNS, "坐标系"))
    assert [row.order.coordinate_system for row in read(path, layout) if row.order] == ["bd09", "wgs84", "gcj02"]


@pytest.mark.django_db
def test_a_profile_naming_a_missing_sheet(tmp_path):
    profile = ImportProfile.objects.create(name="x", sheet="明细")
    path = write_xlsx(tmp_path / "orders.xlsx", [order_row()], sheet="Sheet1")
    with pytest.raises(FileUnreadable, match="找不到工作表“明细”（文件中有：Sheet1）"):
        OrderFile(path, Layout.from_profile(profile))


# --- files that cannot be read at all --------------------------------------------------------------------


def test_a_missing_required_column_says_which_and_where(tmp_path):
    columns = [c for c in COLUMNS if c not in ("受理时间", "紧急程度")]
    path = write_csv(tmp_path / "orders.csv", [order_row()], columns=columns)
    with pytest.raises(FileUnreadable) as caught:
        OrderFile(path)
    assert caught.value.message.startswith("第 1 行（表头）缺少必需的列：受理时间、紧急程度。表头为：工单编号、")


def test_a_missing_column_of_a_profile_names_both(tmp_path):
    path = write_csv(tmp_path / "orders.csv", [order_row()])
    with pytest.raises(FileUnreadable, match="缺少必需的列：工单编号（“编号”）"):
        OrderFile(path, Layout(column_map={"工单编号": "编号"}))


@pytest.mark.parametrize(("content", "message"), [
    (b"", "文件是空的"),
    (b"  \r\n\r\n", "文件是空的"),
    (bytes(range(256)) * 40, "二进制"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "旧版 Excel（.xls）"),
    (b"%PDF-1.7\n...", "PDF"),
    ("<html><table><tr><td>工单编号</td></tr></table></html>".encode(), "网页（HTML）"),
])
def test_unreadable_files(tmp_path, content, message):
    path = tmp_path / "orders.csv"
    path.write_bytes(content)
    with pytest.raises(FileUnreadable, match=message.replace("(", r"\(").replace(")", r"\)")):
        OrderFile(path)


def test_a_broken_xlsx(tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", [order_row()])
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    with pytest.raises(FileUnreadable, match="XLSX 文件已损坏"):
        OrderFile(broken)
    not_a_workbook = tmp_path / "other.xlsx"
    with zipfile.ZipFile(not_a_workbook, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(FileUnreadable, match="XLSX 文件已损坏"):
        OrderFile(not_a_workbook)
    named_xlsx_but_text = tmp_path / "text.xlsx"
    named_xlsx_but_text.write_text("工单编号,受理时间\n", encoding="utf-8")
    with pytest.raises(FileUnreadable, match="XLSX 文件已损坏"):
        OrderFile(named_xlsx_but_text)


def test_a_header_only_file_has_no_rows(tmp_path):
    path = write_csv(tmp_path / "orders.csv", [])
    with OrderFile(path) as source:
        assert source.count() == 0
