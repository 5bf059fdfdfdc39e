from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ecohotline.audit.models import AuditEvent
from ecohotline.core.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read only, for administrators: searchable by user, address and target, filtered by kind and date."""

    list_display = ("at", "kind", "actor_name", "ip", "target")
    list_filter = ("kind", ("at", admin.DateFieldListFilter))
    search_fields = ("actor_name", "target", "ip")
    date_hierarchy = "at"
    readonly_fields = ("at", "kind", "actor", "actor_name", "ip", "target", "detail")
    list_per_page = 100
    show_full_result_count = False


    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)
