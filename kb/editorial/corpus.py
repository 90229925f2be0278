"""The starting corpus: the reports shipped under fixtures/, loaded through the services."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from reversion.models import Version

from kb.editorial import services
from kb.editorial.importers import checksum, slide_pages
from kb.library import services as library_services
from kb.library.models import Article, Section
from kb.library.originals import OriginalFile
from kb.passages import services as passage_services

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"


@dataclass
class LoadReport:
    topics_created: int
    articles_created: list[str]
    articles_skipped: list[str]
    passages_created: int = 0


def read_topics(directory: Path = FIXTURES_DIR) -> list[library_services.TopicData]:
    items = json.loads((directory / "topics.json").read_text(encoding="utf-8"))
    return [library_services.TopicData(**item) for item in items]


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
                originals=_source_originals(directory, item.get("source_file", "")),
                sections=[_section(s) for s in item["sections"]],
            )
        )
    return articles


def _section(item: dict) -> services.SectionData:
    # The corpus's sources are text without page breaks; only the slide deck's "p.N"
    # headings say where in the original a section was.
    start, end = slide_pages(item["heading"]) or (None, None)
    return services.SectionData(heading=item["heading"], body=item["body"], topics=item["topics"],
                                anchor=item["anchor"], page_start=start, page_end=end)


def _source_checksum(directory: Path, name: str) -> str:
    """The checksum an import of the report's source text gets, so importing it again is
    recognised as a duplicate of the shipped article."""
    path = directory / "sources" / name
    return checksum(path.read_text(encoding="utf-8")) if name and path.is_file() else ""


def _source_originals(directory: Path, name: str) -> list[OriginalFile]:
    """The report's source text, shipped in fixtures/sources, as its original file."""
    path = directory / "sources" / name
    if not (name and path.is_file()):
        return []
    return [OriginalFile(content=path.read_bytes(), filename=path.name,
                         content_type="text/plain; charset=utf-8")]


@library_services.originals_cleaned_up()
@transaction.atomic
def load_corpus(directory: Path = FIXTURES_DIR) -> LoadReport:
    """Load topics and articles that were never loaded; safe to run again.

    What editors did since is kept: a renamed or merged topic is not made again, and an
    article loaded once is never loaded again, whether it was edited (even its slug) or
    deleted since (deleting it was an editor's decision, and its revisions can bring it
    back)."""
    user, first_time = curator()
    topics = library_services.create_missing_topics(read_topics(directory))
    articles = read_articles(directory)
    existing = set(Article.objects.values_list("slug", flat=True)) | loaded_slugs(user)
    checksums = set(Article.objects.filter(checksum__in=[a.checksum for a in articles if a.checksum])
                    .values_list("checksum", flat=True))
    created, skipped = [], []
    for data in articles:
        if data.slug in existing or data.checksum in checksums:
            skipped.append(data.slug)
            _keep_missing_originals(data)
            continue
        services.create_article(data=data, user=user)
        created.append(data.slug)
    passages = load_passages(directory, new_articles=created, user=user, first_time=first_time)
    return LoadReport(topics_created=len(topics), articles_created=created, articles_skipped=skipped,
                      passages_created=passages)


def _keep_missing_originals(data: services.ArticleData) -> None:
    """Give a corpus article loaded before originals were kept its source text as one."""
    if not (data.checksum and data.originals):
        return
    for article in Article.objects.filter(checksum=data.checksum, originals__isnull=True):
        for original in data.originals:
            library_services.store_original(article=article, original=original)


def loaded_slugs(user) -> set[str]:
    """The slugs articles had when the corpus loader created them: revisions by the
    curator, or by no one (loads made before the curator signed them)."""
    versions = Version.objects.get_for_model(Article).filter(
        Q(revision__user=user) | Q(revision__user__isnull=True), format="json"
    )
    # Read as Django's serialisation format, not deserialised into today's model: an old
    # revision that no longer fits it must not stop the site from starting.
    return {json.loads(data)[0]["fields"].get("slug", "")
            for data in versions.values_list("serialized_data", flat=True)}


# The shipped passages belong to a system account nobody can log in as, so they depend on
# no demo user and are told apart from analysts' own work.
CURATOR = "kb-curator"


def curator():
    """The system account of the shipped passages, and whether it was just created."""
    user, created = get_user_model().objects.get_or_create(username=CURATOR)
    if created:
        user.set_unusable_password()
        user.save()
    return user, created


def load_passages(
    directory: Path = FIXTURES_DIR, *, new_articles: list[str], user, first_time: bool
) -> int:
    """Tag, as ``user``, the shipped passages of articles loaded just now, or of every
    article the ``first_time`` (no curator yet), so that a passage someone deleted does
    not come back."""
    path = directory / "passages.json"
    if not path.exists():
        return 0
    count = 0
    for item in json.loads(path.read_text(encoding="utf-8")):
        if not first_time and item["article"] not in new_articles:
            continue
        section = Section.objects.filter(
            article__slug=item["article"], anchor=item["section"]
        ).first()
        if section is None:
            continue  # its article is not in the database
        passage_services.create_passage(
            section=section, analyst=user, exact=item["exact"],
            topics=item["topics"], note=item.get("note", ""),
        )
        count += 1
    return count
