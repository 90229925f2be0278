"""What the editorial pages read: topic profiles for suggestions, an editor's import draft,
kb's recent changes."""

from __future__ import annotations

import operator
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import reduce

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.paginator import Page, Paginator
from django.db.models import Case, CharField, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from reversion.models import Revision, Version

from kb.editorial.models import ImportDraft, Watch
from kb.library.models import Article, Section, Topic
from kb.library.originals import OriginalFile
from kb.passages.models import Passage, TaggedPassage
from kb.site.models import Job


def import_draft(token: str, *, user) -> ImportDraft | None:
    """The user's import preview with this token (from the preview's form), if still kept."""
    try:
        token = uuid.UUID(token)
    except (TypeError, ValueError):
        return None
    # The uploaded file's bytes are read only when the import is saved (import_original).
    return ImportDraft.objects.filter(token=token, user=user).defer("original").first()


def import_job(token, *, user) -> Job | None:
    """The user's import job with this token (from its page's URL), without the file."""
    return Job.objects.filter(token=token, user=user, kind=Job.Kind.IMPORT).defer(
        "payload").first()


def import_original(draft: ImportDraft) -> OriginalFile | None:
    """The file uploaded for ``draft``, to keep as the imported article's original."""
    meta = draft.data.get("original")
    content = ImportDraft.objects.filter(pk=draft.pk).values_list("original", flat=True).first()
    if not meta or content is None:
        return None
    return OriginalFile(content=bytes(content), filename=meta["filename"],
                        content_type=meta["content_type"])


# Recent changes: read from the records kb keeps anyway. Every write of an article, a
# section or a topic is a django-reversion revision (who, when, comment); a passage's row
# records who made it and when. Edits and deletions of passages leave no record, so the
# list shows passages as they are created.

CHANGES_PER_PAGE = 50
CHANGE_KINDS = {"article": _("Article"), "section": _("Section"), "topic": _("Topic"),
                "passage": _("Passage")}


@dataclass
class Change:
    key: str  # stable: "revision-<pk>" or "passage-<pk>" (feed entries' ids)
    kind: str  # a key of CHANGE_KINDS
    at: datetime
    who: AbstractBaseUser | None
    title: str  # what changed, named as it was then
    what: str  # the revision's comment, or the passage's quote
    url: str = ""  # where it is now ("" once deleted)
    diff_url: str = ""  # the comparison with the previous revision, if there is one
    language: str = ""  # of the title, when it is the content's own (articles, sections)

    @property
    def kind_label(self) -> str:
        return str(CHANGE_KINDS[self.kind])


@dataclass
class ChangesPage:
    items: Page  # object_list: a list of Change, newest first
    kind: str
    topic: Topic | None


def _holding(model: str) -> Exists:
    return Exists(Version.objects.filter(revision=OuterRef("pk"), content_type__app_label="kb",
                                         content_type__model=model))


def _revisions_holding(*, sections: Q, direct: Q) -> Exists:
    """Revisions holding a version of a section matching ``sections`` now, or a version
    matching ``direct``."""
    keys = Section.objects.filter(sections).annotate(key=Cast("pk", CharField())).values("key")
    return Exists(Version.objects.filter(
        Q(content_type__model="section", object_id__in=keys) | direct,
        revision=OuterRef("pk"), content_type__app_label="kb"))


def _about_topic(topic: Topic) -> tuple[Q, Q]:
    """(revisions, passages) about ``topic``: revisions of the topic or of a section now
    tagged with it; passages tagged with it."""
    return (Q(_revisions_holding(sections=Q(tagged_items__tag=topic),
                                 direct=Q(content_type__model="topic", object_id=str(topic.pk)))),
            Q(pk__in=TaggedPassage.objects.filter(tag=topic).values("content_object")))


def _about_article(article_id: int) -> tuple[Q, Q]:
    """(revisions, passages) about an article: its revisions, those of its sections alone,
    the passages made in it."""
    return (Q(_revisions_holding(sections=Q(article_id=article_id),
                                 direct=Q(content_type__model="article", object_id=str(article_id)))),
            Q(article_id=article_id))


def _change_rows(*, kind: str = "", about: list[tuple[Q, Q]] | None = None):
    """(kind, when, pk) of every change, revisions and passages in one UNION. A revision is
    an article's when it holds the article, else a section's or a topic's. ``about``, if
    given, keeps the changes matching any of its (revisions, passages) conditions."""
    revisions = Revision.objects.annotate(
        kind=Case(When(_holding("article"), then=Value("article")),
                  When(_holding("section"), then=Value("section")),
                  When(_holding("topic"), then=Value("topic")),
                  default=Value(""), output_field=CharField()),
        at=F("date_created"), ref=F("pk"),
    ).exclude(kind="")
    passages = Passage.objects.annotate(kind=Value("passage", output_field=CharField()),
                                        at=F("created_at"), ref=F("pk"))
    if about is not None:
        revisions = revisions.filter(reduce(operator.or_, (r for r, _p in about), Q(pk__in=[])))
        passages = passages.filter(reduce(operator.or_, (p for _r, p in about), Q(pk__in=[])))
    if kind:
        revisions = revisions.filter(kind=kind)
    if kind == "passage":
        return passages.values_list("kind", "at", "ref").order_by("-at", "-ref")
    rows = revisions.values_list("kind", "at", "ref")
    if not kind:
        # A compound statement's parts must not be ordered: only the whole is.
        rows = rows.order_by().union(passages.values_list("kind", "at", "ref").order_by(),
                                     all=True)
    return rows.order_by("-at", "-ref")


def _changes(rows: list[tuple[str, datetime, int]]) -> list[Change]:
    """The changes of these rows, read in at most six queries whatever their number."""
    revision_ids = [pk for kind, _at, pk in rows if kind != "passage"]
    section_revisions = [pk for kind, _at, pk in rows if kind == "section"]
    revisions = Revision.objects.select_related("user").in_bulk(revision_ids)
    previous = Version.objects.filter(content_type_id=OuterRef("content_type_id"),
                                      object_id=OuterRef("object_id"), pk__lt=OuterRef("pk"))
    kinds = {pk: kind for kind, _at, pk in rows}
    subjects: dict[int, Version] = {}
    if revision_ids:
        versions = (
            Version.objects.filter(revision_id__in=revision_ids, content_type__app_label="kb")
            .filter(Q(content_type__model__in=["article", "topic"])
                    | Q(content_type__model="section", revision_id__in=section_revisions))
            .annotate(model=F("content_type__model"),
                      previous=Subquery(previous.order_by("-pk").values("pk")[:1]))
            .only("pk", "revision_id", "object_id", "object_repr").order_by("pk")
        )
        for version in versions:
            # What the revision is about: its article, not the free tags created with it.
            if version.model == kinds[version.revision_id]:
                subjects.setdefault(version.revision_id, version)
    ids = {model: [int(v.object_id) for v in subjects.values() if v.model == model]
           for model in ("article", "section", "topic")}
    articles = Article.objects.only("slug", "language").in_bulk(ids["article"])
    sections = Section.objects.select_related("article").only(
        "anchor", "article", "article__slug", "article__language").in_bulk(ids["section"])
    topics = Topic.objects.only("slug").in_bulk(ids["topic"])
    passages = Passage.objects.select_related("analyst", "article").in_bulk(
        [pk for kind, _at, pk in rows if kind == "passage"])
    changes = []
    for kind, at, pk in rows:
        if kind == "passage":
            passage = passages[pk]
            article = passage.source_article
            changes.append(Change(
                key=f"passage-{pk}", kind=kind, at=at, who=passage.analyst,
                title=article.title if article else "", what=passage.exact,
                url=passage.get_absolute_url(), language=article.language if article else ""))
            continue
        revision, version = revisions[pk], subjects.get(pk)
        change = Change(key=f"revision-{pk}", kind=kind, at=at, who=revision.user,
                        title=version.object_repr if version else "", what=revision.get_comment())
        if version is not None:
            current = {"article": articles, "section": sections, "topic": topics}[kind].get(
                int(version.object_id))
            change.url = current.get_absolute_url() if current else ""
            if kind == "article" and current is not None:
                change.language = current.language
                if version.previous:
                    change.diff_url = (reverse("kb:article_compare", args=[current.slug])
                                       + f"?from={version.previous}&to={version.pk}")
            elif kind == "section" and current is not None:
                change.language = current.article.language
        changes.append(change)
    return changes


def recent_changes(*, kind: str = "", topic: str = "", page: int | str = 1) -> ChangesPage:
    """A page (``CHANGES_PER_PAGE``) of kb's changes, newest first, of one kind (a key of
    CHANGE_KINDS, "" for all) and about one topic (a slug, "" for all), in at most nine
    queries whatever the corpus. Raises Http404 for an unknown topic and InvalidPage for a
    page out of range."""
    chosen = get_object_or_404(Topic, slug=topic) if topic else None
    rows = _change_rows(kind=kind, about=[_about_topic(chosen)] if chosen else None)
    items = Paginator(rows, CHANGES_PER_PAGE).page(page)
    items.object_list = _changes(list(items.object_list))
    return ChangesPage(items=items, kind=kind, topic=chosen)


@dataclass
class WatchedPage:
    watches: list[Watch]  # with ``article`` or ``topic`` loaded, articles first
    items: Page  # object_list: Changes since each watch's last_seen, newest first


def watched_changes(*, user: AbstractBaseUser, page: int | str = 1) -> WatchedPage:
    """What changed in the articles and topics ``user`` watches since they last looked,
    a page (``CHANGES_PER_PAGE``) at a time, in a fixed number of queries whatever the
    number of watches. Raises InvalidPage for a page out of range."""
    watches = list(Watch.objects.filter(user=user).select_related("article", "topic")
                   .order_by("topic_id", "article__title_sort", "topic__name", "pk"))
    about = []
    for watch in watches:
        revisions, passages = (_about_article(watch.article_id) if watch.article_id
                               else _about_topic(watch.topic))
        about.append((revisions & Q(date_created__gt=watch.last_seen),
                      passages & Q(created_at__gt=watch.last_seen)))
    rows = _change_rows(about=about) if about else []
    items = Paginator(rows, CHANGES_PER_PAGE).page(page)
    items.object_list = _changes(list(items.object_list))
    return WatchedPage(watches=watches, items=items)


def watching(*, user: AbstractBaseUser, article: Article | None = None,
             topic: Topic | None = None) -> bool:
    """Whether ``user`` (anyone, logged in or not) watches ``article`` or ``topic``."""
    if not user.is_authenticated:
        return False
    return Watch.objects.filter(user=user, article=article, topic=topic).exists()
