"""Feeds, sitemap and robots.txt (kb.urls includes them under the namespace "kb")."""

from django.urls import path

from kb.exchange import views

urlpatterns = [
    path("feeds/articles/", views.articles_feed, name="feed_articles"),
    path("feeds/changes/", views.changes_feed, name="feed_changes"),
    path("feeds/topics/<str:slug>/", views.topic_feed, name="feed_topic"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
]
