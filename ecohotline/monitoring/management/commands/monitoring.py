"""`ecohotline monitoring <subcommand>`: the monitoring data's command line.

    ecohotline monitoring import FILE [FILE ...] [--station CODE] [--format auto|long|wide|beijing-air]
                                 [--create-stations] [--keep-existing] [--quiet]
    ecohotline monitoring scan [--start ISO] [--end ISO]

``import``: each file in its own transaction (a file that cannot be read, or breaks half-way, writes nothing);
the refused values are listed with their row and column. Exit code 0 when every value was taken, 1 when some were
refused, 2 when a file cannot be read at all (or does not exist). The summary goes to stdout, errors to stderr.
"""

from __future__ import annotations

import datetime as dt
import importlib
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ecohotline.core.workdays import BEIJING
from ecohotline.monitoring.importing import LAYOUTS, FileImport, import_file, parse_time

LISTED = 50


class Command(BaseCommand):
    help = "Monitoring station data: import readings files; scan them for early warnings."

    def add_arguments(self, parser: ArgumentParser) -> None:
        assert isinstance(parser, CommandParser)
        commands = parser.add_subparsers(dest="subcommand", metavar="{import,scan}", required=True)

        reading = commands.add_parser("import", help="import hourly readings from CSV files (.csv or .csv.gz)")
        reading.add_argument("files", nargs="+", metavar="FILE", help="CSV file(s): UTF-8, UTF-8 with BOM or GBK, "
                             "optionally gzipped")
        reading.add_argument("--station", default="", metavar="CODE",
                             help="the station of every row (for files without a station column)")
        reading.add_argument("--format", dest="layout", choices=LAYOUTS, default="auto",
                             help="long: station,time,parameter,value; wide: one column per parameter; "
                                  "beijing-air: the PRSA files (CO in µg/m³); auto (default): from the header")
        reading.add_argument("--create-stations", action="store_true",
                             help="create the stations a file names that do not exist yet (code = name)")
        reading.add_argument("--keep-existing", action="store_true",
                             help="keep stored values instead of replacing them with the file's")
        reading.add_argument("--quiet", action="store_true", help="only the summary")

        # --- scan: the alert services' entry point (ecohotline.monitoring.services.scan). Kept thin here. -------
        scanning = commands.add_parser("scan", help="run the early-warning detectors over the stored readings")
        scanning.add_argument("--start", default="", help="first hour to judge (ISO 8601, Beijing time when naive)")
        scanning.add_argument("--end", default="", help="end of the span, exclusive (default: this hour)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "scan":
            self._scan(options)
            return
        worst = 0
        for name in options["files"]:
            worst = max(worst, self._import(Path(name), options))
        if worst:
            raise SystemExit(worst)

    # --- import ---------------------------------------------------------------------------------------------------

    def _import(self, path: Path, options: dict[str, Any]) -> int:
        if not path.is_file():
            self.stderr.write(_("Cannot read %(file)s: no such file.") % {"file": path})
            return 2
        started = time.monotonic()
        report = import_file(path, station=options["station"], layout=options["layout"],
                             create_stations=options["create_stations"], replace=not options["keep_existing"])
        if report.exit_code == 2 or report.result is None:
            self.stderr.write(_("Cannot read %(file)s: %(reason)s. Nothing was imported from it.")
                              % {"file": path.name, "reason": report.error})
            return 2
        self._summary(report, time.monotonic() - started, quiet=options["quiet"])
        return report.exit_code

    def _summary(self, report: FileImport, seconds: float, *, quiet: bool) -> None:
        result = report.result
        assert result is not None
        say = self.stdout.write
        say(_("File: %(file)s (%(kind)s)") % {"file": report.path.name, "kind": report.description})
        say(_("%(rows)s rows in %(seconds).1f s: %(written)s readings written, %(unchanged)s unchanged, "
              "%(rejected)s refused, %(missing)s missing values skipped.")
            % {"rows": f"{report.rows_read:,}", "seconds": seconds, "written": f"{result.written:,}",
               "unchanged": f"{result.unchanged:,}", "rejected": f"{result.rejected:,}",
               "missing": f"{report.missing:,}"})
        if result.first_at is not None and result.last_at is not None:
            say(_("Hours: %(first)s to %(last)s (Beijing time).")
                % {"first": f"{result.first_at.astimezone(BEIJING):%Y-%m-%d %H:%M}",
                   "last": f"{result.last_at.astimezone(BEIJING):%Y-%m-%d %H:%M}"})
        if result.stations_created:
            say(_("New stations: %(codes)s") % {"codes": ", ".join(result.stations_created)})
        if result.rejections:
            by_reason: dict[str, list[int]] = {}
            for rejection in result.rejections:
                rows = by_reason.setdefault(rejection.reason, [])
                rows.append(rejection.where)
            say(_("Refused, by reason:"))
            for reason, rows in sorted(by_reason.items(), key=lambda item: -len(item[1]))[:LISTED]:
                say("  " + _("%(reason)s: %(count)s values (first in row %(row)s)")
                    % {"reason": reason, "count": f"{len(rows):,}", "row": rows[0]})
        if result.rejections and not quiet:
            say(_("Refused:"))
            for rejection in result.rejections[:LISTED]:
                say("  " + rejection.describe())
            if result.rejected > LISTED:
                say("  " + _("… and %(count)s more.") % {"count": f"{result.rejected - LISTED:,}"})
        if any(rejection.code == "unknown_station" for rejection in result.rejections):
            say(_("Unknown stations: add them in the admin, or import again with --create-stations."))

    # --- scan (lead: the alert services own this; only the call and its summary live here) -----------------------

    def _scan(self, options: dict[str, Any]) -> None:
        try:
            services = importlib.import_module("ecohotline.monitoring.services")
        except ModuleNotFoundError:
            services = None
        scan = getattr(services, "scan", None)
        if scan is None:
            raise CommandError(_("The scan is not available yet (ecohotline.monitoring.services.scan)."))
        kwargs = {name: self._moment(options[name], name) for name in ("start", "end") if options[name]}
        result = scan(**kwargs)
        counts = {name: getattr(result, name, None) for name in ("hits", "episodes", "opened", "updated",
                                                                 "verifications")}
        self.stdout.write(", ".join(f"{name}: {len(value) if isinstance(value, list) else value}"
                                    for name, value in counts.items() if value is not None))

    @staticmethod
    def _moment(text: str, name: str) -> dt.datetime:
        moment = parse_time(text)
        if moment is None:
            raise CommandError(_("--%(option)s: unrecognised date and time %(value)s")
                               % {"option": name, "value": text})
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=BEIJING)
