from django.urls import path

from ecohotline.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="report-list"),
]
