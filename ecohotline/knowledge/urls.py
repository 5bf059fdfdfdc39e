from django.urls import path

from ecohotline.knowledge import views, views_similar

app_name = "knowledge"
urlpatterns = [
    path("", views.article_list, name="article-list"),
    path("articles/<int:pk>/", views.article_detail, name="article-detail"),
    path("for-case/<int:pk>/", views.for_case, name="for-case"),
    path("similar/<int:pk>/", views_similar.similar_fragment, name="similar-cases"),
]
