"""The code-by-document matrix: for topics × articles, how many sections and passages each
topic tags in each article, with where a topic's pages list them.

A read like the selectors, kept in a module of its own (the selectors module is a topic's
and an article's pages). Four queries whatever the size of the corpus: the topics and
articles to choose from, and one grouped count each of tagged sections and passages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from kb.library.models import Article, TaggedSection, Topic
from kb.library.querysets import oldest_first
from kb.library.selectors import TOPIC_SECTIONS_PER_PAGE
from kb.passages.models import TaggedPassage

MAX_CHOSEN = 200  # topics or articles named in one request: a URL, not a bulk API


@dataclass
class Cell:
    """One topic in one article: its tagged sections (which start on ``sections_page`` of
    the topic's page) and passages."""

    topic: Topic
    article: Article
    sections: int = 0
    passages: int = 0
    sections_page: int = 1


@dataclass
class Row:
    topic: Topic
    cells: list[Cell]

    @property
    def sections(self) -> int:
        return sum(cell.sections for cell in self.cells)

    @property
    def passages(self) -> int:
        return sum(cell.passages for cell in self.cells)


@dataclass
class Matrix:
    rows: list[Row]
    articles: list[Article]  # the columns
    # What the filter offers: every topic that tags something, every article.
    topic_choices: list[Topic] = field(default_factory=list)
    article_choices: list[Article] = field(default_factory=list)
    chosen_topics: list[str] = field(default_factory=list)
    chosen_articles: list[str] = field(default_factory=list)


def _chosen(items: list, slugs: Sequence[str], unknown: str) -> list:
    """``items`` whose slug is in ``slugs`` (all of them when none is given), in their order;
    an unknown slug is refused with ``unknown``."""
    if not slugs:
        return items
    if len(slugs) > MAX_CHOSEN:
        raise ValidationError(_("Choose at most %(max)d topics and %(max)d articles.")
                              % {"max": MAX_CHOSEN}, code="invalid")
    known = {item.slug for item in items}
    missing = [slug for slug in slugs if slug not in known]
    if missing:
        raise ValidationError(unknown % {"slugs": "、".join(s[:100] for s in missing[:5])},
                              code="invalid")
    return [item for item in items if item.slug in set(slugs)]


def topic_matrix(*, topic_slugs: Sequence[str] = (), article_slugs: Sequence[str] = ()) -> Matrix:
    """Topics (by default every one that tags a section or passage) × articles (by default
    all, oldest first), each cell with its counts. Raises ValidationError for a topic or
    article that does not exist (or, for a topic, tags nothing)."""
    topic_choices = list(
        Topic.objects.filter(Q(pk__in=TaggedSection.objects.values("tag_id"))
                             | Q(pk__in=TaggedPassage.objects.values("tag_id")))
        .only("pk", "slug", "name", "name_en").order_by("name", "pk")
    )
    article_choices = list(Article.objects.only("pk", "slug", "title", "language", "published_on")
                           .order_by(*oldest_first()))
    topics = _chosen(topic_choices, topic_slugs,
                     _("There is no topic with tagged content named %(slugs)s."))
    articles = _chosen(article_choices, article_slugs, _("There is no article %(slugs)s."))
    topic_ids = [topic.pk for topic in topics]
    cells = {(t.pk, a.pk): Cell(topic=t, article=a) for t in topics for a in articles}

    # Every article of the chosen topics, shown or not, in a topic page's order: the running
    # count says on which page of the topic each article's sections start.
    sections = (TaggedSection.objects.filter(tag_id__in=topic_ids)
                .values_list("tag_id", "content_object__article_id")
                .annotate(count=Count("id"))
                .order_by("tag_id", *oldest_first("content_object__article__")))
    seen: dict[int, int] = {}
    for topic_id, article_id, count in sections:
        before = seen.get(topic_id, 0)
        seen[topic_id] = before + count
        if (topic_id, article_id) in cells:
            cell = cells[topic_id, article_id]
            cell.sections, cell.sections_page = count, before // TOPIC_SECTIONS_PER_PAGE + 1
    passages = (TaggedPassage.objects.filter(tag_id__in=topic_ids)
                .values_list("tag_id", "content_object__article_id")
                .annotate(count=Count("id")).order_by())
    for topic_id, article_id, count in passages:
        if (topic_id, article_id) in cells:
            cells[topic_id, article_id].passages = count
    return Matrix(
        rows=[Row(topic=t, cells=[cells[t.pk, a.pk] for a in articles]) for t in topics],
        articles=articles, topic_choices=topic_choices, article_choices=article_choices,
        chosen_topics=list(topic_slugs), chosen_articles=list(article_slugs),
    )
