"""Duplicate candidate lookup: p50/p95 of `intake.duplicates.look_up` (the candidates and the 90-day repeat
count, as triage asks for them: one call) for probes drawn from the cases already in the database.

    ECOHOTLINE_DATA_DIR=/tmp/eh-1m .venv/bin/python bench/duplicate_lookup.py            # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/eh_1m .venv/bin/python bench/duplicate_lookup.py

Fill the database first, e.g. `ecohotline demo-data --cases 1000000`. Each probe is an unsaved copy of an
existing case (a new order about the same place), as the intake sees it.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--probes", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecohotline.settings")
    import django

    django.setup()
    from django.db import connection

    from ecohotline.cases.models import Case
    from ecohotline.intake import duplicates

    total = Case.objects.count()
    top = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    rng = random.Random(args.seed)
    ids = [rng.randint(1, top) for _ in range(args.probes * 3)]
    drawn = list(Case.objects.filter(pk__in=ids).only(
        "pk", "received_at", "sub_category", "latitude", "longitude", "street_id", "description",
        "complainant_phone", "polluter", "address")[: args.probes * 2])
    rng.shuffle(drawn)
    for probe in drawn:
        probe.pk = None  # a new order about the same place
    # Warm up on other probes than those timed (the timed ones find their pages as a real order would).
    warm, probes = drawn[args.probes:], drawn[: args.probes]

    def timed(function: object) -> list[float]:
        samples = []
        for probe in probes:
            started = time.perf_counter()
            function(probe)  # type: ignore[operator]
            samples.append((time.perf_counter() - started) * 1000)
        return samples

    for probe in warm:
        duplicates.look_up(probe)
    lookup = timed(duplicates.look_up)
    found = sum(1 for probe in probes[:200] if duplicates.look_up(probe).candidates)
    print(f"database      {connection.vendor}, {total:,} cases, {len(probes):,} probes")
    quantiles = statistics.quantiles(lookup, n=100)
    print(f"look-up       p50 {statistics.median(lookup):6.2f} ms   p95 {quantiles[94]:6.2f} ms   "
          f"max {max(lookup):6.2f} ms")
    print(f"probes with candidates: {found} of {min(200, len(probes))}")


if __name__ == "__main__":
    main()
