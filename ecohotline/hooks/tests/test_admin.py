"""Subscriptions are managed in admin; their deliveries are the outbox's, sent again from there."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from ecohotline.hooks.admin import WebhookSubscriptionForm
from ecohotline.hooks.models import WebhookSubscription
from ecohotline.hooks.webhooks import active_subscriptions, event_choices
from ecohotline.intake.admin import HotlineSourceForm

pytestmark = pytest.mark.django_db


def test_the_form_offers_every_event_and_needs_some():
    codes = {code for code, _label in event_choices()}
    assert {"created", "triaged", "dispatch", "reply", "return_order", "decide_appeal", "deadline_escalation",
            "ledger_entered", "meeting_decision"} <= codes
    form = WebhookSubscriptionForm()
    assert form.initial["secret"]  # a random one is proposed
    data = {"name": "区城管平台", "url": "https://example.org/hook", "secret": "s", "is_active": True}
    assert not WebhookSubscriptionForm(data=data).is_valid()
    assert not WebhookSubscriptionForm(data={**data, "events": ["no_such_event"]}).is_valid()
    form = WebhookSubscriptionForm(data={**data, "events": ["dispatch", "reply"]})
    assert form.is_valid(), form.errors
    subscription = form.save()
    assert subscription.events == ["dispatch", "reply"] and not subscription.all_events
    assert [s.id for s in active_subscriptions()] == [subscription.pk]
    assert WebhookSubscriptionForm(data={**data, "all_events": True}).is_valid()


def test_the_hotline_source_form_takes_a_feedback_url():
    form = HotlineSourceForm(data={"code": "bj12345", "name": "12345", "channel": "hotline_12345", "secret": "s",
                                   "is_active": True, "feedback_url": "https://12345.example.org/feedback"})
    assert form.is_valid(), form.errors
    assert form.save().feedback_url == "https://12345.example.org/feedback"


def test_the_admin_lists_subscriptions_with_a_link_to_their_deliveries():
    admin = get_user_model().objects.create_superuser("root", password="pw-1234-pw")
    subscription = WebhookSubscription.objects.create(name="区城管平台", url="https://example.org/h", secret="s",
                                                      all_events=True)
    client = Client()
    client.force_login(admin)
    page = client.get(reverse("admin:hooks_webhooksubscription_changelist")).content.decode()
    assert "区城管平台" in page
    link = f"{reverse('admin:notify_outboxmessage_changelist')}?transport=webhook&amp;target_id={subscription.pk}"
    assert link in page
    assert client.get(link.replace("&amp;", "&")).status_code == 200
    assert client.get(reverse("admin:hooks_webhooksubscription_add")).status_code == 200
