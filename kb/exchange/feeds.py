"""Atom feeds (django.contrib.syndication): new and changed articles, what is new in a
topic, kb's recent changes.

Each entry's id is a ``urn:uuid`` made from what it is about (an article's primary key, a
revision's), so it stays the same when a title, a slug or the site's host name changes; a
changed article keeps its entry and gets a new ``updated``. Dates are given in UTC.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from kb.editorial.selectors import Change, recent_changes
from kb.library.models import Article, Section, Topic
from kb.passages.models import Passage

FEED_ENTRIES = 30
# Entry ids: uuid5 of "<kind>/<primary key>" in kb's own namespace.
_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "kb:feeds")


def entry_id(kind: str, pk: int | str) -> str:
    return f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, f'{kind}/{pk}')}"


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


class ArticlesFeed(Feed):
    """Articles, most recently created or changed first."""

    feed_type = Atom1Feed

    def title(self) -> str:
        return _("kb: new and changed articles")

    def subtitle(self) -> str:
        return _("Japanese reports on China's digital economy, as they are added and edited")

    def link(self) -> str:
        return reverse("kb:articles")

    def items(self):
        return Article.objects.order_by("-updated_at", "-pk")[:FEED_ENTRIES]

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.summary_html

    def item_guid(self, item: Article) -> str:
        return entry_id("article", item.pk)

    def item_pubdate(self, item: Article) -> datetime:
        return _utc(item.created_at)

    def item_updateddate(self, item: Article) -> datetime:
        return _utc(item.updated_at)

    def item_author_name(self, item: Article) -> str:
        return item.publisher or item.authors


class TopicFeed(Feed):
    """What is new in one topic: the sections tagged with it (by when they last changed)
    and the passages tagged with it (by when they were made), newest first."""

    feed_type = Atom1Feed

    def get_object(self, request, slug: str) -> Topic:
        return get_object_or_404(Topic, slug=slug)

    def title(self, obj: Topic) -> str:
        return _("kb: new in %(topic)s") % {"topic": obj.name}

    def subtitle(self, obj: Topic) -> str:
        return _("Sections and passages tagged %(topic)s") % {"topic": obj.name}

    def link(self, obj: Topic) -> str:
        return obj.get_absolute_url()

    def items(self, obj: Topic) -> list[Section | Passage]:
        sections = (Section.objects.filter(tagged_items__tag=obj).select_related("article")
                    .order_by("-updated_at", "-pk")[:FEED_ENTRIES])
        passages = (Passage.objects.tagged_with(obj).select_related("article", "analyst")
                    .order_by("-created_at", "-pk")[:FEED_ENTRIES])
        for passage in passages:
            # A passage of a deleted article has no page: its topic's page stands in.
            passage.feed_link = passage.get_absolute_url() or obj.get_absolute_url()
        newest = sorted([*sections, *passages], key=self._when, reverse=True)
        return newest[:FEED_ENTRIES]

    @staticmethod
    def _when(item: Section | Passage) -> datetime:
        return item.updated_at if isinstance(item, Section) else item.created_at

    def item_title(self, item: Section | Passage) -> str:
        if isinstance(item, Section):
            return f"{item.article.title} — {item.heading or item.anchor}"
        article = item.source_article
        return _("Passage: %(quote)s") % {"quote": str(item)} + (f" ({article.title})" if article else "")

    def item_description(self, item: Section | Passage) -> str:
        if isinstance(item, Section):
            return item.body_html
        return item.exact + (f"\n\n{item.note}" if item.note else "")

    def item_link(self, item: Section | Passage) -> str:
        return item.get_absolute_url() if isinstance(item, Section) else item.feed_link

    def item_guid(self, item: Section | Passage) -> str:
        return entry_id("section" if isinstance(item, Section) else "passage", item.pk)

    def item_updateddate(self, item: Section | Passage) -> datetime:
        return _utc(self._when(item))

    def item_author_name(self, item: Section | Passage) -> str:
        return "" if isinstance(item, Section) else item.analyst.get_username()


class ChangesFeed(Feed):
    """The first page of /changes/: who changed what, with the diff as the link where
    there is one."""

    feed_type = Atom1Feed

    def title(self) -> str:
        return _("kb: recent changes")

    def subtitle(self) -> str:
        return _("Articles, sections, topics and passages as they change")

    def link(self) -> str:
        return reverse("kb:changes")

    def items(self) -> list[Change]:
        return recent_changes().items.object_list[:FEED_ENTRIES]

    def item_title(self, item: Change) -> str:
        return f"{item.kind_label}: {item.title or '—'}"

    def item_description(self, item: Change) -> str:
        return item.what

    def item_link(self, item: Change) -> str:
        return item.diff_url or item.url or reverse("kb:changes")

    def item_guid(self, item: Change) -> str:
        return entry_id("change", item.key)

    def item_updateddate(self, item: Change) -> datetime:
        return _utc(item.at)

    def item_pubdate(self, item: Change) -> datetime:
        return _utc(item.at)

    def item_author_name(self, item: Change) -> str:
        return item.who.get_username() if item.who else ""
