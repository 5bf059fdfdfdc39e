"""Open311 GeoReport v2: the API keys of the apps allowed to file requests, and what each filed request carried."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecohotline.cases.models import Case


class ApiKey(models.Model):
    """An app's key for POSTing service requests (GET needs none). Only its SHA-256 is stored: the key itself is
    shown once, when it is issued (`services.issue_api_key`)."""

    name = models.CharField(_("name"), max_length=100)
    contact = models.CharField(_("owner and contact"), max_length=200, blank=True,
                               help_text=_("Who runs the app and how to reach them."))
    prefix = models.CharField(_("key begins with"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    rate_limit_per_hour = models.PositiveIntegerField(_("requests per hour"), default=60)
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("issued by"), editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @staticmethod
    def hash_key(plain: str) -> str:
        """Keys are 256 random bits: a plain SHA-256 is as good as a slow hash and lets the key be looked up."""
        return hashlib.sha256(plain.encode()).hexdigest()


class ServiceRequest(models.Model):
    """A request filed through Open311: the case it became, the key that filed it, and what the spec carries
    beyond the order itself (token, attributes, media URLs, the app's account and device ids)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="open311_request")
    token = models.CharField(_("token"), max_length=40, unique=True)
    api_key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="requests",
                                verbose_name=_("API key"))
    service_code = models.CharField(_("service code"), max_length=50)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    media_urls = models.JSONField(_("media URLs"), default=list, blank=True)
    account_id = models.CharField(_("account id"), max_length=100, blank=True)
    device_id = models.CharField(_("device id"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("filed at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")

    def __str__(self) -> str:
        return f"{self.token} → {self.case_id}"
