"""Mounted by ecohotline/api/urls.py as `path("v1/knowledge/", include("ecohotline.knowledge.api_urls"))`."""

from django.urls import path

from ecohotline.knowledge import api, views_similar

urlpatterns = [
    path("articles", api.ArticleListApi.as_view(), name="knowledge-articles"),
    path("articles/<int:pk>", api.ArticleDetailApi.as_view(), name="knowledge-article"),
    path("cases/<int:pk>", api.CaseArticlesApi.as_view(), name="knowledge-case"),
    path("cases/<int:pk>/similar", views_similar.SimilarCasesApi.as_view(), name="knowledge-case-similar"),
]
