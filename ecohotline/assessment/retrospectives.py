"""回访回溯 (retrospectives): every valid return visit that found the complainant 不满意 or 未解决 is looked back
on: why (the cause), what was learnt, what follows. `ledger.sync_ledger` opens them pending; the case's handler,
a head of its unit, a leader or a dispatcher fills them in; the causes are summed per period by the visit's date.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ecohotline.assessment.ledger import can_follow_up, seen_by
from ecohotline.assessment.models import Retrospective, RetrospectiveCause, RetrospectiveStatus
from ecohotline.cases.exceptions import ActionForbidden, RuleViolation
from ecohotline.cases.models import ReturnVisit
from ecohotline.cases.services import record_management_event
from ecohotline.core.workdays import BEIJING
from ecohotline.org.models import User

#: The key under which `cause_counts` gives the retrospectives not filled in yet.
PENDING = "pending"


def suggested_cause(visit: ReturnVisit) -> str:
    """The cause the visit's answers point to, offered as the form's first choice: not contacted, else not
    solved, else (solved but dissatisfied) left for the person to say."""
    if not visit.contacted:
        return RetrospectiveCause.NOT_CONTACTED
    if not visit.solved:
        return RetrospectiveCause.NOT_SOLVED
    return ""


def pending(user: User | None = None) -> QuerySet[Retrospective]:
    """The retrospectives still to be filled in, oldest visit first (only those of cases `user` may see)."""
    found = Retrospective.objects.filter(status=RetrospectiveStatus.PENDING).select_related(
        "case", "case__handling_unit", "case__handler", "case__leader", "visit")
    if user is not None:
        found = seen_by(user, found)
    return found.order_by("visit_at", "pk")


def recently_done(user: User | None = None, *, limit: int = 20) -> list[Retrospective]:
    found = Retrospective.objects.filter(status=RetrospectiveStatus.DONE).select_related(
        "case", "recorded_by")
    if user is not None:
        found = seen_by(user, found)
    return list(found.order_by("-recorded_at", "-pk")[:limit])


@transaction.atomic
def record_retrospective(*, actor: User, retrospective: Retrospective, cause: str, lessons: str,
                         follow_up: str = "") -> Retrospective:
    """Fill in (or correct) a retrospective: the cause, what was learnt, the follow-up. One `retrospective`
    event on the case's timeline each time."""
    if cause not in RetrospectiveCause.values:
        raise RuleViolation("invalid_cause", _("Choose a cause."), field="cause")
    if not lessons.strip():
        raise RuleViolation("lessons_required", _("Say what was learnt."), field="lessons")
    locked = Retrospective.objects.select_for_update(of=("self",)).select_related(
        "case", "case__handling_unit").get(pk=retrospective.pk)
    if not can_follow_up(actor, locked.case):
        raise ActionForbidden(_("Your role does not allow you to look back on this case."))
    locked.cause = cause
    locked.lessons = lessons.strip()
    locked.follow_up = follow_up.strip()
    locked.status = RetrospectiveStatus.DONE
    locked.recorded_by = actor
    locked.recorded_at = timezone.now()
    locked.save(update_fields=["cause", "lessons", "follow_up", "status", "recorded_by", "recorded_at"])
    record_management_event(case=locked.case, action="retrospective", actor=actor, at=locked.recorded_at,
                            payload={"retrospective": locked.pk, "visit": locked.visit_id, "cause": cause,
                                     "lessons": locked.lessons, "follow_up": locked.follow_up})
    return locked


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=BEIJING)


def cause_counts(start: dt.date, end: dt.date) -> dict[str, int]:
    """How many unsatisfied visits of the period (by the visit's date in Beijing, `start` and `end` included) had
    each cause: every cause code (zero when none), and `PENDING` for those not filled in yet. One query."""
    counts = {code: 0 for code in RetrospectiveCause.values}
    counts[PENDING] = 0
    rows = (Retrospective.objects.filter(visit_at__gte=_day_start(start),
                                         visit_at__lt=_day_start(end + dt.timedelta(days=1)))
            .values_list("status", "cause").annotate(n=Count("pk")).order_by())
    for status, cause, n in rows:
        key = PENDING if status == RetrospectiveStatus.PENDING or not cause else cause
        counts[key] = counts.get(key, 0) + n
    return counts


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the calendar month of `month`."""
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)
