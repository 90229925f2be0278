"""Search page and API (kb.urls includes them under the namespace "kb")."""

from django.urls import path

from kb.search import views

urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("api/search", views.search_api, name="api-search"),
]
