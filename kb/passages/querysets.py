"""Reusable reads of passages: chainable QuerySet methods used by selectors and views."""

from __future__ import annotations

from django.db import models


class PassageQuerySet(models.QuerySet):
    def with_details(self) -> PassageQuerySet:
        """What a list of passages shows: analyst, topics, and the article and section
        (either None for an orphan: section deleted, or its article too)."""
        return self.select_related("analyst", "article", "section").prefetch_related("topics")

    def in_reading_order(self) -> PassageQuerySet:
        """Newest article first, then the article's reading order, as on topic pages;
        an article's orphans after its placed passages."""
        return self.order_by(
            models.F("article__published_on").desc(nulls_last=True),
            "article__title",
            "article_id",
            models.F("section__position").asc(nulls_last=True),
            "section_id",
            "start",
            "id",
        )

    def tagged_with(self, topic) -> PassageQuerySet:
        return self.filter(tagged_items__tag=topic)

    def by(self, user) -> PassageQuerySet:
        return self.filter(analyst=user)

    def needing_repair(self) -> PassageQuerySet:
        """Passages an edit moved out of reach: approximate or lost anchors."""
        return self.filter(status__in=["fuzzy", "orphaned"])


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user) -> NotificationQuerySet:
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)
