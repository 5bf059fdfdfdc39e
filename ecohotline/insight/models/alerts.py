"""Insight alerts: an unusual rise of complaints (and later other signals) that the analyst and the area's leader
should look at."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecohotline.org.models import OrgUnit


class InsightAlertKind(models.TextChoices):
    RISE = "rise", _("Unusual rise")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    DISMISSED = "dismissed", _("Dismissed")


class InsightAlert(models.Model):
    """An unusual rise (异常上升) of one category's complaints in one street in one week against its seasonal
    expectation. One alert per (kind, category, street, week): a rerun does not raise it twice."""

    kind = models.CharField(_("kind"), max_length=20, choices=InsightAlertKind.choices, default=InsightAlertKind.RISE)
    category = models.CharField(_("category"), max_length=50, blank=True)
    street = models.ForeignKey(OrgUnit, verbose_name=_("street/town"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    week_start = models.DateField(_("week starting"))
    observed = models.PositiveIntegerField(_("complaints observed"))
    expected = models.FloatField(_("complaints expected"))
    p_value = models.FloatField(_("p-value"))
    details = models.JSONField(_("details"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handled by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-week_start", "-pk"]
        constraints = [models.UniqueConstraint(fields=["kind", "category", "street", "week_start"],
                                               name="insight_alert_once_per_week")]
        verbose_name = _("insight alert")
        verbose_name_plural = _("insight alerts")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.category} {self.week_start}"
