"""The time the desk works in: the real time, or a training run's simulated time (情景模拟).

Code that stamps or judges what people do on a case (the case services, deadline badges, the inbox) asks
`clock.now()`, never `timezone.now()` directly, so that a trainee's actions are stamped on the run's simulated
clock, which the trainer can speed up. Outside a training run it is `timezone.now()`. The worker never runs
inside one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone

_source: ContextVar[Callable[[], dt.datetime] | None] = ContextVar("ecohotline_clock", default=None)


def now() -> dt.datetime:
    """The current time, simulated inside a training run."""
    source = _source.get()
    return source() if source is not None else timezone.now()


def is_simulated() -> bool:
    return _source.get() is not None


@contextmanager
def simulated(source: Callable[[], dt.datetime]) -> Iterator[None]:
    """Within the block, `now()` is `source()` (an aware datetime)."""
    token = _source.set(source)
    try:
        yield
    finally:
        _source.reset(token)
