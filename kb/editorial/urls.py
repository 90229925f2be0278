"""Article history: list, compare, restore (kb.urls includes them under the namespace "kb")."""

from django.urls import path

from kb.editorial import views

# Slugs are matched with <str:...>: the built-in <slug:...> converter refuses Japanese.
urlpatterns = [
    path("changes/", views.recent_changes, name="changes"),
    path("watched/", views.watched, name="watched"),
    path("watch/", views.watch_toggle, name="watch"),
    path("articles/<str:slug>/history/", views.article_history, name="article_history"),
    path("articles/<str:slug>/history/compare/", views.article_compare, name="article_compare"),
    path("articles/<str:slug>/history/<int:version_id>/restore/", views.article_restore,
         name="article_restore"),
    path("articles/<str:slug>/sections/<int:section_id>/edit/", views.section_edit,
         name="section_edit"),
    path("sections/preview/", views.section_preview, name="section_preview"),
]
