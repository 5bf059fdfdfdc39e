"""Time the 12345 import with the full intake pipeline against a raw `executemany` insert of the same rows.

    .venv/bin/python bench/import_orders.py                  # 100,000 orders into a fresh SQLite database
    .venv/bin/python bench/import_orders.py --orders 10000 --days 365
    .venv/bin/python bench/import_orders.py --orders 10000 --profile /tmp/import.html

The organisation is the demo district (`ecohotline demo-data --cases 0`); migrations, the organisation and the
CSV (realistic rows across 海淀区 with GCJ-02 coordinates over --days days, a few % repeat complaints about the
same place and a few re-sent orders) are made before the clock starts. The pipeline figure is `run_import` on
the CSV file: reading, checking, triage, cases, timeline events, order records, duplicate lookups and
suggestions, in the importer's transactional batches (and, for a file this big, with triage of the next batch
in a second process: the CPU figure is this process's only). The floor is the same rows (already in memory)
inserted by `sqlite3` `executemany` into a table of the 13 columns, in one transaction. The database lives in
a temporary folder, removed afterwards unless --keep.

The default 100,000 orders over 150 days are about a hundred times a district's real density (Haidian: some
2,000 a year), which makes the duplicate lookups the hard part; --days 3650 is closer to real life.
"""

from __future__ import annotations

import argparse
import datetime as dt
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
    parser.add_argument("--batch-size", type=int, default=None,
                        help="rows per transaction (default: the importer's choice)")
    parser.add_argument("--repeat-share", type=float, default=0.03, help="repeat complaints (new order numbers)")
    parser.add_argument("--resend-share", type=float, default=0.01, help="the same order sent again")
    parser.add_argument("--days", type=int, default=150, help="the days the orders' times spread over")
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
    from ecohotline.core.workdays import BEIJING
    from ecohotline.intake.importing import run_import
    from ecohotline.intake.models import ImportRun
    from ecohotline.intake.tests.builders import COLUMNS, realistic_rows, write_csv

    database = folder / "ecohotline.sqlite3"
    try:
        call_command("migrate", verbosity=0)
        call_command("demo-data", cases=0, verbosity=0)
        made = time.monotonic()
        # From 2026-05-01, or early enough that no order lies in the future.
        start = min(dt.datetime(2026, 5, 1, 7, 0, tzinfo=BEIJING),
                    dt.datetime.now(BEIJING) - dt.timedelta(days=args.days + 1))
        rows = realistic_rows(args.orders, seed=args.seed, start=start, days=args.days,
                              repeat_share=args.repeat_share, resend_share=args.resend_share)
        csv_path = write_csv(folder / "orders.csv", rows)
        made = time.monotonic() - made
        size = csv_path.stat().st_size / 2**20
        print(f"orders        {len(rows):,} rows in {size:,.1f} MiB of CSV over {args.days:,} "
              f"days (made in {made:,.1f} s; {args.repeat_share:.0%} repeat complaints, {args.resend_share:.0%} "
              "re-sent)")

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
    finally:
        connection.close()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"kept          {folder}")
    return 0


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
