"""`ecohotline insight ...` subcommands: analysis (`breakdown`), unusual rises (`rises`), `forecast` and `backtest`.

    ecohotline insight breakdown --start 2026-10-01 --end 2026-10-31 --by industry [--format json]
    ecohotline insight rises [--week 2026-11-09] [--dry-run]
    ecohotline insight forecast [--weeks 8] [--format json]
    ecohotline insight backtest [--weeks 26] [--format json]
"""

from __future__ import annotations

import datetime as dt
import json
from argparse import ArgumentTypeError
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from ecohotline.cases.selectors import category_label
from ecohotline.insight import forecast, rises
from ecohotline.insight.analysis import BREAKDOWNS, Period, breakdown
from ecohotline.org.models import OrgUnit


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError as exc:
        raise ArgumentTypeError(f"not a whole number: {value!r}") from exc
    if number < 1:
        raise ArgumentTypeError("must be at least 1")
    return number


def _as_date(value: Any, name: str) -> dt.date | None:
    """call_command passes keyword values without the parser's types."""
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise CommandError(f"--{name}: not a date (YYYY-MM-DD): {value!r}") from exc


def _pct(ratio: float | None) -> str:
    return "—" if ratio is None else f"{ratio * 100:+.1f}%"


def _dump(command: Any, data: Any) -> None:
    command.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def handle_breakdown(command: Any, options: dict[str, Any]) -> None:
    start, end = _as_date(options["start"], "start"), _as_date(options["end"], "end")
    if start is None or end is None:
        raise CommandError(_("Give --start and --end (YYYY-MM-DD)."))
    if end < start:
        raise CommandError(_("The end must be on or after the start."))
    if options["by"] not in BREAKDOWNS:
        raise CommandError(_("Break down by one of: %(names)s.") % {"names": ", ".join(BREAKDOWNS)})
    found = breakdown(options["by"], Period(start, end), limit=options.get("limit"))
    if options.get("format") == "json":
        _dump(command, found.as_dict())
        return
    previous, year = found.period.previous(), found.period.year_before()
    command.stdout.write(f"{BREAKDOWNS[found.by]}: {start} – {end}  "
                         f"({_('previous')} {previous.start} – {previous.end}; {_('a year before')} "
                         f"{year.start} – {year.end})")
    for row in [*found.rows, found.total]:
        command.stdout.write(f"{row.label[:28]:<28} {row.current:>8} {row.previous:>8} "
                             f"{_pct(row.change_previous_ratio):>8} {row.year_before:>8} "
                             f"{_pct(row.change_year_ratio):>8}")


def _cell_lines(command: Any, cells: list[rises.Cell]) -> None:
    names = dict(OrgUnit.objects.filter(pk__in=[cell.street_id for cell in cells]).values_list("pk", "name"))
    for cell in cells:
        command.stdout.write(f"  {category_label(cell.category)} · {names.get(cell.street_id, cell.street_id)}: "
                             f"{cell.observed} vs {cell.expected:.1f} expected, p = {cell.p_value:.2g}")


def handle_rises(command: Any, options: dict[str, Any]) -> None:
    week = _as_date(options.get("week"), "week")
    if options.get("dry_run"):
        monday = rises.week_start(week) if week else rises.last_full_week()
        method, cells = rises.score_week(monday)
        found = [cell for cell in cells if cell.significant]
        command.stdout.write(f"{monday} ({method}): {len(cells)} cells tested, {len(found)} significant rise(s)")
        _cell_lines(command, found)
        return
    report = rises.detect_rises(week=week)
    if options.get("format") == "json":
        _dump(command, report.as_dict())
        return
    command.stdout.write(f"{report.week_start} ({report.method}): {report.tested} cells tested, "
                         f"{len(report.rises)} significant rise(s), {len(report.created)} new alert(s), "
                         f"{report.notified} notification(s)")
    _cell_lines(command, report.rises)


def handle_forecast(command: Any, options: dict[str, Any]) -> None:
    weeks = int(options.get("weeks") or forecast.DEFAULT_HORIZON)
    found = forecast.forecast_categories(horizon=weeks, until=_as_date(options.get("until"), "until"))
    if options.get("format") == "json":
        _dump(command, [item.as_dict(history=0) for item in found])
        return
    if not found:
        command.stdout.write(_("No complaints yet to forecast from."))
        return
    for item in found:
        command.stdout.write(f"{item.label} ({item.forecast.method})")
        for index, week in enumerate(item.weeks):
            f = item.forecast
            command.stdout.write(f"  {week}  {f.mean[index]:8.1f}   80%: {f.lower[0.8][index]:.0f}–"
                                 f"{f.upper[0.8][index]:.0f}   95%: {f.lower[0.95][index]:.0f}–"
                                 f"{f.upper[0.95][index]:.0f}")


def handle_backtest(command: Any, options: dict[str, Any]) -> None:
    rows, pooled = forecast.backtest_categories(weeks=int(options.get("weeks") or 26),
                                                until=_as_date(options.get("until"), "until"))
    if options.get("format") == "json":
        _dump(command, {"categories": [row.as_dict() for row in rows], "pooled": pooled.as_dict()})
        return
    if not pooled.forecasts:
        command.stdout.write(_("Not enough history for a backtest: it needs more than a year of complaints."))
        return

    def line(label: str, b: forecast.Backtest) -> str:
        return (f"{label[:16]:<16} {b.forecasts:>6} {b.mae or 0:>8.2f} {b.naive_mae or 0:>8.2f} "
                f"{b.ratio or 0:>7.3f} {b.mase or 0:>7.3f} {b.coverage(0.8) or 0:>6.2f} {b.coverage(0.95) or 0:>6.2f}")

    command.stdout.write(f"{'':<16} {'n':>6} {'MAE':>8} {'MAE(sn)':>8} {'ratio':>7} {'MASE':>7} {'cov80':>6} "
                         f"{'cov95':>6}")
    for row in rows:
        command.stdout.write(line(row.label, row.backtest))
    command.stdout.write(line(_("All categories"), pooled))


def register(subparsers: Any) -> None:
    """Add this topic's subcommands; each sets `handler=callable(command, options)` as its default."""
    parser = subparsers.add_parser("breakdown", help="complaints of a period by category, industry, time or place, "
                                                     "with the previous period and a year before")
    parser.add_argument("--start", type=_date, required=True, help="first day, YYYY-MM-DD (Beijing)")
    parser.add_argument("--end", type=_date, required=True, help="last day, included")
    parser.add_argument("--by", choices=list(BREAKDOWNS), default="category")
    parser.add_argument("--limit", type=_positive, default=None, help="at most this many groups")
    parser.add_argument("--format", choices=["table", "json"], default="table")
    parser.set_defaults(handler=handle_breakdown)

    parser = subparsers.add_parser("rises", help="test a week for unusual rises per sub-category and street and "
                                                 "raise alerts (the weekly job does this every Monday)")
    parser.add_argument("--week", type=_date, default=None, help="a day of the week to test (default: last week)")
    parser.add_argument("--dry-run", action="store_true", help="only print; raise no alert")
    parser.add_argument("--format", choices=["table", "json"], default="table")
    parser.set_defaults(handler=handle_rises)

    parser = subparsers.add_parser("forecast", help="weekly complaints per category for the next weeks")
    parser.add_argument("--weeks", type=_positive, default=forecast.DEFAULT_HORIZON)
    parser.add_argument("--until", type=_date, default=None, help="forecast from the week holding this day "
                                                                   "(default: today)")
    parser.add_argument("--format", choices=["table", "json"], default="table")
    parser.set_defaults(handler=handle_forecast)

    parser = subparsers.add_parser("backtest", help="rolling-origin backtest of the forecast against seasonal-naive")
    parser.add_argument("--weeks", type=_positive, default=26, help="origins: the last N whole weeks (default 26)")
    parser.add_argument("--until", type=_date, default=None)
    parser.add_argument("--format", choices=["table", "json"], default="table")
    parser.set_defaults(handler=handle_backtest)
