from django.urls import path

from ecohotline.training import views

app_name = "training"
urlpatterns = [
    path("", views.home, name="home"),
    path("scenarios/", views.scenario_list, name="scenarios"),
    path("scenarios/generate/", views.generate, name="generate"),
    path("scenarios/from-case/", views.from_case, name="from-case"),
    path("scenarios/<int:pk>/", views.scenario_detail, name="scenario"),
    path("scenarios/<int:pk>/start/", views.start, name="start"),
    path("scenarios/<int:pk>/assign/", views.assign, name="assign"),
    path("scenarios/<int:pk>/active/", views.set_active, name="set-active"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/enter/", views.enter, name="enter"),
    path("runs/<int:pk>/jump/", views.jump, name="jump"),
    path("runs/<int:pk>/speed/", views.speed, name="speed"),
    path("runs/<int:pk>/finish/", views.finish, name="finish"),
    path("leave/", views.leave, name="leave"),
    path("overview/", views.overview, name="overview"),
]
