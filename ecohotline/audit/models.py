"""The audit log (审计日志, MLPS 等保 level 2): who did what that matters to security, when, from where. Rows are only
ever added; the retention purge (`AuditEvent.objects.purge`) is the one way they leave."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditKind(models.TextChoices):
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Sign-in failed")
    LOGOUT = "logout", _("Signed out")
    ROLE_GRANTED = "role_granted", _("Role granted")
    ROLE_REVOKED = "role_revoked", _("Role revoked")
    ACCOUNT_CHANGED = "account_changed", _("Account changed")
    IDENTITY_VIEWED = "identity_viewed", _("Complainant identity viewed")
    EXPORT = "export", _("Export")
    CONFIG_CHANGED = "config_changed", _("Configuration changed")


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("the audit log is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("the audit log is append-only: use purge() for the retention period")

    def purge(self, before: dt.datetime) -> int:
        """Remove the entries older than `before` (the retention period's end); how many."""
        deleted, _rows = models.QuerySet.delete(self.filter(at__lt=before))
        return deleted


class AuditEvent(models.Model):
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=AuditKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("who"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    # As it was then: the account may be renamed or removed later.
    actor_name = models.CharField(_("user name"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    target = models.CharField(_("on what"), max_length=200, blank=True)
    detail = models.JSONField(_("details"), default=dict, blank=True)

    objects: ClassVar[AuditQuerySet] = AuditQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["kind", "at"], name="audit_kind_at"),
                   models.Index(fields=["actor", "at"], name="audit_actor_at")]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.actor_name} {self.target}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("the audit log is append-only")
