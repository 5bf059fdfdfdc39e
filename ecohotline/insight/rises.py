"""Unusual rises (异常上升): a week's complaints of one sub-category in one street against their seasonal
expectation; a significant rise raises an `InsightAlert` for the analysts and the leader of the street's area (包片).

The cells: complaints (kind complaint, duplicates included) of a Monday-to-Sunday Beijing week, counted per
sub-category (the category when a case has none) and street/town. Cases without a street are not tested: nobody
answers for them.

The expectation of a cell, in this order:

1. **Same weeks in earlier years** when the data covers them: the mean weekly count of the same week ±`k` weeks
   (k = 2, five weeks; a year is 52 weeks, so weekdays line up) in each of up to three earlier years that the
   complaint history covers whole.
2. Else **the trailing eight weeks scaled by the bureau-wide seasonal index**: the cell's mean weekly count over
   the eight weeks before, times the ratio of the week's complaints in every *other* cell to their trailing
   eight-week mean. A rise everywhere at once (the season, a holiday week) is then not a rise of one street;
   leaving the cell itself out keeps its own rise from raising its expectation.

The expectation is never below `MIN_EXPECTED` (0.5 a week): a cell that had nothing before is not "infinitely"
surprising at its first complaints.

The test: the Poisson upper tail p = P(X ≥ observed | mean = expected). A cell is a rise when
(a) observed ≥ `MIN_COUNT` (5), (b) observed ≥ `MIN_RATIO` (2) × expected, and (c) its p-value passes the
Benjamini–Hochberg procedure at false-discovery rate `FDR` (5 %) over every cell tested that week (every
sub-category × street with a complaint in the week or in its expectation's window), which controls the false
alarms among the several hundred cells tested each week.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from scipy.stats import poisson

from ecohotline.assessment.access import can_see_overview
from ecohotline.cases.models import Case
from ecohotline.cases.selectors import category_label, category_labels
from ecohotline.core.workdays import BEIJING
from ecohotline.insight.analysis import as_date, complaints, date_of
from ecohotline.insight.models import AlertStatus, InsightAlert, InsightAlertKind
from ecohotline.notify.services import notify_users
from ecohotline.org.models import LeaderArea, OrgUnit, Role, User

logger = logging.getLogger(__name__)

WEEK = dt.timedelta(days=7)
SEASON_HALF_WIDTH = 2   # k: the same week ±2 weeks in earlier years
MAX_YEARS = 3           # earlier years used at most
TRAILING_WEEKS = 8
MIN_EXPECTED = 0.5
MIN_COUNT = 5
MIN_RATIO = 2.0
FDR = 0.05
NOTIFICATION_KIND = "insight_rise"


class AlertError(Exception):
    """A refused change to an alert: `code` for the API, `message` for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def week_start(day: dt.date) -> dt.date:
    """The Monday of the week holding `day`."""
    return day - dt.timedelta(days=day.weekday())


def last_full_week(now: dt.datetime | None = None) -> dt.date:
    """The Monday of the last whole week before now (Beijing)."""
    today = (now or timezone.now()).astimezone(BEIJING).date()
    return week_start(today) - WEEK


@dataclass
class Cell:
    """One sub-category × street in the week tested."""

    category: str
    street_id: int
    observed: int
    expected: float
    method: str
    p_value: float
    baseline: list[float] = field(default_factory=list)
    significant: bool = False

    @property
    def ratio(self) -> float:
        return self.observed / self.expected if self.expected else float("inf")


@dataclass
class RiseReport:
    """What the detector found for one week."""

    week_start: dt.date
    method: str
    tested: int
    rises: list[Cell]
    created: list[InsightAlert]
    notified: int

    def as_dict(self) -> dict[str, Any]:
        return {"week_start": self.week_start.isoformat(), "method": self.method, "tested": self.tested,
                "rises": [{"category": c.category, "street_id": c.street_id, "observed": c.observed,
                           "expected": round(c.expected, 3), "p_value": c.p_value, "method": c.method}
                          for c in self.rises],
                "alerts_created": len(self.created), "notified": self.notified}


def _cell_key(row: dict[str, Any]) -> str:
    return row["sub_category"] or row["category"] or ""


def _weekly_counts(windows: list[tuple[dt.date, dt.date]],
                   base: QuerySet[Case]) -> dict[tuple[str, int], dict[dt.date, int]]:
    """{(sub-category, street id): {week Monday: complaints}} over the given [first Monday, last Monday] windows."""
    span = Q()
    for first, last in windows:
        low = dt.datetime.combine(first, dt.time(0), tzinfo=BEIJING)
        high = dt.datetime.combine(last + WEEK, dt.time(0), tzinfo=BEIJING)
        span |= Q(received_at__gte=low, received_at__lt=high)
    rows = (base.filter(span, street__isnull=False).annotate(g_day=date_of())
            .values("sub_category", "category", "street", "g_day").annotate(n=Count("pk")).order_by())
    counts: dict[tuple[str, int], dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        counts[(_cell_key(row), row["street"])][week_start(as_date(row["g_day"]))] += row["n"]
    return counts


def history_start(base: QuerySet[Case] | None = None) -> dt.date | None:
    """The first day with a complaint (Beijing)."""
    first = (base if base is not None else complaints()).aggregate(first=Min("received_at"))["first"]
    return first.astimezone(BEIJING).date() if first else None


def benjamini_hochberg(p_values: list[float], q: float = FDR) -> list[bool]:
    """Which of the p-values are discoveries at false-discovery rate `q` (Benjamini–Hochberg step-up)."""
    m = len(p_values)
    order = sorted(range(m), key=lambda index: p_values[index])
    cutoff = -1
    for rank, index in enumerate(order, start=1):
        if p_values[index] <= q * rank / m:
            cutoff = rank
    passed = [False] * m
    for rank, index in enumerate(order, start=1):
        passed[index] = rank <= cutoff
    return passed


def upper_tail(observed: int, expected: float) -> float:
    """P(X ≥ observed) for X ~ Poisson(expected)."""
    return float(poisson.sf(observed - 1, expected)) if observed > 0 else 1.0


def score_week(week: dt.date, *, base: QuerySet[Case] | None = None) -> tuple[str, list[Cell]]:
    """Every sub-category × street cell of the week starting on Monday `week`, with its expectation and p-value,
    and which are significant rises. Returns (the expectation's method, the cells)."""
    base = base if base is not None else complaints()
    week = week_start(week)
    first_day = history_start(base)
    years = []
    for year in range(1, MAX_YEARS + 1):
        earliest = week - 52 * year * WEEK - SEASON_HALF_WIDTH * WEEK
        if first_day is not None and first_day <= earliest:
            years.append(year)
    method = "seasonal" if years else "trailing"
    windows = [(week, week)]
    if years:
        for year in years:
            centre = week - 52 * year * WEEK
            windows.append((centre - SEASON_HALF_WIDTH * WEEK, centre + SEASON_HALF_WIDTH * WEEK))
    else:
        windows.append((week - TRAILING_WEEKS * WEEK, week - WEEK))
    counts = _weekly_counts(windows, base)

    trailing_weeks = [week - offset * WEEK for offset in range(1, TRAILING_WEEKS + 1)]
    bureau_now = sum(weeks.get(week, 0) for weeks in counts.values())
    bureau_before = sum(weeks.get(day, 0) for weeks in counts.values() for day in trailing_weeks)

    cells: list[Cell] = []
    for (category, street_id), weeks in counts.items():
        observed = weeks.get(week, 0)
        if years:
            baseline = []
            for year in years:
                centre = week - 52 * year * WEEK
                span = [centre + offset * WEEK for offset in range(-SEASON_HALF_WIDTH, SEASON_HALF_WIDTH + 1)]
                baseline.append(sum(weeks.get(day, 0) for day in span) / len(span))
            expected = sum(baseline) / len(baseline)
        else:
            baseline = [float(weeks.get(day, 0)) for day in trailing_weeks]
            own_mean = sum(baseline) / TRAILING_WEEKS
            others_now = bureau_now - observed
            others_mean = (bureau_before - sum(baseline)) / TRAILING_WEEKS
            index = others_now / others_mean if others_mean > 0 else 1.0
            expected = own_mean * index
        expected = max(expected, MIN_EXPECTED)
        cells.append(Cell(category=category, street_id=street_id, observed=observed, expected=expected,
                          method=method, p_value=upper_tail(observed, expected), baseline=baseline))
    passed = benjamini_hochberg([cell.p_value for cell in cells])
    for cell, ok in zip(cells, passed, strict=True):
        cell.significant = ok and cell.observed >= MIN_COUNT and cell.observed >= MIN_RATIO * cell.expected
    cells.sort(key=lambda cell: (cell.p_value, -cell.observed))
    return method, cells


def alert_recipients(street_id: int) -> list[User]:
    """Who hears of a rise in the street: every active analyst, and the leader(s) whose area (包片) holds it."""
    analysts = User.objects.filter(is_active=True, role_assignments__role=Role.ANALYST).order_by("pk")
    leaders = User.objects.filter(
        is_active=True, pk__in=LeaderArea.objects.filter(streets=street_id).values("leader")).order_by("pk")
    return list(dict.fromkeys([*analysts, *leaders]))


@transaction.atomic
def raise_rise_alert(*, cell: Cell, week: dt.date) -> InsightAlert | None:
    """The alert of a significant rise, created once per (category, street, week): None when it exists already (a
    rerun), so nobody is told twice. The analysts and the area's leader are notified after commit."""
    alert, created = InsightAlert.objects.get_or_create(
        kind=InsightAlertKind.RISE, category=cell.category, street_id=cell.street_id, week_start=week,
        defaults={"observed": cell.observed, "expected": round(cell.expected, 4), "p_value": cell.p_value,
                  "details": {"method": cell.method, "baseline": [round(v, 3) for v in cell.baseline],
                              "ratio": round(cell.ratio, 3)}},
    )
    if not created:
        return None
    street = OrgUnit.objects.filter(pk=cell.street_id).values_list("name", flat=True).first() or ""
    recipients = alert_recipients(cell.street_id)
    names = category_labels().get(cell.category, (cell.category, cell.category))
    # both names: the message is put into words when read, in the reader's language (notify.selectors)
    params: dict[str, Any] = {"alert_id": alert.pk, "category": cell.category, "category_zh": names[0],
                              "category_en": names[1], "street": street, "week_start": week.isoformat(),
                              "observed": cell.observed, "expected": round(cell.expected, 1)}
    street_id = cell.street_id  # its group robot is told when the route of insight_rise asks for it
    transaction.on_commit(lambda: notify_users(recipients=recipients, kind=NOTIFICATION_KIND, case_id=None,
                                               units=[street_id], **params))
    alert.recipient_count = len(recipients)  # type: ignore[attr-defined]
    return alert


def detect_rises(*, week: dt.date | None = None, now: dt.datetime | None = None,
                 base: QuerySet[Case] | None = None) -> RiseReport:
    """Test the week starting on Monday `week` (default: the last whole week) and raise an alert for each
    significant rise not alerted yet. Safe to rerun."""
    week = week_start(week) if week is not None else last_full_week(now)
    method, cells = score_week(week, base=base)
    rises = [cell for cell in cells if cell.significant]
    created: list[InsightAlert] = []
    notified = 0
    for cell in rises:
        alert = raise_rise_alert(cell=cell, week=week)
        if alert is not None:
            created.append(alert)
            notified += getattr(alert, "recipient_count", 0)
    if rises:
        logger.info("insight rises for the week of %s: %d significant, %d new alerts", week, len(rises), len(created))
    return RiseReport(week_start=week, method=method, tested=len(cells), rises=rises, created=created,
                      notified=notified)


# --- the analysts' and leaders' handling of an alert ----------------------------------------------------------

HANDLED_STATUSES = (AlertStatus.ACKNOWLEDGED, AlertStatus.DISMISSED)


def can_handle_alerts(user: Any) -> bool:
    """Who may acknowledge or dismiss insight alerts: those who see the insight pages."""
    return can_see_overview(user)


@transaction.atomic
def handle_alert(*, actor: User, alert: InsightAlert, status: str) -> InsightAlert:
    """Acknowledge (已知悉, someone follows it up) or dismiss (not a real problem) an alert; records who and when.
    An alert already handled may be handled again (a dismissal reconsidered), never reopened."""
    if not can_handle_alerts(actor):
        raise AlertError("forbidden", _("Only leaders, analysts, dispatchers, unit heads and administrators handle "
                                        "insight alerts."))
    if status not in HANDLED_STATUSES:
        raise AlertError("invalid_status", _("Acknowledge or dismiss the alert."))
    locked = InsightAlert.objects.select_for_update().get(pk=alert.pk)
    locked.status = status
    locked.handled_by = actor
    locked.handled_at = timezone.now()
    locked.save(update_fields=["status", "handled_by", "handled_at"])
    return locked


def alert_rows(alerts: Iterable[InsightAlert]) -> list[dict[str, Any]]:
    """The alerts as plain rows for pages and the API (no complainant data: counts only)."""
    rows = []
    for alert in alerts:
        rows.append({
            "id": alert.pk, "kind": alert.kind, "category": alert.category,
            "category_label": category_label(alert.category), "street_id": alert.street_id,
            "street": alert.street.name if alert.street_id and alert.street else "",
            "week_start": alert.week_start.isoformat(), "observed": alert.observed,
            "expected": round(alert.expected, 2), "p_value": alert.p_value,
            "ratio": round(alert.observed / alert.expected, 2) if alert.expected else None,
            "method": (alert.details or {}).get("method", ""), "status": alert.status,
            "status_label": str(alert.get_status_display()),
            "handled_by": str(alert.handled_by) if alert.handled_by_id else "",
            "handled_at": alert.handled_at.astimezone(BEIJING).isoformat() if alert.handled_at else None,
        })
    return rows


def recent_alerts(*, status: str | None = None, limit: int = 200) -> QuerySet[InsightAlert]:
    qs = InsightAlert.objects.select_related("street", "handled_by")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-week_start", "-pk")[:limit]
