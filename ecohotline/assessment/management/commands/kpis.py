"""`ecohotline kpis --start … --end … [--group-by …] [--format table|json|xlsx] [--out FILE]`."""

from __future__ import annotations

import datetime as dt
import json
from argparse import ArgumentParser, ArgumentTypeError
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ecohotline.assessment.kpis import FIGURE_NAMES, GROUPS, compute_kpis, report_json


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ArgumentTypeError(f"not a date (YYYY-MM-DD): {value}") from None


def _percent(value: Any) -> str:
    return "—" if value is None else f"{100 * value:.2f}%"


class Command(BaseCommand):
    help = "The 三率, the composite and the on-time rate of a period, for the bureau and per group."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--start", type=_date, required=True)
        parser.add_argument("--end", type=_date, required=True, help="the last day, included")
        parser.add_argument("--group-by", choices=list(GROUPS))
        parser.add_argument("--format", choices=["table", "json", "xlsx"], default="table")
        parser.add_argument("--out", type=Path, help="the file to write (xlsx needs one)")

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = options["start"], options["end"]
        if end < start:
            raise CommandError("--end must be on or after --start")
        data = report_json(compute_kpis(start, end, group_by=options["group_by"]))
        rows = [("全局", data["total"]), *((group["name"] or str(group["group"]), group) for group in data["groups"])]
        if options["format"] == "json":
            text = json.dumps(data, ensure_ascii=False, indent=2)
            if options["out"]:
                options["out"].write_text(text, encoding="utf-8")
            else:
                self.stdout.write(text)
            return
        if options["format"] == "xlsx":
            if not options["out"]:
                raise CommandError("--format xlsx needs --out FILE")
            from openpyxl import Workbook

            book = Workbook()
            sheet = book.active
            sheet.title = "三率"
            sheet.append(["", *FIGURE_NAMES])
            for name, figures in rows:
                sheet.append([name, *(figures[key] for key in FIGURE_NAMES)])
            book.save(options["out"])
            self.stdout.write(f"{options['out']}")
            return
        self.stdout.write(f"{data['start']} – {data['end']} · {data['scheme']['name']}")
        self.stdout.write(f"{'':<16}{'考核件':>8}{'响应率':>10}{'解决率':>10}{'满意率':>10}{'综合':>8}{'按期办结率':>12}")
        for name, figures in rows:
            composite = "—" if figures["composite"] is None else f"{figures['composite']:.2f}"
            self.stdout.write(f"{name[:14]:<16}{figures['assessed']:>8}{_percent(figures['response_rate']):>10}"
                              f"{_percent(figures['resolution_rate']):>10}{_percent(figures['satisfaction_rate']):>10}"
                              f"{composite:>8}{_percent(figures['on_time_rate']):>12}")
