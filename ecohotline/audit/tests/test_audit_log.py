"""The audit log records sign-ins (and failures, never the password), sign-outs, roles granted and revoked, account
changes, the admin's changes and exports, with who and from where; it cannot be edited; old entries leave only by
the retention purge, which never goes below six months; only administrators read it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from ecohotline.audit import services
from ecohotline.audit.models import AuditEvent, AuditKind
from ecohotline.factories import UserFactory
from ecohotline.org.models import Role, RoleAssignment

pytestmark = pytest.mark.django_db
PASSWORD = "pass-1234-word"


def test_sign_in_out_and_a_failed_attempt(client: Any, org: Any) -> None:
    before = AuditEvent.objects.count()  # the fixture's accounts, recorded as created
    client.post(reverse("login"), {"username": "handler", "password": "wrong guess"}, REMOTE_ADDR="10.1.2.3")
    client.post(reverse("login"), {"username": "handler", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    client.post(reverse("logout"), REMOTE_ADDR="10.1.2.3")
    failed, login, logout = AuditEvent.objects.order_by("pk")[before:]
    assert (failed.kind, failed.actor, failed.target, str(failed.ip)) == (
        AuditKind.LOGIN_FAILED, None, "handler", "10.1.2.3")
    assert "wrong guess" not in repr(failed.detail)
    assert (login.kind, login.actor, login.actor_name) == (AuditKind.LOGIN, org.handler, "handler")
    assert (logout.kind, logout.actor) == (AuditKind.LOGOUT, org.handler)


def test_roles_and_account_changes_name_who_did_them_in_the_admin(client: Any, org: Any) -> None:
    admin = UserFactory(username="root", is_staff=True, is_superuser=True, roles=[Role.ADMIN])
    client.force_login(admin)
    before = AuditEvent.objects.count()
    url = reverse("admin:org_user_change", args=[org.handler.pk])
    page = client.get(url)
    assert page.status_code == 200
    RoleAssignment.objects.create(user=org.handler, role=Role.LEADER)
    RoleAssignment.objects.filter(user=org.handler, role=Role.LEADER).get().delete()
    org.handler.is_active = False
    org.handler.save()
    new = list(AuditEvent.objects.order_by("pk")[before:])
    assert [(e.kind, e.target, e.detail.get("role")) for e in new] == [
        (AuditKind.ROLE_GRANTED, "handler", "leader"), (AuditKind.ROLE_REVOKED, "handler", "leader"),
        (AuditKind.ACCOUNT_CHANGED, "handler", None)]
    assert new[-1].detail == {"changes": ["is_active"], "is_active": False}


def test_an_admin_change_is_recorded_with_its_author(client: Any, org: Any) -> None:
    from django.contrib.admin.models import CHANGE, LogEntry

    from ecohotline.cases.models import DeadlinePolicy

    policy = DeadlinePolicy.objects.first()
    LogEntry.objects.log_actions(user_id=org.admin.pk, queryset=[policy], action_flag=CHANGE,
                                 change_message=[{"changed": {"fields": ["reply within"]}}], single_object=True)
    entry = AuditEvent.objects.get(kind=AuditKind.CONFIG_CHANGED)
    assert entry.actor == org.admin and entry.detail["model"] == "cases.DeadlinePolicy"
    assert entry.detail["action"] == "changed" and "reply within" in entry.detail["message"]


def test_exports_are_recorded_with_their_filters(client: Any, org: Any) -> None:
    client.force_login(org.dispatcher)
    response = client.get(reverse("ui:case-export-csv") + "?status=new&sort=deadline", REMOTE_ADDR="10.9.8.7")
    b"".join(response.streaming_content)
    entry = AuditEvent.objects.get(kind=AuditKind.EXPORT)
    assert (entry.actor, entry.target, str(entry.ip)) == (org.dispatcher, "cases.csv", "10.9.8.7")
    assert entry.detail["filters"]["status"] == ["new"] and entry.detail["roles"] == ["dispatcher"]
    client.get("/api/v1/cases/export.xlsx")  # the API's export is the desk's
    assert AuditEvent.objects.filter(kind=AuditKind.EXPORT, target="cases.xlsx").count() == 1


def test_the_log_cannot_be_edited_and_is_purged_after_the_retention_only(settings: Any, org: Any) -> None:
    entry = services.record(AuditKind.EXPORT, actor=org.analyst, target="cases.csv")
    entry.target = "nothing"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=entry.pk).update(target="x")
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=entry.pk).delete()
    settings.AUDIT_RETENTION_DAYS = 30  # below the law's six months: six months it is
    assert services.retention_days() == services.MIN_RETENTION_DAYS
    now = timezone.now()
    assert services.purge(now + dt.timedelta(days=100)) == 0
    kept = AuditEvent.objects.count()
    assert services.purge(now + dt.timedelta(days=services.MIN_RETENTION_DAYS + 1)) == kept
    assert not AuditEvent.objects.exists()


def test_only_administrators_read_the_log(client: Any, org: Any) -> None:
    admin = UserFactory(username="root", is_staff=True, is_superuser=True, roles=[Role.ADMIN])
    staff = UserFactory(username="clerk", is_staff=True, roles=[Role.DISPATCHER])
    services.record(AuditKind.EXPORT, actor=org.analyst, target="cases.csv")
    url = reverse("admin:audit_auditevent_changelist")
    client.force_login(staff)
    assert client.get(url).status_code == 403
    client.force_login(admin)
    page = client.get(url + "?q=analyst")
    assert page.status_code == 200 and "cases.csv" in page.content.decode()
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
