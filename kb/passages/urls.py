"""Passage API and the analysts' pages (kb.urls includes them under the namespace "kb")."""

from django.urls import path

from kb.passages import views

urlpatterns = [
    path("api/passages/", views.api_create, name="api_passages"),
    path("api/passages/<int:pk>/", views.api_passage, name="api_passage"),
    path("api/topics/", views.api_topics, name="api_topics"),
    path("api/topics/match/", views.api_topic_match, name="api_topic_match"),
    path("passages/", views.my_passages, name="my_passages"),
    path("passages/views.csv", views.export_csv, name="passages_csv"),
    path("passages/views.jsonld", views.export_annotations, name="passages_jsonld"),
    path("passages/repair/", views.repair_list, name="passages_repair"),
    path("passages/<int:pk>/confirm/", views.confirm, name="passage_confirm"),
    path("passages/<int:pk>/delete/", views.delete, name="passage_delete"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_read, name="inbox_read"),
]
