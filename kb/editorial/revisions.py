"""An article's revision history (django-reversion): states, comparisons, version numbers.

Each revision of an article holds the article, all its sections and their topic rows
(see the ``reversion.register`` calls in models.py), so any revision is a whole state
of the article that can be shown, compared with another, or restored.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import caches
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from reversion.models import Version

from kb.editorial.diffs import DiffBudget, diff_text
from kb.library.models import Article, Section, TaggedSection, Topic

# Article fields an editor changes, in the order a comparison shows them.
ARTICLE_FIELDS = [
    ("title", _("title")), ("slug", _("slug")), ("kind", _("kind of document")),
    ("publisher", _("publisher / issuing body")), ("authors", _("authors")),
    ("published_on", _("date")), ("source_url", _("source URL")),
    ("language", _("language")), ("summary", _("summary (Markdown)")),
]


@dataclass
class SectionState:
    pk: int
    anchor: str
    position: int
    heading: str
    body: str
    topics: list[str] = field(default_factory=list)
    topic_ids: list[int] = field(default_factory=list)
    # Pages of the original as recorded; None in revisions made before sections had pages.
    pages: tuple[int | None, int | None, list] | None = None


@dataclass
class ArticleState:
    """An article as it was in one revision (or is now)."""

    pk: int
    version: int
    fields: dict[str, object]
    sections: list[SectionState]


def state_of_version(version: Version) -> ArticleState:
    """The article recorded in ``version`` with the sections of the same revision (2 queries)."""
    article_fields = version.field_dict
    return ArticleState(
        pk=article_fields["id"],
        version=article_fields.get("version", 1),
        fields={name: article_fields.get(name) for name, _label in ARTICLE_FIELDS},
        sections=_sections_of_revision(version, lambda s: s["article_id"] == article_fields["id"]),
    )


def _sections_of_revision(version: Version, wanted) -> list[SectionState]:
    """The sections (``wanted(field_dict)``) recorded in ``version``'s revision, with the
    names of their topics in that revision, in reading order."""
    by_model: dict[type, list[Version]] = {}
    for item in version.revision.version_set.select_related("content_type"):
        by_model.setdefault(item.content_type.model_class(), []).append(item)
    sections = [s for s in (v.field_dict for v in by_model.get(Section, [])) if wanted(s)]
    section_ids = {s["id"] for s in sections}
    tags: dict[int, list[int]] = {}
    for item in by_model.get(TaggedSection, []):
        row = item.field_dict
        if row["content_object_id"] in section_ids:
            tags.setdefault(row["content_object_id"], []).append(row["tag_id"])
    names = dict(Topic.objects.filter(
        pk__in={t for ids in tags.values() for t in ids}).values_list("pk", "name"))
    return sorted(
        (
            SectionState(
                pk=s["id"], anchor=s["anchor"], position=s["position"],
                heading=s["heading"], body=s["body"],
                topic_ids=sorted(tags.get(s["id"], [])),
                topics=sorted(names.get(t, f"#{t}") for t in tags.get(s["id"], [])),
                pages=(s["page_start"], s["page_end"], s.get("page_breaks") or [])
                if "page_start" in s else None,
            )
            for s in sections
        ),
        key=lambda s: (s.position, s.pk),
    )


def section_state(section: Section) -> SectionState:
    return SectionState(
        pk=section.pk, anchor=section.anchor, position=section.position,
        heading=section.heading, body=section.body,
        topics=sorted(t.name for t in section.topics.all()),
        topic_ids=sorted(t.pk for t in section.topics.all()),
        # As a revision records them: a state now and the same state recorded are equal
        # (the compare page's diff is cached under the states it compares).
        pages=(section.page_start, section.page_end, section.page_breaks or []),
    )


def current_state(article: Article) -> ArticleState:
    sections = article.sections.order_by("position", "id").prefetch_related("topics")
    return ArticleState(
        pk=article.pk,
        version=article.version,
        fields={name: getattr(article, name) for name, _label in ARTICLE_FIELDS},
        sections=[section_state(s) for s in sections],
    )


def history(article_id: int) -> list[Version]:
    """The article's versions, newest first, with who made them."""
    return list(
        Version.objects.get_for_object_reference(Article, article_id)
        .select_related("revision__user")
    )


def version_for(article_id: int, number: int) -> Version | None:
    """The recorded version whose article ``version`` field is ``number``."""
    for version in Version.objects.get_for_object_reference(Article, article_id):
        if version.field_dict.get("version") == number:
            return version
    return None


def next_version(article: Article) -> int:
    """The number the article's next save gets: above both the row and every recorded
    revision, so numbers never repeat even after a revert wrote an old number back."""
    current = (
        Article.objects.filter(pk=article.pk).values_list("version", flat=True).first() or 0
    )
    latest = Version.objects.get_for_object_reference(Article, article.pk).first()
    recorded = latest.field_dict.get("version", 0) if latest else 0
    return max(current, recorded, article.version or 0) + 1


@dataclass
class FieldChange:
    label: str
    old: object
    new: object
    html: SafeString


@dataclass
class SectionChange:
    status: str  # "added", "removed", "changed"
    anchor: str
    heading: str
    heading_html: SafeString | None = None
    body_html: SafeString | None = None
    topics_added: list[str] = field(default_factory=list)
    topics_removed: list[str] = field(default_factory=list)
    moved: bool = False


@dataclass
class ArticleDiff:
    fields: list[FieldChange]
    sections: list[SectionChange]

    def __bool__(self) -> bool:
        return bool(self.fields or self.sections)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def compare(old: ArticleState, new: ArticleState) -> ArticleDiff:
    """What changed from ``old`` to ``new``: article fields, then sections in reading order
    of ``new`` (sections are matched by their anchor, which never changes). All the diffs
    share one budget, so the comparison's work is bounded whatever the texts."""
    budget = DiffBudget()

    def diff(a: str, b: str, shorten: bool = True) -> SafeString:
        return diff_text(a, b, shorten=shorten, budget=budget)

    fields = [
        FieldChange(str(label), old.fields.get(name), new.fields.get(name),
                    diff(_text(old.fields.get(name)), _text(new.fields.get(name))))
        for name, label in ARTICLE_FIELDS
        if _text(old.fields.get(name)) != _text(new.fields.get(name))
    ]
    before = {s.anchor: s for s in old.sections}
    after = {s.anchor: s for s in new.sections}
    old_order = {anchor: n for n, anchor in enumerate(s.anchor for s in old.sections if s.anchor in after)}
    new_order = {anchor: n for n, anchor in enumerate(s.anchor for s in new.sections if s.anchor in before)}
    sections = []
    for s in new.sections:
        was = before.get(s.anchor)
        if was is None:
            sections.append(SectionChange(
                "added", s.anchor, s.heading, diff("", s.heading),
                diff("", s.body, shorten=False), topics_added=s.topics,
            ))
            continue
        moved = old_order[s.anchor] != new_order[s.anchor]
        if (was.heading, was.body, was.topics) == (s.heading, s.body, s.topics) and not moved:
            continue
        sections.append(SectionChange(
            "changed", s.anchor, s.heading,
            diff(was.heading, s.heading) if was.heading != s.heading else None,
            diff(was.body, s.body) if was.body != s.body else None,
            topics_added=[t for t in s.topics if t not in was.topics],
            topics_removed=[t for t in was.topics if t not in s.topics],
            moved=moved,
        ))
    for s in old.sections:
        if s.anchor not in after:
            sections.append(SectionChange(
                "removed", s.anchor, s.heading, diff(s.heading, ""),
                diff(s.body, "", shorten=False), topics_removed=s.topics,
            ))
    return ArticleDiff(fields=fields, sections=sections)


DIFF_KEY_PREFIX = "kb:diff:"
DIFF_TIMEOUT = 24 * 60 * 60
logger = logging.getLogger("kb.cache")


def cached_compare(old: ArticleState, new: ArticleState) -> ArticleDiff:
    """``compare``, kept in the cache under the two states compared (and the language of
    the field labels), not under the page's address: a reader adding ``&x=1`` to the URL
    gets the stored diff, not a new computation. The key is the states' content, so the
    current article's edits give a new key and nothing has to be invalidated."""
    digest = hashlib.sha256(repr((old, new)).encode("utf-8", "surrogatepass")).hexdigest()
    key = f"{DIFF_KEY_PREFIX}{translation.get_language()}:{digest}"
    cache = caches[getattr(settings, "KB_PAGE_CACHE", "default")]
    try:
        diff = cache.get(key)
    except Exception:  # the cache is an optimisation: a failed one costs a computation
        logger.warning("diff cache unavailable", exc_info=True)
        return compare(old, new)
    if diff is None:
        diff = compare(old, new)
        try:
            cache.set(key, diff, timeout=DIFF_TIMEOUT)
        except Exception:
            logger.warning("diff cache unavailable", exc_info=True)
    return diff


class EditConflict(Exception):
    """A save made from an older version than the stored one: refused, nothing written.

    ``obj`` is the article or section as stored; ``diff`` what changed since ``loaded``.
    ``base`` is the state the editor loaded (None when no revision records it) and ``now``
    the stored one, for merging the editor's changes onto it.
    """

    def __init__(self, *, obj: Article | Section, loaded: int, diff: ArticleDiff | None,
                 latest: Version | None, base: ArticleState | SectionState | None,
                 now: ArticleState | SectionState) -> None:
        self.obj = obj
        self.base, self.now = base, now
        self.kind = obj._meta.model_name  # "article" or "section", for the message
        self.loaded = loaded
        self.current = obj.version
        self.diff = diff
        self.latest = latest
        who = latest.revision.user if latest and latest.revision.user else None
        super().__init__(
            f"{obj} was saved by {who or 'someone else'} (version {obj.version}) "
            f"after you opened version {loaded}"
        )


def lock_for_edit(*, article_id: int, loaded_version: int) -> Article:
    """Lock the article row until the transaction ends and check that the editor's copy
    is the stored version; raise EditConflict, with what changed meanwhile, if not."""
    article = Article.objects.select_for_update().get(pk=article_id)
    if article.version != loaded_version:
        loaded = version_for(article_id, loaded_version)
        base = state_of_version(loaded) if loaded else None
        now = current_state(article)
        diff = compare(base, now) if base else None
        latest = (Version.objects.get_for_object_reference(Article, article_id)
                  .select_related("revision__user").first())
        raise EditConflict(obj=article, loaded=loaded_version, diff=diff, latest=latest,
                           base=base, now=now)
    return article


def lock_section_for_edit(*, section_id: int, loaded_version: int) -> Section:
    """Like lock_for_edit, for one section edited on its own (its ``Section.version``).

    What changed is the section as recorded with the loaded version number (in the
    newest revision holding it) against the section now, as a one-section diff.

    The article is locked first, as every save of an article and its sections does:
    taking the two rows in the other order deadlocked with the article's form.
    """
    article_id = Section.objects.filter(pk=section_id).values_list("article_id", flat=True)
    list(Article.objects.select_for_update().filter(pk__in=article_id).values_list("pk"))
    section = Section.objects.select_for_update().get(pk=section_id)
    if section.version == loaded_version:
        return section
    recorded = Version.objects.get_for_object_reference(Section, section_id).select_related(
        "revision__user")
    loaded = next((v for v in recorded if v.field_dict.get("version") == loaded_version), None)
    old = _sections_of_revision(loaded, lambda s: s["id"] == section.pk) if loaded else []
    diff = None
    now = section_state(section)
    if old:
        # compare() works on articles: an "article" of just this section, with no fields.
        diff = compare(ArticleState(pk=section.article_id, version=0, fields={}, sections=old),
                       ArticleState(pk=section.article_id, version=0, fields={}, sections=[now]))
    raise EditConflict(obj=section, loaded=loaded_version, diff=diff, latest=recorded.first(),
                       base=old[0] if old else None, now=now)
