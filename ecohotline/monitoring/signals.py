"""Receivers: the monitoring app follows its verification cases through the signals the cases app sends (the
cases app must not import monitoring)."""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver

from ecohotline.cases.models import CaseKind
from ecohotline.cases.signals import case_closed
from ecohotline.monitoring.services import resolve_alert_of_case

logger = logging.getLogger(__name__)


@receiver(case_closed, dispatch_uid="monitoring_resolve_alert_of_case")
def resolve_alert_when_case_closes(sender: Any, *, case_id: int, kind: str, **kwargs: Any) -> None:
    """A verification case closed (its final reply): its alert, if still waiting, is resolved.

    It runs after the case's commit: a failure here must not turn the handler's successful reply into an error,
    so it is logged (the alert stays `verifying` and the desk can close it by hand)."""
    if kind != CaseKind.ALERT_VERIFICATION:
        return
    try:
        resolve_alert_of_case(case_id=case_id)
    except Exception:
        logger.exception("could not resolve the alert of verification case %s", case_id)
