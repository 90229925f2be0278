from django.contrib import admin
from django.urls import include, path

from .views import pages, search


# Slugs are matched with <str:...>: the built-in <slug:...> converter refuses Japanese.
kb_patterns = [
    path("", pages.home, name="home"),
    path("articles/<str:slug>/", pages.article_detail, name="article"),
    path("topics/", pages.topic_list, name="topics"),
    path("topics/<str:slug>/", pages.topic_detail, name="topic"),
    path("search/", search.search_page, name="search"),
    path("api/search", search.search_api, name="api-search"),
]

urlpatterns = [
    path("", include((kb_patterns, "kb"))),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
