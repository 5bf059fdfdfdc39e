from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import RedirectView

from ecohotline.ui import views

app_name = "ui"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="ui:case-list", permanent=False), name="home"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/new/", views.case_new, name="case-new"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("language/", views.set_language, name="set-language"),
]

# Log in and out sit at the top level so that settings.LOGIN_URL = "login" resolves.
auth_urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
