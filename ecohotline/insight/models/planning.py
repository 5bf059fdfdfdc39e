"""Proactive governance (主动治理、未诉先办): the tasks the planner proposes, the leader's decisions, their results,
and the monthly theme (每月一题)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecohotline.cases.models import Case
from ecohotline.org.models import OrgUnit


class MonthlyTheme(models.Model):
    """每月一题: the recurring problem a leader picks for a month; its complaints are those of its categories or
    with one of its keywords."""

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month."))
    title = models.CharField(_("title"), max_length=200)
    # Category or sub-category codes (air, air.catering_fumes...).
    categories = models.JSONField(_("categories"), default=list, blank=True)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True,
                                help_text=_("Words that mark a complaint as the theme's, separated by commas."))
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("leader"), on_delete=models.PROTECT,
                               related_name="+")
    goal = models.TextField(_("goal"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("monthly theme")
        verbose_name_plural = _("monthly themes")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.title}"

    @property
    def keyword_list(self) -> list[str]:
        return [word.strip() for word in self.keywords.replace("，", ",").replace("、", ",").split(",")
                if word.strip()]


class SignalSource(models.TextChoices):
    HOTSPOT = "hotspot", _("Hotspot")
    REPEATED_SOURCE = "repeated_source", _("Repeated source")
    RISE = "rise", _("Unusual rise")
    FORECAST_PEAK = "forecast_peak", _("Forecast peak")
    SEASONAL = "seasonal", _("Seasonal plan")


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    # Approved after the leader changed the title, checklist, team or deadline.
    EDITED = "edited", _("Approved with changes")
    REJECTED = "rejected", _("Rejected")


ACCEPTED_STATUSES = frozenset({ProposalStatus.APPROVED, ProposalStatus.EDITED})


class TaskProposal(models.Model):
    """A patrol or inspection task the planner proposes from a signal (a hotspot, a repeated source, an unusual
    rise, a forecast peak, a seasonal plan). A leader approves, edits or rejects it; an approved one becomes a
    case of kind `proactive_task`, and its result (problems found, measures) is recorded here."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    checklist = models.JSONField(_("checklist"), default=list, blank=True)
    category = models.CharField(_("category"), max_length=50, blank=True)
    team = models.ForeignKey(OrgUnit, verbose_name=_("team"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    street = models.ForeignKey(OrgUnit, verbose_name=_("street/town"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    latitude = models.FloatField(_("latitude (WGS-84)"), null=True, blank=True)
    longitude = models.FloatField(_("longitude (WGS-84)"), null=True, blank=True)
    radius_m = models.PositiveIntegerField(_("radius (m)"), default=500)
    source = models.CharField(_("source"), max_length=20, choices=SignalSource.choices)
    # source + category + area (+ season): what "the same thing" means for not proposing it twice.
    source_key = models.CharField(max_length=200, db_index=True, editable=False)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    case_ids = models.JSONField(_("cases behind it"), default=list, blank=True)
    score = models.FloatField(_("score"), default=0.0)
    theme = models.ForeignKey(MonthlyTheme, verbose_name=_("monthly theme"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="proposals")
    status = models.CharField(_("status"), max_length=20, choices=ProposalStatus.choices,
                              default=ProposalStatus.PROPOSED, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    case = models.OneToOneField(Case, verbose_name=_("task case"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    problems_found = models.PositiveIntegerField(_("problems found"), null=True, blank=True)
    measures = models.TextField(_("measures taken"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True, db_index=True)
    result_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("result recorded by"), null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("task proposal")
        verbose_name_plural = _("task proposals")

    def __str__(self) -> str:
        return self.title

    @property
    def is_accepted(self) -> bool:
        return self.status in ACCEPTED_STATUSES

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None
