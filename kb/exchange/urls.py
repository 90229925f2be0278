"""Citation files and pages (kb.urls includes them under the namespace "kb")."""

from django.urls import path

from kb.exchange import views

urlpatterns = [
    path("articles/<str:slug>/cite.<str:fmt>", views.article_citation, name="article_citation"),
    path("passages/<int:pk>/cite/", views.passage_citation, name="passage_cite"),
    path("passages/bibliography.<str:fmt>", views.passages_bibliography,
         name="passages_bibliography"),
]
