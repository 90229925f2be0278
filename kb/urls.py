from django.contrib import admin
from django.urls import include, path

from kb.passages import views as passages
from kb.site import health
from kb.views import history, pages, search

# Slugs are matched with <str:...>: the built-in <slug:...> converter refuses Japanese.
kb_patterns = [
    path("", pages.home, name="home"),
    path("articles/<str:slug>/", pages.article_detail, name="article"),
    path("articles/<str:slug>/history/", history.article_history, name="article_history"),
    path("articles/<str:slug>/history/compare/", history.article_compare, name="article_compare"),
    path("articles/<str:slug>/history/<int:version_id>/restore/", history.article_restore,
         name="article_restore"),
    path("topics/", pages.topic_list, name="topics"),
    path("topics/<str:slug>/", pages.topic_detail, name="topic"),
    path("topics/<str:slug>/articles/", pages.topic_articles, name="topic_articles"),
    path("topics/<str:slug>/passages/", pages.topic_passages, name="topic_passages"),
    path("api/passages/", passages.api_create, name="api_passages"),
    path("api/passages/<int:pk>/", passages.api_passage, name="api_passage"),
    path("api/topics/", passages.api_topics, name="api_topics"),
    path("api/topics/match/", passages.api_topic_match, name="api_topic_match"),
    path("passages/", passages.my_passages, name="my_passages"),
    path("passages/passages.csv", passages.export_csv, name="passages_csv"),
    path("passages/passages.jsonld", passages.export_annotations, name="passages_jsonld"),
    path("passages/repair/", passages.repair_list, name="passages_repair"),
    path("passages/<int:pk>/confirm/", passages.confirm, name="passage_confirm"),
    path("passages/<int:pk>/delete/", passages.delete, name="passage_delete"),
    path("search/", search.search_page, name="search"),
    path("api/search", search.search_api, name="api-search"),
]

urlpatterns = [
    path("", include((kb_patterns, "kb"))),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
]

handler400 = "kb.site.errors.bad_request"
handler500 = "kb.site.errors.server_error"
