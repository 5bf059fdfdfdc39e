"""周分析 and 月总结 read back: the period's figures against the one before, by category and street, the rankings
with their change and the twelve months' trend, charts embedded."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ecohotline.cases.models import Satisfaction
from ecohotline.factories import make_case
from ecohotline.reports import services
from ecohotline.reports.models import ReportKind

from .conftest import at, docx_images, docx_tables, docx_text, handled, visit, workbook_rows

pytestmark = pytest.mark.django_db

S, B, D = Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED, Satisfaction.DISSATISFIED


@pytest.fixture
def two_weeks(org: Any, clock: Any) -> None:
    # The week before (9–15 November): one case, satisfied.
    before = handled(org, replied=at(11, 11))
    visit(org, before, at(11, 12), S)
    # The week (16–22 November): two handled noise cases in 中关村, one new air case in 学院路.
    first = handled(org, replied=at(11, 18))
    visit(org, first, at(11, 19), S)
    second = handled(org, replied=at(11, 19))
    visit(org, second, at(11, 20), B)
    make_case(received_at=at(11, 20), street=org.other_street, category="air", sub_category="air.dust")


def _table(tables: list[list[list[str]]], first_header: list[str]) -> list[list[str]]:
    return next(table for table in tables if table[0] == first_header)


def test_the_weekly_analysis_compares_the_week_with_the_one_before(org: Any, two_weeks: None) -> None:
    run = services.generate_report(kind=ReportKind.WEEKLY, day=dt.date(2026, 11, 22), actor=None)
    assert (run.period_start, run.period_end) == (dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    content = run.docx.read()
    text = docx_text(content)
    assert "海淀区生态环境局 接诉即办周分析 2026年11月16日—11月22日" in text
    assert ("本周新增工单3件，办结2件；考核工单2件，响应率100.00%，解决率100.00%，满意率95.00%，综合成绩98.00，"
            "按期办结率100.00%。") in text
    tables = docx_tables(content)
    figures = _table(tables, ["指标", "本周", "上周", "变化"])
    assert figures[1:] == [
        ["新增工单（件）", "3", "1", "+2"],
        ["办结工单（件）", "2", "1", "+1"],
        ["考核工单（件，按回访计）", "2", "1", "+1"],
        ["响应率", "100.00%", "100.00%", "+0.00个百分点"],
        ["解决率", "100.00%", "100.00%", "+0.00个百分点"],
        ["满意率", "95.00%", "100.00%", "-5.00个百分点"],
        ["综合成绩", "98.00", "100.00", "-2.00"],
        ["按期办结率", "100.00%", "100.00%", "+0.00个百分点"],
        ["考核渠道办结（件）", "2", "1", "+1"],
        ["其中按期办结（件）", "2", "1", "+1"],
    ]
    assert _table(tables, ["类别", "本周", "上周", "变化"])[1:] == [["噪声", "2", "1", "+1"], ["大气", "1", "0", "+1"]]
    assert _table(tables, ["街乡", "本周", "上周", "变化"])[1:] == [["中关村街道", "2", "1", "+1"],
                                                                  ["学院路街道", "1", "0", "+1"]]
    days = _table(tables, ["日期", "星期", "本周", "上周同日"])
    assert days[1:3] == [["11-16", "周一", "1", "1"], ["11-17", "周二", "1", "0"]]
    assert days[5] == ["11-20", "周五", "1", "0"]
    assert docx_images(content) == 2
    sheets = workbook_rows(run.xlsx.read())
    assert list(sheets) == ["主要指标", "按类别", "按街乡", "每日新增"]
    assert sheets["按类别"][1] == ("噪声", 2, 1, "+1")


@pytest.fixture
def two_months(org: Any) -> None:
    # September: one case of the 二中队 in 学院路, satisfied.
    september = handled(org, replied=at(9, 10), unit=org.other_squad, street=org.other_street)
    visit(org, september, at(9, 11), S)
    # October: the 一中队 satisfied in 中关村; the 二中队 dissatisfied and unsolved in 学院路.
    good = handled(org, replied=at(10, 10))
    visit(org, good, at(10, 11), S)
    bad = handled(org, replied=at(10, 12), unit=org.other_squad, street=org.other_street, category="air",
                  sub_category="air.catering_fumes")
    visit(org, bad, at(10, 13), D, solved=False)


def test_the_monthly_summary_ranks_units_and_streets_and_draws_the_trend(org: Any, two_months: None) -> None:
    run = services.generate_report(kind=ReportKind.MONTHLY, day=dt.date(2026, 10, 31), actor=None)
    assert (run.period_start, run.period_end) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    content = run.docx.read()
    text = docx_text(content)
    assert "海淀区生态环境局 接诉即办月总结 2026年10月" in text
    assert "考核期：2026年10月1日至2026年10月31日" in text
    tables = docx_tables(content)
    kpis = _table(tables, ["指标", "本期", "上期", "变化"])
    assert kpis[1] == ["考核工单（件）", "2", "1", "+1"]
    assert ["满意率", "50.00%", "100.00%", "-50.00个百分点"] in kpis
    assert ["综合成绩", "55.00", "100.00", "-45.00"] in kpis  # 100 × (0.1 × 1 + 0.5 × 0.5 + 0.4 × 0.5)
    header = ["排名", "承办单位", "考核件", "响应率", "解决率", "满意率", "综合成绩", "上期排名", "排名变化",
              "成绩变化"]
    units = _table(tables, header)
    assert units[1:] == [
        ["1", "执法一中队", "1", "100.00%", "100.00%", "100.00%", "100.00", "—", "—", "—"],
        ["2", "执法二中队", "1", "100.00%", "0.00%", "0.00%", "10.00", "1", "-1", "-90.00"],
    ]
    streets = _table(tables, ["排名", "街乡", *header[2:]])
    assert [row[1] for row in streets[1:]] == ["中关村街道", "学院路街道"]
    trend = _table(tables, ["考核期", "起止", "考核件", "响应率", "解决率", "满意率", "综合成绩", "按期办结率"])
    assert len(trend) == 13 and trend[-1][:3] == ["26年10月", "2026-10-01至2026-10-31", "2"]
    assert trend[-2][:3] == ["26年9月", "2026-09-01至2026-09-30", "1"]
    assert _table(tables, ["序号", "类别", "件数", "占比"])[1:] == [["1", "大气", "1", "50.00%"],
                                                                   ["2", "噪声", "1", "50.00%"]]  # ties: by code
    assert docx_images(content) == 3
    sheets = workbook_rows(run.xlsx.read())
    assert list(sheets) == ["考核成绩", "承办单位排名", "街乡排名", "近12个月趋势", "类别前十", "街乡前十"]
