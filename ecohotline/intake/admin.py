"""Admin of intake: import profiles and runs, push sources, the orders as received, routing set-up."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ecohotline.core.admin import ReadOnlyAdmin
from ecohotline.intake.models import (
    HotlineSource,
    ImportProfile,
    ImportRejection,
    ImportRun,
    KeyUnit,
    OrderRecord,
    RoutingRule,
)


@admin.register(ImportProfile)
class ImportProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "channel", "coordinate_system", "encoding", "sheet", "header_row"]
    list_filter = ["channel", "coordinate_system"]
    search_fields = ["name"]


class ImportRejectionInline(admin.TabularInline):
    model = ImportRejection
    fields = ("row_number", "column", "reason", "values")
    readonly_fields = ("row_number", "column", "reason", "values")
    extra = 0
    can_delete = False
    max_num = 0
    show_change_link = False


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["file_name", "started_at", "started_by", "dry_run", "status", "rows_total", "created",
                    "updated", "unchanged", "rejected"]
    list_filter = ["status", "dry_run"]
    search_fields = ["file_name"]
    inlines = [ImportRejectionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class HttpsURLField(forms.URLField):
    """An address typed without a scheme is https (Django 6's default, without its deprecation warning)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class HotlineSourceForm(forms.ModelForm):
    class Meta:
        model = HotlineSource
        fields = ["code", "name", "channel", "secret", "is_active", "feedback_url"]
        field_classes = {"feedback_url": HttpsURLField}
        help_texts = {"secret": _("Shared with the pushing system, which signs each request with it "
                                  "(HMAC-SHA256). A fresh random one is proposed.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.initial.setdefault("secret", secrets.token_urlsafe(32))


@admin.register(HotlineSource)
class HotlineSourceAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # Django 6's default, now
    form = HotlineSourceForm
    list_display = ["code", "name", "channel", "is_active", "feedback_url"]


@admin.register(OrderRecord)
class OrderRecordAdmin(ReadOnlyAdmin):
    """Orders as received are a record: read only."""

    list_display = ["external_id", "channel", "received_via", "first_seen_at", "last_seen_at", "updates"]
    list_filter = ["channel", "received_via"]
    search_fields = ["external_id"]
    raw_id_fields = ["case"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["category", "street", "unit", "is_active"]
    list_filter = ["is_active"]


@admin.register(KeyUnit)
class KeyUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "keywords", "unit", "is_active"]
    search_fields = ["name", "keywords"]
