from django.contrib import admin

from ecohotline.assessment.models import KpiScheme


@admin.register(KpiScheme)
class KpiSchemeAdmin(admin.ModelAdmin):
    list_display = ["name", "effective_from", "period_start_day", "basic_satisfaction_credit", "response_weight",
                    "resolution_weight", "satisfaction_weight"]
    ordering = ["-effective_from"]
