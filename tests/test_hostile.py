"""Hostile input everywhere a user can type: no 500, no executable script on any page,
no half-written row. Each test takes every string of tests/hostile.py; a new input path
is one more test function parametrised the same way."""

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from kb.models import Article, Section, Topic
from kb.text import normalise_source

from .hostile import HOSTILE_IDS, HOSTILE_STRINGS, executable_parts
from .test_admin import _inline_post

hostile = pytest.mark.parametrize("text", HOSTILE_STRINGS, ids=HOSTILE_IDS)


@pytest.fixture
def editor_browser(editor):
    # Errors come back as the responses users see, so a 500 fails the status assertions.
    client = Client(raise_request_exception=False)
    client.force_login(editor)
    return client


@pytest.fixture
def article(make_article):
    Topic.objects.create(slug="platformers", name="プラットフォーマー")
    return make_article(title="元の題", sections=[("元の見出し", "元の本文", ["platformers"])])


def _reader_pages(*urls: str) -> None:
    """Every page readers may open, anonymously and as the editor saw them."""
    reader = Client(raise_request_exception=False)
    for url in [reverse("kb:home"), reverse("kb:topics"), *urls]:
        response = reader.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert executable_parts(html) == [], url


def _refusal_explained(response) -> bool:
    """A refused form names its errors; a request too big to read gets the 400 page."""
    html = response.content.decode()
    return 'class="errorlist' in html if response.status_code == 200 else "何も保存" in html


def _snapshot(article: Article) -> tuple:
    article.refresh_from_db()
    return (
        article.title,
        list(article.sections.values_list("heading", "body", "body_html")),
        sorted(Topic.objects.values_list("slug", "name", "description")),
    )


@hostile
def test_section_heading_and_markdown_in_the_admin(editor_browser, article, text):
    before = _snapshot(article)
    response = editor_browser.post(
        reverse("admin:kb_article_change", args=[article.pk]),
        _inline_post(article, {"sections-0-heading": text, "sections-0-body": text}),
    )
    assert response.status_code in (200, 302, 400)
    if response.status_code != 302:  # refused: says why, changes nothing
        assert _refusal_explained(response)
        assert _snapshot(article) == before
    else:  # accepted: stored whole, not truncated
        section = article.sections.get()
        assert section.heading == text.strip()
        assert section.body == normalise_source(text.strip())
    _reader_pages(article.get_absolute_url(), "/topics/platformers/")


@hostile
def test_section_tags_in_the_admin(editor_browser, article, text):
    before = _snapshot(article)
    response = editor_browser.post(
        reverse("admin:kb_article_change", args=[article.pk]),
        _inline_post(article, {"sections-0-topics": text}),
    )
    assert response.status_code in (200, 302, 400)
    if response.status_code != 302:
        assert _refusal_explained(response)
        assert _snapshot(article) == before
    topic_urls = [t.get_absolute_url() for t in article.sections.get().topics.all()]
    _reader_pages(article.get_absolute_url(), *topic_urls)


@hostile
def test_topic_name_and_description_in_the_admin(editor_browser, article, text):
    count = Topic.objects.count()
    response = editor_browser.post(reverse("admin:kb_topic_add"), {
        "name": text, "name_en": text, "slug": "hostile", "description": text,
        "aliases-TOTAL_FORMS": "1", "aliases-INITIAL_FORMS": "0",
        "aliases-MIN_NUM_FORMS": "0", "aliases-MAX_NUM_FORMS": "1000", "aliases-0-name": text,
    })
    assert response.status_code in (200, 302, 400)
    if response.status_code != 302:
        assert _refusal_explained(response)
        assert Topic.objects.count() == count
        return
    topic = Topic.objects.get(slug="hostile")
    assert topic.name == text.strip()
    assert topic.description == normalise_source(text.strip())
    article.sections.get().topics.add(topic)
    _reader_pages(topic.get_absolute_url(), article.get_absolute_url())


@hostile
def test_reader_urls_with_hostile_slugs_and_queries(article, text):
    client = Client(raise_request_exception=False)
    for url in [
        f"/articles/{quote(text, safe='')}/",
        f"/topics/{quote(text, safe='')}/",
        f"{reverse('kb:home')}?q={quote(text, safe='')}",
        f"{article.get_absolute_url()}?{quote(text, safe='=&')}",
    ]:
        response = client.get(url)
        assert response.status_code in (200, 400, 404), url[:80]
        assert executable_parts(response.content.decode(errors="replace")) == []


def test_a_nul_in_the_address_is_a_400_not_a_database_error(client, article):
    response = client.get("/articles/%00/")
    assert response.status_code == 400
    assert b"NUL" in response.content
    assert client.get("/topics/?q=a%00b").status_code == 400


def test_invalid_utf8_in_the_address_is_not_a_500(client, article):
    assert client.get("/articles/%FF%FE/").status_code == 404
    assert client.get("/topics/?q=%C3%28").status_code == 200


def test_stored_markdown_past_the_limits_renders_as_plain_text_fast(article):
    # A write that skips validation (bulk, shell) still cannot stall rendering.
    section = article.sections.get()
    section.body = "[" * 1_000_000
    section.save()
    assert section.body_html.startswith("<p>[[[") and len(section.plain_text) == 1_000_000


def test_limits_are_explained_to_the_editor(editor_browser, article):
    response = editor_browser.post(
        reverse("admin:kb_article_change", args=[article.pk]),
        _inline_post(article, {"sections-0-body": "[" * 5_000}),
    )
    assert response.status_code == 200
    assert "段落" in response.content.decode()  # the Japanese message names the paragraph
    assert Section.objects.get(pk=article.sections.get().pk).body == "元の本文"
