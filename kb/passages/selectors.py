"""What passage pages read, in a fixed number of queries whatever the size of the corpus."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator

from kb.library.models import Article, Topic
from kb.library.selectors import topic_by_slug
from kb.passages.models import Notification, Passage


@dataclass
class MyPassagesPage:
    passages: list[Passage]
    topics: list[Topic]
    articles: list[Article]
    topic: Topic | None
    article: Article | None
    repair_count: int


def my_passages(user, *, topic_slug: str = "", article_slug: str = "") -> MyPassagesPage:
    """An analyst's passages, optionally of one topic and/or article, with the topics and
    articles their passages have (the filter choices). Unknown filters select nothing."""
    mine = Passage.objects.by(user)
    passages = mine.with_details().in_reading_order()
    topic = article = None
    if topic_slug:
        topic = topic_by_slug(topic_slug)  # a bookmarked filter survives a rename
        passages = passages.tagged_with(topic) if topic else passages.none()
    if article_slug:
        article = Article.objects.filter(slug=article_slug).first()
        passages = passages.filter(article=article) if article else passages.none()
    return MyPassagesPage(
        passages=list(passages),
        topics=list(Topic.objects.filter(tagged_passages__content_object__analyst=user)
                    .distinct().order_by("name")),
        articles=list(Article.objects.filter(passages__analyst=user)
                      .distinct().order_by("title")),
        topic=topic,
        article=article,
        repair_count=mine.needing_repair().count(),
    )


def passages_to_repair(user, *, everyone: bool) -> list[Passage]:
    """Fuzzy and orphaned passages: the user's own, or everyone's (for editors)."""
    passages = Passage.objects.needing_repair()
    if not everyone:
        passages = passages.by(user)
    return list(passages.with_details().in_reading_order())


INBOX_PER_PAGE = 25


def unread_count(user) -> int:
    """The header badge: one COUNT on the (recipient, read_at) index."""
    return Notification.objects.for_user(user).unread().count()


def inbox_page(user, *, page: int | str = 1) -> Page:
    """One page of the user's notifications, newest first, each with what it links to.
    Raises django.core.paginator.InvalidPage for a page out of range."""
    notifications = (Notification.objects.for_user(user)
                     .select_related("topic", "passage__article").order_by("-created_at", "-id"))
    items = Paginator(notifications, INBOX_PER_PAGE).page(page)
    items.object_list = list(items.object_list)
    return items
