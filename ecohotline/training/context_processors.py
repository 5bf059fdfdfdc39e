"""The training bar (情景模拟): every page shown inside a training run says so, with the run's simulated time."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def training(request: HttpRequest) -> dict[str, Any]:
    """The run the request is in (set by `training.middleware`) and its simulated time; nothing outside a run."""
    run = getattr(request, "training_run", None)
    if run is None:
        return {}
    return {"training_run": run, "training_now": run.simulated_now()}
