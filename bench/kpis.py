"""The KPIs (三率, 按期办结率 and the other figures) of one year grouped by unit, against a hand-written GROUP BY.

    .venv/bin/python bench/kpis.py                                   # 100,000 cases in /tmp/eh-kpis-100000 (SQLite)
    .venv/bin/python bench/kpis.py --cases 1000000 --data /tmp/eh-1m
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/eh_kpis_100k .venv/bin/python bench/kpis.py
    .venv/bin/python bench/kpis.py --repeat 9 --old                  # also time the query it replaced

The database is reused when it already holds cases (whatever their number: `--cases` is then ignored), so a
1,000,000-case database built once (about half an hour) serves every run; an empty one is first migrated and
filled with `ecohotline demo-data --cases N --end 2026-11-22` (a year of cases up to that day). Migrations are
applied before timing either way. SQLite databases live in `--data` (default $ECOHOTLINE_DATA_DIR, else
/tmp/eh-kpis-N); a PostgreSQL one is named by DATABASE_URL and must exist.

Timed, each `--repeat` times after one warm-up, median and p95:

* `compute_kpis` of the year grouped by unit (the target: under 2 s on PostgreSQL and 5 s on SQLite at
  1,000,000 cases), and for the bureau only;
* the floor: one hand-written SQL GROUP BY unit over the same rows (the valid visits of the year joined to their
  case, counting the answers) — what any 三率 query must at least read; the ratio says what the rest costs;
* `rankings` of the last assessment month by unit (two periods) and the 12-month `monthly_trend`;
* the 三率 counts alone (the first of `compute_kpis`'s queries) and, with `--old`, the same counts by the
  correlated subqueries over every complaint that `assessed_orders` used before (checked to be equal).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _setup import ensure_demo_data, use_database

END = "2026-11-22"


def _time(label: str, run: Callable[[], Any], repeat: int) -> float:
    run()  # warm-up
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    median = statistics.median(samples)
    p95 = statistics.quantiles(samples, n=20)[18] if len(samples) > 1 else samples[0]
    print(f"{label:<44} p50 {median:9.1f} ms   p95 {p95:9.1f} ms")
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000, help="cases to build when the database is empty")
    parser.add_argument("--data", type=Path, help="SQLite: the data folder (default $ECOHOTLINE_DATA_DIR or "
                                                  "/tmp/eh-kpis-N)")
    parser.add_argument("--end", default=END, help="the day after the year measured (and the demo data's end)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per line (after one warm-up)")
    parser.add_argument("--old", action="store_true", help="also time the query assessed_orders used before")
    args = parser.parse_args()

    use_database(args.data, f"/tmp/eh-kpis-{args.cases}")
    from django.db import connection

    from ecohotline.assessment.kpis import compute_kpis
    from ecohotline.assessment.models import KpiScheme
    from ecohotline.assessment.rankings import monthly_trend, rankings
    from ecohotline.cases.models import Case
    from ecohotline.core.workdays import day_bounds

    ensure_demo_data(cases=args.cases, end=args.end)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    end = dt.date.fromisoformat(args.end) - dt.timedelta(days=1)
    start = end.replace(year=end.year - 1) + dt.timedelta(days=1)
    since, until = day_bounds(start, end)
    scheme = KpiScheme.in_force(end)
    report = compute_kpis(start, end, group_by="unit")
    print(f"database  {connection.vendor} ({connection.settings_dict['NAME']}), {Case.objects.count():,} cases; "
          f"year {start} – {end}: {report.total.assessed:,} assessed orders, {report.total.received:,} received, "
          f"{len(report.groups)} units; {args.repeat} runs per line")

    def floor() -> list[Any]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.handling_unit_id, COUNT(*), SUM(CASE WHEN v.contacted THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN v.solved THEN 1 ELSE 0 END), SUM(CASE WHEN v.satisfaction = %s THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN v.satisfaction = %s THEN 1 ELSE 0 END) "
                "FROM cases_returnvisit v JOIN cases_case c ON c.id = v.case_id "
                "WHERE v.valid AND v.at >= %s AND v.at < %s AND c.kind = %s AND c.channel IN %s "
                "GROUP BY c.handling_unit_id".replace("IN %s", "IN (" + ", ".join(["%s"] * len(scheme.channels))
                                                     + ")"),
                ["satisfied", "basically_satisfied", since, until, "complaint", *scheme.channels])
            return cursor.fetchall()

    grouped = _time("compute_kpis, a year by unit", lambda: compute_kpis(start, end, group_by="unit"), args.repeat)
    _time("compute_kpis, a year, bureau only", lambda: compute_kpis(start, end), args.repeat)
    floor_ms = _time("floor: hand-written GROUP BY unit (visits)", floor, args.repeat)
    print(f"{'ratio to the floor':<44} {grouped / floor_ms:9.1f} ×")
    month_end = end
    month_start = month_end.replace(day=1)
    _time("rankings, last month by unit (2 periods)",
          lambda: rankings(month_start, month_end, by="unit"), args.repeat)
    _time("monthly_trend, 12 months", lambda: monthly_trend(end, months=12), args.repeat)
    _time("of which the 三率 counts (assessed_orders)", lambda: _new_counts(scheme, start, end), args.repeat)
    if args.old:
        _time("before: 三率 by correlated subqueries", lambda: _old_counts(scheme, since, until), args.repeat)
        assert _new_counts(scheme, start, end) == _old_counts(scheme, since, until)
        new = {key: (f.assessed, f.contacted, f.solved, f.satisfied, f.basically_satisfied)
               for key, f in report.groups.items() if f.assessed}
        assert _old_counts(scheme, since, until) == new, "the old and new 三率 counts differ"
        print("the old and the new query give the same 三率 counts")
    connection.close()
    return 0


def _new_counts(scheme: Any, start: dt.date, end: dt.date) -> dict[Any, tuple[int, ...]]:
    """The 三率 counts by unit from `assessed_orders`, as `compute_kpis` gets them (its first query)."""
    from django.db.models import Count, Q

    from ecohotline.assessment.kpis import assessed_orders
    from ecohotline.cases.models import Satisfaction

    rows = assessed_orders(scheme, start, end).values("handling_unit_id").order_by("handling_unit_id").annotate(
        n=Count("pk"), n_contacted=Count("pk", filter=Q(visit_contacted=True)),
        n_solved=Count("pk", filter=Q(visit_solved=True)),
        n_satisfied=Count("pk", filter=Q(visit_satisfaction=Satisfaction.SATISFIED)),
        n_basic=Count("pk", filter=Q(visit_satisfaction=Satisfaction.BASICALLY_SATISFIED)))
    return {row["handling_unit_id"]: (row["n"], row["n_contacted"], row["n_solved"], row["n_satisfied"],
                                      row["n_basic"]) for row in rows}


def _old_counts(scheme: Any, since: dt.datetime, until: dt.datetime) -> dict[Any, tuple[int, ...]]:
    """The 三率 counts by unit as `assessed_orders` computed them before: four correlated subqueries per complaint."""
    from django.db.models import Count, Exists, OuterRef, Q, Subquery

    from ecohotline.cases.models import Appeal, Case, CaseKind, Decision, ReturnVisit, Satisfaction

    latest = ReturnVisit.objects.filter(case=OuterRef("pk"), valid=True).order_by("-at", "-pk")
    approved = Appeal.objects.filter(case=OuterRef("pk"), decision=Decision.APPROVED)
    orders = (Case.objects.filter(kind=CaseKind.COMPLAINT, channel__in=list(scheme.channels))
              .annotate(visit_at=Subquery(latest.values("at")[:1]),
                        visit_contacted=Subquery(latest.values("contacted")[:1]),
                        visit_solved=Subquery(latest.values("solved")[:1]),
                        visit_satisfaction=Subquery(latest.values("satisfaction")[:1]))
              .filter(visit_at__gte=since, visit_at__lt=until)
              .exclude(Exists(approved)))
    rows = orders.values("handling_unit_id").order_by("handling_unit_id").annotate(
        assessed=Count("pk"), contacted=Count("pk", filter=Q(visit_contacted=True)),
        solved=Count("pk", filter=Q(visit_solved=True)),
        satisfied=Count("pk", filter=Q(visit_satisfaction=Satisfaction.SATISFIED)),
        basic=Count("pk", filter=Q(visit_satisfaction=Satisfaction.BASICALLY_SATISFIED)))
    return {row["handling_unit_id"]: (row["assessed"], row["contacted"], row["solved"], row["satisfied"],
                                      row["basic"]) for row in rows}


if __name__ == "__main__":
    raise SystemExit(main())
