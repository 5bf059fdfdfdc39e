"""Notifications: the in-app list in the reader's language, unread counts, marking read."""

import datetime as dt

import pytest
from django.urls import reverse

from ecohotline.cases import services
from ecohotline.factories import make_case
from ecohotline.notify.models import Notification
from ecohotline.notify.selectors import notification_text
from ecohotline.notify.services import notify_users

pytestmark = pytest.mark.django_db


def _notify(user, kind="case_assigned", case_id=None, **params):
    params.setdefault("reference", "EH-1")
    notify_users(recipients=[user], kind=kind, case_id=case_id, **params)
    return Notification.objects.filter(recipient=user).order_by("-pk").first()


def test_a_dispatch_notifies_the_handler_and_the_list_shows_it(client, org, django_capture_on_commit_callbacks):
    case = make_case(street=org.street, external_id="12345-001")
    with django_capture_on_commit_callbacks(execute=True):
        services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad, handler=org.handler)
    client.force_login(org.handler)
    response = client.get(reverse("ui:notifications") + "?lang=en")
    text = response.content.decode()
    assert "12345-001 is waiting for you." in text
    assert reverse("ui:case-detail", args=[case.pk]) in text
    assert 'id="nav-unread-count"' in text


def test_every_kind_is_put_into_words_in_the_readers_language(org):
    from django.utils import translation

    kinds = {
        "case_assigned": {}, "case_returned": {"reason": "不归我们管"}, "case_reopened": {},
        "case_supervised": {"note": "抓紧"}, "case_reminded": {"note": ""}, "extension_requested": {"days": 5},
        "extension_decided": {"approved": True}, "joint_handling_called": {}, "joint_reply_received": {},
        "deadline_reminder": {"deadline": "contact", "due_at": "2026-11-20T10:00:00+00:00"},
        "deadline_escalation": {"deadline": "completion", "due_at": "2026-11-20T10:00:00+00:00"},
    }
    with translation.override("en"):
        for kind, params in kinds.items():
            text = notification_text(_notify(org.handler, kind, **params))
            assert "EH-1" in text and kind not in text
        escalation = notification_text(Notification.objects.get(recipient=org.handler, kind="deadline_escalation"))
        assert "Completion" in escalation and "18:00" in escalation  # Asia/Shanghai
    assert notification_text(_notify(org.handler, "something_new")) == "something_new · EH-1"


def test_hostile_parameters_are_escaped(client, org):
    _notify(org.handler, "case_returned", reason="<script>alert(1)</script>")
    client.force_login(org.handler)
    text = client.get(reverse("ui:notifications")).content.decode()
    assert "<script>alert(1)" not in text and "&lt;script&gt;alert(1)" in text


def test_only_my_notifications_are_listed(client, org):
    _notify(org.handler, reference="MINE-1")
    _notify(org.other_handler, reference="THEIRS-1")
    client.force_login(org.handler)
    text = client.get(reverse("ui:notifications")).content.decode()
    assert "MINE-1" in text and "THEIRS-1" not in text


def test_mark_one_read(client, org):
    first = _notify(org.handler, reference="A-1")
    second = _notify(org.handler, reference="A-2")
    client.force_login(org.handler)
    response = client.post(reverse("ui:notification-read", args=[first.pk]))
    assert response.status_code == 302 and response.url == reverse("ui:notifications")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    assert client.get(reverse("ui:notifications")).context["nav_unread"] == 1


def test_someone_elses_notification_cannot_be_marked(client, org):
    theirs = _notify(org.other_handler)
    client.force_login(org.handler)
    assert client.post(reverse("ui:notification-read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_is_post_only(client, org):
    mine = _notify(org.handler)
    client.force_login(org.handler)
    assert client.get(reverse("ui:notification-read", args=[mine.pk])).status_code == 405
    assert client.get(reverse("ui:notifications-read-all")).status_code == 405


def test_mark_all_read_leaves_others_alone(client, org):
    for _ in range(3):
        _notify(org.handler)
    theirs = _notify(org.other_handler)
    client.force_login(org.handler)
    client.post(reverse("ui:notifications-read-all"))
    assert not Notification.objects.filter(recipient=org.handler, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    text = client.get(reverse("ui:notifications")).content.decode()
    assert 'id="nav-unread-count"' not in text


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("ui:notifications"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_query_count_does_not_grow_with_notifications(client, org, django_assert_max_num_queries):
    for i in range(3):
        _notify(org.handler, "deadline_reminder", deadline="reply", due_at=f"2026-11-2{i}T10:00:00+00:00")
    client.force_login(org.handler)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("ui:notifications"))
    for i in range(60):
        _notify(org.handler, "case_reminded", case_id=i + 1, note=f"第{i}次")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("ui:notifications"))
    assert len(response.context["rows"]) == 50 and response.context["page"].has_next()


def test_created_at_is_shown(client, org):
    item = _notify(org.handler)
    Notification.objects.filter(pk=item.pk).update(created_at=dt.datetime(2026, 11, 20, 2, 30, tzinfo=dt.UTC))
    client.force_login(org.handler)
    assert "2026-11-20 10:30" in client.get(reverse("ui:notifications")).content.decode()
