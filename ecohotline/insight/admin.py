"""Admin of the insight app: the key units registry is reference data the administrator may correct here; alerts,
case links, proposals and themes are written by the services (decisions, results, timeline events) and only
looked at here."""

from __future__ import annotations

from django.contrib import admin

from ecohotline.core.admin import ReadOnlyAdmin
from ecohotline.insight.models import InsightAlert, KeyUnit, KeyUnitCase, MonthlyTheme, TaskProposal


@admin.register(KeyUnit)
class KeyUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "industry_code", "street", "team", "is_key_industry", "is_key_area", "is_key_unit",
                    "is_active"]
    list_filter = ["is_key_industry", "is_key_area", "is_key_unit", "is_active"]
    list_select_related = ["street", "team"]
    search_fields = ["name", "aliases", "address", "industry_code"]
    ordering = ["name"]


@admin.register(KeyUnitCase)
class KeyUnitCaseAdmin(ReadOnlyAdmin):
    list_display = ["key_unit", "case", "how", "score", "confirmed_by", "confirmed_at"]
    list_filter = ["how"]
    list_select_related = ["key_unit", "case", "confirmed_by"]
    raw_id_fields = ["key_unit", "case", "confirmed_by"]


@admin.register(TaskProposal)
class TaskProposalAdmin(ReadOnlyAdmin):
    list_display = ["title", "source", "category", "status", "team", "deadline", "decided_by", "finished_at",
                    "problems_found"]
    list_filter = ["status", "source"]
    list_select_related = ["team", "decided_by"]
    search_fields = ["title", "category"]
    raw_id_fields = ["case", "team", "street", "decided_by", "result_by", "theme"]
    ordering = ["-created_at"]


@admin.register(MonthlyTheme)
class MonthlyThemeAdmin(ReadOnlyAdmin):
    list_display = ["month", "title", "leader"]
    ordering = ["-month"]


@admin.register(InsightAlert)
class InsightAlertAdmin(ReadOnlyAdmin):
    list_display = ["kind", "category", "street", "week_start", "observed", "expected", "p_value", "status"]
    list_filter = ["kind", "status"]
    list_select_related = ["street"]
    ordering = ["-week_start"]
