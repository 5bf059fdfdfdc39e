from ecohotline.insight.views import analysis, hot_issues, hotspots, planning, registry

app_name = "insight"
urlpatterns = [*analysis.urlpatterns, *hotspots.urlpatterns, *hot_issues.urlpatterns, *planning.urlpatterns,
               *registry.urlpatterns]
