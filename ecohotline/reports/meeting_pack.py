"""周调度会材料: the pack a weekly dispatch meeting works from.

The reviewed week's figures (as the 周分析 has them), then the ledger's (台账) open cases, difficult ones first: for
each its facts, why it is on the ledger, who owns it, the next step, the latest progress on its timeline and the
meeting's earlier decisions, followed by an empty table for this meeting's decisions (调度意见, 责任人, 完成时限),
which are entered on the meeting's page afterwards and go onto each case's timeline.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Max
from django.utils import timezone, translation

from ecohotline.assessment.ledger import open_entries, reason_label
from ecohotline.assessment.models import LedgerEntry, LedgerReason
from ecohotline.cases.access import mask_complainant
from ecohotline.cases.models import CaseEvent
from ecohotline.cases.selectors import category_label, event_label, status_label
from ecohotline.reports.compose import bureau_name, week_sections, zh_date, zh_span, zh_time
from ecohotline.reports.documents import Document, Paragraph, Section, Table
from ecohotline.reports.models import Meeting, MeetingDecision

FACT_NAMES = ("类别", "街乡", "承办单位", "承办人", "包案领导", "受理时间", "状态", "台账原因", "进入台账",
              "台账责任人", "下一步", "节点时间", "最新进展", "历次调度意见")
LEDGER_HEADER = ("序号", "工单号", "诉求摘要", *FACT_NAMES)
# The ledger's reasons as the bureau's paperwork names them (the documents are in Chinese for every reader).
REASON_NAMES = {LedgerReason.DIFFICULT: "难点", LedgerReason.UNRESOLVED: "未解决", LedgerReason.UNSATISFIED: "不满意"}
DECISION_HEADER = ("调度意见", "责任人", "完成时限")
DECISION_ROWS = 2
SUMMARY_LENGTH = 40


def agenda(entries: list[LedgerEntry]) -> list[LedgerEntry]:
    """The ledger's open entries in the order the meeting takes them: difficult cases first, then the oldest."""
    return sorted(entries, key=lambda entry: (LedgerReason.DIFFICULT not in entry.reasons, entry.entered_at,
                                              entry.pk))


def _latest_events(case_ids: list[int]) -> dict[int, CaseEvent]:
    latest = (CaseEvent.objects.filter(case_id__in=case_ids).values("case_id").annotate(last=Max("pk"))
              .values_list("last", flat=True))
    return {event.case_id: event for event in CaseEvent.objects.filter(pk__in=list(latest))}


def _earlier_decisions(case_ids: list[int], meeting: Meeting) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    decisions = (MeetingDecision.objects.filter(case_id__in=case_ids, meeting__held_on__lt=meeting.held_on)
                 .select_related("meeting", "responsible").order_by("meeting__held_on", "pk"))
    for decision in decisions:
        found[decision.case_id].append(
            f"{decision.meeting.held_on:%m-%d}：{mask_complainant(decision.case, decision.text)}"
            f"（责任人{decision.responsible}，{decision.due:%m-%d}前）")
    return found


def meeting_document(meeting: Meeting) -> tuple[Document, list[int]]:
    """The pack of `meeting` and the ids of the cases it puts on the agenda, in order."""
    with translation.override("zh-hans"):
        return _meeting_document(meeting)


def _meeting_document(meeting: Meeting) -> tuple[Document, list[int]]:
    entries = agenda(list(open_entries().select_related("case__street", "case__handler")))
    case_ids = [entry.case_id for entry in entries]
    latest = _latest_events(case_ids)
    earlier = _earlier_decisions(case_ids, meeting)
    counts = {code: sum(1 for entry in entries if code in entry.reasons) for code in REASON_NAMES}

    figures = week_sections(meeting.week_start, meeting.week_end, label="上周", before_label="前一周")
    headline, by_category = figures[0], figures[1]
    headline.heading, by_category.heading = "一、上周工作情况", "二、上周诉求类别"

    ledger_rows = []
    blocks: list[Paragraph | Table] = [Paragraph(
        f"台账在册{len(entries)}件，其中"
        + "、".join(f"{name}{counts[code]}件" for code, name in REASON_NAMES.items())
        + "。难点工单列在前面；每件工单后留有调度意见栏，会后在系统中录入，记入工单办理过程。")]
    for number, entry in enumerate(entries, start=1):
        case = entry.case
        summary = mask_complainant(case, case.title or case.description)[:SUMMARY_LENGTH]
        event = latest.get(case.pk)
        progress = f"{zh_time(event.at)} {event_label(event.action)}" if event else ""
        reasons = "、".join(REASON_NAMES.get(code) or reason_label(code) for code in entry.reasons)
        if entry.difficult_note:
            reasons += f"（{mask_complainant(case, entry.difficult_note)}）"
        history = "；".join(earlier.get(case.pk, [])) or "无"
        values = (
            category_label(case.sub_category or case.category),
            case.street.name if case.street else "",
            case.handling_unit.name if case.handling_unit else "",
            str(case.handler) if case.handler else "",
            str(case.leader) if case.leader else "",
            zh_time(case.received_at),
            status_label(case.status),
            reasons,
            zh_time(entry.entered_at),
            str(entry.owner) if entry.owner else "",
            mask_complainant(case, entry.next_step),
            f"{entry.next_date:%Y-%m-%d}" if entry.next_date else "",
            progress,
            history,
        )
        facts = list(zip(FACT_NAMES, values, strict=True))
        ledger_rows.append((number, case.reference, summary, *values))
        blocks += [
            Paragraph(f"（{number}）{case.reference} {summary}", bold=True),
            Table("基本情况", ("项目", "内容"), facts, in_workbook=False),
            Table("调度意见（会后录入）", DECISION_HEADER, [("", "", "")] * DECISION_ROWS, in_workbook=False),
        ]
    blocks.insert(1, Table("台账工单", LEDGER_HEADER, ledger_rows, in_document=False))
    sections = [
        headline,
        by_category,
        Section("三、台账难点工单", list(blocks)),
        Section("四、其他议定事项", [Paragraph("＿" * 30) for _line in range(4)]),
    ]
    title = f"{bureau_name()} 接诉即办周调度会材料 {zh_date(meeting.held_on)}"
    subtitle = f"调度周期：{zh_span(meeting.week_start, meeting.week_end)} · 生成时间：{zh_time(timezone.now())}"
    return Document(title, subtitle, sections), case_ids


def decision_due_default(meeting: Meeting) -> dt.date:
    """The date a decision's form proposes: a week after the meeting."""
    return meeting.held_on + dt.timedelta(days=7)
