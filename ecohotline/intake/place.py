"""Place: address text (and coordinates) → district, street/town, community, in WGS-84.

What decides, in order (the reason says which, in Chinese):

1. The district: the hotline's 所属区 when it names one, else the address ("北京市朝阳区…", "海淀…"), else what
   the street or community named implies. Another district's order is flagged "地址位于朝阳区，不属本区".
2. The street/town: the hotline's 所属街乡 when it is one of the district's (checked against the gazetteer,
   aliases included: 西北旺镇 = 西北旺地区, 海淀镇 = 万柳地区); else a street/town named in the address (full name
   or short form: "四季青…"); else the street of a community or village named in it. When the hotline's field
   and the address disagree, the field wins and the reason says so.
3. Coordinates only when the text decides nothing: the nearest street centre, if close enough and clearly
   nearer than the next one; also to choose between the streets an ambiguous name (树村) could mean.
4. Anything else is flagged (placed=False) with what was found, never guessed.

Coordinates are converted to WGS-84 (GCJ-02 from 高德/腾讯, BD-09 from 百度); without them, the community's or
else the street's centre stands in ("坐标取自街乡中心"). Road names are recognised as such (中关村大街, 田村路
name no street); roads alone place nothing, since most run through several streets.

The matcher (a `Placer`) is built once per list of streets and cached; placing an order takes ~10 µs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ecohotline.core import geo
from ecohotline.core.gazetteer import (
    COMMUNITY,
    DISTRICT,
    TOWNSHIP,
    TOWNSHIP_SUFFIXES,
    Division,
    Gazetteer,
    Mention,
    normalise,
    township_stem,
)
from ecohotline.intake.orders import OrderInput
from ecohotline.org.models import OrgUnit

DEFAULT_DISTRICT = "海淀区"
# How far from a street's centre a point may lie to be put in that street by coordinates alone.
NEAREST_RADIUS_M = {"street": 3000.0, "area": 6000.0, "town": 6000.0, "township": 6000.0}
DEFAULT_RADIUS_M = 3000.0
# ...and how much nearer than the next street's centre it must be.
NEAREST_MARGIN = 1.25
# Given coordinates this far from the centre of the street the text decided get a note.
FAR_FROM_CENTRE_M = 8000.0

SYSTEM_NAMES = {"gcj02": "GCJ-02", "bd09": "BD-09"}


@dataclass
class Placement:
    placed: bool
    reason: str
    district: str = ""
    street: OrgUnit | None = None
    community: str = ""
    latitude: float | None = None
    longitude: float | None = None
    code: str = ""  # official code of the street/town (or of the district when no street)
    decided_by: str = ""  # "field", "address", "community", "coordinates" or "" (not placed)

    def as_payload(self) -> dict[str, object]:
        return {"placed": self.placed, "reason": self.reason, "district": self.district,
                "street": self.street.pk if self.street else None,
                "street_name": self.street.name if self.street else "",
                "community": self.community, "latitude": self.latitude, "longitude": self.longitude,
                "code": self.code, "decided_by": self.decided_by}


def _km(metres: float) -> str:
    return f"{metres / 1000:.1f}公里"


def _names(divisions: Sequence[Division]) -> str:
    return "、".join(d.name for d in divisions)


class Placer:
    """The place step for one list of streets: built once, then `place(order)` per order."""

    def __init__(self, streets: Sequence[OrgUnit], *, gazetteer: Gazetteer | None = None,
                 district: str | None = None) -> None:
        self.gazetteer = gaz = gazetteer or Gazetteer.default()
        self.streets = list(streets)
        self.home = self._home_district(district)
        self.townships = [t for t in gaz.children(self.home) if t.level == TOWNSHIP]
        self.centred = [t for t in self.townships if t.has_centre]
        # Street/town division → index of its OrgUnit; units the gazetteer does not know, by name and stem.
        self.unit_index: dict[int, int] = {}
        self.unknown_units: list[tuple[str, int]] = []
        for index, unit in enumerate(self.streets):
            found = gaz.lookup(unit.name, level=TOWNSHIP, within=self.home)
            if len(found) == 1 and found[0].id not in self.unit_index:
                self.unit_index[found[0].id] = index
            else:
                names = {unit.name.strip(), township_stem(unit.name.strip())}
                self.unknown_units += [(name, index) for name in sorted(names, key=len, reverse=True)
                                       if len(name) >= 2]

    def _home_district(self, district: str | None) -> Division:
        gaz = self.gazetteer
        if district:
            found = gaz.lookup(district, level=DISTRICT)
            if not found:
                raise ValueError(f"unknown district: {district}")
            return found[0]
        votes: dict[int, float] = {}
        for unit in self.streets:
            districts = {d for t in gaz.lookup(unit.name, level=TOWNSHIP) if (d := gaz.district_of(t)) is not None}
            for d in districts:
                votes[d.id] = votes.get(d.id, 0.0) + 1.0 / len(districts)
        if votes:
            return gaz.get(max(votes, key=lambda k: votes[k]))
        return gaz.lookup(DEFAULT_DISTRICT, level=DISTRICT)[0]

    # --- the pieces ---

    def _coordinates(self, order: OrderInput, notes: list[str]) -> tuple[float, float] | None:
        if order.latitude is None or order.longitude is None:
            return None
        try:
            system = geo.normalise_system(order.coordinate_system)
        except ValueError:
            notes.append(f"坐标系“{order.coordinate_system}”无法识别，坐标未采用")
            return None
        lng, lat = geo.to_wgs84(order.longitude, order.latitude, system)
        if geo.in_beijing(lng, lat):
            return lng, lat
        swapped = geo.to_wgs84(order.latitude, order.longitude, system)
        if geo.in_beijing(*swapped):
            notes.append("经纬度填反，已对调")
            return swapped
        notes.append(f"坐标（{order.longitude}, {order.latitude}）不在北京市范围内，未采用")
        return None

    def _radius(self, township: Division) -> float:
        return NEAREST_RADIUS_M.get(township.kind, DEFAULT_RADIUS_M)

    def _nearest(self, point: tuple[float, float], candidates: Sequence[Division]
                 ) -> tuple[Division, float] | None:
        """The candidate whose centre is near enough and clearly nearer than the next one."""
        scored = sorted(((geo.distance_m(point[0], point[1], d.longitude, d.latitude), d.id, d)
                         for d in candidates if d.longitude is not None and d.latitude is not None),
                        key=lambda item: item[:2])
        if not scored:
            return None
        distance, _, best = scored[0]
        if distance > self._radius(best):
            return None
        if len(scored) > 1 and scored[1][0] < distance * NEAREST_MARGIN:
            return None
        return best, distance

    def _district_field(self, order: OrderInput, notes: list[str]) -> Division | None:
        value = order.district.strip()
        if not value:
            return None
        found = self.gazetteer.lookup(value, level=DISTRICT)
        if not found:
            notes.append(f"所属区“{value}”无法识别")
            return None
        return found[0]

    def _street_field(self, order: OrderInput, district: Division | None, notes: list[str]
                      ) -> Division | int | None:
        """The hotline's 所属街乡 as a street/town division (or the index of a unit the gazetteer lacks)."""
        value = order.street_name.strip()
        if not value:
            return None
        gaz = self.gazetteer
        everywhere = gaz.lookup(value, level=TOWNSHIP)
        if district is not None:
            found = [t for t in everywhere if gaz.district_of(t) == district]
        else:
            ours = [t for t in everywhere if gaz.district_of(t) == self.home]
            found = ours or everywhere
        if len(found) == 1:
            return found[0]
        if district is None or district == self.home:
            wanted = normalise(value)
            for name, index in self.unknown_units:
                if wanted in (name, township_stem(name)) or township_stem(wanted) == name:
                    return index
        if len(found) > 1:
            districts = [d for t in found if (d := gaz.district_of(t)) is not None]
            notes.append(f"所属街乡“{value}”在{_names(districts)}都有，未采用")
        elif everywhere and district is not None:
            others = {d.name for t in everywhere if (d := gaz.district_of(t)) is not None}
            notes.append(f"所属街乡“{value}”属{'、'.join(sorted(others))}，不属{district.name}，未采用")
        else:
            notes.append(f"所属街乡“{value}”无法识别")
        return None

    def _text_district(self, mentions: Sequence[Mention]) -> Division | None:
        for mention in mentions:
            districts = mention.at(DISTRICT)
            if districts:
                return districts[0]
        return None

    def _implied_districts(self, mentions: Sequence[Mention], notes: list[str]
                           ) -> tuple[Mention | None, list[Division]]:
        """The districts the first street or community named could be in, narrowed by the other names."""
        gaz = self.gazetteer
        named = [m for m in mentions if any(d.level >= TOWNSHIP for d in m.divisions)]
        if not named:
            return None, []
        first = named[0]
        districts = list(dict.fromkeys(d for t in first.divisions if t.level >= TOWNSHIP
                                       and (d := gaz.district_of(t)) is not None))
        if len(districts) > 1:
            others = {d for m in named[1:] for t in m.divisions
                      if t.level >= TOWNSHIP and (d := gaz.district_of(t)) is not None}
            narrowed = [d for d in districts if d in others]
            if len(narrowed) == 1:
                notes.append(f"“{first.text}”{_names(districts)}都有，按地址中的其他地名判断属{narrowed[0].name}")
            if narrowed:
                districts = narrowed
        return first, districts

    def _unit(self, township: Division | int, units: Sequence[OrgUnit]) -> OrgUnit | None:
        index = township if isinstance(township, int) else self.unit_index.get(township.id)
        return None if index is None else units[index]

    # --- the decision ---

    def place(self, order: OrderInput, streets: Sequence[OrgUnit] | None = None) -> Placement:
        """Place one order. `streets`: the same units this placer was built from (fresh instances welcome)."""
        units = self.streets if streets is None else streets
        gaz, home = self.gazetteer, self.home
        notes: list[str] = []
        point = self._coordinates(order, notes)
        scan = gaz.scan(normalise(order.address))
        mentions = scan.mentions

        # 1. The district.
        from_field = self._district_field(order, notes)
        from_text = self._text_district(mentions)
        if from_field is not None and from_text is not None and from_field != from_text:
            notes.append(f"所属区为{from_field.name}，地址却写{from_text.name}，以所属区为准")
        district = from_field or from_text
        street_field = self._street_field(order, district, notes)
        if district is None and isinstance(street_field, Division):
            district = gaz.district_of(street_field)
        implied_by: Mention | None = None
        if district is None:
            implied_by, candidates = self._implied_districts(mentions, notes)
            if len(candidates) == 1:
                district = candidates[0]
            elif len(candidates) > 1 and implied_by is not None:
                ours = [t for t in implied_by.divisions if gaz.district_of(t) == home]
                near = self._nearest(point, [gaz.township_of(t) or t for t in ours]) if point and ours else None
                if near is None:
                    return self._flag(f"“{implied_by.text}”在{_names(candidates)}都有，地址未写区，无法确定",
                                      "", notes, point)
                district = home
                notes.append(f"“{implied_by.text}”{_names(candidates)}都有，按坐标判断属{home.name}")
        if district is not None and district != home:
            return self._elsewhere(district, from_field is not None, mentions, notes, point)

        # 2. The street/town from the text: named streets first, then communities.
        towns = list(dict.fromkeys(t for m in mentions for t in m.at(TOWNSHIP) if gaz.district_of(t) == home))
        town_text = {t.id: m.text for m in mentions for t in m.at(TOWNSHIP)}
        if len(towns) > 1:
            # A street named in full outranks another's short form (清河街道 vs 上地 in 上地佳园).
            full = [t for t in towns if town_text[t.id].endswith(TOWNSHIP_SUFFIXES)]
            if len(full) == 1:
                notes.append(f"地址另含“{'”“'.join(town_text[t.id] for t in towns if t != full[0])}”，"
                             f"以{full[0].name}为准")
                towns = full
        # A name that is both a street's and a community's (中关村) means the street.
        communities = [(m, [c for c in m.at(COMMUNITY) if gaz.district_of(c) == home]) for m in mentions
                       if not any(gaz.district_of(t) == home for t in m.at(TOWNSHIP))]
        communities = [(m, cs) for m, cs in communities if cs]

        def community_in(township: Division | int) -> Division | None:
            if isinstance(township, int):
                return None
            for _, cs in communities:
                for c in cs:
                    if gaz.township_of(c) == township:
                        return c
            return None

        township: Division | int | None = None
        decided_by, reason = "", ""
        if street_field is not None:
            township, decided_by = street_field, "field"
            reason = f"按所属街乡“{order.street_name.strip()}”"
            if isinstance(township, Division):
                contrary = [t for t in towns if t != township]
                if contrary and township not in towns:
                    notes.append(f"地址写的是{_names(contrary)}，与所属街乡不符，以所属街乡为准")
                elif not towns and communities and community_in(township) is None:
                    c = communities[0][1][0]
                    where = gaz.township_of(c)
                    notes.append(f"地址中的{c.name}属{where.name if where else '别的街乡'}，与所属街乡不符，"
                                 f"以所属街乡为准")
        elif len(towns) == 1:
            township, decided_by = towns[0], "address"
            said = town_text[township.id]
            reason = f"地址含“{said}”" + ("" if said == township.name else f"（即{township.name}）")
            if communities and community_in(township) is None:
                c = communities[0][1][0]
                where = gaz.township_of(c)
                notes.append(f"地址中的{c.name}属{where.name if where else '别的街乡'}，与{township.name}不符，"
                             f"以{township.name}为准")
        elif len(towns) > 1:
            near = self._nearest(point, towns) if point else None
            if near is None:
                return self._flag(f"地址同时提到{_names(towns)}，无法确定街乡", home.name, notes, point)
            township, decided_by = near[0], "coordinates"
            reason = f"地址同时提到{_names(towns)}，按坐标取{township.name}（距中心{_km(near[1])}）"
        elif communities:
            mention, cs = communities[0]
            options = list(dict.fromkeys(t for c in cs if (t := gaz.township_of(c)) is not None))
            if len(options) == 1:
                township, decided_by = options[0], "community"
                reason = f"地址含“{mention.text}”（{cs[0].name}），属{township.name}"
            else:
                near = self._nearest(point, options) if point else None
                if near is None:
                    return self._flag(f"“{mention.text}”在{_names(options)}都有，无法确定街乡", home.name, notes,
                                      point)
                township, decided_by = near[0], "coordinates"
                reason = f"“{mention.text}”在{_names(options)}都有，按坐标取{township.name}（距中心{_km(near[1])}）"
        else:
            text = normalise(order.address)
            for name, index in self.unknown_units:
                if name in text:
                    township, decided_by, reason = index, "address", f"地址含“{name}”"
                    break
        if township is None and point is not None:
            near = self._nearest(point, self.centred)
            if near is not None:
                township, decided_by = near[0], "coordinates"
                reason = f"地址未写明街乡，按坐标就近归入{township.name}（距中心{_km(near[1])}）"
        if township is None:
            strays = [(m, d) for m in mentions for t in m.divisions if t.level >= TOWNSHIP
                      and (d := gaz.district_of(t)) is not None and d != home]
            if strays:
                why = f"地址中的“{strays[0][0].text}”属{strays[0][1].name}，不属{home.name}，无法确定街乡"
            elif scan.roads:
                why = f"地址中的“{scan.roads[0]}”是道路，可能跨多个街乡"
                why += "，坐标也不足以确定" if point else "，又无坐标，无法确定街乡"
            elif point is not None:
                why = "地址未写明街乡，坐标附近也没有足够近的街乡中心"
            elif district is not None:
                why = f"地址只写到{district.name}，无法确定街乡"
            else:
                why = "无法从地址确定街乡"
            return self._flag(why, district.name if district else order.district.strip(), notes, point)

        # 3. The unit, the community, the coordinates.
        community = community_in(township)
        unit = self._unit(township, units)
        division = township if isinstance(township, Division) else None
        if (point is not None and division is not None and division.longitude is not None
                and division.latitude is not None and decided_by != "coordinates"):
            away = geo.distance_m(point[0], point[1], division.longitude, division.latitude)
            if away > FAR_FROM_CENTRE_M:
                notes.append(f"坐标距{division.name}中心约{_km(away)}，请核对")
        if point is None:
            for source, said in ((community, "坐标取自社区中心"), (division, "坐标取自街乡中心（约数）")):
                if source is not None and source.longitude is not None and source.latitude is not None:
                    point = (source.longitude, source.latitude)
                    notes.append(said)
                    break
        if unit is None:
            name = division.name if division else "该街乡"
            return self._flag(f"{reason}，但系统中没有{name}这个街乡单位", home.name, notes, point,
                              community=community.name if community else "", code=division.code if division else "")
        return Placement(True, "；".join([reason, *notes]), home.name, unit, community.name if community else "",
                         point[1] if point else None, point[0] if point else None,
                         division.code if division else "", decided_by)

    def _flag(self, why: str, district: str, notes: list[str], point: tuple[float, float] | None, *,
              community: str = "", code: str = "") -> Placement:
        return Placement(False, "；".join([why, *notes]), district, None, community,
                         point[1] if point else None, point[0] if point else None, code, "")

    def _elsewhere(self, district: Division, by_field: bool, mentions: Sequence[Mention], notes: list[str],
                   point: tuple[float, float] | None) -> Placement:
        gaz = self.gazetteer
        where = next((t.name for m in mentions for t in m.divisions
                      if t.level >= TOWNSHIP and gaz.district_of(t) == district), "")
        said = "所属区为" if by_field else "地址位于"
        why = f"{said}{district.name}，不属本区" + (f"（{where}）" if where else "")
        return self._flag(why, district.name, notes, point, code=district.code)


_PLACERS: dict[tuple[object, ...], Placer] = {}
# The last list of streets seen and its placer: a batch passes the same list for every order.
_last: tuple[Sequence[OrgUnit], tuple[OrgUnit, ...], str | None, Gazetteer | None, Placer] | None = None


def placer_for(streets: Sequence[OrgUnit], *, district: str | None = None,
               gazetteer: Gazetteer | None = None) -> Placer:
    """The cached placer for these streets (same units, same names: same placer)."""
    global _last
    last = _last
    if (last is not None and last[0] is streets and last[2] == district and last[3] is gazetteer
            and len(streets) == len(last[1]) and all(a is b for a, b in zip(streets, last[1], strict=True))):
        return last[4]
    key = (tuple((unit.pk, unit.name) for unit in streets), district, id(gazetteer) if gazetteer else None)
    placer = _PLACERS.get(key)
    if placer is None:
        if len(_PLACERS) >= 16:
            _PLACERS.clear()
        placer = _PLACERS[key] = Placer(streets, gazetteer=gazetteer, district=district)
    _last = (streets, tuple(streets), district, gazetteer, placer)
    return placer


def place_order(order: OrderInput, streets: list[OrgUnit], *, district: str | None = None,
                gazetteer: Gazetteer | None = None) -> Placement:
    """Place an order among `streets` (the district's active street/town units). `district`: whose bureau
    this is (default: the district the streets belong to, else 海淀区)."""
    return placer_for(streets, district=district, gazetteer=gazetteer).place(order, streets)
