"""日调度单: yesterday's new orders, due today, due tomorrow, overdue and waiting for dispatch, read back from the
DOCX and the XLSX; the complainant never appears."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from ecohotline.cases.models import CaseStatus
from ecohotline.factories import force_status, make_case
from ecohotline.reports import services
from ecohotline.reports.models import ReportKind

from .conftest import at, docx_images, docx_tables, docx_text, workbook_rows

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 23)
HEADER = ("工单号", "受理时间", "地址", "类别", "承办单位", "承办人", "到期时间")


@pytest.fixture
def district(org: Any, clock: Any) -> dict[str, Any]:
    def case(number: str, received: dt.datetime, status: str, due: dt.datetime | None, **fields: Any) -> Any:
        made = make_case(external_id=number, received_at=received, street=org.street, category="noise",
                         sub_category="noise.social", address=f"中关村大街{number[-1]}号",
                         complainant_name="张三丰", complainant_phone="13812345678", **fields)
        return force_status(made, status, next_due_at=due)

    return {
        "new": case("A0001", at(11, 22, 9), CaseStatus.NEW, at(11, 25)),
        "closed_yesterday": force_status(case("A0002", at(11, 22, 11), CaseStatus.CLOSED, None),
                                         CaseStatus.CLOSED, handling_unit=org.squad, handler=org.handler),
        "due_today": force_status(case("A0003", at(11, 20), CaseStatus.DISPATCHED, at(11, 23, 17)),
                                  CaseStatus.DISPATCHED, handling_unit=org.squad, handler=org.handler),
        "due_tomorrow": force_status(case("A0004", at(11, 19), CaseStatus.IN_PROGRESS,
                                          dt.datetime.combine(dt.date(2026, 11, 24), dt.time(23, 59, 59),
                                                              tzinfo=at(1, 1).tzinfo)),
                                     CaseStatus.IN_PROGRESS, handling_unit=org.other_squad),
        "overdue": force_status(case("A0005", at(11, 10), CaseStatus.IN_PROGRESS, at(11, 21)),
                                CaseStatus.IN_PROGRESS, handling_unit=org.squad, handler=org.handler),
        "returned": case("A0006", at(11, 21), CaseStatus.RETURNED, at(11, 28),
                         description="退回：请联系13912345678核实"),
    }


def _table_after(tables: list[list[list[str]]], references: set[str]) -> list[list[str]]:
    """The case table holding exactly these order numbers."""
    for table in tables:
        if table[0] == list(HEADER) and {row[0] for row in table[1:]} == references:
            return table
    raise AssertionError(f"no table with {references}")


def test_the_sheet_lists_each_section_with_its_cases(org: Any, district: dict[str, Any]) -> None:
    run = services.generate_report(kind=ReportKind.DAILY, day=DAY, actor=org.dispatcher)
    assert (run.kind, run.period_start, run.period_end, run.version) == ("daily", DAY, DAY, 1)
    content = run.docx.read()
    text = docx_text(content)
    assert "海淀区生态环境局 接诉即办日调度单 2026年11月23日" in text
    assert "昨日新增4件；今日到期1件；明日到期1件；已超期1件；未派单2件。" in text
    # A Monday: the new orders since Friday, the last working day.
    assert "统计范围：2026年11月20日—11月22日（上一工作日以来）。" in text
    for heading in ("二、昨日新增", "三、今日到期", "四、明日到期", "五、已超期", "六、未派单"):
        assert heading in text
    tables = docx_tables(content)
    assert tables[0] == [["项目", "件数"], ["昨日新增", "4"], ["今日到期", "1"], ["明日到期", "1"], ["已超期", "1"],
                         ["未派单", "2"]]
    assert [row[0] for row in _table_after(tables, {"A0001", "A0002", "A0003", "A0006"})[1:]] == [
        "A0003", "A0006", "A0001", "A0002"]
    today = _table_after(tables, {"A0003"})
    assert today[1] == ["A0003", "2026-11-20 10:00", "中关村大街3号", "社会生活噪声", "执法一中队", str(org.handler),
                        "2026-11-23 17:00"]
    assert _table_after(tables, {"A0004"})[1][4:] == ["执法二中队", "", "2026-11-24 23:59"]
    assert _table_after(tables, {"A0005"})[1][6] == "2026-11-21 10:00"
    _table_after(tables, {"A0001", "A0006"})
    assert docx_images(content) == 1
    assert "张三丰" not in text and "13812345678" not in text and "13912345678" not in text


def test_the_workbook_has_one_sheet_per_table_with_a_bold_header(org: Any, district: dict[str, Any]) -> None:
    run = services.generate_report(kind=ReportKind.DAILY, day=DAY, actor=None)
    content = run.xlsx.read()
    sheets = workbook_rows(content)
    assert list(sheets) == ["汇总", "昨日新增", "今日到期", "明日到期", "已超期", "未派单"]
    assert sheets["汇总"][1:] == [("昨日新增", 4), ("今日到期", 1), ("明日到期", 1), ("已超期", 1), ("未派单", 2)]
    assert sheets["已超期"] == [HEADER, ("A0005", "2026-11-10 10:00", "中关村大街5号", "社会生活噪声", "执法一中队",
                                        str(org.handler), "2026-11-21 10:00")]
    assert [row[0] for row in sheets["未派单"][1:]] == ["A0006", "A0001"]  # oldest first
    sheet = load_workbook(io.BytesIO(content))["已超期"]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["C"].width >= 14  # 中关村大街5号: seven wide characters
    assert "张三丰" not in str(sheets) and "13812345678" not in str(sheets)


def test_on_a_tuesday_new_means_yesterday(org: Any, district: dict[str, Any]) -> None:
    text = docx_text(services.generate_report(kind=ReportKind.DAILY, day=DAY + dt.timedelta(days=1),
                                              actor=None).docx.read())
    assert "接诉即办日调度单 2026年11月24日" in text
    assert "昨日新增0件；今日到期1件；明日到期1件；已超期2件；未派单2件。" in text
    assert "统计范围" not in text


def test_a_day_without_cases_still_makes_a_sheet(org: Any, clock: Any) -> None:
    run = services.generate_report(kind=ReportKind.DAILY, day=DAY, actor=None)
    text = docx_text(run.docx.read())
    assert "昨日新增0件；今日到期0件；明日到期0件；已超期0件；未派单0件。" in text
    assert "无" in text
