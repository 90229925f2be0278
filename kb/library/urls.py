"""Reader pages: home, articles, topics (kb.urls includes them under the namespace "kb")."""

from django.urls import path

from kb.library import views

# Slugs are matched with <str:...>: the built-in <slug:...> converter refuses Japanese.
urlpatterns = [
    path("", views.home, name="home"),
    path("articles/", views.article_list, name="articles"),
    path("articles/<str:slug>/", views.article_detail, name="article"),
    path("articles/<str:slug>/original", views.article_original, name="article_original"),
    path("topics/", views.topic_list, name="topics"),
    # Not under topics/: any word there could be a topic's slug.
    path("topic-overview/", views.topic_overview, name="topic_overview"),
    path("topics/colours.css", views.topic_colours, name="topic_colours"),
    # Before the topic pages, so it is not read as a topic's slug (a topic slugged
    # "matrix" would need another slug to be reachable).
    path("topics/matrix/", views.topic_matrix, name="topic_matrix"),
    path("topics/matrix.csv", views.topic_matrix_csv, name="topic_matrix_csv"),
    path("topics/<str:slug>/", views.topic_detail, name="topic"),
    path("topics/<str:slug>/articles/", views.topic_articles, name="topic_articles"),
    path("topics/<str:slug>/passages/", views.topic_passages, name="topic_passages"),
]
