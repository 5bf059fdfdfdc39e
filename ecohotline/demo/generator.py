"""The demo district generator: a year of realistic cases with their whole lifecycle.

How it works. Cases are made day by day over the 365 days (or `days`) before the cut-off (00:00 Beijing time of the end
date, so nothing lies in the future when the end date is today). For each case a *story* is planned: every
step it would go through (派单, 签收, 联系诉求人, 现场核查, 监测, 整改, 吹哨报到, 延期, 答复, 回访, 重办, 申诉...)
with its time and actor. The steps before the cut-off are then *replayed* by a small state machine that
mirrors `cases.services` field by field: it moves the status as `cases.workflow.TRANSITIONS` allows, writes
the records and a `CaseEvent` per step with the payload the service would write, bumps the version, and
takes deadlines from the real functions (`deadlines.find_policy`, `deadlines.compute_due_times`,
`deadlines.next_due_at`). Cases received lately are therefore new, dispatched, in progress or replied, and
older ones closed, exactly as the cut-off finds them. So that even a small district shows every stage, a
share of the latest cases is held at an early one (new, dispatched, returned) or still worked on close to
its deadline, and a few of the latest repeated complaints have duplicates waiting for their answer (`HOLD_*`).

A duplicate (并案) is planned after the complaint it is merged into (its parent) and replayed after it, as
the services handle it: it takes the parent's unit, handler and leader and follows them (`follow_parent`),
its own complainant is contacted, the parent's first final reply answers it with a `Reply` and a `reply`
entry of its own (`via_parent`), and its return visits are its own. Until then it is `merged`, with its own
deadlines running.

The cases the cut-off finds still `new` wait in the dispatcher's inbox as imported orders do: each with the
intake's `TriageSuggestion` (the squad of its street by the demo's routing rules, its leader, the confidence,
reasons shaped like `Triage.as_payload()`), and a repeated complaint with a pending `DuplicateSuggestion` of
the case it repeats (`_suggestions`); a share of the duplicates of the held repeated complaints is left
unmerged for that (`HOLD_UNMERGED`).

Why not call the services? A million cases through per-case services (one transaction, several queries
and a row lock per step) would take hours. This seed tool is the one place that writes cases without the
services: it writes in batches of a few thousand cases with their related rows, holding only one batch in
memory, through `demo.writer` (bulk inserts with primary keys reserved up front; Django's `bulk_create`
compiles SQL value by value and was four times slower). The values are the ones the services would write;
timestamps that Django sets to "now" (`created_at`, `updated_at`) get the simulated time of the step, as the
services would have written them at that moment.

Same seed, same end date, same data: all content comes from one `random.Random(seed)`; nothing reads the
clock or depends on primary keys.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from bisect import bisect
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

import chinese_calendar
from django.db import transaction

from ecohotline.cases import deadlines, measurements
from ecohotline.cases.models import (
    Appeal,
    AppealReason,
    Case,
    CaseEvent,
    CaseKind,
    CaseStatus,
    Channel,
    ContactAttempt,
    DeadlinePolicy,
    Decision,
    Extension,
    Inspection,
    JointHandling,
    JointReply,
    Measurement,
    Rectification,
    RectificationStatus,
    Reply,
    RequestType,
    ReturnVisit,
    Satisfaction,
    Urgency,
    VisitSource,
)
from ecohotline.cases.workflow import TRANSITIONS
from ecohotline.core import bulk
from ecohotline.core.geo import grid_cell
from ecohotline.core.selectors import workday_overrides
from ecohotline.core.workdays import BEIJING
from ecohotline.demo import texts as tx
from ecohotline.demo.people import DISTRICT, SQUADS, STAFF, UNITS
from ecohotline.demo.places import PARKS, PLACES, RIVERS, Place
from ecohotline.demo.texts import Topic
from ecohotline.demo.writer import Table, insert, reserve_ids
from ecohotline.intake import duplicates
from ecohotline.intake.classify import classify_by_rules
from ecohotline.intake.models import DuplicateSuggestion, KeyUnit, RoutingRule, TriageSuggestion
from ecohotline.intake.routing import route
from ecohotline.intake.triage import HINT_WORDS, NIGHT_HOURS
from ecohotline.org.models import OrgUnit, User
from ecohotline.org.selectors import leader_for_street

DAYS = 365
DEFAULT_BATCH_SIZE = 2000

CHANNEL_SHARES = (
    (Channel.HOTLINE_12345, 0.80), (Channel.ECO_12369, 0.05), (Channel.WEB, 0.05), (Channel.PHONE, 0.05),
    (Channel.LETTER, 0.03), (Channel.VISIT, 0.02),
)
# Channels under the 信访/12369 rules: 15 days to accept, 60 to complete, the clock may be paused.
LONG_CHANNELS = frozenset({Channel.ECO_12369, Channel.LETTER, Channel.VISIT})
# Orders that arrive through a system rather than typed in by a dispatcher (the creating actor is None).
IMPORTED_CHANNELS = frozenset({Channel.HOTLINE_12345, Channel.ECO_12369, Channel.WEB})
ANONYMOUS_CHANNELS = frozenset({Channel.ECO_12369, Channel.LETTER, Channel.WEB})
NUMBERED_CHANNELS = frozenset({Channel.HOTLINE_12345, Channel.ECO_12369})
# Requests answered from the desk: no site inspection.
DESK_ONLY = frozenset({RequestType.ENQUIRY, RequestType.SUGGESTION, RequestType.PRAISE})
# The 12345 hotline numbers its orders by date; the 12369 platform's numbers carry a prefix of their own, so
# the two never read alike on the desk.
ORDER_PREFIX: dict[str, str] = {Channel.ECO_12369: "HJ"}


REPEAT_SHARE = 0.10  # share of cases about a repeated source (the same polluter complained about again)
DUPLICATE_RATE = 0.15  # chance that a repeated-source complaint comes with duplicates merged into it

# What the cut-off finds: a backlog of the latest cases still waiting at each early stage.
HOLD_NEW = (36.0, 20, 0.3)  # (window in hours, at least this many cases' worth, share held)
HOLD_DISPATCHED = (60.0, 25, 0.25)
HOLD_RETURNED = (120.0, 40, 0.1)
HOLD_DUE_SOON = 0.6  # share of the cases due within a day of the cut-off still being worked on
# Duplicates still waiting for their parent's answer: about this many repeated complaints with duplicates,
# answered only after the cut-off, among the cases of the window (hours, at least this many cases' worth),
# whatever the district's size.
HOLD_MERGED = (24.0, 20, 6)
# ...and the share of their duplicates that the dispatcher has not merged yet: still new at the cut-off, they
# wait in the dispatcher's inbox as possible duplicates (重复件) of the complaint they repeat.
HOLD_UNMERGED = 0.5

SATISFIED = frozenset({Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED})
# Timeline entries that are not people's actions from `TRANSITIONS`: no status check before replaying them.
BOOKKEEPING = frozenset({"created", "merge_received", "follow_parent"})
# The parent's steps that its waiting duplicates follow (`services._children_follow`); the replay keeps the
# parent's handling after each of them (and at each merge) for the duplicates.
FOLLOWED = frozenset({"dispatch", "accept", "return_order"})
HANDLING_SNAPSHOT = FOLLOWED | {"merge_received"}
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


# --- the organisation as the generator needs it ------------------------------------------------------


@dataclass(frozen=True)
class DemoOrg:
    """The demo units and people, by code and username (built by `organisation.build_organisation`)."""

    units: dict[str, OrgUnit]
    users: dict[str, User]
    handlers: dict[str, tuple[int, ...]]  # squad code → user ids
    heads: dict[str, tuple[int, ...]]
    dispatchers: tuple[int, ...]
    leaders: tuple[int, ...]
    leader_of_place: dict[str, int | None]
    liaison_of_place: dict[str, int]
    names: dict[int, str]
    policies: list[DeadlinePolicy]
    overrides: dict[dt.date, bool]
    # What triage routes by (`intake.routing.route`): the routing rules, key units and each street's leader.
    rules: list[RoutingRule]
    key_units: list[KeyUnit]
    street_leaders: dict[int, User | None]

    @classmethod
    def load(cls) -> DemoOrg:
        units = {unit.code: unit for unit in OrgUnit.objects.filter(code__in=[spec.code for spec in UNITS])}
        users = {user.username: user for user in User.objects.filter(username__in=[s.username for s in STAFF])}
        missing = [spec.code for spec in UNITS if spec.code not in units]
        missing += [spec.username for spec in STAFF if spec.username not in users]
        if missing:
            raise LookupError(f"demo organisation incomplete (missing {', '.join(missing)}); build it first")

        def ids(role: str, unit: str) -> tuple[int, ...]:
            return tuple(users[s.username].pk for s in STAFF if s.role == role and s.unit == unit)

        leaders: dict[str, int | None] = {}
        street_leaders: dict[int, User | None] = {}
        for place in PLACES:
            leader = leader_for_street(units[place.code])
            leaders[place.code] = leader.pk if leader else None
            street_leaders[units[place.code].pk] = leader
        return cls(
            units=units, users=users,
            handlers={squad: ids("handler", squad) for squad in SQUADS},
            heads={squad: ids("unit_head", squad) for squad in SQUADS},
            dispatchers=tuple(users[s.username].pk for s in STAFF if s.role == "dispatcher"),
            leaders=tuple(users[s.username].pk for s in STAFF if s.role == "leader"),
            leader_of_place=leaders,
            liaison_of_place={s.unit: users[s.username].pk for s in STAFF if s.role == "street_liaison"},
            names={user.pk: user.display_name for user in users.values()},
            policies=list(DeadlinePolicy.objects.filter(is_active=True)),
            overrides=workday_overrides(),
            rules=list(RoutingRule.objects.filter(is_active=True).select_related("unit", "street")),
            key_units=list(KeyUnit.objects.filter(is_active=True).select_related("unit")),
            street_leaders=street_leaders,
        )


def ensure_routing_rules() -> int:
    """The demo district's 分派规则: the orders of each street or town, whatever their category, go to the squad
    whose area it is, which is where the generator dispatches them too (the squads are territorial, so one rule
    per category would name the same squad again and again). Idempotent; returns how many rules it added."""
    units = {unit.code: unit for unit in OrgUnit.objects.filter(code__in=[*(p.code for p in PLACES), *SQUADS])}
    covered = set(RoutingRule.objects.filter(category="", street__isnull=False).values_list("street_id", flat=True))
    missing = [RoutingRule(category="", street=units[place.code], unit=units[place.squad])
               for place in PLACES if units[place.code].pk not in covered]
    RoutingRule.objects.bulk_create(missing)
    return len(missing)


# --- drafts and steps ----------------------------------------------------------------------------------


@dataclass
class Step:
    """One planned action of a case's story."""

    at: dt.datetime
    action: str
    actor: int | None
    params: dict[str, Any]


@dataclass
class Source:
    """A repeated source: one polluter at one address, complained about again and again."""

    topic: Topic
    place: Place
    community: str
    road: str
    address: str
    polluter: str
    latitude: float
    longitude: float
    slots: dict[str, str]
    regulars: list[tuple[str, str]]  # complainants who keep calling: (name, phone)


@dataclass
class Draft:
    """A case being planned: the unsaved row, its story, and what the story needs to know."""

    case: Case
    topic: Topic
    place: Place
    slots: dict[str, str]
    night: bool
    source: Source | None = None
    parent: Draft | None = None
    steps: list[Step] = field(default_factory=list)
    index: int = -1  # position in its batch: the row's batch-relative reference
    # A case handled on its own: who handles it and what was found, which the duplicates merged into it share.
    handler: int | None = None
    leader: int | None = None
    outcome: str = ""
    held_open: bool = False  # answered only after the cut-off, so that its duplicates still wait (HOLD_MERGED)


@dataclass
class SourceTrail:
    """What triage would know of a repeated source so far: when it was complained about (the 90-day repeat
    count) and its latest complaint handled on its own, with that case's key (a new complaint's likely
    duplicate)."""

    received: deque[dt.datetime] = field(default_factory=deque)
    latest: Case | None = None
    latest_pk: int | None = None


class Batch:
    """The rows of one batch, keyed by table, with batch-relative references (see `writer`)."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLE_ORDER}
        # (payload, key, table, index): the key gets that row's primary key once keys are reserved
        self.fixups: list[tuple[dict[str, Any], str, str, int]] = []

    def add(self, table: str, row: dict[str, Any]) -> int:
        rows = self.rows[table]
        rows.append(row)
        return len(rows) - 1

    def refer(self, payload: dict[str, Any], key: str, table: str, index: int) -> None:
        self.fixups.append((payload, key, table, index))

    def record_count(self) -> int:
        return sum(len(rows) for name, rows in self.rows.items() if name not in ("case", "event"))


TABLE_ORDER = ("case", "contact", "inspection", "measurement", "rectification", "reply", "visit", "appeal",
               "extension", "joint", "joint_unit", "joint_reply", "event")
CASE_COLUMNS = tuple(f.attname for f in Case._meta.concrete_fields if not f.primary_key)
_RECORD = ("case_id", "created_by_id", "created_at")


def _tables() -> dict[str, Table]:
    """The writer's view of every table the generator fills (built per run: it depends on the database)."""
    case_ref = {"case_id": "case"}
    through = JointHandling.units.through
    tables = [
        Table("case", Case, CASE_COLUMNS, {"parent_id": "case"}),
        Table("contact", ContactAttempt, (*_RECORD, "at", "channel", "reached", "summary"), case_ref),
        Table("inspection", Inspection, (*_RECORD, "at", "people", "findings"), case_ref),
        Table("measurement", Measurement, (*_RECORD, "inspection_id", "kind", "measured_at", "values", "verdict"),
              {**case_ref, "inspection_id": "inspection"}),
        Table("rectification", Rectification, (*_RECORD, "requirement", "deadline", "status"), case_ref),
        Table("reply", Reply, (*_RECORD, "at", "text", "final"), case_ref),
        Table("visit", ReturnVisit, (*_RECORD, "at", "source", "valid", "contacted", "solved", "satisfaction",
                                     "note"), case_ref),
        Table("appeal", Appeal, (*_RECORD, "reason", "evidence", "decision", "decided_by_id", "decided_at",
                                 "decision_note"), case_ref),
        Table("extension", Extension, (*_RECORD, "requested_days", "reason", "decision", "decided_by_id",
                                       "decided_at", "decision_note", "old_due_at", "new_due_at"), case_ref),
        Table("joint", JointHandling, (*_RECORD, "reason"), case_ref),
        Table("joint_unit", through, ("jointhandling_id", "orgunit_id"), {"jointhandling_id": "joint"}),
        Table("joint_reply", JointReply, ("joint_id", "unit_id", "text", "created_by_id", "created_at"),
              {"joint_id": "joint"}),
        Table("event", CaseEvent, ("case_id", "actor_id", "at", "action", "from_status", "to_status", "payload"),
              case_ref),
    ]
    return {table.name: table for table in tables}


@dataclass(frozen=True)
class GenerationResult:
    cases: int
    events: int
    records: int
    seconds: float


def cutoff_for(end: dt.date) -> dt.datetime:
    """The simulated "now": 00:00 Beijing time of the end date."""
    return dt.datetime.combine(end, dt.time(0), tzinfo=BEIJING)


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime | dt.date) else value


def _date_zh(moment: dt.datetime) -> str:
    return f"{moment.month}月{moment.day}日"


# --- the generator -------------------------------------------------------------------------------------



def measurement_values(rng: random.Random, topic: Topic, at: dt.datetime, *, community: str,
                       exceeds: bool) -> dict[str, Any]:
    """The values of a measurement of `topic.measurement` taken at `at` near `community` (a 社区 is a class 1 zone,
    elsewhere class 2), over the limit or not: for the demo's cases and the training scenarios it generates."""

    def pick(items: tuple[Any, ...]) -> Any:
        return items[int(rng.random() * len(items))]

    kind = topic.measurement
    values: dict[str, Any]
    if kind == "noise":
        night = at.hour >= 22 or at.hour < 6
        if topic.code == "noise.construction":
            values, limit = {"standard": "GB12523"}, 55 if night else 70
        elif topic.code == "noise.traffic":
            values, limit = {"standard": "GB3096", "zone": "4a"}, 55 if night else 70
        else:
            zone = "1" if community.endswith("社区") else "2"
            values = {"standard": "GB12348" if topic.code == "noise.industrial" else "GB22337", "zone": zone}
            limit = {"1": (55, 45), "2": (60, 50)}[zone][1 if night else 0]
            if night and topic.code == "noise.industrial":
                values["lmax_kind"] = "frequent"
        leq = round(limit + (rng.uniform(1.5, 12) if exceeds else -rng.uniform(0.5, 8)), 1)
        values |= {"leq_db": leq, "background_db": round(leq - rng.uniform(10.5, 18), 1),
                   "point": pick(("敏感点窗外1米", "边界外1米"))}
    elif kind == "catering_fumes":
        fumes = round(rng.uniform(1.1, 3.5) if exceeds else rng.uniform(0.2, 0.95), 2)
        values = {"fumes_mg_m3": fumes, "pm_mg_m3": round(rng.uniform(0.8, 4.5), 2),
                  "nmhc_mg_m3": round(rng.uniform(1.5, 9.5), 2)}
    elif kind == "odor":
        values = {"odor_concentration": rng.randint(25, 90) if exceeds else rng.randint(10, 19),
                  "point": "厂界下风向"}
    elif kind == "water":
        values = {"cod": round(rng.uniform(45, 180) if exceeds else rng.uniform(12, 38), 1),
                  "ammonia_nitrogen": round(rng.uniform(2.2, 15) if exceeds else rng.uniform(0.2, 1.9), 2),
                  "ph": round(rng.uniform(6.5, 8.6), 1)}
    else:  # electromagnetic
        density = round(rng.uniform(0.002, 0.12), 4)
        values = {"power_density_w_m2": density, "e_field_v_m": round(math.sqrt(density * 377), 2)}
    return values


class Generator:
    """Plans and writes `count` cases ending at `end` from `random.Random(seed)`."""

    def __init__(self, *, org: DemoOrg, count: int, seed: int, end: dt.date, number_offset: int = 0,
                 days: int = DAYS) -> None:
        self.org = org
        self.count = count
        self.rng = random.Random(seed)
        self.end = end
        self.days = days
        self.cutoff = cutoff_for(end)
        self.first_day = end - dt.timedelta(days=days)
        self.number_offset = number_offset
        self.tables = _tables()
        self.handler_ids = frozenset(pk for ids in org.handlers.values() for pk in ids)
        self._policy_cache: dict[tuple[str, str, str], DeadlinePolicy | None] = {}
        self._place_cum = list(accumulate(place.weight for place in PLACES))
        self._topic_cum: dict[tuple[int, bool], list[float]] = {
            (month, rural): list(accumulate(
                t.weight * t.season[month - 1] * (t.rural if rural else 1.0) for t in tx.TOPICS
            ))
            for month in range(1, 13) for rural in (False, True)
        }
        self._hour_cum = {t.code: list(accumulate(t.hours)) for t in tx.TOPICS}
        self._channel_cum = list(accumulate(share for _c, share in CHANNEL_SHARES))
        hourly = max(count, 1) / (days * 24)
        self._holds = {
            name: (max(hours, cases / hourly) * HOUR, share)
            for name, (hours, cases, share) in
            (("new", HOLD_NEW), ("dispatched", HOLD_DISPATCHED), ("returned", HOLD_RETURNED))
        }
        hours, cases, parents = HOLD_MERGED
        window = max(hours, cases / hourly)
        self._holds["merged"] = (window * HOUR, min(1.0, parents / (window * hourly)))
        self.sources = self._make_sources()
        self._trails: dict[int, SourceTrail] = {}  # id(source) → its trail
        self._source_cum = list(accumulate(1.0 / (rank + 1) ** 0.8 for rank in range(len(self.sources))))

    # --- small random helpers --------------------------------------------------------------------------

    def _pick(self, items: tuple[Any, ...] | list[Any]) -> Any:
        return items[int(self.rng.random() * len(items))]

    def _chance(self, p: float) -> bool:
        return self.rng.random() < p

    def _between(self, start: dt.datetime, low: dt.timedelta, high: dt.timedelta) -> dt.datetime:
        return start + low + (high - low) * self.rng.random()

    def _office(self, moment: dt.datetime) -> dt.datetime:
        """The moment itself if it falls in working hours (08:00–20:00), else early the next morning."""
        if 8 <= moment.hour < 20:
            return moment
        day = moment.date() if moment.hour < 8 else moment.date() + DAY
        morning = dt.datetime.combine(day, dt.time(8), tzinfo=BEIJING)
        return morning + dt.timedelta(minutes=self.rng.uniform(0, 90))

    def _night_visit(self, moment: dt.datetime) -> dt.datetime:
        """A night inspection (夜查) for night-time noise: 21:30–23:50 on the day, or the next one."""
        day = moment.date() if moment.hour < 21 else moment.date() + DAY
        if moment.hour < 6:
            day = moment.date()
        start = dt.datetime.combine(day, dt.time(21, 30), tzinfo=BEIJING)
        return start + dt.timedelta(minutes=self.rng.uniform(0, 140))

    def _held(self, name: str, received: dt.datetime) -> bool:
        window, share = self._holds[name]
        return self.cutoff - received < window and self._chance(share)

    # --- organisation shortcuts ------------------------------------------------------------------------

    def _unit(self, code: str) -> OrgUnit:
        return self.org.units[code]

    def _policy(self, channel: str, request_type: str, urgency: str) -> DeadlinePolicy | None:
        key = (channel, request_type, urgency)
        if key not in self._policy_cache:
            self._policy_cache[key] = deadlines.find_policy(channel, request_type, urgency, self.org.policies)
        return self._policy_cache[key]

    # --- people and places -----------------------------------------------------------------------------

    def _person(self) -> tuple[str, str]:
        rng = self.rng
        surname = self._pick(tx.SURNAMES)
        if rng.random() < 0.35:
            name = surname + ("先生" if rng.random() < 0.5 else "女士")
        else:
            name = surname + "".join(self._pick(tx.GIVEN_CHARS) for _ in range(1 if rng.random() < 0.3 else 2))
        if rng.random() < 0.9:
            phone = self._pick(tx.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        else:
            phone = f"010-{rng.choice('68'):s}{rng.randrange(10**7):07d}"
        return name, phone

    def _place(self) -> Place:
        return PLACES[bisect(self._place_cum, self.rng.random() * self._place_cum[-1])]

    def _topic(self, month: int, place: Place) -> Topic:
        cum = self._topic_cum[(month, place.rural)]
        return tx.TOPICS[bisect(cum, self.rng.random() * cum[-1])]

    def _slots(self, place: Place, community: str, road: str) -> dict[str, str]:
        rng = self.rng
        return {
            "community": community, "road": road, "river": self._pick(RIVERS), "park": self._pick(PARKS),
            "brand": self._pick(tx.BRANDS), "shop": self._pick(tx.SHOPS), "cw": self._pick(tx.COMPANY_WORDS),
            "project": self._pick(tx.PROJECTS), "n": str(rng.randint(5, 80)),
            "squad": self._unit(place.squad).name, "polluter": "",
        }

    def _address(self, place: Place, community: str, road: str) -> str:
        rng = self.rng
        if community.endswith("村"):
            return f"北京市{DISTRICT}{place.name}{community}"
        if rng.random() < 0.45:
            return f"北京市{DISTRICT}{road}{rng.randint(1, 200)}号"
        return f"北京市{DISTRICT}{place.name}{community}{rng.randint(1, 40)}号楼"

    def _location(self, place: Place) -> tuple[str, str, str, float, float]:
        rng = self.rng
        community, road = self._pick(place.communities), self._pick(place.roads)
        spread = 0.012 if place.rural else 0.005
        return (community, road, self._address(place, community, road),
                round(place.latitude + rng.gauss(0, spread), 6), round(place.longitude + rng.gauss(0, spread), 6))

    def _make_sources(self) -> list[Source]:
        repeatable = [t for t in tx.TOPICS if t.repeatable]
        weights = list(accumulate(t.weight for t in repeatable))
        sources = []
        for _ in range(min(5000, max(10, self.count // 120))):
            place = self._place()
            topic = repeatable[bisect(weights, self.rng.random() * weights[-1])]
            community, road, address, lat, lon = self._location(place)
            slots = self._slots(place, community, road)
            polluter = self._pick(topic.polluters).format(**slots)
            slots["polluter"] = polluter
            regulars = [self._person() for _ in range(self.rng.randint(1, 3))]
            sources.append(Source(topic, place, community, road, address, polluter, lat, lon, slots, regulars))
        return sources

    # --- the calendar ----------------------------------------------------------------------------------

    def _day_counts(self) -> list[int]:
        """How many cases each day receives: seasonal, a little lower at weekends and on public holidays."""
        weights = []
        for offset in range(self.days):
            day = self.first_day + dt.timedelta(days=offset)
            weight = tx.MONTH_VOLUME[day.month - 1] * (0.85 if day.weekday() >= 5 else 1.0)
            try:
                if chinese_calendar.is_holiday(day) and day.weekday() < 5:
                    weight *= 0.8
            except NotImplementedError:
                pass
            weights.append(weight)
        total = sum(weights)
        # Systematic sampling: day i gets the whole numbers crossed by the running total (shifted by one random
        # offset). Every day gets its expected share, and a small demo still spreads over the whole year
        # instead of piling onto the days with the largest remainders (the summer).
        shift = self.rng.random()
        counts: list[int] = []
        running = 0.0
        for weight in weights:
            before = running
            running += self.count * weight / total
            counts.append(math.floor(running + shift) - math.floor(before + shift))
        counts[-1] += self.count - sum(counts)  # floating-point rounding at the very end
        return counts

    # --- one case ----------------------------------------------------------------------------------------

    def _received(self, day: dt.date, topic: Topic) -> dt.datetime:
        rng = self.rng
        cum = self._hour_cum[topic.code]
        hour = bisect(cum, rng.random() * cum[-1])
        return dt.datetime.combine(day, dt.time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=BEIJING)

    def _draft(self, day: dt.date, *, source: Source | None = None, parent: Draft | None = None) -> Draft:
        rng = self.rng
        if parent is not None:
            source = parent.source
        if source is not None:
            topic, place = source.topic, source.place
            community, road, address = source.community, source.road, source.address
            lat, lon = source.latitude, source.longitude
            slots = dict(source.slots)
            polluter = source.polluter
        else:
            place = self._place()
            topic = self._topic(day.month, place)
            community, road, address, lat, lon = self._location(place)
            slots = self._slots(place, community, road)
            polluter = self._pick(topic.polluters).format(**slots)
            slots["polluter"] = polluter
        if parent is not None:
            received = self._between(parent.case.received_at, 20 * MINUTE, 6 * HOUR)
        else:
            received = self._received(day, topic)

        channel = CHANNEL_SHARES[bisect(self._channel_cum, rng.random() * self._channel_cum[-1])][0]
        if parent is not None:
            channel = Channel.HOTLINE_12345
        u = rng.random()
        if u < topic.report_rate:
            request_type = RequestType.REPORT
        elif u < topic.report_rate + 0.06 and source is None:
            request_type = RequestType.ENQUIRY
        elif u < topic.report_rate + 0.085 and source is None:
            request_type = RequestType.SUGGESTION
        elif u < topic.report_rate + 0.09 and source is None:
            request_type = RequestType.PRAISE
        elif u < topic.report_rate + 0.125:
            request_type = RequestType.HELP
        else:
            request_type = RequestType.COMPLAINT
        urgency = Urgency.NORMAL
        if channel == Channel.HOTLINE_12345 and request_type not in (RequestType.ENQUIRY, RequestType.SUGGESTION,
                                                                      RequestType.PRAISE):
            u = rng.random()
            if u < topic.urgent_rate:
                urgency = Urgency.URGENT
            elif u < topic.urgent_rate + (0.25 if source is not None else 0.07):
                urgency = Urgency.COMPLEX

        anonymous = channel in ANONYMOUS_CHANNELS and rng.random() < 0.12
        if anonymous:
            name = phone = ""
        elif source is not None and rng.random() < 0.5:
            name, phone = self._pick(source.regulars)
        else:
            name, phone = self._person()
        night = topic.category == "noise" and (received.hour >= 22 or received.hour < 6)

        slots["subject"] = tx.SUBJECTS[topic.code]
        if request_type in DESK_ONLY:
            title, description, polluter = self._desk_texts(topic, channel, request_type, slots)
        else:
            titles = topic.night_titles if night and topic.night_titles and self._chance(0.6) else topic.titles
            title = self._pick(titles).format(**slots)
            description = self._description(topic, place, channel, request_type, received, address, slots, source)
        tags = []
        if source is not None:
            tags.append("repeat")
        if night:
            tags.append("night")
        policy = self._policy(channel, request_type, urgency)
        case = Case(
            kind=CaseKind.COMPLAINT, channel=channel, request_type=request_type, urgency=urgency,
            received_at=received, complainant_name=name, complainant_phone=phone,
            complainant_anonymous=anonymous, complainant_confidential=not anonymous and rng.random() < 0.05,
            address=address, district=DISTRICT, street=self._unit(place.code), community=community,
            latitude=lat, longitude=lon, geo_cell=grid_cell(lon, lat), category=topic.category,
            sub_category=topic.code, polluter=polluter,
            title=title[:200], description=description, tags=tags, status=CaseStatus.NEW, policy=policy,
            leader_id=self.org.leader_of_place[place.code],
        )
        return Draft(case=case, topic=topic, place=place, slots=slots, night=night, source=source, parent=parent)

    def _time_phrase(self, received: dt.datetime) -> str:
        hour = received.hour
        if hour >= 22:
            return self._pick((f"今晚{hour}点多", "每天晚上十点以后", "每天夜里十一二点"))
        if hour < 6:
            return self._pick((f"今天凌晨{hour}点左右", "每天后半夜", "每天凌晨"))
        if hour < 11:
            return self._pick(("每天早上", "今天上午", "最近每天上午"))
        if hour < 14:
            return self._pick(("每天中午", "中午午休时间", "今天中午"))
        if hour < 18:
            return self._pick(("今天下午", "每天白天", "最近一段时间"))
        return self._pick(("每天傍晚", "每天晚饭时间", "今天晚上"))

    def _desk_texts(self, topic: Topic, channel: str, request_type: str,
                    slots: dict[str, str]) -> tuple[str, str, str]:
        """Title, description and polluter of an enquiry, suggestion or praise."""
        opening = self._pick(tx.OPENINGS[channel])
        if request_type == RequestType.ENQUIRY:
            template = self._pick(topic.enquiries)
            question = template.format(**slots)
            asker = opening.removesuffix("：").removesuffix("反映").removesuffix("称").removesuffix("留言")
            return question, asker + question + "。", slots["polluter"] if "{polluter}" in template else ""
        if request_type == RequestType.SUGGESTION:
            return (f"关于{slots['subject']}治理的建议", opening + self._pick(tx.SUGGESTIONS).format(**slots), "")
        return f"表扬{slots['subject']}问题处理及时", opening + self._pick(tx.PRAISES).format(**slots), ""

    def _description(self, topic: Topic, place: Place, channel: str, request_type: str, received: dt.datetime,
                     address: str, slots: dict[str, str], source: Source | None) -> str:
        opening = self._pick(tx.OPENINGS[channel])
        polluter = slots["polluter"]
        if slots["community"] in polluter or (slots["road"] in polluter and slots["road"] in address):
            location = f"{DISTRICT}{place.name}"  # the polluter's name already says where
        else:
            suffixes = ("", "附近", "旁边") if address.endswith("村") else ("", "附近", "楼下", "对面", "旁边")
            location = address.removeprefix("北京市") + self._pick(suffixes)
        when = self._time_phrase(received) if topic.timed else self._pick(("", "最近", "近期"))
        symptom = self._pick(topic.symptoms_for(polluter)).format(**slots)
        impact = self._pick(topic.impacts)
        pattern = self.rng.random()
        if pattern < 0.4 or (not when and pattern < 0.7):
            body = f"{location}的{polluter}{when}{symptom}，{impact}。"
        elif pattern < 0.7:
            body = f"{when}，{location}的{polluter}{symptom}，{impact}。"
        else:
            body = f"来电人居住在{location}，{polluter}{when}{symptom}，{impact}。"
        if request_type == RequestType.HELP:
            body += self._pick(tx.HELPS).format(**slots)
        if source is not None and self.rng.random() < 0.6:
            body += self._pick(tx.REPEAT_PHRASES)
        return opening + body + self._pick(tx.DEMANDS)

    def _source(self) -> Source:
        return self.sources[bisect(self._source_cum, self.rng.random() * self._source_cum[-1])]

    def _day_drafts(self, day: dt.date, count: int) -> list[Draft]:
        drafts: list[Draft] = []
        # duplicates come in within 6 hours of the first complaint, the same day
        last_first = dt.datetime.combine(day + DAY, dt.time(0), tzinfo=BEIJING) - 6 * HOUR
        while len(drafts) < count:
            source = self._source() if self.rng.random() < REPEAT_SHARE else None
            draft = self._draft(day, source=source)
            duplicated = source is not None and self._chance(DUPLICATE_RATE)
            if not duplicated and len(drafts) + 1 < count and self._held("merged", draft.case.received_at):
                # a repeated complaint instead, early enough in the day to have its duplicates
                for _ in range(3):
                    if draft.source is not None and draft.case.received_at <= last_first:
                        break
                    draft = self._draft(day, source=source or self._source())
                duplicated = draft.held_open = draft.source is not None
            drafts.append(draft)
            if duplicated:
                for _ in range(1 if self._chance(0.7) else 2):
                    if len(drafts) >= count or draft.case.received_at > last_first:
                        break
                    drafts.append(self._draft(day, parent=draft))
        drafts.sort(key=lambda d: d.case.received_at)
        serial: dict[str, int] = {}
        for draft in drafts:
            case = draft.case
            if case.channel in NUMBERED_CHANNELS:
                serial[case.channel] = serial.get(case.channel, 0) + 1
                prefix = ORDER_PREFIX.get(case.channel, "")
                case.external_id = f"{prefix}{day:%Y%m%d}{self.number_offset + serial[case.channel]:05d}"
        return drafts

    # --- the story -------------------------------------------------------------------------------------

    def _plan(self, d: Draft) -> None:
        """Plan every step of the case's life; the replay keeps those before the cut-off."""
        rng = self.rng
        case, topic, place = d.case, d.topic, d.place
        org = self.org
        received = case.received_at
        add = d.steps.append
        dispatcher = self._pick(org.dispatchers)
        add(Step(received, "created", None if case.channel in IMPORTED_CHANNELS else dispatcher, {}))
        due = deadlines.compute_due_times(case.policy, received, org.overrides)
        d.steps[0].params["due"] = due

        if d.parent is not None and self._plan_duplicate(d, dispatcher):
            return

        urgent = case.urgency == Urgency.URGENT
        long_clock = case.channel in LONG_CHANNELS
        squad = place.squad
        handler = self._pick(org.handlers[squad])
        head = self._pick(org.heads[squad])
        leader = case.leader_id or org.leaders[0]
        d.handler, d.leader = handler, leader

        # 派单 (and, now and then, a misrouted order sent back: 退单)
        if urgent:
            at = self._between(received, 3 * MINUTE, 20 * MINUTE)
        else:
            at = self._office(self._between(received, 5 * MINUTE, 90 * MINUTE))
            if self._chance(0.08):
                at = self._office(self._between(at, 16 * HOUR, 40 * HOUR))
        if self._held("new", received):
            at = max(at, self._between(self.cutoff, HOUR, 30 * HOUR))
        held_returned = self._held("returned", received)
        if held_returned or self._chance(0.03):
            wrong = self._pick([s for s in SQUADS if s != squad])
            wrong_handler = self._pick(org.handlers[wrong])
            add(Step(at, "dispatch", dispatcher, {"unit": wrong, "handler": wrong_handler if self._chance(0.5)
                                                  else None, "note": self._pick(tx.DISPATCH_NOTES)}))
            at = self._office(self._between(at, 20 * MINUTE, 4 * HOUR))
            reason = self._pick(tx.RETURN_REASONS).format(squad=self._unit(squad).name)
            add(Step(at, "return_order", self._pick((wrong_handler, self._pick(org.heads[wrong]))),
                     {"reason": reason}))
            if held_returned:
                at = max(self._office(self._between(at, 10 * MINUTE, 2 * HOUR)),
                         self._between(self.cutoff, 2 * HOUR, 3 * DAY))
            elif self._chance(0.1):
                at = self._office(self._between(at, DAY, 3 * DAY))
            else:
                at = self._office(self._between(at, 10 * MINUTE, 2 * HOUR))
        assigned = self._chance(0.6)
        add(Step(at, "dispatch", dispatcher, {"unit": squad, "handler": handler if assigned else None,
                                              "note": self._pick(tx.DISPATCH_NOTES)}))
        dispatched_at = at

        # 签收
        if urgent:
            at = self._between(at, 3 * MINUTE, 15 * MINUTE)
        elif self._chance(0.7):
            at = self._between(at, 5 * MINUTE, 90 * MINUTE)
        else:
            at = self._office(self._between(at, 2 * HOUR, 20 * HOUR))
        if self._held("dispatched", received):
            at = max(at, self._between(self.cutoff, HOUR, 2 * DAY))
        add(Step(at, "accept", head if assigned and self._chance(0.15) else handler, {"note": ""}))
        accepted_at = at

        if d.source is not None and self._chance(0.3):  # 督办 of a source that keeps coming back
            add(Step(self._between(dispatched_at, 2 * HOUR, 2 * DAY), "supervise", leader,
                     {"note": self._pick(tx.SUPERVISE_NOTES)}))

        desk_only = case.request_type in DESK_ONLY

        # 联系诉求人
        reached = False
        if case.complainant_phone:
            if urgent:
                at = self._between(at, 5 * MINUTE, 40 * MINUTE)
            elif long_clock:
                at = self._office(self._between(at, HOUR, 2 * DAY))
            else:
                at = self._office(self._between(at, 10 * MINUTE, 4 * HOUR))
            if due.contact_due_at and not urgent and self._chance(0.03):
                at = max(at, self._between(due.contact_due_at, 30 * MINUTE, 10 * HOUR))  # late first contact
            if self._chance(0.015):  # never reached
                for attempt in range(rng.randint(2, 3)):
                    if attempt:
                        at = self._office(self._between(at, 2 * HOUR, 8 * HOUR))
                    add(self._contact(at, handler, reached=False))
            else:
                if self._chance(0.18):
                    add(self._contact(at, handler, reached=False))
                    at = self._office(self._between(at, 40 * MINUTE, 5 * HOUR))
                add(self._contact(at, handler, reached=True))
                reached = True

        if urgent and due.reply_due_at:  # 阶段性答复 within the 2-hour limit of an urgent order
            at = max(at, min(self._between(at, 5 * MINUTE, 30 * MINUTE), due.reply_due_at - 5 * MINUTE))
            add(Step(at, "reply", handler, {"final": False, "text": self._pick(tx.REPLY_URGENT)}))

        # 现场核查, 监测, 整改
        outcome = d.outcome = self._outcome(topic)
        inspected_at: dt.datetime | None = None
        findings = ""
        rect_text = ""
        if not desk_only and self._chance(0.9):
            if d.night:
                at = self._night_visit(at)
            elif urgent:
                at = self._between(at, 20 * MINUTE, 2 * HOUR)
            elif long_clock:
                at = self._office(self._between(at, DAY, 8 * DAY))
            else:
                at = self._office(self._between(at, HOUR, 30 * HOUR))
            inspected_at = at
            colleague = self._pick([u for u in (*org.handlers[squad], *org.heads[squad]) if u != handler])
            findings = self._pick(getattr(topic, outcome)).format(**d.slots)
            inspection_key = f"inspection-{len(d.steps)}"
            add(Step(at, "record_inspection", handler, {
                "findings": findings, "people": f"{org.names[handler]}、{org.names[colleague]}",
                "key": inspection_key}))
            if topic.measurement and self._chance(topic.measure_rate):
                policy = case.policy
                if long_clock and topic.measurement == "water" and policy and policy.pause_allowed \
                        and self._chance(0.6):
                    at = self._between(at, HOUR, 3 * HOUR)
                    add(Step(at, "pause_clock", head, {"reason": self._pick(tx.PAUSE_REASONS)}))
                    at = self._office(self._between(at, 3 * DAY, 9 * DAY))
                    add(self._measurement(at, handler, topic, outcome, d, inspection_key=None))
                    at = self._between(at, 10 * MINUTE, 3 * HOUR)
                    add(Step(at, "resume_clock", head, {"note": self._pick(tx.RESUME_NOTES)}))
                else:
                    at = self._between(at, 10 * MINUTE, 40 * MINUTE)
                    add(self._measurement(at, handler, topic, outcome, d, inspection_key=inspection_key))
            if outcome == "found" and topic.rectifications and self._chance(0.8):
                rect_text = self._pick(topic.rectifications)
                at = self._between(at, 15 * MINUTE, 3 * HOUR)
                deadline = at.date() + dt.timedelta(days=rng.randint(3, 15))
                add(Step(at, "add_rectification", handler, {"requirement": rect_text, "deadline": deadline}))

        # 吹哨报到
        joint = False
        if not desk_only and (topic.departments or place.code in org.liaison_of_place) \
                and self._chance(topic.joint_rate):
            joint = True
            choices = [*topic.departments, place.code]
            units = [self._pick(choices)]
            if len(choices) > 1 and self._chance(0.35):
                units.append(self._pick([c for c in choices if c != units[0]]))
            at = self._office(self._between(at, 2 * HOUR, DAY))
            key = f"joint-{len(d.steps)}"
            caller = self._pick((handler, handler, head))
            reason = "；".join(tx.JOINT_REASONS["street" if u == place.code else u] for u in units)
            add(Step(at, "call_joint_handling", caller, {"units": units, "reason": reason, "key": key}))
            last = at
            for unit in units:
                reply_at = self._office(self._between(at, 4 * HOUR, 3 * DAY))
                kind = "street" if unit == place.code else unit
                actor = org.liaison_of_place.get(unit, handler) if kind == "street" else handler
                add(Step(reply_at, "record_joint_reply", actor, {"joint": key, "unit": unit,
                                                                 "text": self._pick(tx.JOINT_REPLIES[kind])}))
                last = max(last, reply_at)
            at = last

        # 阶段性答复 on long and complex cases
        if not urgent and (long_clock or case.urgency == Urgency.COMPLEX) and inspected_at and self._chance(0.35):
            at = self._office(self._between(at, HOUR, DAY))
            add(Step(at, "reply", handler, {"final": False, "text": self._pick(tx.REPLY_INTERIM).format(
                date=_date_zh(inspected_at))}))

        # 延期
        due_at = due.due_at
        if due_at is not None and case.policy is not None and case.policy.max_extension_days:
            needs_time = joint or bool(rect_text) or long_clock or case.urgency == Urgency.COMPLEX
            if self._chance(0.3 if needs_time else 0.015):
                request_at = max(self._between(at, 30 * MINUTE, 6 * HOUR),
                                 self._between(due_at, -4 * DAY, -2 * DAY))
                if request_at < due_at - 2 * HOUR:
                    days = min(case.policy.max_extension_days, self._pick((3, 5, 7, 7, 10, 15, 30)))
                    decide_at = self._between(request_at, 2 * HOUR, 20 * HOUR)
                    approve = self._chance(0.85)
                    key = f"extension-{len(d.steps)}"
                    add(Step(request_at, "request_extension", handler, {
                        "days": days, "reason": self._pick(tx.EXTENSION_REASONS), "key": key}))
                    add(Step(decide_at, "decide_extension", leader, {
                        "extension": key, "approve": approve, "note": self._pick(tx.EXTENSION_NOTES[approve])}))
                    at = max(at, decide_at)
                    if approve:
                        due_at += dt.timedelta(days=days)

        if self._chance(0.03):  # a note on the timeline
            add(Step(self._between(accepted_at, 10 * MINUTE, 2 * DAY), "add_note", handler,
                     {"text": self._pick(tx.NOTES)}))

        if self._chance(0.002):  # stuck: never answered, chased by the leader (the 台账's long-standing cases)
            if due_at is not None:
                add(Step(self._between(due_at, -6 * HOUR, -HOUR), "remind", head,
                         {"note": self._pick(tx.REMIND_NOTES)}))
            add(Step(self._between(at, DAY, 5 * DAY), "supervise", leader, {"note": self._pick(tx.SUPERVISE_NOTES)}))
            return

        # 答复 (办结)
        if due_at is not None and self._chance(0.035):
            final_at = self._between(due_at, HOUR, 3 * DAY)  # late
        else:
            earliest = self._between(at, HOUR, 12 * HOUR)
            latest = due_at - rng.uniform(10, 480) * MINUTE if due_at else earliest + 3 * DAY
            # skewed towards the early end: most orders are answered well before the limit
            final_at = earliest if earliest >= latest else earliest + (latest - earliest) * rng.random() ** 2
            final_at = self._office(final_at)
            if due_at is not None and self.cutoff < due_at <= self.cutoff + DAY and final_at < self.cutoff \
                    and self._chance(HOLD_DUE_SOON):
                final_at = self._between(self.cutoff, 30 * MINUTE, due_at - self.cutoff - 30 * MINUTE)
            elif d.held_open and final_at < self.cutoff and (due_at is None or due_at > self.cutoff + HOUR):
                room = 2 * DAY if due_at is None else min(2 * DAY, due_at - self.cutoff - 30 * MINUTE)
                final_at = self._between(self.cutoff, 30 * MINUTE, room)  # its duplicates still wait
        final_at = max(final_at, at + 10 * MINUTE)
        if due_at is not None and final_at > due_at - 12 * HOUR:
            remind_at = min(final_at - 30 * MINUTE, self._between(due_at, -10 * HOUR, -2 * HOUR))
            if remind_at > accepted_at:
                add(Step(remind_at, "remind", self._pick((head, self._pick(org.dispatchers))),
                         {"note": self._pick(tx.REMIND_NOTES)}))
        add(Step(final_at, "reply", handler, {"final": True, "text": self._reply_text(
            d, outcome, inspected_at or final_at, findings, rect_text, desk_only)}))
        at = final_at

        # 申诉 after the answer: not our remit, a duplicate, an unreachable complainant
        appeal: str | None = None
        if outcome == "absent" and self._chance(topic.not_our_remit * 2):
            appeal = AppealReason.NOT_OUR_REMIT
        elif d.source is not None and self._chance(0.05):
            appeal = AppealReason.DUPLICATE
        elif case.complainant_phone and not reached:
            appeal = AppealReason.UNREACHABLE
        if appeal:
            self._appeal(d, self._between(at, HOUR, DAY), appeal, handler, leader)

        # 回访, and 重办 when the complainant is not satisfied
        self._visits(d, at, outcome, handler, leader, appealed=appeal is not None)

    def _plan_duplicate(self, d: Draft, dispatcher: int) -> bool:
        """并案: the dispatcher merges the duplicate into the first complaint (its parent, planned already).

        From then on it is handled through the parent, as `services.merge_case` and its followers do: it takes
        the parent's handling and follows it (派单, 签收, 退单); the parent's handler reaches its complainant;
        the parent's first final reply answers it too, with a reply of its own at the same moment; then it has
        return visits of its own (its own satisfaction; 重办 on its own). A duplicate that reaches the
        dispatcher after the parent was answered is not merged (the service refuses): False, and it is planned
        as a case of its own.
        """
        parent = d.parent
        assert parent is not None and parent.handler is not None
        at = self._office(self._between(d.case.received_at, 10 * MINUTE, 2 * HOUR))
        if parent.held_open and self._chance(HOLD_UNMERGED):
            # merged just after the cut-off, before the parent's answer (at least 30 minutes after it)
            at = max(at, self._between(self.cutoff, MINUTE, 20 * MINUTE))
        answers = [step for step in parent.steps if step.action == "reply" and step.params["final"]]
        answer = min(answers, key=lambda step: step.at) if answers else None  # none: the parent is stuck
        if answer is not None and answer.at <= at:
            d.parent = None
            return False
        add = d.steps.append
        for step in parent.steps:
            if step.action in FOLLOWED and step.at > at:
                add(Step(step.at, "follow_parent", step.actor, {"parent": parent, "parent_step": step}))
        merge_received = Step(at, "merge_received", dispatcher, {"child": d})
        parent.steps.append(merge_received)
        add(Step(at, "merge_into", dispatcher, {"into": parent, "note": self._pick(tx.MERGE_NOTES),
                                                "parent_step": merge_received}))

        # 联系诉求人: the order's own complainant, once the parent's unit has taken it on
        if d.case.complainant_phone:
            start = max(at, min(step.at for step in parent.steps if step.action == "accept"))
            contact_at = self._office(self._between(start, 10 * MINUTE, 4 * HOUR))
            if answer is not None and contact_at >= answer.at - 5 * MINUTE:
                contact_at = start + (answer.at - start) * self.rng.uniform(0.2, 0.8)
            add(self._contact(contact_at, parent.handler, reached=True))

        if answer is None:
            return True
        add(Step(answer.at, "reply", answer.actor, {"final": True, "text": answer.params["text"],
                                                    "parent": parent, "parent_step": answer}))
        self._visits(d, answer.at, parent.outcome, parent.handler, parent.leader or self.org.leaders[0],
                     appealed=False)
        return True

    def _contact(self, at: dt.datetime, actor: int, *, reached: bool) -> Step:
        channel = "phone"
        u = self.rng.random()
        for name, share in tx.CONTACT_CHANNELS:
            if u < share:
                channel = name
                break
            u -= share
        summary = self._pick(tx.CONTACT_REACHED if reached else tx.CONTACT_MISSED)
        return Step(at, "record_contact", actor, {"reached": reached, "channel": channel, "summary": summary})

    def _outcome(self, topic: Topic) -> str:
        u = self.rng.random()
        if u < 0.55 or not (topic.compliant or topic.absent):
            return "found" if topic.found else "absent"
        if u < 0.78 and topic.compliant:
            return "compliant"
        return "absent" if topic.absent else "found"

    def _measurement(self, at: dt.datetime, actor: int, topic: Topic, outcome: str, d: Draft,
                     inspection_key: str | None) -> Step:
        rng = self.rng
        exceeds = outcome == "found" and rng.random() < 0.85
        kind = topic.measurement
        values = measurement_values(rng, topic, at, community=d.case.community, exceeds=exceeds)
        # The verdict comes from the standards, as for a measurement typed on the desk.
        values, verdict = measurements.judge(kind, values, at)
        return Step(at, "record_measurement", actor, {"kind": kind, "values": values, "verdict": verdict,
                                                      "inspection": inspection_key})

    def _reply_text(self, d: Draft, outcome: str, inspected_at: dt.datetime, finding: str, rect: str,
                    desk_only: bool) -> str:
        """The final answer (办结答复): what the inspection found and what was ordered."""
        request_type = d.case.request_type
        if desk_only:
            pool: dict[str, tuple[str, ...]] = {
                RequestType.ENQUIRY: tx.REPLY_ENQUIRY, RequestType.SUGGESTION: tx.REPLY_SUGGESTION}
            return str(self._pick(pool.get(request_type, tx.REPLY_PRAISE)))
        finding = finding or self._pick(getattr(d.topic, outcome)).format(**d.slots)
        template = self._pick({"found": tx.REPLY_FOUND, "compliant": tx.REPLY_COMPLIANT,
                               "absent": tx.REPLY_ABSENT}[outcome])
        body = template.format(date=_date_zh(inspected_at), finding=finding, rect=rect or "规范经营、落实污染防治措施")
        return tx.REPLY_INTRO.format(title=d.case.title) + body + tx.REPLY_CLOSING

    def _appeal(self, d: Draft, at: dt.datetime, reason: str, handler: int, leader: int) -> None:
        dept = self._unit(d.topic.departments[0]).name if d.topic.departments else "相关部门"
        key = f"appeal-{len(d.steps)}"
        d.steps.append(Step(at, "file_appeal", handler, {
            "reason": reason, "evidence": tx.APPEAL_EVIDENCE[reason].format(dept=dept), "key": key}))
        approve = self._chance(0.7)
        decider = self._pick((leader, self._pick(self.org.dispatchers)))
        d.steps.append(Step(self._office(self._between(at, DAY, 6 * DAY)), "decide_appeal", decider, {
            "appeal": key, "approve": approve, "note": self._pick(tx.APPEAL_NOTES[approve])}))

    def _visits(self, d: Draft, at: dt.datetime, outcome: str, handler: int, leader: int, *,
                appealed: bool) -> None:
        case, topic = d.case, d.topic
        add = d.steps.append
        source = VisitSource.HOTLINE if case.channel == Channel.HOTLINE_12345 else VisitSource.BUREAU
        for round_ in range(3):
            at = self._office(self._between(at, 20 * HOUR, 3 * DAY))
            visitor = self._pick(self.org.dispatchers)
            if self._chance(0.02):  # 无效回访: nobody answers; the hotline tries again
                add(Step(at, "record_return_visit", visitor, {
                    "valid": False, "contacted": False, "solved": False, "source": source,
                    "satisfaction": Satisfaction.BASICALLY_SATISFIED, "note": self._pick(tx.VISIT_NOTES["invalid"])}))
                at = self._office(self._between(at, DAY, 2 * DAY))
            # 不满意 is rare (Beijing reports satisfaction above 90%), likelier about a repeated source and
            # after a first reopening
            dissatisfied = 0.6 * topic.dissatisfied * (1.5 if d.source is not None else 1.0) * (1 + 2 * round_)
            if round_ == 2:
                dissatisfied = 0.0
            u = self.rng.random()
            if u < dissatisfied:
                satisfaction, solved = Satisfaction.DISSATISFIED, self._chance(0.15)
            elif u < dissatisfied + 0.08:
                satisfaction, solved = Satisfaction.BASICALLY_SATISFIED, self._chance(0.96) or round_ == 2
            else:
                satisfaction, solved = Satisfaction.SATISFIED, True
            params: dict[str, Any] = {
                "valid": True, "contacted": self._chance(0.97) or round_ > 0, "solved": solved, "source": source,
                "satisfaction": satisfaction, "note": self._pick(tx.VISIT_NOTES[satisfaction])}
            if solved and satisfaction in SATISFIED:
                add(Step(at, "record_return_visit", visitor, params))
                return
            # 重办: the same policy's limits counted from the visit
            due = deadlines.compute_due_times(case.policy, at, self.org.overrides)
            params["due"] = due
            add(Step(at, "record_return_visit", visitor, params))
            visited_at = at
            inspected_at = at
            if self._chance(0.7):
                at = self._night_visit(at) if d.night else self._office(self._between(at, 3 * HOUR, 2 * DAY))
                inspected_at = at
                add(Step(at, "record_inspection", handler, {
                    "findings": "复查：" + self._pick(getattr(topic, outcome)).format(**d.slots),
                    "people": self.org.names[handler], "key": f"inspection-{len(d.steps)}"}))
            if not appealed and outcome == "compliant" and self._chance(0.35):
                appealed = True
                self._appeal(d, self._office(self._between(at, DAY, 3 * DAY)),
                             AppealReason.COMPLIANT_BUT_DISTURBING, handler, leader)
            latest = due.due_at or visited_at + 7 * DAY
            at = self._office(self._between(at, 4 * HOUR, max(latest - at, 5 * HOUR) * 0.8))
            text = tx.REPLY_INTRO.format(title=case.title) + self._pick(tx.REPLY_REDO).format(
                date=_date_zh(inspected_at), finding=self._pick(getattr(topic, outcome)).format(**d.slots)
            ) + tx.REPLY_CLOSING
            add(Step(at, "reply", handler, {"final": True, "text": text}))

    # --- the replay ------------------------------------------------------------------------------------

    def _replay(self, d: Draft, batch: Batch) -> None:
        """Apply the steps before the cut-off as the services would, producing the rows."""
        case = d.case
        made: dict[str, int] = {}
        d.steps.sort(key=lambda step: step.at)
        last_at = case.received_at
        events = batch.rows["event"]
        for step in d.steps:
            if step.at >= self.cutoff:
                break
            action = step.action
            if action not in BOOKKEEPING:
                transition = TRANSITIONS[action]
                if case.status not in transition.from_statuses:
                    continue  # the story moved on (e.g. a supervision planned after closing): skip the step
            from_status = case.status if action != "created" else ""
            payload = getattr(self, f"_do_{action}")(d, step, batch, made)
            if payload is None:
                continue  # nothing happened (a duplicate's follow step with nothing to change)
            if action in HANDLING_SNAPSHOT:
                step.params["handling"] = (case.handling_unit_id, case.handler_id, case.leader_id, case.accepted_at)
            if action != "created":
                case.version += 1
            events.append({"case_id": d.index, "actor_id": step.actor, "at": step.at, "action": action,
                           "from_status": from_status, "to_status": case.status, "payload": payload})
            last_at = step.at
        case.next_due_at = deadlines.next_due_at(case)
        case.created_at = case.received_at
        case.updated_at = last_at
        row = {column: getattr(case, column) for column in CASE_COLUMNS}
        if batch.add("case", row) != d.index:
            raise AssertionError("cases must be replayed in the order of their indexes")

    def _record(self, table: str, d: Draft, step: Step, batch: Batch, **values: Any) -> int:
        return batch.add(table, {"case_id": d.index, "created_by_id": step.actor, "created_at": step.at, **values})

    def _do_created(self, d: Draft, step: Step, batch: Batch, made: dict[str, int]) -> dict[str, Any]:
        case = d.case
        due = step.params["due"]
        case.accept_due_at, case.contact_due_at = due.accept_due_at, due.contact_due_at
        case.reply_due_at, case.due_at, case.deadline_provisional = due.reply_due_at, due.due_at, due.provisional
        case.version = 1
        return {
            "channel": case.channel, "external_id": case.external_id, "policy": case.policy_id,
            "accept_due_at": _json(due.accept_due_at), "contact_due_at": _json(due.contact_due_at),
            "reply_due_at": _json(due.reply_due_at), "due_at": _json(due.due_at), "provisional": due.provisional,
        }

    def _do_dispatch(self, d: Draft, step: Step, batch: Batch, made: dict[str, int]) -> dict[str, Any]:
        case = d.case
        unit = self._unit(step.params["unit"])
        case.status = CaseStatus.DISPATCHED
        case.handling_unit_id = unit.pk
        case.handler_id = step.params["handler"]
        case.dispatched_at = step.at
        case.category_confirmed = True  # a dispatcher who sends a case on confirms its category
        return {"unit": unit.pk, "handler": case.handler_id, "leader": case.leader_id, "note": step.params["note"]}

    def _do_accept(self, d: Draft, step: Step, batch: Batch, made: dict[str, int]) -> dict[str, Any]:
        case = d.case
        case.status = CaseStatus.IN_PROGRESS
        case.accepted_at = step.at
        if case.handler_id is None and step.actor in self.handler_ids:
            case.handler_id = step.actor
        return {"note": step.params["note"]}

    def _do_return_order(self, d: Draft, step: Step, batch: Batch, made: dict[str, int]) -> dict[str, Any]:
        case = d.case
        case.status = CaseStatus.RETURNED
        case.handler_id = None
        return {"reason": step.params["reason"], "unit": case.handling_unit_id}

    def _do_record_contact(self, d: Draft, step: Step, batch: Batch, made: dict[str, int]) -> dict[str, Any]:
        p = step.params
        index = self._record("contact", d, step, batch, at=step.at, channel=p["channel"], reached=p["reached"],
                             summary=p["summary"])
        if p["reached"] and d.case.first_contact_at is None:
            d.case.first_contact_at = step.at
        payload = {"attempt": None, "reached": p["reached"], "channel": p["channel"], "at": _json(step.at)}
        batch.refer(payload, "attempt", "contact", index)
        return payload

    def _do_record_inspection(self, d: Draft, step: Step, batch: Batch, made: dict[str, int]) -> dict[str, Any]:
        p = step.params
        index = self._record("inspection", d, step, batch, at=step.at, people=p["people"], findings=p["findings"])
        made[p["key"]] = index
        payload = {"inspection": None, "photos": 0}
        batch.refer(payload, "inspection", "inspection", index)
        return payload

    def _do_record_measurement(self, d: Draft, step: Step, batch: Batch, made: dict[str, int]) -> dict[str, Any]:
        p = step.params
        index = self._record("measurement", d, step, batch, kind=p["kind"], measured_at=step.at,
                             values=p["values"], verdict=p["verdict"],
                             inspection_id=made.get(p["inspection"]) if p["inspection"] else None)
        payload = {"measurement": None, "kind": p["kind"], "values": p["values"], "verdict": p["verdict"]}
        batch.refer(payload, "measurement", "measurement", index)
        return payload

    def _do_add_rectification(self, d: Draft, step: Step, batch: Batch, made: dict[str, int]) -> dict[str, Any]:
        p = step.params
        index = self._record("rectification", d, step, batch, requirement=p["requirement"],
                             deadline=p["deadline"], status=RectificationStatus.ORDERED)
        payload = {"rectification": None, "requirement": p["requirement"], "deadline": _json(p["deadline"])}
        batch.refer(payload, "rectification", "rectification", index)
        return payload

    def _do_request_extension(self, d: Draft, step: Step, batch: Batch, made: dict[str, int]) -> dict[str, Any]:
        p = step.params
        index = self._record("extension", d, step, batch, requested_days=p["days"], reason=p["reason"],
                             decision=Decision.PENDING, decided_by_id=None, decided_at=None, decision_note="",
                             old_due_at=None, new_due_at=None)
        made[p["key"]] = index
        payload = {"extension": None, "days": p["days"], "reason": p["reason"]}
        batch.refer(payload, "extension", "extension", index)
        return payload

    def _do_decide_extension(self, d: Draft, step: Step, batch: Batch, made: dict[str, int]) -> dict[str, Any]:
        case, p = d.case, step.params
        index = made[p["extension"]]
        extension = batch.rows["extension"][index]
        approve = p["approve"]
        extension.update(decision=Decision.APPROVED if approve else Decision.REJECTED, decided_by_id=step.actor,
                         decided_at=step.at, decision_note=p["note"])
        if approve and case.due_at is not None:
            delta = dt.timedelta(days=extension["requested_days"])
            extension["old_due_at"] = case.due_at
            if case.reply_due_at == case.due_at:
                case.reply_due_at = case.due_at + delta
            case.due_at = case.due_at + delta
            extension["new_due_at"] = case.due_at
        payload = {"extension": None, "approved": approve, "note": p["note"], "due_at": _json(case.due_at)}
        batch.refer(payload, "extension", "extension", index)
        return payload

    def _do_file_appeal(self, d: Draft, step: Step, batch: Batch, made: dict[str, int]) -> dict[str, Any]:
        p = step.params
        index = self._record("appeal", d, step, batch, reason=p["reason"], evidence=p["evidence"],
                             decision=Decision.PENDING, decided_by_id=None, decided_at=None, decision_note="")
        made[p["key"]] = index
        payload = {"appeal": None, "reason": p["reason"]}
        batch.refer(payload, "appeal", "appeal", index)
        return payload

    def _do_decide_appeal(self, d: Draft, step: Step, batch: Batch, made: dict[str, int]) -> dict[str, Any]:
        p = step.params
        index = made[p["appeal"]]
        batch.rows["appeal"][index].update(decision=Decision.APPROVED if p["approve"] else Decision.REJECTED,
                                           decided_by_id=step.actor, decided_at=step.at, decision_note=p["note"])
        payload = {"appeal": None, "approved": p["approve"], "note": p["note"]}
        batch.refer(payload, "appeal", "appeal", index)
        return payload

    def _do_call_joint_handling(self, d: Draft, step: Step, batch: Batch, made: dict[str, int]) -> dict[str, Any]:
        p = step.params
        index = self._record("joint", d, step, batch, reason=p["reason"])
        unit_ids = [self._unit(code).pk for code in p["units"]]
        for unit_id in unit_ids:
            batch.add("joint_unit", {"jointhandling_id": index, "orgunit_id": unit_id})
        made[p["key"]] = index
        payload = {"joint": None, "units": unit_ids, "reason": p["reason"]}
        batch.refer(payload, "joint", "joint", index)
        return payload

    def _do_record_joint_reply(self, d: Draft, step: Step, batch: Batch, made: dict[str, int]) -> dict[str, Any]:
        p = step.params
        index = made[p["joint"]]
        unit = self._unit(p["unit"])
        batch.add("joint_reply", {"joint_id": index, "unit_id": unit.pk, "text": p["text"],
                                  "created_by_id": step.actor, "created_at": step.at})
        payload = {"joint": None, "unit": unit.pk, "text": p["text"]}
        batch.refer(payload, "joint", "joint", index)
        return payload

    def _do_reply(self, d: Draft, step: Step, batch: Batch, made: dict[str, int]) -> dict[str, Any] | None:
        case, p = d.case, step.params
        parent_step: Step | None = p.get("parent_step")
        parent_reply: int | None = None
        if parent_step is not None:  # a duplicate answered by its parent's final reply
            parent_reply = parent_step.params.get("reply")
            if parent_reply is None or case.status != CaseStatus.MERGED:
                return None  # the parent's reply did not happen, or the duplicate no longer waits for it
        index = self._record("reply", d, step, batch, at=step.at, text=p["text"], final=p["final"])
        p["reply"] = index  # for the duplicates this reply answers too
        if case.replied_at is None:
            case.replied_at = step.at
        if case.first_replied_at is None:
            case.first_replied_at = step.at
        if p["final"]:
            case.status = CaseStatus.REPLIED
            case.completed_at = step.at
        payload = {"reply": None, "final": p["final"], "at": _json(step.at)}
        batch.refer(payload, "reply", "reply", index)
        if parent_step is not None and parent_reply is not None:
            payload.update(via_parent=None, parent_reply=None)
            batch.refer(payload, "via_parent", "case", p["parent"].index)
            batch.refer(payload, "parent_reply", "reply", parent_reply)
        return payload

    def _do_record_return_visit(self, d: Draft, step: Step, batch: Batch, made: dict[str, int]) -> dict[str, Any]:
        case, p = d.case, step.params
        index = self._record("visit", d, step, batch, at=step.at, source=p["source"], valid=p["valid"],
                             contacted=p["contacted"], solved=p["solved"], satisfaction=p["satisfaction"],
                             note=p["note"])
        if p["valid"] and (case.visit_at is None or step.at >= case.visit_at):
            case.visit_at, case.visit_contacted, case.visit_solved = step.at, p["contacted"], p["solved"]
            case.visit_satisfaction = p["satisfaction"]
        outcome = "recorded"
        if p["valid"] and p["solved"] and p["satisfaction"] in SATISFIED:
            case.status = CaseStatus.CLOSED
            case.closed_at = step.at
            outcome = "closed"
        elif p["valid"]:
            due = p["due"]
            case.status = CaseStatus.IN_PROGRESS
            case.reopen_count += 1
            case.replied_at = None
            case.completed_at = None
            case.reply_due_at = due.reply_due_at
            case.due_at = due.due_at
            case.deadline_provisional = case.deadline_provisional or due.provisional
            outcome = "reopened"
        payload = {"visit": None, "contacted": p["contacted"], "solved": p["solved"],
                   "satisfaction": p["satisfaction"], "valid": p["valid"], "source": p["source"],
                   "outcome": outcome, "due_at": _json(case.due_at)}
        batch.refer(payload, "visit", "visit", index)
        return payload

    def _do_supervise(self, d: Draft, step: Step, batch: Batch, made: dict[str, int]) -> dict[str, Any]:
        if "supervised" not in d.case.tags:
            d.case.tags = [*d.case.tags, "supervised"]
        return {"note": step.params["note"]}

    def _do_remind(self, d: Draft, step: Step, batch: Batch, made: dict[str, int]) -> dict[str, Any]:
        return {"note": step.params["note"]}

    def _do_add_note(self, d: Draft, step: Step, batch: Batch, made: dict[str, int]) -> dict[str, Any]:
        return {"text": step.params["text"]}

    def _do_pause_clock(self, d: Draft, step: Step, batch: Batch, made: dict[str, int]) -> dict[str, Any]:
        d.case.paused_at = step.at
        return {"reason": step.params["reason"]}

    def _do_resume_clock(self, d: Draft, step: Step, batch: Batch, made: dict[str, int]) -> dict[str, Any]:
        case = d.case
        if case.paused_at is None:
            raise AssertionError("resume_clock planned without pause_clock")
        stood = step.at - case.paused_at
        for _kind, due_field, met_field in deadlines.DEADLINE_FIELDS:
            due = getattr(case, due_field)
            if due is not None and getattr(case, met_field) is None:
                setattr(case, due_field, due + stood)
        case.paused_at = None
        case.paused_seconds += int(stood.total_seconds())
        return {"paused_seconds": int(stood.total_seconds()), "note": step.params["note"]}

    @staticmethod
    def _take_handling(case: Case, handling: tuple[int | None, int | None, int | None, dt.datetime | None]) -> bool:
        """`services._take_handling`: the parent's unit, handler, leader (if it has one) and acceptance (if
        the duplicate has none); whether anything changed."""
        unit, handler, leader, accepted_at = handling
        changed = case.handling_unit_id != unit or case.handler_id != handler
        case.handling_unit_id, case.handler_id = unit, handler
        if leader is not None and case.leader_id != leader:
            case.leader_id = leader
            changed = True
        if case.accepted_at is None and accepted_at is not None:
            case.accepted_at = accepted_at
            changed = True
        return changed

    def _do_merge_into(self, d: Draft, step: Step, batch: Batch, made: dict[str, int]) -> dict[str, Any]:
        case = d.case
        target: Draft = step.params["into"]
        case.status = CaseStatus.MERGED
        case.parent_id = target.index  # a batch reference, like every reference in the case row
        self._take_handling(case, step.params["parent_step"].params["handling"])
        payload = {"into": None, "note": step.params["note"], "unit": case.handling_unit_id,
                   "handler": case.handler_id, "leader": case.leader_id}
        batch.refer(payload, "into", "case", target.index)
        return payload

    def _do_follow_parent(self, d: Draft, step: Step, batch: Batch, made: dict[str, int]) -> dict[str, Any] | None:
        case = d.case
        parent_step: Step = step.params["parent_step"]
        handling = parent_step.params.get("handling")  # none: the parent's step did not happen
        if case.status != CaseStatus.MERGED or handling is None or not self._take_handling(case, handling):
            return None
        payload = {"parent": None, "via": parent_step.action, "unit": case.handling_unit_id,
                   "handler": case.handler_id, "leader": case.leader_id}
        batch.refer(payload, "parent", "case", step.params["parent"].index)
        return payload

    def _do_merge_received(self, d: Draft, step: Step, batch: Batch, made: dict[str, int]) -> dict[str, Any]:
        child: Draft = step.params["child"]
        payload: dict[str, Any] = {"child": None}
        batch.refer(payload, "child", "case", child.index)
        return payload

    # --- writing -----------------------------------------------------------------------------------------

    def _write(self, batch: Batch, drafts: list[Draft]) -> None:
        with transaction.atomic():
            reserved = {name: reserve_ids(self.tables[name], len(batch.rows[name])) for name in TABLE_ORDER}
            for payload, key, table, index in batch.fixups:
                payload[key] = reserved[table][index]
            for name in TABLE_ORDER:
                insert(self.tables[name], batch.rows[name], reserved[name], reserved)
            triages, likely = self._suggestions(drafts, reserved["case"])
            bulk.insert_rows(TriageSuggestion, triages)
            bulk.insert_rows(DuplicateSuggestion, likely)

    # --- what triage would have proposed for the cases still new -----------------------------------------

    def _suggestions(self, drafts: list[Draft], keys: list[int]) -> tuple[list[dict[str, Any]],
                                                                         list[dict[str, Any]]]:
        """The intake's `TriageSuggestion` and `DuplicateSuggestion` rows for the cases the cut-off finds
        still `new` (a dispatcher's inbox shows them); only those: a dispatched case's suggestion was decided.

        As `intake.triage.suggestions` makes them, from the facts the generator knows: the place and category
        it chose, the routing rules (`intake.routing.route`, falling back to the squad it would dispatch to),
        and, for a repeated complaint, the earlier case it repeats, scored by `intake.duplicates`' own score:
        the parent a duplicate is yet to be merged into, or the source's latest complaint of the last 30 days.
        `drafts` are in the order received; `keys` are the cases' primary keys by batch index.
        """
        triages: list[dict[str, Any]] = []
        likely: list[dict[str, Any]] = []
        for d in drafts:
            case = d.case
            trail = self._trails.setdefault(id(d.source), SourceTrail()) if d.source is not None else None
            if trail is not None:
                while trail.received and case.received_at - trail.received[0] > duplicates.REPEAT_WINDOW:
                    trail.received.popleft()
                trail.received.append(case.received_at)
            if case.status == CaseStatus.NEW:
                earlier: tuple[int, Case] | None = None
                if d.parent is not None:  # a parent is received the same day as its duplicates: same batch
                    earlier = (keys[d.parent.index], d.parent.case)
                elif trail is not None and trail.latest is not None and trail.latest_pk is not None \
                        and case.received_at - trail.latest.received_at <= duplicates.WINDOW:
                    earlier = (trail.latest_pk, trail.latest)
                suggestion, found = self._suggestion(d, keys[d.index], earlier,
                                                     len(trail.received) if trail is not None else 1)
                triages.append(suggestion)
                likely.extend(found)
            if trail is not None and d.parent is None:
                trail.latest, trail.latest_pk = case, keys[d.index]
        return triages, likely

    def _suggestion(self, d: Draft, pk: int, earlier: tuple[int, Case] | None,
                    repeat_count: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """One new case's suggestion row (its reasons shaped like `intake.triage.Triage.as_payload()`) and its
        likely duplicates."""
        case, org = d.case, self.org
        street = self._unit(d.place.code)
        text = f"{case.title} {case.description}"
        found = classify_by_rules(text)
        classified: dict[str, object]
        if found.code == case.sub_category:
            classified, confidence = found.as_payload(), round(found.confidence, 3)
        else:  # the words alone point elsewhere: the order's own category stands, as the dispatcher gave it
            confidence = 0.6
            classified = {"code": case.sub_category, "confidence": confidence, "words": found.words,
                          "reason": "按工单所述类别", "source": "given"}
        routed = route(text=f"{text} {case.address}", code=case.sub_category, street=street,
                       classification_confidence=confidence, rules=org.rules, key_units=org.key_units,
                       leaders=org.street_leaders)
        route_payload = routed.as_payload()
        if routed.unit is None:  # no rule applies: the squad of the street's area
            squad = self._unit(d.place.squad)
            route_payload.update(unit=squad.pk, unit_name=squad.name, confidence=round(0.8 * confidence, 3),
                                 reason=f"按街乡责任区：{street.name} → {squad.name}")
        hints = [hint for hint, words in HINT_WORDS.items() if any(word in text for word in words)]
        if "night" not in hints and case.received_at.astimezone(BEIJING).hour in NIGHT_HOURS:
            hints.insert(0, "night")
        candidates: list[dict[str, Any]] = []
        if earlier is not None:
            earlier_pk, earlier_case = earlier
            row = (earlier_pk, earlier_case.latitude, earlier_case.longitude, earlier_case.description,
                   earlier_case.complainant_phone, earlier_case.polluter, earlier_case.street_id,
                   earlier_case.sub_category)
            scored = duplicates.score_candidate(case, row, duplicates.radius_for(case.sub_category))
            candidates.append({"case": scored.case_id, "score": scored.score, "reasons": scored.reasons})
        reasons = {
            "place": {"placed": True, "reason": f"按所属街乡“{street.name}”", "district": DISTRICT,
                      "street": street.pk, "street_name": street.name, "community": case.community,
                      "latitude": case.latitude, "longitude": case.longitude, "code": "", "decided_by": "field"},
            "classify": classified,
            "remit": {"decision": "keep", "confidence": 0.9, "department": "", "reason": "属生态环境部门职责"},
            "hints": hints,
            "duplicates": candidates,
            "repeat_count_90d": repeat_count,
            "repeated": repeat_count >= duplicates.REPEAT_FLAG_AT,
            "route": route_payload,
        }
        suggestion = {
            "case_id": pk, "unit_id": route_payload["unit"], "leader_id": route_payload["leader"],
            "confidence": route_payload["confidence"], "remit": "keep", "department": "",
            "repeat_count_90d": repeat_count, "reasons": reasons,
        }
        return suggestion, [{"case_id": pk, "candidate_id": c["case"], "score": c["score"], "reasons": c["reasons"]}
                            for c in candidates if c["score"] >= duplicates.SUGGEST_AT]

    def run(self, *, batch_size: int = DEFAULT_BATCH_SIZE,
            progress: Callable[[int, int], None] | None = None) -> GenerationResult:
        """Make the cases, writing every `batch_size` (or a little more: whole days go together)."""
        started = time.monotonic()
        written = events = records = 0
        pending: list[Draft] = []

        def flush() -> None:
            nonlocal written, events, records
            batch = Batch()
            pending.sort(key=lambda draft: draft.case.received_at)
            for index, draft in enumerate(pending):
                draft.index = index
            for draft in pending:
                self._replay(draft, batch)
            self._write(batch, pending)
            written += len(batch.rows["case"])
            events += len(batch.rows["event"])
            records += batch.record_count()
            pending.clear()
            if progress:
                progress(written, self.count)

        for offset, day_count in enumerate(self._day_counts()):
            if day_count:
                drafts = self._day_drafts(self.first_day + dt.timedelta(days=offset), day_count)
                for draft in drafts:  # parents first: a duplicate's story adds a step to its parent's
                    if draft.parent is None:
                        self._plan(draft)
                for draft in drafts:
                    if draft.parent is not None:
                        self._plan(draft)
                pending.extend(drafts)
            if len(pending) >= batch_size:
                flush()
        if pending:
            flush()
        return GenerationResult(cases=written, events=events, records=records,
                                seconds=time.monotonic() - started)


def generate_cases(*, count: int, seed: int, end: dt.date, batch_size: int = DEFAULT_BATCH_SIZE,
                   append: bool = False, progress: Callable[[int, int], None] | None = None,
                   days: int = DAYS) -> GenerationResult:
    """Make `count` demo cases over the `days` days (a year by default) before `end` (the organisation must
    exist already). Several years (`days=1095`) give the insight forecasts a seasonal history to learn from.

    Refuses to add to a database that already holds cases unless `append`; appended orders are numbered
    after the existing ones so that order numbers stay unique.
    """
    existing = Case.objects.count()
    if existing and not append:
        raise ValueError(f"the database already holds {existing} cases")
    ensure_routing_rules()
    generator = Generator(org=DemoOrg.load(), count=count, seed=seed, end=end, number_offset=existing, days=days)
    return generator.run(batch_size=batch_size, progress=progress)
