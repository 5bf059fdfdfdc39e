"""Full-text search of the knowledge base in Chinese: jieba segments the text, an inverted index (`IndexedTerm`)
holds each word's count per field, and BM25 ranks the articles, title hits first.

The index is ordinary rows, so the same code runs on SQLite and PostgreSQL. The indexed text is the article's
title, code and citation (title field), its newest version's text (body field) and its tags and category names
(tags field). A query is segmented the same way; an article matches when it holds any of the query's words.
Ranking: first the number of distinct query words found in the title, then the BM25 score summed over the fields
with weights (title 3, tags 2, body 1).
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Avg, QuerySet

from ecohotline.knowledge.models import Article, IndexedTerm

K1 = 1.2
B = 0.75
FIELD_WEIGHTS: dict[int, float] = {
    IndexedTerm.Field.TITLE: 3.0, IndexedTerm.Field.TAGS: 2.0, IndexedTerm.Field.BODY: 1.0,
}
MAX_TERM_LENGTH = 64
MAX_QUERY_TERMS = 32
SNIPPET_MARGIN = 40

# Function words and punctuation that say nothing about what an article is about.
_STOPWORD_TEXT = (
    "的 了 和 与 及 或 在 是 等 对 中 为 由 以 其 之 而 并 将 被 把 于 从 向 也 就 都 这 那 有 个 "
    "我 你 他 她 它 们 吗 呢 吧 啊 应当 可以 或者 以及 本 该 所 不 得"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split(" "))
_WORD = re.compile(r"[\w]", re.UNICODE)
_MARKUP = re.compile(r"\*\*|^#+\s*", re.MULTILINE)  # Markdown marks kept out of snippets


def _cut(text: str) -> list[str]:
    import jieba

    if not getattr(_cut, "ready", False):
        jieba.setLogLevel(logging.WARNING)
        _cut.ready = True  # type: ignore[attr-defined]
    return list(jieba.cut_for_search(text, HMM=False))


def tokenize(text: str) -> list[str]:
    """The words of `text` as the index holds them: jieba's search segmentation (whole words and their
    dictionary sub-words), lower-cased, without punctuation and function words."""
    normal = unicodedata.normalize("NFKC", text).lower()
    words: list[str] = []
    for word in _cut(normal):
        word = word.strip()
        if not word or word in STOPWORDS or not _WORD.search(word) or word == "_":
            continue
        words.append(word[:MAX_TERM_LENGTH])
    return words


def _indexed_texts(article: Article) -> dict[int, str]:
    latest = article.latest_version()
    categories = [f"{c.name_zh} {c.name_en}" for c in article.categories.all()]
    return {
        IndexedTerm.Field.TITLE: f"{article.title} {article.code} {article.citation}",
        IndexedTerm.Field.BODY: latest.body if latest else "",
        IndexedTerm.Field.TAGS: " ".join([*(tag.name for tag in article.tags.all()), *categories]),
    }


def term_counts(texts: dict[int, str]) -> tuple[list[tuple[str, int, int]], dict[int, int]]:
    """(term, field, count) rows and the token count per field of the texts of one article (pure, also used
    by the seeding migration)."""
    rows: list[tuple[str, int, int]] = []
    lengths: dict[int, int] = {}
    for field_code, text in texts.items():
        words = tokenize(text)
        lengths[field_code] = len(words)
        rows.extend((term, field_code, count) for term, count in Counter(words).items())
    return rows, lengths


def index_article(article: Article) -> None:
    """Rebuild the index rows of one article (call inside the writing transaction)."""
    IndexedTerm.objects.filter(article=article).delete()
    rows, lengths = term_counts(_indexed_texts(article))
    IndexedTerm.objects.bulk_create(IndexedTerm(article=article, term=term, field=field_code, count=count)
                                    for term, field_code, count in rows)
    Article.objects.filter(pk=article.pk).update(title_length=lengths[IndexedTerm.Field.TITLE],
                                                 body_length=lengths[IndexedTerm.Field.BODY])


@dataclass
class SearchHit:
    """One article found, with why: the query words it holds (in the title, anywhere) and its BM25 score."""

    article: Article
    score: float
    title_terms: int
    matched: list[str] = field(default_factory=list)
    snippet: str = ""


def _snippet(article: Article, terms: Iterable[str]) -> str:
    latest = max(article.versions.all(), key=lambda version: version.effective_from, default=None)
    text = " ".join(_MARKUP.sub("", latest.body if latest else "").split())
    lowered = text.lower()
    positions = [lowered.find(term) for term in terms if lowered.find(term) >= 0]
    if not positions:
        return text[: 2 * SNIPPET_MARGIN] + ("…" if len(text) > 2 * SNIPPET_MARGIN else "")
    at = min(positions)
    start, end = max(0, at - SNIPPET_MARGIN), min(len(text), at + SNIPPET_MARGIN)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def search(query: str, articles: QuerySet[Article] | None = None, *, limit: int = 50) -> list[SearchHit]:
    """The articles matching `query`, best first (see the module docstring); `articles` narrows the candidates
    (filters by kind, category, tag) while document frequencies stay those of the whole knowledge base."""
    terms = list(dict.fromkeys(tokenize(query)))[:MAX_QUERY_TERMS]
    if not terms:
        return []
    postings = list(IndexedTerm.objects.filter(term__in=terms).values_list("article_id", "term", "field", "count"))
    total = Article.objects.count() or 1
    averages = Article.objects.aggregate(title=Avg("title_length"), body=Avg("body_length"))
    documents: dict[str, set[int]] = defaultdict(set)
    tag_lengths: dict[int, int] = defaultdict(int)
    for article_id, term, field_code, count in postings:
        documents[term].add(article_id)
        if field_code == IndexedTerm.Field.TAGS:
            tag_lengths[article_id] += count
    candidates = {article_id for article_id, *_rest in postings}
    if articles is not None:
        candidates &= set(articles.filter(pk__in=candidates).values_list("pk", flat=True))
    by_id = Article.objects.prefetch_related("versions").in_bulk(candidates)
    average: dict[int, float] = {
        IndexedTerm.Field.TITLE: float(averages["title"] or 1.0) or 1.0,
        IndexedTerm.Field.BODY: float(averages["body"] or 1.0) or 1.0,
        IndexedTerm.Field.TAGS: 4.0,
    }
    scores: dict[int, float] = defaultdict(float)
    in_title: dict[int, set[str]] = defaultdict(set)
    matched: dict[int, set[str]] = defaultdict(set)
    for article_id, term, field_code, count in postings:
        article = by_id.get(article_id)
        if article is None:
            continue
        df = len(documents[term])
        idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
        lengths_of: dict[int, int] = {
            IndexedTerm.Field.TITLE: article.title_length, IndexedTerm.Field.BODY: article.body_length,
            IndexedTerm.Field.TAGS: tag_lengths[article_id],
        }
        length = lengths_of[field_code]
        norm = count * (K1 + 1) / (count + K1 * (1 - B + B * length / average[field_code]))
        scores[article_id] += FIELD_WEIGHTS[field_code] * idf * norm
        matched[article_id].add(term)
        if field_code == IndexedTerm.Field.TITLE:
            in_title[article_id].add(term)
    ranked = sorted(scores, key=lambda pk: (-len(in_title[pk]), -scores[pk], by_id[pk].code))[:limit]
    return [
        SearchHit(article=by_id[pk], score=round(scores[pk], 4), title_terms=len(in_title[pk]),
                  matched=[term for term in terms if term in matched[pk]],
                  snippet=_snippet(by_id[pk], matched[pk]))
        for pk in ranked
    ]
