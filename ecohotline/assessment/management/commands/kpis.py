"""`ecohotline kpis --start … --end … [--group-by …] [--format table|json|xlsx] [--out FILE]`."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from argparse import ArgumentParser, ArgumentTypeError
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from ecohotline.assessment.kpis import FIGURE_NAMES, GROUPS, compute_kpis, report_json

RATE_COLUMNS = (pgettext_lazy("kpis table", "Assessed"), pgettext_lazy("kpis table", "Response"),
                pgettext_lazy("kpis table", "Resolution"), pgettext_lazy("kpis table", "Satisfaction"),
                pgettext_lazy("kpis table", "Composite"), pgettext_lazy("kpis table", "On time"))
OTHER_COLUMNS = (pgettext_lazy("kpis table", "Answers"), pgettext_lazy("kpis table", "Reopened"),
                 pgettext_lazy("kpis table", "Received"), pgettext_lazy("kpis table", "Duplicates"),
                 pgettext_lazy("kpis table", "Contacted in time"), pgettext_lazy("kpis table", "Hours to contact"),
                 pgettext_lazy("kpis table", "Hours to reply"), pgettext_lazy("kpis table", "Appeals approved"))
OTHER_NOTE = pgettext_lazy("kpis table",
                           "Answers: satisfied / basically satisfied / dissatisfied. Hours: mean / median.")


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ArgumentTypeError(_("Not a date (YYYY-MM-DD): %(value)s") % {"value": value}) from None


def _percent(value: Any) -> str:
    return "—" if value is None else f"{100 * value:.2f}%"


def _share(count: int, of: int, rate: float | None) -> str:
    """A rate with the counts it comes from, e.g. `2/10 20.00%`, so it can be checked by hand."""
    return f"{count}/{of} {_percent(rate)}"


def _hours(mean: float | None, median: float | None) -> str:
    return " / ".join("—" if value is None else f"{value:.1f}" for value in (mean, median))


def width(text: str) -> int:
    """Columns the text takes in a terminal: two for a wide (CJK) character, none for a combining mark."""
    return sum(0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF" else 1
               for char in text)


def _pad(text: str, columns: int, *, left: bool) -> str:
    space = " " * max(columns - width(text), 0)
    return text + space if left else space + text


def table(rows: list[list[str]]) -> list[str]:
    """Rows laid out in columns: the first (names) aligned left, the others right, by display width."""
    widths = [max(width(row[index]) for row in rows) for index in range(len(rows[0]))]
    return ["  ".join(_pad(cell, widths[index], left=index == 0) for index, cell in enumerate(row)).rstrip()
            for row in rows]


class Command(BaseCommand):
    help = "The 三率, the composite, the on-time rate and the other figures of a period, for the bureau and per group."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--start", type=_date, required=True)
        parser.add_argument("--end", type=_date, required=True, help="the last day, included")
        parser.add_argument("--group-by", choices=list(GROUPS))
        parser.add_argument("--format", choices=["table", "json", "xlsx"], default="table")
        parser.add_argument("--out", type=Path, help="the file to write (xlsx needs one)")

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = options["start"], options["end"]
        if end < start:
            raise CommandError(_("--end must be on or after --start."))
        if options["format"] == "xlsx" and not options["out"]:
            raise CommandError(_("--format xlsx needs --out FILE."))
        data = report_json(compute_kpis(start, end, group_by=options["group_by"]))
        rows = [(pgettext("kpis table", "Whole bureau"), data["total"]),
                *((group["name"] or str(group["group"]), group) for group in data["groups"])]
        if options["format"] == "json":
            text = json.dumps(data, ensure_ascii=False, indent=2)
            if options["out"]:
                options["out"].write_text(text, encoding="utf-8")
            else:
                self.stdout.write(text)
            return
        if options["format"] == "xlsx":
            from openpyxl import Workbook

            book = Workbook()
            sheet = book.active
            assert sheet is not None
            sheet.title = pgettext("kpis table", "KPIs")
            sheet.append(["", *FIGURE_NAMES])
            for name, figures in rows:
                sheet.append([name, *(figures[key] for key in FIGURE_NAMES)])
            book.save(options["out"])
            self.stdout.write(f"{options['out']}")
            return
        self.stdout.write(f"{data['start']} – {data['end']} · {data['scheme']['name']}")
        self.stdout.write("")
        three = [["", *(str(label) for label in RATE_COLUMNS)]]
        for name, f in rows:
            three.append([name, str(f["assessed"]), _share(f["contacted"], f["assessed"], f["response_rate"]),
                          _share(f["solved"], f["assessed"], f["resolution_rate"]),
                          _percent(f["satisfaction_rate"]),
                          "—" if f["composite"] is None else f"{f['composite']:.2f}",
                          _share(f["completed_on_time"], f["completed"], f["on_time_rate"])])
        self.stdout.write("\n".join(table(three)))
        self.stdout.write("")
        self.stdout.write(str(OTHER_NOTE))
        other = [["", *(str(label) for label in OTHER_COLUMNS)]]
        for name, f in rows:
            other.append([name, f"{f['satisfied']}/{f['basically_satisfied']}/{f['dissatisfied']}",
                          _share(f["reopened"], f["assessed"], f["reopen_rate"]), str(f["received"]),
                          _share(f["merged"], f["received"], f["duplicate_rate"]),
                          _share(f["contacted_in_time"], f["contact_due"], f["contact_in_time_rate"]),
                          _hours(f["contact_hours_mean"], f["contact_hours_median"]),
                          _hours(f["reply_hours_mean"], f["reply_hours_median"]),
                          _share(f["appeals_approved"], f["appeals_filed"], f["appeal_approval_rate"])])
        self.stdout.write("\n".join(table(other)))
