"""The project's URLs with the knowledge API mounted as ecohotline/api/urls.py will mount it."""

from django.urls import include, path

from ecohotline.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("api/v1/knowledge/", include("ecohotline.knowledge.api_urls")), *project_urlpatterns]
