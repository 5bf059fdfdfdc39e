"""Time the demo district generator: cases per second and peak memory.

    .venv/bin/python bench/demo_data.py                      # 100,000 cases into a fresh SQLite file
    .venv/bin/python bench/demo_data.py --cases 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/eh_demo_bench .venv/bin/python bench/demo_data.py --recreate

Without DATABASE_URL the cases go into a new SQLite database in a temporary folder (removed afterwards
unless --keep). With a PostgreSQL DATABASE_URL the database must hold no cases, or --recreate drops and
creates it first. The organisation is built and migrations run before the clock starts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path


def _peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 2**20  # KiB on Linux, bytes on macOS


def _recreate_postgres(url: str) -> None:
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    name = config["NAME"]
    with psycopg.connect(host=config["HOST"] or None, port=config["PORT"] or None, user=config["USER"] or None,
                         password=config["PASSWORD"] or None, dbname="postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--end", default="2026-11-22", help="end date (fixed by default so runs compare)")
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--recreate", action="store_true", help="PostgreSQL: drop and create the database first")
    parser.add_argument("--keep", action="store_true", help="SQLite: keep the database folder")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    folder: Path | None = None
    if url.startswith(("postgres://", "postgresql://")):
        if args.recreate:
            _recreate_postgres(url)
        target = url.rsplit("@", 1)[-1]
    else:
        folder = Path(tempfile.mkdtemp(prefix="eh-bench-"))
        os.environ["ECOHOTLINE_DATA_DIR"] = str(folder)
        os.environ.pop("DATABASE_URL", None)
        target = str(folder / "ecohotline.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecohotline.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from ecohotline.cases.models import Case
    from ecohotline.demo.generator import DEFAULT_BATCH_SIZE, generate_cases
    from ecohotline.demo.organisation import build_organisation

    try:
        call_command("migrate", verbosity=0)
        if Case.objects.exists():
            print(f"{target} already holds cases; use an empty database (or --recreate)", file=sys.stderr)
            return 2
        build_organisation()
        baseline = _peak_rss_mib()
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            elapsed = max(time.monotonic() - started, 1e-9)
            sys.stderr.write(f"\r  {done:>10,} / {total:,} ({done / elapsed:,.0f} cases/s, "
                             f"peak RSS {_peak_rss_mib():,.0f} MiB)")
            sys.stderr.flush()

        result = generate_cases(count=args.cases, seed=args.seed, end=dt.date.fromisoformat(args.end),
                                batch_size=args.batch_size or DEFAULT_BATCH_SIZE, progress=progress)
        elapsed = time.monotonic() - started
        sys.stderr.write("\n")
        print(f"database      {connection.vendor} ({target})")
        print(f"cases         {result.cases:,} (seed {args.seed}, end {args.end})")
        print(f"events        {result.events:,}")
        print(f"records       {result.records:,}")
        print(f"time          {elapsed:,.1f} s")
        print(f"rate          {result.cases / elapsed:,.0f} cases/s")
        print(f"peak RSS      {_peak_rss_mib():,.0f} MiB (before generating: {baseline:,.0f} MiB)")
        if folder is not None:
            size = sum(p.stat().st_size for p in folder.glob("ecohotline.sqlite3*"))
            print(f"database size {size / 2**20:,.0f} MiB")
    finally:
        connection.close()
        if folder is not None and not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
