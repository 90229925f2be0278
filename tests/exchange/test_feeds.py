"""Atom feeds as a feed reader reads them: new and changed articles, a topic's news,
kb's recent changes; fresh right after a write although feeds are cached."""

import re

import feedparser
from django.urls import reverse

from kb.editorial import services as editorial_services
from kb.exchange.feeds import entry_id
from kb.library.models import Topic
from kb.passages import services as passage_services

ARTICLES = reverse("kb:feed_articles")
CHANGES = reverse("kb:feed_changes")


def _read(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    body = response.content.decode()
    # Every date in UTC.
    dates = re.findall(r"<(?:updated|published)>([^<]+)<", body)
    assert dates and all(d.endswith(("Z", "+00:00")) for d in dates), dates
    return feed


def test_articles_feed_lists_new_and_changed_articles_with_stable_ids(client, make_article,
                                                                     editor, frozen_clock):
    old = make_article(title="古い記事", summary="概要です。")
    frozen_clock.shift(3600)
    new = make_article(title="新しい記事")
    feed = _read(client, ARTICLES)
    assert feed.feed.title and feed.feed.link == "http://testserver/articles/"
    assert [e.title for e in feed.entries] == ["新しい記事", "古い記事"]
    entry = feed.entries[1]
    assert entry.id == entry_id("article", old.pk)
    assert entry.link == f"http://testserver{old.get_absolute_url()}"
    assert "概要です。" in entry.summary
    assert entry.updated == "2026-11-30T23:30:00+00:00"

    frozen_clock.shift(3600)
    editorial_services.update_article(
        article=old, loaded_version=old.version, user=editor,
        data=editorial_services.ArticleData(
            title="古い記事（改訂）", slug=old.slug, kind=old.kind,
            sections=[editorial_services.SectionData(heading="h", body="b", topics=[])]))
    feed = _read(client, ARTICLES)
    # The changed article comes first, under the same id, with a new date.
    assert [(e.title, e.id) for e in feed.entries] == [
        ("古い記事（改訂）", entry_id("article", old.pk)), ("新しい記事", entry_id("article", new.pk))]
    assert feed.entries[0].updated == "2026-12-01T01:30:00+00:00"


def test_a_new_article_is_in_the_cached_feed_at_once(client, make_article):
    make_article(title="一本目")
    assert [e.title for e in _read(client, ARTICLES).entries] == ["一本目"]
    assert client.get(ARTICLES)["ETag"]  # the feed was served through the page cache
    make_article(title="二本目")
    assert [e.title for e in _read(client, ARTICLES).entries][0] == "二本目"


def test_topic_feed_lists_its_sections_and_passages_newest_first(client, make_article, analyst,
                                                                 frozen_clock):
    article = make_article(title="記事", sections=[("タグ付き", "中ロの協力。", ["platformers"]),
                                                   ("無関係", "別の話。", ["other"])])
    frozen_clock.shift(60)
    tagged = article.sections.get(heading="タグ付き")
    passage = passage_services.create_passage(section=tagged, analyst=analyst, exact="協力",
                                              topics=["platformers"], note="要注意")
    feed = _read(client, reverse("kb:feed_topic", args=["platformers"]),
                 HTTP_ACCEPT_LANGUAGE="en")
    assert feed.feed.title == "kb: new in platformers"
    assert [e.id for e in feed.entries] == [entry_id("passage", passage.pk),
                                            entry_id("section", tagged.pk)]
    assert feed.entries[0].link == f"http://testserver{passage.get_absolute_url()}"
    assert feed.entries[0].author == "analyst"
    assert feed.entries[1].title == "記事 — タグ付き"
    assert feed.entries[1].link == f"http://testserver/articles/{article.slug}/#{tagged.anchor}"
    assert client.get(reverse("kb:feed_topic", args=["nowhere"])).status_code == 404


def test_changes_feed_links_each_change_to_its_diff_or_page(client, make_article, editor,
                                                            frozen_clock):
    article = make_article(title="中ロ", sections=[("一", "本文。", ["platformers"])])
    frozen_clock.shift(60)
    editorial_services.update_article(
        article=article, loaded_version=article.version, user=editor,
        data=editorial_services.ArticleData(
            title="中ロ（改）", slug=article.slug, kind=article.kind,
            sections=[editorial_services.SectionData(heading="一", body="本文。改。", topics=[])]))
    feed = _read(client, CHANGES)
    edit, creation = feed.entries
    assert "compare" in edit.link and edit.link.startswith("http://testserver/")
    assert edit.author == "editor"
    assert creation.link == f"http://testserver{article.get_absolute_url()}"
    assert len({e.id for e in feed.entries}) == 2
    assert [e.id for e in _read(client, CHANGES).entries] == [e.id for e in feed.entries]


def test_pages_advertise_their_feeds(client, make_article):
    make_article(sections=[("一", "本文。", ["platformers"])])
    alternate = 'rel="alternate" type="application/atom+xml" href="http://testserver{}"'
    for page, feed in [
        (reverse("kb:home"), ARTICLES), (reverse("kb:articles"), ARTICLES),
        (reverse("kb:changes"), CHANGES),
        (Topic.objects.get(slug="platformers").get_absolute_url(),
         reverse("kb:feed_topic", args=["platformers"])),
    ]:
        assert alternate.format(feed) in client.get(page).content.decode(), page
