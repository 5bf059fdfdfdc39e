"""The effect of finished tasks (difference in differences) and the 未诉先办 share, on planted complaints whose
answer is worked out by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ecohotline.cases.exceptions import TransitionNotAllowed
from ecohotline.factories import StreetFactory
from ecohotline.insight import services
from ecohotline.insight.effect import period_effect, proactive_share, task_effect
from ecohotline.insight.models import SignalSource, TaskProposal
from ecohotline.insight.tests.conftest import BASE_LAT, BASE_LNG, beijing, offset

pytestmark = pytest.mark.django_db

FINISHED = beijing(2026, 3, 2, 10)  # the task's result is recorded here
FUMES = {"category": "air", "sub_category": "air.catering_fumes"}


def finished_task(org: Any, time_machine: Any, *, key: str, finished: dt.datetime = FINISHED, problems: int = 0,
                  street: Any = None, point: tuple[float, float] | None = None, radius_m: int = 300,
                  category: str = "air.catering_fumes") -> TaskProposal:
    """A task proposed, approved by the leader a week before `finished`, and finished with its result."""
    time_machine.move_to(finished - dt.timedelta(days=7), tick=False)
    proposal = services.create_proposal(
        source=SignalSource.HOTSPOT, source_key=key, title=f"任务{key}", description="", checklist=["现场排查"],
        category=category, team=org.squad, deadline=None, street=street,
        latitude=point[0] if point else None, longitude=point[1] if point else None, radius_m=radius_m,
        evidence={}, case_ids=[], score=1.0)
    proposal = services.approve_proposal(actor=org.leader, proposal=proposal)
    time_machine.move_to(finished, tick=False)
    return services.record_task_result(org.leader, proposal, problems, "整改")


def plant(complaint: Any, count: int, *, days: int, at: tuple[float, float] | None = None, street: Any = None,
          **fields: Any) -> None:
    """`count` complaints `days` days from FINISHED (negative: before it)."""
    for number in range(count):
        place = {"latitude": at[0], "longitude": at[1]} if at else {}
        complaint(FINISHED + dt.timedelta(days=days, hours=number), street=street, **place, **{**FUMES, **fields})


def test_point_task_did_against_similar_untouched_cells(org: Any, complaint: Any, time_machine: Any) -> None:
    task_point = (BASE_LAT, BASE_LNG)
    inside = offset(BASE_LAT, BASE_LNG, east_m=100)
    plant(complaint, 6, days=-20, at=inside)  # before, in the area
    plant(complaint, 2, days=+20, at=inside)  # after, in the area
    plant(complaint, 3, days=-20, at=inside, category="noise", sub_category="noise.social")  # another category
    plant(complaint, 1, days=-80, at=inside)  # before the 8 weeks
    similar = (39.9012, 116.4012)  # a cell far away with a similar 'before' count (5 within 3..12)
    plant(complaint, 5, days=-10, at=similar)
    plant(complaint, 4, days=+10, at=similar)
    too_few = (39.9512, 116.2512)  # before 1 < 3: not comparable
    plant(complaint, 1, days=-10, at=too_few)
    plant(complaint, 3, days=+10, at=too_few)
    too_many = (39.9312, 116.3512)  # before 13 > 12: not comparable
    plant(complaint, 13, days=-10, at=too_many)
    other_task = (39.9712, 116.4712)  # comparable counts, but another task worked there in those weeks
    plant(complaint, 6, days=-10, at=other_task)
    plant(complaint, 0, days=+10, at=other_task)
    finished_task(org, time_machine, key="other", point=other_task, finished=FINISHED + dt.timedelta(days=3))
    task = finished_task(org, time_machine, key="task", point=task_point, problems=2)

    time_machine.move_to(FINISHED + dt.timedelta(weeks=9), tick=False)
    effect = task_effect(task)
    assert effect.area == "point" and effect.complete
    assert (effect.treated_before, effect.treated_after) == (6, 2)
    assert (effect.comparison_units, effect.comparison_before, effect.comparison_after) == (1, 5, 4)
    # (2 − 6) − (4 − 5) = −3
    assert effect.did == -3.0

    time_machine.move_to(FINISHED + dt.timedelta(weeks=4), tick=False)
    assert not task_effect(task).complete


def test_street_task_did_against_other_streets_and_period_sum(org: Any, complaint: Any, time_machine: Any) -> None:
    third = StreetFactory(name="海淀街道", code="haidian")
    plant(complaint, 4, days=-30, street=org.street)
    plant(complaint, 1, days=+30, street=org.street)
    plant(complaint, 3, days=-30, street=org.other_street)
    plant(complaint, 3, days=+30, street=org.other_street)
    plant(complaint, 2, days=-30, street=third)
    plant(complaint, 4, days=+30, street=third)
    plant(complaint, 5, days=+30, street=None)  # no street: in no area
    street_task = finished_task(org, time_machine, key="street", street=org.street, problems=3)
    district_task = finished_task(org, time_machine, key="district", finished=FINISHED + dt.timedelta(days=1),
                                  problems=1)

    time_machine.move_to(FINISHED + dt.timedelta(weeks=10), tick=False)
    effect = task_effect(street_task)
    assert effect.area == "street"
    assert (effect.treated_before, effect.treated_after) == (4, 1)
    assert (effect.comparison_units, effect.comparison_before, effect.comparison_after) == (2, 5, 7)
    assert sorted(effect.comparison_labels) == sorted([org.other_street.name, "海淀街道"])
    # (1 − 4) − ((3 + 4) − (3 + 2)) / 2 = −3 − 1 = −4
    assert effect.did == -4.0

    district = task_effect(district_task)
    assert district.area == "district" and district.did is None
    # every fumes complaint: 9 before; after: 1 + 3 + 4 + 5, all within the 8 weeks after the day after FINISHED
    assert (district.treated_before, district.treated_after) == (9, 13)

    period = period_effect(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert [e.proposal for e in period.effects] == [street_task, district_task]
    assert (period.treated_before, period.treated_after) == (13, 14)
    assert period.did == -4.0  # only the street task has a comparison
    assert period_effect(dt.date(2026, 4, 1), dt.date(2026, 4, 30)).effects == []


def test_task_effect_needs_a_finished_task(org: Any, time_machine: Any) -> None:
    time_machine.move_to(FINISHED, tick=False)
    proposal = services.create_proposal(
        source=SignalSource.SEASONAL, source_key="x", title="x", description="", checklist=["a"], category="",
        team=org.squad, deadline=None, street=None, latitude=None, longitude=None, radius_m=300, evidence={},
        case_ids=[], score=0)
    with pytest.raises(ValueError):
        task_effect(proposal)


def test_proactive_share_by_hand(org: Any, complaint: Any, time_machine: Any) -> None:
    finished_task(org, time_machine, key="a", finished=beijing(2026, 3, 2), problems=3)
    finished_task(org, time_machine, key="b", finished=beijing(2026, 3, 31, 23, 50), problems=2)
    finished_task(org, time_machine, key="c", finished=beijing(2026, 4, 1, 0, 10), problems=7)  # April
    for day in range(1, 16):  # 15 complaints in March
        complaint(beijing(2026, 3, day))
    complaint(beijing(2026, 2, 28, 23, 59))  # February
    complaint(beijing(2026, 4, 1, 0, 1))  # April
    share = proactive_share(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    # the three proactive task cases are not complaints
    assert (share.problems_found, share.complaints) == (5, 15)
    assert share.share == 0.25  # 5 / (5 + 15)
    empty = proactive_share(dt.date(2025, 1, 1), dt.date(2025, 1, 31))
    assert (empty.problems_found, empty.complaints, empty.share) == (0, 0, None)


def test_result_on_a_proposal_not_approved_is_refused(org: Any, time_machine: Any) -> None:
    time_machine.move_to(FINISHED, tick=False)
    proposal = services.create_proposal(
        source=SignalSource.SEASONAL, source_key="y", title="y", description="", checklist=["a"], category="",
        team=org.squad, deadline=None, street=None, latitude=None, longitude=None, radius_m=300, evidence={},
        case_ids=[], score=0)
    with pytest.raises(TransitionNotAllowed):
        services.record_task_result(org.leader, proposal, 1, "")
    proposal.refresh_from_db()
    assert proposal.finished_at is None
