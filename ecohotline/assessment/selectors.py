"""Reads the leaders' dashboard (领导驾驶舱) needs besides the KPIs: the assessment months to step through, the
headline figures against the previous month, and the cases received per street (街乡) for the map.

Every figure is computed here or in `kpis`/`rankings`; the dashboard view only lays them out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Q
from django.utils import timezone

from ecohotline.assessment import rankings
from ecohotline.assessment.kpis import Figures, compute_kpis
from ecohotline.cases.deadlines import overdue_q
from ecohotline.cases.models import OPEN_STATUSES, Case
from ecohotline.core import gazetteer
from ecohotline.core.workdays import BEIJING, day_bounds
from ecohotline.org.models import PLACE_KINDS, OrgUnit, UnitKind

# --- assessment months ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """An assessment month (考核月): a calendar month, or the 19th to the 18th, per the scheme in force."""

    start: dt.date
    end: dt.date  # the last day, included

    @property
    def is_calendar_month(self) -> bool:
        return self.start.day == 1 and (self.end + dt.timedelta(days=1)).day == 1

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def assessment_period(day: dt.date) -> Period:
    """The assessment month containing `day` (`rankings.assessment_month`: cut short by a change of scheme)."""
    return Period(*rankings.assessment_month(day))


def previous_period(period: Period) -> Period:
    """The period the rankings and the headline compare `period` with (`rankings.previous_period`): the
    assessment month before it, or for a month cut short by a change of scheme the same number of days before."""
    return Period(*rankings.previous_period(period.start, period.end))


def period_before(period: Period) -> Period:
    """The assessment month before `period`, to step back to."""
    return assessment_period(period.start - dt.timedelta(days=1))


def next_period(period: Period) -> Period:
    """The assessment month after `period`, to step forward to."""
    return assessment_period(period.end + dt.timedelta(days=1))


def today() -> dt.date:
    """Today in Beijing, the calendar the periods are counted in."""
    return timezone.now().astimezone(BEIJING).date()


# --- headline figures ----------------------------------------------------------------------------------------------

# The headline cards, in order: (field of Figures, how its change is expressed).
HEADLINE_FIGURES = (("assessed", "count"), ("response_rate", "rate"), ("resolution_rate", "rate"),
                    ("satisfaction_rate", "rate"), ("composite", "score"), ("on_time_rate", "rate"))


@dataclass(frozen=True)
class Headline:
    """One headline figure of the period with the previous period's and the change (None where either is
    missing). Rates are fractions (0.9 = 90%); their change is in fractions too (0.012 = 1.2 points)."""

    name: str
    kind: str  # "count", "rate" or "score"
    value: float | None
    previous: float | None
    change: float | None


@dataclass
class Headlines:
    period: Period
    previous_period: Period
    figures: Figures
    previous_figures: Figures
    items: list[Headline] = field(default_factory=list)


def headlines(period: Period, previous: Period | None = None, *,
              known: Mapping[tuple[dt.date, dt.date], Figures] | None = None) -> Headlines:
    """The bureau's figures of `period` and of the period before, side by side.

    `known` holds figures already computed, by (start, end) (the monthly trend has both periods' figures), so
    that the dashboard does not compute them twice; what is missing costs one `compute_kpis` each."""
    previous = previous or previous_period(period)
    known = known or {}

    def total(of: Period) -> Figures:
        found = known.get((of.start, of.end))
        return found if found is not None else compute_kpis(of.start, of.end).total

    now, before = total(period), total(previous)
    items = []
    for name, kind in HEADLINE_FIGURES:
        value, earlier = getattr(now, name), getattr(before, name)
        change = None if value is None or earlier is None else value - earlier
        items.append(Headline(name, kind, value, earlier, change))
    return Headlines(period, previous, now, before, items)


# --- cases per street ----------------------------------------------------------------------------------------------


@dataclass
class StreetCases:
    """The cases of one street or town received in a period, and how many of them are open or overdue now.

    `latitude`/`longitude` (WGS-84) place the street on the map: the gazetteer's centre of the 街乡 where it
    has one (`placed_by` "gazetteer"), else the mean point of the period's located cases ("cases"), else None.
    """

    street_id: int
    name: str
    district: str = ""  # the 区 the street belongs to, where the organisation says so
    received: int = 0
    open: int = 0
    overdue: int = 0
    latitude: float | None = None
    longitude: float | None = None
    placed_by: str | None = None


@dataclass
class CasesPerStreet:
    start: dt.date
    end: dt.date
    streets: list[StreetCases]
    unplaced: int = 0  # cases received in the period with no street
    unplaced_open: int = 0
    unplaced_overdue: int = 0

    @property
    def received(self) -> int:
        return sum(street.received for street in self.streets) + self.unplaced

    @property
    def open(self) -> int:
        return sum(street.open for street in self.streets) + self.unplaced_open

    @property
    def overdue(self) -> int:
        return sum(street.overdue for street in self.streets) + self.unplaced_overdue


def street_centre(name: str, district: str = "") -> tuple[float, float] | None:
    """The gazetteer's (latitude, longitude) of the 街乡 called `name` (in `district` when given), or None when it
    has no centre or the name is ambiguous."""
    book = gazetteer.Gazetteer.default()
    within = None
    if district:
        districts = book.lookup(district, level=gazetteer.DISTRICT)
        within = districts[0] if len(districts) == 1 else None
    found = [division for division in book.lookup(name, level=gazetteer.TOWNSHIP, within=within)
             if division.has_centre]
    if len(found) != 1:
        return None
    division = found[0]
    assert division.latitude is not None and division.longitude is not None
    return division.latitude, division.longitude


def cases_per_street(start: dt.date, end: dt.date, *, now: dt.datetime | None = None) -> CasesPerStreet:
    """Cases of every kind received in [start, end] (Beijing dates) per street or town, with those of them still
    open (new, dispatched, in progress, returned) and those overdue at `now` (as the case list's "overdue"
    filter has it). Every active street and town is listed, with nothing received too. Two queries."""
    now = now or timezone.now()
    since, until = day_bounds(start, end)
    counts = {row["street"]: row for row in (
        Case.objects.filter(received_at__gte=since, received_at__lt=until)
        .values("street").order_by("street")
        .annotate(received=Count("pk"), open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
                  overdue=Count("pk", filter=overdue_q(now)), latitude=Avg("latitude"), longitude=Avg("longitude"))
    )}
    units = (OrgUnit.objects.filter(kind__in=PLACE_KINDS)
             .filter(Q(is_active=True) | Q(pk__in=[key for key in counts if key is not None]))
             .select_related("parent"))
    streets = []
    for unit in units:
        row = counts.get(unit.pk, {})
        district = unit.parent.name if unit.parent is not None and unit.parent.kind == UnitKind.DISTRICT else ""
        street = StreetCases(unit.pk, unit.name, district, received=row.get("received", 0),
                             open=row.get("open", 0), overdue=row.get("overdue", 0))
        centre = street_centre(unit.name, district)
        if centre is not None:
            street.latitude, street.longitude = centre
            street.placed_by = "gazetteer"
        elif row.get("latitude") is not None and row.get("longitude") is not None:
            street.latitude, street.longitude = row["latitude"], row["longitude"]
            street.placed_by = "cases"
        streets.append(street)
    streets.sort(key=lambda street: (-street.received, -street.open, street.name))
    unplaced = counts.get(None, {})
    return CasesPerStreet(start, end, streets, unplaced=unplaced.get("received", 0),
                          unplaced_open=unplaced.get("open", 0), unplaced_overdue=unplaced.get("overdue", 0))
