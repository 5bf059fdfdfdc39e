"""Insight and proactive governance (举一反三、未诉先办): insight alerts, the key units registry, proposed patrol tasks
and the monthly theme. One module per subject; every model is imported here."""

from ecohotline.insight.models.alerts import AlertStatus, InsightAlert, InsightAlertKind

__all__ = ["AlertStatus", "InsightAlert", "InsightAlertKind"]
