"""What the public page keeps of its own: the tracking number a citizen received for a report (网上投诉)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ecohotline.cases.models import Case


class PublicReport(models.Model):
    """A complaint filed on the public page: its case and the tracking number (查询码) given to the citizen.

    The tracking number is random, not the case reference, so that references cannot be enumerated from
    outside. With a phone number given, a lookup also needs the phone's last four digits."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="public_report",
                                verbose_name=_("case"))
    tracking_number = models.CharField(_("tracking number"), max_length=16, unique=True)
    # The one-time key of the form that sent it: the same form sent twice (a double tap) files one case.
    submission_key = models.CharField(max_length=64, unique=True, editable=False)
    consent_to_contact = models.BooleanField(_("consents to be contacted"), default=False)
    language = models.CharField(_("language"), max_length=10, blank=True)
    created_at = models.DateTimeField(_("filed at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("public report")
        verbose_name_plural = _("public reports")

    def __str__(self) -> str:
        return self.tracking_number
