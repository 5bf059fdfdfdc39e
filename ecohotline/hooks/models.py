"""Hooks: other systems told about case events (outgoing webhooks). The deliveries themselves are outbox messages
(`notify.OutboxMessage`, transport "webhook"); the hotline feedback's endpoint is on `intake.HotlineSource`."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookSubscription(models.Model):
    """An outside system that wants to hear of case events: each event it subscribes to is posted to its URL as
    JSON, signed with its secret, retried until it answers 2xx (then given up: the outbox's dead-letter list).

    Payloads never carry the complainant's name or phone, nor any free text (which may name them): only codes,
    ids, times and the names of units and streets. A system that needs more reads the REST API with its own
    permissions."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("secret"), max_length=200,
                              help_text=_("Shared with the receiving system, which checks the signature of each "
                                          "delivery with it (HMAC-SHA256)."))
    all_events = models.BooleanField(_("all events"), default=False,
                                     help_text=_("Every case event, including kinds added later."))
    # Action codes of `CaseEvent` (dispatch, reply, created...); used when `all_events` is off.
    events = models.JSONField(_("events"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return self.name

    def wants(self, action: str) -> bool:
        return self.all_events or action in self.events
