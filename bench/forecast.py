"""Forecasts for every category (the target: under 10 s), their backtest against seasonal-naive on demo data that
spans three years, and the analysis breakdowns of the last year.

    .venv/bin/python bench/forecast.py                       # SQLite in /tmp/eh-forecast, built once (about 2 min)
    .venv/bin/python bench/forecast.py --data /tmp/eh-1m     # any database already holding cases
    .venv/bin/python bench/forecast.py --repeat 5 --no-breakdowns

An empty database is first migrated and filled with `ecohotline demo-data --days 1095 --cases 60000
--end 2026-11-22` (three years of seasonal demo cases up to that day); one that holds cases is used as it is.

Timed, each `--repeat` times (default 3) after one warm-up, median and worst:

* `forecast_categories`: the weekly series of every category (one GROUP BY over three years) and the next 8 weeks
  of each with 80 %/95 % intervals;
* `backtest_categories`: the rolling-origin backtest over the last 26 weeks (the figures: MAE of the model and of
  seasonal-naive, their ratio, MASE, interval coverage — printed per category and pooled);
* with breakdowns: `analysis.breakdown` of the last year by each dimension (with 环比 and 同比).
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
    run()  # warm-up (imports, caches)
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    median = statistics.median(samples)
    print(f"{label:<46} median {median:7.2f} s   worst {max(samples):7.2f} s")
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=None,
                        help="SQLite data folder (default $ECOHOTLINE_DATA_DIR or /tmp/eh-forecast)")
    parser.add_argument("--cases", type=int, default=60_000, help="cases to build when the database is empty")
    parser.add_argument("--days", type=int, default=1095, help="days the demo cases span when built")
    parser.add_argument("--end", default=END, help="the demo data's end, and the day the forecasts are made on")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-breakdowns", action="store_true", help="skip the analysis breakdowns")
    args = parser.parse_args()

    use_database(args.data, "/tmp/eh-forecast")
    from django.db import connection

    from ecohotline.cases.models import Case
    from ecohotline.insight.analysis import BREAKDOWNS, Period, breakdown
    from ecohotline.insight.forecast import backtest_categories, forecast_categories

    ensure_demo_data(cases=args.cases, days=args.days, end=args.end)

    end = dt.date.fromisoformat(args.end)
    found = forecast_categories(until=end)
    print(f"database  {connection.vendor} ({connection.settings_dict['NAME']}), {Case.objects.count():,} cases; "
          f"{len(found[0].history) if found else 0} whole weeks of history up to {end}; "
          f"{len(found)} series (the total and each category); {args.repeat} runs per line")
    for item in found:
        print(f"  {item.category:<10} {item.forecast.method:<22} next 8 weeks: "
              + " ".join(f"{value:.0f}" for value in item.forecast.mean))

    _time("forecast_categories (8 weeks, all categories)", lambda: forecast_categories(until=end), args.repeat)
    _time("backtest_categories (26 origins × 8 weeks)", lambda: backtest_categories(until=end), args.repeat)

    rows, pooled = backtest_categories(until=end)
    print(f"\n{'backtest':<12} {'n':>6} {'MAE':>8} {'MAE(sn)':>8} {'ratio':>7} {'MASE':>7} {'MASE(sn)':>9} "
          f"{'cov80':>6} {'cov95':>6}")

    def line(label: str, b: Any) -> None:
        print(f"{label:<12} {b.forecasts:>6} {b.mae:>8.2f} {b.naive_mae:>8.2f} {b.ratio:>7.3f} {b.mase:>7.3f} "
              f"{b.naive_mase:>9.3f} {b.coverage(0.8):>6.2f} {b.coverage(0.95):>6.2f}")

    for row in rows:
        line(row.category, row.backtest)
    if pooled.forecasts:
        line("pooled", pooled)
        verdict = "beats" if pooled.ratio is not None and pooled.ratio < 1 else "does NOT beat"
        print(f"error ratio (model MAE / seasonal-naive MAE, pooled): {pooled.ratio:.3f} — the model {verdict} "
              f"seasonal-naive")

    if not args.no_breakdowns:
        last = end - dt.timedelta(days=1)
        period = Period(last.replace(year=last.year - 1) + dt.timedelta(days=1), last)
        print(f"\nbreakdowns of {period.start} – {period.end} (with the previous period and a year before)")
        for by in BREAKDOWNS:
            def run(by: str = by) -> Any:
                return breakdown(by, period, limit=200)
            _time(f"breakdown by {by}", run, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
