"""Reusable reads: chainable QuerySet methods used by selectors, feeds and admin."""

from __future__ import annotations

from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import ExtractYear
from taggit.models import NaturalKeyManager


class TopicQuerySet(models.QuerySet):
    def with_counts(self) -> TopicQuerySet:
        """Annotate how many sections and articles carry each topic."""
        return self.annotate(
            section_count=Count("tagged_sections", distinct=True),
            article_count=Count("tagged_sections__content_object__article", distinct=True),
        )

    def co_occurring_with(self, topic) -> TopicQuerySet:
        """Other topics tagged on the same sections as ``topic``, with how many sections share them."""
        return (
            self.filter(tagged_sections__content_object__tagged_items__tag=topic)
            .exclude(pk=topic.pk)
            .annotate(shared_sections=Count("tagged_sections__content_object", distinct=True))
            .order_by("-shared_sections", "name")
        )

    def pairs(self) -> models.QuerySet:
        """(topic id, other topic id, shared sections) for each two topics tagged on the same
        sections, the lower id first, in one query: a self-join on the tagged sections grouped
        by the pair. A topic paired with itself gives its number of sections."""
        other = "tagged_sections__content_object__tagged_items__tag"
        return (self.filter(**{f"{other}__gte": models.F("pk")}).values_list("pk", other)
                .annotate(n=Count("tagged_sections")).order_by())

    def sections_per_year(self) -> models.QuerySet:
        """(topic id, year, sections) by the date of the sections' reports, in one query;
        sections of undated reports are left out."""
        date = "tagged_sections__content_object__article__published_on"
        return (self.filter(**{f"{date}__isnull": False}).annotate(year=ExtractYear(date))
                .values_list("pk", "year").annotate(n=Count("tagged_sections"))
                .order_by("pk", "year"))


class TopicManager(NaturalKeyManager.from_queryset(TopicQuerySet)):
    pass


def oldest_first(prefix: str = "") -> tuple:
    """Articles oldest first (undated last), by title: how a topic page groups its sections
    and lists its articles. Both must agree: the article list links to where each starts."""
    return (models.F(f"{prefix}published_on").asc(nulls_last=True), f"{prefix}title", f"{prefix}id")


class ArticleQuerySet(models.QuerySet):
    def recent(self) -> ArticleQuerySet:
        return self.order_by(models.F("published_on").desc(nulls_last=True), "title")

    def matching(self, *, publisher: str = "", year: int | None = None, kind: str = "",
                 topic: str = "") -> ArticleQuerySet:
        """Articles matching every facet given (an empty one matches all): issuing body,
        year of publication, kind of document, and a topic slug any of their sections carries.
        The topic is matched in a subquery, so each article comes once and counts stay exact."""
        found = self
        if publisher:
            found = found.filter(publisher=publisher)
        if year:
            found = found.filter(published_on__year=year)
        if kind:
            found = found.filter(kind=kind)
        if topic:
            tagged = self.model.objects.filter(sections__tagged_items__tag__slug=topic)
            found = found.filter(pk__in=tagged.values("pk"))
        return found

    def with_sections_tagged(self, topic) -> ArticleQuerySet:
        """Articles with sections carrying ``topic``, each with how many
        (``tagged_sections``), in the order a topic page groups its sections
        (``SectionQuerySet.tagged_with``)."""
        return (
            self.filter(sections__tagged_items__tag=topic)
            .annotate(tagged_sections=Count("sections", distinct=True))
            .order_by(*oldest_first())
        )

    def sharing_topics(self, article, topic_ids) -> ArticleQuerySet:
        """Articles with sections tagged with any of ``topic_ids``, most shared topics first."""
        return (
            self.exclude(pk=article.pk)
            .annotate(
                shared_topics=Count(
                    "sections__tagged_items__tag",
                    filter=Q(sections__tagged_items__tag__in=topic_ids),
                    distinct=True,
                )
            )
            .filter(shared_topics__gt=0)
            .order_by("-shared_topics", models.F("published_on").desc(nulls_last=True))
        )


class SectionQuerySet(models.QuerySet):
    def with_topics(self) -> SectionQuerySet:
        return self.prefetch_related("topics")

    def tagged_with(self, topic) -> SectionQuerySet:
        """Sections carrying ``topic``, grouped by article (oldest first), in reading order."""
        return (
            self.filter(tagged_items__tag=topic)
            .select_related("article")
            .order_by(*oldest_first("article__"), "position", "id")
        )
