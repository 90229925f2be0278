"""Editors' admin goes through the passage services: section edits re-anchor passages,
topic renames and merges leave redirects, passage edits are validated."""

from django.urls import reverse

from kb.models import Passage, Topic, TopicRedirect
from kb.passages import services as passage_services
from tests.html_forms import inline_post

BODY = "アリババは与信スコアの算出にeCreditalのデータを使う。"


def test_inline_section_edit_reanchors_passages(editor_client, make_article, analyst):
    article = make_article(sections=[("一", BODY, []), ("二", "二の本文", [])])
    section = article.sections.get(position=1)
    passage = passage_services.create_passage(section=section, analyst=analyst, exact="eCredital", topics=["x"])
    response = editor_client.post(
        reverse("admin:kb_article_change", args=[article.pk]),
        inline_post(article, {"sections-0-body": "追記。" + BODY, "sections-1-position": "0"}),
    )
    assert response.status_code == 302
    passage.refresh_from_db()
    section.refresh_from_db()
    assert (section.version, passage.status) == (2, "moved")
    assert section.plain_text[passage.start : passage.end] == "eCredital"


def test_section_admin_edit_orphans_but_keeps_the_passage(editor_client, make_article, analyst):
    section = make_article(sections=[("一", BODY, [])]).sections.get()
    passage = passage_services.create_passage(section=section, analyst=analyst, exact="eCredital", topics=["x"])
    response = editor_client.post(reverse("admin:kb_section_change", args=[section.pk]), {
        "article": section.article_id, "position": "1", "heading": "一", "body": "別の本文。", "topics": "",
        "loaded_version": str(section.version),
    })
    assert response.status_code == 302
    passage.refresh_from_db()
    assert passage.status == "orphaned"


def test_topic_rename_in_admin_redirects_the_old_url(editor_client, client):
    topic = Topic.objects.create(slug="big-tech", name="巨大IT")
    response = editor_client.post(reverse("admin:kb_topic_change", args=[topic.pk]), {
        "name": "ビッグテック", "name_en": "", "slug": "bigtech", "description": "",
        "aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0",
        "aliases-MIN_NUM_FORMS": "0", "aliases-MAX_NUM_FORMS": "1000",
    })
    assert response.status_code == 302
    assert TopicRedirect.objects.get().old_slug == "big-tech"
    assert client.get("/topics/big-tech/")["Location"] == "/topics/bigtech/"


def test_merge_action_asks_for_a_target_then_merges(editor_client, make_article, analyst):
    keep = Topic.objects.create(slug="platformers", name="プラットフォーマー")
    gone = Topic.objects.create(slug="big-tech", name="巨大IT")
    section = make_article(sections=[("一", BODY, ["big-tech"])]).sections.get()
    passage = passage_services.create_passage(section=section, analyst=analyst, exact="eCredital", topics=["big-tech"])
    url = reverse("admin:kb_topic_changelist")
    form = editor_client.post(url, {"action": "merge_into", "_selected_action": [gone.pk]})
    assert "統合先" in form.content.decode() and "巨大IT" in form.content.decode()
    editor_client.post(url, {"action": "merge_into", "_selected_action": [gone.pk],
                             "apply": "1", "target": keep.pk})
    assert not Topic.objects.filter(pk=gone.pk).exists()
    assert [t.slug for t in section.topics.all()] == ["platformers"]
    assert [t.slug for t in passage.topics.all()] == ["platformers"]


def test_passage_admin_edits_through_the_service_and_validates_tags(editor_client, make_article, analyst):
    section = make_article(sections=[("一", BODY, [])]).sections.get()
    passage = passage_services.create_passage(section=section, analyst=analyst, exact="eCredital", topics=["x"])
    url = reverse("admin:kb_passage_change", args=[passage.pk])
    assert editor_client.post(url, {"topics": "", "note": "空"}).status_code == 200  # form error
    passage.refresh_from_db()
    assert passage.note == ""
    assert editor_client.post(url, {"topics": "規制, AI", "note": "直した"}).status_code == 302
    passage.refresh_from_db()
    assert passage.note == "直した" and sorted(t.name for t in passage.topics.all()) == ["AI", "規制"]
    assert editor_client.get(reverse("admin:kb_passage_add")).status_code == 403
    editor_client.post(reverse("admin:kb_passage_delete", args=[passage.pk]), {"post": "yes"})
    assert not Passage.objects.exists()
