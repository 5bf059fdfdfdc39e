"""A scripted training run played through the case services on the run's clock, scored point by point by hand.

The scenario: a night-time social-life noise complaint that the hotline labelled as construction noise. It is
the bureau's (accept it), needs a noise measurement that comes out over the limit, and justifies no appeal. Its
script: the complainant calls again after 3 hours; readings come in an hour after the inspection; 48 hours in,
the clock jumps to 6 hours before the reply deadline; a day after the reply, the hotline's return visit says
不满意.

Under the 12345 normal policy (first contact within 24 hours, reply within 7 natural days) a run starting on Monday
2026-06-01 09:00 has its first contact due on Tuesday 09:00 and its reply due at the end of Monday 06-08.

The trainee: corrects the category (passed), accepts (passed), reaches the complainant only 30 hours in (failed:
after the 24 hours), records the readings against GB 22337 class 2 by day, 65 dB(A) over a 60 dB(A) limit, and
orders a rectification (passed), replies in full 6 hours before the deadline (deadline passed, reply check
passed), files an appeal the scenario gives no ground for (failed), and after the unsatisfied visit replies again
in time. Five of seven points: 71.4%.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ecohotline.cases import services as case_services
from ecohotline.cases.models import Case, CaseEvent, CaseStatus, Channel
from ecohotline.core.workdays import BEIJING
from ecohotline.notify.models import Notification, OutboxMessage
from ecohotline.training import scoring, services
from ecohotline.training.models import RunStatus, Scenario

START = dt.datetime(2026, 6, 1, 9, 0, tzinfo=BEIJING)
GOOD_REPLY = ("您好！关于您反映的噪声问题，我局执法人员到现场核查，情况属实，经监测超标，已责令该商户整改，"
              "目前已整改到位，我局将复查。联系电话：62345678。")


def scenario(org: Any, **changes: Any) -> Scenario:
    values = {
        "title": "夜间噪声扰民", "starts_at": START, "created_by": org.trainer,
        "order": {"title": "楼下KTV夜间噪声扰民",
                  "description": "来电人反映：小区楼下KTV每天夜里唱歌声音很大，影响休息。",
                  "address": "北京市海淀区某社区3号楼", "street": org.street.code, "community": "某社区",
                  "latitude": 39.96, "longitude": 116.31, "polluter": "某KTV", "sub_category": "noise.construction",
                  "channel": "hotline_12345", "complainant_name": "李先生", "complainant_phone": "13800001111"},
        "expected": {"sub_category": "noise.social", "remit": "ours",
                     "measurement": {"kind": "noise", "exceeds": True}, "appeal": None},
        "script": [
            {"kind": "call_again", "at_hours": 3, "text": "诉求人再次来电催办。"},
            {"kind": "measurement_in", "after": "record_inspection", "delay_hours": 1, "kind_of": "noise",
             "values": {"standard": "GB22337", "zone": "2", "leq_db": 65}},
            {"kind": "deadline_near", "at_hours": 48, "deadline": "reply", "hours_before": 6},
            {"kind": "visit", "after": "reply", "delay_hours": 24, "satisfaction": "dissatisfied", "solved": False,
             "contacted": True},
        ],
    }
    values.update(changes)
    return Scenario.objects.create(**values)


def fresh(run: Any) -> Any:
    run.refresh_from_db()
    return run


@pytest.mark.django_db
def test_a_scripted_run_is_scored_point_by_point(org: Any) -> None:
    trainee = org.handler
    run = services.start_run(scenario=scenario(org), trainee=trainee, assigned_by=org.trainer)
    case = run.case
    assert case.channel == Channel.TRAINING and case.status == CaseStatus.DISPATCHED
    assert case.received_at == START
    assert case.contact_due_at == START + dt.timedelta(hours=24)
    assert case.reply_due_at == dt.datetime(2026, 6, 8, 23, 59, 59, tzinfo=BEIJING)
    assert case.handling_unit == trainee.unit

    with services.inside(fresh(run)):
        case_services.set_category(actor=trainee, case=case, sub_category="noise.social")
        case_services.accept_case(actor=trainee, case=case)
    services.jump(run=run, hours=30, actor=trainee)
    assert services.play_script(fresh(run)) == [0]  # the repeat call, 3 hours in
    with services.inside(fresh(run)):
        case_services.record_contact(actor=trainee, case=case, reached=True, summary="已联系")
        case_services.record_inspection(actor=trainee, case=case, findings="现场核查，KTV夜间营业声音较大。")
    assert services.play_script(fresh(run)) == []  # the readings come an hour after the inspection
    services.jump(run=run, hours=2, actor=trainee)
    assert services.play_script(fresh(run)) == [1]
    with services.inside(fresh(run)):
        measurement = case_services.record_measurement(
            actor=trainee, case=case, kind="noise", values={"standard": "GB22337", "zone": "2", "leq_db": 65})
        case_services.add_rectification(actor=trainee, case=case, requirement="安装隔声设施，夜间降低音量")
    assert measurement.verdict["verdict"] == "exceeds"
    assert measurement.measured_at.astimezone(BEIJING).date() == dt.date(2026, 6, 2)  # on the run's clock

    services.jump(run=run, hours=20, actor=trainee)  # past 48 hours: the deadline draws near
    assert services.play_script(fresh(run)) == [2]
    assert fresh(run).simulated_now() >= dt.datetime(2026, 6, 8, 17, 59, 59, tzinfo=BEIJING)
    with services.inside(fresh(run)):
        case_services.reply_to_complainant(actor=trainee, case=case, text=GOOD_REPLY)
        case_services.file_appeal(actor=trainee, case=case, reason="compliant_but_disturbing", evidence="已达标")

    standing = scoring.score_run(fresh(run))
    assert {check.key: check.outcome for check in standing.checks}["appeal"] == scoring.FAILED

    services.jump(run=run, hours=25, actor=trainee)
    assert services.play_script(fresh(run)) == [3]  # the unsatisfied return visit reopens the case (重办)
    case = Case.all_objects.get(pk=case.pk)
    assert case.status == CaseStatus.IN_PROGRESS and case.reopen_count == 1
    with services.inside(fresh(run)):
        case_services.reply_to_complainant(actor=trainee, case=case, text=GOOD_REPLY)

    finished = services.finish_run(run=fresh(run), actor=trainee)
    assert finished.status == RunStatus.FINISHED
    outcomes = {item["key"]: item["outcome"] for item in finished.score["checks"]}
    assert outcomes == {
        "category": "passed", "remit": "passed", "first_contact": "failed", "measurement": "passed",
        "deadline": "passed", "reply": "passed", "appeal": "failed",
    }
    assert finished.score_percent == 71.4  # 5 / 7

    # It told nobody, and the script's events are on the case's timeline.
    assert not Notification.objects.exists() and not OutboxMessage.objects.exists()
    assert not Case.objects.exists()
    assert CaseEvent.objects.filter(case=case, action="training_event").count() == 3  # visit: its own entry too


@pytest.mark.django_db
def test_a_run_left_unfinished_fails_what_is_pending(org: Any) -> None:
    run = services.start_run(scenario=scenario(org, script=[]), trainee=org.handler)
    standing = {check.key: check.outcome for check in scoring.score_run(fresh(run)).checks}
    assert standing["category"] == "failed" and standing["remit"] == "pending" and standing["reply"] == "pending"
    assert scoring.score_run(fresh(run)).percent == 0.0
    finished = services.finish_run(run=fresh(run), actor=org.handler)
    outcomes = {item["key"]: item["outcome"] for item in finished.score["checks"]}
    assert outcomes == {"category": "failed", "remit": "failed", "first_contact": "failed",
                        "measurement": "failed", "deadline": "failed", "reply": "failed", "appeal": "passed"}
    assert finished.score_percent == round(100 / 7, 1)


@pytest.mark.django_db
def test_an_order_outside_the_remit_is_scored_on_returning_it(org: Any) -> None:
    run = services.start_run(scenario=scenario(org, script=[], expected={
        "sub_category": "noise.social", "remit": "return", "measurement": None, "appeal": None}), trainee=org.handler)
    with services.inside(fresh(run)):
        case_services.set_category(actor=org.handler, case=run.case, sub_category="noise.social")
        case_services.return_order(actor=org.handler, case=run.case, reason="属公安部门职责")
    finished = services.finish_run(run=fresh(run), actor=org.handler)
    outcomes = {item["key"]: item["outcome"] for item in finished.score["checks"]}
    assert outcomes["remit"] == "passed" and outcomes["reply"] == "not_applicable"
    assert finished.score_percent == 100.0
    assert not Notification.objects.exists()  # a returned order tells the dispatchers, but not a training one
