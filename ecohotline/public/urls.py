from django.urls import path

from ecohotline.public import views

app_name = "public"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("report/", views.report, name="report"),
    path("report/done/", views.receipt, name="receipt"),
    path("track/", views.track, name="track"),
]
