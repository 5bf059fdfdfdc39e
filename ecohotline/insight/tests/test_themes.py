"""每月一题: the theme's complaints, tasks and monthly figures, counted by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ecohotline.cases.exceptions import ActionForbidden, RuleViolation
from ecohotline.insight import services
from ecohotline.insight.planner import propose_tasks, seasonal_signals
from ecohotline.insight.tests.conftest import beijing
from ecohotline.insight.themes import add_months, theme_complaints, theme_figures, theme_tasks

pytestmark = pytest.mark.django_db

FUMES = {"category": "air", "sub_category": "air.catering_fumes", "description": "餐馆排烟"}


def test_add_months() -> None:
    assert add_months(dt.date(2026, 11, 1), 3) == dt.date(2027, 2, 1)
    assert add_months(dt.date(2026, 2, 1), -3) == dt.date(2025, 11, 1)


def test_theme_figures_by_hand(org: Any, complaint: Any) -> None:
    theme = services.save_theme(actor=org.leader, month=dt.date(2026, 5, 17), title="餐饮油烟治理",
                                categories=["air.catering_fumes"], keywords="油烟，烧烤", leader=org.leader,
                                goal="投诉下降三成")
    assert theme.month == dt.date(2026, 5, 1)
    per_month = {(2026, 1): 4, (2026, 2): 2, (2026, 3): 1, (2026, 4): 3, (2026, 5): 6, (2026, 6): 2, (2026, 7): 1,
                 (2026, 8): 5}
    for (year, month), count in per_month.items():
        for number in range(count):
            complaint(beijing(year, month, 1 + number, 0, 5), **FUMES)
    # by keyword, another category: April counts 4
    complaint(beijing(2026, 4, 20), category="noise", sub_category="noise.social", description="烧烤摊吵闹")
    # neither: not counted
    complaint(beijing(2026, 4, 21), category="noise", sub_category="noise.social", description="广场舞音响")
    # the last minute of June in Beijing is June's
    complaint(beijing(2026, 6, 30, 23, 59), **FUMES)

    figures = theme_figures(theme, today=dt.date(2026, 7, 15))
    assert [(f.month.month, f.role, f.complaints) for f in figures.months] == [
        (2, "before", 2), (3, "before", 1), (4, "before", 4), (5, "theme", 6), (6, "after", 3), (7, "after", 1)]
    assert figures.before_mean == pytest.approx(7 / 3)
    assert figures.theme_count == 6
    assert figures.after_mean == 2.0
    assert figures.change == pytest.approx((2.0 - 7 / 3) / (7 / 3), abs=1e-4)  # −1/7
    # later, three months after
    later = theme_figures(theme, today=dt.date(2026, 12, 1))
    assert [f.complaints for f in later.months] == [2, 1, 4, 6, 3, 1, 5]
    assert theme_complaints(theme).count() == sum(per_month.values()) + 2


def test_theme_tasks_from_the_planner(org: Any, time_machine: Any) -> None:
    theme = services.save_theme(actor=org.admin, month=dt.date(2026, 5, 1), title="餐饮油烟",
                                categories=["air"], keywords="", leader=org.leader)
    now = beijing(2026, 5, 10)
    time_machine.move_to(now, tick=False)
    made = propose_tasks(seasonal_signals(now.date()), now=now)
    themed = {p.category: p.theme for p in made}
    assert themed == {"air.catering_fumes": theme, "noise.construction": None}
    assert [p.category for p in theme_tasks(theme)] == ["air.catering_fumes"]
    approved = services.approve_proposal(actor=org.leader, proposal=theme_tasks(theme)[0])
    assert approved.case is not None and f"theme:{theme.pk}" in approved.case.tags


def test_theme_rules(org: Any) -> None:
    with pytest.raises(ActionForbidden):
        services.save_theme(actor=org.analyst, month=dt.date(2026, 5, 1), title="x", categories=["air"],
                            keywords="", leader=org.leader)
    with pytest.raises(RuleViolation) as error:
        services.save_theme(actor=org.leader, month=dt.date(2026, 5, 1), title="x", categories=[], keywords=" ",
                            leader=org.leader)
    assert error.value.code == "scope_required"
    with pytest.raises(RuleViolation) as error:
        services.save_theme(actor=org.leader, month=dt.date(2026, 5, 1), title="x", categories=["air"],
                            keywords="", leader=org.analyst)
    assert error.value.code == "not_a_leader"
    first = services.save_theme(actor=org.leader, month=dt.date(2026, 5, 1), title="x", categories=["air"],
                                keywords="", leader=org.leader)
    with pytest.raises(RuleViolation) as error:
        services.save_theme(actor=org.leader, month=dt.date(2026, 5, 9), title="y", categories=["noise"],
                            keywords="", leader=org.leader)
    assert error.value.code == "theme_exists"
    changed = services.save_theme(actor=org.other_leader, theme=first, month=dt.date(2026, 5, 1), title="改",
                                  categories=["noise"], keywords="", leader=org.other_leader)
    assert (changed.pk, changed.title, changed.leader) == (first.pk, "改", org.other_leader)
