"""The catalogue: the list of every article (/articles/): its filters, sorting and facet counts, read in a
fixed number of queries whatever the size of the corpus."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, F
from django.db.models.functions import ExtractYear

from kb.library.models import Article, Topic

ARTICLES_PER_PAGE = 30
# The article list offers the topics that tag the most of the articles shown, and always
# the one chosen: a facet of every topic would be longer than the list.
ARTICLE_TOPIC_FACETS = 30

# The article list's orders, by name (in ?sort=); each ends with the primary key, so that
# pages never share or skip an article.
ARTICLE_SORTS = {
    "newest": (F("published_on").desc(nulls_last=True), "title_sort", "pk"),
    "oldest": (F("published_on").asc(nulls_last=True), "title_sort", "pk"),
    "title": ("title_sort", "pk"),
    "publisher": ("publisher", F("published_on").desc(nulls_last=True), "title_sort", "pk"),
}


@dataclass
class ArticleFilters:
    """What the article list is narrowed to (empty: every article) and how it is sorted."""

    publisher: str = ""
    year: int | None = None
    kind: str = ""
    topic: str = ""  # a topic slug
    sort: str = "newest"

    def matching(self, *, leave_out: str = ""):
        """The articles these filters select, with the facet ``leave_out`` not applied: a
        facet's counts are those of the list if its own choice were changed."""
        facets = {"publisher": self.publisher, "year": self.year, "kind": self.kind,
                  "topic": self.topic}
        facets.pop(leave_out, None)
        return Article.objects.matching(**facets)


@dataclass
class ArticleListPage:
    """One page of the article list (``items.object_list``, a list) and its facets: each a
    list of (value, number of articles); ``topics`` are Topic rows with ``article_total``."""

    filters: ArticleFilters
    items: Page
    publishers: list[tuple[str, int]]
    years: list[tuple[int, int]]
    kinds: list[tuple[str, int]]
    topics: list[Topic]
    topic: Topic | None


def article_list(filters: ArticleFilters, *, page: int | str = 1) -> ArticleListPage:
    """A page of every article (``ARTICLES_PER_PAGE``) and the counts of each facet, in six
    queries whatever the size of the corpus (seven when the chosen topic is not among the
    topic facet's). Raises InvalidPage for a page out of range."""
    items = Paginator(filters.matching().order_by(*ARTICLE_SORTS[filters.sort]),
                      ARTICLES_PER_PAGE).page(page)
    items.object_list = list(items.object_list)
    publishers = list(
        filters.matching(leave_out="publisher").exclude(publisher="").values("publisher")
        .annotate(n=Count("pk")).order_by("-n", "publisher").values_list("publisher", "n"))
    years = list(
        filters.matching(leave_out="year").filter(published_on__isnull=False)
        .annotate(year=ExtractYear("published_on")).values("year")
        .annotate(n=Count("pk")).order_by("-year").values_list("year", "n"))
    kinds = list(filters.matching(leave_out="kind").values("kind").annotate(n=Count("pk"))
                 .order_by("-n", "kind").values_list("kind", "n"))
    shown = filters.matching(leave_out="topic").values("pk")
    topics = list(
        Topic.objects.filter(tagged_sections__content_object__article__in=shown)
        .annotate(article_total=Count("tagged_sections__content_object__article", distinct=True))
        .order_by("-article_total", "name")[:ARTICLE_TOPIC_FACETS])
    chosen = next((t for t in topics if t.slug == filters.topic), None)
    if filters.topic and chosen is None:
        chosen = Topic.objects.filter(slug=filters.topic).first()
        if chosen is not None:
            chosen.article_total = 0
            topics.append(chosen)
    return ArticleListPage(filters=filters, items=items, publishers=publishers, years=years,
                           kinds=kinds, topics=topics, topic=chosen)
