from django.urls import path

from ecohotline.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="report-list"),
    path("generate/", views.generate, name="generate"),
    path("runs/<int:pk>/<str:fmt>/", views.download, name="download"),
    path("meetings/", views.meeting_open, name="meeting-open"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/pack/", views.meeting_pack, name="meeting-pack"),
    path("meetings/<int:pk>/decisions/", views.decision_add, name="decision-add"),
]
