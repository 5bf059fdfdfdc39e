"""Admin of hooks: webhook subscriptions (their deliveries are in the outbox admin, with its dead-letter list)."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ecohotline.hooks import webhooks
from ecohotline.hooks.models import WebhookSubscription


class HttpsURLField(forms.URLField):
    """An address typed without a scheme is https (Django 6's default, without its deprecation warning)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class WebhookSubscriptionForm(forms.ModelForm):
    events = forms.MultipleChoiceField(label=_("events"), required=False, widget=forms.CheckboxSelectMultiple,
                                       help_text=_("Used when “all events” is off."))

    class Meta:
        model = WebhookSubscription
        fields = ["name", "url", "secret", "is_active", "all_events", "events"]
        field_classes = {"url": HttpsURLField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        events = self.fields["events"]
        assert isinstance(events, forms.MultipleChoiceField)
        events.choices = webhooks.event_choices()
        if not self.instance.pk:
            self.initial.setdefault("secret", secrets.token_urlsafe(32))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("all_events") and not data.get("events"):
            raise forms.ValidationError(_("Choose the events to send, or all events."))
        return data


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # Django 6's default, now
    form = WebhookSubscriptionForm
    list_display = ["name", "url", "is_active", "all_events", "event_count", "deliveries"]
    list_filter = ["is_active", "all_events"]
    search_fields = ["name", "url"]

    @admin.display(description=_("events"))
    def event_count(self, subscription: WebhookSubscription) -> str:
        return str(_("all")) if subscription.all_events else str(len(subscription.events))

    @admin.display(description=_("deliveries"))
    def deliveries(self, subscription: WebhookSubscription) -> str:
        query = urlencode({"transport": webhooks.TRANSPORT, "target_id": subscription.pk})
        return format_html('<a href="{}?{}">{}</a>', reverse("admin:notify_outboxmessage_changelist"), query,
                           _("Deliveries"))
