"""Analysts' passages in search: quote, note and tags are found, follow every edit, and
cost the results page a fixed number of queries."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from kb.library import services as library_services
from kb.models import SearchEntry, Topic
from kb.passages import services as passage_services
from kb.search import index
from kb.search.engine import search


@pytest.fixture
def article(db, make_article):
    topic = Topic.objects.create(slug="data-rules", name="データ制度", name_en="data rules")
    index.reindex_topics([topic.pk])
    return make_article(
        title="越境データの報告",
        sections=[("データ流通", "越境データ移転の規則は安全評価を求める。個人情報も対象。", [])],
    )


@pytest.fixture
def passage(article, analyst):
    return passage_services.create_passage(
        section=article.sections.get(), analyst=analyst, exact="安全評価を求める",
        topics=["データ制度"], note="審査の要件が厳しい",
    )


def search_html(client, q: str) -> str:
    return client.get(reverse("kb:search"), {"q": q}).content.decode()


def api(client, q: str) -> dict:
    return client.get(reverse("kb:api-search"), {"q": q}).json()


def passages_found(client, q: str) -> list[int]:
    return [r["passage_id"] for r in api(client, q)["results"] if r["type"] == "passage"]


def test_a_passage_is_found_by_its_note_quote_and_tags(client, passage):
    assert passages_found(client, "審査") == [passage.pk]  # only in the note
    assert passages_found(client, "安全評価") == [passage.pk]  # the quote
    assert passages_found(client, "データ制度") == [passage.pk]  # a tag
    assert passages_found(client, "個人情報") == []  # the section's text, not the quote
    html = search_html(client, "審査")
    assert f'href="{passage.article.get_absolute_url()}#passage-{passage.pk}"' in html
    assert "<mark>審査</mark>の要件が厳しい" in html
    assert "安全評価を求める" in html and 'href="/topics/data-rules/"' in html
    assert "analyst" in html  # who made it


def test_the_quote_is_highlighted_and_the_api_says_passage(client, passage):
    html = search_html(client, "安全評価")
    assert "<mark>安全評価</mark>を求める" in html
    result = next(r for r in api(client, "安全評価")["results"] if r["type"] == "passage")
    assert result["quote"] == "安全評価を求める" and result["note"] == "審査の要件が厳しい"
    assert result["url"].endswith(f"#passage-{passage.pk}") and result["topics"] == ["data-rules"]
    assert result["analyst"] == "analyst" and "<mark>安全評価</mark>" in result["snippet"]


def test_a_late_evening_passage_has_the_sites_date_and_a_utc_timestamp(client, frozen_clock, passage):
    """Made at 23:30 UTC on 30 November: the page says 1 December (Tokyo), the API the instant."""
    assert '<time datetime="2026-11-30T23:30:00Z">2026-12-01</time>' in search_html(client, "審査")
    [result] = [r for r in api(client, "審査")["results"] if r["type"] == "passage"]
    assert result["created_at"] == "2026-11-30T23:30:00Z"


def test_editing_a_passage_updates_the_results(client, passage):
    passage_services.update_passage(passage=passage, note="新しい所見", topics=["プラットフォーマー"])
    assert passages_found(client, "審査") == []
    assert passages_found(client, "所見") == [passage.pk]
    assert passages_found(client, "プラットフォーマー") == [passage.pk]
    assert passages_found(client, "データ制度") == []
    entry = SearchEntry.objects.get(passage=passage)
    assert entry.topic_ids == [Topic.objects.get(name="プラットフォーマー").pk]


def test_reattaching_and_deleting_a_passage_update_the_results(client, passage):
    passage_services.update_passage(passage=passage, exact="個人情報", start=None)
    assert passages_found(client, "個人情報") == [passage.pk]
    assert passages_found(client, "安全評価") == []
    passage_services.delete_passage(passage=passage)
    assert passages_found(client, "個人情報") == []
    assert not SearchEntry.objects.filter(doc_type="passage").exists()


def test_topic_rename_and_article_edits_reach_passages(client, passage):
    library_services.rename_topic(topic=Topic.objects.get(slug="data-rules"), name="データ規則")
    assert passages_found(client, "データ規則") == [passage.pk]
    article = passage.article
    article.title = "改題された報告"
    article.save()
    index.reindex_articles([article.pk])
    assert passages_found(client, "改題") == [passage.pk]


def test_filters_apply_to_passages(client, passage):
    url = reverse("kb:api-search")
    data = client.get(url, {"q": "審査", "topic": "data-rules"}).json()
    assert [r["type"] for r in data["results"]] == ["passage"]
    assert client.get(url, {"q": "審査", "kind": "report"}).json()["results"] == []


def test_rebuild_indexes_passages(client, passage):
    index.rebuild()
    assert passages_found(client, "審査") == [passage.pk]


@pytest.mark.parametrize("extra", [0, 6])
def test_query_count_is_pinned_and_does_not_grow_with_passages(
    client, article, analyst, extra, django_assert_num_queries
):
    section = article.sections.get()
    for i in range(1 + extra):
        passage_services.create_passage(section=section, analyst=analyst, exact="越境データ",
                                topics=["データ制度", f"タグ{i}"], note=f"越境の所見{i}")
    # the page cache's content generation, alias lookup, texts matched (counted by group; SQLite: the best chosen, their tokens read; PostgreSQL: the best scored), articles and topics matched, topics (the facet's and
    # the hits' chips), sections, passages (with article and analyst), article hits (no
    # topic is named 越境: no topic hits); on PostgreSQL the matches first set the planner
    # and, in the test's transaction, reset it after.
    with django_assert_num_queries(10 if connection.vendor == "sqlite" else 11):
        html = search_html(client, "越境")
    assert len(re.findall('class="hit hit-passage"', html)) == 1 + extra


def test_free_tags_a_passage_makes_are_found_as_topics(article, analyst):
    """A tag typed on a passage is a new topic: search lists it like any other."""
    passage = passage_services.create_passage(section=article.sections.get(), analyst=analyst,
                                      exact="個人情報", topics=["個人データ保護"])
    passage_services.update_passage(passage=passage, topics=["越境移転規則"])
    assert [t.name for t, _ in search("個人データ保護").topics] == ["個人データ保護"]
    assert [t.name for t, _ in search("越境移転規則").topics] == ["越境移転規則"]
