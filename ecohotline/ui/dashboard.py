"""The leaders' dashboard (领导驾驶舱): rankings, the 12-month trend of the rates, cases per street on a map.

Every figure comes from `assessment` (kpis, rankings, selectors); this view picks the assessment month, formats
the numbers (rates as percentages with one decimal) and hands the charts their data in one json_script tag.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecohotline.assessment import rankings, selectors
from ecohotline.assessment.access import overview_required
from ecohotline.cases.models import OPEN_STATUSES
from ecohotline.core import geo
from ecohotline.insight.effect import proactive_share

TREND_MONTHS = 12

FIGURE_LABELS = {
    "assessed": gettext_lazy("Assessed orders"),
    "response_rate": gettext_lazy("Response rate"),
    "resolution_rate": gettext_lazy("Resolution rate"),
    "satisfaction_rate": gettext_lazy("Satisfaction rate"),
    "composite": gettext_lazy("Composite score"),
    "on_time_rate": gettext_lazy("On-time rate"),
    "proactive_share": gettext_lazy("Found proactively (未诉先办)"),
}


# --- formatting ----------------------------------------------------------------------------------------------------


def percent(value: float | None) -> str:
    """0.9634 → "96.3%"; None (nothing to divide by) → "—"."""
    return "—" if value is None else f"{value * 100:.1f}%"


def score(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _signed(value: float, digits: int) -> str:
    text = f"{abs(value):.{digits}f}"
    if float(text) == 0:
        return f"±{text}"
    return f"+{text}" if value > 0 else f"−{text}"


def change_text(kind: str, change: float | None) -> str:
    """The change against the previous period: rates in percentage points, the composite in points of score,
    counts as counts."""
    if change is None:
        return ""
    if kind == "rate":
        return _("%(change)s pts") % {"change": _signed(change * 100, 1)}
    if kind == "score":
        return _signed(change, 1)
    return _signed(change, 0)


def direction(kind: str, change: float | None) -> str:
    """"up", "down" or "same", by the change as shown (a change that rounds to nothing is "same")."""
    if change is None:
        return ""
    shown = round(change * 100, 1) if kind == "rate" else round(change, 1 if kind == "score" else 0)
    return "up" if shown > 0 else "down" if shown < 0 else "same"


def figure_text(kind: str, value: float | None) -> str:
    if kind == "rate":
        return percent(value)
    if kind == "score":
        return score(value)
    return "—" if value is None else str(int(value))


ARROWS = {"up": "▲", "down": "▼", "same": "–", "": ""}


def tone(direction: str, *, judged: bool = True) -> str:
    """The Bootstrap colour of a change: up is good news for a rate, a score or a rank."""
    if not judged or direction in ("", "same"):
        return "secondary"
    return "success" if direction == "up" else "danger"


@dataclass(frozen=True)
class Card:
    """A headline figure as shown: the value, the previous period's, and the change with its arrow."""

    key: str
    label: str
    value: str
    previous: str
    change: str
    direction: str
    tone: str

    @property
    def arrow(self) -> str:
        return ARROWS[self.direction]


@dataclass(frozen=True)
class RankLine:
    """One line of a ranking table as shown."""

    rank: str
    rank_arrow: str
    rank_change: str
    rank_tone: str
    previous_rank: str
    name: str
    composite: str
    composite_change: str
    composite_tone: str
    response_rate: str
    resolution_rate: str
    satisfaction_rate: str
    on_time_rate: str
    assessed: int
    completed: int


def rank_lines(rows: list[rankings.RankRow]) -> list[RankLine]:
    lines = []
    for row in rows:
        figures = row.figures
        moved = "" if row.rank_change is None else "up" if row.rank_change > 0 else "down" if row.rank_change < 0 \
            else "same"
        composite_moved = direction("score", row.composite_change)
        lines.append(RankLine(
            rank="—" if row.rank is None else str(row.rank),
            rank_arrow=ARROWS[moved] if row.rank_change is not None else "",
            rank_change="" if not row.rank_change else str(abs(row.rank_change)),
            rank_tone=tone(moved),
            previous_rank="" if row.previous_rank is None else str(row.previous_rank),
            name=row.name,
            composite=score(figures.composite),
            composite_change=change_text("score", row.composite_change),
            composite_tone=tone(composite_moved),
            response_rate=percent(figures.response_rate),
            resolution_rate=percent(figures.resolution_rate),
            satisfaction_rate=percent(figures.satisfaction_rate),
            on_time_rate=percent(figures.on_time_rate),
            assessed=figures.assessed,
            completed=figures.completed,
        ))
    return lines


@dataclass(frozen=True)
class TrendLine:
    label: str
    start: dt.date
    end: dt.date
    assessed: int
    completed: int
    response_rate: str
    resolution_rate: str
    satisfaction_rate: str
    composite: str
    on_time_rate: str


# --- the page ------------------------------------------------------------------------------------------------------


def _parse_day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _case_list_url(**params: Any) -> str:
    return f"{reverse('ui:case-list')}?{urlencode(params, doseq=True)}"


def _streets(period: selectors.Period) -> tuple[selectors.CasesPerStreet, list[dict[str, Any]],
                                                list[dict[str, Any]]]:
    """The table rows (each street with links to its cases in the case list) and the map's points."""
    per_street = selectors.cases_per_street(period.start, period.end)
    dates = {"received_from": period.start.isoformat(), "received_to": period.end.isoformat()}
    rows: list[dict[str, Any]] = []
    points: list[dict[str, Any]] = []
    for street in per_street.streets:
        urls = {
            "received": _case_list_url(street=street.street_id, **dates),
            "open": _case_list_url(street=street.street_id, status=[str(s) for s in OPEN_STATUSES], **dates),
            "overdue": _case_list_url(street=street.street_id, overdue="true", **dates),
        }
        rows.append({"street": street, "urls": urls})
        lng: float | None = None
        lat: float | None = None
        if street.longitude is not None and street.latitude is not None:
            # The outlines the map draws are GCJ-02.
            lng, lat = (round(value, 6) for value in geo.wgs84_to_gcj02(street.longitude, street.latitude))
        points.append({"name": street.name, "received": street.received, "open": street.open,
                       "overdue": street.overdue, "lng": lng, "lat": lat, "url": urls["received"]})
    return per_street, rows, points


@overview_required
def dashboard(request: HttpRequest) -> HttpResponse:
    today = selectors.today()
    day = min(_parse_day(request.GET.get("period")) or today, today)
    period = selectors.assessment_period(day)
    previous = selectors.previous_period(period)  # what the figures are compared with
    before = selectors.period_before(period)  # where "previous month" leads (the same but after a scheme change)
    following = selectors.next_period(period) if period.end < today else None

    trend = rankings.monthly_trend(period.end, months=TREND_MONTHS)
    # The trend's last two months are this period and the one before: their figures serve the headline too.
    heads = selectors.headlines(period, previous, known={(point.start, point.end): point.figures for point in trend})
    cards = []
    for item in heads.items:
        moved = direction(item.kind, item.change)
        cards.append(Card(item.name, str(FIGURE_LABELS[item.name]), figure_text(item.kind, item.value),
                          figure_text(item.kind, item.previous), change_text(item.kind, item.change), moved,
                          # More assessed orders are neither good nor bad news.
                          tone(moved, judged=item.kind != "count")))
    # 未诉先办 beside the 三率: problems the patrols found, against those and the complaints received.
    found, found_before = (proactive_share(span.start, span.end).share for span in (period, previous))
    change = None if found is None or found_before is None else found - found_before
    moved = direction("rate", change)
    cards.append(Card("proactive_share", str(FIGURE_LABELS["proactive_share"]), percent(found),
                      percent(found_before), change_text("rate", change), moved, tone(moved)))
    ranking_tables = [
        (key, title, rank_lines(rankings.rankings(period.start, period.end, by=key)))
        for key, title in (("unit", _("Units")), ("handler", _("Handlers")), ("street", _("Streets and towns")))
    ]
    trend_lines = [TrendLine(point.label, point.start, point.end, point.figures.assessed, point.figures.completed,
                             percent(point.figures.response_rate), percent(point.figures.resolution_rate),
                             percent(point.figures.satisfaction_rate), score(point.figures.composite),
                             percent(point.figures.on_time_rate)) for point in trend]
    per_street, street_rows, points = _streets(period)

    data = {
        "text": {
            "assessed": str(FIGURE_LABELS["assessed"]), "completed": _("Completed orders"),
            "received": _("Cases received"), "open": _("Still open"), "overdue": _("Overdue"),
            "series": {key: str(label) for key, label in FIGURE_LABELS.items()},
        },
        "streets": points,
        "districts": sorted({street.district for street in per_street.streets if street.district}),
        "trend": rankings.trend_json(trend)["points"],
    }
    return render(request, "ui/dashboard.html", {
        # Labelled like the trend: by the month the period ends in.
        "period": period, "period_label": f"{period.end:%Y-%m}", "previous": previous, "before": before,
        "following": following,
        "is_current": period.contains(today), "today": today,
        "cards": cards, "rankings": ranking_tables, "trend": trend_lines,
        "per_street": per_street, "street_rows": street_rows,
        "data": data,
    })
