"""Signals the cases app sends, for apps above it (monitoring, insight) that follow their own cases without the
cases app importing them. Sent after commit only, so a receiver never sees a change that was rolled back."""

from __future__ import annotations

from django.dispatch import Signal

#: A case entered `closed` (a return visit that closes it, or the final reply of a case without a complainant).
#: Keyword arguments: `case_id` (int), `kind` (a `CaseKind` code), `action` (the action that closed it).
case_closed = Signal()
