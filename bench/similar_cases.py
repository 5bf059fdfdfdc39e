"""Similar past cases: p50/p95 of `knowledge.similar.similar_cases` (the candidates, their scores and the top five
with their records, as the case page's fragment asks for them) for cases drawn from the database.

    .venv/bin/python bench/similar_cases.py                          # 100,000 cases in /tmp/eh-similar-100000
    .venv/bin/python bench/similar_cases.py --size 1000000 --data /tmp/eh-1m
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/eh_1m .venv/bin/python bench/similar_cases.py

The target: under 200 ms at 1,000,000 cases. The database is reused when it already holds cases (whatever their
number: `--size` is then ignored); an empty one is migrated and filled with `ecohotline demo-data --cases N
--end 2026-11-22` first. SQLite databases live in `--data` (default $ECOHOTLINE_DATA_DIR, else
/tmp/eh-similar-N); a PostgreSQL one is named by DATABASE_URL and must exist. The probes are cases of the last
two months with a sub-category, looked at by a dispatcher (who sees every case: the widest, slowest reader).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

from _setup import ensure_demo_data, use_database


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000, help="cases to build when the database is empty")
    parser.add_argument("--data", type=Path, help="SQLite: the data folder")
    parser.add_argument("--probes", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    use_database(args.data, f"/tmp/eh-similar-{args.size}")
    from django.db import connection

    from ecohotline.cases.models import Case
    from ecohotline.knowledge import similar
    from ecohotline.org.models import Role, User

    ensure_demo_data(cases=args.size, end="2026-11-22")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    viewer = User.objects.filter(role_assignments__role=Role.DISPATCHER).first()
    if viewer is None:
        print("no dispatcher in the database", file=sys.stderr)
        return 1
    total = Case.objects.count()
    latest = Case.objects.order_by("-received_at").values_list("received_at", flat=True).first()
    assert latest is not None
    recent = list(Case.objects.filter(received_at__gte=latest - dt.timedelta(days=60))
                  .exclude(sub_category="").values_list("pk", flat=True))
    rng = random.Random(args.seed)
    rng.shuffle(recent)
    chosen = recent[: args.probes * 2]
    probes = list(Case.objects.filter(pk__in=chosen))
    rng.shuffle(probes)
    warm, timed = probes[args.probes:], probes[: args.probes]
    for probe in warm:
        similar.similar_cases(probe, viewer)

    samples, shown, candidates = [], [], []
    for probe in timed:
        started = time.perf_counter()
        found = similar.similar_cases(probe, viewer)
        samples.append((time.perf_counter() - started) * 1000)
        shown.append(len(found))
    for probe in timed[:50]:
        candidates.append(len(similar.candidate_rows(probe)))
    quantiles = statistics.quantiles(samples, n=20)
    print(f"database   {connection.vendor}, {total:,} cases, {len(timed):,} probes (cases of the last 60 days)")
    print(f"similar    p50 {statistics.median(samples):7.1f} ms   p95 {quantiles[18]:7.1f} ms   "
          f"max {max(samples):7.1f} ms")
    print(f"shown      {statistics.mean(shown):.1f} similar cases on average; "
          f"candidates scored p50 {statistics.median(candidates):.0f}, max {max(candidates)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
