"""The archive and the meetings in the admin: to look at, not to write (documents are generated, decisions go
through `reports.services` so that they reach the case's timeline)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ecohotline.reports.models import Meeting, MeetingDecision, ReportRun


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReportRun)
class ReportRunAdmin(ReadOnlyAdmin):
    list_display = ("kind", "period_start", "period_end", "version", "generated_at", "generated_by")
    list_filter = ("kind",)
    date_hierarchy = "period_start"


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("title", "held_on", "week_start", "week_end", "created_by")


@admin.register(MeetingDecision)
class MeetingDecisionAdmin(ReadOnlyAdmin):
    list_display = ("meeting", "case", "responsible", "due", "created_by", "created_at")
    list_select_related = ("meeting", "case", "responsible", "created_by")
