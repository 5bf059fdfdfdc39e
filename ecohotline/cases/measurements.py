"""逢诉必测: the kinds of measurement taken for a case, the values each one records, and the standard's verdict.

A measurement is stored as its kind, its values (keys below, in the units shown) and the verdict the
`ecohotline.standards` functions give for them at the time of measurement. The desk's form, the API and the
demo all go through `judge`, so a verdict is never typed by hand and never disagrees with the values.
Kinds without a standard function (odour, electromagnetic fields) are recorded without a verdict.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecohotline.standards.errors import StandardsError
from ecohotline.standards.fumes import fumes_verdict
from ecohotline.standards.noise import NOISE_FIELDS, NoiseStandard, noise_verdict
from ecohotline.standards.water import water_class

Label = str | Promise


class MeasurementError(ValueError):
    """Values that cannot be judged: `key` names the value at fault ("" for the measurement as a whole)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


@dataclass(frozen=True)
class ValueField:
    """One value a kind of measurement records. `argument` is the standards function's parameter it feeds;
    `standards` (noise only) the standards that use it, so the form shows only what applies."""

    key: str
    label: Label
    widget: str = "number"  # number, select, checkbox, text
    unit: str = ""
    required: bool = False
    choices: tuple[tuple[str, Label], ...] = ()
    argument: str = ""
    standards: frozenset[str] = frozenset()
    integer: bool = False


@dataclass(frozen=True)
class MeasurementKind:
    code: str
    label: Label
    fields: tuple[ValueField, ...]
    judge: Callable[[dict[str, Any], dt.datetime], dict[str, Any]] | None = None

    def field(self, key: str) -> ValueField | None:
        return next((item for item in self.fields if item.key == key), None)

    def fields_for(self, values: Mapping[str, Any]) -> tuple[ValueField, ...]:
        """The fields that apply given what is chosen so far (the noise standard decides which apply)."""
        standard = str(values.get("standard") or "")
        return tuple(item for item in self.fields if not item.standards or not standard or standard in item.standards)


NOISE_STANDARD_CHOICES: tuple[tuple[str, Label], ...] = (
    (NoiseStandard.GB22337, gettext_lazy("GB 22337-2008 social-life noise (boundary)")),
    (NoiseStandard.GB12348, gettext_lazy("GB 12348-2008 industrial enterprise boundary")),
    (NoiseStandard.GB12523, gettext_lazy("GB 12523-2011 construction site boundary")),
    (NoiseStandard.GB3096, gettext_lazy("GB 3096-2008 acoustic environment quality")),
)
ZONE_CHOICES: tuple[tuple[str, Label], ...] = tuple(
    (zone, format_lazy(gettext_lazy("Class {zone}"), zone=zone)) for zone in ("0", "1", "2", "3", "4a", "4b"))


def _noise_standards(argument: str) -> frozenset[str]:
    return frozenset(str(code) for code, fields in NOISE_FIELDS.items()
                     if any(item.name == argument for item in fields))


NOISE = (
    ValueField("standard", gettext_lazy("Standard"), "select", required=True, choices=NOISE_STANDARD_CHOICES),
    ValueField("zone", gettext_lazy("Zone class"), "select", choices=ZONE_CHOICES, argument="zone_class",
               standards=_noise_standards("zone_class")),
    ValueField("leq_db", gettext_lazy("Equivalent sound level"), unit="dB(A)", required=True, argument="leq"),
    ValueField("background_db", gettext_lazy("Background noise"), unit="dB(A)", argument="background",
               standards=_noise_standards("background")),
    ValueField("lmax_db", gettext_lazy("Maximum sound level"), unit="dB(A)", argument="lmax"),
    ValueField("lmax_kind", gettext_lazy("Night-time noise is"), "select", argument="lmax_kind",
               choices=(("frequent", gettext_lazy("frequent")), ("occasional", gettext_lazy("occasional"))),
               standards=_noise_standards("lmax_kind")),
    ValueField("indoor", gettext_lazy("Measured indoors (limit 10 dB lower)"), "checkbox", argument="indoor",
               standards=_noise_standards("indoor")),
    ValueField("structure_borne", gettext_lazy("Structure-borne noise from equipment in the building"), "checkbox",
               argument="structure_borne", standards=_noise_standards("structure_borne")),
    ValueField("room_type", gettext_lazy("Room type"), "select", argument="room_type",
               choices=(("A", gettext_lazy("A: bedroom (sleep)")), ("B", gettext_lazy("B: other rooms"))),
               standards=_noise_standards("room_type")),
    ValueField("existing_railway", gettext_lazy("Next to a railway line built before 2011"), "checkbox",
               argument="existing_railway", standards=_noise_standards("existing_railway")),
    ValueField("point", gettext_lazy("Measuring point"), "text"),
)
FUMES = (
    ValueField("fumes_mg_m3", gettext_lazy("Cooking fumes concentration"), unit="mg/m³", required=True,
               argument="concentration"),
    ValueField("pm_mg_m3", gettext_lazy("Particulate matter concentration"), unit="mg/m³",
               argument="particulate_matter"),
    ValueField("nmhc_mg_m3", gettext_lazy("Non-methane hydrocarbons concentration"), unit="mg/m³",
               argument="non_methane_hydrocarbons"),
    ValueField("stoves", gettext_lazy("Base stoves"), argument="stoves", integer=True),
    ValueField("removal_efficiency_pct", gettext_lazy("Purifier removal efficiency"), unit="%",
               argument="removal_efficiency"),
    ValueField("no_purifier", gettext_lazy("No purifier installed"), "checkbox"),
)
WATER = (
    ValueField("ph", gettext_lazy("pH"), argument="ph"),
    ValueField("dissolved_oxygen", gettext_lazy("Dissolved oxygen"), unit="mg/L", argument="dissolved_oxygen"),
    ValueField("permanganate_index", gettext_lazy("Permanganate index"), unit="mg/L",
               argument="permanganate_index"),
    ValueField("cod", gettext_lazy("Chemical oxygen demand"), unit="mg/L", argument="cod"),
    ValueField("bod5", gettext_lazy("Five-day biochemical oxygen demand"), unit="mg/L", argument="bod5"),
    ValueField("ammonia_nitrogen", gettext_lazy("Ammonia nitrogen"), unit="mg/L", argument="ammonia_nitrogen"),
    ValueField("total_phosphorus", gettext_lazy("Total phosphorus"), unit="mg/L", argument="total_phosphorus"),
    ValueField("lake_or_reservoir", gettext_lazy("Lake or reservoir"), "checkbox"),
    ValueField("point", gettext_lazy("Sampling point"), "text"),
)
ODOUR = (
    ValueField("odor_concentration", gettext_lazy("Odour concentration"), required=True),
    ValueField("point", gettext_lazy("Measuring point"), "text"),
)
ELECTROMAGNETIC = (
    ValueField("power_density_w_m2", gettext_lazy("Power density"), unit="W/m²"),
    ValueField("e_field_v_m", gettext_lazy("Electric field strength"), unit="V/m"),
)


def _arguments(kind: MeasurementKind, values: dict[str, Any]) -> dict[str, Any]:
    return {item.argument: values[item.key] for item in kind.fields if item.argument and item.key in values}


def _judge_noise(values: dict[str, Any], at: dt.datetime) -> dict[str, Any]:
    arguments = _arguments(KINDS["noise"], values)
    return noise_verdict(standard=str(values["standard"]), measured_at=at, **arguments).as_dict()


def _judge_fumes(values: dict[str, Any], at: dt.datetime) -> dict[str, Any]:
    arguments = _arguments(KINDS["catering_fumes"], values)
    verdict = fumes_verdict(on=at, purifier_installed=not values.get("no_purifier", False), **arguments).as_dict()
    verdict["standard"] = verdict.pop("standard_code")  # the code, as the other kinds store it
    return verdict


def _judge_water(values: dict[str, Any], at: dt.datetime) -> dict[str, Any]:
    readings = _arguments(KINDS["water"], values)
    if not readings:
        raise MeasurementError("", _("Give at least one water indicator."))
    verdict = water_class(readings, lake_or_reservoir=bool(values.get("lake_or_reservoir"))).as_dict()
    verdict["verdict"] = "exceeds" if verdict["water_class"] in ("IV", "V", "worse_than_V") else "compliant"
    return verdict


KINDS: dict[str, MeasurementKind] = {kind.code: kind for kind in (
    MeasurementKind("noise", gettext_lazy("Noise"), NOISE, _judge_noise),
    MeasurementKind("catering_fumes", gettext_lazy("Cooking fumes"), FUMES, _judge_fumes),
    MeasurementKind("water", gettext_lazy("Surface water"), WATER, _judge_water),
    MeasurementKind("odor", gettext_lazy("Odour"), ODOUR),
    MeasurementKind("electromagnetic", gettext_lazy("Electromagnetic field"), ELECTROMAGNETIC),
)}
KIND_CHOICES: tuple[tuple[str, Label], ...] = tuple((kind.code, kind.label) for kind in KINDS.values())


def _clean_one(item: ValueField, raw: Any) -> Any:
    """A posted or sent value as its field takes it, or None when left empty."""
    if item.widget == "checkbox":
        if isinstance(raw, bool):
            return raw
        return str(raw).strip().lower() not in ("", "0", "false", "no", "off")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if item.widget == "text":
        return str(raw).strip()[:200]
    if item.widget == "select":
        value = str(raw).strip()
        if value not in {code for code, _label in item.choices}:
            raise MeasurementError(item.key, _("Choose one of the listed options."))
        return value
    if isinstance(raw, bool):
        raise MeasurementError(item.key, _("Enter a number."))
    try:
        number = float(str(raw).strip().replace("，", ".").replace(",", "."))
    except ValueError:
        raise MeasurementError(item.key, _("Enter a number.")) from None
    if not math.isfinite(number) or number < 0:
        raise MeasurementError(item.key, _("Enter a number that is zero or more."))
    if item.integer:
        if not number.is_integer():
            raise MeasurementError(item.key, _("Enter a whole number."))
        return int(number)
    return number


def clean_values(kind_code: str, raw: Mapping[str, Any]) -> tuple[MeasurementKind, dict[str, Any]]:
    """The kind and its values as stored: numbers as numbers, empty values dropped, unknown keys refused."""
    kind = KINDS.get(kind_code)
    if kind is None:
        raise MeasurementError("kind", _("Unknown kind of measurement: %(kind)s.") % {"kind": kind_code})
    values: dict[str, Any] = {}
    for key, value in raw.items():
        item = kind.field(key)
        if item is None:
            raise MeasurementError(key, _("%(key)s is not a value of this kind of measurement.") % {"key": key})
        cleaned = _clean_one(item, value)
        if cleaned is not None and cleaned is not False:
            values[key] = cleaned
    applicable = kind.fields_for(values)
    for item in kind.fields:
        if item.key in values and item not in applicable:
            del values[item.key]  # e.g. a zone left over from another standard: not part of this measurement
    for item in applicable:
        if item.required and item.key not in values:
            raise MeasurementError(item.key, _("%(label)s is required.") % {"label": item.label})
    if not any(item.widget == "number" and item.key in values for item in kind.fields):
        raise MeasurementError("", _("Give the measured values."))
    return kind, values


def judge(kind_code: str, raw: Mapping[str, Any], measured_at: dt.datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    """The values as stored and the standard's verdict ({} for kinds no standard function judges). Raises
    `MeasurementError` naming the value at fault, in the reader's language."""
    kind, values = clean_values(kind_code, raw)
    if kind.judge is None:
        return values, {}
    try:
        verdict = kind.judge(values, measured_at)
    except StandardsError as error:
        key = next((item.key for item in kind.fields if error.field and item.argument == error.field), "")
        raise MeasurementError(key, str(error)) from None
    return values, verdict


def verdict_outcome(verdict: Any) -> str:
    """compliant, exceeds, remeasure or "" for a stored verdict (older ones said `exceeds: true/false`)."""
    if not isinstance(verdict, dict):
        return ""
    outcome = verdict.get("verdict")
    if outcome in ("compliant", "exceeds", "remeasure"):
        return str(outcome)
    if verdict.get("exceeds") is True:
        return "exceeds"
    if verdict.get("exceeds") is False:
        return "compliant"
    return ""


# --- in words ---------------------------------------------------------------------------------------------

PERIODS: dict[str, Label] = {"day": gettext_lazy("daytime"), "night": gettext_lazy("night-time")}
VERDICT_LABELS: dict[str, Label] = {
    "compliant": gettext_lazy("Within the limit"), "exceeds": gettext_lazy("Exceeds the limit"),
    "remeasure": gettext_lazy("Measure again"),
}
VERDICT_UNITS = {"noise": "dB(A)", "catering_fumes": "mg/m³"}


def number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def describe_values(kind_code: str, values: Any) -> str:
    """`Equivalent sound level Leq 58.2 dB(A) · Zone class Class 2 · Measuring point 窗外1米`, in the
    reader's language; keys a kind does not know (older records) are shown as they are."""
    if not isinstance(values, dict):
        return str(values or "")
    kind = KINDS.get(kind_code)
    parts = []
    for key, value in values.items():
        item = kind.field(key) if kind else None
        if value in (None, "", False):
            continue
        if item is None:
            parts.append(f"{key} {number(value)}")
        elif item.widget == "checkbox":
            parts.append(str(item.label))
        elif item.widget == "select":
            parts.append(f"{item.label} {dict(item.choices).get(str(value), value)}")
        else:
            parts.append(f"{item.label} {number(value)}{' ' + item.unit if item.unit else ''}")
    return " · ".join(parts)


def describe_verdict(verdict: Any) -> str:
    """The verdict in the reader's language: outcome, by how much, under which standard, clause and limit."""
    if not isinstance(verdict, dict) or not verdict:
        return ""
    if verdict.get("water_class"):
        deciding = ", ".join(verdict.get("deciding") or [])
        text = _("Water quality %(label)s") % {"label": verdict.get("label") or verdict["water_class"]}
        return f"{text} ({verdict.get('standard', '')}{'; ' + deciding if deciding else ''})"
    outcome = verdict_outcome(verdict)
    text = str(VERDICT_LABELS.get(outcome, ""))
    unit = "dB(A)" if verdict.get("period") else ("mg/m³" if "pollutants" in verdict else "")
    exceedance = verdict.get("exceedance")
    if outcome == "exceeds" and exceedance:
        if "pollutants" in verdict:  # fumes: 超标倍数
            text = _("Exceeds the limit %(times)s times over") % {"times": number(exceedance)}
        else:
            text = _("Exceeds the limit by %(excess)s %(unit)s") % {"excess": number(exceedance), "unit": unit}
    details = [" ".join(str(part) for part in (verdict.get("standard"), verdict.get("clause")) if part)]
    if verdict.get("period"):
        details.append(str(PERIODS.get(str(verdict["period"]), verdict["period"])))
    if verdict.get("zone_class"):
        details.append(_("class %(zone)s") % {"zone": verdict["zone_class"]})
    if verdict.get("limit") is not None:
        details.append(_("limit %(limit)s") % {"limit": f"{number(verdict['limit'])} {unit}".strip()})
    if verdict.get("corrected") is not None and verdict.get("corrected") != verdict.get("measured"):
        details.append(_("corrected %(level)s") % {"level": f"{number(verdict['corrected'])} {unit}".strip()})
    details = [detail for detail in details if detail]
    return f"{text} ({', '.join(details)})" if text and details else text or ", ".join(details)


# --- 逢诉必测 coverage ------------------------------------------------------------------------------------------

# The complaints that must be measured: noise, odour, cooking fumes (sub-category code prefixes).
MEASURED_TOPICS: dict[str, Label] = {
    "noise": gettext_lazy("Noise"), "air.odor": gettext_lazy("Odour"),
    "air.catering_fumes": gettext_lazy("Cooking fumes"),
}


@dataclass(frozen=True)
class Coverage:
    topic: str
    label: Label
    complaints: int
    measured: int

    @property
    def share(self) -> float | None:
        return self.measured / self.complaints if self.complaints else None


def measurement_coverage(start: dt.datetime, end: dt.datetime) -> list[Coverage]:
    """逢诉必测: of the complaints received in [start, end) about noise, odour and cooking fumes, how many have
    at least one measurement (one query)."""
    from django.db.models import Count, Exists, OuterRef, Q

    from ecohotline.cases.models import Case, CaseKind, Measurement

    measured = Exists(Measurement.objects.filter(case=OuterRef("pk")))
    aggregates: dict[str, Any] = {}
    for number, topic in enumerate(MEASURED_TOPICS):
        about = Q(sub_category=topic) | Q(sub_category__startswith=f"{topic}.")
        aggregates[f"c{number}"] = Count("pk", filter=about)
        aggregates[f"m{number}"] = Count("pk", filter=about & Q(measured=True))
    counts = (Case.objects.filter(kind=CaseKind.COMPLAINT, received_at__gte=start, received_at__lt=end)
              .annotate(measured=measured).aggregate(**aggregates))
    return [Coverage(topic, label, counts[f"c{number}"], counts[f"m{number}"])
            for number, (topic, label) in enumerate(MEASURED_TOPICS.items())]
