"""The demo district's air stations: five weeks of hourly readings up to now, with a local pollution episode and
an analyser outage planted at the end, ingested and scanned like real data so the monitoring pages, the alerts
and one verification case are there to see.

The series are synthetic but shaped like Haidian's November air: a regional level that drifts from clean to
polluted over days (a log-AR(1) process), the morning and evening traffic peaks in PM and NO2, O3 following the
afternoon sun, station offsets (the national site 万柳 cleaner than the roadside ones), and noise.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
from django.utils import timezone

from ecohotline.monitoring import services
from ecohotline.monitoring.importing import ReadingRow, ingest_readings
from ecohotline.monitoring.models import Station
from ecohotline.org.models import OrgUnit

DAYS = 35


@dataclass(frozen=True)
class StationSpec:
    code: str
    name: str
    latitude: float
    longitude: float
    street: str  # the demo's place code
    factor: float  # how much dirtier than the regional level


STATIONS = (
    StationSpec("wanliu", "万柳", 39.987, 116.287, "wanliu", 0.95),
    StationSpec("beibuxinqu", "北部新区", 40.060, 116.270, "xibeiwang", 0.9),
    StationSpec("zhiwuyuan", "植物园", 40.000, 116.207, "xiangshan", 0.8),
    StationSpec("zhongguancun", "中关村", 39.982, 116.316, "zhongguancun", 1.1),
    StationSpec("qinghe", "清河", 40.030, 116.340, "qinghe", 1.05),
    StationSpec("sijiqing", "四季青", 39.955, 116.240, "sijiqing", 1.0),
)
# The planted events, counted back from the last hour.
LOCAL_SOURCE = ("beibuxinqu", 30, 5, 260.0)  # station, hours before the end, duration, PM2.5 µg/m³
OUTAGE = ("zhiwuyuan", 14, 8)  # station, hours before the end, hours without data


@dataclass(frozen=True)
class MonitoringSummary:
    stations: int
    readings: int
    alerts: int
    verifications: int


def _series(rng: np.random.Generator, hours: int, start_hour: int) -> dict[str, np.ndarray]:
    """The regional level and diurnal shapes every station shares (hour 0 = `start_hour` o'clock)."""
    level = np.empty(hours)
    state = 0.0
    for hour in range(hours):
        if hour % 6 == 0:  # the weather changes every few hours, not every hour
            state = 0.93 * state + rng.normal(0, 0.22)
        level[hour] = math.exp(state)
    clock = (np.arange(hours) + start_hour) % 24
    traffic = 1 + 0.35 * np.exp(-((clock - 8) ** 2) / 4) + 0.45 * np.exp(-((clock - 19) ** 2) / 6)
    sun = np.clip(np.sin((clock - 7) / 11 * math.pi), 0, None)
    return {"level": level, "traffic": traffic, "sun": sun}


def build_monitoring(*, seed: int, end: dt.datetime | None = None) -> MonitoringSummary:
    """Create the stations (idempotent), write their readings for the `DAYS` days before `end` (default: the
    current hour) and scan them."""
    end = (end or timezone.now()).replace(minute=0, second=0, microsecond=0)
    start = end - dt.timedelta(days=DAYS)
    hours = DAYS * 24
    rng = np.random.default_rng(seed)
    shared = _series(rng, hours, timezone.localtime(start).hour)
    streets = {unit.code: unit for unit in OrgUnit.objects.filter(code__in=[spec.street for spec in STATIONS])}
    rows: list[ReadingRow] = []
    for spec in STATIONS:
        Station.objects.update_or_create(code=spec.code, defaults={
            "name": spec.name, "latitude": spec.latitude, "longitude": spec.longitude,
            "street": streets.get(spec.street), "operator": "海淀区生态环境监测站", "is_active": True})
        noise = rng.lognormal(0, 0.12, size=(6, hours))
        pm25 = 38 * spec.factor * shared["level"] * shared["traffic"] * noise[0]
        values = {
            "pm25": pm25,
            "pm10": pm25 * 1.55 + 12 * noise[1],
            "no2": (18 + 22 * shared["traffic"] * spec.factor) * noise[2] * np.sqrt(shared["level"]),
            "o3": (8 + 55 * shared["sun"] / np.sqrt(shared["level"])) * noise[3],
            "so2": 4 * noise[4],
            "co": 0.35 * shared["level"] * spec.factor * noise[5],
        }
        if spec.code == LOCAL_SOURCE[0]:  # straw or rubbish burning next to the station
            first = hours - LOCAL_SOURCE[1]
            values["pm25"][first:first + LOCAL_SOURCE[2]] = LOCAL_SOURCE[3] * rng.uniform(0.9, 1.1, LOCAL_SOURCE[2])
            values["pm10"][first:first + LOCAL_SOURCE[2]] = LOCAL_SOURCE[3] * 1.4
        for parameter, series in values.items():
            decimals = 1 if parameter == "co" else 0
            for hour, value in enumerate(series):
                if spec.code == OUTAGE[0] and hours - OUTAGE[1] <= hour < hours - OUTAGE[1] + OUTAGE[2]:
                    continue  # the analyser was down
                rows.append(ReadingRow(spec.code, start + dt.timedelta(hours=hour), parameter,
                                       round(float(value), decimals)))
    written = ingest_readings(rows)
    result = services.scan()
    return MonitoringSummary(len(STATIONS), written.written + written.unchanged,
                             len(result.opened) + len(result.updated), len(result.verifications))
