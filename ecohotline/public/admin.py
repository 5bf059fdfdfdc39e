from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ecohotline.public.models import PublicReport


@admin.register(PublicReport)
class PublicReportAdmin(admin.ModelAdmin):
    """Read only: reports are filed on the public page and handled as cases."""

    list_display = ("tracking_number", "case", "consent_to_contact", "language", "created_at")
    search_fields = ("tracking_number", "case__external_id")
    fields = ("case", "tracking_number", "consent_to_contact", "language", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
