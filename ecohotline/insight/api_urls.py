from ecohotline.insight.views import analysis, hot_issues, hotspots, planning, registry

urlpatterns = [*analysis.api_urlpatterns, *hotspots.api_urlpatterns, *hot_issues.api_urlpatterns,
               *planning.api_urlpatterns, *registry.api_urlpatterns]
