"""Every write to monitoring alerts (预警): the scan that turns detector episodes into alerts, the verification case
(预警核查任务) opened for an alert, and the closing of an alert with its outcome.

Alerts have no timeline table of their own yet: each change appends an entry to ``params["history"]`` (who, when,
action, from-status, to-status, note), the audit the house rules ask for, until an ``AlertEvent`` model exists.

Scan decisions (constants below, with the reasons):

* Window: the last :data:`SCAN_DAYS` days of readings (the sudden-rise baseline needs 28 days before the hours it
  judges, 24-h means a day more); only episodes whose last hour is within :data:`RECENT_HOURS` of the end open or
  update alerts on a periodic run (older ones were seen by earlier runs). A scan given an explicit ``start`` (a
  backfill) acts on every episode that ends in the window.
* Continuation: an episode of the same station × parameter × detector × category that overlaps an open or verifying
  alert, or starts within the detector's merge gap (``detectors.episodes``) after its last hour, updates it.
  Hours already covered by a closed alert (confirmed, false alarm, resolved) are not raised again; what follows them
  is a new alert.
* Grouping (docs/monitoring-evaluation.md): ``exceeds_limit`` episodes of one parameter overlapping in time at
  several stations are one regional alert (a 污染过程), on the station with the highest peak, the others in
  ``params["stations"]``; ``gap`` episodes of several parameters of one station starting in the same hour are one
  outage, the parameters in ``params["parameters"]``.
* Automatic verification: see :data:`AUTO_VERIFY_MIN_SEVERITY`.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ecohotline.cases import access
from ecohotline.cases.exceptions import ActionForbidden, RuleViolation, TransitionNotAllowed
from ecohotline.cases.models import OPEN_STATUSES, Case, CaseKind, Channel, Urgency
from ecohotline.cases.services import (
    HANDLING_UNIT_KINDS,
    add_note,
    auto_dispatch_case,
    create_case,
    dispatch_case,
)
from ecohotline.intake.models import RoutingRule
from ecohotline.intake.routing import route
from ecohotline.monitoring import detectors, selectors
from ecohotline.monitoring.alerts import CATEGORY_OF_STATION_KIND, parameter_label
from ecohotline.monitoring.detectors import Episode, Hit, Series
from ecohotline.monitoring.models import (
    OPEN_ALERT_STATUSES,
    Alert,
    AlertCategory,
    AlertSeverity,
    AlertStatus,
    Reading,
    Station,
    StationKind,
)
from ecohotline.notify.services import notify_users
from ecohotline.org.models import Role, User
from ecohotline.standards.noise import GB3096_TABLE_1
from ecohotline.standards.water import GB3838_TABLE_1_AT_MOST, GB3838_TABLE_1_LAKE_RESERVOIR

HOUR: Final = dt.timedelta(hours=1)

#: Readings a periodic scan reads: 28 days of sudden-rise baseline + 1 day for the 24-h means + the days judged,
#: with room for a late import.
SCAN_DAYS: Final = 35
#: A periodic scan acts on episodes ending in the last 48 hours: an hourly run sees every episode many times over
#: (a late file of yesterday still counts), while the 33 days of history before stay context only.
RECENT_HOURS: Final = 48

#: Which alerts open their verification case (核查任务) on the scan, by detector: the lowest severity that does.
#: ``sudden_rise`` and ``far_from_neighbours`` (high side) point at something local — a source near the station or
#: its analyser — that an inspector can go and look at; low severities are left to the desk (a third of the real
#: sudden rises are medium or high, about 10 a station-year). A regional exceedance (``exceeds_limit``) is the
#: weather and the whole district: a leader decides what to verify, so it never opens a case by itself. Data-quality
#: alerts never do (they go to the station operator, not to an inspector).
AUTO_VERIFY_MIN_SEVERITY: Final[Mapping[str, str]] = {
    detectors.SUDDEN_RISE: AlertSeverity.MEDIUM,
    detectors.FAR_FROM_NEIGHBOURS: AlertSeverity.MEDIUM,
}
#: Episodes grouped across stations (one regional process) and across parameters (one station outage).
REGIONAL_DETECTORS: Final = frozenset({detectors.EXCEEDS_LIMIT})
OUTAGE_DETECTORS: Final = frozenset({detectors.GAP})

#: The outcomes a handler gives when an alert is closed.
CLOSED_OUTCOMES: Final = (AlertStatus.CONFIRMED, AlertStatus.FALSE_ALARM, AlertStatus.RESOLVED)
#: Who may open a verification case (a leader decides on a regional exceedance) or close an alert, besides the
#: handling unit of its case (for closing).
ALERT_DESK_ROLES: Final = frozenset({Role.DISPATCHER, Role.ADMIN, Role.LEADER})


_SEVERITY_RANK: Final = {AlertSeverity.LOW: 0, AlertSeverity.MEDIUM: 1, AlertSeverity.HIGH: 2}


@dataclass
class ScanResult:
    """What one scan did: the alerts it opened and updated, the verification cases it opened."""

    start: dt.datetime
    end: dt.datetime
    since: dt.datetime
    hits: int = 0
    episodes: int = 0
    opened: list[Alert] = field(default_factory=list)
    updated: list[Alert] = field(default_factory=list)
    unchanged: int = 0
    verifications: list[Case] = field(default_factory=list)


# --- limits of a station's own -----------------------------------------------------------------------------------

DAY_HOURS: Final = frozenset(range(6, 22))  # GB 3096 §5: 昼间 06:00–22:00 (a district may set other hours)
NIGHT_HOURS: Final = frozenset(range(24)) - DAY_HOURS


WATER_CLASSES: Final = ("I", "II", "III", "IV", "V")


def station_limits(stations: Iterable[Station]) -> list[detectors.Limit]:
    """The limits of each station's own: GB 3096 Table 1 day and night limits of the hourly Leq for a noise station
    with a zone class; the GB 3838 Table 1 limits of its target class for a water section."""
    limits = []
    for station in stations:
        zone = station.noise_zone_class.strip().lower().removesuffix("类")
        if station.kind == StationKind.NOISE and zone in GB3096_TABLE_1:
            day, night = GB3096_TABLE_1[zone]
            for value, hours in ((day, DAY_HOURS), (night, NIGHT_HOURS)):
                limits.append(detectors.Limit("noise_leq", float(value), 1, 1, "GB 3096-2008", grade=f"{zone}类",
                                              station=station.code, hours_of_day=hours))
        if station.kind == StationKind.WATER and station.water_target_class in WATER_CLASSES:
            column = WATER_CLASSES.index(station.water_target_class)
            for parameter, spec in detectors.PARAMETERS.items():
                if spec.medium != "water":
                    continue
                table = (GB3838_TABLE_1_LAKE_RESERVOIR if station.lake_or_reservoir
                         and parameter in GB3838_TABLE_1_LAKE_RESERVOIR else GB3838_TABLE_1_AT_MOST)
                limits.append(detectors.Limit(parameter, table[parameter][column], 1, 1, "GB 3838-2002",
                                              grade=f"{station.water_target_class}类", station=station.code))
    return limits


# --- reading the series ----------------------------------------------------------------------------------------


def _floor_hour(moment: dt.datetime) -> dt.datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def _read_series(start: dt.datetime, end: dt.datetime) -> dict[tuple[str, str], Series]:
    """Hourly series of every active station × known parameter with a reading in [start, end), one query per
    kind of station (`selectors.series_for_scan`)."""
    found: dict[tuple[str, str], Series] = {}
    for kind in StationKind.values:
        found.update(selectors.series_for_scan(start, end, kind=kind))
    return found


def _data_end(now: dt.datetime) -> dt.datetime:
    """The end of a periodic scan: the hour after the latest stored reading, at most the current hour. A feed that
    is late for the whole network is not an outage of every station (a station silent while the others report
    is)."""
    current = _floor_hour(now)
    latest = Reading.objects.filter(at__gte=current - SCAN_DAYS * dt.timedelta(days=1), at__lt=current).aggregate(
        latest=Max("at"))["latest"]
    return current if latest is None else min(current, latest + HOUR)


def _neighbours(codes: Iterable[str]) -> dict[str, list[str]]:
    wanted = set(codes)
    result: dict[str, list[str]] = defaultdict(list)
    pairs = Station.neighbours.through.objects.filter(from_station__code__in=wanted).values_list(
        "from_station__code", "to_station__code")
    for source, target in pairs:
        result[source].append(target)
    return dict(result)


# --- from episodes to alert candidates -------------------------------------------------------------------------


@dataclass
class _Candidate:
    """One alert-to-be: an episode, or a group of episodes (a regional process, a station outage)."""

    lead: Episode
    members: list[Episode]

    @property
    def first(self) -> dt.datetime:
        return min(member.first for member in self.members)

    @property
    def last(self) -> dt.datetime:
        return max(member.last for member in self.members)

    @property
    def stations(self) -> set[str]:
        return {member.station for member in self.members}

    @property
    def parameters(self) -> set[str]:
        return {member.parameter for member in self.members}


def _rank(episode: Episode) -> tuple[int, float]:
    return (_SEVERITY_RANK[AlertSeverity(episode.severity)], episode.peak.value)


def _reach(detector: str) -> dt.timedelta:
    gap = detectors.DETECTOR_MERGE_GAP_HOURS.get(detector, detectors.EPISODE_MERGE_GAP_HOURS)
    return (gap + 1) * HOUR


def _overlapping_groups(items: list[Episode]) -> list[list[Episode]]:
    """Connected runs of episodes whose [first, last] spans overlap (a sweep over the sorted starts)."""
    groups: list[list[Episode]] = []
    end: dt.datetime | None = None
    for episode in sorted(items, key=lambda item: (item.first, item.station)):
        if end is not None and episode.first <= end:
            groups[-1].append(episode)
            end = max(end, episode.last)
        else:
            groups.append([episode])
            end = episode.last
    return groups


def _candidates(found: Sequence[Episode]) -> list[_Candidate]:
    regional: dict[str, list[Episode]] = defaultdict(list)
    outages: dict[tuple[str, dt.datetime], list[Episode]] = defaultdict(list)
    result = []
    for episode in found:
        if episode.detector in REGIONAL_DETECTORS and episode.category == detectors.POLLUTION:
            regional[episode.parameter].append(episode)
        elif episode.detector in OUTAGE_DETECTORS:
            outages[(episode.station, episode.first)].append(episode)
        else:
            result.append(_Candidate(episode, [episode]))
    for items in regional.values():
        for group in _overlapping_groups(items):
            result.append(_Candidate(max(group, key=_rank), group))
    for group in outages.values():
        result.append(_Candidate(max(group, key=lambda item: (_rank(item), item.parameter)), group))
    result.sort(key=lambda candidate: (candidate.first, candidate.lead.station, candidate.lead.parameter))
    return result


def _members_of(alert: Alert) -> tuple[set[str], set[str]]:
    """The station codes and parameters an alert covers (its own and those grouped into it)."""
    stations = {alert.station.code, *(item.get("station", "") for item in alert.params.get("stations", []))}
    parameters = {alert.parameter, *alert.params.get("parameters", [])}
    return stations, parameters


def _alert_key(alert: Alert) -> tuple[str, str]:
    return alert.detector, alert.category


def _drop_closed_hours(hits: list[Hit], closed: Iterable[Alert]) -> list[Hit]:
    """Hits of hours a closed alert already covered are not raised again (that keeps a rescan after the desk closed
    an alert from reopening it); what continues after a closed alert becomes a new one."""
    cutoff: dict[tuple[str, str, str, str], dt.datetime] = {}
    for alert in closed:
        stations, parameters = _members_of(alert)
        for station in stations:
            for parameter in parameters:
                key = (alert.detector, alert.category, station, parameter)
                if key not in cutoff or alert.last_at > cutoff[key]:
                    cutoff[key] = alert.last_at
    if not cutoff:
        return hits
    return [hit for hit in hits
            if (limit := cutoff.get((hit.detector, hit.category, hit.station, hit.parameter))) is None
            or hit.last_hour > limit]


def _continues(alert: Alert, candidate: _Candidate) -> bool:
    """Does the candidate overlap the alert, or start within the detector's merge gap after it?"""
    lead = candidate.lead
    if _alert_key(alert) != (lead.detector, lead.category):
        return False
    if lead.detector in REGIONAL_DETECTORS:
        # One regional process per parameter at a time, whichever stations it reaches now.
        if alert.parameter != lead.parameter:
            return False
    else:
        stations, parameters = _members_of(alert)
        if not (stations & candidate.stations) or not (parameters & candidate.parameters):
            return False
    return candidate.first <= alert.last_at + _reach(lead.detector) and candidate.last >= alert.first_at


# --- writing alerts ----------------------------------------------------------------------------------------------


def _history(alert: Alert, *, actor: User | None, action: str, from_status: str, note: str = "",
             **extra: Any) -> None:
    entry = {"at": timezone.now().isoformat(), "actor": actor.pk if actor else None, "action": action,
             "from_status": from_status, "to_status": alert.status, **extra}
    if note:
        entry["note"] = note
    alert.params = {**alert.params, "history": [*alert.params.get("history", []), entry]}


def _iso(moment: dt.datetime) -> str:
    return timezone.localtime(moment).isoformat()


def _member_entry(episode: Episode, names: Mapping[str, str]) -> dict[str, Any]:
    return {"station": episode.station, "name": names.get(episode.station, episode.station),
            "parameter": episode.parameter, "peak_value": episode.peak.value, "peak_at": _iso(episode.peak.at),
            "first_at": _iso(episode.first), "last_at": _iso(episode.last), "severity": episode.severity,
            "hit_count": episode.hit_count}


def _grouping_params(candidate: _Candidate, lead_code: str, names: Mapping[str, str],
                     previous: Mapping[str, Any]) -> dict[str, Any]:
    """``stations`` (the other stations of a regional process, each with its peak) or ``parameters`` (every
    parameter of an outage), merged with what the alert already held."""
    lead = candidate.lead
    params: dict[str, Any] = {}
    if lead.detector in REGIONAL_DETECTORS:
        others: dict[str, dict[str, Any]] = {item["station"]: dict(item) for item in previous.get("stations", [])}
        for member in candidate.members:
            entry = _member_entry(member, names)
            known = others.get(member.station)
            if known is None or (member.peak.value, entry["last_at"]) >= (known["peak_value"], known["last_at"]):
                if known is not None:
                    entry["first_at"] = min(entry["first_at"], known["first_at"])
                    entry["last_at"] = max(entry["last_at"], known["last_at"])
                others[member.station] = entry
        others.pop(lead_code, None)
        params["stations"] = sorted(others.values(), key=lambda item: (-item["peak_value"], item["station"]))
    if lead.detector in OUTAGE_DETECTORS:
        params["parameters"] = sorted(set(previous.get("parameters", [])) | candidate.parameters)
    return params


def _peak_params(hit: Hit) -> dict[str, Any]:
    return {key: value for key, value in hit.params.items()}


def _new_alert(candidate: _Candidate, stations: Mapping[str, Station], names: Mapping[str, str]) -> Alert:
    lead = candidate.lead
    peak = lead.peak
    alert = Alert(
        station=stations[lead.station], parameter=lead.parameter, detector=lead.detector, category=lead.category,
        severity=max((member.severity for member in candidate.members),
                     key=lambda severity: _SEVERITY_RANK[AlertSeverity(severity)]),
        reason=peak.reason, first_at=candidate.first, last_at=candidate.last, peak_at=peak.at,
        peak_value=peak.value, expected=peak.expected,
        hit_count=max(member.hit_count for member in candidate.members), status=AlertStatus.OPEN,
    )
    alert.params = {**_peak_params(peak), **_grouping_params(candidate, lead.station, names, {})}
    _history(alert, actor=None, action="raised", from_status="")
    alert.save()
    return alert


def _update_alert(alert: Alert, candidate: _Candidate, stations: Mapping[str, Station],
                  names: Mapping[str, str]) -> bool:
    """Extend an alert with a candidate that continues it; True when anything changed."""
    lead = candidate.lead
    before = (alert.station_id, alert.parameter, alert.severity, alert.reason, alert.first_at, alert.last_at,
              alert.peak_at, alert.peak_value, alert.expected, alert.hit_count, copy.deepcopy(alert.params))
    old_severity = alert.severity  # the severity of the alert's peak hour (an episode's is its peak's)
    hit_count = max(member.hit_count for member in candidate.members)
    if candidate.first > alert.last_at:
        # A continuation after hours that fell out of the window: its hits are new.
        alert.hit_count += hit_count
    else:
        alert.hit_count = max(alert.hit_count, hit_count)
    alert.first_at = min(alert.first_at, candidate.first)
    alert.last_at = max(alert.last_at, candidate.last)
    severities = [alert.severity, *(member.severity for member in candidate.members)]
    alert.severity = max(severities, key=lambda severity: _SEVERITY_RANK[AlertSeverity(severity)])
    history = alert.params.get("history", [])
    grouping = {key: copy.deepcopy(alert.params[key]) for key in ("stations", "parameters") if key in alert.params}
    if (_SEVERITY_RANK[AlertSeverity(lead.peak.severity)], lead.peak.value) > (
            _SEVERITY_RANK[AlertSeverity(old_severity)], alert.peak_value):
        # A higher peak: it becomes the alert's peak (for a regional process, its station the alert's station).
        if alert.station.code != lead.station:
            grouping.setdefault("stations", []).append({
                "station": alert.station.code, "name": alert.station.name, "parameter": alert.parameter,
                "peak_value": alert.peak_value, "peak_at": _iso(alert.peak_at), "first_at": _iso(before[4]),
                "last_at": _iso(before[5]), "severity": old_severity, "hit_count": before[9],
            })
            alert.station = stations[lead.station]
        alert.parameter = lead.parameter
        alert.reason = lead.peak.reason
        alert.peak_at, alert.peak_value, alert.expected = lead.peak.at, lead.peak.value, lead.peak.expected
        peak_params = _peak_params(lead.peak)
    else:
        peak_params = {key: value for key, value in alert.params.items()
                       if key not in ("history", "stations", "parameters")}
    params = {**peak_params, **_grouping_params(candidate, alert.station.code, names, grouping)}
    params["history"] = history
    alert.params = params
    changed = before != (alert.station_id, alert.parameter, alert.severity, alert.reason, alert.first_at,
                         alert.last_at, alert.peak_at, alert.peak_value, alert.expected, alert.hit_count,
                         alert.params)
    if changed:
        alert.save(update_fields=["station", "parameter", "severity", "reason", "first_at", "last_at", "peak_at",
                                  "peak_value", "expected", "hit_count", "params", "updated_at"])
    return changed


def _auto_verifies(alert: Alert, since: dt.datetime) -> bool:
    minimum = AUTO_VERIFY_MIN_SEVERITY.get(alert.detector)
    return (
        minimum is not None
        and alert.category == AlertCategory.POLLUTION
        and alert.status == AlertStatus.OPEN
        and alert.case_id is None
        and alert.last_at >= since
        and _SEVERITY_RANK[AlertSeverity(alert.severity)] >= _SEVERITY_RANK[AlertSeverity(minimum)]
    )


@transaction.atomic
def scan(*, start: dt.datetime | None = None, end: dt.datetime | None = None,
         series: Mapping[tuple[str, str], Series] | Iterable[Series] | None = None) -> ScanResult:
    """预警扫描: run every detector over the stations' hourly readings and raise or update alerts.

    ``end`` (exclusive; default: the hour after the latest stored reading, at most the current hour, or the end of
    the given series) and ``start``
    (default ``end`` − SCAN_DAYS). With ``start`` left to its default only episodes ending in the last
    RECENT_HOURS before ``end`` act (the periodic run); with ``start`` given, every episode ending after it does (a
    backfill). ``series``: the data to scan instead of the stored readings (keyed by station code and parameter).
    Running it again over the same data changes nothing. Opens the verification cases AUTO_VERIFY_MIN_SEVERITY
    asks for, as the system (no actor).
    """
    given = None if series is None else list(series.values()) if isinstance(series, Mapping) else list(series)
    if end is None:
        ends = [item.hour(len(item)) for item in given or () if len(item)] if given is not None else []
        end = max(ends) if ends else _data_end(timezone.now()) if given is None else timezone.now()
    end = _floor_hour(end)
    start = _floor_hour(start) if start is not None else None
    recent = end - RECENT_HOURS * HOUR
    since = start if start is not None else recent
    start = start or end - SCAN_DAYS * dt.timedelta(days=1)
    all_series = given if given is not None else list(_read_series(start, end).values())
    result = ScanResult(start=start, end=end, since=since)
    codes = {item.station for item in all_series}
    stations = {station.code: station for station in Station.objects.filter(code__in=codes)}
    all_series = [item for item in all_series if item.station in stations]
    names = {code: station.name for code, station in stations.items()}
    hits = detectors.detect_all(all_series, neighbours=_neighbours(stations) or None,
                                limits=(*detectors.GB3095_LIMITS, *station_limits(stations.values())))
    result.hits = len(hits)

    longest = max(_reach(name) for name in detectors.DETECTORS)
    known = list(
        Alert.objects.filter(last_at__gte=start - longest, first_at__lte=end)
        .select_related("station").order_by("first_at", "pk")
    )
    closed = [alert for alert in known if alert.status not in OPEN_ALERT_STATUSES]
    open_alerts = [alert for alert in known if alert.status in OPEN_ALERT_STATUSES]
    found = [episode for episode in detectors.episodes(_drop_closed_hours(hits, closed)) if episode.last >= since]
    result.episodes = len(found)

    for candidate in _candidates(found):
        match = next((alert for alert in open_alerts if _continues(alert, candidate)), None)
        if match is None:
            alert = _new_alert(candidate, stations, names)
            open_alerts.append(alert)
            result.opened.append(alert)
        elif _update_alert(match, candidate, stations, names):
            result.updated.append(match)
        else:
            result.unchanged += 1
    for alert in [*result.opened, *result.updated]:
        # Not for a backfill's old episodes: a verification is a visit now.
        if _auto_verifies(alert, max(recent, timezone.now() - RECENT_HOURS * HOUR)):
            result.verifications.append(open_verification(actor=None, alert=alert))
    _notify_new_alerts([alert for alert in result.opened
                        if alert.last_at >= max(recent, timezone.now() - RECENT_HOURS * HOUR)])
    return result


def _notify_new_alerts(alerts: Sequence[Alert]) -> None:
    """Tell the dispatchers of new alerts (and, as the route of `monitoring_alert` asks, e-mail them and post to the
    group robot of the station's street), in the scan's transaction. A backfill's old episodes tell nobody."""
    if not alerts:
        return
    dispatchers = list(User.objects.filter(is_active=True, role_assignments__role=Role.DISPATCHER).distinct())
    for alert in alerts:
        station = alert.station
        labels = {}
        for language in ("zh-hans", "en"):
            with translation.override(language):
                labels[language] = parameter_label(alert.parameter)
        notify_users(recipients=dispatchers, kind="monitoring_alert", case_id=None, units=[station.street_id],
                     alert_id=alert.pk, station=station.name, street=station.street.name if station.street else "",
                     parameter=alert.parameter, parameter_zh=labels["zh-hans"], parameter_en=labels["en"],
                     severity=alert.severity, detector=alert.detector, first_at=alert.first_at.isoformat(),
                     link=reverse("monitoring:alert-detail", args=[alert.pk]))


# --- verification ------------------------------------------------------------------------------------------------


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


_DETECTOR_ZH: Final = {
    detectors.EXCEEDS_LIMIT: "超过空气质量标准限值",
    detectors.SUDDEN_RISE: "浓度突升",
    detectors.FAR_FROM_NEIGHBOURS: "明显高于周边站点",
    detectors.FLAT_LINE: "数据长时间不变",
    detectors.GAP: "数据缺失",
    detectors.IMPOSSIBLE_VALUE: "数据异常",
}
_SEVERITY_ZH: Final[Mapping[str, str]] = {"low": "低", "medium": "中", "high": "高"}
_PARAMETER_ZH: Final = {"pm25": "PM2.5", "pm10": "PM10", "so2": "SO2", "no2": "NO2", "co": "CO", "o3": "O3",
                        "noise_leq": "噪声等效声级"}


def verification_text(alert: Alert) -> tuple[str, str]:
    """The Chinese title and description of an alert's verification case (case text is stored as written, in the
    bureau's language, like an order's)."""
    station = alert.station
    parameter = _PARAMETER_ZH.get(alert.parameter, alert.parameter)
    spec = detectors.PARAMETERS.get(alert.parameter)
    unit = spec.unit if spec else ""
    what = _DETECTOR_ZH.get(alert.detector, alert.detector)
    hours = int((alert.last_at - alert.first_at) // HOUR) + 1
    title = f"预警核查：{station.name}{parameter}{what}"[:200]
    lines = [
        f"监测站点：{station.name}（{station.code}）" + (f"，{station.street.name}" if station.street else ""),
        f"预警：{parameter}{what}，{_local(alert.first_at)} 至 {_local(alert.last_at)}，共 {hours} 小时，"
        f"标记 {alert.hit_count} 小时，级别：{_SEVERITY_ZH.get(alert.severity, alert.severity)}。",
    ]
    if alert.detector == detectors.EXCEEDS_LIMIT:
        lines.append(f"峰值（{alert.params.get('averaging_hours', '')} 小时均值）：{_number(alert.peak_value)} {unit}"
                     f"（{_local(alert.peak_at)}）。")
    elif alert.category == AlertCategory.POLLUTION:
        lines.append(f"峰值：{_number(alert.peak_value)} {unit}（{_local(alert.peak_at)}）。")
    params = alert.params
    if alert.detector == detectors.EXCEEDS_LIMIT:
        lines.append(f"限值：{_number(params.get('limit'))} {unit}（{params.get('standard', '')} "
                     f"{params.get('grade', '')}，{params.get('averaging_hours', '')} 小时平均），"
                     f"为限值的 {_number(params.get('ratio'))} 倍。")
        others = params.get("stations", [])
        if others:
            names = "、".join(f"{item.get('name', item['station'])}（{_number(item.get('peak_value'))}）"
                             for item in others)
            lines.append(f"同时段超标的其他站点：{names}。")
    elif alert.detector == detectors.SUDDEN_RISE:
        lines.append(f"基线：近 {params.get('baseline_days', 28)} 天同时段中位数 {_number(params.get('baseline'))} "
                     f"{unit}，{params.get('step_hours', 3)} 小时内上升 {_number(params.get('rise_in_step'))} {unit}。")
    elif alert.detector == detectors.FAR_FROM_NEIGHBOURS:
        median = _number(params.get("neighbours_median"))
        lines.append(f"周边 {params.get('neighbour_count', '')} 个站点同时段中位数 {median} {unit}，"
                     f"本站为其 {_number(params.get('ratio'))} 倍。")
    elif alert.detector == detectors.GAP:
        codes = params.get("parameters") or [alert.parameter]
        lines.append(f"缺失因子：{'、'.join(_PARAMETER_ZH.get(code, code) for code in codes)}。")
    if alert.category == AlertCategory.DATA_QUALITY:
        lines.append("请联系站点运维单位核实仪器运行和数据传输情况，核查后答复结论（属实 / 误报 / 已恢复）。")
    else:
        lines.append("请到站点周边核查污染来源（上风向的施工、燃烧、排放等），并核实站点仪器运行情况；"
                     "核查后答复核查结论（属实 / 误报 / 已处置）。")
    return title, "\n".join(lines)


def _route_unit(station: Station) -> tuple[Any, float, str]:
    """The handling unit routing would pick for the station's street and kind, or None."""
    if station.street is None:
        return None, 0.0, "站点未关联街道"
    rules = list(RoutingRule.objects.filter(is_active=True).select_related("unit", "street"))
    code = CATEGORY_OF_STATION_KIND.get(station.kind, "")
    suggested = route(text="", code=code, street=station.street, classification_confidence=1.0, rules=rules,
                      key_units=[])
    unit = suggested.unit
    if unit is None or unit.kind not in HANDLING_UNIT_KINDS or not unit.is_active:
        return None, 0.0, suggested.reason
    return unit, suggested.confidence, suggested.reason


@transaction.atomic
def open_verification(*, actor: User | None, alert: Alert) -> Case:
    """预警核查任务: open the alert's verification case (one per alert: a second call returns the same case).

    The case (kind ``alert_verification``, channel ``monitoring``) is registered through the case services at the
    station (street, coordinates) with the monitoring channel's deadline policy (预警核查任务: complete within 2
    working days), its leader the street's 包片 leader, and dispatched to the unit routing picks for the street and
    the station's medium; with no such unit it stays new for the dispatcher. ``actor`` None is the system (the
    scan). A dispatcher or an administrator registers and dispatches it in their own name; a leader (who decides
    whether a regional exceedance is verified) has the system register and dispatch it — the case services let
    only dispatchers register cases — and their decision is the first note on the case's timeline.
    The alert goes to `verifying`.
    """
    if actor is not None and not (actor.is_active and actor.has_role(*ALERT_DESK_ROLES)):
        raise ActionForbidden(_("Your role does not allow opening a verification case."),
                              action="open_verification")
    registrar = actor if actor is not None and actor.has_role(Role.DISPATCHER, Role.ADMIN) else None
    alert = Alert.objects.select_for_update(of=("self",)).select_related("station", "station__street").get(
        pk=alert.pk)
    if alert.case_id is not None:
        case = Case.objects.get(pk=alert.case_id)
        return case
    if alert.status != AlertStatus.OPEN:
        raise TransitionNotAllowed(
            _("Only an open alert can be verified (this one is “%(status)s”).") % {
                "status": alert.get_status_display()},
            action="open_verification", status=alert.status)
    sibling = _sibling_in_verification(alert)
    if sibling is not None and sibling.case is not None:
        # The same station at the same time is already being checked: one visit answers both.
        from_status = alert.status
        alert.case = sibling.case
        alert.status = AlertStatus.VERIFYING
        _history(alert, actor=actor, action="open_verification", from_status=from_status, case=sibling.case.pk,
                 with_alert=sibling.pk)
        alert.save(update_fields=["case", "status", "params", "updated_at"])
        return sibling.case
    station = alert.station
    title, description = verification_text(alert)
    case = create_case(
        actor=registrar, channel=Channel.MONITORING, kind=CaseKind.ALERT_VERIFICATION, received_at=timezone.now(),
        title=title, description=description,
        urgency=Urgency.URGENT if alert.severity == AlertSeverity.HIGH else Urgency.NORMAL,
        street=station.street, latitude=station.latitude, longitude=station.longitude,
        address=station.name, category=CATEGORY_OF_STATION_KIND.get(station.kind, ""),
        tags=["alert", alert.detector],
    )
    unit, confidence, reason = _route_unit(station)
    if unit is not None:
        if registrar is None:
            case = auto_dispatch_case(case=case, unit=unit, leader=None, confidence=confidence,
                                      reason=f"预警核查：{reason}")
        else:
            case = dispatch_case(actor=registrar, case=case, unit=unit, note=f"预警核查：{reason}")
    if actor is not None and registrar is None:
        case = add_note(actor=actor, case=case, text=f"{actor} 决定核查预警 #{alert.pk}（{station.name}）。")
    from_status = alert.status
    alert.case = case
    alert.status = AlertStatus.VERIFYING
    _history(alert, actor=actor, action="open_verification", from_status=from_status, case=case.pk)
    alert.save(update_fields=["case", "status", "params", "updated_at"])
    return case


def _sibling_in_verification(alert: Alert) -> Alert | None:
    """Another alert of the station, overlapping this one in time (within the merge gap), whose verification case
    is still open."""
    gap = _reach(alert.detector)
    return (Alert.objects.filter(station_id=alert.station_id, status=AlertStatus.VERIFYING,
                                 case__status__in=OPEN_STATUSES, first_at__lte=alert.last_at + gap,
                                 last_at__gte=alert.first_at - gap)
            .exclude(pk=alert.pk).select_related("case").order_by("pk").first())


# --- closing -----------------------------------------------------------------------------------------------------


def may_close(actor: User, alert: Alert) -> bool:
    """Whether `actor` may close the alert: the desk (dispatchers, leaders, administrators) and the handling unit
    of its verification case (what the alert page reads to offer the action)."""
    if not actor.is_authenticated or not actor.is_active:
        return False
    if actor.has_role(*ALERT_DESK_ROLES):
        return True
    return alert.case is not None and access.in_handling_unit(actor, alert.case)


@transaction.atomic
def close_alert(*, actor: User | None, alert: Alert, outcome: str, note: str = "") -> Alert:
    """Close an alert with its outcome: ``confirmed`` (属实: the pollution was real), ``false_alarm`` (误报: the
    analyser, the data, nothing found) or ``resolved`` (已处置/已恢复: dealt with, or the data came back).

    Called by the desk (dispatchers, leaders, administrators, the handling unit of the verification case), and by
    the system with ``resolved`` when the verification case closes without an outcome given before. The
    verification case keeps its own lifecycle: closing the alert does not close the case.
    """
    return _close(actor=actor, alert=alert, outcome=outcome, note=note, via="desk")


def _close(*, actor: User | None, alert: Alert, outcome: str, note: str, via: str) -> Alert:
    if outcome not in CLOSED_OUTCOMES:
        raise RuleViolation("invalid_outcome", _("Choose an outcome: confirmed, false alarm or resolved."),
                            field="outcome")
    alert = Alert.objects.select_for_update(of=("self",)).select_related(
        "station", "case", "case__handling_unit").get(pk=alert.pk)
    if actor is not None and not may_close(actor, alert):
        raise ActionForbidden(_("Your role does not allow closing this alert."), action="close_alert")
    if alert.status not in OPEN_ALERT_STATUSES:
        raise TransitionNotAllowed(
            _("This alert is already closed (“%(status)s”).") % {"status": alert.get_status_display()},
            action="close_alert", status=alert.status)
    from_status = alert.status
    alert.status = outcome
    alert.closed_at = timezone.now()
    if note:
        alert.note = f"{alert.note}\n{note}".strip()
    _history(alert, actor=actor, action="close", from_status=from_status, note=note, via=via)
    alert.save(update_fields=["status", "closed_at", "note", "params", "updated_at"])
    return alert


@transaction.atomic
def resolve_alert_of_case(*, case_id: int) -> Alert | None:
    """The verification case `case_id` closed: its alerts still open or verifying become ``resolved`` (an
    outcome the desk gave before through `close_alert` stands). Called by the `cases.signals.case_closed`
    receiver, after the case's commit."""
    closed = None
    for alert in Alert.objects.filter(case_id=case_id, status__in=OPEN_ALERT_STATUSES).order_by("pk"):
        closed = _close(actor=None, alert=alert, outcome=AlertStatus.RESOLVED, note="", via="case_closed")
    return closed
