"""/sitemap.xml lists every article and topic with when it last changed; robots.txt names it."""

from xml.etree import ElementTree

from django.urls import reverse

from kb.library.models import Article, Topic

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def _entries(client) -> dict[str, str | None]:
    response = client.get(reverse("kb:sitemap"))
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    return {url.findtext("s:loc", namespaces=NS): url.findtext("s:lastmod", namespaces=NS)
            for url in root.findall("s:url", NS)}


def test_sitemap_lists_every_article_and_topic_with_lastmod(client, make_article, frozen_clock):
    make_article(sections=[("一", "本文。", ["platformers", "fintech"])])
    make_article(sections=[("一", "本文。", [])])
    Topic.objects.create(slug="described", name="説明だけ", description="まだ記事はない。")
    entries = _entries(client)
    # A date without time, in the site's time zone: 23:30 UTC is already the 1st in Tokyo.
    for thing in [*Article.objects.all(), *Topic.objects.all()]:
        assert entries[f"http://testserver{thing.get_absolute_url()}"] == "2026-12-01"
    assert "http://testserver/articles/" in entries and "http://testserver/changes/" in entries
    assert len(entries) == Article.objects.count() + Topic.objects.count() + 4


def test_sitemap_is_fresh_after_a_new_article(client, make_article):
    make_article(slug="first")
    assert "http://testserver/articles/first/" in _entries(client)
    make_article(slug="second")
    assert "http://testserver/articles/second/" in _entries(client)


def test_robots_txt_names_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text.splitlines()
    assert "Disallow: /admin/" in text
