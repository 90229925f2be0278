"""In the English interface topics go by their English labels, Japanese stays marked as
Japanese, and the admin and the error pages speak the reader's language."""

import pytest
from django.test import Client
from django.urls import reverse

from kb.models import Topic

pytestmark = pytest.mark.django_db

BODY = "アリババは与信スコアの算出にeCreditalのデータを使う。"


@pytest.fixture
def article(make_article):
    Topic.objects.create(slug="platformers", name="プラットフォーマー", name_en="Platformers")
    return make_article(title="与信の報告", sections=[("与信", BODY, ["platformers"])],
                        publisher="野村総合研究所")


def _client(language, user=None):
    client = Client()
    client.cookies.load({"django_language": language})
    if user:
        client.force_login(user)
    return client


def test_english_interface_names_topics_in_english_with_the_japanese_beside(article):
    html = _client("en").get(reverse("kb:topic", args=["platformers"])).content.decode()
    assert "<title>Platformers — kb</title>" in html
    assert '<h1>Platformers <span class="ja" lang="ja">プラットフォーマー</span></h1>' in html
    page = _client("en").get(article.get_absolute_url()).content.decode()
    assert '<a class="chip tc-platformers" href="/topics/platformers/">Platformers</a>' in page
    search = _client("en").get(reverse("kb:search"), {"q": "アリババ"}).content.decode()
    assert 'href="?q=%E3%82%A2%E3%83%AA%E3%83%90%E3%83%90&amp;topic=platformers"' in search or \
        ">Platformers</a> <span class=\"count\">" in search
    assert "プラットフォーマー</a> <span class=\"count\">" not in search


def test_japanese_interface_keeps_japanese_names_marked_as_japanese(article):
    html = _client("ja").get(reverse("kb:topic", args=["platformers"])).content.decode()
    assert "<title>プラットフォーマー — kb</title>" in html
    assert '<h1><span lang="ja">プラットフォーマー</span> <span class="en" lang="en">Platformers</span></h1>' in html
    page = _client("ja").get(article.get_absolute_url()).content.decode()
    assert '<a class="chip tc-platformers" href="/topics/platformers/"><span lang="ja">プラットフォーマー</span></a>' in page


def test_japanese_content_is_marked_japanese_in_the_english_interface(article):
    client = _client("en")
    home = client.get(reverse("kb:home")).content.decode()
    assert f'<a lang="ja" href="{article.get_absolute_url()}">与信の報告</a>' in home
    search = client.get(reverse("kb:search"), {"q": "アリババ"}).content.decode()
    assert '<p class="snippet" lang="ja">' in search
    assert '<span lang="ja">野村総合研究所</span>' in search or 'lang="ja">野村総合研究所</a>' in search
    topic = client.get(reverse("kb:topic", args=["platformers"])).content.decode()
    assert f'<h3><a lang="ja" href="{article.get_absolute_url()}">与信の報告</a></h3>' in topic


@pytest.mark.parametrize(("language", "heading", "untranslated"), [
    ("ja", "権限がありません", "Forbidden"), ("en", "Not allowed", "権限がありません")])
def test_the_403_page_is_kbs_own_in_both_languages(article, analyst, language, heading,
                                                   untranslated):
    url = reverse("kb:article_restore", args=[article.slug, 1])
    response = _client(language, analyst).post(url)
    html = response.content.decode()
    assert response.status_code == 403
    assert f"<h1>{heading}</h1>" in html and untranslated not in html
    assert 'class="site-header"' in html  # the site's own page, with its navigation


@pytest.mark.parametrize(("language", "expected", "untranslated"), [
    ("ja", ["トピック で絞り込む"], ["tag で絞り込む", "Created at"]),
    ("en", ["By topic"], ["By tag"]),
])
def test_admin_strings_are_translated(article, make_article, editor, language, expected,
                                      untranslated):
    make_article(sections=[("二つ目", "本文。", ["fintech"])])  # a filter needs two choices
    client = _client(language, editor)
    html = client.get(reverse("admin:kb_section_changelist")).content.decode()
    html += client.get(reverse("admin:kb_passage_changelist")).content.decode()
    for text in expected:
        assert text in html
    for text in untranslated:
        assert text not in html


def test_article_titles_inside_translated_headings_are_marked_japanese(article):
    html = _client("en").get(reverse("kb:article_history", args=[article.slug])).content.decode()
    assert '<h1>History of <span lang="ja">与信の報告</span></h1>' in html
    assert "<title>History of 与信の報告 — kb</title>" in html


@pytest.mark.parametrize("url", ["kb:articles", "kb:topic_matrix", "kb:topic_overview"])
def test_the_lists_name_topics_in_the_interfaces_language(article, make_article, url):
    """/articles/'s facets, the matrix and the overview, like the topic pages: the English
    label in English; a topic with no English label stays Japanese and is marked so."""
    make_article(title="決済の報告", sections=[("決済", BODY, ["決済"])])  # a free tag
    english = _client("en").get(reverse(url)).content.decode()
    assert ">Platformers<" in english and ">プラットフォーマー<" not in english
    assert '<span lang="ja">決済</span>' in english or 'lang="ja">決済<' in english
    japanese = _client("ja").get(reverse(url)).content.decode()
    assert "プラットフォーマー" in japanese and ">Platformers<" not in japanese


def test_the_changes_topic_filter_marks_japanese_names(article):
    english = _client("en").get(reverse("kb:changes")).content.decode()
    assert '<option value="platformers">Platformers</option>' in english
    japanese = _client("ja").get(reverse("kb:changes")).content.decode()
    assert '<option value="platformers" lang="ja">プラットフォーマー</option>' in japanese


def test_the_article_list_marks_its_publishers_japanese(article):
    english = _client("en").get(reverse("kb:articles")).content.decode()
    assert 'lang="ja">野村総合研究所</a>' in english
