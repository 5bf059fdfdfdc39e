
from django.contrib import admin

from ecohotline.assessment.models import KpiScheme, LedgerEntry, Retrospective
from ecohotline.core.admin import ReadOnlyAdmin


@admin.register(KpiScheme)
class KpiSchemeAdmin(admin.ModelAdmin):
    list_display = ["name", "effective_from", "period_start_day", "basic_satisfaction_credit", "response_weight",
                    "resolution_weight", "satisfaction_weight"]
    ordering = ["-effective_from"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["case", "reasons", "owner", "next_date", "entered_at", "left_at", "exit_kind"]
    list_filter = ["exit_kind"]
    list_select_related = ["case", "owner"]
    search_fields = ["case__external_id"]
    raw_id_fields = ["case", "owner", "removed_by"]
    ordering = ["-entered_at"]


@admin.register(Retrospective)
class RetrospectiveAdmin(ReadOnlyAdmin):
    list_display = ["case", "visit_at", "status", "cause", "recorded_by", "recorded_at"]
    list_filter = ["status", "cause"]
    list_select_related = ["case", "recorded_by"]
    search_fields = ["case__external_id"]
    raw_id_fields = ["case", "visit", "recorded_by"]
    ordering = ["-visit_at"]
