"""Every write kb makes. Each service is one transaction: it succeeds whole or changes nothing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import reversion
from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.db import transaction
from reversion.models import Version

from . import revisions, wikilinks
from .models import Article, Section, Topic, TopicAlias

EDITOR_GROUP = "editor"
ANALYST_GROUP = "analyst"

# Roles by permission codename (app "kb"). Readers need none: every page is public.
ANALYST_PERMISSIONS = ["view_article", "view_section", "view_topic", "tag_passages"]
EDITOR_MODELS = ["article", "section", "topic", "topicalias", "taggedsection", "link"]


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
    checksum: str = ""


@dataclass
class TopicData:
    slug: str
    name: str
    name_en: str = ""
    description: str = ""
    aliases: Sequence[str] = ()
    see_also: Sequence[str] = field(default_factory=tuple)


@transaction.atomic
def create_article(
    *, data: ArticleData, user: AbstractBaseUser | None = None, comment: str = ""
) -> Article:
    """Create an article with its sections in reading order, tagging each with its topics,
    and record it as the article's first revision.

    Topics are looked up by slug, then by label; unknown ones are created as free tags.
    """
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(comment or "Created")
        article = _create_article(data)
    # Links written before this article existed now have a target.
    wikilinks.refresh_links_to(wikilinks.article_keys(article.title))
    return article


def _create_article(data: ArticleData) -> Article:
    # The revision serialises the instance as given: a date passed as text must be a date.
    published_on = Article._meta.get_field("published_on").to_python(data.published_on)
    article = Article.objects.create(
        title=data.title,
        slug=data.slug,
        kind=data.kind,
        publisher=data.publisher,
        authors="、".join(data.authors),
        published_on=published_on,
        source_url=data.source_url,
        language=data.language,
        summary=data.summary,
        checksum=data.checksum,
    )
    for position, item in enumerate(data.sections, start=1):
        section = Section(article=article, position=position, heading=item.heading, body=item.body)
        if item.anchor:
            section.anchor = item.anchor
        section.full_clean(exclude=["article"])
        section.save()
        section.topics.set(resolve_topics(item.topics))
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
@reversion.create_revision()
def create_missing_topics(items: Sequence[TopicData]) -> list[Topic]:
    """Create the topics that do not exist yet; existing ones keep their editors' changes."""
    reversion.set_comment("Created")
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
    return created


class DuplicateReport(ValueError):
    """The report's text is already in the knowledge base."""

    def __init__(self, existing: Article) -> None:
        self.existing = existing
        super().__init__(f"This report is already in kb: {existing.title}")


@transaction.atomic
def import_article(
    *, data: ArticleData, user: AbstractBaseUser | None, source_name: str = ""
) -> Article:
    """Save a reviewed import as a new article (one revision, "Imported from ...").

    Refuses a report whose text checksum is already stored (DuplicateReport): the editor
    is offered the existing article instead of a second copy.
    """
    if data.checksum:
        existing = Article.objects.filter(checksum=data.checksum).first()
        if existing:
            raise DuplicateReport(existing)
    comment = f"Imported from {source_name}" if source_name else "Imported"
    return create_article(data=data, user=user, comment=comment)


@transaction.atomic
def update_article(
    *,
    article: Article,
    loaded_version: int,
    data: ArticleData,
    user: AbstractBaseUser | None,
    comment: str = "",
) -> Article:
    """Replace an article's fields and sections with ``data`` as one new revision.

    ``loaded_version`` is the version the editor started from: if someone saved since,
    revisions.EditConflict is raised (with what changed) and nothing is written.
    Sections are matched by anchor; sections missing from ``data`` are deleted.
    """
    article = revisions.lock_for_edit(article_id=article.pk, loaded_version=loaded_version)
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(comment or "Changed")
        old_title = article.title
        for name in ["title", "slug", "kind", "publisher", "published_on", "source_url",
                     "language", "summary"]:
            setattr(article, name, getattr(data, name))
        article.authors = "、".join(data.authors)
        article.version = revisions.next_version(article)
        article.full_clean(exclude=["checksum"])
        article.save()
        existing = {s.anchor: s for s in article.sections.all()}
        keep = {item.anchor for item in data.sections if item.anchor}
        article.sections.exclude(anchor__in=keep).delete()
        for position, item in enumerate(data.sections, start=1):
            section = existing.get(item.anchor or "") or Section(article=article)
            if item.anchor and section.pk is None:
                section.anchor = item.anchor
            section.position, section.heading, section.body = position, item.heading, item.body
            section.full_clean(exclude=["article"])
            section.save()
            section.topics.set(resolve_topics(item.topics))
    if article.title != old_title:
        wikilinks.refresh_links_to(wikilinks.article_keys(article.title))
    return article


@transaction.atomic
def restore_revision(*, version: Version, user: AbstractBaseUser | None) -> Article:
    """Bring an article (even a deleted one) back to the state recorded in ``version``.

    The restore is itself a new revision, so it can be undone the same way. Derived
    data (HTML, plain text, links) is computed afresh from the restored Markdown.
    """
    state = revisions.state_of_version(version)
    article = Article.objects.select_for_update().filter(pk=state.pk).first()
    if article is None:
        article = Article(pk=state.pk)
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(
            f"Restored version {state.version} of {version.revision.date_created:%Y-%m-%d %H:%M}"
        )
        for name, value in state.fields.items():
            setattr(article, name, value)
        article.version = revisions.next_version(article)
        article.validate_unique()  # a new article may have taken the slug meanwhile
        article.save()
        keep = [s.pk for s in state.sections]
        article.sections.exclude(pk__in=keep).delete()
        current = {s.pk: s for s in article.sections.all()}
        topics = Topic.objects.in_bulk({t for s in state.sections for t in s.topic_ids})
        for item in state.sections:
            section = current.get(item.pk) or Section(pk=item.pk, article=article)
            section.anchor, section.position = item.anchor, item.position
            section.heading, section.body = item.heading, item.body
            section.save()
            section.topics.set([topics[t] for t in item.topic_ids if t in topics])
    wikilinks.refresh_links_to(wikilinks.article_keys(article.title))
    return article
