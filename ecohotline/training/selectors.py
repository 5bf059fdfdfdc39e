"""Reads for the training pages (情景模拟): a trainee's runs, the scenarios with what they train, a scenario's
script in words, and the trainers' overview of every trainee.

The overview reads the score each finished run keeps (`Run.score`, one JSON column: no query per run) and works
out a standing score only for the runs in progress on the page it shows, so its cost is bounded by the page.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecohotline.cases.measurements import KINDS as MEASUREMENT_KINDS
from ecohotline.cases.models import AppealReason, Satisfaction
from ecohotline.cases.selectors import category_label, event_label
from ecohotline.org.models import User
from ecohotline.training import scoring
from ecohotline.training.models import Run, RunStatus, Scenario

EVENT_LABELS: dict[str, str | Promise] = {
    "call_again": gettext_lazy("The complainant calls again"),
    "measurement_in": gettext_lazy("Readings come in"),
    "deadline_near": gettext_lazy("A deadline draws near"),
    "visit": gettext_lazy("The hotline's return visit"),
    "other_remit": gettext_lazy("Another department's remit"),
    "notice": gettext_lazy("Notice"),
}
REMIT_LABELS: dict[str, str | Promise] = {
    "ours": gettext_lazy("Ours: accept it"),
    "return": gettext_lazy("Not ours: return it (退单)"),
}
DEADLINE_LABELS: dict[str, str | Promise] = {
    "contact": gettext_lazy("first contact"),
    "reply": gettext_lazy("reply"),
    "completion": gettext_lazy("completion"),
}
# How each point's outcome shows in the overview's grid.
OUTCOME_MARKS = {scoring.PASSED: "✓", scoring.FAILED: "✗", scoring.PENDING: "…", scoring.NOT_APPLICABLE: "—"}
OVERVIEW_PAGE_SIZE = 100


def my_runs(user: User) -> QuerySet[Run]:
    return Run.objects.filter(trainee=user).select_related("scenario", "assigned_by")


def startable_scenarios() -> QuerySet[Scenario]:
    """The scenarios anybody may start for themselves: the active ones."""
    return Scenario.objects.filter(is_active=True)


def scenario_list() -> QuerySet[Scenario]:
    return Scenario.objects.annotate(run_count=Count("runs")).select_related("created_by", "based_on")


def trains(scenario: Scenario) -> list[str]:
    """The points a scenario trains beyond the everyday ones, in words: its remit, measurement and appeal."""
    expected = scenario.expected if isinstance(scenario.expected, dict) else {}
    points = [str(REMIT_LABELS.get(expected.get("remit", ""), expected.get("remit", "")))]
    measurement = expected.get("measurement")
    if isinstance(measurement, dict) and measurement.get("kind") in MEASUREMENT_KINDS:
        label = str(MEASUREMENT_KINDS[measurement["kind"]].label)
        exceeds = measurement.get("exceeds")
        verdict = _("over the limit") if exceeds else _("within the limit") if exceeds is False else ""
        points.append(_("Measurement: %(kind)s") % {"kind": label} + (f" ({verdict})" if verdict else ""))
    if expected.get("appeal"):
        points.append(_("Appeal: %(reason)s") % {"reason": appeal_label(expected["appeal"])})
    return points


def appeal_label(code: str | None) -> str:
    return str(dict(AppealReason.choices).get(code, code)) if code else ""


def _hours(value: Any) -> str:
    return f"{float(value):g}"


def event_when(event: dict[str, Any]) -> str:
    """When a script event happens, in words: "3 h after the start" or "1 h after: Record inspection"."""
    delay = float(event.get("delay_hours") or 0)
    if event.get("at_hours") is not None:
        return _("%(hours)s h after the start") % {"hours": _hours(float(event["at_hours"]) + delay)}
    action = event_label(event.get("after") or "reply")
    if delay:
        return _("%(hours)s h after: %(action)s") % {"hours": _hours(delay), "action": action}
    return _("Right after: %(action)s") % {"action": action}


def event_detail(event: dict[str, Any]) -> str:
    """What a script event says or does, in words."""
    kind = event.get("kind")
    if kind == "measurement_in":
        return scoring.describe_notice({"kind": kind, "kind_of": event.get("kind_of"), "values": event.get("values")})
    if kind == "deadline_near":
        return _("The clock moves to %(hours)s h before the %(deadline)s deadline.") % {
            "hours": _hours(event.get("hours_before") or 0),
            "deadline": DEADLINE_LABELS.get(event.get("deadline", ""), event.get("deadline", ""))}
    if kind == "visit":
        level = dict(Satisfaction.choices).get(event.get("satisfaction", ""), event.get("satisfaction"))
        return _("%(level)s; solved: %(solved)s") % {"level": level,
                                                    "solved": _("yes") if event.get("solved") else _("no")}
    return str(event.get("text", ""))


def script_lines(scenario: Scenario) -> list[dict[str, str]]:
    script = scenario.script if isinstance(scenario.script, list) else []
    return [{"kind": str(event.get("kind", "")), "label": str(EVENT_LABELS.get(event.get("kind", ""), "?")),
             "when": event_when(event), "detail": event_detail(event)} for event in script if isinstance(event, dict)]


def expected_lines(scenario: Scenario) -> list[tuple[str, str]]:
    expected = scenario.expected if isinstance(scenario.expected, dict) else {}
    measurement = expected.get("measurement")
    if isinstance(measurement, dict) and measurement.get("kind") in MEASUREMENT_KINDS:
        exceeds = measurement.get("exceeds")
        measured = str(MEASUREMENT_KINDS[measurement["kind"]].label) + (
            f" · {_('over the limit')}" if exceeds else f" · {_('within the limit')}" if exceeds is False else "")
    else:
        measured = _("None required")
    return [
        (_("Category"), category_label(expected.get("sub_category", "")) or "—"),
        (_("Remit"), str(REMIT_LABELS.get(expected.get("remit", ""), expected.get("remit", "—")))),
        (_("Measurement"), measured),
        (_("Appeal"), appeal_label(expected.get("appeal")) or _("None justified")),
    ]


def notices_newest_first(run: Run) -> list[dict[str, Any]]:
    """The run's notices so far, newest first, each worded in the reader's language."""
    items = []
    for notice in reversed(run.notices or []):
        at = notice.get("at")
        items.append({"kind": notice.get("kind", ""), "label": str(EVENT_LABELS.get(notice.get("kind", ""), "")),
                      "at": dt.datetime.fromisoformat(at) if isinstance(at, str) else None,
                      "text": scoring.describe_notice(notice)})
    return items


# --- the trainers' overview ---------------------------------------------------------------------------------


@dataclass
class OverviewRow:
    run: Run
    percent: float | None
    marks: list[tuple[str, str]]  # (outcome, mark) for each point, in `scoring.POINTS` order
    standing: bool  # a run in progress: its score so far


@dataclass
class TraineeSummary:
    trainee: User
    rows: list[OverviewRow] = field(default_factory=list)
    finished: int = 0
    average: float | None = None


@dataclass
class Overview:
    page: Page[Run]
    trainees: list[TraineeSummary]
    points: list[tuple[str, str]]  # (key, label)
    pass_rates: list[tuple[str, float | None, int]]  # (key, percent passed, runs counted)
    finished: int


def _outcomes(checks: list[dict[str, Any]]) -> dict[str, str]:
    return {item.get("key", ""): item.get("outcome", "") for item in checks}


def overview(*, page_number: Any = 1, now: dt.datetime | None = None) -> Overview:
    """Every trainee's runs, page by page; each trainee's average and each point's pass rate over all finished
    runs (from the kept scores: one query), the standing score of the active runs on the page only."""
    runs = Run.objects.select_related("scenario", "trainee", "case").order_by(
        "trainee__username", "trainee_id", "-started_at", "-pk")
    page = Paginator(runs, OVERVIEW_PAGE_SIZE).get_page(page_number)
    keys = list(scoring.POINTS)
    passed: dict[str, int] = defaultdict(int)
    counted: dict[str, int] = defaultdict(int)
    per_trainee: dict[int, list[float]] = defaultdict(list)
    finished_total = 0
    for trainee_id, score, percent in Run.objects.filter(status=RunStatus.FINISHED).values_list(
            "trainee_id", "score", "score_percent"):
        finished_total += 1
        if percent is not None:
            per_trainee[trainee_id].append(percent)
        for key, outcome in _outcomes((score or {}).get("checks", [])).items():
            if outcome in (scoring.PASSED, scoring.FAILED):
                counted[key] += 1
                passed[key] += outcome == scoring.PASSED
    summaries: dict[int, TraineeSummary] = {}
    for run in page.object_list:
        if run.status == RunStatus.FINISHED:
            outcomes, percent, standing = _outcomes((run.score or {}).get("checks", [])), run.score_percent, False
        else:
            result = scoring.score_run(run, now=run.simulated_now(now or timezone.now()))
            outcomes, percent, standing = {c.key: c.outcome for c in result.checks}, result.percent, True
        summary = summaries.setdefault(run.trainee_id, TraineeSummary(trainee=run.trainee))
        summary.rows.append(OverviewRow(run=run, percent=percent, standing=standing, marks=[
            (outcomes.get(key, ""), OUTCOME_MARKS.get(outcomes.get(key, ""), "")) for key in keys]))
    for trainee_id, summary in summaries.items():
        scores = per_trainee.get(trainee_id, [])
        summary.finished = len(scores)
        summary.average = round(sum(scores) / len(scores), 1) if scores else None
    return Overview(
        page=page, trainees=list(summaries.values()),
        points=[(key, str(label)) for key, label in scoring.POINTS.items()],
        pass_rates=[(key, round(100 * passed[key] / counted[key], 1) if counted[key] else None, counted[key])
                    for key in keys],
        finished=finished_total,
    )
