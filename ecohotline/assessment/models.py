"""考核方案: how the hotline scores the bureau (the 三率 and the composite), versioned by the date it takes effect."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from ecohotline.cases.models import REAL_CHANNELS


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

    def clean(self) -> None:
        real = {value for value, _label in REAL_CHANNELS}
        if not isinstance(self.channels, list) or not self.channels or any(c not in real for c in self.channels):
            raise ValidationError({"channels": _("Give a list of channel codes of real orders: %(codes)s.")
                                   % {"codes": ", ".join(sorted(real))}})

    @classmethod
    def in_force(cls, on: dt.date) -> KpiScheme:
        """The scheme in force on `on` (the default one when none was entered yet). The schemes are few and read
        for every period of a trend or a dashboard, so they are cached until one is saved or deleted."""
        schemes: list[KpiScheme] | None = cache.get(SCHEMES_CACHE_KEY)
        if schemes is None:
            schemes = list(cls.objects.order_by("-effective_from"))
            cache.set(SCHEMES_CACHE_KEY, schemes, None)
        found = next((scheme for scheme in schemes if scheme.effective_from <= on), None)
        return found if found is not None else cls(name="默认考核方案", effective_from=dt.date(2000, 1, 1))


SCHEMES_CACHE_KEY = "assessment:kpi-schemes"


@receiver([post_save, post_delete], sender=KpiScheme)
def _forget_schemes(**kwargs: object) -> None:
    cache.delete(SCHEMES_CACHE_KEY)


# --- 台账 (ledger) and 回访回溯 (retrospectives) ------------------------------------------------------------


class LedgerReason(models.TextChoices):
    """Why a case is on the ledger (an entry may hold several)."""

    UNRESOLVED = "unresolved", _("Unresolved")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")
    DIFFICULT = "difficult", _("Difficult")


class LedgerExit(models.TextChoices):
    """How an entry left the ledger: the only two ways out."""

    CLOSED_SATISFIED = "closed_satisfied", _("Closed, solved and satisfied")
    REMOVED = "removed", _("Removed by a leader")


class LedgerEntry(models.Model):
    """One stay of a case on the 台账 (the living list of problem cases): why it is there, who owns it, what
    happens next and by when. At most one open entry per case; a case that comes back gets a new entry.

    Written only through `assessment.ledger` (each change is also an event on the case's timeline)."""

    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.PROTECT,
                             related_name="ledger_entries")
    reasons = models.JSONField(_("reasons"), default=list, blank=True,
                               help_text=_("Codes of the reasons: unresolved, unsatisfied, difficult."))
    difficult_note = models.TextField(_("why it is difficult"), blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="ledger_entries")
    next_step = models.TextField(_("next step"), blank=True)
    next_date = models.DateField(_("next date"), null=True, blank=True)
    entered_at = models.DateTimeField(_("entered at"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    exit_kind = models.CharField(_("left because"), max_length=20, choices=LedgerExit.choices, blank=True)
    exit_reason = models.TextField(_("reason for leaving"), blank=True)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("removed by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["entered_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=models.Q(left_at__isnull=True),
                                    name="assessment_one_open_ledger_entry"),
        ]
        indexes = [
            # The living list: the few open entries among all the stays ever recorded, oldest first.
            models.Index(fields=["entered_at"], condition=models.Q(left_at__isnull=True),
                         name="assessment_ledger_open"),
        ]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")

    def __str__(self) -> str:
        return f"{self.case_id} · {self.entered_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.left_at is None

    def reason_labels(self) -> list[str]:
        labels = dict(LedgerReason.choices)
        return [str(labels.get(code, code)) for code in self.reasons]


class RetrospectiveCause(models.TextChoices):
    """Why the complainant was not satisfied, as the bureau sees it after looking back."""

    NOT_CONTACTED = "not_contacted", _("Complainant not contacted")
    SLOW = "slow", _("Handled too slowly")
    NOT_SOLVED = "not_solved", _("Problem not solved")
    COMPLIANT_BUT_DISTURBING = "compliant_but_disturbing", _("Meets the standard but still disturbs")
    BEYOND_REMIT = "beyond_remit", _("Demand beyond our remit")
    UNREASONABLE = "unreasonable", _("Unreasonable demand")
    OTHER = "other", _("Other")


class RetrospectiveStatus(models.TextChoices):
    PENDING = "pending", _("To be filled in")
    DONE = "done", _("Done")


class Retrospective(models.Model):
    """回访回溯: looking back at one unsatisfied (不满意) or unsolved valid return visit: the cause, what was
    learnt and what follows. Created pending by the ledger's sync; filled in by the people of the case."""

    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.PROTECT,
                             related_name="retrospectives")
    visit = models.OneToOneField("cases.ReturnVisit", verbose_name=_("return visit"), on_delete=models.PROTECT,
                                 related_name="retrospective")
    # The visit's time, kept here so that the causes of a period are summed from this table's index alone.
    visit_at = models.DateTimeField(_("visited at"))
    status = models.CharField(_("status"), max_length=10, choices=RetrospectiveStatus.choices,
                              default=RetrospectiveStatus.PENDING)
    cause = models.CharField(_("cause"), max_length=30, choices=RetrospectiveCause.choices, blank=True)
    lessons = models.TextField(_("what was learnt"), blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["visit_at", "pk"]
        indexes = [
            models.Index(fields=["visit_at", "cause"], name="assessment_retro_period"),
            models.Index(fields=["status", "visit_at"], name="assessment_retro_status"),
        ]
        verbose_name = _("retrospective")
        verbose_name_plural = _("retrospectives")

    def __str__(self) -> str:
        return f"{self.case_id} · {self.visit_at:%Y-%m-%d}"
