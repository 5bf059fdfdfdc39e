"""Insight and proactive governance (举一反三、未诉先办): insight alerts, the key units registry, proposed patrol tasks
and the monthly theme. One module per subject; every model is imported here."""

from ecohotline.insight.models.alerts import AlertStatus, InsightAlert, InsightAlertKind
from ecohotline.insight.models.planning import (
    ACCEPTED_STATUSES,
    MonthlyTheme,
    ProposalStatus,
    SignalSource,
    TaskProposal,
)
from ecohotline.insight.models.registry import KeyUnit, KeyUnitCase, LinkHow

__all__ = ["ACCEPTED_STATUSES", "AlertStatus", "InsightAlert", "InsightAlertKind", "KeyUnit", "KeyUnitCase", "LinkHow",
           "MonthlyTheme", "ProposalStatus", "SignalSource", "TaskProposal"]
