"""The demo district's management layer, made through the same services the staff use: the ledger (台账) with a
few cases a leader marked difficult and planned, retrospectives (回访回溯) filled in for most unsatisfied visits,
last Monday's dispatch meeting with its pack and decisions, and the latest daily, weekly and monthly documents
in the archive."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone

from ecohotline.assessment import ledger, retrospectives
from ecohotline.assessment.kpis import period_of
from ecohotline.assessment.models import KpiScheme, LedgerEntry, LedgerReason, RetrospectiveCause
from ecohotline.cases.models import Case, CaseStatus
from ecohotline.core.selectors import workday_overrides
from ecohotline.core.workdays import BEIJING, is_working_day
from ecohotline.org.models import User
from ecohotline.reports import services as reports
from ecohotline.reports.models import ReportKind

DIFFICULT_REASONS = (
    "同一点位反复投诉，涉及多个部门，需局领导协调街道与住建部门联合处置。",
    "诉求人对整改进度不认可，多次回访不满意，需制定专项方案。",
)
NEXT_STEPS = ("约谈企业负责人，督促三日内提交整改方案", "联合街道开展夜间巡查并复测", "协调住建部门核查施工许可")
LESSONS = {
    RetrospectiveCause.NOT_CONTACTED: ("首次联系未留痕，诉求人认为未被联系。", "接单后两小时内电话联系并在系统登记。"),
    RetrospectiveCause.NOT_SOLVED: ("整改未到位即答复，诉求人认为问题仍在。", "整改完成并复测达标后再答复。"),
    RetrospectiveCause.SLOW: ("现场核查排期过晚。", "夜间噪声类诉求当日安排核查。"),
    RetrospectiveCause.COMPLIANT_BUT_DISTURBING: ("监测达标但诉求人仍感扰民。",
                                                  "向诉求人解释标准并协调企业进一步降噪。"),
    RetrospectiveCause.BEYOND_REMIT: ("诉求涉及物业管理，非我局职责。", "答复时告知主管部门和联系方式。"),
}
DECISIONS = ("由包案领导牵头，本周内组织现场会，明确整改时限。", "执法中队加大夜间巡查频次，复测结果报局领导。")


@dataclass
class FollowUp:
    entries: int
    difficult: int
    retrospectives_done: int
    decisions: int
    documents: int


def build_follow_up(*, seed: int, today: dt.date | None = None) -> FollowUp:
    """Put the demo's open problem cases on the ledger and work them as the bureau would."""
    rng = random.Random(seed)
    today = today or timezone.localdate(timezone.now(), BEIJING)
    leader = User.objects.get(username="leader1")
    dispatcher = User.objects.get(username="dispatcher")
    ledger.sync_ledger()
    # A leader marks the open cases with the most complaints from their place as difficult, and plans two.
    repeated = (Case.objects.filter(status__in=(CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS), parent__isnull=True)
                .order_by(F("triage__repeat_count_90d").desc(nulls_last=True), "received_at")[:2])
    for case, reason in zip(repeated, DIFFICULT_REASONS, strict=False):
        entry = ledger.flag_difficult(actor=leader, case=case, reason=reason)
        ledger.update_entry(actor=leader, entry=entry, next_step=rng.choice(NEXT_STEPS),
                            next_date=today + dt.timedelta(days=rng.randint(2, 7)))
    for entry in ledger.open_entries()[:6]:
        if not entry.next_step:
            ledger.update_entry(actor=dispatcher, entry=entry, next_step=rng.choice(NEXT_STEPS),
                                next_date=today + dt.timedelta(days=rng.randint(1, 10)))
    # Four in five unsatisfied visits have their retrospective filled in by a dispatcher.
    done = 0
    for retrospective in retrospectives.pending().select_related("visit"):
        if rng.random() < 0.2:
            continue
        cause = retrospectives.suggested_cause(retrospective.visit) or rng.choice(
            [RetrospectiveCause.SLOW, RetrospectiveCause.COMPLIANT_BUT_DISTURBING, RetrospectiveCause.BEYOND_REMIT])
        lessons, follow_up = LESSONS[RetrospectiveCause(cause)]
        retrospectives.record_retrospective(actor=dispatcher, retrospective=retrospective, cause=cause,
                                            lessons=lessons, follow_up=follow_up)
        done += 1
    # Last Monday's dispatch meeting: its pack, and decisions on its difficult cases.
    monday = today - dt.timedelta(days=today.weekday() or 7)
    meeting = reports.open_meeting(held_on=monday, actor=dispatcher)
    reports.generate_meeting_pack(meeting=meeting, actor=dispatcher)
    decisions = 0
    for entry in ledger.open_entries(reason=LedgerReason.DIFFICULT).filter(case_id__in=meeting.case_ids)[:2]:
        reports.record_decision(actor=leader, meeting=meeting, case=entry.case, text=DECISIONS[decisions],
                                responsible=entry.owner or leader, due=monday + dt.timedelta(days=7))
        decisions += 1
    # The archive: the latest daily sheet, last week's analysis and the last full assessment month's summary.
    workday = today
    while not is_working_day(workday, workday_overrides())[0]:
        workday -= dt.timedelta(days=1)
    start, _end = period_of(today, KpiScheme.in_force(today))
    runs = [reports.generate_report(kind=ReportKind.DAILY, day=workday, actor=None),
            reports.generate_report(kind=ReportKind.WEEKLY, day=monday - dt.timedelta(days=1), actor=None),
            reports.generate_report(kind=ReportKind.MONTHLY, day=start - dt.timedelta(days=1), actor=None)]
    return FollowUp(entries=LedgerEntry.objects.filter(left_at__isnull=True).count(),
                    difficult=ledger.open_entries(reason=LedgerReason.DIFFICULT).count(),
                    retrospectives_done=done, decisions=decisions, documents=len(runs) + 1)
