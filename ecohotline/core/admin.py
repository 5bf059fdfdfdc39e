from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ecohotline.core.models import WorkdayOverride


class ReadOnlyAdmin(admin.ModelAdmin):
    """Looked at in the admin, never written there: records written only through the services (a case and its
    timeline, the ledger, orders as received, the audit log...)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_working_day", "note"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"
