"""考核方案: how the hotline scores the bureau (the 三率 and the composite), versioned by the date it takes effect."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


def default_channels() -> list[str]:
    return ["hotline_12345"]


class KpiScheme(models.Model):
    """A KPI scheme: the scheme in force on a period's end date applies to the whole period."""

    name = models.CharField(_("name"), max_length=100)
    effective_from = models.DateField(_("in force from"), unique=True)
    channels = models.JSONField(_("assessed channels"), default=default_channels,
                                help_text=_("Channel codes whose complaints are assessed, e.g. hotline_12345."))
    period_start_day = models.PositiveSmallIntegerField(
        _("period starts on day"), default=1, validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("1 for calendar months; 19 for months running from the 19th to the 18th."))
    basic_satisfaction_credit = models.DecimalField(_("credit for basic satisfaction"), max_digits=4, decimal_places=3,
                                                    default=Decimal("0.900"))
    response_weight = models.DecimalField(_("weight of the response rate"), max_digits=4, decimal_places=3,
                                          default=Decimal("0.100"))
    resolution_weight = models.DecimalField(_("weight of the resolution rate"), max_digits=4, decimal_places=3,
                                            default=Decimal("0.500"))
    satisfaction_weight = models.DecimalField(_("weight of the satisfaction rate"), max_digits=4, decimal_places=3,
                                              default=Decimal("0.400"))

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("KPI scheme")
        verbose_name_plural = _("KPI schemes")

    def __str__(self) -> str:
        return f"{self.name} ({self.effective_from:%Y-%m-%d})"

    @classmethod
    def in_force(cls, on: dt.date) -> KpiScheme:
        """The scheme in force on `on` (the default one when none was entered yet)."""
        found = cls.objects.filter(effective_from__lte=on).order_by("-effective_from").first()
        return found if found is not None else cls(name="默认考核方案", effective_from=dt.date(2000, 1, 1))
