"""Monitoring: stations, their hourly readings, and the early-warning alerts raised on them (预警).

A reading is one value of one parameter at one station for one hour (`at` is the start of the hour, in UTC
like every time we store); ingesting the same station × hour × parameter again replaces the value, so a
file or a push can be sent twice. An alert is one episode of one detector (`detectors.Episode`): later scans
that see the episode go on update the same alert; its verification is a case of kind `alert_verification`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ecohotline.org.models import PLACE_KINDS, OrgUnit


class StationKind(models.TextChoices):
    AIR = "air", _("Air")
    WATER = "water", _("Water")
    NOISE = "noise", _("Noise")


class Station(models.Model):
    """A monitoring station (监测站点): a national or district air station, a water section, a noise point."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=StationKind.choices, default=StationKind.AIR)
    latitude = models.FloatField(_("latitude (WGS-84)"), null=True, blank=True)
    longitude = models.FloatField(_("longitude (WGS-84)"), null=True, blank=True)
    street = models.ForeignKey(OrgUnit, verbose_name=_("street or town"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="stations",
                               limit_choices_to={"kind__in": PLACE_KINDS})
    noise_zone_class = models.CharField(_("noise zone class"), max_length=4, blank=True,
                                        help_text=_("For noise stations: 0, 1, 2, 3, 4a or 4b (GB 3096)."))
    water_target_class = models.CharField(
        _("water quality target"), max_length=3, blank=True,
        choices=[("I", "Ⅰ"), ("II", "Ⅱ"), ("III", "Ⅲ"), ("IV", "Ⅳ"), ("V", "Ⅴ")],
        help_text=_("For water sections: the GB 3838 class the section must meet."))
    lake_or_reservoir = models.BooleanField(_("lake or reservoir"), default=False,
                                            help_text=_("For water sections: GB 3838's lake limits of phosphorus."))
    operator = models.CharField(_("operator"), max_length=100, blank=True)
    neighbours = models.ManyToManyField("self", verbose_name=_("neighbours"), symmetrical=False, blank=True,
                                        help_text=_("Stations to compare with; all others of the kind when empty."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("monitoring station")
        verbose_name_plural = _("monitoring stations")

    def __str__(self) -> str:
        return self.name


class Reading(models.Model):
    """One hourly value of one parameter (pm25, no2, noise_leq...; units as `detectors.PARAMETERS` says)."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="readings")
    parameter = models.CharField(_("parameter"), max_length=30)
    at = models.DateTimeField(_("hour"))
    value = models.FloatField(_("value"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["station", "parameter", "at"], name="monitoring_reading_one")]
        verbose_name = _("reading")
        verbose_name_plural = _("readings")

    def __str__(self) -> str:
        return f"{self.station_id} {self.parameter} {self.at:%Y-%m-%d %H:%M} {self.value:g}"


class AlertCategory(models.TextChoices):
    POLLUTION = "pollution", _("Pollution")
    DATA_QUALITY = "data_quality", _("Data quality")


class AlertSeverity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    VERIFYING = "verifying", _("Being verified")
    CONFIRMED = "confirmed", _("Confirmed")
    FALSE_ALARM = "false_alarm", _("False alarm")
    RESOLVED = "resolved", _("Resolved")


OPEN_ALERT_STATUSES = (AlertStatus.OPEN, AlertStatus.VERIFYING)


class Alert(models.Model):
    """预警: one episode a detector found at a station; `reason` is a stable code and `params` its numbers."""

    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="alerts")
    parameter = models.CharField(_("parameter"), max_length=30)
    detector = models.CharField(_("detector"), max_length=40)
    category = models.CharField(_("category"), max_length=20, choices=AlertCategory.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=AlertSeverity.choices)
    reason = models.CharField(_("reason"), max_length=40)
    params = models.JSONField(_("details"), default=dict, blank=True)
    first_at = models.DateTimeField(_("first hour"))
    last_at = models.DateTimeField(_("last hour"))
    peak_at = models.DateTimeField(_("peak hour"))
    peak_value = models.FloatField(_("peak value"))
    expected = models.FloatField(_("expected value"), null=True, blank=True)
    hit_count = models.PositiveIntegerField(_("hours flagged"), default=1)
    status = models.CharField(_("status"), max_length=20, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    # One visit verifies what one station showed at one time: the alerts of a station that overlap in time (a
    # PM2.5 and a PM10 rise, found by two detectors) share one verification case.
    case = models.ForeignKey("cases.Case", verbose_name=_("verification case"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="alerts")
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-last_at", "-pk"]
        indexes = [
            models.Index(fields=["station", "parameter", "detector", "last_at"], name="monitoring_alert_episode"),
            models.Index(fields=["status", "category", "last_at"], name="monitoring_alert_status"),
        ]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")

    def __str__(self) -> str:
        return f"{self.station} {self.parameter} {self.reason} {self.first_at:%Y-%m-%d %H:%M}"
