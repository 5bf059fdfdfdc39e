"""Gi* hotspots (and emerging hotspots, repeated sources) over an existing database of cases, read-only.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/eh_kpis_1m .venv/bin/python bench/hotspots.py
    ECOHOTLINE_DATA_DIR=/tmp/eh-hot-100k .venv/bin/python bench/hotspots.py          # SQLite
    .venv/bin/python bench/hotspots.py --repeat 7 --end 2026-11-22 --sources

The database must already hold cases (build one with `ecohotline demo-data --cases N --end 2026-11-22`): this
script never migrates nor writes. The session is made read-only (PostgreSQL: `SET SESSION CHARACTERISTICS AS
TRANSACTION READ ONLY`; SQLite: `PRAGMA query_only = ON`), so a write would fail rather than happen. Nothing it
calls needs the insight app's tables.

Timed, each `--repeat` times after one warm-up, median and p95:

* the aggregate alone: complaints per grid cell over the year ending on `--end` (one GROUP BY geo_cell);
* `compute_hotspots` of that year (the target: under 10 s at 1,000,000 cases), for all categories and for the
  largest category;
* `compute_emerging` of the 12 weeks ending on `--end`;
* with `--sources`, `repeated_sources` of the 30 and of the 90 days ending on `--end`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

END = "2026-11-22"


def _time(label: str, run: Callable[[], Any], repeat: int) -> Any:
    result = run()  # warm-up
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        samples.append((time.perf_counter() - started) * 1000)
    median = statistics.median(samples)
    p95 = statistics.quantiles(samples, n=20)[18] if len(samples) > 1 else samples[0]
    print(f"{label:<52} p50 {median:9.1f} ms   p95 {p95:9.1f} ms", flush=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--end", default=END, help="the last day of the year measured (YYYY-MM-DD)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per line (after one warm-up)")
    parser.add_argument("--sources", action="store_true", help="also time the repeated sources of 90 days")
    args = parser.parse_args()
    end = dt.date.fromisoformat(args.end)
    start = end - dt.timedelta(days=364)

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecohotline.settings")
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count

    from ecohotline.cases.models import Case, CaseKind
    from ecohotline.insight import emerging, hotspots, sources

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA query_only = ON")
    total = Case.objects.count()
    if not total:
        print("The database holds no cases: build one first (see --help).", file=sys.stderr)
        return 1
    since, until = hotspots.day_bounds(start, end)
    year = Case.objects.filter(kind=CaseKind.COMPLAINT, received_at__gte=since, received_at__lt=until)
    in_year = year.count()
    top = year.order_by().values("category").annotate(n=Count("pk")).order_by("-n").first()
    category = top["category"] if top else None
    print(f"{connection.vendor}: {total:,} cases; {in_year:,} complaints received {start} to {end}; "
          f"largest category {category!r}", flush=True)

    cells = _time("complaints per cell (the aggregate alone)",
                  lambda: hotspots.without_jit(hotspots.count_cells, start, end, None), args.repeat)
    result = _time("compute_hotspots, a year, all categories",
                   lambda: hotspots.compute_hotspots(start, end), args.repeat)
    print(f"    {len(cells):,} occupied cells, lattice {result.lattice_cells:,}, {result.cases:,} complaints; "
          f"{len(result.hot_cells)} hot and {len(result.cold_cells)} cold cells, {len(result.hotspots)} hotspots")
    if category:
        one = _time(f"compute_hotspots, a year, category {category}",
                    lambda: hotspots.compute_hotspots(start, end, category=category), args.repeat)
        print(f"    {one.cases:,} complaints; {len(one.hot_cells)} hot cells, {len(one.hotspots)} hotspots")
    rising = _time("compute_emerging, 12 weeks", lambda: emerging.compute_emerging(end, weeks=12), args.repeat)
    kinds = {kind: len(rising.of_kind(kind)) for kind in emerging.CLASSES}
    print(f"    {kinds}")
    if args.sources:
        for days in (30, 90):
            first = end - dt.timedelta(days=days - 1)
            found = _time(f"repeated_sources, {days} days", partial(sources.repeated_sources, first, end),
                          args.repeat)
            print(f"    {found.cases:,} complaints; top: "
                  + "; ".join(f"{s.name} ({s.complaints})" for s in found.sources[:3]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
