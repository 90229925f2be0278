"""Writes of articles as editors make them: create, import (with its preview drafts),
update, restore. Each records a revision and is one transaction: it succeeds whole or
changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import reversion
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from reversion.models import Version

from kb.editorial import revisions
from kb.editorial.models import ImportDraft, Watch
from kb.library import services as library_services
from kb.library import sources as library_sources
from kb.library import wikilinks
from kb.library.models import Article, Section, Topic
from kb.library.originals import OriginalFile
from kb.library.services import resolve_topics, revision_comment
from kb.passages import anchoring
from kb.passages.services import delete_sections, save_section
from kb.search import index as search_index
from kb.text import text_fingerprint


@dataclass
class SectionData:
    heading: str
    body: str
    topics: Sequence[str] = ()
    anchor: str | None = None
    version: int = 1  # for create_article: a restored section resumes its counter
    level: int = 2
    # Pages of the original (kb.library.models.Section): the first and last, and the pages
    # beginning inside it either as located offsets (``page_breaks``, from a backup) or as
    # (page, first words) to locate in the saved text (``page_marks``, from an import).
    page_start: int | None = None
    page_end: int | None = None
    page_breaks: Sequence[Sequence[int]] = ()
    page_marks: Sequence[Sequence] = ()


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
    # kb.text.text_fingerprint of the sections' text; computed from them when empty.
    fingerprint: str = ""
    version: int = 1  # for create_article: a restored article resumes its counter
    # The files it came from, oldest first, kept beside it as its originals.
    originals: Sequence[OriginalFile] = ()


@library_services.originals_cleaned_up()
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
        reversion.set_comment(comment or revision_comment(gettext_noop("Created")))
        article = _create_article(data)
    # Links written before this article existed now have a target.
    library_services.refresh_links_to(wikilinks.article_keys(article.title))
    return article


def _create_article(data: ArticleData) -> Article:
    # The revision serialises the instance as given: a date passed as text must be a date.
    published_on = Article._meta.get_field("published_on").to_python(data.published_on)
    article = Article(
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
        fingerprint=data.fingerprint or sections_fingerprint(data.sections),
        version=data.version,
    )
    article.full_clean()  # a clear ValidationError, not a database error, for bad input
    article.save()
    for position, item in enumerate(data.sections, start=1):
        section = Section(article=article, position=position, heading=item.heading, body=item.body,
                          version=item.version, level=item.level, page_start=item.page_start,
                          page_end=item.page_end or item.page_start,
                          page_breaks=[list(b) for b in item.page_breaks])
        if item.anchor:
            section.anchor = item.anchor
        section.full_clean(exclude=["article"])
        section.save()
        if item.page_marks and not item.page_breaks:
            # Offsets exist only once the Markdown is rendered to the plain text passages use.
            section.page_breaks = anchoring.locate_page_breaks(
                section.plain_text, [(page, words) for page, words in item.page_marks])
            Section.objects.filter(pk=section.pk).update(page_breaks=section.page_breaks)
        section.topics.set(resolve_topics(item.topics))
    for original in data.originals:
        library_services.store_original(article=article, original=original)
    search_index.reindex_articles([article.pk])
    return article


def sections_fingerprint(sections: Sequence[SectionData]) -> str:
    """The fingerprint of an article's text: its headings and bodies in order."""
    return text_fingerprint("\n".join(f"{s.heading}\n{s.body}" for s in sections))


class DuplicateReport(ValueError):
    """The report's text is already in the knowledge base, in whatever format it came."""

    def __init__(self, existing: Article) -> None:
        self.existing = existing
        super().__init__(_("already in kb as “%(title)s” (/articles/%(slug)s/)") % {
            "title": existing.title, "slug": existing.slug})


@library_services.originals_cleaned_up()
@transaction.atomic
def import_article(
    *, data: ArticleData, user: AbstractBaseUser | None, source_name: str = "",
    draft: ImportDraft | None = None, allow_duplicate: bool = False,
) -> Article:
    """Save a reviewed import as a new article (one revision, "Imported from ...") and
    drop its preview ``draft``, if any, with it.

    Refuses a report already in kb (DuplicateReport), recognised by its text's checksum
    or fingerprint whatever format either came in: the editor is offered the existing
    article instead of a second copy, unless they ask for one (``allow_duplicate``). The
    uploaded file, in ``data.originals``, is kept only if the whole import commits.
    """
    data.fingerprint = data.fingerprint or sections_fingerprint(data.sections)
    if not allow_duplicate:
        existing = library_sources.article_with_text(checksum=data.checksum,
                                                       fingerprint=data.fingerprint)
        if existing:
            raise DuplicateReport(existing)
    comment = (revision_comment(gettext_noop("Imported from %(source)s"), source=source_name)
               if source_name else revision_comment(gettext_noop("Imported")))
    article = create_article(data=data, user=user, comment=comment)
    if draft is not None:
        ImportDraft.objects.filter(pk=draft.pk).delete()
    return article


def _without_nul(value):
    """``value`` (JSON) with each NUL replaced by U+FFFD: PostgreSQL's jsonb cannot hold NUL,
    and no article may contain one (forms refuse it, saying so)."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {k: _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


# An import preview left unsaved this long is dropped when someone starts another.
IMPORT_DRAFT_KEPT = timedelta(days=7)


@transaction.atomic
def create_import_draft(*, user: AbstractBaseUser, data: dict,
                        original: bytes | None = None) -> ImportDraft:
    """Keep an import preview (ImportDraft.data) for its editor to review page by page,
    with the uploaded file's bytes (``original``) until the import is saved."""
    ImportDraft.objects.filter(updated_at__lt=timezone.now() - IMPORT_DRAFT_KEPT).delete()
    return ImportDraft.objects.create(user=user, data=_without_nul(data), original=original)


@transaction.atomic
def update_import_draft(
    *, draft: ImportDraft, page: int, article: dict, sections: list[dict]
) -> ImportDraft:
    """Store what the editor typed on one page (from 1) of the preview: the metadata and
    that page's sections. Locked, so two tabs on one draft never lose a page."""
    draft = ImportDraft.objects.select_for_update().defer("original").get(pk=draft.pk)
    indexes = draft.page(page)
    if not indexes or len(sections) != len(indexes):
        raise ValidationError(_("This page of the preview does not match the report."))
    # Kept as typed, valid or not: the page's forms report the errors.
    draft.data["sections"][indexes.start:indexes.stop] = _without_nul(sections)
    draft.data["article"] = _without_nul(article)
    draft.save(update_fields=["data", "updated_at"])
    return draft


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
    Sections are matched by anchor; sections missing from ``data`` are deleted, their
    passages kept as orphans of the article.
    """
    article = revisions.lock_for_edit(article_id=article.pk, loaded_version=loaded_version)
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(comment or revision_comment(gettext_noop("Changed")))
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
        delete_sections(sections=article.sections.exclude(anchor__in=keep), editor=user)
        for position, item in enumerate(data.sections, start=1):
            section = existing.get(item.anchor or "") or Section(article=article)
            if item.anchor and section.pk is None:
                section.anchor = item.anchor
            section.position, section.heading, section.body = position, item.heading, item.body
            section.full_clean(exclude=["article"])
            save_section(section=section, editor=user)  # re-anchors the section's passages
            section.topics.set(resolve_topics(item.topics))
        search_index.reindex_articles([article.pk])
    if article.title != old_title:
        library_services.refresh_links_to(wikilinks.article_keys(article.title))
    return article


@transaction.atomic
def edit_section(
    *,
    section: Section,
    loaded_version: int,
    heading: str,
    body: str,
    topics: Sequence[str],
    user: AbstractBaseUser | None,
) -> Section:
    """Save one section edited in place on the article page, as a new revision of its
    article (the admin's section form makes the same one).

    ``loaded_version`` is the section's version the editor started from: if anyone saved
    the section since, revisions.EditConflict is raised and nothing is written. The
    section's passages are re-anchored when its body changed.
    """
    section = revisions.lock_section_for_edit(section_id=section.pk, loaded_version=loaded_version)
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(revision_comment(
            gettext_noop("Changed section %(anchor)s"), anchor=section.anchor))
        article = Article.objects.get(pk=section.article_id)  # locked with the section
        article.version = revisions.next_version(article)
        article.save(update_fields=["version", "updated_at"])
        section.heading, section.body = heading, body
        section.full_clean(exclude=["article"])
        save_section(section=section, edited=True, editor=user)  # re-anchors the section's passages
        section.topics.set(resolve_topics(topics))
        search_index.reindex_sections([section.pk])
    return section


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
        reversion.set_comment(revision_comment(
            gettext_noop("Restored version %(number)s of %(when)s"), number=state.version,
            when=f"{timezone.localtime(version.revision.date_created):%Y-%m-%d %H:%M}",
        ))
        for name, value in state.fields.items():
            setattr(article, name, value)
        article.version = revisions.next_version(article)
        article.validate_unique()  # a new article may have taken the slug meanwhile
        article.save()
        keep = [s.pk for s in state.sections]
        delete_sections(sections=article.sections.exclude(pk__in=keep), editor=user)
        current = {s.pk: s for s in article.sections.all()}
        topics = Topic.objects.in_bulk({t for s in state.sections for t in s.topic_ids})
        for item in state.sections:
            section = current.get(item.pk) or Section(pk=item.pk, article=article)
            section.anchor, section.position = item.anchor, item.position
            section.heading, section.body = item.heading, item.body
            save_section(section=section, editor=user)  # re-anchors the section's passages
            if item.pages is not None:
                # The revision's page breaks are in the restored text's coordinates already.
                page_start, page_end, page_breaks = item.pages
                Section.objects.filter(pk=section.pk).update(
                    page_start=page_start, page_end=page_end, page_breaks=page_breaks)
            section.topics.set([topics[t] for t in item.topic_ids if t in topics])
        search_index.reindex_articles([article.pk])
    library_services.refresh_links_to(wikilinks.article_keys(article.title))
    return article


# Watching: a reader's own list, not content. It neither records revisions nor touches the
# page cache's generation (no cached page shows it).


@transaction.atomic
def toggle_watch(*, user: AbstractBaseUser, article: Article | None = None,
                 topic: Topic | None = None) -> bool:
    """Start watching ``article`` or ``topic`` (exactly one), or stop if already watching.
    Returns whether the user watches it now. Changes made before it was watched are not
    news: what the Watched page shows starts now."""
    if (article is None) == (topic is None):
        raise ValueError("watch an article or a topic")
    watches = Watch.objects.select_for_update().filter(user=user, article=article, topic=topic)
    if watches.exists():
        watches.delete()
        return False
    Watch.objects.create(user=user, article=article, topic=topic)
    return True


@transaction.atomic
def mark_watches_seen(*, user: AbstractBaseUser, until: datetime) -> int:
    """The user has seen every change to what they watch up to ``until`` (when the Watched
    page read them: a change committed while it rendered is still news next time)."""
    return Watch.objects.filter(user=user, last_seen__lt=until).update(last_seen=until)
