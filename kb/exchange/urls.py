"""Feeds, sitemap, robots.txt, REFI-QDA downloads and citation files (kb.urls includes them
under the namespace "kb")."""

from django.urls import path

from kb.exchange import citation_views, views

urlpatterns = [
    path("feeds/articles/", views.articles_feed, name="feed_articles"),
    path("feeds/changes/", views.changes_feed, name="feed_changes"),
    path("feeds/topics/<str:slug>/", views.topic_feed, name="feed_topic"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("passages/export.qdpx", views.my_passages_qdpx, name="passages_qdpx"),
    path("topics/export.qdpx", views.all_passages_qdpx, name="topics_qdpx"),
    path("topics/codebook.qdc", views.codebook_qdc, name="codebook_qdc"),
    path("topics/<str:slug>/export.qdpx", views.all_passages_qdpx, name="topic_qdpx"),
    path("articles/<str:slug>/cite.<str:fmt>", citation_views.article_citation, name="article_citation"),
    path("passages/<int:pk>/cite/", citation_views.passage_citation, name="passage_cite"),
    path("passages/bibliography.<str:fmt>", citation_views.passages_bibliography,
         name="passages_bibliography"),
]
