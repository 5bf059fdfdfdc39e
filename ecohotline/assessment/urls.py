from django.urls import path

from ecohotline.assessment import views

app_name = "assessment"
urlpatterns = [
    path("ledger/", views.ledger, name="ledger"),
]
