from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecohotline.open311 import services
from ecohotline.open311.models import ApiKey, ServiceRequest
from ecohotline.org.models import User


class ApiKeyForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["name", "contact", "rate_limit_per_hour"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are issued here (the key is shown once, in the message after saving) and revoked by the action."""

    form = ApiKeyForm
    list_display = ["name", "prefix", "contact", "rate_limit_per_hour", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "contact", "prefix"]
    readonly_fields = ["prefix", "created_at", "created_by", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> list[str]:
        return [] if obj is None else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            obj.save(update_fields=["name", "contact", "rate_limit_per_hour"])
            return
        actor = request.user if isinstance(request.user, User) else None
        issued = services.issue_api_key(actor=actor, name=obj.name, contact=obj.contact,
                                        rate_limit_per_hour=obj.rate_limit_per_hour)
        obj.pk = issued.key.pk
        obj.prefix, obj.key_hash, obj.created_at = issued.key.prefix, issued.key.key_hash, issued.key.created_at
        obj._state.adding = False
        self.message_user(
            request,
            _("The API key for %(name)s is %(key)s — copy it now: it is not stored and cannot be shown again.")
            % {"name": obj.name, "key": issued.plain},
            messages.WARNING,
        )

    def has_delete_permission(self, request: HttpRequest, obj: ApiKey | None = None) -> bool:
        return False  # revoke instead: the requests a key filed keep pointing at it

    @admin.action(description=gettext_lazy("Revoke the selected API keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        count = 0
        for key in queryset.filter(revoked_at__isnull=True):
            services.revoke_api_key(actor=request.user if isinstance(request.user, User) else None, key=key)
            count += 1
        self.message_user(request, _("%(count)d API keys revoked.") % {"count": count}, messages.SUCCESS)


@admin.register(ServiceRequest)
class ServiceRequestAdmin(admin.ModelAdmin):
    list_display = ["token", "case", "service_code", "api_key", "created_at"]
    list_filter = ["api_key"]
    search_fields = ["token", "case__external_id"]
    readonly_fields = ["case", "token", "api_key", "service_code", "attributes", "media_urls", "account_id",
                       "device_id", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ServiceRequest | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ServiceRequest | None = None) -> bool:
        return False
