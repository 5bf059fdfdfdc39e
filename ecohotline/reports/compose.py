"""What each document says: the 日调度单, the 周分析, the 月总结 and the 周调度会材料, in Chinese.

Each function reads through `reports.selectors` and `assessment` and returns a `documents.Document`; labels that
come from the catalogue (categories, statuses, timeline actions) are read in zh-Hans, whatever the language of
whoever asked for the document.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from typing import Any

from django.utils import timezone, translation

from ecohotline.assessment.kpis import Figures, period_of
from ecohotline.assessment.models import KpiScheme
from ecohotline.assessment.rankings import RankRow, monthly_trend, previous_period, rankings
from ecohotline.org.models import OrgUnit, UnitKind
from ecohotline.reports import charts, selectors
from ecohotline.reports.documents import Chart, Document, Paragraph, Section, Table
from ecohotline.reports.models import ReportKind
from ecohotline.reports.selectors import CaseRow, PeriodFigures

WEEKDAYS = "一二三四五六日"
CASE_HEADER = ("工单号", "受理时间", "地址", "类别", "承办单位", "承办人", "到期时间")
DEFAULT_BUREAU = "区生态环境局"
TOP = 10


# --- periods -------------------------------------------------------------------------------------------------------


def period_for(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The days a document of `kind` asked for `day` covers: the day itself (日调度), the Monday-to-Sunday week
    containing it (周分析), the assessment month containing it (月总结). A meeting pack covers the week before its
    meeting (`services.reviewed_week`)."""
    if kind == ReportKind.DAILY:
        return day, day
    if kind == ReportKind.WEEKLY:
        return selectors.week_of(day)
    if kind == ReportKind.MONTHLY:
        return period_of(day, KpiScheme.in_force(day))
    raise ValueError(f"unknown report kind {kind!r}")


# --- formatting ----------------------------------------------------------------------------------------------------


def zh_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def zh_span(start: dt.date, end: dt.date) -> str:
    if start.year == end.year:
        return f"{zh_date(start)}—{end.month}月{end.day}日"
    return f"{zh_date(start)}—{zh_date(end)}"


def zh_time(moment: dt.datetime | None) -> str:
    return "" if moment is None else f"{timezone.localtime(moment, selectors.BEIJING):%Y-%m-%d %H:%M}"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.2f}%"


def score(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def signed(value: float | None, *, rate: bool = False, digits: int = 2) -> str:
    """A change: +3, -1, +1.25 个百分点, or — when one side is missing."""
    if value is None:
        return "—"
    if rate:
        return f"{100 * value:+.{digits}f}个百分点"
    if isinstance(value, int):
        return f"{value:+d}"
    return f"{value:+.{digits}f}"


def _difference(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else now - before


def bureau_name() -> str:
    """The name at the head of the documents: the bureau's unit (海淀区生态环境局)."""
    bureau = OrgUnit.objects.filter(kind=UnitKind.BUREAU).order_by("pk").first()
    return bureau.name if bureau else DEFAULT_BUREAU


def _case_table(title: str, rows: Sequence[CaseRow]) -> Table:
    return Table(title, CASE_HEADER, [(row.reference, zh_time(row.received_at), row.address, row.category, row.unit,
                                       row.handler, zh_time(row.due_at)) for row in rows])


def _made_at() -> str:
    return f"生成时间：{zh_time(timezone.now())}"


def _zh(build: Callable[..., Document]) -> Callable[..., Document]:
    """Compose in zh-Hans: the documents are the bureau's paperwork, in Chinese for every reader."""

    @functools.wraps(build)
    def composed(*args: Any, **kwargs: Any) -> Document:
        with translation.override("zh-hans"):
            return build(*args, **kwargs)

    return composed


# --- 日调度单 -------------------------------------------------------------------------------------------------------


@_zh
def daily_document(day: dt.date) -> Document:
    """日调度单: yesterday's new orders, what falls due today and tomorrow, what is overdue, what waits for dispatch."""
    sheet = selectors.daily_sheet(day)
    parts = (("昨日新增", sheet.new), ("今日到期", sheet.due_today), ("明日到期", sheet.due_tomorrow),
             ("已超期", sheet.overdue), ("未派单", sheet.unassigned))
    summary = "；".join(f"{name}{len(rows)}件" for name, rows in parts) + "。"
    overview = Section("一、总体情况", [
        Paragraph(summary),
        Paragraph("说明：今日到期、明日到期、已超期以当日0时为准，按各工单最近一个未完成的办理时限计；工单状态截至生成时。"),
        Table("汇总", ("项目", "件数"), [(name, len(rows)) for name, rows in parts]),
        Chart("日调度概况", charts.bar_chart("日调度概况（件）", [name for name, _rows in parts],
                                             [("件数", [len(rows) for _name, rows in parts])])),
    ])
    numbers = "二三四五六"
    sections = [Section(f"{numbers[index]}、{name}", [_case_table(name, rows)]) for index, (name, rows)
                in enumerate(parts)]
    yesterday = day - dt.timedelta(days=1)
    if sheet.new_since < yesterday:  # after a weekend or a holiday: everything since the last working day
        sections[0].blocks.insert(0, Paragraph(f"统计范围：{zh_span(sheet.new_since, yesterday)}（上一工作日以来）。"))
    weekday = WEEKDAYS[day.weekday()]
    return Document(f"{bureau_name()} 接诉即办日调度单 {zh_date(day)}", f"星期{weekday} · {_made_at()}",
                    [overview, *sections])


# --- 周分析 ---------------------------------------------------------------------------------------------------------


def _figure_rows(now: PeriodFigures, before: PeriodFigures) -> list[tuple[str, str | int, str | int, str]]:
    """The headline figures of two periods side by side, with the change."""
    a, b = now.kpis, before.kpis

    def count(name: str, x: int, y: int) -> tuple[str, int, int, str]:
        return name, x, y, signed(x - y)

    def rate(name: str, x: float | None, y: float | None) -> tuple[str, str, str, str]:
        return name, percent(x), percent(y), signed(_difference(x, y), rate=True)

    return [
        count("新增工单（件）", now.received, before.received),
        count("办结工单（件）", now.completed, before.completed),
        count("考核工单（件，按回访计）", a.assessed, b.assessed),
        rate("响应率", a.response_rate, b.response_rate),
        rate("解决率", a.resolution_rate, b.resolution_rate),
        rate("满意率", a.satisfaction_rate, b.satisfaction_rate),
        ("综合成绩", score(a.composite), score(b.composite), signed(_difference(a.composite, b.composite))),
        rate("按期办结率", a.on_time_rate, b.on_time_rate),
        count("考核渠道办结（件）", a.completed, b.completed),
        count("其中按期办结（件）", a.completed_on_time, b.completed_on_time),
    ]


def _compare_table(title: str, first: str, now: dict[str, int], before: dict[str, int],
                   columns: tuple[str, str] = ("本周", "上周")) -> Table:
    names = list(now) + [name for name in before if name not in now]
    return Table(title, (first, *columns, "变化"),
                 [(name, now.get(name, 0), before.get(name, 0), signed(now.get(name, 0) - before.get(name, 0)))
                  for name in names])


def _figures_summary(now: PeriodFigures, label: str) -> str:
    k = now.kpis
    return (f"{label}新增工单{now.received}件，办结{now.completed}件；考核工单{k.assessed}件，"
            f"响应率{percent(k.response_rate)}，解决率{percent(k.resolution_rate)}，满意率{percent(k.satisfaction_rate)}，综合成绩{score(k.composite)}，"
            f"按期办结率{percent(k.on_time_rate)}。")


def week_sections(start: dt.date, end: dt.date, *, label: str = "本周", before_label: str = "上周") -> list[Section]:
    """The week's figures against the week before, by category, by street and by day (周分析; the meeting pack
    opens with the first of them)."""
    before_start, before_end = start - dt.timedelta(days=7), end - dt.timedelta(days=7)
    now, before = selectors.period_figures(start, end), selectors.period_figures(before_start, before_end)
    standing = selectors.open_figures(timezone.now())
    headline = Section("一、总体情况", [
        Paragraph(_figures_summary(now, label)),
        Paragraph(f"截至生成时，在办工单{standing.open}件，其中已超期{standing.overdue}件。"),
        Table("主要指标", ("指标", label, before_label, "变化"), _figure_rows(now, before)),
    ])
    categories = selectors.received_by_category(start, end)
    categories_before = selectors.received_by_category(before_start, before_end)
    by_category = _compare_table("按类别", "类别", categories, categories_before, (label, before_label))
    category_names = [row[0] for row in by_category.rows][:TOP]
    streets = _compare_table("按街乡", "街乡", selectors.received_by_street(start, end),
                             selectors.received_by_street(before_start, before_end), (label, before_label))
    days = selectors.received_by_day(start, end)
    days_before = selectors.received_by_day(before_start, before_end)
    day_labels = [f"周{WEEKDAYS[day.weekday()]}" for day in days]
    return [
        headline,
        Section("二、按类别分析", [
            by_category,
            Chart("按类别新增", charts.bar_chart("新增工单按类别（件）", category_names, [
                (label, [categories.get(name, 0) for name in category_names]),
                (before_label, [categories_before.get(name, 0) for name in category_names])])),
        ]),
        Section("三、按街乡分析", [streets]),
        Section("四、每日新增", [
            Table("每日新增", ("日期", "星期", label, f"{before_label}同日"),
                  [(f"{day:%m-%d}", f"周{WEEKDAYS[day.weekday()]}", count, before_count)
                   for (day, count), before_count in zip(days.items(), days_before.values(), strict=True)]),
            Chart("每日新增", charts.bar_chart("每日新增工单（件）", day_labels, [
                (label, list(days.values())), (before_label, list(days_before.values()))])),
        ]),
    ]


@_zh
def weekly_document(day: dt.date) -> Document:
    """周分析: the week (Monday to Sunday) containing `day`, against the week before."""
    start, end = selectors.week_of(day)
    return Document(f"{bureau_name()} 接诉即办周分析 {zh_span(start, end)}", _made_at(),
                    week_sections(start, end))


# --- 月总结 ---------------------------------------------------------------------------------------------------------


def _rank_table(title: str, first: str, rows: list[RankRow]) -> Table:
    def rank_text(rank: int | None) -> str | int:
        return "—" if rank is None else rank

    return Table(title, ("排名", first, "考核件", "响应率", "解决率", "满意率", "综合成绩", "上期排名", "排名变化",
                         "成绩变化"),
                 [(rank_text(row.rank), row.name, row.figures.assessed, percent(row.figures.response_rate),
                   percent(row.figures.resolution_rate), percent(row.figures.satisfaction_rate),
                   score(row.figures.composite), rank_text(row.previous_rank),
                   "—" if row.rank_change is None else signed(row.rank_change), signed(row.composite_change))
                  for row in rows])


def _kpi_rows(now: Figures, before: Figures) -> list[tuple[str, Any, Any, str]]:
    def count(name: str, field: str) -> tuple[str, int, int, str]:
        x, y = getattr(now, field), getattr(before, field)
        return name, x, y, signed(x - y)

    def rate(name: str, field: str) -> tuple[str, str, str, str]:
        x, y = getattr(now, field), getattr(before, field)
        return name, percent(x), percent(y), signed(_difference(x, y), rate=True)

    return [count("考核工单（件）", "assessed"), count("已联系（件）", "contacted"), count("已解决（件）", "solved"),
            count("满意（件）", "satisfied"), count("基本满意（件）", "basically_satisfied"),
            count("不满意（件）", "dissatisfied"), rate("响应率", "response_rate"), rate("解决率", "resolution_rate"),
            rate("满意率", "satisfaction_rate"),
            ("综合成绩", score(now.composite), score(before.composite),
             signed(_difference(now.composite, before.composite))),
            count("办结（件）", "completed"), count("按期办结（件）", "completed_on_time"),
            rate("按期办结率", "on_time_rate")]


def _top_table(title: str, first: str, counts: dict[str, int]) -> Table:
    total = sum(counts.values())
    return Table(title, ("序号", first, "件数", "占比"),
                 [(index, name, count, percent(count / total if total else None))
                  for index, (name, count) in enumerate(list(counts.items())[:TOP], start=1)])


@_zh
def monthly_document(day: dt.date) -> Document:
    """月总结: the assessment month containing `day`: its KPIs against the month before, the rankings of units and
    streets, the twelve months' trend, the categories and streets most complained about."""
    start, end = period_for(ReportKind.MONTHLY, day)
    before_start, before_end = previous_period(start, end)
    now, before = selectors.period_figures(start, end), selectors.period_figures(before_start, before_end)
    trend = monthly_trend(end, months=12)
    labels = [f"{point.end.year % 100:02d}年{point.end.month}月" for point in trend]
    categories = selectors.received_by_category(start, end)
    streets = selectors.received_by_street(start, end)
    top_names = list(categories)[:TOP]
    sections = [
        Section("一、考核成绩", [
            Paragraph(_figures_summary(now, "本考核期")),
            Paragraph(f"上一考核期：{zh_span(before_start, before_end)}。"),
            Table("考核成绩", ("指标", "本期", "上期", "变化"), _kpi_rows(now.kpis, before.kpis)),
        ]),
        Section("二、承办单位排名", [_rank_table("承办单位排名", "承办单位", rankings(start, end, by="unit"))]),
        Section("三、街乡排名", [_rank_table("街乡排名", "街乡", rankings(start, end, by="street"))]),
        Section("四、近12个月趋势", [
            Chart("三率趋势", charts.line_chart("近12个月三率", labels, [
                ("响应率", [point.figures.response_rate for point in trend]),
                ("解决率", [point.figures.resolution_rate for point in trend]),
                ("满意率", [point.figures.satisfaction_rate for point in trend])], percent=True)),
            Chart("综合成绩趋势", charts.line_chart("近12个月综合成绩", labels,
                                                  [("综合成绩", [point.figures.composite for point in trend])])),
            Table("近12个月趋势", ("考核期", "起止", "考核件", "响应率", "解决率", "满意率", "综合成绩", "按期办结率"),
                  [(label, f"{point.start:%Y-%m-%d}至{point.end:%Y-%m-%d}", point.figures.assessed,
                    percent(point.figures.response_rate), percent(point.figures.resolution_rate),
                    percent(point.figures.satisfaction_rate), score(point.figures.composite),
                    percent(point.figures.on_time_rate)) for label, point in zip(labels, trend, strict=True)]),
        ]),
        Section("五、诉求热点", [
            _top_table("类别前十", "类别", categories),
            Chart("类别前十", charts.bar_chart("新增工单较多的类别（件）", top_names,
                                              [("件数", [categories[name] for name in top_names])])),
            _top_table("街乡前十", "街乡", streets),
        ]),
    ]
    month = f"{end.year}年{end.month}月"
    return Document(f"{bureau_name()} 接诉即办月总结 {month}",
                    f"考核期：{zh_date(start)}至{zh_date(end)} · {_made_at()}", sections)
