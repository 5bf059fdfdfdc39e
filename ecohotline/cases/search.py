"""Full-text search of the case list (案件检索): a case matches when every word of the query is a substring of
its title, description, address, polluter or order number (or is its `EH-<id>` reference).

Chinese has no spaces, so word-based engines would need a segmenter; substring search needs none and is what
people expect of a search box ("油烟" finds "餐馆油烟扰民"). It is indexed with trigrams on both databases:

* PostgreSQL: a `pg_trgm` GIN index on the expression `title || ' ' || description || ' ' || address || ' '
  || polluter || ' ' || external_id` (migration 0009); `ILIKE '%word%'` on the same expression uses it. A
  word never contains a space, so it never matches across two fields.
* SQLite: the FTS5 table `cases_case_search` with the `trigram` tokenizer over the same five columns
  (external content: it holds only the index, the text stays in `cases_case`), kept in step by triggers, so
  rows written by raw INSERTs (`core.bulk`) are indexed too; a word is looked up with `MATCH` as a quoted
  phrase, so FTS5 syntax in the query (`OR`, `NEAR(`, `*`, quotes) is only text.

A trigram index cannot serve a word shorter than 3 characters. Such words (common in Chinese: 油烟, 噪声) are
still searched, unindexed: the list reads cases in its sort order and stops at the page's last match, so a
frequent word is quick, and a rare one costs a scan of the cases the other filters leave (see
bench/case_search.py for figures). Every word is one more condition on the same query, so the list stays one
query per page and keyset pagination is unchanged.
"""

from __future__ import annotations

import re

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, F, Func, Q, QuerySet, TextField, Value
from django.db.models.expressions import RawSQL

from ecohotline.cases.models import Case

SEARCHED_FIELDS = ("title", "description", "address", "polluter", "external_id")
MAX_WORDS = 5
# Shortest word a trigram index can look up.
MIN_INDEXED_LENGTH = 3
SQLITE_SEARCH_TABLE = "cases_case_search"
_REFERENCE = re.compile(r"EH-(\d{1,18})", re.IGNORECASE)


class SearchDocument(Func):
    """The searched fields joined by spaces: exactly the expression of the PostgreSQL trigram index (the planner
    matches it whatever the table alias)."""

    template = "(%(expressions)s)"
    arg_joiner = " || ' ' || "
    output_field = TextField()

    def __init__(self) -> None:
        super().__init__(*(F(name) for name in SEARCHED_FIELDS))


class ILike(Func):
    """`expression ILIKE pattern` (PostgreSQL), the operator `gin_trgm_ops` serves."""

    template = "%(expressions)s"
    arg_joiner = " ILIKE "
    output_field = BooleanField()


def words(text: str) -> list[str]:
    """The words of a query: split at white space, at most `MAX_WORDS` (NUL characters dropped)."""
    return text.replace("\x00", "").split()[:MAX_WORDS]


def matching(queryset: QuerySet[Case], text: str) -> QuerySet[Case]:
    """The cases of `queryset` that contain every word of `text` (case-insensitive for Latin letters)."""
    connection = connections[queryset.db]
    for word in words(text):
        queryset = queryset.filter(_word_condition(word, connection))
    return queryset


def _word_condition(word: str, connection: BaseDatabaseWrapper) -> Q:
    condition: Q
    vendor = connection.vendor
    if vendor == "postgresql":
        pattern = f"%{connection.ops.prep_for_like_query(word)}%"
        condition = Q(ILike(SearchDocument(), Value(pattern)))
    elif vendor == "sqlite" and len(word) >= MIN_INDEXED_LENGTH:
        condition = Q(pk__in=RawSQL(
            f"SELECT rowid FROM {SQLITE_SEARCH_TABLE} WHERE {SQLITE_SEARCH_TABLE} MATCH %s", [fts_phrase(word)]
        ))
    else:
        condition = Q()
        for name in SEARCHED_FIELDS:
            condition |= Q(**{f"{name}__icontains": word})
    reference = _REFERENCE.fullmatch(word)
    if reference:
        condition |= Q(pk=int(reference.group(1)))
    return condition


def fts_phrase(word: str) -> str:
    """`word` as an FTS5 string: a phrase of its trigrams, i.e. the substring itself, whatever it contains."""
    return '"' + word.replace('"', '""') + '"'
