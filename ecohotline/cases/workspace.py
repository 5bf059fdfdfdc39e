"""Which cases the code sees: the real ones, or one training run's (情景模拟 sandbox).

Training cases are cases of the `training` channel. `Case.objects` (every selector, list, report, export, KPI
and API starts from it) never returns them, unless a training workspace is active: then it returns only that
run's cases. A training workspace is active only inside `training.middleware` (a trainee's or their trainer's
request in a run) and inside the sandbox's own services (the run's script), never in the worker or the public
channels. Writes go through the services, which find a case through `Case.objects`: nothing outside the
workspace can act on a training case, and nothing inside it can act on a real one.

Inside a workspace, who may do what on its cases is the workspace's business (`acting_roles`): the trainee plays
the handling unit, the run's script the hotline and the dispatcher, an observing trainer nobody.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db.models import Q


@dataclass(frozen=True)
class TrainingWorkspace:
    run_id: int
    #: The training cases of the run, as a condition on `Case` (ANDed with the training channel).
    cases: Q
    #: The roles the user acts with on these cases, for an action: (user id, action) -> role codes.
    acting_roles: Callable[[int, str], frozenset[str]]
    #: May the user see the complainant (fictitious, or removed from an anonymised case)?
    shows_complainant: bool = True


_current: ContextVar[TrainingWorkspace | None] = ContextVar("ecohotline_training_workspace", default=None)


def current() -> TrainingWorkspace | None:
    return _current.get()


@contextmanager
def training(workspace: TrainingWorkspace) -> Iterator[None]:
    """Within the block, `Case.objects` is the run's training cases and nothing else."""
    token = _current.set(workspace)
    try:
        yield
    finally:
        _current.reset(token)
