"""Training scenarios as data: what an order, the expected handling and a script look like, the check of each, and
the two ways a trainer gets a scenario without writing it: generated from the demo generator's texts, or made
from a real closed case with the complainant's identity removed.

    order     the order the trainee receives: title, description, address, street (an org unit code), community,
              latitude/longitude, polluter, sub_category (the hotline's label, which may be wrong),
              request_type, urgency, channel (the channel it simulates: its deadline policy applies),
              complainant_name/complainant_phone (fictitious)
    expected  sub_category (the right one), remit ("ours": accept it; "return": send it back, 退单),
              measurement ({"kind": "noise", "exceeds": true}, or null when none is required),
              appeal (the AppealReason an appeal is justified by, or null: no appeal is)
    script    events, each {"kind": ..., "at_hours": h} (hours of simulated time after the start) or
              {"kind": ..., "after": action, "delay_hours": h} (after the trainee first took that action):
              call_again     the complainant calls again (text)
              measurement_in a measurement's readings come in (kind, values; text optional)
              deadline_near  the clock jumps to `hours_before` hours before the `deadline` (contact, reply,
                             completion)
              visit          the hotline's return visit (satisfaction, solved, contacted), once the case is replied
              other_remit    the source turns out to be another department's remit (text)
              notice         anything else the trainee is told (text)
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ecohotline.cases.access import MOBILE
from ecohotline.cases.measurements import KINDS as MEASUREMENT_KINDS
from ecohotline.cases.models import (
    REAL_CHANNELS,
    AppealReason,
    Case,
    CaseStatus,
    Channel,
    Decision,
    RequestType,
    Satisfaction,
    Urgency,
)
from ecohotline.cases.selectors import assignable_categories
from ecohotline.core.workdays import BEIJING, is_working_day
from ecohotline.demo import texts as tx
from ecohotline.demo.generator import measurement_values
from ecohotline.demo.places import PLACES
from ecohotline.org.models import OrgUnit, User
from ecohotline.training.models import Scenario, ScenarioSource

EVENT_KINDS = ("call_again", "measurement_in", "deadline_near", "visit", "other_remit", "notice")
TEXT_EVENTS = frozenset({"call_again", "other_remit", "notice"})
# The trainee's actions an event may follow.
AFTER_ACTIONS = ("accept", "record_contact", "record_inspection", "record_measurement", "reply")
REMITS = ("ours", "return")
# A scenario's title and briefing are kept in the language of the records, whoever makes it.
RECORD_LANGUAGE = "zh-hans"
DEADLINES = ("contact", "reply", "completion")
ORDER_TEXT_FIELDS = ("title", "description", "address", "community", "polluter", "complainant_name",
                     "complainant_phone")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: where (`order.street`, `script[2].after`) and what."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def _number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_order(order: Any) -> list[Problem]:
    if not isinstance(order, Mapping):
        return [Problem("order", _("Give the order as an object."))]
    problems = []
    if not str(order.get("description", "")).strip():
        problems.append(Problem("order.description", _("Write what the complainant says.")))
    for key in ORDER_TEXT_FIELDS:
        if key in order and not isinstance(order[key], str):
            problems.append(Problem(f"order.{key}", _("Give a text.")))
    street = order.get("street")
    if street and not OrgUnit.objects.filter(code=street, kind__in=("street", "town")).exists():
        problems.append(Problem("order.street", _("No street or town has the code “%(code)s”.") % {"code": street}))
    sub = order.get("sub_category")
    if sub and sub not in assignable_categories():
        problems.append(Problem("order.sub_category", _("Unknown sub-category “%(code)s”.") % {"code": sub}))
    if order.get("channel") and order["channel"] not in {value for value, _label in REAL_CHANNELS}:
        problems.append(Problem("order.channel", _("Unknown channel “%(code)s”.") % {"code": order["channel"]}))
    if order.get("request_type") and order["request_type"] not in RequestType.values:
        problems.append(Problem("order.request_type", _("Unknown request type.")))
    if order.get("urgency") and order["urgency"] not in Urgency.values:
        problems.append(Problem("order.urgency", _("Unknown urgency.")))
    lat, lng = order.get("latitude"), order.get("longitude")
    if (lat is None) != (lng is None) or (lat is not None and not (_number(lat) and _number(lng)
                                                                   and -90 <= lat <= 90 and -180 <= lng <= 180)):
        problems.append(Problem("order.latitude", _("Give both coordinates as numbers, or neither.")))
    return problems


def check_expected(expected: Any) -> list[Problem]:
    if not isinstance(expected, Mapping):
        return [Problem("expected", _("Give the expected handling as an object."))]
    problems = []
    if expected.get("sub_category") not in assignable_categories():
        problems.append(Problem("expected.sub_category", _("Give the right sub-category (an active code).")))
    if expected.get("remit") not in REMITS:
        problems.append(Problem("expected.remit", _("Say whether the order is ours or to be returned (ours, "
                                                    "return).")))
    measurement = expected.get("measurement")
    if measurement is not None:
        if not isinstance(measurement, Mapping) or measurement.get("kind") not in MEASUREMENT_KINDS:
            problems.append(Problem("expected.measurement", _("Give the kind of measurement required (%(kinds)s), "
                                                              "or null.") % {"kinds": ", ".join(MEASUREMENT_KINDS)}))
        elif measurement.get("exceeds") not in (True, False, None):
            problems.append(Problem("expected.measurement.exceeds", _("Say true, false or null.")))
    appeal = expected.get("appeal")
    if appeal is not None and appeal not in AppealReason.values:
        problems.append(Problem("expected.appeal", _("Give the reason of a justified appeal (%(reasons)s), or null.")
                                % {"reasons": ", ".join(AppealReason.values)}))
    return problems


def check_event(index: int, event: Any) -> list[Problem]:
    where = f"script[{index}]"
    if not isinstance(event, Mapping):
        return [Problem(where, _("Give each event as an object."))]
    kind = event.get("kind")
    if kind not in EVENT_KINDS:
        return [Problem(f"{where}.kind", _("Unknown event “%(kind)s”: use one of %(kinds)s.")
                        % {"kind": kind, "kinds": ", ".join(EVENT_KINDS)})]
    problems = []
    at_hours, after = event.get("at_hours"), event.get("after")
    if kind == "visit" and at_hours is None and after is None:
        after = "reply"  # the hotline visits once the case is replied to
    if (at_hours is None) == (after is None):
        problems.append(Problem(where, _("Give either at_hours or after (an action of the trainee).")))
    elif at_hours is not None and not (_number(at_hours) and at_hours >= 0):
        problems.append(Problem(f"{where}.at_hours", _("Give a number of hours, 0 or more.")))
    elif after is not None and after not in AFTER_ACTIONS:
        problems.append(Problem(f"{where}.after", _("Use one of %(actions)s.") % {"actions": ", ".join(AFTER_ACTIONS)}))
    delay = event.get("delay_hours", 0)
    if not (_number(delay) and delay >= 0):
        problems.append(Problem(f"{where}.delay_hours", _("Give a number of hours, 0 or more.")))
    if kind in TEXT_EVENTS and not str(event.get("text", "")).strip():
        problems.append(Problem(f"{where}.text", _("Write what the trainee is told.")))
    if kind == "measurement_in":
        if event.get("kind_of") not in MEASUREMENT_KINDS:
            problems.append(Problem(f"{where}.kind_of", _("Give the kind of measurement (%(kinds)s).")
                                    % {"kinds": ", ".join(MEASUREMENT_KINDS)}))
        if not isinstance(event.get("values"), Mapping) or not event["values"]:
            problems.append(Problem(f"{where}.values", _("Give the readings.")))
    if kind == "deadline_near":
        if event.get("deadline") not in DEADLINES:
            problems.append(Problem(f"{where}.deadline", _("Use one of %(deadlines)s.")
                                    % {"deadlines": ", ".join(DEADLINES)}))
        hours = event.get("hours_before")
        if not (_number(hours) and hours > 0):
            problems.append(Problem(f"{where}.hours_before", _("Give a number of hours above 0.")))
    if kind == "visit":
        if event.get("satisfaction") not in Satisfaction.values:
            problems.append(Problem(f"{where}.satisfaction", _("Use one of %(levels)s.")
                                    % {"levels": ", ".join(Satisfaction.values)}))
        for key in ("solved", "contacted"):
            if not isinstance(event.get(key, True), bool):
                problems.append(Problem(f"{where}.{key}", _("Say true or false.")))
    return problems


def check_script(script: Any) -> list[Problem]:
    if not isinstance(script, list):
        return [Problem("script", _("Give the script as a list of events."))]
    return [problem for index, event in enumerate(script) for problem in check_event(index, event)]


def check_scenario(order: Any, expected: Any, script: Any) -> list[Problem]:
    """Everything wrong with a scenario, each with where it is; empty when it can be run."""
    return [*check_order(order), *check_expected(expected), *check_script(script)]


# --- Generated from the demo generator's texts ---------------------------------------------------------------

# Topics a handler meets on the desk, with what each teaches.
TRAINING_TOPICS = ("noise.social", "noise.construction", "noise.industrial", "air.catering_fumes", "air.odor",
                   "air.dust", "water.discharge", "noise.traffic")
# The hotline's label is wrong this often: the trainee must correct it.
WRONG_LABEL_RATE = 0.35


def _street_code(place_code: str) -> str:
    return place_code if OrgUnit.objects.filter(code=place_code).exists() else ""


def generate(*, seed: int, author: User | None, topic: str | None = None,
             start: dt.datetime | None = None) -> Scenario:
    """A scenario made from the demo generator's texts and places: a 12345 order about `topic` (else one drawn
    from `TRAINING_TOPICS`), with a script of the events that make handling hard, chosen by `seed`."""
    rng = random.Random(seed)
    code = topic or TRAINING_TOPICS[rng.randrange(len(TRAINING_TOPICS))]
    if code not in tx.TOPICS_BY_CODE:
        raise ValueError(f"unknown topic {code!r}")
    chosen = tx.TOPICS_BY_CODE[code]
    place = PLACES[rng.randrange(len(PLACES))]
    community, road = rng.choice(place.communities), rng.choice(place.roads)
    slots = {"community": community, "road": road, "river": "南长河", "park": "玉渊潭公园",
             "brand": rng.choice(tx.BRANDS), "shop": rng.choice(tx.SHOPS), "cw": rng.choice(tx.COMPANY_WORDS),
             "project": rng.choice(tx.PROJECTS), "n": str(rng.randint(5, 80)), "squad": "执法中队", "polluter": ""}
    polluter = rng.choice(chosen.polluters).format(**slots)
    slots["polluter"] = polluter
    slots["subject"] = tx.SUBJECTS[code]
    address = f"北京市海淀区{place.name}{community}{rng.randint(1, 40)}号楼"
    symptom = rng.choice(chosen.symptoms_for(polluter)).format(**slots)
    description = (f"{rng.choice(tx.OPENINGS['hotline_12345'])}{address.removeprefix('北京市')}附近的{polluter}"
                   f"{symptom}，{rng.choice(chosen.impacts)}。{rng.choice(tx.DEMANDS)}")
    label = code
    if rng.random() < WRONG_LABEL_RATE:
        siblings = [t.code for t in tx.TOPICS if t.category == chosen.category and t.code != code]
        label = rng.choice(siblings) if siblings else ""
    start = start or _next_working_morning(timezone.now())
    measurement_kind = chosen.measurement if chosen.measurement in ("noise", "catering_fumes", "water") else ""
    exceeds = rng.random() < 0.7
    other_remit = chosen.not_our_remit > 0 and rng.random() < 0.5
    script: list[dict[str, Any]] = [
        {"kind": "call_again", "at_hours": 3, "text": "诉求人再次来电催办：问题仍在持续，询问何时到现场处理。"},
    ]
    if other_remit:
        department = {"noise.traffic": "交通委", "noise.social": "公安派出所"}.get(code, "城管执法局")
        script.append({"kind": "other_remit", "after": "record_inspection", "delay_hours": 0.5, "text": (
            f"现场核查发现：问题源头不在我局职责范围，依法应由{department}处理（见现场记录）。")})
    elif measurement_kind:
        values = measurement_values(rng, chosen, start + dt.timedelta(hours=30), community=community,
                                    exceeds=exceeds)
        script.append({"kind": "measurement_in", "after": "record_inspection", "delay_hours": 1,
                       "kind_of": measurement_kind, "values": values})
    script.append({"kind": "deadline_near", "at_hours": 48, "deadline": "reply", "hours_before": 6})
    if rng.random() < 0.5:
        script.append({"kind": "visit", "after": "reply", "delay_hours": 24, "satisfaction": "dissatisfied",
                       "solved": False, "contacted": True})
    surname = rng.choice(tx.SURNAMES)
    order = {
        "title": rng.choice(chosen.titles).format(**slots)[:200], "description": description, "address": address,
        "street": _street_code(place.code), "community": community,
        "latitude": round(place.latitude + rng.gauss(0, 0.004), 6),
        "longitude": round(place.longitude + rng.gauss(0, 0.004), 6), "polluter": polluter, "sub_category": label,
        "request_type": RequestType.COMPLAINT, "urgency": Urgency.NORMAL, "channel": Channel.HOTLINE_12345,
        "complainant_name": surname + rng.choice(("先生", "女士")),
        "complainant_phone": rng.choice(tx.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}",
    }
    expected = {
        "sub_category": code, "remit": "ours",
        "measurement": ({"kind": measurement_kind, "exceeds": exceeds}
                        if measurement_kind and not other_remit else None),
        "appeal": AppealReason.NOT_OUR_REMIT.value if other_remit else None,
    }
    with translation.override(RECORD_LANGUAGE):
        return _save(title=_("%(subject)s: %(title)s") % {"subject": tx.SUBJECTS[code], "title": order["title"]},
                     briefing=_("A 12345 order has been dispatched to you. Handle it as you would a real one."),
                     source=ScenarioSource.DEMO, order=order, expected=expected, script=script, starts_at=start,
                     author=author)


def _next_working_morning(moment: dt.datetime) -> dt.datetime:
    """09:00 Beijing time of the next working day (a scenario starts at the office's opening)."""
    day = timezone.localtime(moment, BEIJING).date() + dt.timedelta(days=1)
    while not is_working_day(day)[0]:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(9), tzinfo=BEIJING)


# --- From a real closed case, anonymised ------------------------------------------------------------------

LANDLINE = re.compile(r"(?<!\d)(?:0\d{2,3}-?)?\d{7,8}(?!\d)")


def anonymise(text: str, case: Case) -> str:
    """`text` without the complainant's identity: their name becomes 诉求人, their phone and any other phone number
    becomes ***."""
    if not text:
        return ""
    name, phone = case.complainant_name.strip(), case.complainant_phone.strip()
    if len(phone) >= 5:
        text = text.replace(phone, "***")
    if len(name) >= 2:
        text = text.replace(name, "诉求人")
    text = MOBILE.sub("***", text)
    return LANDLINE.sub("***", text)


def from_case(case: Case, *, author: User | None) -> Scenario:
    """A scenario made from a closed real case: its order without the complainant's identity, and as expected what
    proved right on it (its final sub-category, whether it was returned, its measurement's verdict, an appeal that
    was approved); its script replays what made it hard (a repeat call, the readings, an unsatisfied visit)."""
    if case.status != CaseStatus.CLOSED or case.channel == Channel.TRAINING:
        raise ValueError(_("Only a closed real case can become a scenario."))
    events = list(case.events.order_by("at", "pk").values_list("action", "payload"))
    returned = any(action == "return_order" for action, _payload in events)
    measurement = case.measurements.order_by("measured_at", "pk").first()
    approved = case.appeals.filter(decision=Decision.APPROVED).order_by("pk").first()
    script: list[dict[str, Any]] = []
    if "repeat" in case.tags:
        script.append({"kind": "call_again", "at_hours": 4, "text": "诉求人再次来电：该问题已反映多次，仍未解决。"})
    if measurement is not None and measurement.kind in MEASUREMENT_KINDS:
        script.append({"kind": "measurement_in", "after": "record_inspection", "delay_hours": 1,
                       "kind_of": measurement.kind, "values": measurement.values})
    if approved is not None and approved.reason == AppealReason.NOT_OUR_REMIT:
        script.append({"kind": "other_remit", "after": "record_inspection", "delay_hours": 0.5,
                       "text": anonymise(approved.evidence, case)})
    script.append({"kind": "deadline_near", "at_hours": 48, "deadline": "reply", "hours_before": 6})
    if case.returnvisits.filter(valid=True, satisfaction=Satisfaction.DISSATISFIED).exists():
        script.append({"kind": "visit", "after": "reply", "delay_hours": 24, "satisfaction": "dissatisfied",
                       "solved": False, "contacted": True})
    verdict = (measurement.verdict or {}).get("verdict") if measurement is not None else None
    order = {
        "title": anonymise(case.title, case), "description": anonymise(case.description, case),
        "address": case.address, "street": case.street.code if case.street else "", "community": case.community,
        "latitude": case.latitude, "longitude": case.longitude, "polluter": case.polluter,
        "sub_category": "", "request_type": case.request_type, "urgency": case.urgency,
        "channel": case.channel, "complainant_name": "", "complainant_phone": "",
    }
    expected = {
        "sub_category": case.sub_category, "remit": "return" if returned else "ours",
        "measurement": ({"kind": measurement.kind, "exceeds": None if verdict is None else verdict == "exceeds"}
                        if measurement is not None and not returned else None),
        "appeal": approved.reason if approved is not None else None,
    }
    with translation.override(RECORD_LANGUAGE):
        return _save(title=_("From case %(reference)s: %(title)s") % {"reference": case.reference,
                                                                       "title": order["title"] or case.sub_category},
                     briefing=_("A real order of the past, without the complainant's identity. Handle it as if it "
                                "had just been dispatched to you."),
                     source=ScenarioSource.CASE, order=order, expected=expected, script=script, starts_at=None,
                     author=author, based_on=case)


def _save(*, title: str, briefing: str, source: str, order: dict[str, Any], expected: dict[str, Any],
          script: list[dict[str, Any]], starts_at: dt.datetime | None, author: User | None,
          based_on: Case | None = None) -> Scenario:
    problems = check_scenario(order, expected, script)
    if problems:
        raise ValueError("; ".join(str(problem) for problem in problems))
    return Scenario.objects.create(title=title[:200], briefing=briefing, source=source, order=order,
                                   expected=expected, script=script, starts_at=starts_at, created_by=author,
                                   based_on=based_on)


def closed_cases_for_scenarios() -> Q:
    """The real cases a trainer may make a scenario of: closed complaints with a category."""
    return Q(status=CaseStatus.CLOSED) & ~Q(sub_category="")
