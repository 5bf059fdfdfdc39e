"""Hot issues (热点问题): complaint messages about the same problem at the same place, grouped and ranked by heat.

A message is split into its *place* (小区、社区、村、镇、路、街、学院、公司… names found by pattern, the
administrative prefix such as A市/A2区/海淀区 kept apart) and its *problem* (the rest of the subject and the start
of the text, with the place, the administrative names and the filler words of complaints removed).

Two messages are *similar* by the cosine of their problem texts (sublinear TF-IDF over character 2–3-grams,
hashed: the subject weighs ``SUBJECT_WEIGHT``, the first ``TEXT_HEAD_CHARS`` characters of the text the rest),
gated by place:

* both name a place: their places must share enough (cosine of the places' character bigrams at least
  ``PLACE_MATCH``), else they are not similar at all;
* one names a place: scaled by ``UNPLACED_FACTOR`` when the other writes that place somewhere in its subject or
  text start (``MENTIONED`` of its bigrams), else by ``UNMENTIONED_FACTOR``;
* neither names one: scaled by ``UNPLACED_FACTOR``.

So a place named in many unrelated messages never merges them (their problems differ), and one problem at two
places gives two issues.

Messages are grouped by average-linkage agglomerative clustering (scikit-learn) over ``1 − similarity`` cut at
``1 − MIN_SIMILARITY``: a message joins a group only if it is, on average, similar to all of it, so one message
that mentions two things cannot chain two issues together. Large inputs are first split into the connected
components of the graph of pairs at least ``MIN_SIMILARITY`` similar (no group of average linkage can span two
components, so the result is the same); components larger than ``DENSE_LIMIT`` are split at a stricter edge (an
approximation). Groups are then joined when they are one issue said in different words (`merge_split_issues`:
the same key place and a shared key problem term). A group needs ``MIN_MESSAGES`` messages from
``MIN_COMPLAINANTS`` people to be an issue.

Heat (热度) of an issue, ``HeatWeights`` holds the constants::

    heat = (weighted messages + distinct complainants + log2(1 + max(0, supports − opposes)))
           × (1 + span_bonus × min(span days, 365) / 365)
           × 0.5 ** (days from the issue's last message to the data's end / recency_half_life_days)

where a complainant's first message weighs 1, their next ones ``repeat_weight`` (0.1) when within
``repeat_window_days`` (30) of their previous one and ``late_repeat_weight`` (0.5) after (the same person posting
again is not new people); ``span_bonus`` is 0.5 and ``recency_half_life_days`` 180; the data's end is the latest
message of the input (or the end of the period asked for). People count twice (as a message and as a person),
supports only by their logarithm: a thousand likes weigh about as much as five more complainants.

The issue is named "place problem": the place most of its messages name with its district (or only the
administrative name, A市, when they name none in common), and the problem phrases (runs of jieba words that begin
and end with a noun or verb) most of its subjects share, as the most typical subject writes them.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

SUBJECT_WEIGHT = 0.7
TEXT_HEAD_CHARS = 160
PLACE_MATCH = 0.3
UNPLACED_FACTOR = 0.5
UNMENTIONED_FACTOR = 0.2
MENTIONED = 0.6
MIN_SIMILARITY = 0.08
NGRAMS = (2, 3)
MIN_MESSAGES = 2
MIN_COMPLAINANTS = 2
DENSE_LIMIT = 6000


@dataclass(frozen=True)
class HeatWeights:
    """The constants of the heat score (see the module docstring)."""

    repeat_window_days: float = 30.0  # a complainant's repeat within this many days of their last message …
    repeat_weight: float = 0.1  # … weighs this much instead of 1,
    late_repeat_weight: float = 0.5  # and a later one this much
    span_bonus: float = 0.5  # an issue lasting a year or more weighs 1.5 times one of a single day
    recency_half_life_days: float = 180.0  # an issue silent for this long weighs half


@dataclass(frozen=True)
class Message:
    """One complaint message (留言) or case: who wrote it, when, its subject and text, and its supports (点赞)."""

    id: str
    user: str
    subject: str
    time: dt.datetime
    text: str
    supports: int = 0
    opposes: int = 0


@dataclass
class HotIssue:
    """热点问题: messages about one problem at one place, with its heat and how it is named."""

    rank: int
    name: str
    heat: float
    place: str
    problem: str
    first_at: dt.datetime
    last_at: dt.datetime
    member_ids: list[str]
    messages: int
    complainants: int
    supports: int
    opposes: int
    subjects: list[str] = field(default_factory=list, repr=False)

    def as_json(self) -> dict[str, Any]:
        return {"rank": self.rank, "name": self.name, "heat": round(self.heat, 2), "place": self.place,
                "problem": self.problem, "first_at": self.first_at.isoformat(), "last_at": self.last_at.isoformat(),
                "messages": self.messages, "complainants": self.complainants, "supports": self.supports,
                "opposes": self.opposes, "member_ids": self.member_ids}


# --- places and problems ------------------------------------------------------------------------------------

# Administrative names: anonymised ones (A市, A2区, K9县), a province, Beijing and its districts.
REGION = re.compile(r"[A-Z][0-9]{0,2}(?:市|区|县)|[\u4e00-\u9fff]{2,3}省|北京市|"
                    r"(?:东城|西城|朝阳|海淀|丰台|石景山|门头沟|房山|通州|顺义|昌平|大兴|怀柔|平谷|密云|延庆)区|"
                    r"[\u4e00-\u9fff]{2}(?:区|县)(?=政府|人民)")
# Where a place name cannot go on: punctuation and the words around places in complaints.
BOUNDARY = re.compile(
    r"[^\u4e00-\u9fffA-Za-z0-9·]+|投诉|反映|反应|举报|咨询|关于|请求|建议|希望|要求|强烈|严重|恳请|呼吁|请问|"
    r"附近|旁边|周边|周围|对面|门口|楼下|隔壁|一带|内的|里的|旁的|边的|的|在|对|和|与|及|至|到|从|是否|为何|"
    r"为什么|何时|什么|怎么|能否|问题|情况|我们|我|请|被|把|已经|还|又|将|给|由|向|位于|地处|紧邻|靠近|"
    r"旁|违建|违规|违法|乱建|修建|新建|扩建|建设|建|开发商|业主|居民|物业")
PLACE_SUFFIX = ("小区|社区|新城|新村|花园|家园|公寓|广场|大厦|公馆|山庄|华庭|名苑|雅苑|庄园|街道|大道|学院|大学|中学|"
                "小学|学校|幼儿园|医院|公司|集团|市场|公园|商城|中心|国际|项目|苑|园|城|村|镇|乡|路|街|巷|湾|府|郡|庭|"
                "厂")
PLACE_CHUNK = re.compile(rf"[\u4e00-\u9fffA-Za-z0-9·]{{0,7}}?(?:{PLACE_SUFFIX})")
GENERIC_TAIL = re.compile(r"(?:小区|社区|新村|花园|家园|公寓|广场|大厦|街道|项目|国际|中心|公司|集团|市场|学校|医院|"
                          r"[一二三四五六七八九十\d]+期)+")
# A chunk that is only a common noun (道路, 花园) or holds a problem word (违建搅拌站) is no part of a name.
COMMON_NOUN = re.compile(
    r"道路|马路|公路|线路|路线|路口|出路|思路|门路|网路|城市|县城|进城|全城|城区|乡村|农村|城乡|家园|田园|校园|园区|"
    r"花园|公园|中心|国际|项目|公司|集团|市场|学校|医院|工厂|小区|社区|街道|大街|临街|沿街|上街|老街|新城|学院|大学|"
    r"中学|小学|幼儿园|广场|大厦|公寓|[^\u4e00-\u9fff]*[苑园城村镇乡路街巷湾府郡庭厂]")
PROBLEM_WORD = re.compile(
    r"搅拌|垃圾|噪|施工|油烟|污染|停车|车位|销售|补贴|地铁|公交|工地|违|扰民|排放|安装|收费|拆迁|城管|村民|村里|"
    r"开发|物业|厂家|厂房|进城|出城|旧城|老城|改造")
FILLER = re.compile(
    r"投诉|反映|反应|举报|咨询|关于|请求|建议|希望|要求|强烈|恳请|呼吁|请问|尊敬的|领导|书记|市长|您好|你好|"
    r"政府|有关部门|相关部门|相关|有关|存在|什么时候|附近|旁边|周边|问题|情况|扰民|严重|太大|很大|影响|非常|无法|不能|的|了|吗|呢|啊|我们|我|请|能否|是否|为何|为什么|何时|什么|怎么|一下|"
    r"[A-Za-z0-9]+|[^\u4e00-\u9fff]")
GENERIC_WORDS = frozenset(("投诉", "反映", "举报", "咨询", "关于", "问题", "请求", "建议", "希望", "要求", "严重",
                           "相关", "有关", "部门", "政府", "解决", "处理", "情况", "现象", "一个", "我们", "业主",
                           "居民", "小区", "社区", "附近", "旁边", "周边", "是否", "为何", "何时", "什么", "怎么",
                           "能否", "影响", "请问", "领导", "市民", "没有", "不能", "可以", "已经", "还是", "如何",
                           "为什么", "强烈", "长期", "A市", "一下", "这个", "那个", "目前", "现在", "存在", "才能",
                           "如期", "迟迟", "一直", "到底", "究竟", "能不能", "时候", "导致", "何时能", "多久", "不到",
                           "还有", "怎么办", "合法", "合理", "不合理", "情况下", "期待", "尽快", "再次", "多次"))


def regions(text: str) -> list[str]:
    """The administrative names in the text (A市, A2区, 西地省…), in order."""
    return REGION.findall(text)


def places(text: str) -> list[str]:
    """Place names in a text: runs of name chunks that each end like a place (小区, 新城, 苑, 路, 学院…),
    between the administrative names, punctuation and the words that surround places in complaints. A chunk
    that is a common noun or holds a problem word (道路, 违建搅拌站) ends the name, unless it is a generic
    place word after a name (丽发新城 + 小区)."""
    found: list[str] = []
    for piece in BOUNDARY.split(REGION.sub(" ", text)):
        at, name = 0, ""
        while match := PLACE_CHUNK.match(piece, at):
            chunk = match.group(0)
            if PROBLEM_WORD.search(chunk) or (COMMON_NOUN.fullmatch(chunk) and not (
                    name and GENERIC_TAIL.fullmatch(chunk))):
                break
            name += chunk
            at = match.end()
        if len(name) >= 3 and not GENERIC_TAIL.fullmatch(name):
            found.append(name)
    return found


def problem_text(text: str, named: Iterable[str]) -> str:
    """The text without its places, administrative names and the filler words of complaints."""
    for name in sorted(named, key=len, reverse=True):
        text = text.replace(name, " ")
    return FILLER.sub(" ", REGION.sub(" ", text))


@dataclass
class _Parsed:
    places: list[str]
    region: str
    subject_problem: str
    text_problem: str
    said: str  # the subject and the start of the text as written


def _parse(message: Message) -> _Parsed:
    head = message.text[:TEXT_HEAD_CHARS]
    named = places(message.subject) or places(head)
    region = next((name for name in regions(message.subject) + regions(head) if not name.endswith("省")), "")
    return _Parsed(named, region, problem_text(message.subject, named), problem_text(head, named),
                   f"{message.subject} {head}")


# --- similarity and clustering ------------------------------------------------------------------------------


def _bigram_list(text: str) -> list[str]:
    return [text[i:i + 2] for i in range(len(text) - 1) if not (text[i].isspace() or text[i + 1].isspace())]


def _vectors(texts: Sequence[str], *, ngrams: tuple[int, int]) -> Any:
    """Rows of unit length (or zero for an empty text): sublinear TF-IDF over character n-grams. The n-grams are
    hashed into 2^20 columns (no vocabulary to build and sort, which cost more than the rest)."""
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer

    counts = HashingVectorizer(analyzer="char_wb", ngram_range=ngrams, n_features=2 ** 20, alternate_sign=False,
                               norm=None, dtype=np.float32).transform(texts)
    return TfidfTransformer(sublinear_tf=True).fit_transform(counts).astype(np.float32)


class Similarity:
    """Pairwise similarity of parsed messages (problem cosine, gated by place) computed on demand by blocks."""

    def __init__(self, parsed: Sequence[_Parsed]) -> None:
        from scipy.sparse import csr_matrix, hstack
        from sklearn.feature_extraction.text import HashingVectorizer

        subjects = _vectors([p.subject_problem for p in parsed], ngrams=NGRAMS)
        heads = _vectors([p.text_problem for p in parsed], ngrams=NGRAMS)
        self.problems = hstack([subjects * math.sqrt(SUBJECT_WEIGHT),
                                heads * math.sqrt(1 - SUBJECT_WEIGHT)]).tocsr()
        self.places = _vectors([" ".join(p.places) for p in parsed], ngrams=(2, 2)).tocsr()
        self.placed = np.array([bool(p.places) for p in parsed])
        # Whether a message's place is written in another's subject or text start: the share of the place's
        # bigrams found there.
        bigrams = HashingVectorizer(analyzer=_bigram_list, n_features=2 ** 20, alternate_sign=False, norm=None,
                                    binary=True, dtype=np.float32)
        place_bigrams = bigrams.transform([" ".join(p.places) for p in parsed]).tocsr()
        sizes = np.maximum(np.asarray(place_bigrams.sum(axis=1)).ravel(), 1.0)
        self.place_bigrams = csr_matrix(place_bigrams.multiply(1.0 / sizes[:, None]))
        self.said_bigrams = bigrams.transform([p.said for p in parsed]).tocsr()

    def block(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """The similarities of messages `rows` × `cols` as a dense array."""
        similarity = (self.problems[rows] @ self.problems[cols].T).toarray()
        place = (self.places[rows] @ self.places[cols].T).toarray()
        mismatch = place < PLACE_MATCH
        mismatch &= self.placed[rows][:, None]
        mismatch &= self.placed[cols][None, :]
        similarity[mismatch] = 0.0
        row_placed, col_placed = self.placed[rows][:, None], self.placed[cols][None, :]
        similarity[~row_placed & ~col_placed] *= UNPLACED_FACTOR
        one = row_placed ^ col_placed
        if one.any():  # one names a place: does the other write it?
            mentioned = np.where(row_placed, (self.place_bigrams[rows] @ self.said_bigrams[cols].T).toarray(),
                                 (self.said_bigrams[rows] @ self.place_bigrams[cols].T).toarray()) >= MENTIONED
            similarity[one & mentioned] *= UNPLACED_FACTOR
            similarity[one & ~mentioned] *= UNMENTIONED_FACTOR
        np.clip(similarity, 0.0, 1.0, out=similarity)
        return similarity


def _average_linkage(similarity: Similarity, members: np.ndarray) -> list[np.ndarray]:
    from sklearn.cluster import AgglomerativeClustering

    if len(members) == 1:
        return [members]
    distance = similarity.block(members, members)
    np.subtract(1.0, distance, out=distance)
    np.fill_diagonal(distance, 0.0)
    labels = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                     distance_threshold=1.0 - MIN_SIMILARITY + 1e-9).fit_predict(distance)
    return [members[labels == label] for label in np.unique(labels)]


def _components(similarity: Similarity, members: np.ndarray, edge: float) -> list[np.ndarray]:
    """The connected components of `members` linked by pairs at least `edge` similar (computed by blocks)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    step = max(1, 20_000_000 // len(members))  # rows per block: at most 20 million pairs (80 MB) at once
    for start in range(0, len(members), step):
        block = similarity.block(members[start:start + step], members)
        r, c = np.nonzero(block >= edge)
        rows.append(r + start)
        cols.append(c)
    r_all, c_all = np.concatenate(rows), np.concatenate(cols)
    graph = coo_matrix((np.ones(len(r_all)), (r_all, c_all)), shape=(len(members), len(members)))
    count, labels = connected_components(graph, directed=False)
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(count + 1))
    return [members[order[bounds[i]:bounds[i + 1]]] for i in range(count)]


def cluster(similarity: Similarity, members: np.ndarray, edge: float = MIN_SIMILARITY) -> list[np.ndarray]:
    """Groups of `members` by average linkage (see the module docstring)."""
    if len(members) <= DENSE_LIMIT and edge <= MIN_SIMILARITY:
        return _average_linkage(similarity, members)
    groups: list[np.ndarray] = []
    for component in _components(similarity, members, edge):
        if len(component) <= DENSE_LIMIT:
            groups.extend(_average_linkage(similarity, component))
        else:  # too many to hold all their pairs: split at a stricter edge (an approximation, said in the docs)
            groups.extend(cluster(similarity, component, edge + 0.05))
    return groups


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1) if " " not in text[i:i + 2]}


def _key_place(parsed: Sequence[_Parsed]) -> str:
    """The place most of a group's messages name ("" when fewer than half name one), without generic tails."""
    named = [p.places for p in parsed if p.places]
    if len(named) * 2 < len(parsed):
        return ""
    counts = Counter(name for names in named for name in set(names))
    cover = {name: sum(any(name in other for other in names) for names in named) for name in counts}
    best = max(counts, key=lambda name: (cover[name], counts[name], -len(name)))
    return GENERIC_TAIL.sub("", best) or best


def merge_split_issues(groups: list[np.ndarray], parsed: Sequence[_Parsed], *, top_terms: int = 5) -> list[np.ndarray]:
    """Join groups that are one issue cut in two: the same key place (or one inside the other: 经济学院 /
    涉外经济学院) and a shared key problem term (the
    character bigrams most typical of each group's problem subjects). Average linkage cuts a large issue whose
    messages say its problem in different words (搅拌站 / 搅拌厂); a place and a problem term both shared say they
    are one. Groups without a key place are never joined."""
    document_frequency: Counter[str] = Counter()
    for p in parsed:
        document_frequency.update(_bigrams(p.subject_problem))
    size = len(parsed)
    keys: list[tuple[str, set[str]]] = []
    for group in groups:
        members = [parsed[i] for i in group]
        inside: Counter[str] = Counter()
        for p in members:
            inside.update(_bigrams(p.subject_problem))
        scored = sorted(inside, key=lambda g: -inside[g] / len(members) * math.log(size / document_frequency[g]))
        keys.append((_key_place(members), set(scored[:top_terms])))
    parent = list(range(len(groups)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    by_place: dict[str, list[int]] = {}
    for k, (place, _terms) in enumerate(keys):
        if place:
            by_place.setdefault(place, []).append(k)
    for place, ks in by_place.items():
        parts = {place[i:j] for i in range(len(place)) for j in range(i + 1, len(place) + 1)}
        partners = [b for name in parts if name in by_place for b in by_place[name]]  # same place or one inside
        for a in ks:
            for b in partners:
                if a != b and keys[a][1] & keys[b][1]:
                    parent[root(b)] = root(a)
    joined: dict[int, list[np.ndarray]] = {}
    for k, group in enumerate(groups):
        joined.setdefault(root(k), []).append(group)
    return [np.concatenate(parts) for parts in joined.values()]


# --- heat and names -----------------------------------------------------------------------------------------


def heat(messages: Sequence[Message], end: dt.datetime, weights: HeatWeights = HeatWeights()) -> float:
    """The heat of the messages of one issue at `end` (see the module docstring)."""
    weighted = 0.0
    last_by_user: dict[str, dt.datetime] = {}
    for message in sorted(messages, key=lambda m: m.time):
        last = last_by_user.get(message.user)
        if last is None:
            weighted += 1.0
        elif (message.time - last).total_seconds() < weights.repeat_window_days * 86400:
            weighted += weights.repeat_weight
        else:
            weighted += weights.late_repeat_weight
        last_by_user[message.user] = message.time
    complainants = len({m.user for m in messages})
    net = sum(m.supports for m in messages) - sum(m.opposes for m in messages)
    first, last_time = min(m.time for m in messages), max(m.time for m in messages)
    span = (last_time - first).total_seconds() / 86400
    age = max((end - last_time).total_seconds() / 86400, 0.0)
    return ((weighted + complainants + math.log2(1 + max(net, 0)))
            * (1 + weights.span_bonus * min(span, 365.0) / 365.0)
            * 0.5 ** (age / weights.recency_half_life_days))


def _tagged(text: str) -> list[tuple[str, str]]:
    """jieba's words of a text with their parts of speech."""
    import jieba
    import jieba.posseg

    if not getattr(_tagged, "ready", False):
        jieba.setLogLevel(logging.WARNING)
        _tagged.ready = True  # type: ignore[attr-defined]
    return [(pair.word, pair.flag) for pair in jieba.posseg.cut(text)]


def _edge(word: str, flag: str) -> bool:
    """May a problem phrase begin or end with this word? A noun or verb that is neither a person's name (nr)
    nor a generic word of complaints."""
    return (flag[:1] in ("n", "v") and not flag.startswith("nr") and word not in GENERIC_WORDS
            and re.fullmatch(r"[\u4e00-\u9fff]+", word) is not None)


def _phrases(text: str, longest: int = 4) -> set[str]:
    """Runs of one to `longest` jieba words of each part of a problem text, beginning and ending with a noun or
    verb (搅拌站, 搅拌站噪音, 捆绑销售车位)."""
    found: set[str] = set()
    for part in text.split():
        tagged = _tagged(part)
        for i, (first, first_flag) in enumerate(tagged):
            if not _edge(first, first_flag):
                continue
            for j in range(i, min(i + longest, len(tagged))):
                word, flag = tagged[j]
                if _edge(word, flag):
                    phrase = "".join(w for w, _f in tagged[i:j + 1])
                    if len(phrase) >= 2:
                        found.add(phrase)
    return found


def _place_name(parsed: Sequence[_Parsed]) -> str:
    """The place most of the issue's messages name (the shortest that covers as many) with its district, or
    only the administrative name (A市) when fewer than half of the messages name a place."""
    regions_named = Counter(p.region for p in parsed if p.region)
    districts = Counter(p.region for p in parsed if p.region.endswith(("区", "县")))
    region = (districts or regions_named).most_common(1)[0][0] if regions_named else ""
    named = [p.places for p in parsed if p.places]
    if len(named) * 2 < len(parsed):  # no one place: the administrative name most of them give (A市)
        return regions_named.most_common(1)[0][0] if regions_named else ""
    counts = Counter(name for names in named for name in set(names))
    cover = {name: sum(any(name in other for other in names) for names in named) for name in counts}
    best = max(counts, key=lambda name: (cover[name], counts[name], -len(name)))
    if cover[best] * 2 < len(named):
        return regions_named.most_common(1)[0][0] if regions_named else ""
    return f"{region}{best}"


def _problem_name(problems: Sequence[str]) -> str:
    """The problem phrase most of the issue's subjects share (jieba words, longer phrases preferred), and a second
    one that most share too and says something else, in the order the subjects give them."""
    counts: Counter[str] = Counter()
    for text in problems:
        counts.update(_phrases(text))
    if not counts:
        return ""
    need = max(2, math.ceil(0.3 * len(problems))) if len(problems) >= 3 else 1

    def score(phrase: str) -> float:
        return counts[phrase] * min(len(phrase), 8) ** 0.8

    shared = sorted((p for p in counts if counts[p] >= need), key=lambda p: (-score(p), p))
    if not shared:
        shared = sorted(counts, key=lambda p: (-score(p), p))[:1]
    chosen = [shared[0]]
    for phrase in shared[1:]:
        if len(chosen) == 3:
            break
        if score(phrase) >= 0.3 * score(chosen[0]) and not any(phrase in other or other in phrase for other in chosen):
            chosen.append(phrase)
    typical = max(problems, key=lambda text: (sum(phrase in text for phrase in chosen), -len(text)))
    # The chosen phrases where the most typical subject has them; overlapping or adjacent ones joined (人才购房 +
    # 购房补贴 = 人才购房补贴), the others in the subject's order.
    spans = sorted((typical.find(p), typical.find(p) + len(p)) for p in chosen if p in typical)
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    named = [typical[start:end] for start, end in merged]
    named += [p for p in chosen if p not in typical]
    return "".join(named)


def find_hot_issues(messages: Sequence[Message], *, top: int | None = 10, end: dt.datetime | None = None,
                    min_messages: int = MIN_MESSAGES, min_complainants: int = MIN_COMPLAINANTS,
                    weights: HeatWeights = HeatWeights()) -> list[HotIssue]:
    """The hot issues among `messages`, hottest first, at most `top` (all when None). `end` is the moment heat
    is measured at (default: the latest message). Groups of fewer than `min_messages` messages or
    `min_complainants` complainants are no issue (one person writing again and again is a repeated complaint,
    not a hot issue)."""
    if not messages:
        return []
    parsed = [_parse(message) for message in messages]
    similarity = Similarity(parsed)
    groups = cluster(similarity, np.arange(len(messages)))
    groups = [g for g in merge_split_issues(groups, parsed)
              if len(g) >= min_messages and len({messages[i].user for i in g}) >= min_complainants]
    end = end or max(m.time for m in messages)
    heats = [heat([messages[i] for i in group], end, weights) for group in groups]
    order = sorted(range(len(groups)), key=lambda k: (-heats[k], min(messages[i].time for i in groups[k])))
    if top is not None:
        order = order[:top]
    issues: list[HotIssue] = []
    for rank, k in enumerate(order, start=1):
        group = sorted(groups[k].tolist(), key=lambda i: (messages[i].time, messages[i].id))
        members = [messages[i] for i in group]
        place = _place_name([parsed[i] for i in group])
        problem = _problem_name([parsed[i].subject_problem for i in group])
        name = " ".join(part for part in (place, problem) if part) or members[0].subject
        issues.append(HotIssue(
            rank=rank, name=name, heat=heats[k], place=place, problem=problem,
            first_at=members[0].time, last_at=max(m.time for m in members), member_ids=[m.id for m in members],
            messages=len(members), complainants=len({m.user for m in members}),
            supports=sum(m.supports for m in members), opposes=sum(m.opposes for m in members),
            subjects=[m.subject for m in members]))
    return issues


# --- inputs: a message file (附件3 layout) and the bureau's own complaints -------------------------------------

COLUMNS = {"id": "留言编号", "user": "留言用户", "subject": "留言主题", "time": "留言时间", "text": "留言详情",
           "supports": "点赞数", "opposes": "反对数"}
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d")


class MessageFileError(ValueError):
    """A message file that cannot be read; the text names the file and, when it is one cell, its row and column."""


def _parse_time(value: str) -> dt.datetime | None:
    value = value.strip()
    for pattern in TIME_FORMATS:
        try:
            return dt.datetime.strptime(value, pattern)
        except ValueError:
            continue
    return None


def read_messages(path: Path) -> list[Message]:
    """The messages of a CSV file in the layout of 附件3 (留言编号, 留言用户, 留言主题, 留言时间, 留言详情, 点赞数,
    反对数), UTF-8 (a BOM tolerated) or GBK/GB18030. Raises `MessageFileError` naming the row (the file's line
    count from the header, which is row 1) and the column of the first bad cell."""
    from django.utils.translation import gettext as _

    from ecohotline.core.textfiles import guess_encoding

    if not path.is_file():
        raise MessageFileError(_("%(file)s: no such file.") % {"file": path})
    encoding = guess_encoding(lambda: path.open("rb"))
    if encoding is None:
        raise MessageFileError(_("%(file)s: cannot be decoded as UTF-8 or GBK/GB18030.") % {"file": path})
    messages: list[Message] = []
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.DictReader(handle)
        header = [name.strip() for name in reader.fieldnames or []]
        missing = [column for column in COLUMNS.values() if column not in header]
        if missing:
            raise MessageFileError(_("%(file)s: missing column(s) %(columns)s.")
                                   % {"file": path, "columns": "、".join(missing)})
        reader.fieldnames = header
        for row in reader:
            line = reader.line_num

            def bad(column: str, reason: str, row_number: int = line) -> MessageFileError:
                return MessageFileError(_("%(file)s, row %(row)d, column %(column)s: %(reason)s")
                                        % {"file": path, "row": row_number, "column": column, "reason": reason})

            cells = {key: (row.get(column) or "").strip() for key, column in COLUMNS.items()}
            if None in row:
                raise bad(COLUMNS["opposes"], _("more cells than columns"))
            if not cells["id"]:
                raise bad(COLUMNS["id"], _("empty"))
            when = _parse_time(cells["time"])
            if when is None:
                raise bad(COLUMNS["time"], _("not a date and time (YYYY-MM-DD HH:MM:SS): %(value)s")
                          % {"value": cells["time"][:40]})
            numbers: dict[str, int] = {}
            for key in ("supports", "opposes"):
                value = cells[key] or "0"
                if not value.isdigit():
                    raise bad(COLUMNS[key], _("not a whole number: %(value)s") % {"value": value[:40]})
                numbers[key] = int(value)
            messages.append(Message(id=cells["id"], user=cells["user"] or cells["id"], subject=cells["subject"],
                                    time=when, text=cells["text"], supports=numbers["supports"],
                                    opposes=numbers["opposes"]))
    return messages


@dataclass
class CaseIssues:
    """The hot issues of the bureau's complaints of a period; `case_ids` maps each member reference to its case."""

    start: dt.date
    end: dt.date
    cases: int
    issues: list[HotIssue]
    case_ids: dict[str, int]
    received: int = 0  # complaints of the period; more than `cases` when only the latest MAX_CASES were read

    def as_json(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "cases": self.cases,
                "received": self.received, "issues": [issue.as_json() for issue in self.issues]}


# The most complaints one run groups: the latest of the period (a district receives about 2,000 a year; grouping
# takes seconds for thousands of texts and grows faster than their number).
MAX_CASES = 10_000


def _complaints(start: dt.date, end: dt.date) -> Any:
    """The complaint cases received from `start` to `end` (Beijing days, both included)."""
    from ecohotline.cases.models import Case, CaseKind
    from ecohotline.core.workdays import day_bounds

    since, until = day_bounds(start, end)
    return Case.objects.filter(kind=CaseKind.COMPLAINT, received_at__gte=since, received_at__lt=until)


def case_messages(start: dt.date, end: dt.date) -> tuple[list[Message], dict[str, int]]:
    """The complaint cases received from `start` to `end` (Beijing days, both included) as messages: title and
    description masked (`mask_complainant`), the complainant's phone as the user (never shown: only compared),
    the case reference as the id. At most the latest `MAX_CASES` of them, oldest first."""
    from ecohotline.cases.access import mask_complainant
    from ecohotline.core.workdays import BEIJING

    cases = (_complaints(start, end)
             .only("pk", "external_id", "title", "description", "complainant_name", "complainant_phone",
                   "received_at").order_by("-received_at", "-pk")[:MAX_CASES])
    messages: list[Message] = []
    ids: dict[str, int] = {}
    for case in reversed(list(cases)):
        text = mask_complainant(case, case.description)
        subject = mask_complainant(case, case.title) or text[:40]
        reference = case.reference
        ids[reference] = case.pk
        messages.append(Message(id=reference, user=case.complainant_phone.strip() or f"case:{case.pk}",
                                subject=subject, time=case.received_at.astimezone(BEIJING), text=text))
    return messages, ids


def hot_issues_of_cases(start: dt.date, end: dt.date, *, top: int | None = 10) -> CaseIssues:
    """The hot issues of the bureau's complaints received from `start` to `end`, heat measured at the period's end."""
    from ecohotline.core.workdays import day_bounds

    messages, ids = case_messages(start, end)
    received = len(messages) if len(messages) < MAX_CASES else _complaints(start, end).count()
    issues = find_hot_issues(messages, top=top, end=day_bounds(start, end)[1])
    return CaseIssues(start=start, end=end, cases=len(messages), issues=issues, case_ids=ids, received=received)
