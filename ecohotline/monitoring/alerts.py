"""Reads about alerts (预警): why an alert was raised, in the reader's language, and what happened near it in place
and time — the complaints around a station during an alert, the alerts around a complaint, and the places with
many complaints and no alert (a station that may have missed something, or a source no station sees).

Distances are great-circle (`core.geo.distance_m`) on WGS-84; every query is bounded first by a latitude/longitude
box and a time window, and the exact distance is checked on the few rows left.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecohotline.cases.models import Case, CaseKind
from ecohotline.core import geo
from ecohotline.monitoring import detectors
from ecohotline.monitoring.models import Alert, AlertCategory, Station

#: The complaint category of each station kind: an air station is compared with air complaints, and so on.
CATEGORY_OF_STATION_KIND: Final[Mapping[str, str]] = {"air": "air", "noise": "noise", "water": "water"}
#: Metres per degree of latitude (and of longitude at the equator), for the bounding boxes.
_METRES_PER_DEGREE: Final = 111_320.0

# Parameter names as people write them (chemical formulae, not translated); noise through gettext.
_PARAMETER_LABELS: Final[Mapping[str, str]] = {"pm25": "PM2.5", "pm10": "PM10", "so2": "SO₂", "no2": "NO₂",
                                               "co": "CO", "o3": "O₃"}


_WATER_LABELS: Final[Mapping[str, Any]] = {
    "permanganate_index": gettext_lazy("Permanganate index"), "cod": gettext_lazy("Chemical oxygen demand"),
    "ammonia_nitrogen": gettext_lazy("Ammonia nitrogen"), "total_phosphorus": gettext_lazy("Total phosphorus"),
}


def parameter_label(code: str) -> str:
    """The display name of a parameter code (pm25 → PM2.5)."""
    if code == "noise_leq":
        return _("noise level (LAeq)")
    if code in _WATER_LABELS:
        return str(_WATER_LABELS[code])
    return _PARAMETER_LABELS.get(code, code)


def _unit(code: str) -> str:
    spec = detectors.PARAMETERS.get(code)
    return spec.unit if spec else ""


def _num(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:g}"
    return str(value if value is not None else "")


def describe(alert: Alert) -> str:
    """Why the alert was raised, in the active language, from its stable `reason` code and its `params`."""
    params: Mapping[str, Any] = alert.params or {}
    names = {"parameter": parameter_label(alert.parameter), "value": _num(alert.peak_value),
             "unit": _unit(alert.parameter), "expected": _num(alert.expected)}
    reason = alert.reason
    if reason == detectors.EXCEEDS_LIMIT:
        text = _("%(parameter)s reached %(value)s %(unit)s (%(hours)s-hour mean), %(ratio)s times the limit of "
                 "%(limit)s %(unit)s of %(standard)s.") % {
            **names, "hours": _num(params.get("averaging_hours")), "ratio": _num(params.get("ratio")),
            "limit": _num(params.get("limit", alert.expected)), "standard": params.get("standard", "")}
        others = params.get("stations") or []
        if others:
            text += " " + _("Also above the limit at the same time at %(count)s other stations: %(stations)s.") % {
                "count": len(others),
                "stations": ", ".join(f"{item.get('name', item.get('station'))} ({_num(item.get('peak_value'))})"
                                      for item in others)}
        return text
    if reason == detectors.SUDDEN_RISE:
        return _("%(parameter)s rose suddenly to %(value)s %(unit)s, against %(baseline)s %(unit)s usual at this hour "
                 "over the last %(days)s days (robust z %(z)s).") % {
            **names, "baseline": _num(params.get("baseline", alert.expected)),
            "days": _num(params.get("baseline_days")), "z": _num(params.get("z"))}
    if reason == detectors.FAR_FROM_NEIGHBOURS:
        return _("%(parameter)s read %(value)s %(unit)s, %(ratio)s times the median of %(count)s other stations "
                 "(%(median)s %(unit)s): a local source is likely.") % {
            **names, "ratio": _num(params.get("ratio")), "count": _num(params.get("neighbour_count")),
            "median": _num(params.get("neighbours_median", alert.expected))}
    if reason == detectors.FAR_BELOW_NEIGHBOURS:
        return _("%(parameter)s read %(value)s %(unit)s while %(count)s other stations read %(median)s %(unit)s: "
                 "the analyser may be faulty.") % {
            **names, "count": _num(params.get("neighbour_count")),
            "median": _num(params.get("neighbours_median", alert.expected))}
    if reason == detectors.GAP:
        parameters = params.get("parameters") or [alert.parameter]
        text = _("No data of %(parameters)s for %(hours)s hours.") % {
            "parameters": ", ".join(parameter_label(code) for code in parameters),
            "hours": _num(params.get("hours", alert.peak_value))}
        if params.get("ongoing"):
            text += " " + _("The gap is still open.")
        return text
    if reason == detectors.FLAT_LINE:
        return _("%(parameter)s stayed at exactly %(value)s %(unit)s for %(hours)s hours: a stuck analyser or "
                 "repeated data.") % {**names, "hours": _num(params.get("hours"))}
    if reason == detectors.NEGATIVE_VALUE:
        return _("%(parameter)s read %(value)s %(unit)s, below the possible minimum of %(bound)s %(unit)s.") % {
            **names, "bound": _num(params.get("bound"))}
    if reason == detectors.ABOVE_PHYSICAL_MAX:
        return _("%(parameter)s read %(value)s %(unit)s, above the possible maximum of %(bound)s %(unit)s.") % {
            **names, "bound": _num(params.get("bound"))}
    if reason == detectors.AT_REPORTING_CAP:
        return _("%(parameter)s read %(value)s %(unit)s, the top of the reporting range: the true value is at least "
                 "that.") % names
    return _("%(parameter)s: %(value)s %(unit)s (%(reason)s).") % {**names, "reason": reason}


# --- near in place and time --------------------------------------------------------------------------------------


def _box(latitude: float, longitude: float, radius_m: float) -> Q:
    """A latitude/longitude box holding the circle (the bound that comes before the exact distance)."""
    dlat = radius_m / _METRES_PER_DEGREE
    dlng = radius_m / (_METRES_PER_DEGREE * max(math.cos(math.radians(latitude)), 0.01))
    return Q(latitude__gte=latitude - dlat, latitude__lte=latitude + dlat,
             longitude__gte=longitude - dlng, longitude__lte=longitude + dlng)


def _metres(latitude: float, longitude: float, other_latitude: float | None, other_longitude: float | None) -> float:
    if other_latitude is None or other_longitude is None:
        return math.inf
    return geo.distance_m(longitude, latitude, other_longitude, other_latitude)


def _within(rows: Iterable[tuple[int, float | None, float | None]], latitude: float, longitude: float,
            radius_m: float) -> list[int]:
    return [pk for pk, lat, lng in rows if _metres(latitude, longitude, lat, lng) <= radius_m]


def complaint_cases() -> QuerySet[Case]:
    """The cases that are complaints (the kinds with a complainant), placed on the map."""
    return Case.objects.filter(kind=CaseKind.COMPLAINT, latitude__isnull=False, longitude__isnull=False)


def complaints_near(alert: Alert, *, radius_m: float = 2000, hours_before: int = 24, hours_after: int = 72,
                    same_medium: bool = True) -> QuerySet[Case]:
    """The complaints received within `radius_m` of the alert's station (and of the other stations of a regional
    alert) from `hours_before` before its first hour to `hours_after` after its last; `same_medium`: only complaints
    of the station's medium (air complaints for an air station). Newest first."""
    stations = _alert_stations(alert)
    placed = [station for station in stations if station.latitude is not None and station.longitude is not None]
    if not placed:
        return Case.objects.none()
    window = Q(received_at__gte=alert.first_at - dt.timedelta(hours=hours_before),
               received_at__lte=alert.last_at + dt.timedelta(hours=hours_after))
    boxes = Q()
    for station in placed:
        assert station.latitude is not None and station.longitude is not None
        boxes |= _box(station.latitude, station.longitude, radius_m)
    candidates = complaint_cases().filter(window).filter(boxes)
    category = CATEGORY_OF_STATION_KIND.get(alert.station.kind)
    if same_medium and category:
        candidates = candidates.filter(category=category)
    rows = list(candidates.values_list("pk", "latitude", "longitude"))
    near: set[int] = set()
    for station in placed:
        assert station.latitude is not None and station.longitude is not None
        near.update(_within(rows, station.latitude, station.longitude, radius_m))
    return Case.objects.filter(pk__in=near).order_by("-received_at", "-pk")


def _alert_stations(alert: Alert) -> list[Station]:
    codes = [item.get("station") for item in (alert.params or {}).get("stations", [])]
    others = list(Station.objects.filter(code__in=[code for code in codes if code]).exclude(pk=alert.station_id))
    return [alert.station, *others]


def alerts_near(case: Case, *, radius_m: float = 2000, hours_before: int = 72, hours_after: int = 24,
                categories: Iterable[str] = (AlertCategory.POLLUTION,)) -> QuerySet[Alert]:
    """The alerts at stations within `radius_m` of the case (a regional alert counts when one of its stations is
    near) that were running from `hours_before` before the case was received to `hours_after` after: for a
    complaint's page. Pollution alerts only unless `categories` says otherwise. Latest first."""
    if case.latitude is None or case.longitude is None:
        return Alert.objects.none()
    stations = Station.objects.filter(_box(case.latitude, case.longitude, radius_m))
    near_stations = {
        code: pk for code, pk in (
            (code, pk) for pk, code, lat, lng in stations.values_list("pk", "code", "latitude", "longitude")
            if _metres(case.latitude, case.longitude, lat, lng) <= radius_m
        )
    }
    if not near_stations:
        return Alert.objects.none()
    running = Alert.objects.filter(
        category__in=list(categories),
        last_at__gte=case.received_at - dt.timedelta(hours=hours_before),
        first_at__lte=case.received_at + dt.timedelta(hours=hours_after),
    )
    found = set(running.filter(station_id__in=near_stations.values()).values_list("pk", flat=True))
    # Regional alerts stand on their highest station; the others are in params (few rows: one per process).
    for pk, params in running.filter(detector__in=_GROUPED_DETECTORS).exclude(pk__in=found).values_list(
            "pk", "params"):
        if any(item.get("station") in near_stations for item in (params or {}).get("stations", [])):
            found.add(pk)
    return Alert.objects.filter(pk__in=found).select_related("station").order_by("-last_at", "-pk")


_GROUPED_DETECTORS: Final = (detectors.EXCEEDS_LIMIT,)


@dataclass
class ComplaintCluster:
    """A station with many complaints nearby and no alert in the same days."""

    station: Station
    case_count: int
    case_ids: list[int] = field(default_factory=list)
    latest_at: dt.datetime | None = None


def complaint_clusters_without_alert(*, days: int = 7, radius_m: float = 2000, min_cases: int = 5,
                                     now: dt.datetime | None = None,
                                     same_medium: bool = True) -> list[ComplaintCluster]:
    """Active stations with at least `min_cases` complaints (of the station's medium) within `radius_m` over the
    last `days` days, and no pollution alert of theirs (as the station or one of a regional alert's stations)
    running in that time. Most complaints first. Two queries over the window, whatever the number of stations."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=days)
    stations = list(Station.objects.filter(is_active=True, latitude__isnull=False, longitude__isnull=False))
    if not stations:
        return []
    boxes = Q()
    for station in stations:
        assert station.latitude is not None and station.longitude is not None
        boxes |= _box(station.latitude, station.longitude, radius_m)
    rows = list(complaint_cases().filter(received_at__gte=since, received_at__lte=now).filter(boxes)
                .values_list("pk", "latitude", "longitude", "category", "received_at"))
    alerted: set[str] = set()
    for code, params in Alert.objects.filter(category=AlertCategory.POLLUTION, last_at__gte=since,
                                             first_at__lte=now).values_list("station__code", "params"):
        alerted.add(code)
        alerted.update(item.get("station", "") for item in (params or {}).get("stations", []))
    clusters = []
    for station in stations:
        if station.code in alerted:
            continue
        assert station.latitude is not None and station.longitude is not None
        category = CATEGORY_OF_STATION_KIND.get(station.kind) if same_medium else None
        near = [(pk, received) for pk, lat, lng, case_category, received in rows
                if (category is None or case_category == category)
                and _metres(station.latitude, station.longitude, lat, lng) <= radius_m]
        if len(near) >= min_cases:
            near.sort(key=lambda item: item[1], reverse=True)
            clusters.append(ComplaintCluster(station=station, case_count=len(near),
                                             case_ids=[pk for pk, _received in near], latest_at=near[0][1]))
    clusters.sort(key=lambda cluster: (-cluster.case_count, cluster.station.code))
    return clusters
