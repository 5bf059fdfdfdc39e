"""What Open311 says about each service beyond its category: keywords, a description, and the attributes (extra
questions) a category needs. Kept as data here; a sub-category inherits its family's entries (`noise.social`
takes those of `noise`) unless it has its own."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Text = str | Promise


class Datatype:
    STRING = "string"
    NUMBER = "number"
    DATETIME = "datetime"
    TEXT = "text"
    SINGLE = "singlevaluelist"
    MULTI = "multivaluelist"


@dataclass(frozen=True)
class Attribute:
    """One question of a service definition (`attribute` of GeoReport v2)."""

    code: str
    datatype: str
    description: Text
    required: bool = False
    datatype_description: Text = ""
    values: tuple[tuple[str, Text], ...] = ()
    variable: bool = True


@dataclass(frozen=True)
class ServiceInfo:
    keywords: Text = ""
    description: Text = ""
    attributes: tuple[Attribute, ...] = field(default_factory=tuple)


YES_NO: tuple[tuple[str, Text], ...] = (("yes", _("Yes")), ("no", _("No")))

NOISE_ATTRIBUTES = (
    Attribute("noise_time", Datatype.DATETIME, _("When does the noise happen? (the last time you heard it)"),
              datatype_description=_("Date and time, e.g. 2026-05-03T23:30:00+08:00")),
    Attribute("at_night", Datatype.SINGLE, _("Does it happen at night (22:00 to 06:00)?"), required=True,
              values=YES_NO),
    Attribute("frequency", Datatype.SINGLE, _("How often does it happen?"),
              values=(("once", _("Once")), ("daily", _("Every day")), ("often", _("Several times a week")))),
)

SERVICES: dict[str, ServiceInfo] = {
    "air": ServiceInfo(_("air, smoke, smell")),
    "air.catering_fumes": ServiceInfo(
        _("restaurant, kitchen, fumes, barbecue"), _("Cooking fumes from restaurants and food stalls."),
        (Attribute("business_name", Datatype.STRING, _("Name of the restaurant or stall, if known")),
         Attribute("smell_time", Datatype.STRING, _("At what times of day do you notice it?"))),
    ),
    "air.odor": ServiceInfo(
        _("smell, stench, odour"), _("Bad smells from factories, drains, rubbish or other sources."),
        (Attribute("smell_time", Datatype.STRING, _("At what times of day do you notice it?")),),
    ),
    "air.dust": ServiceInfo(_("dust, construction site, bare soil")),
    "air.burning": ServiceInfo(_("burning, smoke, straw, rubbish")),
    "noise": ServiceInfo(_("noise, loud, night"), _("Noise that disturbs residents."), NOISE_ATTRIBUTES),
    "noise.social": ServiceInfo(_("square dancing, loudspeakers, shops, renovation"),
                                _("Noise from shops, entertainment, square dancing or renovation.")),
    "noise.construction": ServiceInfo(_("construction site, night work, machinery"),
                                      _("Noise from building sites, especially at night.")),
    "water": ServiceInfo(_("water, river, sewage")),
    "water.discharge": ServiceInfo(
        _("sewage, outfall, discharge"), _("Waste water discharged into rivers, drains or the ground."),
        (Attribute("colour", Datatype.STRING, _("Colour or smell of the water, if any")),),
    ),
    "waste": ServiceInfo(_("rubbish, dumping, hazardous waste")),
}


def service_info(code: str) -> ServiceInfo:
    """The entries of a (sub-)category: its own, or its family's attributes and keywords."""
    own = SERVICES.get(code)
    family = SERVICES.get(code.split(".")[0]) if "." in code else None
    if own is None:
        return family or ServiceInfo()
    if not own.attributes and family is not None and family.attributes:
        return ServiceInfo(own.keywords or family.keywords, own.description or family.description,
                           family.attributes)
    return own


def attributes_for(code: str) -> tuple[Attribute, ...]:
    return service_info(code).attributes
