"""Reads of cases that are more than one line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ecohotline.cases import access
from ecohotline.cases.models import Case, CaseStatus, Category, DeadlineKind
from ecohotline.cases.workflow import TRANSITIONS
from ecohotline.org.models import User

CATEGORY_CACHE_KEY = "cases:category-labels"

# Timeline entries that are not actions of the transition table.
EVENT_LABELS: dict[str, str | Promise] = {
    "created": _("Registered"),
    "triaged": _("Triaged"),
    "order_updated": _("Order supplemented"),
    "photos_received": _("Photos from the complainant"),
    "merge_received": _("Duplicate merged in"),
    "follow_parent": _("Handling follows the case it is merged into"),
    "deadline_reminder": _("Deadline reminder sent"),
    "deadline_escalation": _("Overdue: escalated"),
    # Management events written by other apps through `services.record_management_event`.
    "ledger_entered": _("Entered the ledger"),
    "ledger_updated": _("Ledger entry updated"),
    "ledger_left": _("Left the ledger"),
    "retrospective": _("Retrospective recorded"),
    "meeting_decision": _("Dispatch meeting decision"),
    "key_unit_linked": _("Linked to a key unit"),
    "training_event": _("Scenario event"),
    **{action: transition.label for action, transition in TRANSITIONS.items()},
}


@receiver([post_save, post_delete], sender=Category)
def _forget_category_labels(**kwargs: object) -> None:
    cache.delete(CATEGORY_CACHE_KEY)


def category_labels() -> dict[str, tuple[str, str]]:
    """{code: (Chinese name, English name)} of every category, cached until a category changes."""
    labels: dict[str, tuple[str, str]] | None = cache.get(CATEGORY_CACHE_KEY)
    if labels is None:
        labels = {code: (zh, en) for code, zh, en in Category.objects.values_list("code", "name_zh", "name_en")}
        cache.set(CATEGORY_CACHE_KEY, labels, None)
    return labels


def category_label(code: str) -> str:
    """The name of a category code in the active language (the code itself if unknown)."""
    if not code:
        return ""
    names = category_labels().get(code)
    if names is None:
        return code
    return names[0] if (get_language() or "zh-hans").startswith("zh") else names[1]


def assignable_categories() -> dict[str, str]:
    """{sub-category code: its category code} of the codes a person may give a case: the active categories
    without active children (a family like `noise` is not a label; a leaf family like `soil` is)."""
    leaves = Category.objects.filter(is_active=True).exclude(children__is_active=True).select_related("parent")
    return {c.code: c.parent.code if c.parent else c.code.split(".")[0] for c in leaves.order_by("code")}


def event_label(action: str) -> str:
    return str(EVENT_LABELS.get(action, action))


def status_label(status: str) -> str:
    return str(dict(CaseStatus.choices).get(status, status)) if status else ""


def deadline_label(kind: str) -> str:
    return str(dict(DeadlineKind.choices).get(kind, kind)) if kind else ""


# --- The case list: one queryset, whitelisted sorts, keyset pages ------------------------------------------

LIST_PAGE_SIZE = 50
CURSOR_SALT = "ecohotline.cases.list-cursor"


def case_list_queryset(user: User) -> QuerySet[Case]:
    """The cases `user` may see, with what a list row shows (street, handling unit, deadline policy) joined in.

    The desk's case list, its exports and the API list all start here, so they always agree."""
    return access.visible_cases(user, Case.objects.select_related("street", "handling_unit", "policy"))


@dataclass(frozen=True)
class SortSegment:
    """A run of the list in one index order: the cases matching `condition`, ordered by `fields` (never null
    within the run, the last one the primary key), all ascending or all descending.

    Sorts are made of runs so that every page is a range scan of an index, whatever the database does with
    nulls: "nearest deadline" lists the cases with a pending deadline first, then the others. A run over a
    status, or over the cases without a deadline, is ordered by the primary key alone (latest registered
    first): the status and next-deadline indexes hold it in that order, so even the run of a million closed
    cases starts at once, where ordering it by the received time would sort the whole run."""

    condition: Q
    fields: tuple[str, ...]
    descending: bool

    def ordering(self) -> list[str]:
        return [f"-{field}" if self.descending else field for field in self.fields]

    def after(self, values: list[Any]) -> Q:
        """The rows of this run that come after the row with `values` (keyset condition)."""
        op = "lt" if self.descending else "gt"
        later = Q()
        for position, field in enumerate(self.fields):
            equal = {name: values[index] for index, name in enumerate(self.fields[:position])}
            later |= Q(**equal, **{f"{field}__{op}": values[position]})
        # The redundant bound on the first field lets the database seek instead of scanning from the start.
        return Q(**{f"{self.fields[0]}__{op}e": values[0]}) & later


@dataclass(frozen=True)
class CaseSort:
    label: str | Promise
    segments: tuple[SortSegment, ...]


# Open cases first, in the order work is done on them; closed ones last.
STATUS_SORT_ORDER = (
    CaseStatus.NEW, CaseStatus.RETURNED, CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS, CaseStatus.MERGED,
    CaseStatus.REPLIED, CaseStatus.CLOSED,
)
_NEWEST = ("received_at", "pk")
CASE_SORTS: dict[str, CaseSort] = {
    "-received": CaseSort(_("Newest first"), (SortSegment(Q(), _NEWEST, True),)),
    "received": CaseSort(_("Oldest first"), (SortSegment(Q(), _NEWEST, False),)),
    "deadline": CaseSort(_("Nearest deadline first"), (
        SortSegment(Q(next_due_at__isnull=False), ("next_due_at", "pk"), False),
        SortSegment(Q(next_due_at__isnull=True), ("pk",), True),
    )),
    "status": CaseSort(_("By status"), tuple(
        SortSegment(Q(status=status), ("pk",), True) for status in STATUS_SORT_ORDER
    )),
}
DEFAULT_SORT = "-received"
_CURSOR_DATETIMES = frozenset({"received_at", "next_due_at"})


def case_sort(value: str | None) -> str:
    """The sort asked for if it is one of `CASE_SORTS`, else the default (newest first)."""
    return value if value in CASE_SORTS else DEFAULT_SORT


@dataclass(frozen=True)
class ListPosition:
    """Where a page starts: after the row with `values` in run `segment`; `offset` rows came before."""

    segment: int
    values: list[Any]
    offset: int


def encode_cursor(sort: str, position: ListPosition) -> str:
    values = [value.isoformat() if isinstance(value, dt.datetime) else value for value in position.values]
    return signing.dumps({"s": sort, "g": position.segment, "v": values, "n": position.offset}, salt=CURSOR_SALT)


def decode_cursor(sort: str, cursor: str | None) -> ListPosition | None:
    """The position a cursor of this sort points at; None (the first page) for a missing, forged, stale or
    malformed one."""
    if not cursor:
        return None
    try:
        data = signing.loads(cursor, salt=CURSOR_SALT)
        if data["s"] != sort:
            return None
        segment = data["g"]
        if not isinstance(segment, int) or segment < 0:
            return None
        fields = CASE_SORTS[sort].segments[segment].fields
        raw = data["v"]
        if len(raw) != len(fields):
            return None
        values = [dt.datetime.fromisoformat(value) if field in _CURSOR_DATETIMES else int(value)
                  for field, value in zip(fields, raw, strict=True)]
        return ListPosition(segment=segment, values=values, offset=max(int(data["n"]), 0))
    except (signing.BadSignature, KeyError, IndexError, TypeError, ValueError):
        return None


@dataclass(frozen=True)
class CasePage:
    cases: list[Case]
    start: int  # 1-based number of the first case on the page (0 on an empty page)
    next_cursor: str | None
    is_first: bool


def case_page(queryset: QuerySet[Case], *, sort: str, cursor: str | None,
              size: int = LIST_PAGE_SIZE) -> CasePage:
    """One page of the list in `sort` order, after `cursor` (keyset pagination: no COUNT, no OFFSET, the same
    cost on page 1 and page 20,000). At most one query per run of the sort."""
    segments = CASE_SORTS[sort].segments
    position = decode_cursor(sort, cursor)
    first_segment = position.segment if position else 0
    rows: list[tuple[int, Case]] = []
    for index in range(first_segment, len(segments)):
        segment = segments[index]
        qs = queryset.filter(segment.condition)
        if position is not None and index == position.segment:
            qs = qs.filter(segment.after(position.values))
        rows += [(index, case) for case in qs.order_by(*segment.ordering())[: size + 1 - len(rows)]]
        if len(rows) > size:
            break
    offset = position.offset if position else 0
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last_segment, last = rows[-1]
        values = [getattr(last, field) for field in segments[last_segment].fields]
        next_cursor = encode_cursor(sort, ListPosition(last_segment, values, offset + size))
    return CasePage(cases=[case for _index, case in rows], start=offset + 1 if rows else 0,
                    next_cursor=next_cursor, is_first=position is None)


def iterate_sorted_cases(queryset: QuerySet[Case], *, sort: str, limit: int,
                         chunk_size: int = 2000) -> Iterator[Case]:
    """Up to `limit` cases of the list in `sort` order, streamed from the database (for exports)."""
    left = limit
    for segment in CASE_SORTS[sort].segments:
        if left <= 0:
            return
        for case in queryset.filter(segment.condition).order_by(*segment.ordering())[:left].iterator(chunk_size):
            left -= 1
            yield case
