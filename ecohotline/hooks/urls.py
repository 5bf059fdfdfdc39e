from django.urls import path

from ecohotline.hooks import views

app_name = "hooks"
urlpatterns = [
    path("cases/<int:pk>/outgoing/", views.case_outgoing, name="case-outgoing"),
]
