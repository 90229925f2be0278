"""Writes of the library: topics (tags, renames, merges, redirects) and wiki-link upkeep.

Each service is one transaction: it succeeds whole or changes nothing. Article and section
writes record revisions and move passages, so they live in kb.editorial.services and
kb.passages.services."""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import PurePath

import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext as _

from kb.library import selectors
from kb.library.models import (
    Article,
    Section,
    TaggedSection,
    Topic,
    TopicAlias,
    TopicRedirect,
    check_parent,
)
from kb.library.originals import Original, OriginalFile, originals_storage
from kb.library.validators import validate_topic_names
from kb.passages.models import TaggedPassage
from kb.search import index as search_index
from kb.site.cache import content_changed, dependencies
from kb.text import normalise_source


def revision_comment(message: str, **params: object) -> str:
    """A revision comment, stored once and read by everyone later: written in the site's
    language (LANGUAGE_CODE), whatever the language of the request that made it."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(message) % params


@dataclass
class TopicData:
    slug: str
    name: str
    name_en: str = ""
    description: str = ""
    aliases: Sequence[str] = ()
    see_also: Sequence[str] = field(default_factory=tuple)
    parent: str = ""  # the parent topic's slug, "" at the top of the codebook
    colour: str = ""



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
            slug=item.slug, name=item.name, name_en=item.name_en, description=item.description,
            colour=item.colour,
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
            if item.parent in by_slug:
                set_topic_parent(topic=by_slug[item.slug], parent=by_slug[item.parent])
    search_index.reindex_topics([topic.pk for topic in created])
    return created


@transaction.atomic
@reversion.create_revision()
def set_topic_parent(*, topic: Topic, parent: Topic | None) -> Topic:
    """Place ``topic`` under ``parent`` in the codebook (None: at the top). Raises
    ValidationError, changing nothing, when ``parent`` is the topic or one of its subtopics."""
    # Read the chain under a lock: two editors moving topics under each other at once
    # must not both pass the check and close a cycle.
    locked = Topic.objects.select_for_update().in_bulk(
        [topic.pk] + ([parent.pk] if parent else []))
    if parent is not None:
        parent = locked[parent.pk]  # its parent as committed, not as the caller last read it
    check_parent(topic, parent)
    topic.parent = parent
    topic.save(update_fields=["parent", "updated_at"])
    reversion.set_comment(revision_comment(gettext_noop("Moved in the codebook")))
    return topic


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
    # The updates above send no signal: what both topics tag, and the target's own record
    # (its aliases), changed. Pages showing the source go with its deletion below.
    content_changed(dependencies.LISTS, *(
        key for topic in (source, target)
        for key in (dependencies.topic(topic.pk), dependencies.tagged(topic.pk),
                    dependencies.sections_tagged(topic.pk))))
    _adopt_subtopics(source=source, target=target)
    old_slug = source.slug
    source.delete()
    _redirect(old_slug, target)
    search_index.reindex_topics([target.pk])  # its aliases and its sections' labels
    return target


def _adopt_subtopics(*, source: Topic, target: Topic) -> None:
    """The source's subtopics go under the target; one whose own subtree holds the target
    (or the target itself) goes where the source was instead, so no cycle is made."""
    target_line = {target.pk}
    ancestor = target.parent_id
    while ancestor is not None and ancestor not in target_line:
        target_line.add(ancestor)
        ancestor = Topic.objects.filter(pk=ancestor).values_list("parent_id", flat=True).first()
    for child in Topic.objects.filter(parent=source):
        child.parent_id = source.parent_id if child.pk in target_line else target.pk
        child.save(update_fields=["parent", "updated_at"])


def refresh_links_to(keys: Iterable[str]) -> int:
    """Re-render the sections whose links to ``keys`` were missing, now that the target
    exists (or changed name); returns how many sections were saved again."""
    sections = Section.objects.filter(
        outgoing_links__target_key__in=list(keys),
        outgoing_links__target_article__isnull=True,
        outgoing_links__target_topic__isnull=True,
    ).distinct()
    count = 0
    for section in sections:
        section.save()
        count += 1
    return count


# Originals -------------------------------------------------------------------------------
# A storage write is not part of the database transaction: a file written by a transaction
# that then fails would stay behind with no row pointing at it. Writes that store originals
# run inside ``originals_cleaned_up``, which deletes the files of a transaction that did not
# commit.

# Only these suffixes reach a stored name: the uploader's filename never does.
STORED_SUFFIXES = {".pdf", ".docx", ".md", ".markdown", ".txt"}

_guards = threading.local()


@dataclass
class _Written:
    storage: Storage
    name: str
    committed: bool = False


@contextmanager
def originals_cleaned_up() -> Iterator[None]:
    """Delete the originals stored inside this block if its transaction does not commit:
    on an exception, or when the block ends outside any transaction and a file's
    ``on_commit`` never ran (rolled back). Nested blocks hand their files to the outer one;
    inside a transaction opened by someone else (and no block of ours) nothing is known yet,
    so the files are kept."""
    outer: list[_Written] | None = getattr(_guards, "written", None)
    written: list[_Written] = []
    _guards.written = written
    try:
        yield
    except BaseException:
        _delete(written)
        raise
    finally:
        _guards.written = outer
    if outer is not None:
        outer.extend(written)
    elif not transaction.get_connection().in_atomic_block:
        _delete([w for w in written if not w.committed])


def _delete(written: list[_Written]) -> None:
    for item in written:
        item.storage.delete(item.name)


@originals_cleaned_up()
@transaction.atomic
def store_original(*, article: Article, original: OriginalFile) -> Original:
    """Keep ``original`` as a new, immutable original of ``article``: its bytes in the
    originals storage under a new unique name, their SHA-256, size and content type."""
    content = original.content
    if len(content) > settings.KB_IMPORT_MAX_BYTES:
        raise ValidationError(_("The original file is larger than %(mib)d MiB.")
                              % {"mib": settings.KB_IMPORT_MAX_BYTES // (1024 * 1024)})
    digest = hashlib.sha256(content).hexdigest()
    if original.sha256 and original.sha256 != digest:
        raise ValidationError(_("The original file “%(name)s” does not match its checksum.")
                              % {"name": original.filename})
    suffix = PurePath(original.filename).suffix.lower()
    suffix = suffix if suffix in STORED_SUFFIXES else ".bin"
    storage = originals_storage()
    # Content-addressed and unique: the same bytes stored twice are two files, so deleting
    # one (a rolled-back import) never takes another's.
    name = storage.save(f"originals/{digest[:2]}/{digest}-{uuid.uuid4().hex[:12]}{suffix}",
                        ContentFile(content))
    written = _Written(storage=storage, name=name)
    _guards.written.append(written)  # the list of this function's own guard
    transaction.on_commit(lambda: setattr(written, "committed", True))
    row = Original(article=article, stored_name=name, size=len(content), sha256=digest,
                   filename=(PurePath(original.filename).name or "original")[:255],
                   content_type=original.content_type[:120])
    row.full_clean(exclude=["article"])
    row.save()
    return row


def forget_originals(originals: Iterable[Original]) -> None:
    """Delete the files of ``originals`` (rows being deleted) once the deletion commits."""
    names = [o.stored_name for o in originals]
    storage = originals_storage()
    transaction.on_commit(lambda: [storage.delete(name) for name in names])
