"""回访回溯: a pending retrospective for every valid 不满意/未解决 visit, filled in by the people of the case, and the
causes summed per month by the visit's date (pending ones included)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ecohotline.assessment.ledger import open_retrospectives, sync_ledger
from ecohotline.assessment.models import Retrospective, RetrospectiveCause, RetrospectiveStatus
from ecohotline.assessment.retrospectives import (
    PENDING,
    cause_counts,
    month_bounds,
    pending,
    record_retrospective,
    suggested_cause,
)
from ecohotline.cases import services
from ecohotline.cases.exceptions import ActionForbidden, RuleViolation
from ecohotline.cases.models import Case, CaseEvent, Satisfaction
from ecohotline.core.workdays import BEIJING
from ecohotline.factories import make_case

pytestmark = pytest.mark.django_db

S, B, D = Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED, Satisfaction.DISSATISFIED


def bj(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=BEIJING)


def replied(org: Any, when: dt.datetime) -> Case:
    case = make_case(street=org.street, title="油烟扰民", received_at=when - dt.timedelta(days=3))
    services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad)
    services.accept_case(actor=org.handler, case=case)
    services.reply_to_complainant(actor=org.handler, case=case, text="已处理", at=when - dt.timedelta(days=1))
    case.refresh_from_db()
    return case


def visit(org: Any, case: Case, when: dt.datetime, satisfaction: str, *, contacted: bool = True,
          solved: bool = True, valid: bool = True) -> None:
    services.record_return_visit(actor=org.dispatcher, case=case, contacted=contacted, solved=solved,
                                 satisfaction=satisfaction, valid=valid, at=when)
    case.refresh_from_db()


def test_each_unsatisfied_or_unsolved_valid_visit_gets_one_pending_retrospective(org):
    a, b, c, d = (replied(org, bj(11, 3)) for _ in range(4))
    visit(org, a, bj(11, 4), D)
    visit(org, b, bj(11, 4), S, solved=False)
    visit(org, c, bj(11, 4), S)                 # satisfied: none
    visit(org, d, bj(11, 4), D, valid=False)    # 无效回访: none
    assert sync_ledger(now=bj(11, 5)).retrospectives == 2
    assert {r.case_id for r in Retrospective.objects.all()} == {a.pk, b.pk}
    assert all(r.status == RetrospectiveStatus.PENDING and r.cause == "" for r in Retrospective.objects.all())
    assert open_retrospectives(now=bj(11, 5)) == 0  # once only


def test_a_visit_of_a_case_reopened_and_closed_between_two_runs_is_not_missed(org):
    case = replied(org, bj(11, 3))
    visit(org, case, bj(11, 4), D)
    services.reply_to_complainant(actor=org.handler, case=case, text="重办", at=bj(11, 5))
    visit(org, case, bj(11, 6), S)  # closed before any run saw it
    assert open_retrospectives(now=bj(11, 7)) == 1
    (retro,) = Retrospective.objects.all()
    assert retro.visit.satisfaction == D and retro.visit_at == bj(11, 4)


def test_the_suggested_cause_follows_the_visit(org):
    case = replied(org, bj(11, 3))
    visit(org, case, bj(11, 4), D, contacted=False, solved=False)
    open_retrospectives(now=bj(11, 5))
    (retro,) = Retrospective.objects.all()
    assert suggested_cause(retro.visit) == RetrospectiveCause.NOT_CONTACTED


def test_the_people_of_the_case_fill_it_in_with_an_event_and_others_may_not(org):
    case = replied(org, bj(11, 3))
    visit(org, case, bj(11, 4), D)
    open_retrospectives(now=bj(11, 5))
    (retro,) = Retrospective.objects.all()
    for person in (org.other_handler, org.other_unit_head, org.analyst, org.street_liaison):
        with pytest.raises(ActionForbidden):
            record_retrospective(actor=person, retrospective=retro, cause="slow", lessons="…")
    with pytest.raises(RuleViolation):
        record_retrospective(actor=org.handler, retrospective=retro, cause="bogus", lessons="…")
    with pytest.raises(RuleViolation):
        record_retrospective(actor=org.handler, retrospective=retro, cause="slow", lessons=" ")
    for person in (org.unit_head, org.leader, org.dispatcher):
        record_retrospective(actor=person, retrospective=retro, cause="not_solved", lessons="复查不及时")
    done = record_retrospective(actor=org.handler, retrospective=retro,
                                cause=RetrospectiveCause.COMPLIANT_BUT_DISTURBING,
                                lessons="排放达标但居民仍受影响，应提前沟通", follow_up="协调街道加装隔音屏")
    assert done.status == RetrospectiveStatus.DONE and done.recorded_by == org.handler
    assert done.follow_up == "协调街道加装隔音屏"
    event = CaseEvent.objects.filter(case=case, action="retrospective").last()
    assert event is not None and event.payload["cause"] == "compliant_but_disturbing"
    assert pending().count() == 0


def test_causes_are_summed_per_month_by_visit_date_pending_included(org):
    def unhappy(when: dt.datetime) -> Retrospective:
        case = replied(org, when - dt.timedelta(days=1))
        visit(org, case, when, D)
        open_retrospectives(now=when)
        return Retrospective.objects.get(case=case)

    first = unhappy(bj(11, 1, 0) + dt.timedelta(minutes=5))    # 1 Nov 00:05 in Beijing: November
    second = unhappy(bj(11, 30, 23))
    unhappy(bj(11, 12))                                         # stays pending
    outside = unhappy(bj(10, 31, 23, ))                          # October
    record_retrospective(actor=org.handler, retrospective=first, cause="slow", lessons="超时")
    record_retrospective(actor=org.handler, retrospective=second, cause="slow", lessons="超时")
    record_retrospective(actor=org.handler, retrospective=outside, cause="unreasonable", lessons="诉求不合理")
    start, end = month_bounds(dt.date(2026, 11, 17))
    assert (start, end) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    counts = cause_counts(start, end)
    assert counts["slow"] == 2 and counts[PENDING] == 1 and counts["unreasonable"] == 0
    assert set(RetrospectiveCause.values) <= set(counts) and sum(counts.values()) == 3
    assert cause_counts(*month_bounds(dt.date(2026, 10, 1)))["unreasonable"] == 1
