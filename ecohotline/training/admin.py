"""Admin of the training sandbox: scenarios, whose JSON (order, expected handling, script) is checked as a run
would take it, each problem shown by its field; runs, read-only (they change through `training.services`)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ecohotline.training.forms import ScenarioAdminForm
from ecohotline.training.models import Run, Scenario


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    form = ScenarioAdminForm
    list_display = ["title", "source", "is_active", "created_by", "created_at"]
    list_filter = ["is_active", "source"]
    search_fields = ["title", "briefing"]
    raw_id_fields = ["based_on", "created_by"]
    readonly_fields = ["created_at", "training_page"]
    fieldsets = [
        (None, {"fields": ["title", "briefing", "source", "is_active", "starts_at", "training_page"]}),
        (_("Data"), {"fields": ["order", "expected", "script"],
                     "description": _("JSON, checked when saved; the format is described in training/scenarios.py.")}),
        (_("Origin"), {"fields": ["based_on", "created_by", "created_at"]}),
    ]

    @admin.display(description=_("training page"))
    def training_page(self, scenario: Scenario) -> str:
        if scenario.pk is None:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("training:scenario", args=[scenario.pk]), scenario.title)

    def save_model(self, request: HttpRequest, obj: Scenario, form: Any, change: bool) -> None:
        if obj.created_by_id is None and not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = ["trainee", "scenario", "status", "score_percent", "started_at", "finished_at"]
    list_filter = ["status", "scenario"]
    search_fields = ["trainee__username", "trainee__display_name", "scenario__title"]
    list_select_related = ["trainee", "scenario"]
    ordering = ["trainee__username", "-started_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Run | None = None) -> list[str]:
        return [field.name for field in Run._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a run starts through `training.services.start_run`, with its case

    def has_change_permission(self, request: HttpRequest, obj: Run | None = None) -> bool:
        return False
