"""The key units registry (重点行业、重点区域、重点单位): polluters and sources under closer watch, and the complaint
cases linked to each."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecohotline.cases.models import Case
from ecohotline.core import geo
from ecohotline.org.models import OrgUnit

_ALIAS_SPLIT = re.compile(r"[,，、;；\n]+")


class KeyUnit(models.Model):
    """A registered polluter or source (重点单位), or a key industry site (重点行业) or key area (重点区域), with
    its place, industry and the team responsible for it. Written through `insight.services`."""

    name = models.CharField(_("name"), max_length=200)
    aliases = models.TextField(_("aliases"), blank=True,
                               help_text=_("Other names it goes by in complaints, separated by commas."))
    # GB/T 4754 code as text (a section letter such as "H", or a class such as "6210" catering).
    industry_code = models.CharField(_("industry (GB/T 4754)"), max_length=10, blank=True, db_index=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    street = models.ForeignKey(OrgUnit, verbose_name=_("street/town"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    latitude = models.FloatField(_("latitude (WGS-84)"), null=True, blank=True)
    longitude = models.FloatField(_("longitude (WGS-84)"), null=True, blank=True)
    geo_cell = models.BigIntegerField(null=True, blank=True, editable=False, db_index=True)
    is_key_industry = models.BooleanField(_("key industry"), default=False)
    is_key_area = models.BooleanField(_("key area"), default=False)
    is_key_unit = models.BooleanField(_("key unit"), default=True)
    team = models.ForeignKey(OrgUnit, verbose_name=_("responsible team"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    # A business contact (the operator's manager), not a complainant: not confidential.
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("registered key unit")
        verbose_name_plural = _("registered key units")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The cell follows the coordinates whoever saves (the services, the admin).
        self.geo_cell = (geo.grid_cell(self.longitude, self.latitude)
                         if self.latitude is not None and self.longitude is not None else None)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and ({"latitude", "longitude"} & set(update_fields)):
            kwargs["update_fields"] = sorted({*update_fields, "geo_cell"})
        super().save(*args, **kwargs)

    @property
    def alias_list(self) -> list[str]:
        return [alias.strip() for alias in _ALIAS_SPLIT.split(self.aliases) if alias.strip()]

    @property
    def flag_codes(self) -> list[str]:
        return [code for code, on in (("industry", self.is_key_industry), ("area", self.is_key_area),
                                      ("unit", self.is_key_unit)) if on]


class LinkHow(models.TextChoices):
    SUGGESTED = "suggested", _("Suggested")
    CONFIRMED = "confirmed", _("Confirmed")
    MANUAL = "manual", _("Linked by hand")


class KeyUnitCase(models.Model):
    """A complaint case about a registered key unit: suggested by triage, confirmed by the dispatcher, or linked by
    hand. One link per (unit, case)."""

    key_unit = models.ForeignKey(KeyUnit, verbose_name=_("key unit"), on_delete=models.CASCADE,
                                 related_name="case_links")
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="+")
    how = models.CharField(_("how"), max_length=20, choices=LinkHow.choices, default=LinkHow.SUGGESTED)
    score = models.FloatField(_("score"), default=0.0)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["key_unit", "case"], name="insight_key_unit_case_once")]
        verbose_name = _("key unit case")
        verbose_name_plural = _("key unit cases")

    def __str__(self) -> str:
        return f"{self.key_unit_id} · {self.case_id}"
