"""情景模拟: training scenarios, and each trainee's run of one, handled on the normal desk on a simulated clock.

A scenario is data: the order the trainee receives (`order`), what the right handling is (`expected`) and a
script of events (`script`), each checked by `training.scenarios`. A run gives the trainee a training case (a case
of the `training` channel, which only the run's workspace sees: `cases.workspace`), a clock of its own, and at the
end a score (`training.scoring`).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecohotline.cases.models import Case


class ScenarioSource(models.TextChoices):
    MANUAL = "manual", _("Written by a trainer")
    DEMO = "demo", _("Generated (demo generator)")
    CASE = "case", _("From an anonymised closed case")


class Scenario(models.Model):
    title = models.CharField(_("title"), max_length=200)
    briefing = models.TextField(_("briefing"), blank=True,
                                help_text=_("What the trainee is told before starting (not the answer)."))
    source = models.CharField(_("source"), max_length=10, choices=ScenarioSource.choices,
                              default=ScenarioSource.MANUAL)
    # The closed case an anonymised scenario was made from (its complainant's identity is not copied).
    based_on = models.ForeignKey(Case, verbose_name=_("based on case"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    order = models.JSONField(_("order"), default=dict,
                             help_text=_("The order the trainee receives (see docs/training.md)."))
    expected = models.JSONField(_("expected handling"), default=dict)
    script = models.JSONField(_("script"), default=list, blank=True)
    # When a run's simulated clock starts; blank: when the run starts.
    starts_at = models.DateTimeField(_("simulated start"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("training scenario")
        verbose_name_plural = _("training scenarios")

    def __str__(self) -> str:
        return self.title


class RunStatus(models.TextChoices):
    ACTIVE = "active", _("In progress")
    FINISHED = "finished", _("Finished")


class Run(models.Model):
    """One trainee's handling of one scenario, on a clock of its own."""

    scenario = models.ForeignKey(Scenario, verbose_name=_("scenario"), on_delete=models.PROTECT,
                                 related_name="runs")
    trainee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("trainee"), on_delete=models.PROTECT,
                                related_name="training_runs")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    case = models.OneToOneField(Case, verbose_name=_("training case"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="training_run")
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.ACTIVE)
    # The simulated clock: at the real moment `real_anchor` it showed `sim_anchor`, and it runs `speed` times
    # as fast as real time (0: stopped).
    sim_anchor = models.DateTimeField(_("simulated time at the anchor"))
    real_anchor = models.DateTimeField(_("real time at the anchor"))
    speed = models.PositiveIntegerField(_("clock speed"), default=1)
    sim_started_at = models.DateTimeField(_("simulated start"))
    # The indexes of the script's events that have happened, and what they told the trainee.
    fired = models.JSONField(default=list, blank=True)
    notices = models.JSONField(default=list, blank=True)
    score = models.JSONField(_("score"), default=dict, blank=True)
    score_percent = models.FloatField(_("score (%)"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["trainee", "status"], name="training_run_trainee_status")]
        verbose_name = _("training run")
        verbose_name_plural = _("training runs")

    def __str__(self) -> str:
        return f"{self.scenario} · {self.trainee}"

    def simulated_now(self, real_now: dt.datetime | None = None) -> dt.datetime:
        """The run's simulated time at the real moment `real_now` (now)."""
        elapsed = (real_now or timezone.now()) - self.real_anchor
        return self.sim_anchor + elapsed * self.speed
