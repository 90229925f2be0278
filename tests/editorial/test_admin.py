"""Editors change everything through the admin; readers and analysts cannot."""

import pytest
from django.urls import reverse

from kb.models import Article, Section, Topic
from tests.html_forms import inline_post


def test_editor_saves_an_inline_section_edit_with_topics(editor_client, make_article):
    Topic.objects.create(slug="ai-regulation", name="AI規制", name_en="AI regulation")
    article = make_article(sections=[("一", "旧本文", []), ("二", "二の本文", [])])
    url = reverse("admin:kb_article_change", args=[article.pk])
    response = editor_client.post(url, inline_post(article, {
        "sections-0-body": "生成AIサービス管理暫定弁法の**施行**。",
        "sections-0-topics": "AI規制, 新しいタグ",
    }))
    assert response.status_code == 302, response.content.decode()[:2000]
    section = Section.objects.get(article=article, position=1)
    assert section.body_html == "<p>生成AIサービス管理暫定弁法の<strong>施行</strong>。</p>"
    assert section.plain_text == "生成AIサービス管理暫定弁法の施行。"
    assert sorted(t.name for t in section.topics.all()) == ["AI規制", "新しいタグ"]
    assert Topic.objects.get(name="新しいタグ").slug == "新しいタグ"


def test_inline_edit_with_script_is_stored_sanitised(editor_client, make_article):
    article = make_article()
    url = reverse("admin:kb_article_change", args=[article.pk])
    editor_client.post(url, inline_post(article, {
        "sections-0-body": 'ok<script>alert(1)</script><img src=x onerror="alert(1)">',
    }))
    section = article.sections.get()
    assert "ok" in section.body_html
    assert "<script" not in section.body_html and "onerror" not in section.body_html


def test_admin_changelist_filters_by_topic_kind_and_searches(editor_client, make_article):
    Topic.objects.create(slug="platformers", name="プラットフォーマー")
    make_article(title="アリババの戦略", kind="slide_deck", sections=[("s", "x", ["platformers"])])
    make_article(title="中ロ", kind="column", sections=[("s", "y", [])])
    url = reverse("admin:kb_article_changelist")
    by_topic = editor_client.get(url, {"topic": "platformers"}).content.decode()
    assert "アリババの戦略" in by_topic and "中ロ</a>" not in by_topic
    by_kind = editor_client.get(url, {"kind__exact": "column"}).content.decode()
    assert "中ロ" in by_kind and "アリババの戦略" not in by_kind
    found = editor_client.get(url, {"q": "アリババ"}).content.decode()
    assert "アリババの戦略" in found and "中ロ</a>" not in found


def test_section_preview_shows_stored_html(editor_client, make_article):
    article = make_article(sections=[("一", "**強調**の本文", [])])
    html = editor_client.get(reverse("admin:kb_article_change", args=[article.pk])).content.decode()
    assert "<strong>強調</strong>の本文" in html


def test_editor_edits_topic_with_see_also_and_aliases(editor_client):
    topic = Topic.objects.create(slug="huawei-5g", name="ファーウェイ・5G")
    other = Topic.objects.create(slug="sino-russian-tech", name="中ロ技術協力")
    response = editor_client.post(reverse("admin:kb_topic_change", args=[topic.pk]), {
        "name": "ファーウェイ・5G", "name_en": "Huawei & 5G", "slug": "huawei-5g",
        "description": "通信機器大手。", "see_also": [str(other.pk)],
        "aliases-TOTAL_FORMS": "1", "aliases-INITIAL_FORMS": "0",
        "aliases-MIN_NUM_FORMS": "0", "aliases-MAX_NUM_FORMS": "1000",
        "aliases-0-name": "華為",
    })
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.description_html == "<p>通信機器大手。</p>"
    assert list(other.see_also.all()) == [topic]
    assert [a.name for a in topic.aliases.all()] == ["華為"]


@pytest.mark.parametrize("who", ["anonymous", "analyst"])
def test_readers_and_analysts_cannot_reach_the_admin(client, analyst, make_article, who):
    article = make_article()
    if who == "analyst":
        client.force_login(analyst)
    url = reverse("admin:kb_article_change", args=[article.pk])
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.post(url, inline_post(article, {"title": "改ざん"}))
    assert Article.objects.get(pk=article.pk).title != "改ざん"


def test_browser_line_ends_do_not_count_as_edits(editor_client, make_article):
    """Browsers post textareas with CRLF; only the section really edited changes version."""
    article = make_article(sections=[("一", "段落一。\n\n段落二。", []),
                                     ("二", "段落三。\n\n段落四。", [])])
    first, second = article.sections.order_by("position")
    versions = (first.version, second.version)
    data = inline_post(article, {"summary": "概要。\r\n\r\n二段落目。"})
    for i in range(2):
        data[f"sections-{i}-body"] = data[f"sections-{i}-body"].replace("\n", "\r\n")
    data["sections-1-heading"] = "二（改題）"
    response = editor_client.post(reverse("admin:kb_article_change", args=[article.pk]), data)
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.version == versions[0]
    assert second.version > versions[1]
    assert first.body == "段落一。\n\n段落二。"
    assert Article.objects.get(pk=article.pk).summary == "概要。\n\n二段落目。"


def _long_article(make_article, count):
    return make_article(sections=[(f"第{n}節", f"第{n}節の本文。" * 20, []) for n in range(count)])


def test_a_401_section_article_is_edited_and_saved(
    editor_client, make_article, django_assert_max_num_queries, settings
):
    article = _long_article(make_article, 401)
    url = reverse("admin:kb_article_change", args=[article.pk])
    form = editor_client.get(url)
    assert form.status_code == 200
    # Posted as UTF-8, not URL-encoded at 9 bytes a kana, against the 2.5 MB body limit.
    assert 'enctype="multipart/form-data"' in form.content.decode()
    data = inline_post(article, {"sections-200-body": "書き直した本文。"})
    # Queries grow linearly with the sections (each form reads its id and topics, the
    # revision its topics): no query reads all sections per section.
    with django_assert_max_num_queries(3 * 401 + 100):
        response = editor_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    changed = Section.objects.get(article=article, heading="第200節")
    assert changed.body == "書き直した本文。" and changed.body_html == "<p>書き直した本文。</p>"
    assert article.sections.count() == 401
    # The documented bound: an article of 2,000 sections, every one marked for deletion.
    per_section = (len(data) - 14) / 401 + 1
    assert 14 + 2000 * per_section <= settings.DATA_UPLOAD_MAX_NUMBER_FIELDS


def test_a_form_over_the_field_limit_gets_a_clear_page_and_writes_nothing(
    editor_client, make_article, settings
):
    article = _long_article(make_article, 12)
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50  # as 3,000 sections are to the real limit
    url = reverse("admin:kb_article_change", args=[article.pk])
    response = editor_client.post(url, inline_post(article, {
        "title": "新しい題", "sections-3-body": "書き直した本文。"}))
    html = response.content.decode()
    assert response.status_code == 400
    assert "入力内容を含め、何も保存されていません" in html  # in the editor's language
    # …and how to proceed: the article's sections, each editable on its own.
    sections = reverse("admin:kb_section_changelist") + f"?article__id__exact={article.pk}"
    assert sections.replace("&", "&amp;") in html or sections in html
    assert editor_client.get(sections).content.decode().count('class="action-checkbox"') == 12
    article.refresh_from_db()
    assert article.title != "新しい題"
    assert not Section.objects.filter(body="書き直した本文。").exists()


def test_renaming_a_topic_in_the_admin_keeps_old_names_and_corpus_loads_again(editor_client):
    from kb.editorial.corpus import load_corpus

    load_corpus()
    topic = Topic.objects.get(slug="ai-regulation")
    aliases = list(topic.aliases.values_list("pk", "name"))
    data = {
        "name": "AIガバナンス・規制", "name_en": "AI governance", "slug": "ai-governance",
        "description": topic.description, "see_also": [str(t.pk) for t in topic.see_also.all()],
        "aliases-TOTAL_FORMS": str(len(aliases)), "aliases-INITIAL_FORMS": str(len(aliases)),
        "aliases-MIN_NUM_FORMS": "0", "aliases-MAX_NUM_FORMS": "1000",
    }
    for i, (pk, name) in enumerate(aliases):
        data.update({f"aliases-{i}-id": str(pk), f"aliases-{i}-topic": str(topic.pk),
                     f"aliases-{i}-name": name})
    response = editor_client.post(reverse("admin:kb_topic_change", args=[topic.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    topic.refresh_from_db()
    assert topic.slug == "ai-governance"
    assert {"AI規制", "AI regulation"} <= {a.name for a in topic.aliases.all()}
    assert editor_client.get("/topics/ai-regulation/")["Location"] == "/topics/ai-governance/"

    assert load_corpus().topics_created == 0
    assert not Topic.objects.filter(slug="ai-regulation").exists()


def test_section_admin_tags_match_existing_topics_and_new_ones_are_searchable(
    editor_client, client, make_article
):
    """The admin's topic field matches a near miss to the existing topic, as the passage
    editor does, and a new topic it creates is found by search at once."""
    platformers = Topic.objects.create(slug="platformers", name="プラットフォーマー",
                                       name_en="Platformers")
    section = make_article(sections=[("一", "本文。", [])]).sections.get()
    response = editor_client.post(reverse("admin:kb_section_change", args=[section.pk]), {
        "article": section.article_id, "position": "1", "heading": "一", "body": "本文。",
        "topics": "ＰＬＡＴＦＯＲＭ ERS, 越境データ流通", "loaded_version": str(section.version),
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert sorted(t.name for t in section.topics.all()) == ["プラットフォーマー", "越境データ流通"]
    assert Topic.objects.count() == 2 and platformers.slug == "platformers"
    data = client.get(reverse("kb:api-search"), {"q": "越境データ流通"}).json()
    assert [t["name"] for t in data["topics"]] == ["越境データ流通"]


def test_renaming_a_topic_and_typing_its_old_name_as_an_alias_in_the_same_save(editor_client):
    topic = Topic.objects.create(slug="big-tech", name="巨大IT")
    response = editor_client.post(reverse("admin:kb_topic_change", args=[topic.pk]), {
        "name": "ビッグテック", "name_en": "", "slug": "bigtech", "description": "",
        "aliases-TOTAL_FORMS": "1", "aliases-INITIAL_FORMS": "0",
        "aliases-MIN_NUM_FORMS": "0", "aliases-MAX_NUM_FORMS": "1000",
        "aliases-0-name": "巨大IT",
    })
    assert response.status_code == 302
    topic.refresh_from_db()
    assert (topic.name, [a.name for a in topic.aliases.all()]) == ("ビッグテック", ["巨大IT"])


SPOOFED_URL = "https://example.org/report\u202efdp.exe"  # shows as ".../reportexe.pdf"


def test_a_source_url_with_bidi_controls_is_refused(editor_client, make_article):
    """A right-to-left override makes a link read as something it is not."""
    article = make_article()
    response = editor_client.post(
        reverse("admin:kb_article_change", args=[article.pk]),
        inline_post(article, {"source_url": SPOOFED_URL}),
    )
    assert response.status_code == 200
    assert "双方向" in response.content.decode()  # the form says why, in Japanese
    article.refresh_from_db()
    assert article.source_url == ""
