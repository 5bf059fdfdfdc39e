"""The handling desk's inbox: for each role, the cases waiting for that person, and how many there are.

Each section is a condition on `Case` (so that every count of a user's inbox comes out of one query) and a
function returning its cases, most pressing first. Sections are read within `access.visible_cases`.

The dispatcher's suggestion sections read the intake's suggestions through the reverse relations
`Case.triage` and `Case.duplicate_suggestions` by name: `cases` may not import `intake`.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ecohotline.cases import access
from ecohotline.cases.deadlines import DUE_SOON_CAP, DeadlineLevel, deadline_state, overdue_q
from ecohotline.cases.models import Case, CaseStatus, JointHandling, ReturnVisit, Satisfaction
from ecohotline.core import clock
from ecohotline.org.models import OrgUnit, Role, User

# intake.models.Suggestion.PENDING (cases may not import intake)
SUGGESTION_PENDING = "pending"

# Statuses in which the handling unit holds the case (a merged duplicate waits for its reply through its parent).
WITH_UNIT = (CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS, CaseStatus.MERGED)
WAITING_FOR_DISPATCH = (CaseStatus.NEW, CaseStatus.RETURNED)
# Statuses of a case someone still works on.
STILL_OPEN = (*WAITING_FOR_DISPATCH, *WITH_UNIT)
# A condition no case meets (for a person without a unit).
NOTHING = Q(pk__isnull=True)


@dataclass(frozen=True)
class Section:
    """One part of a role's inbox."""

    code: str
    role: str
    title: str | Promise
    condition: Callable[[User, dt.datetime], Q]
    # A test in Python the cases meeting `condition` must also pass, where SQL cannot say it (due soon
    # depends on each case's policy); `condition` then narrows the candidates to a small window.
    keep: Callable[[Case, dt.datetime], bool] | None = None
    # A wider condition every case of the section meets (the leader's area and cases): the count query
    # selects candidates by the sections' scopes, which an index can serve, then counts by `condition`.
    scope: Callable[[User], Q] | None = None


def _unit_q(user: User) -> Q:
    """The cases held by the user's unit (and the units under it)."""
    if not user.unit_id or user.unit is None:
        return NOTHING
    return Q(handling_unit__path__startswith=user.unit.path, status__in=WITH_UNIT)


def _leader_q(user: User) -> Q:
    """包案 cases (the user is the leader in charge) and the cases of the streets of their 包片 areas."""
    area_streets: list[int] | None = getattr(user, "_area_streets", None)
    if area_streets is None:  # read once per request: a list the count query repeats in every section
        area_streets = list(OrgUnit.objects.filter(leader_areas__leader=user).values_list("pk", flat=True))
        user._area_streets = area_streets  # type: ignore[attr-defined]
    return (Q(leader=user) | Q(street_id__in=area_streets)) & Q(status__in=STILL_OPEN)


def _due_soon_q(now: dt.datetime) -> Q:
    """The candidates for due soon: a deadline in the next 24 hours (the longest threshold there is)."""
    return Q(next_due_at__gte=now, next_due_at__lte=now + DUE_SOON_CAP)


def _is_due_soon(case: Case, now: dt.datetime) -> bool:
    """Due soon as the case page says it: within the threshold of its policy (`deadlines.due_soon_threshold`)."""
    state = deadline_state(case, now)
    return state is not None and state.level == DeadlineLevel.DUE_SOON


def _joint_requests_q(user: User) -> Q:
    """Joint handling (吹哨报到) calls to the user's street or town not answered by it yet."""
    if not user.unit_id:
        return NOTHING
    unanswered = JointHandling.objects.filter(units=user.unit_id).exclude(replies__unit=user.unit_id)
    return Q(pk__in=unanswered.values("case_id"), status__in=WITH_UNIT)


def _unsatisfied_q() -> Q:
    # EXISTS per candidate (an index seek on the dissatisfied visits), not an IN list of every such visit.
    visits = ReturnVisit.objects.filter(case=OuterRef("pk"), valid=True, satisfaction=Satisfaction.DISSATISFIED)
    return Q(Exists(visits))


SECTIONS: tuple[Section, ...] = (
    Section("new_and_returned", Role.DISPATCHER, _("New and returned orders"),
            lambda user, now: Q(status__in=WAITING_FOR_DISPATCH)),
    Section("triage_suggestions", Role.DISPATCHER, _("Routing suggestions to accept"),
            lambda user, now: Q(status=CaseStatus.NEW, triage__status=SUGGESTION_PENDING,
                                triage__unit__isnull=False)),
    Section("duplicate_suggestions", Role.DISPATCHER, _("Possible duplicates to confirm"),
            lambda user, now: Q(status__in=WAITING_FOR_DISPATCH, pk__in=Case.objects.filter(
                duplicate_suggestions__status=SUGGESTION_PENDING,
                duplicate_suggestions__candidate__status__in=(*WAITING_FOR_DISPATCH, CaseStatus.DISPATCHED,
                                                              CaseStatus.IN_PROGRESS),
            ).values("pk"))),
    Section("my_cases", Role.HANDLER, _("My cases"),
            lambda user, now: Q(handler=user, status__in=WITH_UNIT)),
    # Dispatched to the unit without a named handler: any handler of the unit may accept it (签收).
    Section("unit_to_accept", Role.HANDLER, _("Dispatched to my unit, to accept"),
            lambda user, now: _unit_q(user) & Q(status=CaseStatus.DISPATCHED, handler__isnull=True)),
    Section("unit_cases", Role.UNIT_HEAD, _("My unit's cases"), lambda user, now: _unit_q(user)),
    Section("unit_unassigned", Role.UNIT_HEAD, _("Without a handler"),
            lambda user, now: _unit_q(user) & Q(handler__isnull=True)),
    Section("unit_due_soon", Role.UNIT_HEAD, _("Due soon"),
            lambda user, now: _unit_q(user) & _due_soon_q(now), keep=_is_due_soon),
    Section("unit_overdue", Role.UNIT_HEAD, _("Overdue"), lambda user, now: _unit_q(user) & overdue_q(now)),
    Section("leader_cases", Role.LEADER, _("My area and my cases"), lambda user, now: _leader_q(user),
            scope=_leader_q),
    Section("leader_overdue", Role.LEADER, _("Overdue in my area and my cases"),
            lambda user, now: _leader_q(user) & overdue_q(now), scope=_leader_q),
    Section("leader_unsatisfied", Role.LEADER, _("Complainant dissatisfied"),
            lambda user, now: _leader_q(user) & _unsatisfied_q(), scope=_leader_q),
    Section("joint_requests", Role.STREET_LIAISON, _("Joint handling requests for my street"),
            lambda user, now: _joint_requests_q(user)),
)
SECTIONS_BY_CODE = {section.code: section for section in SECTIONS}


def sections_for(user: User) -> list[Section]:
    """The inbox sections of every role the user holds, in the order of `SECTIONS`."""
    if not user.is_authenticated:
        return []
    roles = user.role_codes
    return [section for section in SECTIONS if section.role in roles]


def section_cases(user: User, code: str, now: dt.datetime | None = None) -> QuerySet[Case]:
    """The cases of one section, nearest deadline first (then the oldest). For a section with a `keep`
    test, its candidates: use `section_rows`."""
    section = SECTIONS_BY_CODE[code]
    if section.role not in user.role_codes:
        return Case.objects.none()
    condition = section.condition(user, now or clock.now())
    return access.visible_cases(user).filter(condition).order_by(
        F("next_due_at").asc(nulls_last=True), "received_at", "pk"
    )


def section_rows(cases: QuerySet[Case], code: str, now: dt.datetime, limit: int | None = None) -> list[Case]:
    """The first `limit` cases of a section's queryset (from `section_cases`, perhaps with related rows
    added), its `keep` test applied."""
    keep = SECTIONS_BY_CODE[code].keep
    if keep is None:
        return list(cases if limit is None else cases[:limit])
    return [case for case in cases.select_related("policy") if keep(case, now)][:limit]


def new_and_returned(user: User) -> QuerySet[Case]:
    """Dispatcher: orders waiting to be dispatched, new ones and those a unit sent back (退单)."""
    return section_cases(user, "new_and_returned")


def triage_suggestions(user: User) -> QuerySet[Case]:
    """Dispatcher: new cases whose routing suggestion (unit, leader) waits to be accepted in one click."""
    return section_cases(user, "triage_suggestions").select_related("triage__unit", "triage__leader")


def duplicate_suggestions(user: User) -> QuerySet[Case]:
    """Dispatcher: cases waiting for dispatch that may duplicate an earlier open case (重复件)."""
    return section_cases(user, "duplicate_suggestions")


def my_cases(user: User) -> QuerySet[Case]:
    """Handler: the cases given to me, nearest deadline first."""
    return section_cases(user, "my_cases")


def unit_cases(user: User) -> QuerySet[Case]:
    """Unit head: every case the unit holds."""
    return section_cases(user, "unit_cases")


def unit_unassigned(user: User) -> QuerySet[Case]:
    """Unit head: the unit's cases without a handler."""
    return section_cases(user, "unit_unassigned")


def unit_due_soon(user: User, now: dt.datetime | None = None) -> list[Case]:
    """Unit head: the unit's cases whose next deadline is due soon (a list: the threshold of each case
    depends on its policy, so the last step is in Python, over the cases due in the next 24 hours)."""
    moment = now or clock.now()
    return section_rows(section_cases(user, "unit_due_soon", moment), "unit_due_soon", moment)


def unit_overdue(user: User) -> QuerySet[Case]:
    """Unit head: the unit's cases past a deadline."""
    return section_cases(user, "unit_overdue")


def leader_cases(user: User) -> QuerySet[Case]:
    """Leader: the open cases of my 包片 streets and my 包案 cases."""
    return section_cases(user, "leader_cases")


def leader_overdue(user: User) -> QuerySet[Case]:
    """Leader: those of them past a deadline."""
    return section_cases(user, "leader_overdue")


def leader_unsatisfied(user: User) -> QuerySet[Case]:
    """Leader: those of them reopened after a complainant said they were dissatisfied (不满意)."""
    return section_cases(user, "leader_unsatisfied")


def joint_requests(user: User) -> QuerySet[Case]:
    """Street liaison: cases my street was called in on (吹哨报到) and has not answered yet."""
    return section_cases(user, "joint_requests")


# The sections whose cases wait for the person themselves (the others are overviews: a unit's or an area's
# every case, what is due soon); the navigation shows how many cases are in at least one of them.
ACTION_SECTIONS = frozenset({"new_and_returned", "triage_suggestions", "duplicate_suggestions", "my_cases",
                             "unit_to_accept", "unit_unassigned", "unit_overdue", "leader_overdue",
                             "leader_unsatisfied", "joint_requests"})
# The key of `inbox_counts` holding that number (no section has this code).
TOTAL = "total"


def _counted_in_sql(user: User, now: dt.datetime | None) -> dict[str, int]:
    """The counts of the sections without a `keep` test, and `TOTAL`, in one query; kept on the user object
    so that a page and its navigation share it (`request.user` lives for one request)."""
    cached: dict[str, int] | None = getattr(user, "_inbox_counts", None)
    if cached is not None:
        return cached
    counted = [section for section in sections_for(user) if section.keep is None]
    conditions = {section.code: section.condition(user, now or clock.now()) for section in counted}
    counts: dict[str, int] = {TOTAL: 0}
    if conditions:
        acting = [condition for code, condition in conditions.items() if code in ACTION_SECTIONS]
        aggregates = {code: Count("pk", filter=condition) for code, condition in conditions.items()}
        aggregates[TOTAL] = Count("pk", filter=reduce(operator.or_, acting, NOTHING))
        scopes: list[Q] = []
        for section in counted:
            scope = section.scope(user) if section.scope else conditions[section.code]
            if scope not in scopes:
                scopes.append(scope)
        # Every section asks for an open status; saying so once lets the database start from the few open
        # cases (the status index) instead of reading all of them to test the sections' other conditions.
        open_cases = access.visible_cases(user).filter(status__in=STILL_OPEN)
        candidates = open_cases.filter(reduce(operator.or_, scopes))
        counts = candidates.aggregate(**aggregates)
    user._inbox_counts = counts  # type: ignore[attr-defined]
    return counts


def inbox_total(user: User) -> int:
    """How many cases wait for the user to act (the navigation's number): one query, shared with the page."""
    return _counted_in_sql(user, None)[TOTAL]


def inbox_counts(user: User, now: dt.datetime | None = None) -> dict[str, int]:
    """{section code: number of cases} for every section of the user's roles, plus `TOTAL`: the cases in
    at least one section that asks the user to act. One query, and one more per section with a `keep`
    test (the unit head's due soon)."""
    moment = now or clock.now()
    counts = dict(_counted_in_sql(user, moment))
    for section in sections_for(user):
        if section.keep is not None:
            window = section_cases(user, section.code, moment)
            counts[section.code] = len(section_rows(window, section.code, moment))
    return counts
