"""Logged-in readers' pages: parts that look the same to everyone come from the fragment
cache (kb.site.fragments), keyed by what they show, so the page shows every change right
after it is made, to every reader, in each language; and each page costs the same number
of queries whatever the size of the corpus."""

import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from kb.library import blocks
from kb.models import Section, Topic
from kb.passages import alerts
from kb.passages import services as passage_services
from kb.search import blocks as search_blocks
from kb.site import fragments

SLUGS = ["platformers", "fintech", "huawei-5g"]


@pytest.fixture
def topics(db):
    return {slug: Topic.objects.create(slug=slug, name=name, name_en=en) for slug, name, en in [
        ("platformers", "プラットフォーマー", "Platformers"),
        ("fintech", "フィンテック", "Fintech"),
        ("huawei-5g", "ファーウェイと5G", "Huawei & 5G"),
    ]}


@pytest.fixture
def article(topics, make_article):
    return make_article(title="中国のプラットフォーム規制", sections=[
        ("はじめに", "中国の巨大IT企業に対する規制が強まった。", ["platformers"]),
        ("金融", "中国の決済サービスは与信にも広がる。", ["fintech", "platformers"]),
    ])


def _as(user, language="ja") -> Client:
    client = Client()
    client.cookies.load({"django_language": language})
    if user is not None:
        client.force_login(user)
    return client


def _html(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _tokenless(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def _config(html: str) -> dict:
    return json.loads(html.split('<script id="kb-passages" type="application/json">')[1]
                      .split("</script>")[0])


def _urls(article):
    return [article.get_absolute_url(), reverse("kb:topic", args=["platformers"]),
            reverse("kb:search") + "?q=中国"]


def test_a_section_edit_shows_at_once_to_readers_and_analysts(article, analyst):
    clients = [_as(None), _as(analyst)]
    section = article.sections.get(heading="金融")
    for client in clients:
        for url in _urls(article):
            assert "与信にも広がる" in _html(client, url)
    section.body = "中国の決済サービスは保険にも広がる。"
    passage_services.save_section(section=section)
    for client in clients:
        for url in _urls(article):
            html = _html(client, url)
            assert "保険にも広がる" in html and "与信にも広がる" not in html


def test_a_heading_edit_shows_in_the_table_of_contents(article, analyst):
    client = _as(analyst)
    section = article.sections.get(heading="金融")
    assert f'href="#{section.anchor}">金融</a>' in _html(client, article.get_absolute_url())
    section.heading = "決済と与信"
    passage_services.save_section(section=section)
    html = _html(client, article.get_absolute_url())
    assert f'href="#{section.anchor}">決済と与信</a>' in html and ">金融<" not in html


def test_an_article_edit_shows_in_its_head_header_and_on_the_topic_page(article, analyst):
    client = _as(analyst)
    topic_url = reverse("kb:topic", args=["platformers"])
    for url in (article.get_absolute_url(), topic_url):
        _html(client, url)
    article.title, article.summary = "改題した記事", "新しい要旨。"
    article.save()
    html = _html(client, article.get_absolute_url())
    assert '<meta name="citation_title" content="改題した記事">' in html
    assert "<h1>改題した記事</h1>" in html and "新しい要旨。" in html
    assert "中国のプラットフォーム規制" not in html
    assert "改題した記事" in _html(client, topic_url)


def test_a_new_article_shows_in_the_topic_pages_article_list(article, analyst, make_article):
    client = _as(analyst)
    url = reverse("kb:topic", args=["fintech"])
    assert "新しい記事" not in _html(client, url)
    make_article(title="新しい記事", sections=[("節", "本文。", ["fintech"])])
    html = _html(client, url)
    assert html.count("新しい記事") >= 2  # its articles and its sections


def test_a_topic_rename_shows_on_every_chip(article, analyst, topics):
    client = _as(analyst)
    for url in _urls(article):
        assert "フィンテック" in _html(client, url)
    alerts.rename_topic(topic=topics["fintech"], name="デジタル金融", editor=None)
    for url in _urls(article):
        html = _html(client, url)
        assert "デジタル金融" in html and "フィンテック" not in html


def test_a_tag_added_to_a_section_shows_as_its_chip(article, analyst, topics):
    # A change of tags alone bumps no version of the section: the chips are in the key.
    client = _as(analyst)
    section = article.sections.get(heading="はじめに")
    assert "tc-huawei-5g" not in _html(client, article.get_absolute_url())
    section.topics.add(topics["huawei-5g"])
    assert 'class="chip tc-huawei-5g"' in _html(client, article.get_absolute_url())
    section.topics.remove(topics["huawei-5g"])
    assert "tc-huawei-5g" not in _html(client, article.get_absolute_url())


def test_another_analysts_passage_shows_when_added_and_goes_when_deleted(
    article, analyst, django_user_model,
):
    client = _as(analyst)
    other = django_user_model.objects.create_user(username="other")
    section = article.sections.get(heading="金融")
    urls = [article.get_absolute_url(), reverse("kb:topic", args=["fintech"])]
    for url in urls:
        _html(client, url)
    passage = passage_services.create_passage(section=section, analyst=other, exact="決済サービス",
                                              topics=["fintech"], note="他人のメモ")
    [shown] = _config(_html(client, urls[0]))["passages"]
    assert (shown["id"], shown["note"], shown["canChange"]) == (passage.pk, "他人のメモ", False)
    assert "他人のメモ" in _html(client, urls[1])
    passage_services.delete_passage(passage=passage)
    assert _config(_html(client, urls[0]))["passages"] == []
    assert "他人のメモ" not in _html(client, urls[1])


@pytest.mark.parametrize("user", [None, "analyst"])
def test_each_language_gets_its_own_fragments(article, analyst, user):
    user = analyst if user else None
    for language, shown, other in [("en", "Platformers", "プラットフォーマー"),
                                   ("ja", "プラットフォーマー", "Platformers"),
                                   ("en", "Platformers", "プラットフォーマー")]:
        client = _as(user, language)
        for url in _urls(article):
            html = _html(client, url)
            # The last chip of the topic: a section's (the article's own come first).
            chip = html[html.rindex('class="chip tc-platformers"'):]
            chip = chip[:chip.index("</a>")]
            assert shown in chip and other not in chip, (language, url)


def test_section_edit_links_follow_the_readers_permission(article, analyst, editor):
    section = article.sections.first()
    edit = reverse("kb:section_edit", args=[article.slug, section.pk])
    for user, shown in [(analyst, False), (editor, True), (analyst, False), (None, False)]:
        assert (edit in _html(_as(user), article.get_absolute_url())) is shown


def test_a_second_view_renders_no_block_again(article, analyst, monkeypatch):
    client = _as(analyst)
    first = [_tokenless(_html(client, url)) for url in _urls(article)]

    def refuse(name):
        raise AssertionError(f"{name} rendered again")

    monkeypatch.setattr(blocks, "get_template", refuse)
    monkeypatch.setattr(search_blocks, "get_template", refuse)
    assert [_tokenless(_html(client, url)) for url in _urls(article)] == first


def test_pages_render_without_a_working_fragment_cache(article, analyst, monkeypatch):
    class Broken:
        def get_many(self, keys):
            raise ConnectionError("cache down")

    monkeypatch.setattr(fragments, "caches", {"default": Broken()})
    monkeypatch.setattr(fragments, "_cache_down_until", 0.0)
    client = _as(analyst)
    for url in _urls(article):
        assert "中国" in _html(client, url)


def _corpus(make_article, analyst, articles, sections):
    for i in range(articles):
        made = make_article(sections=[
            (f"節{j}", f"中国の本文{j}の前半と後半", [SLUGS[j % 3], SLUGS[(i + j + 1) % 3]])
            for j in range(sections)])
        for j, section in enumerate(made.sections.all()):
            passage_services.create_passage(section=section, analyst=analyst, exact="前半と",
                                            topics=[SLUGS[j % 3]])


# Logged in: session, user, the user's and the groups' permissions, unread notifications;
# then what the page reads. Article: the article, its sections' chips, the sections,
# passages and their topics, related articles, backlinks, and whether the user watches it.
# Topic: as for anonymous readers (tests/library/test_pages.py, but the page cache's look-up)
# and whether the user watches it. Search: the engine's queries (tests/search/test_views.py).
@pytest.mark.parametrize("size", [(2, 2), (6, 5)])
@pytest.mark.parametrize("page,expected", [("article", 13), ("topic", 19), ("search", 12)])
def test_logged_in_pages_cost_the_same_whatever_the_corpus(
    topics, make_article, analyst, django_assert_num_queries, size, page, expected,
):
    _corpus(make_article, analyst, *size)
    url = {"article": Section.objects.first().article.get_absolute_url(),
           "topic": reverse("kb:topic", args=["platformers"]),
           "search": reverse("kb:search") + "?q=中国"}[page]
    client = _as(analyst)
    if page == "search" and connection.vendor == "postgresql":
        expected += 1  # its backend reads the statistics of the index
    for _ in range(2):  # a fragment cache miss, then hits: the same queries
        with django_assert_num_queries(expected):
            _html(client, url)
