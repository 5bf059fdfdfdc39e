"""An alert's verification case (预警核查任务): opened once through the case services, placed at the station,
dispatched to the street's team with the monitoring deadline, and the alert closed through it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ecohotline.cases import deadlines
from ecohotline.cases.exceptions import ActionForbidden, RuleViolation, TransitionNotAllowed
from ecohotline.cases.models import Case, CaseKind, CaseStatus, Channel, DeadlinePolicy
from ecohotline.cases.services import accept_case, reply_to_complainant
from ecohotline.cases.workflow import TRANSITIONS
from ecohotline.core.selectors import workday_overrides
from ecohotline.factories import make_case
from ecohotline.intake.models import RoutingRule
from ecohotline.monitoring import detectors
from ecohotline.monitoring.models import Alert, AlertCategory, AlertStatus, Station
from ecohotline.monitoring.services import close_alert, open_verification, scan
from ecohotline.monitoring.tests.test_alerts import END, STATIONS, planted

PEAK_AT = dt.datetime(2026, 11, 19, 6, tzinfo=dt.UTC)


@pytest.fixture
def policy(db: None) -> DeadlinePolicy:
    """The monitoring channel's policy as the migration seeds it (back in place if a test emptied the table)."""
    found, _created = DeadlinePolicy.objects.get_or_create(
        channel=Channel.MONITORING, request_type="", urgency="",
        defaults={"name": "预警核查任务", "completion_limit": 2, "completion_unit": "working_days",
                  "max_extension_days": 3},
    )
    return found


@pytest.fixture
def station(org: Any) -> Station:
    return Station.objects.create(code="wanliu", name="万柳", latitude=39.987, longitude=116.287, street=org.street)


@pytest.fixture
def air_rule(org: Any) -> RoutingRule:
    return RoutingRule.objects.create(category="air", unit=org.squad)


def make_alert(station: Station, **fields: Any) -> Alert:
    values: dict[str, Any] = {
        "parameter": "so2", "detector": detectors.SUDDEN_RISE, "category": AlertCategory.POLLUTION,
        "severity": "high", "reason": detectors.SUDDEN_RISE, "first_at": PEAK_AT - dt.timedelta(hours=1),
        "last_at": PEAK_AT + dt.timedelta(hours=1), "peak_at": PEAK_AT, "peak_value": 240.0, "expected": 3.0,
        "hit_count": 3,
        "params": {"baseline": 3.0, "spread": 2.0, "z": 118.5, "increase": 237.0, "rise_in_step": 238.0,
                   "step_hours": 3, "baseline_days": 28},
    }
    values.update(fields)
    return Alert.objects.create(station=station, **values)


def test_an_alert_opens_one_verification_case(org: Any, station: Station, air_rule: RoutingRule,
                                             policy: DeadlinePolicy) -> None:
    alert = make_alert(station)

    case = open_verification(actor=None, alert=alert)

    assert case.kind == CaseKind.ALERT_VERIFICATION
    assert case.channel == Channel.MONITORING
    assert case.title == "预警核查：万柳SO2浓度突升"
    assert "峰值：240 µg/m³" in case.description and "中位数 3 µg/m³" in case.description
    assert "共 3 小时" in case.description
    assert (case.street, case.latitude, case.longitude) == (org.street, 39.987, 116.287)
    assert case.category == "air"
    assert case.complainant_name == "" and case.complainant_phone == ""
    assert case.status == CaseStatus.DISPATCHED
    assert case.handling_unit == org.squad
    assert case.leader == org.leader  # the street's 包片 leader
    assert case.policy == policy
    assert case.due_at == deadlines.compute_due_times(policy, case.received_at, workday_overrides()).due_at
    assert case.events.filter(action="dispatch", actor=None).get().payload["auto"] is True
    alert.refresh_from_db()
    assert alert.status == AlertStatus.VERIFYING
    assert alert.case == case
    assert [entry["action"] for entry in alert.params["history"]] == ["open_verification"]

    assert open_verification(actor=None, alert=alert) == case
    assert Case.objects.filter(kind=CaseKind.ALERT_VERIFICATION).count() == 1


def test_without_a_routing_rule_the_case_waits_for_the_dispatcher(org: Any, station: Station,
                                                                   policy: DeadlinePolicy) -> None:
    case = open_verification(actor=None, alert=make_alert(station))

    assert case.status == CaseStatus.NEW
    assert case.handling_unit is None
    assert case.due_at is not None


def test_a_dispatcher_opens_a_verification_in_their_name(org: Any, station: Station, air_rule: RoutingRule,
                                                         policy: DeadlinePolicy) -> None:
    regional = make_alert(station, detector=detectors.EXCEEDS_LIMIT, reason=detectors.EXCEEDS_LIMIT,
                          parameter="pm25", peak_value=180.0, expected=60.0,
                          params={"limit": 60.0, "ratio": 3.0, "averaging_hours": 24, "standard": "GB 3095-2026",
                                  "grade": "二级",
                                  "stations": [{"station": "s2", "name": "海淀", "peak_value": 150.0}]})

    case = open_verification(actor=org.dispatcher, alert=regional)

    assert case.events.get(action="created").actor == org.dispatcher
    assert case.events.get(action="dispatch").actor == org.dispatcher
    assert "同时段超标的其他站点：海淀（150）" in case.description
    assert "GB 3095-2026" in case.description


def test_a_leader_decides_and_the_system_registers(org: Any, station: Station, air_rule: RoutingRule,
                                                  policy: DeadlinePolicy) -> None:
    alert = make_alert(station, detector=detectors.EXCEEDS_LIMIT, reason=detectors.EXCEEDS_LIMIT, parameter="pm10",
                       params={"limit": 120.0, "ratio": 2.1, "averaging_hours": 24, "standard": "GB 3095-2026"})

    case = open_verification(actor=org.leader, alert=alert)

    assert case.events.get(action="created").actor is None
    assert case.status == CaseStatus.DISPATCHED
    note = case.events.get(action="add_note")
    assert note.actor == org.leader and f"#{alert.pk}" in note.payload["text"]
    alert.refresh_from_db()
    assert alert.params["history"][-1]["actor"] == org.leader.pk


def test_only_the_desk_opens_verifications(org: Any, station: Station, policy: DeadlinePolicy) -> None:
    alert = make_alert(station)
    with pytest.raises(ActionForbidden):
        open_verification(actor=org.handler, alert=alert)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN and alert.case_id is None


def test_a_closed_alert_is_not_verified(org: Any, station: Station, policy: DeadlinePolicy) -> None:
    alert = make_alert(station)
    close_alert(actor=org.dispatcher, alert=alert, outcome=AlertStatus.FALSE_ALARM)
    with pytest.raises(TransitionNotAllowed):
        open_verification(actor=None, alert=alert)


def test_the_final_reply_closes_the_case_and_resolves_the_alert(
        org: Any, station: Station, air_rule: RoutingRule, policy: DeadlinePolicy,
        django_capture_on_commit_callbacks: Any) -> None:
    alert = make_alert(station)
    case = open_verification(actor=None, alert=alert)
    accept_case(actor=org.handler, case=case)

    with django_capture_on_commit_callbacks(execute=True):
        reply_to_complainant(actor=org.handler, case=case, text="现场核查：站点东侧工地夜间切割作业，已责令整改。")

    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED  # no complainant, no return visit
    assert case.closed_at is not None and case.completed_at == case.closed_at
    assert case.events.get(action="reply").to_status == CaseStatus.CLOSED
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED
    assert alert.closed_at is not None
    assert alert.params["history"][-1]["via"] == "case_closed"


def test_the_outcome_the_handler_gives_stands_when_the_case_closes(
        org: Any, station: Station, air_rule: RoutingRule, policy: DeadlinePolicy,
        django_capture_on_commit_callbacks: Any) -> None:
    alert = make_alert(station)
    case = open_verification(actor=None, alert=alert)
    accept_case(actor=org.handler, case=case)

    close_alert(actor=org.handler, alert=alert, outcome=AlertStatus.FALSE_ALARM, note="仪器标定气体泄漏")
    with django_capture_on_commit_callbacks(execute=True):
        reply_to_complainant(actor=org.handler, case=case, text="核查：仪器零点/跨度检查导致的假高值。")

    alert.refresh_from_db()
    assert alert.status == AlertStatus.FALSE_ALARM
    assert alert.note == "仪器标定气体泄漏"
    assert alert.params["history"][-1]["actor"] == org.handler.pk


def test_who_may_close_an_alert(org: Any, station: Station, air_rule: RoutingRule, policy: DeadlinePolicy) -> None:
    alert = make_alert(station)
    open_verification(actor=None, alert=alert)

    with pytest.raises(ActionForbidden):
        close_alert(actor=org.other_handler, alert=alert, outcome=AlertStatus.CONFIRMED)  # another unit
    with pytest.raises(RuleViolation):
        close_alert(actor=org.handler, alert=alert, outcome="verifying")
    close_alert(actor=org.handler, alert=alert, outcome=AlertStatus.CONFIRMED)
    with pytest.raises(TransitionNotAllowed):
        close_alert(actor=org.leader, alert=alert, outcome=AlertStatus.RESOLVED)


def test_a_complaint_still_waits_for_its_return_visit(org: Any, air_rule: RoutingRule) -> None:
    from ecohotline.cases.services import dispatch_case

    case = make_case()
    dispatch_case(actor=org.dispatcher, case=case, unit=org.squad)
    accept_case(actor=org.handler, case=case)
    reply_to_complainant(actor=org.handler, case=case, text="已答复。")

    case.refresh_from_db()
    assert case.status == CaseStatus.REPLIED
    assert case.closed_at is None
    assert CaseStatus.CLOSED in TRANSITIONS["reply"].outcomes


def test_from_scan_to_closed_alert(org: Any, air_rule: RoutingRule, policy: DeadlinePolicy,
                                   django_capture_on_commit_callbacks: Any, time_machine: Any) -> None:
    time_machine.move_to(END + dt.timedelta(hours=1), tick=False)  # the data are fresh
    for code, name, lat, lng in STATIONS:
        Station.objects.create(code=code, name=name, latitude=lat, longitude=lng, street=org.street)
    series = planted()
    result = scan(series=series)
    rise = Alert.objects.get(detector=detectors.SUDDEN_RISE)
    assert rise.case in result.verifications
    assert rise.case is not None and rise.case.handling_unit == org.squad

    accept_case(actor=org.handler, case=rise.case)
    with django_capture_on_commit_callbacks(execute=True):
        reply_to_complainant(actor=org.handler, case=rise.case, text="核查：站旁秸秆焚烧，已扑灭。")
    rise.refresh_from_db()
    assert rise.status == AlertStatus.RESOLVED
    # The far-from-neighbours alert of the same station and hours was verified by the same visit.
    neighbour = Alert.objects.get(detector=detectors.FAR_FROM_NEIGHBOURS)
    assert neighbour.case_id == rise.case_id and neighbour.status == AlertStatus.RESOLVED

    again = scan(series=series)
    assert again.opened == [] and again.verifications == []
    assert Case.objects.filter(kind=CaseKind.ALERT_VERIFICATION).count() == 1
