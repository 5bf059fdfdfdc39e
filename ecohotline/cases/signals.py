"""Signals the cases app sends, for apps above it (monitoring, insight, hooks) that follow their own cases without
the cases app importing them. `case_closed` is sent after commit only, so its receivers never see a change that was
rolled back; `case_events_appended` is sent inside the transaction (see there)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.dispatch import Signal

if TYPE_CHECKING:
    from ecohotline.cases.models import Case

#: A case entered `closed` (a return visit that closes it, or the final reply of a case without a complainant).
#: Keyword arguments: `case_id` (int), `kind` (a `CaseKind` code), `action` (the action that closed it).
case_closed = Signal()


@dataclass(frozen=True)
class AppendedEvent:
    """One `CaseEvent` just appended: what a receiver of `case_events_appended` gets, without reading it back.
    `case` is the case as the service holds it (its related street and unit may or may not be loaded); `payload`
    is the event's payload (a dict, or JSON text already encoded on the bulk paths)."""

    event_id: int
    case: Case
    action: str
    from_status: str
    to_status: str
    at: dt.datetime
    actor_id: int | None
    payload: Any


#: Events were appended to case timelines: sent INSIDE the transaction that writes them, right after the write, so
#: that a receiver writes what follows from them in the same transaction (the transactional outbox of `hooks`: an
#: outgoing webhook is queued if and only if the change commits). A receiver must therefore be cheap (the bulk intake
#: paths send one signal for a whole batch: at most a query or two per batch, not per event), must not raise for
#: ordinary reasons (an exception rolls the change back), and must defer anything slow with `on_commit`.
#: Keyword arguments: `events` (a list of `AppendedEvent`, in the order written).
case_events_appended = Signal()
