"""Time one year of hourly data of the 12 beijing-air stations: ingest, read back for a scan, detect.

    .venv/bin/python bench/monitoring_ingest.py                     # 2015-03-01 .. 2016-02-29, 3 runs
    .venv/bin/python bench/monitoring_ingest.py --runs 1 --start 2014-03-01 --end 2015-02-28
    .venv/bin/python bench/monitoring_ingest.py --data ../shared/data/beijing-air --keep

Each run makes a fresh SQLite database in a temporary folder (``ECOHOTLINE_DATA_DIR``; ``migrate`` runs before the
clock starts) and:

1. **ingest**: reads the 12 real ``PRSA_Data_*.csv.gz`` files (gzip, CSV parsing, checks, CO µg/m³ → mg/m³) and
   writes the readings of the data year through ``importing.ingest_readings`` — one transaction per station file,
   the upsert in executemany batches; the stations are created on the way (``create_stations``);
2. **scan read**: ``selectors.series_for_scan`` over the whole year (12 stations × 6 parameters, two queries);
3. **detect**: ``detectors.detect_all`` over those series (all detectors, neighbours included).

The figures printed are the median over the runs (each stage's median separately; total = median of totals), as
wall-clock time and as this process's CPU time (on a shared machine the wall clock also counts the others' work).
A run is done in a child process so that every run starts from a cold interpreter and a fresh database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "beijing-air"


def one_run(data: Path, start: dt.date, end: dt.date) -> dict[str, float]:
    """One measured run in this process (the database folder is set up by the caller)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecohotline.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from ecohotline.core.workdays import BEIJING
    from ecohotline.monitoring import detectors, selectors
    from ecohotline.monitoring.importing import ReadingFile, ingest_readings
    from ecohotline.monitoring.models import Reading

    first = dt.datetime.combine(start, dt.time(0))  # naive: Beijing time, as the files
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0))
    files = sorted(data.glob("PRSA_Data_*.csv.gz"))
    if len(files) != 12:
        raise SystemExit(f"expected the 12 beijing-air files in {data}, found {len(files)}")

    began, cpu = time.perf_counter(), time.process_time()
    written = rejected = 0
    for path in files:
        source = ReadingFile(path)
        result = ingest_readings(source.rows(since=first, until=after), create_stations=True)
        written += result.written
        rejected += result.rejected
    ingest, ingest_cpu = time.perf_counter() - began, time.process_time() - cpu
    stored = Reading.objects.count()

    began, cpu = time.perf_counter(), time.process_time()
    span = selectors.series_for_scan(first.replace(tzinfo=BEIJING), after.replace(tzinfo=BEIJING))
    read, read_cpu = time.perf_counter() - began, time.process_time() - cpu

    began, cpu = time.perf_counter(), time.process_time()
    hits = detectors.detect_all(span)
    detect, detect_cpu = time.perf_counter() - began, time.process_time() - cpu
    found = detectors.episodes(hits)
    return {"ingest": ingest, "rows": float(written), "stored": float(stored), "rejected": float(rejected),
            "read": read, "series": float(len(span)), "detect": detect, "hits": float(len(hits)),
            "episodes": float(len(found)), "total": ingest + read + detect, "ingest_cpu": ingest_cpu,
            "read_cpu": read_cpu, "detect_cpu": detect_cpu, "total_cpu": ingest_cpu + read_cpu + detect_cpu}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of the PRSA_Data_*.csv.gz files")
    parser.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2015, 3, 1))
    parser.add_argument("--end", type=dt.date.fromisoformat, default=dt.date(2016, 2, 29), help="last day, included")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the database folders")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        print(json.dumps(one_run(args.data, args.start, args.end)))
        return 0

    results = []
    for number in range(1, args.runs + 1):
        folder = Path(tempfile.mkdtemp(prefix="eh-monitoring-bench-"))
        env = {**os.environ, "ECOHOTLINE_DATA_DIR": str(folder), "DJANGO_SETTINGS_MODULE": "ecohotline.settings"}
        env.pop("DATABASE_URL", None)
        try:
            done = subprocess.run(
                [sys.executable, __file__, "--child", "--data", str(args.data), "--start", args.start.isoformat(),
                 "--end", args.end.isoformat()],
                env=env, check=True, capture_output=True, text=True,
            )
        finally:
            if not args.keep:
                shutil.rmtree(folder, ignore_errors=True)
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        results.append(figures)
        print(f"run {number}: ingest {figures['ingest']:.2f} s, scan read {figures['read']:.2f} s, "
              f"detect {figures['detect']:.2f} s, total {figures['total']:.2f} s", file=sys.stderr)

    def median(key: str) -> float:
        return statistics.median(result[key] for result in results)

    rows = median("rows")
    print(f"beijing-air, 12 stations, {args.start} .. {args.end}, SQLite, median of {len(results)} run(s)")
    print("               wall      CPU")
    print(f"  ingest     {median('ingest'):6.2f} s {median('ingest_cpu'):6.2f} s  {rows:,.0f} readings written "
          f"({rows / median('ingest'):,.0f} rows/s wall; {median('rejected'):,.0f} refused)")
    print(f"  scan read  {median('read'):6.2f} s {median('read_cpu'):6.2f} s  {median('series'):,.0f} series "
          f"(selectors.series_for_scan, {median('stored'):,.0f} readings stored)")
    print(f"  detect     {median('detect'):6.2f} s {median('detect_cpu'):6.2f} s  {median('hits'):,.0f} hits, "
          f"{median('episodes'):,.0f} episodes (detectors.detect_all)")
    print(f"  total      {median('total'):6.2f} s {median('total_cpu'):6.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
