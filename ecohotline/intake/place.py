"""Place: address text (and coordinates) → district, street/town, community, in WGS-84.

First version: the street is matched by name against the district's streets and towns (the 所属街乡 the
hotline gave, else a street name found in the address). Unplaceable addresses are flagged, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

from ecohotline.core import geo
from ecohotline.intake.orders import OrderInput
from ecohotline.org.models import OrgUnit

SUFFIXES = ("街道办事处", "街道", "地区办事处", "地区", "镇", "乡")


@dataclass
class Placement:
    placed: bool
    reason: str
    district: str = ""
    street: OrgUnit | None = None
    community: str = ""
    latitude: float | None = None
    longitude: float | None = None

    def as_payload(self) -> dict[str, object]:
        return {"placed": self.placed, "reason": self.reason, "district": self.district,
                "street": self.street.pk if self.street else None,
                "street_name": self.street.name if self.street else "",
                "community": self.community, "latitude": self.latitude, "longitude": self.longitude}


def _stem(name: str) -> str:
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def place_order(order: OrderInput, streets: list[OrgUnit]) -> Placement:
    latitude = longitude = None
    if order.latitude is not None and order.longitude is not None:
        longitude, latitude = geo.to_wgs84(order.longitude, order.latitude, order.coordinate_system)
    by_stem = {_stem(street.name): street for street in streets}
    if order.street_name:
        street = by_stem.get(_stem(order.street_name.strip()))
        if street is not None:
            return Placement(True, f"所属街乡“{order.street_name}”", order.district, street, "", latitude, longitude)
    for stem, street in sorted(by_stem.items(), key=lambda item: -len(item[0])):
        if stem and stem in order.address:
            return Placement(True, f"地址含“{stem}”", order.district, street, "", latitude, longitude)
    return Placement(False, "无法从地址确定街乡", order.district, None, "", latitude, longitude)
