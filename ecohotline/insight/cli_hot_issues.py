"""`ecohotline hot-issues …` and its alias `ecohotline insight hot-issues …`: the hot issues (热点问题) of a message
file in the 附件3 layout or of the bureau's own complaints, as a table or JSON."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from argparse import ArgumentParser, ArgumentTypeError
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from ecohotline.insight.hotissues import HotIssue, MessageFileError, find_hot_issues, hot_issues_of_cases, read_messages


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ArgumentTypeError(_("Not a date (YYYY-MM-DD): %(value)s") % {"value": value}) from None


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise ArgumentTypeError(_("Give a whole number of at least 1: %(value)s") % {"value": value})
    return int(value)


def add_arguments(parser: ArgumentParser) -> None:
    """The options of the command and of its `insight hot-issues` alias."""
    parser.add_argument("--input", type=Path, metavar="FILE.csv",
                        help="messages in the layout of 附件3 (留言编号, 留言用户, 留言主题, 留言时间, 留言详情, "
                             "点赞数, 反对数), UTF-8 or GBK")
    parser.add_argument("--from-cases", action="store_true", help="the bureau's complaint cases instead of a file")
    parser.add_argument("--start", type=_date, help="with --from-cases: the first day (YYYY-MM-DD)")
    parser.add_argument("--end", type=_date, help="with --from-cases: the last day, included")
    parser.add_argument("--top", type=_positive, default=10, help="how many issues (default 10)")
    parser.add_argument("--format", choices=["table", "json"], default="table")


def width(text: str) -> int:
    """Columns the text takes in a terminal: two for a wide (CJK) character, none for a combining mark."""
    return sum(0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF" else 1
               for char in text)


def table(rows: list[list[str]], right: set[int]) -> list[str]:
    """Rows laid out in columns by display width; the columns in `right` aligned right."""
    widths = [max(width(row[index]) for row in rows) for index in range(len(rows[0]))]

    def pad(text: str, index: int) -> str:
        space = " " * max(widths[index] - width(text), 0)
        return space + text if index in right else text + space

    return ["  ".join(pad(cell, index) for index, cell in enumerate(row)).rstrip() for row in rows]


def _when(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def issue_rows(issues: list[HotIssue]) -> list[str]:
    header = [_("Rank"), _("Heat"), _("Issue"), _("Message count"), _("Complainants"), _("Time range"), _("Member ids")]
    rows = [header]
    for issue in issues:
        rows.append([str(issue.rank), f"{issue.heat:.1f}", issue.name, str(issue.messages), str(issue.complainants),
                     f"{_when(issue.first_at)} – {_when(issue.last_at)}", ",".join(issue.member_ids)])
    return table(rows, right={0, 1, 3, 4})


def run(command: Any, options: dict[str, Any]) -> None:
    """Find and print the hot issues the options ask for; a bad file or option is a `CommandError`."""
    if options.get("from_cases"):
        if options.get("input"):
            raise CommandError(_("Give either --input FILE or --from-cases, not both."))
        start, end = options.get("start"), options.get("end")
        if start is None or end is None:
            raise CommandError(_("--from-cases needs --start and --end (YYYY-MM-DD)."))
        if end < start:
            raise CommandError(_("--end must be on or after --start."))
        result = hot_issues_of_cases(start, end, top=options["top"])
        issues, data = result.issues, result.as_json()
        heading = _("%(start)s – %(end)s: %(cases)d complaint cases, %(issues)d hot issues") % {
            "start": start.isoformat(), "end": end.isoformat(), "cases": result.cases, "issues": len(issues)}
    else:
        if not options.get("input"):
            raise CommandError(_("Give --input FILE.csv or --from-cases."))
        try:
            messages = read_messages(Path(options["input"]))
        except MessageFileError as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(_("%(file)s: cannot be read (%(error)s).")
                               % {"file": options["input"], "error": error.strerror or error}) from None
        issues = find_hot_issues(messages, top=options["top"])
        data = {"file": str(options["input"]), "messages": len(messages),
                "issues": [issue.as_json() for issue in issues]}
        heading = _("%(file)s: %(messages)d messages, %(issues)d hot issues") % {
            "file": options["input"], "messages": len(messages), "issues": len(issues)}
    if options.get("format") == "json":
        command.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        return
    command.stdout.write(heading)
    command.stdout.write("")
    if issues:
        command.stdout.write("\n".join(issue_rows(issues)))


def register(subparsers: Any) -> None:
    """Add `insight hot-issues` (the same as `ecohotline hot-issues`)."""
    parser = subparsers.add_parser("hot-issues", help="hot issues (热点问题) of a message file or of the cases")
    add_arguments(parser)
    parser.set_defaults(handler=run)
