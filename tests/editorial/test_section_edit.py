"""An editor edits one section in place from the article page: its own form, a live
preview rendered by the saved page's sanitiser, conflict-checked saves, back to the anchor."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Version

from kb.editorial import services
from kb.models import Article, Passage, Section, Topic
from kb.passages import services as passage_services

pytestmark = pytest.mark.django_db

BODY = "アリババは与信スコアの算出にデータを使う。\n\n以上。"


@pytest.fixture
def section(make_article):
    Topic.objects.create(slug="platformers", name="プラットフォーマー", name_en="Platformers")
    article = make_article(title="与信の報告", sections=[("与信", BODY, ["platformers"]),
                                                    ("まとめ", "結論。", [])])
    return article.sections.get(position=1)


def _url(section):
    return reverse("kb:section_edit", args=[section.article.slug, section.pk])


def _post(client, section, headers=None, **fields):
    data = {"heading": section.heading, "body": section.body, "topics": "プラットフォーマー",
            "loaded_version": section.version, **fields}
    return client.post(_url(section), data, headers=headers)


def test_the_article_page_links_each_section_to_its_form_for_editors_only(client, section, editor):
    page = client.get(section.article.get_absolute_url())
    assert _url(section) not in page.content.decode()
    client.force_login(editor)
    page = client.get(section.article.get_absolute_url()).content.decode()
    for s in section.article.sections.all():
        assert _url(s) in page
    assert "このセクションを編集" in page  # in the interface's language


def test_the_form_holds_the_section_and_its_rendered_preview(editor_client, section):
    page = editor_client.get(_url(section)).content.decode()
    assert "アリババは与信スコアの算出にデータを使う。\n\n以上。</textarea>" in page
    assert 'value="プラットフォーマー"' in page
    assert "<p>アリババは与信スコアの算出にデータを使う。</p>" in page
    assert f'name="loaded_version" value="{section.version}"' in page


def test_readers_and_analysts_cannot_edit(client, section, analyst):
    assert client.get(_url(section)).status_code == 302  # to the login page
    client.force_login(analyst)
    assert client.get(_url(section)).status_code == 403
    assert _post(client, section, body="改ざん").status_code == 403
    assert client.post(reverse("kb:section_preview"), {"body": "x"}).status_code == 403
    assert Section.objects.get(pk=section.pk).body == BODY


def test_saving_needs_the_csrf_token(section, editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert _post(client, section, body="新しい本文").status_code == 403
    assert client.post(reverse("kb:section_preview"), {"body": "x"}).status_code == 403
    assert Section.objects.get(pk=section.pk).body == BODY


def test_the_preview_is_sanitised_as_the_saved_page_is(editor_client, section):
    body = "**太字**\n\n<script>alert(1)</script>\n\n[リンク](javascript:alert(1))"
    answer = editor_client.post(reverse("kb:section_preview"), {"body": body})
    assert answer.status_code == 200
    html = answer.json()["html"]
    assert "<strong>太字</strong>" in html
    assert "<script" not in html and "javascript:" not in html
    # Exactly what saving it shows.
    _post(editor_client, section, body=body)
    assert Section.objects.get(pk=section.pk).body_html == html


def test_a_preview_of_a_body_too_large_is_refused_with_a_reason(editor_client):
    answer = editor_client.post(reverse("kb:section_preview"), {"body": "あ" * 100_001})
    assert answer.status_code == 400
    assert answer.json()["error"]


def test_saving_makes_a_revision_keeps_passages_and_returns_to_the_anchor(
        editor_client, section, editor, analyst):
    passage = passage_services.create_passage(section=section, analyst=analyst,
                                              exact="与信スコア", topics=["プラットフォーマー"])
    versions = Version.objects.get_for_object(section.article).count()
    article_version = section.article.version
    response = _post(editor_client, section, heading="与信の仕組み",
                     body="はじめに一文。\n\n" + BODY, topics="プラットフォーマー, 新しい話題")
    assert response.status_code == 302
    assert response["Location"] == f"{section.article.get_absolute_url()}#{section.anchor}"
    saved = Section.objects.get(pk=section.pk)
    assert (saved.heading, saved.version) == ("与信の仕組み", section.version + 1)
    assert sorted(t.name for t in saved.topics.all()) == ["プラットフォーマー", "新しい話題"]
    assert Article.objects.get(pk=section.article_id).version == article_version + 1
    assert Version.objects.get_for_object(section.article).count() == versions + 1
    latest = Version.objects.get_for_object(section.article).first()
    assert latest.revision.user == editor
    # The passage moved with its text.
    passage = Passage.objects.get(pk=passage.pk)
    assert saved.plain_text[passage.start:passage.end] == "与信スコア"
    assert passage.status in (Passage.Status.ANCHORED, Passage.Status.MOVED)


def test_a_stale_form_shows_the_conflict_keeps_the_typed_text_and_changes_nothing(
        editor_client, section):
    loaded = section.version
    services.edit_section(section=section, loaded_version=loaded, heading=section.heading,
                          body="他の編集者の本文。", topics=["プラットフォーマー"], user=None)
    stored = Section.objects.get(pk=section.pk)
    response = _post(editor_client, section, body="私の本文。", loaded_version=loaded,
                     headers={"accept-language": "en"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Not saved: this section was changed after you opened it" in page
    assert "私の本文。</textarea>" in page  # what they typed, kept in the form
    assert "他の編集者の本文。" in page  # the other editor's text, shown beside it
    after = Section.objects.get(pk=section.pk)
    assert (after.body, after.version) == (stored.body, stored.version)

    # Keeping their own version and saving again is no longer stale.
    response = editor_client.post(_url(section), {
        "heading": section.heading, "body": "私の本文。", "topics": "プラットフォーマー",
        "loaded_version": stored.version, "kb_clash": "body", "kb_keep-body": "mine",
    })
    assert response.status_code == 302
    assert Section.objects.get(pk=section.pk).body == "私の本文。"


def test_a_merged_form_saved_without_choosing_is_refused(editor_client, section):
    response = _post(editor_client, section, body="私の本文。", kb_clash="body")
    assert response.status_code == 200
    assert Section.objects.get(pk=section.pk).body == BODY


def test_a_section_of_another_article_is_not_found(editor_client, section, make_article):
    other = make_article(title="別の記事")
    url = reverse("kb:section_edit", args=[other.slug, section.pk])
    assert editor_client.get(url).status_code == 404


def test_the_edit_links_cost_no_query_per_section(editor_client, make_article):
    counts = []
    for size in (2, 8):
        article = make_article(sections=[(f"節{i}", f"本文{i}。", []) for i in range(size)])
        with CaptureQueriesContext(connection) as queries:
            page = editor_client.get(article.get_absolute_url()).content.decode()
        assert page.count('class="section-edit-link"') == size
        counts.append(len(queries))
    assert counts[0] == counts[1]
