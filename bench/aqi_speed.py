"""AQI speed: calls/s of `ecohotline.standards.aqi.aqi` for a typical daily dict of the 6 pollutants.

    .venv/bin/python bench/aqi_speed.py                    # 200,000 calls × 5 runs, HJ 633-2026 and HJ 633-2012
    .venv/bin/python bench/aqi_speed.py --calls 1000000 --runs 7

Prints the median calls/s of the runs by the wall clock, and by process CPU time (the same unless other work shares
the core). The budget is 100,000 calls/s on one core (HJ 633-2026 daily, the version in force). The inputs are seeded
random daily readings (floats, CO with one decimal) cycled through, so the rounding and bisect paths vary.
Needs no Django settings: nothing is translated unless an error is raised.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ecohotline.standards.aqi import aqi


def _daily_readings(count: int, seed: int, with_o3_1h: bool) -> list[dict[str, float]]:
    rng = random.Random(seed)
    readings = []
    for _ in range(count):
        reading = {
            "so2_24h": round(rng.uniform(2, 60), 1),
            "no2_24h": round(rng.uniform(10, 120), 1),
            "co_24h": round(rng.uniform(0.2, 4.0), 1),
            "o3_8h": round(rng.uniform(20, 260), 1),
            "pm10_24h": round(rng.uniform(10, 300), 1),
            "pm25_24h": round(rng.uniform(5, 200), 1),
        }
        if with_o3_1h:  # the 2012 日报 has 7 indicators
            reading["o3_1h"] = round(reading["o3_8h"] * rng.uniform(1.0, 1.4), 1)
        readings.append(reading)
    return readings


def _runs(readings: list[dict[str, float]], on: dt.date, calls: int, runs: int) -> tuple[list[float], list[float]]:
    """calls/s of each run, by the wall clock and by this process's CPU time."""
    batch = (readings * (calls // len(readings) + 1))[:calls]
    for reading in readings:  # warm up
        aqi(reading, on=on)
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        for reading in batch:
            aqi(reading, on=on)
        cpu.append(calls / (time.process_time() - started_cpu))
        wall.append(calls / (time.perf_counter() - started))
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=200_000, help="calls per run")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    cases = [
        ("HJ 633-2026 daily, 6 keys", dt.date(2026, 11, 22), False),
        ("HJ 633-2012 daily, 7 keys", dt.date(2025, 11, 22), True),
    ]
    for label, on, with_o3_1h in cases:
        readings = _daily_readings(1000, args.seed, with_o3_1h)
        wall, cpu = _runs(readings, on, args.calls, args.runs)
        median = statistics.median(wall)
        print(f"{label:28} median {median:>9,.0f} calls/s ({1e6 / median:5.2f} µs/call; min {min(wall):,.0f}, "
              f"max {max(wall):,.0f}); by CPU time {statistics.median(cpu):,.0f} calls/s")
    print(f"{args.runs} runs × {args.calls:,} calls each; the CPU-time figure is the fairer one on a busy machine")


if __name__ == "__main__":
    main()
