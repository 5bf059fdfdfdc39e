"""Deadline policies applied to cases: initial due times, what is still pending, and how urgent it is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Q

from ecohotline.cases.models import DEADLINE_STATUSES, Case, DeadlineKind, DeadlinePolicy
from ecohotline.core.workdays import DueTime, LimitUnit, add_limit

# (deadline kind, the case field holding the due time, the field recording that it was met)
DEADLINE_FIELDS: tuple[tuple[str, str, str], ...] = (
    (DeadlineKind.ACCEPT, "accept_due_at", "accepted_at"),
    (DeadlineKind.CONTACT, "contact_due_at", "first_contact_at"),
    (DeadlineKind.REPLY, "reply_due_at", "replied_at"),
    (DeadlineKind.COMPLETION, "due_at", "completed_at"),
)
DUE_FIELDS = tuple(field for _kind, field, _met in DEADLINE_FIELDS)

# A deadline is "due soon" within a quarter of its window, and never more than 24 hours ahead.
DUE_SOON_SHARE = 0.25
DUE_SOON_CAP = dt.timedelta(hours=24)


class DeadlineLevel(StrEnum):
    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


def find_policy(
    channel: str, request_type: str, urgency: str, policies: list[DeadlinePolicy] | None = None
) -> DeadlinePolicy | None:
    """The most specific active policy for the key: exact matches beat blanks (which match anything)."""
    candidates = policies if policies is not None else list(
        DeadlinePolicy.objects.filter(is_active=True, channel=channel)
    )
    best: tuple[int, DeadlinePolicy] | None = None
    for policy in candidates:
        if not policy.is_active or policy.channel != channel:
            continue
        if policy.request_type not in ("", request_type) or policy.urgency not in ("", urgency):
            continue
        score = (2 if policy.urgency else 0) + (1 if policy.request_type else 0)
        if best is None or score > best[0]:
            best = (score, policy)
    return best[1] if best else None


@dataclass(frozen=True)
class DueTimes:
    accept_due_at: dt.datetime | None
    contact_due_at: dt.datetime | None
    reply_due_at: dt.datetime | None
    due_at: dt.datetime | None
    provisional: bool


def _limit(start: dt.datetime, amount: int | None, unit: str, overrides: Mapping[dt.date, bool]) -> DueTime | None:
    return None if amount is None else add_limit(start, amount, unit, overrides)


def compute_due_times(
    policy: DeadlinePolicy | None, start: dt.datetime, overrides: Mapping[dt.date, bool]
) -> DueTimes:
    """Every due time of a case received (or reopened) at `start` under `policy`."""
    if policy is None:
        return DueTimes(None, None, None, None, False)
    accept = _limit(start, policy.accept_limit, policy.accept_unit, overrides)
    contact = _limit(start, policy.contact_limit, policy.contact_unit, overrides)
    completion = _limit(start, policy.completion_limit, policy.completion_unit, overrides)
    reply = _limit(start, policy.reply_limit, policy.reply_unit, overrides) or completion
    parts = [d for d in (accept, contact, reply, completion) if d is not None]
    return DueTimes(
        accept_due_at=accept.at if accept else None,
        contact_due_at=contact.at if contact else None,
        reply_due_at=reply.at if reply else None,
        due_at=completion.at if completion else None,
        provisional=any(d.provisional for d in parts),
    )


def pending_deadlines(case: Case) -> list[tuple[str, dt.datetime]]:
    """The deadlines of an open case (or of a duplicate merged into another, until its reply) not met yet,
    nearest first.

    Two pending deadlines at the same moment (a reply limit that falls back to the completion limit, or an
    urgent order's contact and reply both due in 2 hours) are one deadline for the people concerned: the
    later step of the two stands for both.
    """
    if case.status not in DEADLINE_STATUSES:
        return []
    by_time: dict[dt.datetime, str] = {}
    for kind, due_field, met_field in DEADLINE_FIELDS:
        due = getattr(case, due_field)
        if due is not None and getattr(case, met_field) is None:
            by_time[due] = kind  # DEADLINE_FIELDS runs from the earliest step to the latest
    return sorted(((kind, due) for due, kind in by_time.items()), key=lambda item: item[1])


def next_due_at(case: Case) -> dt.datetime | None:
    """The value of `Case.next_due_at`: the nearest pending deadline, none while the clock is paused."""
    if case.paused_at is not None:
        return None
    pending = pending_deadlines(case)
    return pending[0][1] if pending else None


_LIMIT_FIELDS = {
    DeadlineKind.ACCEPT: ("accept_limit", "accept_unit"),
    DeadlineKind.CONTACT: ("contact_limit", "contact_unit"),
    DeadlineKind.REPLY: ("reply_limit", "reply_unit"),
    DeadlineKind.COMPLETION: ("completion_limit", "completion_unit"),
}


def _limit_length(policy: DeadlinePolicy | None, deadline: str) -> dt.timedelta | None:
    """How long the policy gives for a step (a day counts 24 hours), if it sets a limit for it."""
    if policy is None:
        return None
    amount_field, unit_field = _LIMIT_FIELDS[DeadlineKind(deadline)]
    amount = getattr(policy, amount_field)
    if amount is None and deadline == DeadlineKind.REPLY:
        return _limit_length(policy, DeadlineKind.COMPLETION)
    if amount is None:
        return None
    hours = amount if getattr(policy, unit_field) == LimitUnit.HOURS else amount * 24
    return dt.timedelta(hours=hours)


def due_soon_threshold(case: Case, deadline: str) -> dt.timedelta:
    """How long before a deadline it counts as due soon: a quarter of the time the policy gives for the
    step, at most 24 hours (so a 2-hour urgent reply is due soon in its last 30 minutes, whether the case is
    new or reopened)."""
    length = _limit_length(case.policy, deadline)
    if length is None:
        return DUE_SOON_CAP
    return min(DUE_SOON_CAP, length * DUE_SOON_SHARE)


@dataclass(frozen=True)
class DeadlineState:
    deadline: str
    due_at: dt.datetime
    time_left: dt.timedelta
    level: DeadlineLevel
    paused: bool


def deadline_state(case: Case, now: dt.datetime) -> DeadlineState | None:
    """The nearest pending deadline with the time left and its level, or None if nothing is pending.

    While the clock is paused the time left is frozen at the moment of pausing.
    """
    pending = pending_deadlines(case)
    if not pending:
        return None
    kind, due = pending[0]
    reference = case.paused_at or now
    left = due - reference
    if left < dt.timedelta(0):
        level = DeadlineLevel.OVERDUE
    elif left <= due_soon_threshold(case, kind):
        level = DeadlineLevel.DUE_SOON
    else:
        level = DeadlineLevel.ON_TRACK
    return DeadlineState(kind, due, left, level, case.paused_at is not None)


def overdue_q(now: dt.datetime) -> Q:
    """Cases with a pending deadline already passed (a paused clock is never overdue), merged duplicates
    still waiting for their reply included."""
    return Q(status__in=DEADLINE_STATUSES, next_due_at__lt=now)


def due_by_q(moment: dt.datetime) -> Q:
    """Cases with a pending deadline at or before `moment` (what the deadline worker looks at): open cases
    and merged duplicates still waiting for their reply, with their clock running."""
    return Q(status__in=DEADLINE_STATUSES, next_due_at__lte=moment)
