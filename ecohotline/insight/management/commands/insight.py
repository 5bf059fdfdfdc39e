"""`ecohotline insight <subcommand>`: the insight analyses on the console (see `--help`)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ecohotline.insight import cli_analysis, cli_hot_issues, cli_hotspots, cli_planning, cli_registry


class Command(BaseCommand):
    help = "Insight: complaints by category, industry, time and place; hotspots; rises; forecasts; the planner."

    def add_arguments(self, parser: ArgumentParser) -> None:
        subparsers = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND")
        for module in (cli_analysis, cli_hotspots, cli_hot_issues, cli_planning, cli_registry):
            module.register(subparsers)

    def handle(self, *args: Any, **options: Any) -> None:
        handler = options.get("handler")
        if handler is None:
            raise CommandError(_("Name a subcommand; see `ecohotline insight --help`."))
        handler(self, options)
