from django.urls import path

from ecohotline.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.station_list, name="station-list"),
    path("stations/<slug:code>/", views.station_detail, name="station-detail"),
    path("alerts/", views.alert_list, name="alert-list"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert-detail"),
    path("alerts/<int:pk>/verify/", views.alert_verify, name="alert-verify"),
    path("alerts/<int:pk>/close/", views.alert_close, name="alert-close"),
]
