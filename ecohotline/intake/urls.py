from django.urls import path

from ecohotline.intake import views

app_name = "intake"
urlpatterns = [
    path("import/", views.import_orders, name="import"),
    path("import/<int:pk>/", views.import_run, name="import-run"),
    path("import/<int:pk>/progress/", views.import_progress, name="import-progress"),
    path("import/<int:pk>/rejections.xlsx", views.import_rejections, name="import-rejections"),
    path("import/<int:pk>/file/", views.import_file, name="import-file"),
]
