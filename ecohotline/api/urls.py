from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import SimpleRouter

from ecohotline.api.views import CaseViewSet
from ecohotline.assessment.api import KpisView, RankingsView, TrendView
from ecohotline.intake.api import HotlineOrdersView
from ecohotline.monitoring.api import ReadingsView

router = SimpleRouter(trailing_slash=False)
router.register("cases", CaseViewSet, basename="case")

app_name = "api"
urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/auth/token", obtain_auth_token, name="token"),
    path("v1/hotline/orders", HotlineOrdersView.as_view(), name="hotline-orders"),
    path("v1/monitoring/readings", ReadingsView.as_view(), name="monitoring-readings"),
    path("v1/assessment/kpis", KpisView.as_view(), name="assessment-kpis"),
    path("v1/assessment/rankings", RankingsView.as_view(), name="assessment-rankings"),
    path("v1/assessment/trend", TrendView.as_view(), name="assessment-trend"),
    path("v1/insight/", include("ecohotline.insight.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="swagger-ui"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]
