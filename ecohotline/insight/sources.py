"""重复投诉源: places and polluters complained about again and again, each with its history and its cases.

How complaints are grouped into one source.

* **Which cases.** Complaints (`kind = complaint`; not enquiries, suggestions or praise) received in [start, end]
  (Beijing days, both included), optionally of one category (`noise`) or sub-category (`noise.social`).
* **Candidates.** Two complaints may be about the same source when their points (WGS-84) are within `radius_m`
  (default 150 m; k-d trees over local metres) and either one names no polluter or both names begin with the same
  `NAME_BLOCK` (2) characters (names alike by the rules below nearly always do; a 老王烧烤 / 中关村老王烧烤 pair is
  missed unless their addresses match); or when their normalised addresses are the same and their points, if both
  have one, are within `ADDRESS_RADIUS_M` (1 km) (this also joins complaints without coordinates; an address with
  more than `FULL_ADDRESS_GROUP` complaints is paired along a chain). Complaints naming one polluter at the very
  same point are linked at once.
* **The same source.** A candidate pair is linked when
    - both name a polluter and the normalised names (NFKC, no spaces or punctuation, Chinese numerals as digits,
      no bracketed branch name, no 有限公司/公司/分店/店 ending) are the same, or one contains the other and the
      shorter has at least 4 characters and half the longer's length (诚达汽修厂 / 诚达汽修厂喷漆房), or their
      TF-IDF character 2–3-gram cosine is at least `NAME_SIMILARITY` (0.9: a typo). Looser fuzzy matching links
      different places named from the same pattern (学清路科研楼项目工地 / 双清路科研楼项目工地: 0.86); or
    - one of them names no polluter, and the texts are alike: cosine ≥ `TEXT_SIMILARITY` (0.5) of TF-IDF
      character 2–3-grams of title + description (the first 200 characters), or ≥ `SAME_ADDRESS_TEXT_SIMILARITY`
      (0.25) when the normalised addresses are the same (no 北京市/…区 prefix, no 附近/旁边/对面/楼下 ending, Chinese
      numerals as digits).
  Sources are the connected groups of linked complaints (single linkage) with at least `min_complaints` (3).
* **Ranking.** score = (complaints + distinct complainants) × 0.5 ^ (days from the last complaint to `end` / 30):
  many complaints from many people, lately, first. Complainants are told apart by a hash of the phone number's
  digits (SHA-256, never stored nor shown); a complaint without a phone number counts as one complainant of its
  own. Ties: more complaints, then the later last complaint.
* **History.** Complaints per month (YYYY-MM, Beijing) and per (sub-)category; the cases behind a source are
  `Source.case_ids` (`RepeatedSources.cases_of(source)` as a queryset).

Cost: the pairs within the radius grow with the square of the local density. On the 1,000,000-case demo district
(PostgreSQL) a month of complaints takes about 4 s, a quarter about 20 s; `MAX_CASES` bounds one call.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
from django.db.models import QuerySet
from django.db.models.functions import Substr

from ecohotline.cases.access import mask_complainant
from ecohotline.cases.models import Case, CaseKind, RequestType
from ecohotline.core.workdays import BEIJING, day_bounds
from ecohotline.insight.hotspots import category_q, without_jit

DEFAULT_RADIUS_M = 150.0
DEFAULT_MIN_COMPLAINTS = 3
DEFAULT_TOP = 20
NAME_SIMILARITY = 0.9
# Name pairs below this cosine cannot contain one another in a way that counts; not checked one by one.
CONTAINMENT_FLOOR = 0.3
TEXT_SIMILARITY = 0.5
SAME_ADDRESS_TEXT_SIMILARITY = 0.25
RECENCY_HALF_LIFE_DAYS = 30.0
# Complaints at the same address link even with points further apart than `radius_m` (geocoders place differently
# written addresses differently), but not beyond this: a village's name as the address covers square kilometres.
ADDRESS_RADIUS_M = 1000.0
# Requests that are not about a polluter or a place's nuisance.
NOT_ABOUT_A_SOURCE = (RequestType.ENQUIRY, RequestType.SUGGESTION, RequestType.PRAISE)
# Addresses with more complaints than this are paired along a chain, not every pair (see `_address_pairs`).
FULL_ADDRESS_GROUP = 200
# Names compared within the radius begin alike: a k-d tree pairs only those (see `_spatial_pairs`).
NAME_BLOCK = 2
MAX_CASES = 400_000
_PAIR_CHUNK = 500_000

# --- normalisation ------------------------------------------------------------------------------------------

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
           "九": 9}
_NUMERAL_RUN = re.compile("[〇零一二两三四五六七八九十百]+")
_NUMBERED = "号楼层栋院室排巷条单区期"
_NOT_WORD = re.compile(r"[^\w]|_", re.UNICODE)
_BRACKETS = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
_ADDRESS_PREFIX = re.compile(r"^(中国)?(北京市?)?([\u4e00-\u9fff]{1,3}区)?")
_ADDRESS_ENDINGS = ("附近", "旁边", "对面", "楼下", "周边", "一带", "门口")
_NAME_ENDINGS = ("股份有限公司", "有限责任公司", "有限公司", "公司", "分店", "店")


def chinese_number(text: str) -> int:
    """一 → 1, 十二 → 12, 二十 → 20, 一二三 → 123 (digit by digit when there is no 十/百)."""
    if "十" not in text and "百" not in text:
        return int("".join(str(_DIGITS[char]) for char in text))
    total, digit = 0, 0
    for char in text:
        if char == "百":
            total += (digit or 1) * 100
            digit = 0
        elif char == "十":
            total += (digit or 1) * 10
            digit = 0
        else:
            digit = _DIGITS[char]
    return total + digit


def _digits(text: str) -> str:
    """Numerals as digits: runs with a digit (一, 三...), or of 十/百 before 号/楼/层... (百旺 stays a name)."""

    def replace(match: re.Match[str]) -> str:
        run = match.group(0)
        after = text[match.end():match.end() + 1]
        if any(char in _DIGITS for char in run) or (after and after in _NUMBERED):
            return str(chinese_number(run))
        return run

    return _NUMERAL_RUN.sub(replace, text)


def normalise_text(text: str) -> str:
    """NFKC, lower case, Chinese numerals as digits, without spaces or punctuation."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return _NOT_WORD.sub("", _digits(text))


def normalise_address(address: str) -> str:
    """An address as it compares: no 北京市/district prefix, no 附近-style ending, numerals as digits."""
    text = normalise_text(_BRACKETS.sub("", unicodedata.normalize("NFKC", address or "")))
    text = _ADDRESS_PREFIX.sub("", text)
    for ending in _ADDRESS_ENDINGS:
        if text.endswith(ending):
            text = text[: -len(ending)]
    return text


def normalise_name(name: str) -> str:
    """A polluter's name as it compares: no bracketed branch, no company or shop ending."""
    text = normalise_text(_BRACKETS.sub("", unicodedata.normalize("NFKC", name or "")))
    for ending in _NAME_ENDINGS:
        if text.endswith(ending) and len(text) > len(ending) + 1:
            text = text[: -len(ending)]
            break
    return text


def names_contain(first: str, second: str) -> bool:
    """One normalised name inside the other, the shorter at least 4 characters and half the longer's length."""
    short, long = sorted((first, second), key=len)
    return len(short) >= 4 and 2 * len(short) >= len(long) and short in long


def phone_key(phone: str) -> str:
    """A one-way key of a phone number's digits ("" without any): tells complainants apart, shows nothing."""
    digits = "".join(char for char in phone or "" if char.isdigit())
    return hashlib.sha256(digits.encode()).hexdigest() if digits else ""


# --- results ------------------------------------------------------------------------------------------------


@dataclass
class Source:
    """A repeated source (重复投诉源): complaints about one place or polluter."""

    rank: int
    name: str
    address: str
    polluter: str
    complaints: int
    complainants: int
    first_at: dt.datetime
    last_at: dt.datetime
    score: float
    latitude: float | None
    longitude: float | None
    case_ids: list[int]
    by_month: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "rank": self.rank, "name": self.name, "address": self.address, "polluter": self.polluter,
            "complaints": self.complaints, "complainants": self.complainants,
            "first_at": self.first_at.astimezone(BEIJING).isoformat(),
            "last_at": self.last_at.astimezone(BEIJING).isoformat(),
            "score": round(self.score, 4), "latitude": self.latitude, "longitude": self.longitude,
            "by_month": self.by_month, "by_category": self.by_category, "case_ids": self.case_ids,
        }


@dataclass
class RepeatedSources:
    """The ranked repeated sources of a period."""

    start: dt.date
    end: dt.date
    category: str | None
    radius_m: float
    min_complaints: int
    cases: int  # complaints examined
    sources: list[Source]

    def cases_of(self, source: Source) -> QuerySet[Case]:
        return Case.objects.filter(pk__in=source.case_ids)

    def as_json(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "category": self.category or "",
                "radius_m": self.radius_m, "min_complaints": self.min_complaints, "cases": self.cases,
                "sources": [source.as_json() for source in self.sources]}


# --- grouping -----------------------------------------------------------------------------------------------


@dataclass
class _Rows:
    ids: np.ndarray
    lat: np.ndarray  # nan without coordinates
    lng: np.ndarray
    received: list[dt.datetime]
    names: list[str]  # normalised polluter names
    addresses: list[str]  # normalised addresses
    texts: list[str]  # normalised title + description
    polluters: list[str]
    raw_addresses: list[str]
    titles: list[str]
    categories: list[str]
    phones: list[str]  # phone keys
    people: list[tuple[str, str]]  # (name, phone) of the complainant: only to mask the texts shown


def _load(start: dt.date, end: dt.date, category: str | None) -> _Rows:
    since, until = day_bounds(start, end)
    rows = list(Case.objects.filter(category_q(category), kind=CaseKind.COMPLAINT, received_at__gte=since,
                                    received_at__lt=until)
                .exclude(request_type__in=NOT_ABOUT_A_SOURCE)
                .order_by("received_at", "pk")
                .annotate(opening=Substr("description", 1, 200))
                .values_list("pk", "latitude", "longitude", "received_at", "polluter", "address", "title", "opening",
                             "category", "sub_category", "complainant_phone", "complainant_name")[:MAX_CASES])
    return _Rows(
        ids=np.array([row[0] for row in rows], dtype=np.int64),
        lat=np.array([row[1] if row[1] is not None else np.nan for row in rows], dtype=float),
        lng=np.array([row[2] if row[2] is not None else np.nan for row in rows], dtype=float),
        received=[row[3] for row in rows],
        names=[normalise_name(row[4]) for row in rows],
        addresses=[normalise_address(row[5]) for row in rows],
        texts=[normalise_text(f"{row[6]} {row[7]}") for row in rows],
        polluters=[row[4].strip() for row in rows],
        raw_addresses=[row[5].strip() for row in rows],
        titles=[row[6].strip() for row in rows],
        categories=[row[9] or row[8] or "" for row in rows],
        phones=[phone_key(row[10]) for row in rows],
        people=[(row[11], row[10]) for row in rows],
    )


def _ids(values: list[str]) -> tuple[np.ndarray, list[str]]:
    """Each value's number among the distinct non-empty values (0 for empty), and those values (number − 1)."""
    numbers: dict[str, int] = {}
    ids = np.array([numbers.setdefault(value, len(numbers) + 1) if value else 0 for value in values], dtype=np.int64)
    return ids, list(numbers)


def _same_spot(rows: _Rows, name_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Complaints naming one polluter at the very same point are linked without further ado: (pairs linking each
    to the first of its spot, the indexes of the others — the first of each spot and those not at such a spot)."""
    spotted = np.flatnonzero(~np.isnan(rows.lat) & ~np.isnan(rows.lng) & (name_ids > 0))
    keys = np.column_stack([rows.lat[spotted], rows.lng[spotted], name_ids[spotted].astype(float)])
    if len(spotted) == 0:
        return np.zeros((0, 2), dtype=np.int64), np.arange(len(name_ids))
    _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    heads = spotted[first][inverse.ravel()]
    duplicate = heads != spotted
    pairs = np.column_stack([heads[duplicate], spotted[duplicate]])
    keep = np.ones(len(name_ids), dtype=bool)
    keep[spotted[duplicate]] = False
    return pairs, np.flatnonzero(keep)


def _metres(rows: _Rows) -> tuple[np.ndarray, np.ndarray]:
    """(east, north) of each complaint in metres on a local plane (nan without a point)."""
    located = ~np.isnan(rows.lat) & ~np.isnan(rows.lng)
    lat0 = float(np.mean(rows.lat[located])) if located.any() else 40.0
    return rows.lng * 111_320.0 * math.cos(math.radians(lat0)), rows.lat * 111_320.0


def _spatial_pairs(rows: _Rows, radius_m: float, among: np.ndarray, name_ids: np.ndarray,
                   names: list[str]) -> np.ndarray:
    """Pairs within `radius_m` that may be about one source: both naming a polluter whose names begin with the
    same `NAME_BLOCK` characters (a third coordinate keeps other names kilometres apart in one k-d tree), and
    every pair with a complaint that names none."""
    from scipy.spatial import cKDTree

    east, north = _metres(rows)
    located = among[~np.isnan(east[among])]
    found = [np.zeros((0, 2), dtype=np.int64)]
    named = located[name_ids[located] > 0]
    if len(named) > 1:
        blocks, _ = _ids([names[i - 1][:NAME_BLOCK] for i in name_ids[named]])
        points = np.column_stack([east[named], north[named], blocks * 4.0 * max(radius_m, 1.0)])
        pairs = cKDTree(points).query_pairs(radius_m, output_type="ndarray")
        found.append(named[pairs].reshape(-1, 2))
    unnamed = located[name_ids[located] == 0]
    if len(unnamed) and len(located) > 1:
        everyone = cKDTree(np.column_stack([east[located], north[located]]))
        near = cKDTree(np.column_stack([east[unnamed], north[unnamed]])).query_ball_tree(everyone, radius_m)
        pairs = [(int(unnamed[i]), int(located[j])) for i, js in enumerate(near) for j in js
                 if located[j] != unnamed[i]]
        found.append(np.array(pairs, dtype=np.int64).reshape(-1, 2))
    return np.concatenate(found)


def _address_pairs(rows: _Rows, among: np.ndarray, name_ids: np.ndarray) -> np.ndarray:
    """Pairs with the same normalised address, unless both have points more than `ADDRESS_RADIUS_M` apart. In an
    address of more than `FULL_ADDRESS_GROUP` complaints, only neighbours in (name, latitude) order are paired."""
    groups: dict[str, list[int]] = {}
    for index in among.tolist():
        address = rows.addresses[index]
        if len(address) >= 4:
            groups.setdefault(address, []).append(index)
    found: list[tuple[int, int]] = []
    for members in groups.values():
        if len(members) <= FULL_ADDRESS_GROUP:
            found.extend((members[i], members[j]) for i in range(len(members)) for j in range(i + 1, len(members)))
        else:
            ordered = sorted(members, key=lambda i: (name_ids[i], np.nan_to_num(rows.lat[i])))
            found.extend(pairwise(ordered))
    pairs = np.array(found, dtype=np.int64).reshape(-1, 2)
    if len(pairs) == 0:
        return pairs
    left, right = pairs[:, 0], pairs[:, 1]
    lat0 = math.radians(float(np.nanmean(rows.lat)) if not np.isnan(rows.lat).all() else 40.0)
    north = (rows.lat[left] - rows.lat[right]) * 111_320.0
    east = (rows.lng[left] - rows.lng[right]) * 111_320.0 * math.cos(lat0)
    apart = np.hypot(north, east)
    return pairs[np.isnan(apart) | (apart <= ADDRESS_RADIUS_M)]


def _row_cosines(matrix: Any, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Cosine of rows left[k] and right[k] of an L2-normalised sparse matrix, in chunks."""
    out = np.zeros(len(left))
    for begin in range(0, len(left), _PAIR_CHUNK):
        a, b = left[begin:begin + _PAIR_CHUNK], right[begin:begin + _PAIR_CHUNK]
        out[begin:begin + len(a)] = np.asarray(matrix[a].multiply(matrix[b]).sum(axis=1)).ravel()
    return out


def _vectors(texts: list[str], ngrams: tuple[int, int]) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer="char", ngram_range=ngrams, sublinear_tf=True, dtype=np.float32).fit_transform(
        texts)


def _distinct_pairs(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct unordered pairs of ids (low, high) and, for each input pair, its place among them."""
    low, high = np.minimum(first, second), np.maximum(first, second)
    width = int(high.max()) + 1 if len(high) else 1
    keys, inverse = np.unique(low * width + high, return_inverse=True)
    return keys // width, keys % width, inverse.ravel()


def link_pairs(rows: _Rows, radius_m: float) -> np.ndarray:
    """The pairs (k × 2 row indexes) of complaints that are about the same source; single linkage joins them."""
    name_ids, names = _ids(rows.names)
    spot_pairs, among = _same_spot(rows, name_ids)
    candidates = np.concatenate([_spatial_pairs(rows, radius_m, among, name_ids, names),
                                 _address_pairs(rows, among, name_ids)])
    if len(candidates):
        ordered = np.sort(candidates, axis=1)
        width = len(rows.ids) + 1
        keys = np.unique(ordered[:, 0] * width + ordered[:, 1])
        candidates = np.column_stack([keys // width, keys % width])
    left, right = candidates[:, 0], candidates[:, 1]
    linked = np.zeros(len(candidates), dtype=bool)
    both_named = (name_ids[left] > 0) & (name_ids[right] > 0)
    linked[both_named & (name_ids[left] == name_ids[right])] = True
    differ = np.flatnonzero(both_named & (name_ids[left] != name_ids[right]))
    if len(differ):
        # Alike names are judged once per pair of distinct names, not once per pair of complaints.
        low, high, inverse = _distinct_pairs(name_ids[left[differ]], name_ids[right[differ]])
        similarity = _row_cosines(_vectors(names, (2, 3)), low - 1, high - 1)
        alike = similarity >= NAME_SIMILARITY
        for k in np.flatnonzero((similarity >= CONTAINMENT_FLOOR) & ~alike):
            alike[k] = names_contain(names[low[k] - 1], names[high[k] - 1])
        linked[differ] = alike[inverse]
    others = np.flatnonzero(~both_named)
    if len(others):
        text_ids, texts = _ids(rows.texts)
        address_ids, _ = _ids(rows.addresses)
        a, b = left[others], right[others]
        with_text = (text_ids[a] > 0) & (text_ids[b] > 0)
        same_address = (address_ids[a] > 0) & (address_ids[a] == address_ids[b])
        similarity = np.where(with_text & (text_ids[a] == text_ids[b]), 1.0, 0.0)
        differ_text = np.flatnonzero(with_text & (text_ids[a] != text_ids[b]))
        if len(differ_text):
            low, high, inverse = _distinct_pairs(text_ids[a[differ_text]], text_ids[b[differ_text]])
            similarity[differ_text] = _row_cosines(_vectors(texts, (2, 3)), low - 1, high - 1)[inverse]
        linked[others] = (similarity >= TEXT_SIMILARITY) | (same_address & (similarity >= SAME_ADDRESS_TEXT_SIMILARITY))
    return np.concatenate([spot_pairs, candidates[linked]])


def _groups(count: int, pairs: np.ndarray) -> list[list[int]]:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    if count == 0:
        return []
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(count, count))
    _, labels = connected_components(graph, directed=False)
    members: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        members.setdefault(int(label), []).append(index)
    return list(members.values())


def _most_common(rows: _Rows, members: list[int], values: list[str]) -> str:
    """The most common non-empty value among the members, masked (`mask_complainant`) as its first case says."""
    present = [(values[i], i) for i in members if values[i]]
    if not present:
        return ""
    value = Counter(text for text, _ in present).most_common(1)[0][0]
    name, phone = rows.people[next(i for text, i in present if text == value)]
    return mask_complainant(Case(complainant_name=name, complainant_phone=phone), value)


def _source(rows: _Rows, members: list[int], end: dt.date) -> Source:
    phones = [rows.phones[i] for i in members]
    complainants = len({phone for phone in phones if phone}) + sum(1 for phone in phones if not phone)
    received = [rows.received[i] for i in members]
    last = max(received)
    cutoff = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=BEIJING)
    days = max(0.0, (cutoff - last).total_seconds() / 86_400)
    score = (len(members) + complainants) * 0.5 ** (days / RECENCY_HALF_LIFE_DAYS)
    polluter = _most_common(rows, members, rows.polluters)
    address = _most_common(rows, members, rows.raw_addresses)
    lats = rows.lat[members]
    lngs = rows.lng[members]
    located = ~np.isnan(lats) & ~np.isnan(lngs)
    months = Counter(moment.astimezone(BEIJING).strftime("%Y-%m") for moment in received)
    categories = Counter(rows.categories[i] or "" for i in members)
    return Source(
        rank=0, name=polluter or _most_common(rows, members, rows.titles) or address, address=address,
        polluter=polluter, complaints=len(members), complainants=complainants, first_at=min(received), last_at=last,
        score=score, latitude=round(float(lats[located].mean()), 6) if located.any() else None,
        longitude=round(float(lngs[located].mean()), 6) if located.any() else None,
        case_ids=[int(rows.ids[i]) for i in sorted(members, key=lambda i: (rows.received[i], rows.ids[i]))],
        by_month=dict(sorted(months.items())), by_category=dict(categories.most_common()),
    )


def find_sources(rows: _Rows, end: dt.date, *, radius_m: float = DEFAULT_RADIUS_M,
                 min_complaints: int = DEFAULT_MIN_COMPLAINTS) -> list[Source]:
    """Every source with at least `min_complaints` complaints, ranked."""
    groups = [members for members in _groups(len(rows.ids), link_pairs(rows, radius_m))
              if len(members) >= min_complaints]
    sources = [_source(rows, members, end) for members in groups]
    sources.sort(key=lambda source: (-source.score, -source.complaints, -source.last_at.timestamp()))
    for rank, source in enumerate(sources, start=1):
        source.rank = rank
    return sources


def repeated_sources(start: dt.date, end: dt.date, *, category: str | None = None, top: int | None = DEFAULT_TOP,
                     radius_m: float = DEFAULT_RADIUS_M,
                     min_complaints: int = DEFAULT_MIN_COMPLAINTS) -> RepeatedSources:
    """重复投诉源 of the period [start, end] (Beijing days, both included), ranked; the first `top` (None: all)."""
    if end < start:
        raise ValueError("the end must be on or after the start")
    rows = without_jit(_load, start, end, category)
    sources = find_sources(rows, end, radius_m=radius_m, min_complaints=min_complaints)
    return RepeatedSources(start, end, category or None, radius_m, min_complaints, len(rows.ids),
                           sources[:top] if top is not None else sources)
