"""Every write kb makes. Each service is one transaction: it succeeds whole or changes nothing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import reversion
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext as _
from reversion.models import Version

from kb import anchoring, revisions, selectors
from kb.editorial.models import ImportDraft
from kb.library import services as library_services
from kb.library import wikilinks
from kb.library.models import Article, Section, TaggedSection, Topic, TopicAlias, TopicRedirect
from kb.library.validators import validate_topic_names
from kb.passages.models import Passage, TaggedPassage
from kb.search import index as search_index
from kb.text import normalise_source
from kb.validators import validate_no_nul


def revision_comment(message: str, **params: object) -> str:
    """A revision comment, stored once and read by everyone later: written in the site's
    language (LANGUAGE_CODE), whatever the language of the request that made it."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(message) % params


@dataclass
class SectionData:
    heading: str
    body: str
    topics: Sequence[str] = ()
    anchor: str | None = None
    version: int = 1  # for create_article: a restored section resumes its counter


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
    version: int = 1  # for create_article: a restored article resumes its counter


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
        version=data.version,
    )
    article.full_clean()  # a clear ValidationError, not a database error, for bad input
    article.save()
    for position, item in enumerate(data.sections, start=1):
        section = Section(article=article, position=position, heading=item.heading, body=item.body,
                          version=item.version)
        if item.anchor:
            section.anchor = item.anchor
        section.full_clean(exclude=["article"])
        section.save()
        section.topics.set(resolve_topics(item.topics))
    search_index.reindex_articles([article.pk])
    return article


def resolve_topics(names: Iterable[str]) -> list[Topic]:
    """Topics for slugs, labels or aliases (selectors.find_topic: near misses in case,
    width or spacing included), creating a free tag for a name not yet known. A new tag
    is indexed at once, so search finds it; call inside the write's transaction."""
    names = list(names)
    validate_topic_names(names)
    topics, created = [], []
    for name in names:
        topic = selectors.find_topic(name)
        if topic is None:
            topic = Topic.objects.create(name=name)
            created.append(topic.pk)
        topics.append(topic)
    search_index.reindex_topics(created)
    return topics


@transaction.atomic
@reversion.create_revision()
def create_missing_topics(items: Sequence[TopicData]) -> list[Topic]:
    """Create the topics that do not exist yet; existing ones keep their editors' changes.

    A topic renamed or merged since (its slug redirects) exists; so does one whose name
    another topic has. A new topic gets the aliases no other topic holds."""
    reversion.set_comment(revision_comment(gettext_noop("Created")))
    created = []
    slugs = [i.slug for i in items]
    by_slug = {t.slug: t for t in Topic.objects.filter(slug__in=slugs)}
    for redirect in TopicRedirect.objects.filter(old_slug__in=slugs).select_related("topic"):
        by_slug.setdefault(redirect.old_slug, redirect.topic)
    for item in items:
        if item.slug in by_slug:
            continue
        same_name = Topic.objects.filter(name__iexact=item.name).first()
        if same_name:
            by_slug[item.slug] = same_name
            continue
        topic = Topic.objects.create(
            slug=item.slug, name=item.name, name_en=item.name_en, description=item.description
        )
        taken = set(TopicAlias.objects.filter(name__in=item.aliases).values_list("name", flat=True))
        TopicAlias.objects.bulk_create(
            [TopicAlias(topic=topic, name=alias) for alias in item.aliases if alias not in taken]
        )
        by_slug[item.slug] = topic
        created.append(topic)
    for item in items:
        if by_slug[item.slug] in created:
            by_slug[item.slug].see_also.add(*(by_slug[s] for s in item.see_also if s in by_slug))
    search_index.reindex_topics([topic.pk for topic in created])
    return created


class DuplicateReport(ValueError):
    """The report's text is already in the knowledge base."""

    def __init__(self, existing: Article) -> None:
        self.existing = existing
        super().__init__(f"This report is already in kb: {existing.title}")


@transaction.atomic
def import_article(
    *, data: ArticleData, user: AbstractBaseUser | None, source_name: str = "",
    draft: ImportDraft | None = None,
) -> Article:
    """Save a reviewed import as a new article (one revision, "Imported from ...") and
    drop its preview ``draft``, if any, with it.

    Refuses a report whose text checksum is already stored (DuplicateReport): the editor
    is offered the existing article instead of a second copy.
    """
    if data.checksum:
        existing = Article.objects.filter(checksum=data.checksum).first()
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
def create_import_draft(*, user: AbstractBaseUser, data: dict) -> ImportDraft:
    """Keep an import preview (ImportDraft.data) for its editor to review page by page."""
    ImportDraft.objects.filter(updated_at__lt=timezone.now() - IMPORT_DRAFT_KEPT).delete()
    return ImportDraft.objects.create(user=user, data=_without_nul(data))


@transaction.atomic
def update_import_draft(
    *, draft: ImportDraft, page: int, article: dict, sections: list[dict]
) -> ImportDraft:
    """Store what the editor typed on one page (from 1) of the preview: the metadata and
    that page's sections. Locked, so two tabs on one draft never lose a page."""
    draft = ImportDraft.objects.select_for_update().get(pk=draft.pk)
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
        delete_sections(sections=article.sections.exclude(anchor__in=keep))
        for position, item in enumerate(data.sections, start=1):
            section = existing.get(item.anchor or "") or Section(article=article)
            if item.anchor and section.pk is None:
                section.anchor = item.anchor
            section.position, section.heading, section.body = position, item.heading, item.body
            section.full_clean(exclude=["article"])
            save_section(section=section)  # re-anchors the section's passages
            section.topics.set(resolve_topics(item.topics))
        search_index.reindex_articles([article.pk])
    if article.title != old_title:
        library_services.refresh_links_to(wikilinks.article_keys(article.title))
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
        delete_sections(sections=article.sections.exclude(pk__in=keep))
        current = {s.pk: s for s in article.sections.all()}
        topics = Topic.objects.in_bulk({t for s in state.sections for t in s.topic_ids})
        for item in state.sections:
            section = current.get(item.pk) or Section(pk=item.pk, article=article)
            section.anchor, section.position = item.anchor, item.position
            section.heading, section.body = item.heading, item.body
            save_section(section=section)  # re-anchors the section's passages
            section.topics.set([topics[t] for t in item.topic_ids if t in topics])
        search_index.reindex_articles([article.pk])
    library_services.refresh_links_to(wikilinks.article_keys(article.title))
    return article
# Passages: analysts' tagged spans of a section, and the section edits that move them.

MAX_TOPICS_PER_PASSAGE = 20
MAX_TOPIC_NAME = 100  # Topic.name's max_length


def clean_note(note: str) -> str:
    """A passage's note as stored; PostgreSQL text cannot hold NUL, so it is refused here."""
    validate_no_nul(note)
    return normalise_source(note).strip()


def clean_topic_names(names: Iterable[str]) -> list[str]:
    """Strip, drop blanks and case-insensitive repeats; a passage needs at least one tag."""
    cleaned: dict[str, str] = {}
    for name in names:
        validate_no_nul(name)
        name = normalise_source(name).strip()
        if len(name) > MAX_TOPIC_NAME:
            raise ValidationError(
                _("A tag may have at most %(max)d characters.") % {"max": MAX_TOPIC_NAME},
                code="invalid",
            )
        if name:
            cleaned.setdefault(name.casefold(), name)
    if not cleaned:
        raise ValidationError(_("Give the passage at least one tag."), code="required")
    if len(cleaned) > MAX_TOPICS_PER_PASSAGE:
        raise ValidationError(
            _("A passage may have at most %(max)d tags.") % {"max": MAX_TOPICS_PER_PASSAGE},
            code="invalid",
        )
    return list(cleaned.values())


def _select(section: Section, exact: str, start: int | None) -> anchoring.Selector:
    """Selectors for ``exact`` in the section's current text, at ``start`` (code points) or,
    without it, at the quote's only occurrence. Refuses a span the text does not hold."""
    text = section.plain_text
    if not exact.strip():
        raise ValidationError(_("Select some text first."), code="required")
    if start is None:
        found = text.count(exact)
        if found != 1:
            raise ValidationError(
                _("The quote occurs %(count)d times in the section; give its position.")
                % {"count": found},
                code="stale" if found == 0 else "ambiguous",
            )
        start = text.index(exact)
    end = start + len(exact)
    if start < 0 or text[start:end] != exact:
        # The page the analyst selected on is older than the section: they must reload.
        raise ValidationError(
            _("The section's text has changed since the page was loaded; reload and select again."),
            code="stale",
        )
    return anchoring.select(text, start, end)


def _locked(section: Section) -> Section:
    """The section's current row, locked until the transaction ends (PostgreSQL), so that
    no edit slips between checking a selection and saving it."""
    return Section.objects.select_for_update().get(pk=section.pk)


def _apply_selector(passage: Passage, section: Section, selector: anchoring.Selector) -> None:
    passage.exact, passage.prefix, passage.suffix = selector.exact, selector.prefix, selector.suffix
    passage.start, passage.end = selector.start, selector.end
    passage.section_version = section.version
    passage.status = Passage.Status.ANCHORED


@transaction.atomic
def create_passage(
    *,
    section: Section,
    analyst: AbstractBaseUser,
    exact: str,
    start: int | None = None,
    topics: Sequence[str],
    note: str = "",
) -> Passage:
    """Tag ``exact`` at code point ``start`` of the section's plain text with ``topics``.

    The one way passages are made (page endpoint, admin, fixtures). Topics are found by slug,
    label or alias, or created as free tags. Raises ValidationError, changing nothing, when
    the quote is not at that place (code "stale": the page is older than the text) or no
    tag is given.
    """
    section = _locked(section)
    names = clean_topic_names(topics)
    passage = Passage(section=section, article_id=section.article_id, analyst=analyst,
                      note=clean_note(note))
    _apply_selector(passage, section, _select(section, normalise_source(exact), start))
    passage.save()
    passage.topics.set(resolve_topics(names))
    search_index.reindex_passages([passage.pk])
    return passage


@transaction.atomic
def update_passage(
    *,
    passage: Passage,
    topics: Sequence[str] | None = None,
    note: str | None = None,
    exact: str | None = None,
    start: int | None = None,
    section: Section | None = None,
) -> Passage:
    """Change a passage's tags or note, or re-attach it to a new span: ``exact`` at
    ``start`` of the current text of ``section`` (any section of the passage's article;
    by default its own), which anchors it afresh. This is how an orphan gets a place again.
    Arguments left None keep their value."""
    if exact is not None:
        target = section or passage.section
        if target is None:
            raise ValidationError(_("Select the new text in a section of the article."),
                                  code="required")
        if target.article_id != passage.article_id:
            raise ValidationError(
                _("A passage can only be re-attached to text of the article it was made in."),
                code="invalid",
            )
        target = _locked(target)
        _apply_selector(passage, target, _select(target, normalise_source(exact), start))
        passage.section = target
    elif start is not None:
        raise ValidationError(_("Give the quote with its position."), code="required")
    names = clean_topic_names(topics) if topics is not None else None
    if note is not None:
        passage.note = clean_note(note)
    passage.save()
    if names is not None:
        passage.topics.set(resolve_topics(names))
    search_index.reindex_passages([passage.pk])
    return passage


@transaction.atomic
def confirm_passage(*, passage: Passage) -> Passage:
    """Accept where re-anchoring put a fuzzy or moved passage: its quote becomes the text
    now at that span, on the section's current version."""
    if passage.status == Passage.Status.ORPHANED or passage.section_id is None:
        raise ValidationError(
            _("This passage's text is gone; select new text to re-attach it."), code="invalid"
        )
    section = _locked(passage.section)
    _apply_selector(passage, section, anchoring.select(section.plain_text, passage.start, passage.end))
    passage.save()
    search_index.reindex_passages([passage.pk])
    return passage


@transaction.atomic
def delete_passage(*, passage: Passage) -> None:
    """Delete a passage and its tags (its search entry goes with it: cascade)."""
    passage.delete()


@transaction.atomic
def save_section(*, section: Section, edited: bool = False) -> list[Passage]:
    """Save a new or edited section (as a form left it). When its heading or body changed,
    or the caller says an editor changed it (``edited``: an admin form that changed, say,
    its topics), bump its version, which the section's admin form checks against stale
    saves. When its body changed, re-anchor every passage on it in the same transaction;
    a passage is never deleted, only marked anchored, moved, fuzzy or orphaned. Returns the
    passages re-anchored.
    """
    stored = (
        Section.objects.select_for_update().filter(pk=section.pk)
        .values("heading", "body", "version").first()
        if section.pk
        else None
    )
    changed = stored is not None and normalise_source(section.body) != stored["body"]
    if stored is not None:
        bump = changed or edited or section.heading != stored["heading"]
        section.version = stored["version"] + int(bump)
    section.save()
    search_index.reindex_sections([section.pk])
    if not changed:
        return []
    passages = list(section.passages.all())
    for passage in passages:
        anchor = anchoring.reanchor(
            section.plain_text,
            anchoring.Selector(passage.exact, passage.prefix, passage.suffix, passage.start, passage.end),
        )
        passage.status, passage.start, passage.end = anchor.status, anchor.start, anchor.end
    Passage.objects.bulk_update(passages, ["status", "start", "end"])
    search_index.reindex_passages([p.pk for p in passages])
    return passages


def _orphan_passages(sections: QuerySet[Section]) -> int:
    # One UPDATE for all of them; the SET_NULL on Passage.section would clear the section
    # anyway, but only here does the passage learn that it lost its place.
    return Passage.objects.filter(section__in=sections).update(
        section=None, status=Passage.Status.ORPHANED
    )


@transaction.atomic
def delete_sections(*, sections: QuerySet[Section]) -> int:
    """Delete sections (an article edit, a restore, the admin). Analysts' passages on them
    are kept as orphans of their article, for their analysts to re-attach or delete.
    Returns how many passages were orphaned."""
    orphaned = _orphan_passages(sections)
    sections.delete()
    return orphaned


@transaction.atomic
def delete_article(*, article: Article) -> int:
    """Delete an article and its sections. Its passages stay, orphaned, still pointing at
    the article: django-reversion can recover it (same id), and then they can be
    re-attached on its page. Returns how many passages were orphaned."""
    orphaned = _orphan_passages(Section.objects.filter(article=article))
    article.delete()
    return orphaned


def orphan_detached_passages(*, article: Article) -> int:
    """Mark orphaned the article's passages whose section was deleted by code outside these
    services (django-reversion's admin revert deletes sections itself)."""
    return (Passage.objects.filter(article=article, section__isnull=True)
            .exclude(status=Passage.Status.ORPHANED).update(status=Passage.Status.ORPHANED))


# Topic management: renames and merges carry every tag along and leave redirects behind.


def _check_topic_free(topic: Topic, *, name: str, slug: str) -> None:
    clash = Topic.objects.exclude(pk=topic.pk).filter(Q(name__iexact=name) | Q(slug=slug)).first()
    if clash:
        raise ValidationError(
            _("The topic “%(name)s” already has this name or slug; merge the two instead.")
            % {"name": clash.name},
            code="unique",
        )


def _redirect(old_slug: str, topic: Topic) -> None:
    if old_slug != topic.slug:
        TopicRedirect.objects.update_or_create(old_slug=old_slug, defaults={"topic": topic})
    # A slug in use again is no longer a redirect.
    TopicRedirect.objects.filter(old_slug=topic.slug).delete()


@transaction.atomic
def rename_topic(*, topic: Topic, name: str, slug: str = "") -> Topic:
    """Give a topic a new label and, optionally, slug (blank: made from the label).

    Section and passage tags point at the topic and so follow it; the old URL redirects,
    and the old labels become aliases (as a merge makes them), so searches and tags
    written with the old name still find it. Other fields changed on ``topic`` (as by
    the admin form) are saved too.
    """
    old_slug, *old_labels = (Topic.objects.filter(pk=topic.pk)
                             .values_list("slug", "name", "name_en").get())
    topic.name = normalise_source(name).strip()
    if not topic.name:
        raise ValidationError(_("A topic needs a name."), code="required")
    topic.slug = slug.strip() or topic.slugify(topic.name)
    _check_topic_free(topic, name=topic.name, slug=topic.slug)
    topic.save()
    _redirect(old_slug, topic)
    _keep_as_aliases(old_labels, topic)
    search_index.reindex_topics([topic.pk])
    return topic


def _keep_as_aliases(names: Iterable[str], topic: Topic) -> None:
    """Make ``names`` (a topic's former labels) aliases of ``topic``; a name that is one
    of its labels again is no longer an alias, and one another topic holds stays there."""
    labels = {topic.name, topic.name_en} - {""}
    TopicAlias.objects.filter(topic=topic, name__in=labels).delete()
    taken = set(TopicAlias.objects.filter(name__in=list(names)).values_list("name", flat=True))
    TopicAlias.objects.bulk_create(
        TopicAlias(topic=topic, name=name) for name in sorted(set(names) - labels - taken - {""})
    )


@transaction.atomic
def merge_topics(*, source: Topic, target: Topic) -> Topic:
    """Merge ``source`` into ``target``: every section and passage tagged with the source is
    tagged with the target instead, its names become aliases of the target, its see-also
    links and redirects move over, its URL redirects, and the source is deleted."""
    if source.pk == target.pk:
        raise ValidationError(_("A topic cannot be merged into itself."), code="invalid")
    for through in (TaggedSection, TaggedPassage):
        already = through.objects.filter(tag=target).values("content_object")
        through.objects.filter(tag=source, content_object__in=already).delete()
        through.objects.filter(tag=source).update(tag=target)
    TopicAlias.objects.filter(topic=source).update(topic=target)
    _keep_as_aliases([source.name, source.name_en], target)
    target.see_also.add(*source.see_also.exclude(pk=target.pk))
    TopicRedirect.objects.filter(topic=source).update(topic=target)
    old_slug = source.slug
    source.delete()
    _redirect(old_slug, target)
    search_index.reindex_topics([target.pk])  # its aliases and its sections' labels
    return target
