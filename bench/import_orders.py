"""Time the 12345 import with the full intake pipeline against a raw `executemany` insert of the same rows.

    .venv/bin/python bench/import_orders.py                  # 100,000 orders into a fresh SQLite database
    .venv/bin/python bench/import_orders.py --orders 10000
    .venv/bin/python bench/import_orders.py --orders 10000 --index-fix --profile /tmp/import.html

The organisation is the demo district (`ecohotline demo-data --cases 0`); migrations, the organisation and the
CSV (realistic rows across 海淀区 with GCJ-02 coordinates, a few % repeat complaints about the same place and a
few re-sent orders) are made before the clock starts. The pipeline figure is `run_import` on the CSV file:
reading, checking, triage, cases, timeline events, order records and suggestions, batches of 200 rows per
transaction. The floor is the same rows (already in memory) inserted by `sqlite3` `executemany` into a table
of the 13 columns, in one transaction. The database lives in a temporary folder, removed afterwards unless
--keep.

--index-fix adds a plain index on cases_case(channel, external_id) first: what-if for the full table scan of
`create_case`'s "order number already registered?" check. --what-if also patches, in this process only, the
other cheap fixes proposed for the pipeline (the services themselves are not changed): the leader of a street,
the deadline policies and the working-day overrides read once per run instead of once or twice per order, and
`OrderInput.content()` without deep-copying the raw row.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--repeat-share", type=float, default=0.03, help="repeat complaints (new order numbers)")
    parser.add_argument("--resend-share", type=float, default=0.01, help="the same order sent again")
    parser.add_argument("--index-fix", action="store_true",
                        help="add an index on cases_case(channel, external_id) before the import (what-if)")
    parser.add_argument("--what-if", action="store_true",
                        help="--index-fix plus the other proposed fixes, patched in for this run only")
    parser.add_argument("--profile", default="", metavar="OUT.html|OUT.prof",
                        help="profile the import: pyinstrument HTML if installed and OUT ends in .html, "
                             "else cProfile stats")
    parser.add_argument("--keep", action="store_true", help="keep the database folder")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="eh-import-bench-"))
    os.environ["ECOHOTLINE_DATA_DIR"] = str(folder)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ecohotline.settings"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from ecohotline.cases.models import Case, CaseEvent
    from ecohotline.intake.importing import run_import
    from ecohotline.intake.models import ImportRun
    from ecohotline.intake.tests.builders import COLUMNS, realistic_rows, write_csv

    database = folder / "ecohotline.sqlite3"
    try:
        call_command("migrate", verbosity=0)
        call_command("demo-data", cases=0, verbosity=0)
        if args.what_if:
            args.index_fix = True
            _patch_proposed_fixes()
        if args.index_fix:
            with connection.cursor() as cursor:
                cursor.execute("CREATE INDEX bench_case_channel_external ON cases_case (channel, external_id)")
        made = time.monotonic()
        rows = realistic_rows(args.orders, seed=args.seed, repeat_share=args.repeat_share,
                              resend_share=args.resend_share)
        csv_path = write_csv(folder / "orders.csv", rows)
        made = time.monotonic() - made
        print(f"orders        {len(rows):,} rows in {csv_path.stat().st_size / 2**20:,.1f} MiB of CSV "
              f"(made in {made:,.1f} s; {args.repeat_share:.0%} repeat complaints, {args.resend_share:.0%} re-sent)")

        started = time.monotonic()
        cpu_started = time.process_time()

        def progress(run: ImportRun) -> None:
            elapsed = max(time.monotonic() - started, 1e-9)
            sys.stderr.write(f"\r  {run.rows_done:>9,} / {run.rows_total:,} rows ({run.rows_done / elapsed:,.0f}/s)")
            sys.stderr.flush()

        def go() -> None:
            report = run_import(path=csv_path, batch_size=args.batch_size, progress=progress)
            results.append(report.run)

        results: list[ImportRun] = []
        if args.profile:
            _profiled(go, args.profile)
        else:
            go()
        elapsed = time.monotonic() - started
        cpu = time.process_time() - cpu_started
        sys.stderr.write("\n")
        run = results[0]

        values = [tuple(str(row.get(column, "")) for column in COLUMNS) for row in rows]
        raw = sqlite3.connect(database)
        raw.execute("CREATE TABLE bench_raw_orders (" + ", ".join(f'"{c}" TEXT' for c in COLUMNS) + ")")
        floor_started = time.monotonic()
        with raw:
            raw.executemany(f"INSERT INTO bench_raw_orders VALUES ({', '.join('?' * len(COLUMNS))})", values)
        floor = time.monotonic() - floor_started
        raw.close()

        print(f"database      SQLite ({database})")
        print(f"taken         {run.created:,} new, {run.updated:,} supplements, {run.unchanged:,} already known, "
              f"{run.rejected:,} rejected ({Case.objects.count():,} cases, {CaseEvent.objects.count():,} events)")
        print(f"pipeline      {elapsed:,.1f} s wall, {cpu:,.1f} s CPU: {run.rows_total / elapsed:,.0f} orders/s "
              f"({run.rows_total / max(cpu, 1e-9):,.0f} per CPU second)")
        print(f"floor         {floor:,.3f} s: {len(values) / max(floor, 1e-9):,.0f} rows/s (raw executemany)")
        print(f"ratio         pipeline takes {elapsed / max(floor, 1e-9):,.0f}× the floor")
        if args.what_if:
            print("what-if       index on cases_case(channel, external_id), leader/policies/overrides read once, "
                  "content() without deep copy")
        elif args.index_fix:
            print("what-if       with an index on cases_case(channel, external_id)")
    finally:
        connection.close()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"kept          {folder}")
    return 0


def _patch_proposed_fixes() -> None:
    """Patch in (for this process) the fixes proposed for files this benchmark does not own."""
    import dataclasses
    import datetime as dt
    from typing import Any

    from ecohotline.cases import deadlines
    from ecohotline.cases import services as case_services
    from ecohotline.cases.models import DeadlinePolicy
    from ecohotline.core.selectors import workday_overrides
    from ecohotline.intake import routing
    from ecohotline.intake.orders import OrderInput
    from ecohotline.org import selectors as org_selectors
    from ecohotline.org.models import OrgUnit, User

    leaders: dict[int | None, User | None] = {}

    def leader_for_street(street: OrgUnit | None) -> User | None:
        key = street.pk if street is not None else None
        if key not in leaders:
            leaders[key] = org_selectors.leader_for_street(street)
        return leaders[key]

    policies = list(DeadlinePolicy.objects.filter(is_active=True))
    find_policy = deadlines.find_policy

    def cached_find_policy(channel: str, request_type: str, urgency: str,
                           candidates: list[DeadlinePolicy] | None = None) -> DeadlinePolicy | None:
        return find_policy(channel, request_type, urgency, candidates if candidates is not None else policies)

    overrides = workday_overrides()
    names = [f.name for f in dataclasses.fields(OrderInput) if f.name != "raw"]

    def content(self: OrderInput) -> dict[str, Any]:
        values = {name: getattr(self, name) for name in names}
        return {key: value.isoformat() if isinstance(value, dt.datetime) else value for key, value in values.items()}

    case_services.leader_for_street = leader_for_street  # type: ignore[assignment]
    routing.leader_for_street = leader_for_street  # type: ignore[assignment]
    deadlines.find_policy = cached_find_policy  # type: ignore[assignment]
    case_services.workday_overrides = lambda: overrides  # type: ignore[assignment]
    OrderInput.content = content  # type: ignore[method-assign]


def _profiled(call: Callable[[], None], out: str) -> None:
    if out.endswith(".html"):
        try:
            from pyinstrument import Profiler
        except ImportError:
            print("pyinstrument is not installed; writing cProfile stats instead", file=sys.stderr)
        else:
            profiler = Profiler(interval=0.001)
            profiler.start()
            try:
                call()
            finally:
                profiler.stop()
                Path(out).write_text(profiler.output_html())
                print(profiler.output_text(unicode=True, color=False, show_all=False), file=sys.stderr)
            return
    import cProfile
    import pstats

    profile = cProfile.Profile()
    profile.runcall(call)
    profile.dump_stats(out if not out.endswith(".html") else out[:-5] + ".prof")
    pstats.Stats(profile).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    raise SystemExit(main())
