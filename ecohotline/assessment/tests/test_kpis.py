"""The 三率, the composite and the on-time rate of a period worked out by hand: approved appeals, 基本满意 credit,
a reopened case with two return visits, invalid visits, other channels, extensions, a month from the 19th, and a
scheme change; and the other figures: outcomes, 重办, appeals, duplicates, hours to contact and to reply."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from ecohotline.assessment.kpis import compute_kpis, period_of
from ecohotline.assessment.models import KpiScheme
from ecohotline.cases import services
from ecohotline.cases.models import AppealReason, Case, CaseStatus, Channel, Satisfaction
from ecohotline.core.workdays import BEIJING
from ecohotline.factories import make_case

pytestmark = pytest.mark.django_db

S, B, D = Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED, Satisfaction.DISSATISFIED


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=BEIJING)


def handled(org: Any, *, replied: dt.datetime, channel: str = Channel.HOTLINE_12345, unit: Any = None) -> Case:
    case = make_case(street=org.street, title="噪声扰民", channel=channel, received_at=replied - dt.timedelta(days=2))
    services.dispatch_case(actor=org.dispatcher, case=case, unit=unit or org.squad)
    handler = org.handler if unit is None or unit == org.squad else org.other_handler
    services.accept_case(actor=handler, case=case)
    services.reply_to_complainant(actor=handler, case=case, text="已处理", at=replied)
    case.refresh_from_db()
    return case


def visit(org: Any, case: Case, when: dt.datetime, satisfaction: str, *, contacted: bool = True,
          solved: bool = True, valid: bool = True) -> None:
    services.record_return_visit(actor=org.dispatcher, case=case, contacted=contacted, solved=solved,
                                 satisfaction=satisfaction, valid=valid, at=when)
    case.refresh_from_db()


@pytest.fixture
def english() -> Any:
    """The command's labels in English (the untranslated source), whatever the default language."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def scheme_19th(db: None) -> KpiScheme:
    return KpiScheme.objects.create(name="海淀区考核方案", effective_from=dt.date(2026, 1, 1), period_start_day=19)


def test_a_month_from_the_19th_worked_by_hand(org: Any, scheme_19th: KpiScheme) -> None:
    start, end = period_of(dt.date(2026, 11, 5), scheme_19th)
    assert (start, end) == (dt.date(2026, 10, 19), dt.date(2026, 11, 18))
    a = handled(org, replied=at(10, 24))
    visit(org, a, at(10, 25), S)                                      # counts: satisfied
    b = handled(org, replied=at(10, 30))
    visit(org, b, at(11, 1), B)                                       # counts: 基本满意 (0.9)
    c = handled(org, replied=at(11, 8))
    visit(org, c, at(11, 10), D, solved=False)                        # reopened (重办)…
    services.reply_to_complainant(actor=org.handler, case=c, text="重办后已解决", at=at(11, 14))
    visit(org, c, at(11, 15), S)                                      # …the latest visit decides: satisfied
    d = handled(org, replied=at(11, 3))
    visit(org, d, at(11, 5), D, contacted=False, solved=False)        # excluded: its appeal is approved
    appeal = services.file_appeal(actor=org.handler, case=d, reason=AppealReason.UNREACHABLE, evidence="三次未接通")
    services.decide_appeal(actor=org.leader, case=d, appeal=appeal, approve=True)
    e = handled(org, replied=at(11, 17))
    visit(org, e, at(11, 19), D, solved=False)                        # excluded: visited after the period
    f = handled(org, replied=at(11, 2), channel=Channel.ECO_12369)
    visit(org, f, at(11, 4), D, solved=False)                         # excluded: not an assessed channel
    g = handled(org, replied=at(11, 6))
    visit(org, g, at(11, 7), D, solved=False, valid=False)            # excluded: no valid visit

    report = compute_kpis(start, end)
    total = report.total
    assert report.scheme == scheme_19th
    assert (total.assessed, total.contacted, total.solved, total.satisfied, total.basically_satisfied) == (
        3, 3, 3, 2, 1)
    assert total.response_rate == 1.0 and total.resolution_rate == 1.0
    assert total.satisfaction_rate == pytest.approx((2 + 0.9 * 1) / 3)                 # 0.96667
    assert total.composite == pytest.approx(100 * (0.1 + 0.5 + 0.4 * (2.9 / 3)))      # 98.667
    # Completed in the period, by the final reply that stands: a 10-24, b 10-30, c 11-14 (after 重办), g 11-06 (an
    # invalid visit reopens nothing); d and e were reopened by 不满意 and wait for their new reply; f is 12369.
    # All within the 7-day limit of their policy.
    assert (total.completed, total.completed_on_time) == (4, 4)


def test_groups_by_unit_add_up_to_the_bureau(org: Any) -> None:
    a = handled(org, replied=at(11, 2))
    visit(org, a, at(11, 3), S)
    b = handled(org, replied=at(11, 2), unit=org.other_squad)
    visit(org, b, at(11, 4), D, solved=False)
    report = compute_kpis(dt.date(2026, 11, 1), dt.date(2026, 11, 30), group_by="unit")
    assert report.groups[org.squad.pk].satisfaction_rate == 1.0
    assert report.groups[org.other_squad.pk].resolution_rate == 0.0
    assert report.total.assessed == 2 and report.total.composite == pytest.approx(
        100 * (0.1 * 1 + 0.5 * 0.5 + 0.4 * 0.5))
    with pytest.raises(ValueError):
        compute_kpis(dt.date(2026, 11, 1), dt.date(2026, 11, 30), group_by="colour")


def test_an_extension_moves_the_deadline_the_on_time_rate_uses(org: Any) -> None:
    late = make_case(street=org.street, title="超期", received_at=at(11, 2))
    extended = make_case(street=org.street, title="延期", received_at=at(11, 2))
    for case in (late, extended):
        services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad)
        services.accept_case(actor=org.handler, case=case)
    extension = services.request_extension(actor=org.handler, case=extended, days=5, reason="等待检测报告")
    services.decide_extension(actor=org.leader, case=extended, extension=extension, approve=True)
    late.refresh_from_db()
    extended.refresh_from_db()
    assert extended.due_at > late.due_at
    reply_at = late.due_at + dt.timedelta(hours=2)  # after the original limit, within the extended one
    for case in (late, extended):
        services.reply_to_complainant(actor=org.handler, case=case, text="已处理", at=reply_at)
    report = compute_kpis(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert (report.total.completed, report.total.completed_on_time) == (2, 1)
    assert report.total.on_time_rate == 0.5


def test_the_scheme_in_force_on_the_last_day_applies(org: Any) -> None:
    KpiScheme.objects.create(name="上半年", effective_from=dt.date(2026, 1, 1))
    KpiScheme.objects.create(name="下半年", effective_from=dt.date(2026, 7, 1),
                             basic_satisfaction_credit=Decimal("0.8"))
    case = handled(org, replied=at(6, 28))
    visit(org, case, at(6, 29), B)
    june = compute_kpis(dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    assert june.scheme.name == "上半年" and june.total.satisfaction_rate == pytest.approx(0.9)
    # A period that ends after the change is scored by the new scheme, even for a visit before it.
    across = compute_kpis(dt.date(2026, 6, 15), dt.date(2026, 7, 14))
    assert across.scheme.name == "下半年" and across.total.satisfaction_rate == pytest.approx(0.8)


def test_a_calendar_month_and_no_orders() -> None:
    scheme = KpiScheme.in_force(dt.date(2026, 2, 10))
    assert period_of(dt.date(2026, 2, 10), scheme) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    report = compute_kpis(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert report.total.assessed == 0 and report.total.composite is None and report.total.on_time_rate is None


def test_only_the_latest_valid_visit_counts_in_its_own_period(org: Any) -> None:
    moved = handled(org, replied=at(11, 20))
    visit(org, moved, at(11, 25), D, solved=False)                    # November's visit…
    services.reply_to_complainant(actor=org.handler, case=moved, text="重办", at=at(11, 28))
    visit(org, moved, at(12, 2), S)                                   # …is overtaken by December's
    kept = handled(org, replied=at(11, 20))
    visit(org, kept, at(11, 26), D, solved=False)                     # a later invalid visit changes nothing
    services.reply_to_complainant(actor=org.handler, case=kept, text="重办", at=at(11, 28))
    visit(org, kept, at(12, 3), S, valid=False)
    tied = handled(org, replied=at(11, 10))
    visit(org, tied, at(11, 12), D, solved=False)                     # two visits at the same minute: the one
    services.reply_to_complainant(actor=org.handler, case=tied, text="重办", at=at(11, 12))
    visit(org, tied, at(11, 12), S)                                   # recorded last (higher pk) decides
    november = compute_kpis(dt.date(2026, 11, 1), dt.date(2026, 11, 30)).total
    december = compute_kpis(dt.date(2026, 12, 1), dt.date(2026, 12, 31)).total
    assert (november.assessed, november.satisfied, november.dissatisfied, november.reopened) == (2, 1, 1, 2)
    assert (december.assessed, december.satisfied, december.dissatisfied) == (1, 1, 0)


# --- outcomes, 重办, appeals ---------------------------------------------------------------------------------------


def appeal(org: Any, case: Case, when: dt.datetime, time_machine: Any, *, approve: bool | None) -> None:
    time_machine.move_to(when, tick=False)
    filed = services.file_appeal(actor=org.handler, case=case, reason=AppealReason.UNREASONABLE, evidence="诉求不合理")
    if approve is not None:
        services.decide_appeal(actor=org.leader, case=case, appeal=filed, approve=approve)
    case.refresh_from_db()


def test_outcomes_reopens_and_appeals_worked_by_hand(org: Any, time_machine: Any) -> None:
    a = handled(org, replied=at(11, 2))
    visit(org, a, at(11, 3), S)                                        # contacted, solved, satisfied
    b = handled(org, replied=at(11, 2))
    visit(org, b, at(11, 4), D, contacted=False, solved=False)        # reopened (重办)…
    services.reply_to_complainant(actor=org.handler, case=b, text="重办", at=at(11, 6))
    visit(org, b, at(11, 8), B)                                        # …decided by its second visit: 基本满意
    c = handled(org, replied=at(11, 5))
    visit(org, c, at(11, 6), D, solved=False)                         # contacted, unsolved, dissatisfied, reopened
    d = handled(org, replied=at(11, 6))
    visit(org, d, at(11, 7), S, contacted=False)                      # not contacted, solved, satisfied
    e = handled(org, replied=at(11, 3))
    visit(org, e, at(11, 4), D, solved=False)
    appeal(org, e, at(11, 10), time_machine, approve=True)            # filed in November, approved: not assessed
    f = handled(org, replied=at(11, 5))
    visit(org, f, at(11, 9), D, solved=False)
    appeal(org, f, at(11, 12), time_machine, approve=False)           # filed in November, rejected: assessed
    g = handled(org, replied=at(10, 25))
    visit(org, g, at(10, 26), D, solved=False)
    appeal(org, g, at(10, 30), time_machine, approve=None)            # filed in October: not November's
    services.decide_appeal(actor=org.leader, case=g, appeal=g.appeals.get(), approve=True)
    h = handled(org, replied=at(11, 6))
    appeal(org, h, at(11, 14), time_machine, approve=None)            # filed in November, still pending
    assert [case.reopen_count for case in (a, b, c, d, f)] == [0, 1, 1, 0, 1]

    total = compute_kpis(dt.date(2026, 11, 1), dt.date(2026, 11, 30)).total
    # Assessed: a, b, c, d, f (e's appeal is approved; g and h have no visit in November).
    assert total.assessed == 5
    assert (total.contacted, total.not_contacted) == (4, 1)           # d was not contacted
    assert (total.solved, total.unsolved) == (3, 2)                   # c and f unsolved
    assert (total.satisfied, total.basically_satisfied, total.dissatisfied) == (2, 1, 2)
    assert total.reopened == 3 and total.reopen_rate == pytest.approx(3 / 5)      # b, c, f
    assert (total.appeals_filed, total.appeals_approved) == (3, 1)                 # e, f, h; e approved
    assert total.appeal_approval_rate == pytest.approx(1 / 3)
    assert total.response_rate == pytest.approx(4 / 5) and total.resolution_rate == pytest.approx(3 / 5)


# --- received in the period: duplicates, hours to contact and to reply ------------------------------------------


def received(org: Any, when: dt.datetime, *, unit: Any = None, channel: str = Channel.HOTLINE_12345) -> Case:
    case = make_case(street=org.street, title="噪声扰民", channel=channel, received_at=when)
    services.dispatch_case(actor=org.dispatcher, case=case, unit=unit or org.squad)
    services.accept_case(actor=org.other_handler if unit == org.other_squad else org.handler, case=case)
    case.refresh_from_db()
    return case


def contact(org: Any, case: Case, when: dt.datetime) -> None:
    handler = org.other_handler if case.handling_unit_id == org.other_squad.pk else org.handler
    services.record_contact(actor=handler, case=case, reached=True, at=when)
    case.refresh_from_db()


def reply(org: Any, case: Case, when: dt.datetime, *, final: bool = True) -> None:
    handler = org.other_handler if case.handling_unit_id == org.other_squad.pk else org.handler
    services.reply_to_complainant(actor=handler, case=case, text="已答复", final=final, at=when)
    case.refresh_from_db()


def the_november_cohort(org: Any) -> dict[str, Case]:
    """Five complaints received in November (contact limit 24 h), and two that are not of the cohort."""
    p = received(org, at(11, 2, 10))
    t = make_case(street=org.street, title="噪声扰民（重复）", received_at=at(11, 2, 13))
    services.merge_case(actor=org.dispatcher, case=t, into=p)                 # 并案: a duplicate of p
    contact(org, p, at(11, 2, 12))                                             # 2 h, in time
    reply(org, p, at(11, 3, 10))                                               # 24 h; answers t too: 21 h
    q = received(org, at(11, 3, 10))
    contact(org, q, at(11, 4, 16))                                             # 30 h, late
    reply(org, q, at(11, 4, 16), final=False)                                  # 30 h (阶段性答复)
    reply(org, q, at(11, 6, 10))
    r = received(org, at(11, 4, 10), unit=org.other_squad)
    contact(org, r, at(11, 4, 11))                                             # 1 h, in time
    reply(org, r, at(11, 5, 22))                                               # 36 h…
    visit(org, r, at(11, 6), D, solved=False)                                  # …reopened (重办)…
    reply(org, r, at(11, 9, 10))                                               # …still 36 h to its first reply
    s = received(org, at(11, 5, 10))                                           # neither contacted nor answered
    u = received(org, at(10, 30, 10))                                          # received in October
    contact(org, u, at(11, 1, 10))
    v = received(org, at(11, 6, 10), channel=Channel.ECO_12369)                # not an assessed channel
    contact(org, v, at(11, 6, 11))
    t.refresh_from_db()
    return {"p": p, "q": q, "r": r, "s": s, "t": t}


def test_hours_to_contact_and_reply_duplicates_worked_by_hand(org: Any) -> None:
    cases = the_november_cohort(org)
    assert all(case.contact_due_at == case.received_at + dt.timedelta(hours=24) for case in cases.values())
    assert cases["t"].status == CaseStatus.REPLIED and cases["t"].parent_id == cases["p"].pk
    assert cases["r"].reopen_count == 1 and cases["r"].replied_at == at(11, 9, 10)

    report = compute_kpis(dt.date(2026, 11, 1), dt.date(2026, 11, 30), group_by="unit")
    total = report.total
    assert (total.received, total.merged, total.duplicate_rate) == (5, 1, pytest.approx(1 / 5))
    assert (total.contact_due, total.contacted_in_time) == (5, 2)             # p and r; q late; s and t never
    assert total.contact_in_time_rate == pytest.approx(2 / 5)
    assert total.contact_timed == 3                                            # 2, 30 and 1 hours
    assert total.contact_hours_mean == pytest.approx(11.0) and total.contact_hours_median == pytest.approx(2.0)
    assert total.reply_timed == 4                                              # 24, 21, 30 and 36 hours
    assert total.reply_hours_mean == pytest.approx(27.75) and total.reply_hours_median == pytest.approx(27.0)

    squad, other = report.groups[org.squad.pk], report.groups[org.other_squad.pk]
    assert (squad.received, squad.merged, squad.contact_due, squad.contacted_in_time) == (4, 1, 4, 1)
    assert squad.contact_hours_mean == pytest.approx(16.0) and squad.contact_hours_median == pytest.approx(16.0)
    assert squad.reply_hours_mean == pytest.approx(25.0) and squad.reply_hours_median == pytest.approx(24.0)
    assert (other.received, other.contacted_in_time, other.contact_in_time_rate) == (1, 1, 1.0)
    assert other.contact_hours_median == pytest.approx(1.0) and other.reply_hours_median == pytest.approx(36.0)
    assert (other.assessed, other.reopened, other.reopen_rate) == (1, 1, 1.0)

    october = compute_kpis(dt.date(2026, 10, 1), dt.date(2026, 10, 31)).total
    assert (october.received, october.contact_timed, october.contact_hours_median) == (1, 1, pytest.approx(48.0))
    assert october.reply_hours_median is None and october.contacted_in_time == 0


def test_the_cohort_by_a_text_group_and_by_a_group_some_cases_lack(org: Any) -> None:
    """Grouped by category (a text key) and by handler (none for the case never dispatched): each group's counts and
    medians, worked out from the November cohort's hours (contact p 2, q 30, r 1; reply p 24, t 21, q 30, r 36)."""
    cases = the_november_cohort(org)
    Case.objects.filter(pk__in=[cases["p"].pk, cases["q"].pk]).update(category="noise")
    Case.objects.filter(pk__in=[cases["r"].pk, cases["s"].pk, cases["t"].pk]).update(category="")
    by_category = compute_kpis(dt.date(2026, 11, 1), dt.date(2026, 11, 30), group_by="category").groups
    assert set(by_category) == {"noise", ""}
    noise, blank = by_category["noise"], by_category[""]
    assert (noise.received, noise.merged, noise.contact_timed, noise.reply_timed) == (2, 0, 2, 2)
    assert noise.contact_hours_median == pytest.approx(16.0) and noise.reply_hours_median == pytest.approx(27.0)
    assert (blank.received, blank.merged, blank.contact_timed, blank.reply_timed) == (3, 1, 1, 2)
    assert blank.contact_hours_median == pytest.approx(1.0) and blank.reply_hours_median == pytest.approx(28.5)
    assert blank.reply_hours_mean == pytest.approx(28.5) and noise.contact_hours_mean == pytest.approx(16.0)

    Case.objects.filter(pk=cases["s"].pk).update(handler=None)
    by_handler = compute_kpis(dt.date(2026, 11, 1), dt.date(2026, 11, 30), group_by="handler").groups
    assert by_handler[None].received == 1 and by_handler[None].contact_hours_median is None
    assert sum(figures.received for figures in by_handler.values()) == 5


# --- the API and the command --------------------------------------------------------------------------------------


def _two_units(org: Any) -> None:
    a = handled(org, replied=at(11, 2))
    visit(org, a, at(11, 3), S)
    b = handled(org, replied=at(11, 2), unit=org.other_squad)
    visit(org, b, at(11, 4), B, contacted=False, solved=False)


def test_the_api_gives_every_count_and_rate_per_group(org: Any) -> None:
    from rest_framework.test import APIClient

    _two_units(org)
    api = APIClient()
    api.force_authenticate(org.leader)
    url = "/api/v1/assessment/kpis"
    body = api.get(url, {"start": "2026-11-01", "end": "2026-11-30", "group_by": "unit"}).json()
    assert body["total"]["assessed"] == 2 and body["total"]["contacted"] == 1 and body["total"]["solved"] == 1
    assert body["total"]["satisfaction_rate"] == pytest.approx((1 + 0.9) / 2)
    assert body["total"]["composite"] == pytest.approx(100 * (0.1 * 0.5 + 0.5 * 0.5 + 0.4 * 0.95), abs=1e-4)
    by_name = {group["name"]: group for group in body["groups"]}
    assert by_name[org.squad.name]["composite"] == pytest.approx(100.0)
    assert by_name[org.other_squad.name]["response_rate"] == 0.0
    assert body["scheme"]["basic_satisfaction_credit"] == 0.9
    assert api.get(url, {"start": "2026-11-30", "end": "2026-11-01"}).status_code == 400
    assert api.get(url, {"start": "yesterday", "end": "2026-11-01"}).status_code == 400
    assert api.get(url, {"start": "2026-11-01", "end": "2026-11-30", "group_by": "colour"}).status_code == 400
    api.force_authenticate(org.handler)
    assert api.get(url, {"start": "2026-11-01", "end": "2026-11-30"}).status_code == 403


def test_the_command_prints_writes_json_and_xlsx(org: Any, tmp_path: Any, english: None) -> None:
    import io
    import json

    from django.core.management import call_command
    from openpyxl import load_workbook

    _two_units(org)
    out = io.StringIO()
    call_command("kpis", "--start", "2026-11-01", "--end", "2026-11-30", "--group-by", "unit", stdout=out)
    text = out.getvalue()
    assert "Whole bureau" in text and org.squad.name in text and "100.00%" in text
    json_file = tmp_path / "kpis.json"
    call_command("kpis", "--start", "2026-11-01", "--end", "2026-11-30", "--format", "json", "--out", str(json_file))
    assert json.loads(json_file.read_text(encoding="utf-8"))["total"]["assessed"] == 2
    xlsx = tmp_path / "kpis.xlsx"
    call_command("kpis", "--start", "2026-11-01", "--end", "2026-11-30", "--group-by", "unit", "--format", "xlsx",
                 "--out", str(xlsx), stdout=io.StringIO())
    sheet = load_workbook(xlsx).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "assessed" and rows[1][0] == "Whole bureau" and rows[1][1] == 2
