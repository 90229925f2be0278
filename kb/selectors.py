"""Everything a page reads, in a fixed number of queries whatever the size of the corpus."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from .models import Article, Section, Topic

RECENT_ARTICLES = 10
RELATED_ARTICLES = 5


@dataclass
class HomePage:
    topics: list[Topic]
    articles: list[Article]


@dataclass
class ArticlePage:
    article: Article
    sections: list[Section]
    topics: list[Topic]
    related: list[Article]


@dataclass
class TopicPage:
    topic: Topic
    see_also: list[Topic]
    co_occurring: list[Topic]
    sections: list[Section]
    articles: list[Article]


def home_page() -> HomePage:
    topics = [t for t in Topic.objects.with_counts().order_by("-section_count", "name")
              if t.section_count]
    return HomePage(topics=topics, articles=list(Article.objects.recent()[:RECENT_ARTICLES]))


def article_page(slug: str) -> ArticlePage:
    article = get_object_or_404(
        Article.objects.prefetch_related(
            Prefetch("sections", queryset=Section.objects.order_by("position", "id").with_topics())
        ),
        slug=slug,
    )
    sections = list(article.sections.all())
    topics: dict[int, Topic] = {}
    for section in sections:
        for topic in section.topics.all():
            topics.setdefault(topic.pk, topic)
    related = list(Article.objects.sharing_topics(article, list(topics))[:RELATED_ARTICLES])
    return ArticlePage(
        article=article,
        sections=sections,
        topics=sorted(topics.values(), key=lambda t: t.name),
        related=related,
    )


def topic_page(slug: str) -> TopicPage:
    topic = get_object_or_404(Topic, slug=slug)
    sections = list(Section.objects.tagged_with(topic).with_topics())
    # Sections come grouped by article in date order, so the articles follow it too.
    articles = {section.article_id: section.article for section in sections}
    return TopicPage(
        topic=topic,
        see_also=list(topic.see_also.order_by("name")),
        co_occurring=list(Topic.objects.co_occurring_with(topic)),
        sections=sections,
        articles=list(articles.values()),
    )


def topic_index() -> list[Topic]:
    return list(Topic.objects.with_counts().order_by("name"))
