"""Core models: the calendar corrections an administrator can enter."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkdayOverride(models.Model):
    """A correction to the statutory calendar (调休): a day declared working or non-working.

    It wins over `chinese-calendar`, e.g. for a year the library does not know yet or a local decision.
    """

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("is a working day"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")

    def __str__(self) -> str:
        return f"{self.date} {'+' if self.is_working_day else '-'}"
