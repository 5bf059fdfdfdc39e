"""Time the place step (intake.place) and measure how often it puts an order in the right street.

    .venv/bin/python bench/place_speed.py                 # 10,000 demo cases + 10,000 generated addresses
    .venv/bin/python bench/place_speed.py --orders 50000 --skip-demo

Two sets of orders, each placed without the hotline's 所属街乡 (so the address decides):
- "demo": the cases of `ecohotline demo-data` (made into a fresh SQLite file in a temporary folder): their
  address and WGS-84 coordinates, the case's street as the truth; once with and once without coordinates.
- "mixed": addresses generated from the gazetteer and the demo's streets in the ways people write them
  (北京市海淀区…, 海淀…, a town's official name, a community alone, a road with GCJ-02/BD-09 coordinates, other
  districts' addresses that must be flagged), seeded.

Prints orders/s and µs per order (the budget is 200 µs), and for each set the share placed in the right
street, flagged, and placed wrongly.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Sample:
    order: object  # OrderInput
    truth: str  # the right street's name, "" when the order must be flagged


def _demo_samples(count: int, seed: int) -> tuple[list[Sample], list[Sample], list[object]]:
    from django.core.management import call_command

    from ecohotline.cases.models import Case
    from ecohotline.demo.generator import generate_cases
    from ecohotline.demo.organisation import build_organisation
    from ecohotline.intake.orders import OrderInput
    from ecohotline.org.models import PLACE_KINDS, OrgUnit

    call_command("migrate", verbosity=0)
    build_organisation()
    generate_cases(count=count, seed=seed, end=dt.date(2026, 11, 22))
    streets = list(OrgUnit.objects.filter(kind__in=PLACE_KINDS, is_active=True))
    with_coords, without = [], []
    received = dt.datetime(2026, 5, 3, tzinfo=dt.UTC)
    for case in Case.objects.select_related("street").order_by("pk")[:count]:
        truth = case.street.name if case.street else ""
        common = {"channel": "hotline_12345", "external_id": case.external_id, "received_at": received,
                  "description": "", "address": case.address, "district": case.district}
        with_coords.append(Sample(OrderInput(**common, longitude=case.longitude, latitude=case.latitude), truth))
        without.append(Sample(OrderInput(**common), truth))
    return with_coords, without, streets


def _mixed_samples(count: int, seed: int) -> tuple[list[Sample], list[object]]:
    from ecohotline.core import geo
    from ecohotline.core.gazetteer import COMMUNITY, TOWNSHIP, Gazetteer
    from ecohotline.demo.places import PLACES
    from ecohotline.intake.orders import OrderInput
    from ecohotline.org.models import OrgUnit

    rng = random.Random(seed)
    gaz = Gazetteer.default()
    streets = [OrgUnit(pk=i + 1, name=p.name, code=p.code, kind=p.kind) for i, p in enumerate(PLACES)]
    haidian = gaz.lookup("海淀区")[0]
    towns = {t.name: t for t in gaz.children(haidian)}
    others = [d for d in gaz.at_level(2) if d != haidian]
    received = dt.datetime(2026, 5, 3, tzinfo=dt.UTC)
    samples = []
    for n in range(count):
        place = rng.choice(PLACES)
        town = towns[place.name]
        members = [c for c in gaz.children(town) if c.level == COMMUNITY]
        community = rng.choice(members)
        road = rng.choice(place.roads)
        spread = 0.012 if place.rural else 0.005
        lat, lng = place.latitude + rng.gauss(0, spread), place.longitude + rng.gauss(0, spread)
        system = rng.choice(("wgs84", "gcj02", "bd09"))
        if system == "gcj02":
            lng, lat = geo.wgs84_to_gcj02(lng, lat)
        elif system == "bd09":
            lng, lat = geo.wgs84_to_bd09(lng, lat)
        coords = {"longitude": round(lng, 6), "latitude": round(lat, 6), "coordinate_system": system}
        kind = rng.random()
        truth = place.name
        fields: dict[str, object] = {}
        short = town.aliases[-1] if town.aliases else town.name
        if kind < 0.25:
            address = f"北京市海淀区{place.name}{community.name}{rng.randint(1, 40)}号楼"
        elif kind < 0.40:
            address = f"海淀{short}{community.name}{rng.randint(1, 30)}号院"
        elif kind < 0.50:
            address = f"{town.aliases[0] if town.aliases else town.name}{community.name}"
        elif kind < 0.62:
            address = f"海淀区{community.name}{rng.randint(1, 20)}号楼{rng.randint(1, 6)}单元"
        elif kind < 0.80:
            address = f"北京市海淀区{road}{rng.randint(1, 200)}号"
            fields.update(coords)
        elif kind < 0.88:
            address = f"北京市海淀区{place.name}{community.name}"
            fields.update(coords)
            fields["street_name"] = place.name
        else:
            district = rng.choice(others)
            township = rng.choice([t for t in gaz.children(district) if t.level == TOWNSHIP])
            people = [c for c in gaz.children(township) if c.level == COMMUNITY] or [township]
            address = f"北京市{district.name}{township.name}{rng.choice(people).name}{rng.randint(1, 30)}号"
            truth = ""
        order = OrderInput(channel="hotline_12345", external_id=f"M{n:06d}", received_at=received, description="",
                           address=address, **fields)  # type: ignore[arg-type]
        samples.append(Sample(order, truth))
    return samples, streets


def _run(name: str, samples: list[Sample], streets: list[object], repeat: int) -> None:
    from ecohotline.intake.place import place_order, placer_for

    started = time.perf_counter()
    placer_for(streets)  # type: ignore[arg-type]
    build = time.perf_counter() - started
    rates = []
    results = []
    for _ in range(repeat):
        started = time.perf_counter()
        results = [place_order(s.order, streets) for s in samples]  # type: ignore[arg-type]
        rates.append(len(samples) / (time.perf_counter() - started))
    rate = statistics.median(rates)
    tally: Counter[str] = Counter()
    wrong_examples = []
    for sample, placement in zip(samples, results, strict=True):
        got = placement.street.name if placement.street is not None else ""
        if not sample.truth:
            tally["flagged (right)" if not placement.placed else "placed (should be flagged)"] += 1
        elif got == sample.truth:
            tally[f"right street ({placement.decided_by})"] += 1
        elif not placement.placed:
            tally["flagged"] += 1
        else:
            tally["wrong street"] += 1
            if len(wrong_examples) < 5:
                wrong_examples.append(f"{sample.order.address} → {got} (truth {sample.truth}): "  # type: ignore[attr-defined]
                                      f"{placement.reason}")
    total = len(samples)
    print(f"\n[{name}] {total:,} orders; placer built in {build * 1000:.1f} ms")
    print(f"  speed  {rate:,.0f} orders/s  ({1e6 / rate:.1f} µs/order, median of {repeat} runs; budget 200 µs)")
    for key, value in sorted(tally.items(), key=lambda kv: -kv[1]):
        print(f"  {key:<32} {value:>7,}  {value / total:6.1%}")
    for line in wrong_examples:
        print(f"    e.g. {line}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=10_000, help="orders per set (default 10,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-demo", action="store_true", help="only the generated set (no database)")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="eh-place-bench-"))
    os.environ["ECOHOTLINE_DATA_DIR"] = str(folder)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecohotline.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    try:
        from ecohotline.core.gazetteer import Gazetteer

        started = time.perf_counter()
        counts = Gazetteer.default().counts()
        print(f"gazetteer loaded in {(time.perf_counter() - started) * 1000:.0f} ms: {counts}")
        mixed, fake_streets = _mixed_samples(args.orders, args.seed)
        _run("mixed (generated)", mixed, fake_streets, args.repeat)
        if not args.skip_demo:
            with_coords, without, streets = _demo_samples(args.orders, args.seed)
            _run("demo cases, address + coordinates", with_coords, streets, args.repeat)
            _run("demo cases, address only", without, streets, args.repeat)
    finally:
        from django.db import connection

        connection.close()
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
