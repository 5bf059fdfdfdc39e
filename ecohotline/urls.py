from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from ecohotline.ui.urls import auth_urlpatterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("ecohotline.api.urls")),
    path("intake/", include("ecohotline.intake.urls")),
    path("monitoring/", include("ecohotline.monitoring.urls")),
    path("assessment/", include("ecohotline.assessment.urls")),
    path("reports/", include("ecohotline.reports.urls")),
    path("insight/", include("ecohotline.insight.urls")),
    path("knowledge/", include("ecohotline.knowledge.urls")),
    path("training/", include("ecohotline.training.urls")),
    path("open311/v2/", include("ecohotline.open311.urls")),
    path("public/", include("ecohotline.public.urls")),
    path("hooks/", include("ecohotline.hooks.urls")),
    *auth_urlpatterns,
    path("", include("ecohotline.ui.urls")),
]
admin.site.site_header = settings.ADMIN_SITE_HEADER
admin.site.site_title = settings.ADMIN_SITE_HEADER
