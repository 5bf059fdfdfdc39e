"""The effect of proactive tasks (治理成效) and the share of problems found before anyone complained (未诉先办).

For a finished task, the complaints of its category in its area in the N weeks after it finished are set against
the N weeks before, and against comparable areas over the same weeks — a difference in differences:

    DiD = (area after − area before) − mean over comparison areas of (after − before)

A negative DiD means the area's complaints fell by that many more than comparable areas' did. The area is the
task's point with its radius (comparison: grid cells of about 500 m that no task touched in those weeks and whose
'before' count is within half to twice the area's), or its street (comparison: the other streets without a task),
or the whole district (no comparison; before and after only).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from ecohotline.cases.models import Case, CaseKind
from ecohotline.core import geo
from ecohotline.core.workdays import BEIJING
from ecohotline.insight.models import ACCEPTED_STATUSES, TaskProposal

DEFAULT_WEEKS = 8
# A comparison cell's 'before' count lies within these multiples of the task area's.
SIMILAR_LOW, SIMILAR_HIGH = 0.5, 2.0


@dataclass
class TaskEffect:
    """One task's before/after counts in its area and in the comparison areas, and the DiD estimate."""

    proposal: TaskProposal
    weeks: int
    before_start: dt.datetime
    pivot: dt.datetime
    after_end: dt.datetime
    complete: bool
    area: str  # point, street or district
    treated_before: int = 0
    treated_after: int = 0
    comparison_units: int = 0
    comparison_before: int = 0
    comparison_after: int = 0
    comparison_labels: list[str] = field(default_factory=list)

    @property
    def treated_change(self) -> int:
        return self.treated_after - self.treated_before

    @property
    def comparison_change(self) -> float | None:
        """The mean change of one comparison area (the change the task's area would have seen without it)."""
        if not self.comparison_units:
            return None
        return (self.comparison_after - self.comparison_before) / self.comparison_units

    @property
    def did(self) -> float | None:
        change = self.comparison_change
        return None if change is None else round(self.treated_change - change, 3)


def _aware(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=BEIJING)


def complaints_of(category: str) -> QuerySet[Case]:
    """The complaints (kind complaint) of a category code, family or sub-category; all of them for ''."""
    cases = Case.objects.filter(kind=CaseKind.COMPLAINT)
    if category:
        cases = cases.filter(Q(sub_category=category) | Q(sub_category__startswith=f"{category}.")
                             | Q(category=category))
    return cases


def _tasks_in(start: dt.datetime, end: dt.datetime) -> QuerySet[TaskProposal]:
    """Accepted tasks under way at some point of [start, end)."""
    return TaskProposal.objects.filter(status__in=ACCEPTED_STATUSES, decided_at__lt=end).filter(
        Q(finished_at__isnull=True) | Q(finished_at__gte=start))


def task_effect(proposal: TaskProposal, *, weeks: int = DEFAULT_WEEKS, now: dt.datetime | None = None) -> TaskEffect:
    """The effect of one finished task (raises ValueError for a task not finished)."""
    if proposal.finished_at is None:
        raise ValueError("the task is not finished")
    now = now or timezone.now()
    pivot = proposal.finished_at
    span = dt.timedelta(weeks=weeks)
    before_start, after_end = pivot - span, pivot + span
    has_point = proposal.latitude is not None and proposal.longitude is not None
    area = "point" if has_point else "street" if proposal.street_id else "district"
    effect = TaskEffect(proposal, weeks, before_start, pivot, after_end, complete=now >= after_end, area=area)
    window = complaints_of(proposal.category).filter(received_at__gte=before_start,
                                                     received_at__lt=min(after_end, now))
    others = _tasks_in(before_start, after_end)
    if has_point:
        _point_effect(effect, proposal, window, others)
    elif proposal.street_id:
        _street_effect(effect, proposal, window, others)
    else:
        for received_at in window.values_list("received_at", flat=True):
            if received_at < pivot:
                effect.treated_before += 1
            else:
                effect.treated_after += 1
    return effect


def _point_effect(effect: TaskEffect, proposal: TaskProposal, window: QuerySet[Case],
                  others: Iterable[TaskProposal]) -> None:
    assert proposal.latitude is not None and proposal.longitude is not None
    lat, lng = proposal.latitude, proposal.longitude
    touched: set[int] = set(geo.cells_around(lng, lat, proposal.radius_m))
    for other in others:
        if other.latitude is not None and other.longitude is not None:
            touched.update(geo.cells_around(other.longitude, other.latitude, other.radius_m))
    cells: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    rows = window.filter(latitude__isnull=False, longitude__isnull=False).values_list(
        "latitude", "longitude", "geo_cell", "received_at")
    for case_lat, case_lng, cell, received_at in rows:
        if case_lat is None or case_lng is None:
            continue
        later = received_at >= effect.pivot
        if geo.distance_m(lng, lat, case_lng, case_lat) <= proposal.radius_m:
            if later:
                effect.treated_after += 1
            else:
                effect.treated_before += 1
        if cell is not None and cell not in touched:
            cells[cell][1 if later else 0] += 1
    low, high = SIMILAR_LOW * effect.treated_before, SIMILAR_HIGH * effect.treated_before
    for cell, (before, after) in sorted(cells.items()):
        if before > 0 and low <= before <= high:
            effect.comparison_units += 1
            effect.comparison_before += before
            effect.comparison_after += after
            effect.comparison_labels.append(str(cell))


def _street_effect(effect: TaskEffect, proposal: TaskProposal, window: QuerySet[Case],
                   others: Iterable[TaskProposal]) -> None:
    busy = {other.street_id for other in others if other.street_id is not None}
    streets: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    names: dict[int, str] = {}
    for street_id, name, received_at in window.filter(street__isnull=False).values_list(
            "street_id", "street__name", "received_at"):
        streets[street_id][1 if received_at >= effect.pivot else 0] += 1
        names[street_id] = name
    for street_id, (before, after) in sorted(streets.items()):
        if street_id == proposal.street_id:
            effect.treated_before, effect.treated_after = before, after
        elif street_id not in busy:
            effect.comparison_units += 1
            effect.comparison_before += before
            effect.comparison_after += after
            effect.comparison_labels.append(names[street_id])


@dataclass
class PeriodEffect:
    """The tasks finished in a period with their effects, and the sums."""

    start: dt.date
    end: dt.date
    effects: list[TaskEffect]

    @property
    def treated_before(self) -> int:
        return sum(effect.treated_before for effect in self.effects)

    @property
    def treated_after(self) -> int:
        return sum(effect.treated_after for effect in self.effects)

    @property
    def did(self) -> float | None:
        """The summed DiD of the tasks that have a comparison."""
        values = [effect.did for effect in self.effects if effect.did is not None]
        return round(sum(values), 3) if values else None

    @property
    def complete(self) -> bool:
        return all(effect.complete for effect in self.effects)


def period_effect(start: dt.date, end: dt.date, *, weeks: int = DEFAULT_WEEKS,
                  now: dt.datetime | None = None) -> PeriodEffect:
    """The effects of the tasks finished from `start` to `end` (Beijing days, both included)."""
    tasks = (TaskProposal.objects.filter(finished_at__gte=_aware(start), finished_at__lt=_aware(end + dt.timedelta(1)))
             .select_related("street", "team", "case").order_by("finished_at", "pk"))
    return PeriodEffect(start, end, [task_effect(task, weeks=weeks, now=now) for task in tasks])


@dataclass(frozen=True)
class ProactiveShare:
    """未诉先办: the problems proactive tasks found against those and the complaints received, in one period."""

    start: dt.date
    end: dt.date
    problems_found: int
    complaints: int

    @property
    def share(self) -> float | None:
        total = self.problems_found + self.complaints
        return round(self.problems_found / total, 4) if total else None


def proactive_share(start: dt.date, end: dt.date) -> ProactiveShare:
    """Problems found by tasks finished in the period / (those + complaints received in the period), Beijing days
    from `start` to `end` included. Complaints are the complaint cases (kind complaint) of every channel, merged
    duplicates included (each is one complaint received)."""
    lower, upper = _aware(start), _aware(end + dt.timedelta(days=1))
    found = TaskProposal.objects.filter(finished_at__gte=lower, finished_at__lt=upper).aggregate(
        total=Sum("problems_found"))["total"] or 0
    complaints = Case.objects.filter(kind=CaseKind.COMPLAINT, received_at__gte=lower, received_at__lt=upper).count()
    return ProactiveShare(start, end, int(found), complaints)
