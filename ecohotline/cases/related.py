"""Cases related to a case, for its page: likely duplicates (重复件, suggested either way), the case it is merged
into and the duplicates merged into it (并案), earlier or later orders from the same phone, and orders of the
same sub-category at the same place. Each list holds at most `LIMIT` cases the reader may see, and each is one
query whatever the number of cases."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from ecohotline.cases import access
from ecohotline.cases.models import OPEN_STATUSES, Case
from ecohotline.org.models import User

LIMIT = 10
WINDOW = dt.timedelta(days=90)


@dataclass
class RelatedList:
    """Up to `LIMIT` cases, and whether there are more."""

    cases: list[Case] = field(default_factory=list)
    more: bool = False

    def __bool__(self) -> bool:
        return bool(self.cases)


@dataclass
class RelatedCases:
    duplicates: RelatedList
    children: RelatedList
    same_phone: RelatedList
    same_place: RelatedList

    def __bool__(self) -> bool:
        return any((self.duplicates, self.children, self.same_phone, self.same_place))

    def open_cases(self) -> list[Case]:
        """The related cases still open (candidates to merge into), each once, duplicates first."""
        seen: dict[int, Case] = {}
        for group in (self.duplicates, self.same_place, self.same_phone):
            for case in group.cases:
                if case.status in OPEN_STATUSES:
                    seen.setdefault(case.pk, case)
        return list(seen.values())


def _first(queryset: QuerySet[Case]) -> RelatedList:
    rows = list(queryset.order_by("-received_at", "-pk")[: LIMIT + 1])
    return RelatedList(rows[:LIMIT], len(rows) > LIMIT)


def related_cases(case: Case, user: User, *, with_phone: bool) -> RelatedCases:
    """The cases related to `case` that `user` may see. `with_phone`: include the orders from the same phone
    (only for readers who may see the complainant: the link itself says who complained)."""
    visible = access.visible_cases(user).exclude(pk=case.pk)
    window = (case.received_at - WINDOW, case.received_at + WINDOW)
    # The suggestions live in the intake; both directions are read through the reverse relation, one query.
    # A dispatcher's dismissal (intake's Suggestion.DISMISSED) takes a suggestion off the page.
    live = ("pending", "accepted")
    suggested = Q(pk__in=case.duplicate_suggestions.filter(status__in=live).values("candidate_id")) | Q(
        pk__in=Case.objects.filter(duplicate_suggestions__candidate=case, duplicate_suggestions__status__in=live)
        .values("pk"))
    duplicates = _first(visible.filter(suggested))
    children = _first(visible.filter(parent=case))
    same_phone = RelatedList()
    if with_phone and case.complainant_phone.strip():
        same_phone = _first(visible.filter(complainant_phone=case.complainant_phone, received_at__range=window))
    same_place = RelatedList()
    if case.geo_cell is not None and case.sub_category:
        same_place = _first(visible.filter(sub_category=case.sub_category, geo_cell=case.geo_cell,
                                           received_at__range=window))
    return RelatedCases(duplicates, children, same_phone, same_place)
