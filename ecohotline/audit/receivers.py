"""What the audit log records by itself: sign-ins (and failed attempts, with the user name tried, never the
password), sign-outs, roles granted and revoked, changes to accounts' standing (active, staff, superuser,
password), and every change made in the admin (the configuration: deadline policies, routing rules, KPI schemes,
categories, robots, webhooks...)."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from ecohotline.audit.models import AuditKind
from ecohotline.audit.services import record
from ecohotline.org.models import RoleAssignment, User

ADMIN_ACTIONS = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}
# Changes to these fields of an account are recorded (the password as "changed", never its hash).
WATCHED_ACCOUNT_FIELDS = ("is_active", "is_staff", "is_superuser", "unit_id", "password")


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    record(AuditKind.LOGIN, actor=user, request=request)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        record(AuditKind.LOGOUT, actor=user, request=request)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    record(AuditKind.LOGIN_FAILED, actor=None, request=request, target=username, username=username)


@receiver(post_save, sender=RoleAssignment)
def _role_granted(sender: Any, instance: RoleAssignment, created: bool, **kwargs: Any) -> None:
    if created:
        record(AuditKind.ROLE_GRANTED, target=instance.user.get_username(), role=instance.role)


@receiver(post_delete, sender=RoleAssignment)
def _role_revoked(sender: Any, instance: RoleAssignment, **kwargs: Any) -> None:
    record(AuditKind.ROLE_REVOKED, target=instance.user.get_username(), role=instance.role)


@receiver(pre_save, sender=User)
def _account_changing(sender: Any, instance: User, update_fields: Any = None, **kwargs: Any) -> None:
    """Remember what changes (recorded in `_account_changed`, once the change is saved)."""
    if instance.pk is None:
        setattr(instance, "_audit_changes", ["created"])  # noqa: B010 - not a field of the model
        return
    watched = [field for field in WATCHED_ACCOUNT_FIELDS
               if update_fields is None or field.removesuffix("_id") in update_fields or field in update_fields]
    before = User.objects.filter(pk=instance.pk).values(*watched).first() if watched else None
    setattr(instance, "_audit_changes",  # noqa: B010 - not a field of the model
            [field for field in watched if before is not None and before[field] != getattr(instance, field)])


@receiver(post_save, sender=User)
def _account_changed(sender: Any, instance: User, **kwargs: Any) -> None:
    changes = getattr(instance, "_audit_changes", [])
    setattr(instance, "_audit_changes", [])  # noqa: B010 - not a field of the model
    if changes:
        values = {field: getattr(instance, field) for field in changes if field not in ("password", "created")}
        record(AuditKind.ACCOUNT_CHANGED, target=instance.get_username(), changes=changes, **values)


@receiver(post_save, sender=LogEntry)
def _admin_change(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    if created:
        content_type = ContentType.objects.get_for_id(instance.content_type_id) if instance.content_type_id else None
        model = content_type.model_class() if content_type is not None else None
        record(AuditKind.CONFIG_CHANGED, actor=instance.user, target=f"{instance.content_type}: {instance.object_repr}"
               if instance.content_type else instance.object_repr,
               action=ADMIN_ACTIONS.get(instance.action_flag, str(instance.action_flag)),
               model=model._meta.label if model else "", object_id=instance.object_id or "",
               message=instance.change_message)  # Django's JSON, not words in one reader's language
