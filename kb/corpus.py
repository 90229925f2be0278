"""The starting corpus: the reports shipped under fixtures/, loaded through the services."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction

from . import services
from .importers import checksum
from .models import Article

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"


@dataclass
class LoadReport:
    topics_created: int
    articles_created: list[str]
    articles_skipped: list[str]


def read_topics(directory: Path = FIXTURES_DIR) -> list[services.TopicData]:
    items = json.loads((directory / "topics.json").read_text(encoding="utf-8"))
    return [services.TopicData(**item) for item in items]


def read_articles(directory: Path = FIXTURES_DIR) -> list[services.ArticleData]:
    articles = []
    for path in sorted((directory / "corpus").glob("*.json")):
        item = json.loads(path.read_text(encoding="utf-8"))
        articles.append(
            services.ArticleData(
                title=item["title"],
                slug=item["slug"],
                kind=item["kind"],
                publisher=item["publisher"],
                authors=item["authors"],
                published_on=date.fromisoformat(item["published_on"])
                if item["published_on"]
                else None,
                source_url=item.get("source_url", ""),
                language=item.get("language", "ja"),
                summary=item.get("summary", ""),
                checksum=_source_checksum(directory, item.get("source_file", "")),
                sections=[
                    services.SectionData(
                        heading=s["heading"], body=s["body"], topics=s["topics"], anchor=s["anchor"]
                    )
                    for s in item["sections"]
                ],
            )
        )
    return articles


def _source_checksum(directory: Path, name: str) -> str:
    """The checksum an import of the report's source text gets, so importing it again is
    recognised as a duplicate of the shipped article."""
    path = directory / "sources" / name
    return checksum(path.read_text(encoding="utf-8")) if name and path.is_file() else ""


@transaction.atomic
def load_corpus(directory: Path = FIXTURES_DIR) -> LoadReport:
    """Load topics and articles that are not in the database yet; safe to run again."""
    topics = services.create_missing_topics(read_topics(directory))
    existing = set(Article.objects.values_list("slug", flat=True))
    created, skipped = [], []
    for data in read_articles(directory):
        if data.slug in existing:
            skipped.append(data.slug)
            continue
        services.create_article(data=data)
        created.append(data.slug)
    return LoadReport(topics_created=len(topics), articles_created=created, articles_skipped=skipped)
