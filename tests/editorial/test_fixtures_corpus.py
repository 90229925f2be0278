"""The shipped corpus fixtures (no database): well-formed and consistent.

They read the real files under fixtures/, so a dropped paragraph, a misspelt topic slug
or a passage that no longer matches its section makes them fail.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.editorial.corpus_fixtures import (
    ARTICLE_FILES,
    ARTICLES,
    ASCII_SLUG,
    BY_SLUG,
    BY_SOURCE,
    FIXTURES,
    KINDS,
    REQUIRED,
    SOURCES,
    TOPIC_SLUGS,
    TOPICS,
    load,
)

PASSAGES = load(FIXTURES / "passages.json")


def test_fixture_files_exist() -> None:
    assert len(SOURCES) == 5
    assert len(ARTICLE_FILES) == 5
    assert set(BY_SOURCE) == {path.name for path in SOURCES}


@pytest.mark.parametrize("name", sorted(ARTICLES), ids=str)
def test_article_schema(name: str) -> None:
    article = ARTICLES[name]
    for field, kind in REQUIRED.items():
        assert isinstance(article.get(field), kind), field
    assert list(article) == [
        "slug", "title", "kind", "publisher", "authors", "published_on", "source_url",
        "language", "summary", "source_file", "sections",
    ]
    assert ASCII_SLUG.match(article["slug"])
    assert re.match(rf"^0[1-5]-{article['slug']}\.json$", name)
    assert article["kind"] in KINDS
    assert article["language"] == "ja"
    assert article["title"].strip() and article["publisher"].strip() and article["summary"].strip()
    assert all(isinstance(a, str) and a.strip() for a in article["authors"])
    if article["published_on"] is not None:
        date.fromisoformat(article["published_on"])
    assert (FIXTURES / "sources" / article["source_file"]).is_file()
    anchors = [s["anchor"] for s in article["sections"]]
    assert len(anchors) == len(set(anchors)), "anchors must be unique"
    for section in article["sections"]:
        assert set(section) == {"anchor", "heading", "body", "topics"}
        assert ASCII_SLUG.match(section["anchor"]), section["anchor"]
        assert section["heading"].strip() and section["body"].strip()
        assert 1 <= len(section["topics"]) <= 4, section["anchor"]
        assert len(set(section["topics"])) == len(section["topics"])
        assert set(section["topics"]) <= TOPIC_SLUGS, section["topics"]
        # no Markdown emphasis or backslash escapes inserted into sentences
        assert "**" not in section["body"] and "\\" not in section["body"], section["anchor"]


def test_slugs_are_unique() -> None:
    assert len(BY_SLUG) == len(ARTICLES)


def test_topics() -> None:
    assert len(TOPICS) == len(TOPIC_SLUGS), "topic slugs must be unique"
    for required in ("digital-silk-road", "platformers", "sino-russian-tech", "data-institutions",
                     "ai-regulation"):
        assert required in TOPIC_SLUGS
    used = {t for a in ARTICLES.values() for s in a["sections"] for t in s["topics"]}
    for topic in TOPICS:
        assert set(topic) == {"slug", "name", "name_en", "description", "aliases", "see_also"}
        assert ASCII_SLUG.match(topic["slug"])
        assert topic["name"].strip() and topic["name_en"].strip() and topic["description"].strip()
        assert set(topic["see_also"]) <= TOPIC_SLUGS - {topic["slug"]}
        assert topic["slug"] in used, f"{topic['slug']} tags no section"
    # An alias names one topic only, and never another topic's label.
    names = [n.casefold() for t in TOPICS for n in [t["name"], *t["aliases"]]]
    assert sorted(n for n in set(names) if names.count(n) > 1) == []


def test_passages() -> None:
    assert 4 <= len(PASSAGES) <= 8
    for passage in PASSAGES:
        article = BY_SLUG[passage["article"]]
        sections = {s["anchor"]: s for s in article["sections"]}
        body = sections[passage["section"]]["body"]
        assert passage["exact"] and passage["exact"] in body, passage["exact"]
        assert "\n" not in passage["exact"]
        assert passage["topics"] and set(passage["topics"]) <= TOPIC_SLUGS
        assert passage["note"].strip()


def test_ecredital_passage_is_tagged() -> None:
    hits = [p for p in PASSAGES if "排列科技" in p["exact"]]
    assert hits and {"platformers", "data-institutions"} <= set(hits[0]["topics"])
