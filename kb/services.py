"""Every write kb makes. Each service is one transaction: it succeeds whole or changes nothing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from .models import Article, Section, Topic, TopicAlias
from .search import index as search_index

EDITOR_GROUP = "editor"
ANALYST_GROUP = "analyst"

# Roles by permission codename (app "kb"). Readers need none: every page is public.
ANALYST_PERMISSIONS = ["view_article", "view_section", "view_topic", "tag_passages"]
EDITOR_MODELS = ["article", "section", "topic", "topicalias", "taggedsection"]


@transaction.atomic
def ensure_roles() -> None:
    """Create the analyst and editor groups with their permissions (idempotent)."""
    kb_permissions = Permission.objects.filter(content_type__app_label="kb")
    analyst, _ = Group.objects.get_or_create(name=ANALYST_GROUP)
    analyst.permissions.add(*kb_permissions.filter(codename__in=ANALYST_PERMISSIONS))
    editor, _ = Group.objects.get_or_create(name=EDITOR_GROUP)
    editor.permissions.add(
        *kb_permissions.filter(content_type__model__in=EDITOR_MODELS),
        *kb_permissions.filter(codename__in=ANALYST_PERMISSIONS),
    )


@dataclass
class SectionData:
    heading: str
    body: str
    topics: Sequence[str] = ()
    anchor: str | None = None


@dataclass
class ArticleData:
    title: str
    slug: str
    kind: str
    sections: Sequence[SectionData]
    publisher: str = ""
    authors: Sequence[str] = ()
    published_on: date | None = None
    source_url: str = ""
    language: str = "ja"
    summary: str = ""


@dataclass
class TopicData:
    slug: str
    name: str
    name_en: str = ""
    description: str = ""
    aliases: Sequence[str] = ()
    see_also: Sequence[str] = field(default_factory=tuple)


@transaction.atomic
def create_article(*, data: ArticleData) -> Article:
    """Create an article with its sections in reading order, tagging each with its topics.

    Topics are looked up by slug, then by label; unknown ones are created as free tags.
    """
    article = Article.objects.create(
        title=data.title,
        slug=data.slug,
        kind=data.kind,
        publisher=data.publisher,
        authors="、".join(data.authors),
        published_on=data.published_on,
        source_url=data.source_url,
        language=data.language,
        summary=data.summary,
    )
    for position, item in enumerate(data.sections, start=1):
        section = Section(article=article, position=position, heading=item.heading, body=item.body)
        if item.anchor:
            section.anchor = item.anchor
        section.full_clean(exclude=["article"])
        section.save()
        section.topics.set(resolve_topics(item.topics))
    search_index.reindex_articles([article.pk])
    return article


def resolve_topics(names: Iterable[str]) -> list[Topic]:
    """Topics for slugs or labels, creating a free tag for a name not yet known."""
    topics = []
    for name in names:
        topic = (
            Topic.objects.filter(slug=name).first()
            or Topic.objects.filter(name__iexact=name).first()
            or Topic.objects.create(name=name)
        )
        topics.append(topic)
    return topics


@transaction.atomic
def create_missing_topics(items: Sequence[TopicData]) -> list[Topic]:
    """Create the topics that do not exist yet; existing ones keep their editors' changes."""
    created = []
    by_slug = {t.slug: t for t in Topic.objects.filter(slug__in=[i.slug for i in items])}
    for item in items:
        if item.slug in by_slug:
            continue
        topic = Topic.objects.create(
            slug=item.slug, name=item.name, name_en=item.name_en, description=item.description
        )
        TopicAlias.objects.bulk_create(
            [TopicAlias(topic=topic, name=alias) for alias in item.aliases]
        )
        by_slug[item.slug] = topic
        created.append(topic)
    for item in items:
        if by_slug[item.slug] in created:
            by_slug[item.slug].see_also.add(*(by_slug[s] for s in item.see_also if s in by_slug))
    search_index.reindex_topics([topic.pk for topic in created])
    return created
