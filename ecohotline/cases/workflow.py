"""The case lifecycle as data: which role may take which action from which status, and where it leads.

The services enforce this table; the UI and the API only read it to offer the actions that are allowed.

A duplicate merged into another case (并案) is `merged` while it waits for its reply: it is handled through
that case (its parent), whose handling people may contact its complainant and reply to it; the parent's
final reply answers it too. Each order still gets its own reply (then `replied`) and its own return visit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ecohotline.cases.models import CaseStatus
from ecohotline.org.models import Role

S = CaseStatus
R = Role

ALL_STATUSES = frozenset(S)
OPEN = frozenset({S.NEW, S.DISPATCHED, S.IN_PROGRESS, S.RETURNED})
WORKING = frozenset({S.IN_PROGRESS})
CLOCK = frozenset({S.DISPATCHED, S.IN_PROGRESS})
# A merged duplicate waiting for its reply, handled through its parent.
MERGED_WAITING = frozenset({S.MERGED})


@dataclass(frozen=True)
class Transition:
    action: str
    label: str | Promise
    from_statuses: frozenset[str]
    # The status after the action; None keeps the status. Where the outcome decides (a final reply, a
    # return visit, a reassignment to another unit) the service chooses among `outcomes`.
    to_status: str | None
    roles: frozenset[str]
    outcomes: frozenset[str] = frozenset()


def _t(action: str, label: str | Promise, from_statuses: frozenset[str], to_status: str | None,
       roles: Iterable[str], outcomes: Iterable[str] | None = None) -> Transition:
    return Transition(action, label, frozenset(from_statuses), to_status, frozenset(roles),
                      frozenset(outcomes or ()))


_HANDLERS = {R.HANDLER, R.UNIT_HEAD}

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        _t("dispatch", _("Dispatch"), frozenset({S.NEW, S.RETURNED}), S.DISPATCHED, {R.DISPATCHER, R.ADMIN}),
        _t("accept", _("Accept"), frozenset({S.DISPATCHED}), S.IN_PROGRESS, _HANDLERS),
        _t("return_order", _("Return"), frozenset({S.DISPATCHED, S.IN_PROGRESS}), S.RETURNED, _HANDLERS),
        _t("reassign", _("Reassign"), CLOCK, None, {R.DISPATCHER, R.UNIT_HEAD, R.ADMIN},
           {S.DISPATCHED, S.IN_PROGRESS}),
        # Each merged duplicate has a complainant of its own to reach.
        _t("record_contact", _("Log contact"), WORKING | MERGED_WAITING, None, _HANDLERS),
        _t("record_inspection", _("Record inspection"), WORKING, None, _HANDLERS),
        _t("record_measurement", _("Record measurement"), WORKING, None, _HANDLERS),
        _t("add_rectification", _("Add rectification"), WORKING, None, _HANDLERS),
        _t("request_extension", _("Request extension"), WORKING, None, _HANDLERS),
        _t("decide_extension", _("Decide extension"), WORKING, None, {R.LEADER, R.DISPATCHER, R.ADMIN}),
        _t("file_appeal", _("File appeal"), frozenset({S.IN_PROGRESS, S.REPLIED, S.CLOSED}), None,
           {R.HANDLER, R.UNIT_HEAD, R.DISPATCHER}),
        _t("decide_appeal", _("Decide appeal"), frozenset({S.IN_PROGRESS, S.REPLIED, S.CLOSED}), None,
           {R.LEADER, R.DISPATCHER, R.ADMIN}),
        _t("call_joint_handling", _("Call joint handling"), WORKING, None, {R.HANDLER, R.UNIT_HEAD, R.LEADER}),
        _t("record_joint_reply", _("Record joint reply"), WORKING, None,
           {R.STREET_LIAISON, R.HANDLER, R.UNIT_HEAD, R.DISPATCHER}),
        # A final reply leads to `replied` (`closed` for a kind without a complainant, hence without a return
        # visit: an alert verification); an interim one keeps the status (in progress, or merged).
        _t("reply", _("Reply"), WORKING | MERGED_WAITING, None, _HANDLERS,
           {S.IN_PROGRESS, S.MERGED, S.REPLIED, S.CLOSED}),
        _t("record_return_visit", _("Record return visit"), frozenset({S.REPLIED}), None,
           {R.DISPATCHER, R.ADMIN}, {S.CLOSED, S.IN_PROGRESS, S.REPLIED}),
        _t("supervise", _("Supervise"), OPEN | {S.REPLIED}, None, {R.LEADER, R.ADMIN}),
        _t("remind", _("Remind"), frozenset({S.DISPATCHED, S.IN_PROGRESS, S.RETURNED}), None,
           {R.DISPATCHER, R.UNIT_HEAD, R.LEADER}),
        _t("pause_clock", _("Pause clock"), CLOCK, None, {R.DISPATCHER, R.UNIT_HEAD, R.LEADER}),
        _t("resume_clock", _("Resume clock"), CLOCK, None, {R.DISPATCHER, R.UNIT_HEAD, R.LEADER}),
        _t("merge_into", _("Merge into another case"), OPEN, S.MERGED, {R.DISPATCHER, R.ADMIN}),
        # Not once the final reply has gone out: the order was answered and is counted under its category.
        _t("set_category", _("Set category"), OPEN | MERGED_WAITING, None, {R.DISPATCHER, R.ADMIN}),
        _t("add_note", _("Add note"), ALL_STATUSES, None,
           {R.DISPATCHER, R.HANDLER, R.UNIT_HEAD, R.LEADER, R.STREET_LIAISON, R.ADMIN}),
    ]
}

ACTIONS = tuple(TRANSITIONS)
