"""`ecohotline hot-issues --input FILE.csv [--top N] [--format table|json]` or
`ecohotline hot-issues --from-cases --start YYYY-MM-DD --end YYYY-MM-DD`: the hot issues (热点问题), hottest first,
each with rank, name (place and problem), heat, time range and member ids. A bad file is a clear error naming the
row and column."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from ecohotline.insight import cli_hot_issues


class Command(BaseCommand):
    help = "Hot issues (热点问题): messages about one problem at one place, grouped and ranked by heat."

    def add_arguments(self, parser: ArgumentParser) -> None:
        cli_hot_issues.add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        cli_hot_issues.run(self, options)
