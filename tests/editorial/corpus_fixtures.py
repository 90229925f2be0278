"""The shipped corpus fixtures as data, read once for the tests that check them or load them."""

from __future__ import annotations

import json
import re
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SOURCES = sorted((FIXTURES / "sources").glob("*.txt"))
ARTICLE_FILES = sorted((FIXTURES / "corpus").glob("*.json"))
KINDS = {"book_review", "transcript", "press_release", "slide_deck", "column"}
REQUIRED = {
    "slug": str, "title": str, "kind": str, "publisher": str, "authors": list,
    "source_url": str, "language": str, "summary": str, "source_file": str, "sections": list,
}
ASCII_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


ARTICLES = {path.name: load(path) for path in ARTICLE_FILES}
BY_SOURCE = {article["source_file"]: article for article in ARTICLES.values()}
BY_SLUG = {article["slug"]: article for article in ARTICLES.values()}
TOPICS = load(FIXTURES / "topics.json")
TOPIC_SLUGS = {topic["slug"] for topic in TOPICS}
