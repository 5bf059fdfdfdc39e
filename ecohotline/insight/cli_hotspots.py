"""`ecohotline insight ...` subcommands: hotspots, emerging hotspots and repeated sources.

    ecohotline insight hotspots --start 2026-09-01 --end 2026-11-30 [--category noise] [--format table|json]
    ecohotline insight emerging --end 2026-11-30 [--weeks 12 | --start 2026-09-07] [--category noise] [--format ...]
    ecohotline insight sources --start 2026-09-01 --end 2026-11-30 [--top 20] [--category ...] [--format ...]

No complainant's name or phone is printed; texts are masked as on the pages.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from ecohotline.cases.models import Category
from ecohotline.core.workdays import BEIJING
from ecohotline.insight import emerging, hotspots, sources

MAX_DAYS = 366 * 3


def _as_date(value: Any, name: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise CommandError(_("--%(name)s: not a date (YYYY-MM-DD): %(value)s") % {"name": name, "value": value}
                           ) from None


def _as_int(value: Any, name: str, low: int, high: int) -> int | None:
    if value is None:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = low - 1
    if not low <= number <= high:
        raise CommandError(_("--%(name)s: give a whole number from %(low)d to %(high)d.")
                           % {"name": name, "low": low, "high": high})
    return number


def _period(options: dict[str, Any], default_days: int = 90) -> tuple[dt.date, dt.date]:
    end = _as_date(options.get("end"), "end") or timezone.now().astimezone(BEIJING).date()
    start = _as_date(options.get("start"), "start") or end - dt.timedelta(days=default_days - 1)
    if end < start:
        raise CommandError(_("The end must be on or after the start."))
    if (end - start).days >= MAX_DAYS:
        raise CommandError(_("Choose a period of at most three years."))
    return start, end


def _category(options: dict[str, Any]) -> str | None:
    code = (options.get("category") or "").strip()
    if code and not Category.objects.filter(code=code).exists():
        raise CommandError(_("--category: unknown category %(code)s.") % {"code": code})
    return code or None


def _dump(command: Any, data: Any) -> None:
    command.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def handle_hotspots(command: Any, options: dict[str, Any]) -> None:
    start, end = _period(options)
    result = hotspots.compute_hotspots(start, end, category=_category(options))
    if options.get("format") == "json":
        body = result.as_json()
        ids = hotspots.cases_by_cell(hotspots.complaints(start, end, result.category),
                                     [cell for area in result.hotspots for cell in area.cell_ids])
        for area, item in zip(result.hotspots, body["hotspots"], strict=True):
            item["case_ids"] = hotspots.merge_case_ids(ids, area.cell_ids)
        _dump(command, body)
        return
    command.stdout.write(_("Hotspots %(start)s – %(end)s: %(cases)d complaints, %(cells)d cells, %(hot)d hot, "
                           "%(cold)d cold (FDR %(alpha)s).") % {
        "start": start, "end": end, "cases": result.cases, "cells": result.lattice_cells,
        "hot": len(result.hot_cells), "cold": len(result.cold_cells), "alpha": result.alpha})
    command.stdout.write(f"{'#':>3} {'lat':>9} {'lng':>10} {_('cells'):>6} {_('complaints'):>10} {'z':>7}")
    for area in result.hotspots:
        lat, lng = area.centre
        command.stdout.write(f"{area.rank:>3} {lat:>9.4f} {lng:>10.4f} {len(area.cells):>6} {area.count:>10} "
                             f"{area.peak_z:>7.2f}")


def handle_emerging(command: Any, options: dict[str, Any]) -> None:
    end = _as_date(options.get("end"), "end") or timezone.now().astimezone(BEIJING).date()
    weeks = _as_int(options.get("weeks"), "weeks", emerging.MIN_WEEKS, emerging.MAX_WEEKS)
    start = _as_date(options.get("start"), "start")
    if weeks is None and start is not None:
        if end < start:
            raise CommandError(_("The end must be on or after the start."))
        weeks = _as_int((end - start).days // 7 + 1, "weeks", emerging.MIN_WEEKS, emerging.MAX_WEEKS)
    found = emerging.compute_emerging(end, weeks=weeks or emerging.DEFAULT_WEEKS, category=_category(options))
    if options.get("format") == "json":
        _dump(command, found.as_json())
        return
    command.stdout.write(_("Emerging hotspots, %(weeks)d weeks %(start)s – %(end)s: %(found)d cells.") % {
        "weeks": found.weeks, "start": found.start, "end": found.end, "found": len(found.cells)})
    for cell in found.cells:
        lat, lng = cell.centre
        command.stdout.write(f"{cell.label:<14} {lat:>9.4f} {lng:>10.4f} {_('hot weeks')} {cell.hot_weeks:>3} "
                             f"tau {cell.tau:+.2f}  {' '.join(str(count) for count in cell.counts)}")


def handle_sources(command: Any, options: dict[str, Any]) -> None:
    start, end = _period(options, default_days=30)
    top = _as_int(options.get("top"), "top", 1, 10_000) or sources.DEFAULT_TOP
    found = sources.repeated_sources(start, end, category=_category(options), top=top)
    if options.get("format") == "json":
        _dump(command, found.as_json())
        return
    command.stdout.write(_("Repeated sources %(start)s – %(end)s: %(found)d of %(cases)d complaints.") % {
        "start": start, "end": end, "found": len(found.sources), "cases": found.cases})
    for source in found.sources:
        months = ", ".join(f"{month} {count}" for month, count in source.by_month.items())
        command.stdout.write(f"{source.rank:>3}. {source.name[:30]}  {source.address[:40]}")
        command.stdout.write(f"     {_('complaints')} {source.complaints}, {_('complainants')} {source.complainants}, "
                             f"{source.first_at.astimezone(BEIJING):%Y-%m-%d} – "
                             f"{source.last_at.astimezone(BEIJING):%Y-%m-%d}; {months}")


def register(subparsers: Any) -> None:
    """Add this topic's subcommands; each sets `handler=callable(command, options)` as its default."""
    for name, handler, text in (
        ("hotspots", handle_hotspots, "Getis-Ord Gi* hotspots of a period (FDR-controlled)."),
        ("emerging", handle_emerging, "Emerging hotspots: weekly Gi* and a Mann-Kendall trend per cell."),
        ("sources", handle_sources, "Repeated sources: places and polluters with repeated complaints, ranked."),
    ):
        parser = subparsers.add_parser(name, help=text)
        parser.add_argument("--start", help="first day, YYYY-MM-DD (default: the end's 90 days, 30 for sources)")
        parser.add_argument("--end", help="last day, YYYY-MM-DD, included (default: today in Beijing)")
        parser.add_argument("--category", default="", help="a category (noise) or sub-category (noise.social)")
        parser.add_argument("--format", choices=("table", "json"), default="table")
        if name == "emerging":
            parser.add_argument("--weeks", help=f"how many weeks (default {emerging.DEFAULT_WEEKS})")
        if name == "sources":
            parser.add_argument("--top", help=f"how many sources (default {sources.DEFAULT_TOP})")
        parser.set_defaults(handler=handler)
