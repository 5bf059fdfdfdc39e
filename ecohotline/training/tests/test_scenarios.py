"""Scenarios as data: every problem named where it is; generated ones always runnable; ones made from a closed case
carry nothing of the complainant's identity and expect what proved right on the case."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ecohotline.cases import services as case_services
from ecohotline.cases.models import AppealReason, CaseStatus, Channel, Decision
from ecohotline.core.workdays import BEIJING
from ecohotline.training import scenarios, services
from ecohotline.training.models import ScenarioSource

ORDER = {"description": "来电人反映：楼下饭店油烟直排。", "sub_category": "air.catering_fumes"}
EXPECTED = {"sub_category": "air.catering_fumes", "remit": "ours", "measurement": None, "appeal": None}


@pytest.mark.django_db
@pytest.mark.parametrize(("order", "expected", "script", "where"), [
    ({}, EXPECTED, [], "order.description"),
    ({**ORDER, "street": "nowhere"}, EXPECTED, [], "order.street"),
    ({**ORDER, "sub_category": "noise"}, EXPECTED, [], "order.sub_category"),  # a family, not a label
    ({**ORDER, "channel": "training"}, EXPECTED, [], "order.channel"),
    ({**ORDER, "latitude": 39.9}, EXPECTED, [], "order.latitude"),
    (ORDER, {**EXPECTED, "remit": "maybe"}, [], "expected.remit"),
    (ORDER, {**EXPECTED, "sub_category": "air.nothing"}, [], "expected.sub_category"),
    (ORDER, {**EXPECTED, "measurement": {"kind": "smell"}}, [], "expected.measurement"),
    (ORDER, {**EXPECTED, "appeal": "bored"}, [], "expected.appeal"),
    (ORDER, EXPECTED, {"kind": "notice"}, "script"),
    (ORDER, EXPECTED, [{"kind": "earthquake", "at_hours": 1}], "script[0].kind"),
    (ORDER, EXPECTED, [{"kind": "notice", "text": "x"}], "script[0]"),  # neither at_hours nor after
    (ORDER, EXPECTED, [{"kind": "notice", "text": "x", "at_hours": 1, "after": "reply"}], "script[0]"),
    (ORDER, EXPECTED, [{"kind": "notice", "text": "x", "at_hours": -1}], "script[0].at_hours"),
    (ORDER, EXPECTED, [{"kind": "notice", "text": "x", "after": "dance"}], "script[0].after"),
    (ORDER, EXPECTED, [{"kind": "call_again", "at_hours": 1}], "script[0].text"),
    (ORDER, EXPECTED, [{"kind": "measurement_in", "after": "accept", "kind_of": "noise"}], "script[0].values"),
    (ORDER, EXPECTED, [{"kind": "deadline_near", "at_hours": 1, "deadline": "reply"}], "script[0].hours_before"),
    (ORDER, EXPECTED, [{"kind": "visit", "satisfaction": "meh"}], "script[0].satisfaction"),
])
def test_each_problem_is_named_where_it_is(order: Any, expected: Any, script: Any, where: str) -> None:
    problems = scenarios.check_scenario(order, expected, script)
    assert [problem.where for problem in problems] == [where]


@pytest.mark.django_db
def test_a_visit_follows_the_reply_unless_told_otherwise() -> None:
    assert scenarios.check_scenario(ORDER, EXPECTED, [{"kind": "visit", "satisfaction": "dissatisfied"}]) == []


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(12))
def test_generated_scenarios_run(org: Any, seed: int) -> None:
    scenario = scenarios.generate(seed=seed, author=org.trainer)
    assert scenario.source == ScenarioSource.DEMO
    assert scenarios.check_scenario(scenario.order, scenario.expected, scenario.script) == []
    assert scenario.expected["sub_category"] in scenarios.TRAINING_TOPICS
    assert scenario.starts_at.astimezone(BEIJING).time() == dt.time(9)
    run = services.start_run(scenario=scenario, trainee=org.handler)
    assert run.case.channel == Channel.TRAINING and run.case.status == CaseStatus.DISPATCHED


@pytest.mark.django_db
def test_generation_draws_wrong_labels_remit_traps_and_measurements() -> None:
    # Over many seeds the generator sets every trap it knows.
    made = [scenarios.generate(seed=seed, author=None) for seed in range(40)]
    assert any(s.order["sub_category"] != s.expected["sub_category"] for s in made)
    assert any(s.expected["appeal"] == AppealReason.NOT_OUR_REMIT for s in made)
    assert any(s.expected["measurement"] and s.expected["measurement"]["exceeds"] for s in made)
    assert any(s.expected["measurement"] and not s.expected["measurement"]["exceeds"] for s in made)
    assert any(any(e["kind"] == "visit" for e in s.script) for s in made)


def test_anonymise_removes_the_name_and_every_phone_number() -> None:
    from ecohotline.cases.models import Case

    case = Case(complainant_name="王小明", complainant_phone="13912345678")
    text = "王小明来电，电话13912345678，另留座机010-62551234和13800001111。"
    assert scenarios.anonymise(text, case) == "诉求人来电，电话***，另留座机***和***。"


@pytest.mark.django_db
def test_a_closed_case_becomes_a_scenario_without_its_complainant(org: Any, closed_case_with_appeal: Any) -> None:
    case = closed_case_with_appeal
    scenario = scenarios.from_case(case, author=org.trainer)
    assert scenario.source == ScenarioSource.CASE and scenario.based_on == case
    text = repr(scenario.order) + repr(scenario.script)
    assert "赵小红" not in text and "13700001234" not in text
    assert scenario.order["complainant_name"] == "" and scenario.order["sub_category"] == ""
    assert scenario.expected == {"sub_category": "noise.social", "remit": "ours",
                                 "measurement": {"kind": "noise", "exceeds": True}, "appeal": "not_our_remit"}
    kinds = [event["kind"] for event in scenario.script]
    assert kinds == ["measurement_in", "other_remit", "deadline_near", "visit"]
    assert "诉求人" in scenario.script[1]["text"]  # the appeal's evidence named the complainant


@pytest.mark.django_db
def test_only_closed_real_cases_become_scenarios(org: Any, closed_case_with_appeal: Any) -> None:
    run = services.start_run(scenario=scenarios.generate(seed=1, author=None), trainee=org.handler)
    with pytest.raises(ValueError):
        scenarios.from_case(run.case, author=org.trainer)


@pytest.fixture
def closed_case_with_appeal(org: Any) -> Any:
    at = dt.datetime(2026, 5, 4, 21, 0, tzinfo=BEIJING)
    case = case_services.create_case(
        actor=org.dispatcher, channel=Channel.HOTLINE_12345, received_at=at, external_id="2026050400001",
        description="赵小红来电反映：楼下酒吧夜间噪声扰民，电话13700001234。", sub_category="noise.social",
        category="noise", complainant_name="赵小红", complainant_phone="13700001234", street=org.street)
    case_services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad)
    case_services.accept_case(actor=org.handler, case=case)
    case_services.record_measurement(actor=org.handler, case=case, kind="noise",
                                     values={"standard": "GB22337", "zone": "2", "leq_db": 58},
                                     measured_at=dt.datetime(2026, 5, 4, 22, 30, tzinfo=BEIJING))
    case_services.reply_to_complainant(actor=org.handler, case=case, text="已核查。")
    appeal = case_services.file_appeal(actor=org.handler, case=case, reason=AppealReason.NOT_OUR_REMIT,
                                       evidence="赵小红所指噪声来自地铁施工，属住建委职责。")
    case_services.decide_appeal(actor=org.leader, case=case, appeal=appeal, approve=True)
    case_services.record_return_visit(actor=org.dispatcher, case=case, contacted=True, solved=False,
                                      satisfaction="dissatisfied")
    case_services.reply_to_complainant(actor=org.handler, case=case, text="再次核查。")
    case_services.record_return_visit(actor=org.dispatcher, case=case, contacted=True, solved=True,
                                      satisfaction="satisfied")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.appeals.get().decision == Decision.APPROVED
    return case
