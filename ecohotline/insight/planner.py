"""The planner (主动治理任务规划): turns signals — hotspots, repeated sources, unusual rises, forecast peaks and
seasonal plans — into patrol and inspection tasks for a leader to decide.

A collector returns `Signal`s; `propose_tasks` makes one `TaskProposal` per signal unless the same thing (same
source, category and area) is already proposed, under way, finished within the last 8 weeks, or was rejected
within the last 4 weeks. Two collectors live here: `seasonal_signals` (the bureau's seasonal plans) and
`alert_signals` (open unusual-rise alerts); the hotspot, repeated-source and forecast collectors take the same
interface. The proposals are written by `insight.services.create_proposal`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ecohotline.cases.exceptions import ActionForbidden
from ecohotline.cases.models import Case, CaseKind
from ecohotline.cases.selectors import category_label
from ecohotline.cases.services import HANDLING_UNIT_KINDS
from ecohotline.core import geo
from ecohotline.core.selectors import workday_overrides
from ecohotline.core.workdays import add_working_days
from ecohotline.insight import services
from ecohotline.insight.models import (
    ACCEPTED_STATUSES,
    AlertStatus,
    InsightAlert,
    InsightAlertKind,
    MonthlyTheme,
    ProposalStatus,
    SignalSource,
    TaskProposal,
)
from ecohotline.org.models import OrgUnit, Role, UnitKind, User

# An accepted task blocks the same proposal until this long after it finished (the effect window).
RECENT_DONE = dt.timedelta(weeks=8)
# A rejected proposal is not made again for this long.
REJECTED_QUIET = dt.timedelta(weeks=4)
DEFAULT_RADIUS_M = 500
DEFAULT_WORKING_DAYS = 10
# Who runs the planner by hand ("Propose now").
PLANNER_ROLES = (Role.LEADER, Role.ANALYST, Role.ADMIN)


@dataclass
class Signal:
    """Something that calls for a patrol or inspection: where (a street, or a point with a radius, or the whole
    district), about what (a category code), why (`evidence`, the cases behind it) and how strongly (`score`).

    `key` tells apart signals that are otherwise the same thing (a seasonal plan's year); `checklist`, `team`,
    `working_days` and `description` are what the collector already knows of the task (else the planner's
    defaults)."""

    source: str
    title: str
    category: str = ""
    street: OrgUnit | None = None
    latitude: float | None = None
    longitude: float | None = None
    radius_m: int = DEFAULT_RADIUS_M
    evidence: dict[str, Any] = field(default_factory=dict)
    case_ids: list[int] = field(default_factory=list)
    score: float = 0.0
    key: str = ""
    checklist: list[str] = field(default_factory=list)
    team: OrgUnit | None = None
    team_kinds: tuple[str, ...] = (UnitKind.SQUAD, UnitKind.BRIGADE)
    working_days: int = DEFAULT_WORKING_DAYS
    description: str = ""


def area_key(signal: Signal) -> str:
    """The area part of "the same thing": the street, else the grid cell of the point, else the district."""
    if signal.street is not None:
        return f"street:{signal.street.pk}"
    if signal.latitude is not None and signal.longitude is not None:
        return f"cell:{geo.grid_cell(signal.longitude, signal.latitude)}"
    return "district"


def source_key(signal: Signal) -> str:
    return "|".join((signal.source, signal.category, area_key(signal), signal.key))[:200]


# --- the seasonal plans (季节性专项) -----------------------------------------------------------------------


@dataclass(frozen=True)
class SeasonalPlan:
    """A recurring campaign of the bureau: in which months, on which category, what to check, by which kind of
    team, within how many working days. Texts are the bureau's own (they become the task's text)."""

    code: str
    months: tuple[int, ...]
    category: str
    title: str
    checklist: tuple[str, ...]
    team_kinds: tuple[str, ...] = (UnitKind.SQUAD, UnitKind.BRIGADE)
    working_days: int = DEFAULT_WORKING_DAYS
    score: float = 0.5


SEASONAL_PLANS: tuple[SeasonalPlan, ...] = (
    SeasonalPlan("catering_fumes_summer", (5, 6), "air.catering_fumes", "夏季前餐饮油烟专项检查",
                 ("油烟净化设施是否安装并正常运行", "净化设施清洗维护记录", "排气筒高度与朝向是否影响居民",
                  "油烟排放浓度抽测（DB11/1488）", "夜间经营及排风机噪声")),
    SeasonalPlan("dust_spring", (3, 4), "air.dust", "春季施工扬尘专项巡查",
                 ("施工工地“六个百分之百”落实情况", "裸露土方苫盖", "出入口车辆冲洗设施", "渣土运输车辆密闭",
                  "道路遗撒及清扫保洁")),
    SeasonalPlan("night_construction_exams", (5, 6), "noise.construction", "中高考期间夜间施工噪声巡查",
                 ("考点周边施工管控", "夜间施工审批证明", "22时至次日6时施工情况", "高噪声设备隔声措施",
                  "施工场界噪声监测（GB 12523）"), working_days=5, score=0.7),
    SeasonalPlan("night_construction_summer", (7, 8), "noise.construction", "夏季夜间施工噪声巡查",
                 ("夜间施工审批证明", "22时至次日6时施工情况", "高噪声设备隔声措施",
                  "施工场界噪声监测（GB 12523）")),
    SeasonalPlan("burning_autumn", (9, 10, 11), "air.burning", "秋季秸秆及露天焚烧巡查",
                 ("农田秸秆焚烧巡查", "垃圾、落叶露天焚烧", "火点核查与处置", "宣传告知与网格员巡查记录")),
    SeasonalPlan("heating_boilers", (10, 11), "air.industrial", "采暖季燃气锅炉专项检查",
                 ("锅炉低氮改造及运行情况", "在线监测数据是否正常传输", "氮氧化物排放抽测", "燃料使用及运行台账"),
                 team_kinds=(UnitKind.BRIGADE, UnitKind.SQUAD), working_days=15),
)


def seasonal_signals(day: dt.date) -> list[Signal]:
    """The seasonal plans in force on `day`, one signal each (district-wide, once a year)."""
    return [
        Signal(source=SignalSource.SEASONAL, title=plan.title, category=plan.category,
               evidence={"plan": plan.code, "months": list(plan.months), "year": day.year},
               score=plan.score, key=str(day.year), checklist=list(plan.checklist), team_kinds=plan.team_kinds,
               working_days=plan.working_days)
        for plan in SEASONAL_PLANS if day.month in plan.months
    ]


# --- unusual rises -----------------------------------------------------------------------------------------


def alert_signals() -> list[Signal]:
    """One signal per open unusual-rise alert (异常上升): the category in the street, with the week's observed and
    expected counts and the cases behind it when the alert lists them."""
    signals = []
    for alert in InsightAlert.objects.filter(kind=InsightAlertKind.RISE, status=AlertStatus.OPEN).select_related(
            "street").order_by("-week_start", "pk"):
        place = alert.street.name if alert.street else "全区"
        label = category_label(alert.category) or alert.category or "投诉"
        raw_ids = alert.details.get("case_ids", []) if isinstance(alert.details, dict) else []
        case_ids = [int(pk) for pk in raw_ids if isinstance(pk, int | str) and str(pk).isdigit()]
        signals.append(Signal(
            source=SignalSource.RISE, title=f"{place}{label}投诉异常上升核查", category=alert.category,
            street=alert.street,
            evidence={"alert": alert.pk, "week_start": alert.week_start.isoformat(), "observed": alert.observed,
                      "expected": round(alert.expected, 2), "p_value": alert.p_value},
            case_ids=case_ids, score=round(alert.observed / max(alert.expected, 0.5), 3), working_days=5,
        ))
    return signals


# --- hotspots, repeated sources and forecast peaks -----------------------------------------------------------

HOTSPOT_DAYS = 28           # the hotspots of the last four weeks,
SOURCE_DAYS = 30            # the repeated sources of the last thirty days,
SIGNALS_PER_COLLECTOR = 3   # the strongest few of each;
PEAK_RATIO = 1.3            # a forecast week this far above the last eight weeks' mean is a peak to prepare for,
PEAK_MIN_WEEKLY = 3.0       # for a category with at least this many complaints a week.


def _dominant(cases: Any, field_name: str) -> Any:
    """The most frequent non-empty value of `field_name` among `cases` (ties: the smallest), or None."""
    counts = Counter(value for value in cases.values_list(field_name, flat=True) if value)
    return min(counts, key=lambda value: (-counts[value], value)) if counts else None


def hotspot_signals(day: dt.date) -> list[Signal]:
    """The strongest hotspots (Gi*, after FDR) of the four weeks before `day`: patrol the area, on the category
    most complained of there."""
    from ecohotline.insight.hotspots import compute_hotspots

    result = compute_hotspots(day - dt.timedelta(days=HOTSPOT_DAYS), day - dt.timedelta(days=1))
    signals = []
    for area in sorted(result.hotspots, key=lambda area: -area.peak_z)[:SIGNALS_PER_COLLECTOR]:
        cases = result.cases_in(area)
        street_id = _dominant(cases, "street_id")
        street = OrgUnit.objects.filter(pk=street_id).first() if street_id else None
        lat, lng = area.centre
        south, west, north, east = area.bounds
        signals.append(Signal(
            source=SignalSource.HOTSPOT, title=f"{street.name if street else ''}投诉热点区域巡查",
            category=_dominant(cases, "sub_category") or _dominant(cases, "category") or "", street=street,
            latitude=lat, longitude=lng, radius_m=max(int(geo.distance_m(west, south, east, north) / 2), 300),
            evidence={"cells": len(area.cells), "complaints": area.count, "peak_z": round(area.peak_z, 2),
                      "start": result.start.isoformat(), "end": result.end.isoformat()},
            case_ids=list(cases.order_by("-received_at").values_list("pk", flat=True)[:100]),
            score=round(area.peak_z, 3)))
    return signals


def source_signals(day: dt.date) -> list[Signal]:
    """The top repeated sources (重复投诉源) of the thirty days before `day`: inspect the polluter."""
    from ecohotline.insight.sources import DEFAULT_RADIUS_M, repeated_sources

    found = repeated_sources(day - dt.timedelta(days=SOURCE_DAYS), day - dt.timedelta(days=1),
                             top=SIGNALS_PER_COLLECTOR)
    signals = []
    for source in found.sources:
        cases = Case.objects.filter(pk__in=source.case_ids)
        street_id = _dominant(cases, "street_id")
        category = min(source.by_category, key=lambda code: (-source.by_category[code], code)) \
            if source.by_category else ""
        signals.append(Signal(
            source=SignalSource.REPEATED_SOURCE, title=f"{source.name}重复投诉源头排查", category=category,
            street=OrgUnit.objects.filter(pk=street_id).first() if street_id else None,
            latitude=source.latitude, longitude=source.longitude, radius_m=int(DEFAULT_RADIUS_M),
            evidence={"complaints": source.complaints, "complainants": source.complainants,
                      "first": source.first_at.date().isoformat(), "last": source.last_at.date().isoformat(),
                      "address": source.address},
            case_ids=source.case_ids[:100], score=round(source.score, 3)))
    return signals


def forecast_signals(day: dt.date) -> list[Signal]:
    """Categories whose forecast for the coming weeks peaks well above the last eight weeks: a district-wide
    campaign before the peak (keyed by the peak's week, so one campaign per peak)."""
    from ecohotline.insight.forecast import forecast_categories

    signals = []
    for found in forecast_categories(until=day):
        if found.category == "total" or not found.history:
            continue
        recent = sum(found.history[-8:]) / len(found.history[-8:])
        peak, week = max(zip(found.forecast.mean, found.weeks, strict=True))
        if recent < PEAK_MIN_WEEKLY or peak < PEAK_RATIO * recent:
            continue
        signals.append(Signal(
            source=SignalSource.FORECAST_PEAK, title=f"{found.label}投诉高峰前专项检查", category=found.category,
            evidence={"recent_weekly": round(recent, 1), "peak_weekly": round(peak, 1),
                      "peak_week": week.isoformat()},
            score=round(peak / recent, 3), key=week.isoformat()))
    return signals[:SIGNALS_PER_COLLECTOR]


# Collectors the planner runs, each a function of the day.
COLLECTORS: list[Callable[[dt.date], list[Signal]]] = [seasonal_signals, lambda day: alert_signals(),
                                                        hotspot_signals, source_signals, forecast_signals]


def collect_signals(day: dt.date) -> list[Signal]:
    signals: list[Signal] = []
    for collector in COLLECTORS:
        signals.extend(collector(day))
    return signals


# --- proposing ---------------------------------------------------------------------------------------------

GENERIC_CHECKLISTS: dict[str, tuple[str, ...]] = {
    "air": ("现场排查污染源", "治理设施运行情况", "必要时开展监测", "督促整改并复查"),
    "noise": ("现场排查噪声源", "作业时间及审批情况", "噪声监测", "督促整改并复查"),
    "water": ("排查排水口及排放去向", "污水处理设施运行情况", "取样监测", "督促整改并复查"),
    "waste": ("排查固体废物堆放及去向", "台账及转移联单", "督促整改并复查"),
}
DEFAULT_CHECKLIST = ("现场排查", "核实群众反映问题", "督促整改并复查")
# The task's own text is the bureau's (it goes on the case), in Chinese like the case texts the system writes.
SOURCE_WORDS: dict[str, str] = {SignalSource.HOTSPOT: "投诉热点区域", SignalSource.REPEATED_SOURCE: "重复投诉源",
                SignalSource.RISE: "投诉异常上升", SignalSource.FORECAST_PEAK: "投诉预测高峰",
                SignalSource.SEASONAL: "季节性专项"}


def default_checklist(category: str) -> list[str]:
    return list(GENERIC_CHECKLISTS.get(category.split(".")[0], DEFAULT_CHECKLIST))


def team_for(category: str, street: OrgUnit | None, kinds: Sequence[str], *, now: dt.datetime) -> OrgUnit | None:
    """The team for a task: the unit of the bureau that handled most complaints of the category (in the street,
    if given) over the last year; else the first active unit of the preferred kinds; else the bureau."""
    cases = Case.objects.filter(kind=CaseKind.COMPLAINT, received_at__gte=now - dt.timedelta(days=365),
                                handling_unit__isnull=False, handling_unit__is_active=True,
                                handling_unit__kind__in=HANDLING_UNIT_KINDS)
    if category:
        cases = cases.filter(Q(sub_category=category) | Q(sub_category__startswith=f"{category}.")
                             | Q(category=category))
    for scope in ([cases.filter(street=street)] if street is not None else []) + [cases]:
        counts = Counter(scope.values_list("handling_unit_id", flat=True)[:5000])
        if counts:
            unit_id = min(counts, key=lambda pk: (-counts[pk], pk))
            return OrgUnit.objects.get(pk=unit_id)
    for kind in [*kinds, UnitKind.BUREAU]:
        unit = OrgUnit.objects.filter(kind=kind, is_active=True).order_by("path").first()
        if unit is not None:
            return unit
    return None


def theme_for(category: str, text: str, day: dt.date) -> MonthlyTheme | None:
    """The monthly theme (每月一题) of `day`'s month the task belongs to: same category family, or a keyword."""
    theme = MonthlyTheme.objects.filter(month=day.replace(day=1)).first()
    if theme is None:
        return None
    for code in theme.categories:
        if category and (category == code or category.startswith(f"{code}.") or code.startswith(f"{category}.")):
            return theme
    return theme if any(word in text for word in theme.keyword_list) else None


def is_blocked(key: str, *, now: dt.datetime) -> bool:
    """Whether a proposal of the same source, category and area is open, under way, recently finished or recently
    rejected."""
    # A task whose case was closed without a result recorded counts as done when its case closed.
    return TaskProposal.objects.filter(source_key=key).filter(
        Q(status=ProposalStatus.PROPOSED)
        | Q(status__in=ACCEPTED_STATUSES, finished_at__isnull=True, case__closed_at__isnull=True)
        | Q(status__in=ACCEPTED_STATUSES, finished_at__isnull=True, case__closed_at__gte=now - RECENT_DONE)
        | Q(status__in=ACCEPTED_STATUSES, finished_at__gte=now - RECENT_DONE)
        | Q(status=ProposalStatus.REJECTED, decided_at__gte=now - REJECTED_QUIET)
    ).exists()


def propose_tasks(signals: Iterable[Signal], *, now: dt.datetime) -> list[TaskProposal]:
    """One proposal per signal that is not already proposed, under way or recently done; strongest first.
    Returns the new proposals."""
    overrides = workday_overrides()
    today = timezone.localdate(now)
    seen: set[str] = set()
    created = []
    for signal in sorted(signals, key=lambda s: -s.score):
        key = source_key(signal)
        if key in seen or is_blocked(key, now=now):
            continue
        seen.add(key)
        checklist = list(signal.checklist) or default_checklist(signal.category)
        team = signal.team or team_for(signal.category, signal.street, signal.team_kinds, now=now)
        deadline = add_working_days(now, signal.working_days, overrides).at.date()
        created.append(services.create_proposal(
            source=signal.source, source_key=key, title=signal.title[:200],
            description=signal.description or _describe(signal), checklist=checklist, category=signal.category,
            team=team, deadline=deadline, street=signal.street, latitude=signal.latitude,
            longitude=signal.longitude, radius_m=signal.radius_m, evidence=signal.evidence,
            case_ids=list(signal.case_ids), score=signal.score,
            theme=theme_for(signal.category, signal.title, today),
        ))
    return created


def _describe(signal: Signal) -> str:
    place = signal.street.name if signal.street else (
        f"{signal.latitude:.5f},{signal.longitude:.5f} 周边 {signal.radius_m} 米"
        if signal.latitude is not None and signal.longitude is not None else "全区")
    label = category_label(signal.category) or signal.category or "—"
    return f"{SOURCE_WORDS.get(signal.source, signal.source)}：{label}，范围：{place}。"


def can_run_planner(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.has_role(*PLANNER_ROLES))


def propose_now(*, actor: User | None, now: dt.datetime | None = None) -> list[TaskProposal]:
    """Run every collector and propose (the planner's worker and the "Propose now" button). `actor` None is the
    system; a person must be a leader, an analyst or an administrator."""
    if actor is not None and not can_run_planner(actor):
        raise ActionForbidden(_("Only leaders, analysts and administrators run the planner."))
    now = now or timezone.now()
    return propose_tasks(collect_signals(timezone.localdate(now)), now=now)
