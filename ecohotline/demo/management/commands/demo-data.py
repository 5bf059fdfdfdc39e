"""`ecohotline demo-data --cases N --seed S [--end YYYY-MM-DD] [--days D] [--append]`: the demo district.

Creates (or brings up to date) the organisation of a Haidian-like district and its staff, then N cases over
the year (or the D days) before the end date. Same seed and end date, same data. See `ecohotline.demo.generator`.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ecohotline.cases.models import Case, CaseEvent
from ecohotline.core import bulk
from ecohotline.core.workdays import BEIJING
from ecohotline.demo.followup import build_follow_up
from ecohotline.demo.generator import DAYS, DEFAULT_BATCH_SIZE, cutoff_for, generate_cases
from ecohotline.demo.insight import build_insight
from ecohotline.demo.monitoring import DAYS as MONITORING_DAYS
from ecohotline.demo.monitoring import build_monitoring
from ecohotline.demo.organisation import build_organisation
from ecohotline.demo.people import DEMO_LOGINS, DEMO_PASSWORD
from ecohotline.demo.training import build_training


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def _days(value: str) -> int:
    try:
        number = int(value)
    except ValueError as exc:
        raise ArgumentTypeError(f"not a whole number of days: {value!r}") from exc
    if number < 1:
        raise ArgumentTypeError("the number of days must be at least 1")
    return number


def _count(value: str) -> int:
    number = int(value.replace("_", "").replace(",", ""))
    if number < 0:
        raise ArgumentTypeError("the number of cases must not be negative")
    return number


class Command(BaseCommand):
    help = "Create the demo district: its organisation, staff and N realistic cases over a year."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--cases", type=_count, default=2000, help="how many cases (default 2000; 0: "
                            "only the organisation)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--end", type=_date, default=None,
                            help="end of the year covered, YYYY-MM-DD (default: today in Beijing): cases are "
                                 "received in the 365 days (or --days) up to 00:00 of that day")
        parser.add_argument("--days", type=_days, default=DAYS,
                            help=f"how many days before the end the cases span (default {DAYS}; e.g. 1095 for "
                                 "three years of seasonal history for the forecasts)")
        parser.add_argument("--append", action="store_true",
                            help="add cases even though the database already holds some")
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE,
                            help=f"cases written per batch (default {DEFAULT_BATCH_SIZE})")
        parser.add_argument("--quiet", action="store_true", help="no progress on stderr")

    def handle(self, *args: Any, **options: Any) -> None:
        # call_command(..., cases=80, end="2026-11-20") passes keyword values without the parser's types
        try:
            count = options["cases"] if isinstance(options["cases"], int) else _count(str(options["cases"]))
            end = options["end"] if isinstance(options["end"], dt.date) or options["end"] is None \
                else _date(str(options["end"]))
            days = options.get("days", DAYS)
            days = days if isinstance(days, int) else _days(str(days))
        except (ArgumentTypeError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        end = end or timezone.now().astimezone(BEIJING).date()
        seed = int(options["seed"])
        talk = int(options.get("verbosity", 1)) > 0
        quiet = options["quiet"] or not talk
        existing = Case.objects.count()
        if count and existing and not options["append"]:
            raise CommandError(
                f"The database already holds {existing:,} cases. Use --append to add more (with another "
                f"--seed), or start from an empty database."
            )

        def say(text: str) -> None:
            if talk:
                self.stdout.write(text)

        summary = build_organisation()
        say(f"Organisation: {summary.units} units ({summary.places} streets and towns), "
            f"{summary.staff} staff, {summary.areas} leaders' areas.")
        if count:
            cutoff = cutoff_for(end)
            say(f"Making {count:,} cases (seed {seed}) received from "
                f"{cutoff - dt.timedelta(days=days):%Y-%m-%d} to {cutoff:%Y-%m-%d %H:%M} Beijing time…")
            started = time.monotonic()

            def progress(done: int, total: int) -> None:
                if quiet:
                    return
                elapsed = max(time.monotonic() - started, 1e-9)
                sys.stderr.write(f"\r  {done:>10,} / {total:,} cases ({100 * done / max(total, 1):5.1f}%), "
                                 f"{done / elapsed:,.0f} cases/s")
                sys.stderr.flush()

            try:
                result = generate_cases(count=count, seed=seed, end=end, append=options["append"],
                                        batch_size=options["batch_size"], progress=progress, days=days)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            if not quiet:
                sys.stderr.write("\n")
            bulk.refresh_statistics(Case, CaseEvent)  # fresh query plans for what was just loaded
            say(
                f"Wrote {result.cases:,} cases, {result.events:,} timeline events and {result.records:,} "
                f"records in {result.seconds:.1f} s ({result.cases / max(result.seconds, 1e-9):,.0f} cases/s)."
            )
        if count:  # --cases 0 makes only the organisation
            monitoring = build_monitoring(seed=seed, end=min(timezone.now(), cutoff_for(end)))
            say(f"Monitoring: {monitoring.stations} air stations, {monitoring.readings:,} hourly readings of the "
                f"last {MONITORING_DAYS} days, {monitoring.alerts} alerts, {monitoring.verifications} "
                f"verification case(s).")
            follow_up = build_follow_up(seed=seed, today=min(timezone.localdate(timezone.now(), BEIJING), end))
            say(f"Ledger: {follow_up.entries} open entries ({follow_up.difficult} difficult), "
                f"{follow_up.retrospectives_done} retrospectives, {follow_up.decisions} meeting decisions, "
                f"{follow_up.documents} documents in the archive.")
            insight = build_insight(today=min(timezone.localdate(timezone.now(), BEIJING), end))
            say(f"Insight: {insight.key_units} key units ({insight.links} complaints linked), {insight.alerts} "
                f"rise alert(s), {insight.proposals} proposed task(s), {insight.approved} approved; the month's theme.")
            training = build_training()
            say(f"Training: {training.scenarios} scenarios, {training.runs} runs (one waiting for handler1, two "
                f"finished for the trainer's overview).")
        say(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for username, role, display in DEMO_LOGINS:
            say(f"  {username:<22} {role:<15} {display}")
