from django.contrib import admin
from django.urls import include, path

from . import views


# Slugs are matched with <str:...>: the built-in <slug:...> converter refuses Japanese.
kb_patterns = [
    path("", views.home, name="home"),
    path("articles/<str:slug>/", views.article_detail, name="article"),
    path("topics/", views.topic_list, name="topics"),
    path("topics/<str:slug>/", views.topic_detail, name="topic"),
]

urlpatterns = [
    path("", include((kb_patterns, "kb"))),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
