"""周调度会: the pack lists the ledger's cases (difficult first) with room for decisions; decisions entered after
the meeting land on each case's timeline with the person responsible and the date, and in the next pack."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ecohotline.assessment import ledger
from ecohotline.assessment.models import LedgerEntry, LedgerReason
from ecohotline.cases import services as case_services
from ecohotline.cases.models import CaseEvent
from ecohotline.factories import make_case
from ecohotline.reports import services
from ecohotline.reports.models import Meeting, MeetingDecision, ReportKind

from .conftest import NOW, at, docx_tables, docx_text, workbook_rows

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 23)


@pytest.fixture
def on_ledger(org: Any, clock: Any) -> dict[str, Any]:
    slow = make_case(external_id="B0001", received_at=at(10, 1), street=org.street, title="工地夜间施工噪声",
                     category="noise", sub_category="noise.construction")
    case_services.dispatch_case(actor=org.dispatcher, case=slow, unit=org.squad)
    LedgerEntry.objects.create(case=slow, reasons=[LedgerReason.UNRESOLVED], owner=org.handler,
                               entered_at=NOW - dt.timedelta(days=20), next_step="约谈施工单位",
                               next_date=dt.date(2026, 11, 25))
    hard = make_case(external_id="B0002", received_at=at(11, 2), street=org.street, title="张三丰反映餐馆油烟扰民",
                     complainant_name="张三丰", complainant_phone="13812345678", category="air",
                     sub_category="air.catering_fumes")
    case_services.dispatch_case(actor=org.dispatcher, case=hard, unit=org.squad)
    ledger.flag_difficult(actor=org.leader, case=hard, reason="反复投诉，达标扰民")
    return {"slow": slow, "hard": hard}


def test_the_pack_lists_the_ledger_difficult_cases_first_with_room_for_decisions(
        org: Any, on_ledger: dict[str, Any]) -> None:
    meeting = services.open_meeting(held_on=DAY, actor=org.leader)
    assert (meeting.week_start, meeting.week_end, meeting.title) == (
        dt.date(2026, 11, 16), dt.date(2026, 11, 22), "周调度会 2026年11月23日")
    run = services.generate_meeting_pack(meeting=meeting, actor=org.leader)
    meeting.refresh_from_db()
    assert (run.kind, run.meeting, run.period_start) == (ReportKind.MEETING, meeting, dt.date(2026, 11, 16))
    assert meeting.case_ids == [on_ledger["hard"].pk, on_ledger["slow"].pk]
    content = run.docx.read()
    text = docx_text(content)
    assert "海淀区生态环境局 接诉即办周调度会材料 2026年11月23日" in text
    assert "调度周期：2026年11月16日—11月22日" in text
    assert "台账在册2件，其中难点1件、未解决1件、不满意0件。" in text
    assert "（1）B0002 张**反映餐馆油烟扰民" in text and "（2）B0001 工地夜间施工噪声" in text
    assert "难点（反复投诉，达标扰民）" in text
    assert "张三丰" not in text and "13812345678" not in text
    tables = docx_tables(content)
    decision_tables = [table for table in tables if table[0] == ["调度意见", "责任人", "完成时限"]]
    assert len(decision_tables) == 2 and decision_tables[0][1:] == [["", "", ""], ["", "", ""]]
    facts = [table for table in tables if table[0] == ["项目", "内容"]][1]
    assert ["下一步", "约谈施工单位"] in facts and ["节点时间", "2026-11-25"] in facts
    assert ["承办单位", "执法一中队"] in facts
    sheets = workbook_rows(run.xlsx.read())
    assert [row[:3] for row in sheets["台账工单"][1:]] == [(1, "B0002", "张**反映餐馆油烟扰民"),
                                                         (2, "B0001", "工地夜间施工噪声")]
    assert "主要指标" in sheets and "调度意见" not in str(list(sheets))


def test_a_decision_goes_on_the_case_timeline_and_into_the_next_pack(org: Any, on_ledger: dict[str, Any]) -> None:
    meeting = services.open_meeting(held_on=DAY, actor=org.dispatcher)
    services.generate_meeting_pack(meeting=meeting, actor=org.dispatcher)
    hard = on_ledger["hard"]
    decision = services.record_decision(actor=org.leader, meeting=meeting, case=hard, text="本周内联合城管执法检查",
                                        responsible=org.unit_head, due=dt.date(2026, 11, 27))
    event = CaseEvent.objects.filter(case=hard, action="meeting_decision").get()
    assert event.actor == org.leader
    assert event.payload == {"text": "本周内联合城管执法检查", "responsible_name": str(org.unit_head),
                             "responsible": org.unit_head.pk, "due": "2026-11-27", "meeting": meeting.pk,
                             "decision": decision.pk}
    following = services.open_meeting(held_on=dt.date(2026, 11, 30), actor=org.leader)
    text = docx_text(services.generate_meeting_pack(meeting=following, actor=org.leader).docx.read())
    assert f"11-23：本周内联合城管执法检查（责任人{org.unit_head}，11-27前）" in text


def test_only_leaders_dispatchers_and_admins_enter_decisions(org: Any, on_ledger: dict[str, Any]) -> None:
    meeting = services.open_meeting(held_on=DAY, actor=org.leader)
    with pytest.raises(services.PermissionDenied):
        services.record_decision(actor=org.analyst, meeting=meeting, case=on_ledger["hard"], text="x",
                                 responsible=org.handler, due=DAY)
    with pytest.raises(services.PermissionDenied):
        services.open_meeting(held_on=dt.date(2026, 11, 30), actor=org.handler)
    assert not MeetingDecision.objects.exists()


def test_the_meeting_page_records_a_decision(client: Any, org: Any, on_ledger: dict[str, Any]) -> None:
    client.force_login(org.dispatcher)
    response = client.post(reverse("reports:meeting-open"), {"held_on": "2026-11-23", "title": ""})
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response.url == reverse("reports:meeting-detail", args=[meeting.pk])
    assert client.post(reverse("reports:meeting-pack", args=[meeting.pk])).status_code == 302
    page = client.get(reverse("reports:meeting-detail", args=[meeting.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "B0002" in html and "B0001" in html and "张三丰" not in html
    hard = on_ledger["hard"]
    prefix = f"case-{hard.pk}"
    response = client.post(reverse("reports:decision-add", args=[meeting.pk]), {
        "case": hard.pk, f"{prefix}-text": "督促商户安装油烟净化器", f"{prefix}-responsible": org.handler.pk,
        f"{prefix}-due": "2026-11-30"})
    assert response.status_code == 302
    decision = MeetingDecision.objects.get()
    assert (decision.case, decision.responsible, decision.due, decision.created_by) == (
        hard, org.handler, dt.date(2026, 11, 30), org.dispatcher)
    case_page = client.get(reverse("ui:case-detail", args=[hard.pk])).content.decode()
    assert "督促商户安装油烟净化器" in case_page and str(org.handler) in case_page and "2026-11-30" in case_page
    # A case that is not on the agenda; a form without a text.
    other = make_case(received_at=at(11, 20))
    assert client.post(reverse("reports:decision-add", args=[meeting.pk]), {
        "case": other.pk, f"case-{other.pk}-text": "x", f"case-{other.pk}-responsible": org.handler.pk,
        f"case-{other.pk}-due": "2026-11-30"}).status_code == 404
    assert client.post(reverse("reports:decision-add", args=[meeting.pk]), {
        "case": hard.pk, f"{prefix}-text": "", f"{prefix}-responsible": org.handler.pk,
        f"{prefix}-due": "2026-11-30"}).status_code == 400
    assert MeetingDecision.objects.count() == 1


def test_an_analyst_sees_the_meeting_but_may_not_decide(client: Any, org: Any, on_ledger: dict[str, Any]) -> None:
    meeting = services.open_meeting(held_on=DAY, actor=org.leader)
    client.force_login(org.analyst)
    page = client.get(reverse("reports:meeting-detail", args=[meeting.pk]))
    assert page.status_code == 200 and 'name="case"' not in page.content.decode()
    hard = on_ledger["hard"]
    assert client.post(reverse("reports:decision-add", args=[meeting.pk]), {
        "case": hard.pk, f"case-{hard.pk}-text": "x", f"case-{hard.pk}-responsible": org.handler.pk,
        f"case-{hard.pk}-due": "2026-11-30"}).status_code == 403
    assert client.post(reverse("reports:meeting-open"), {"held_on": "2026-11-30"}).status_code == 403


def test_the_meeting_page_does_not_query_per_case(client: Any, org: Any, on_ledger: dict[str, Any]) -> None:
    meeting = services.open_meeting(held_on=DAY, actor=org.leader)
    client.force_login(org.leader)
    url = reverse("reports:meeting-detail", args=[meeting.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for number in range(3):
        more = make_case(external_id=f"C000{number}", received_at=at(11, 3), street=org.street, title="异味")
        case_services.dispatch_case(actor=org.dispatcher, case=more, unit=org.squad)
        services.record_decision(actor=org.leader, meeting=meeting, case=more, text="跟进", responsible=org.handler,
                                 due=DAY)
        LedgerEntry.objects.create(case=more, reasons=[LedgerReason.UNRESOLVED], entered_at=NOW)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert page.content.decode().count('name="case"') == 5
    assert len(many.captured_queries) == len(few.captured_queries)
