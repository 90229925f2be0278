"""What each write to kb's models makes stale in the page cache, in one place.

Each entry names, from the row written, the dependencies (kb.site.cache.dependencies) whose
pages show it; watch_models connects them to every save, delete and many-to-many change,
whatever the write path (services, admin, API, shell, django-taggit). A kb model missing
here changes everything on every write (tests/site pin the list), and a bulk write that
sends no signal reports what it changed itself (content_changed).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from reversion.models import Revision, Version

from kb.editorial.models import ImportDraft, Watch
from kb.library.models import (
    Article,
    Link,
    Section,
    TaggedSection,
    Topic,
    TopicAlias,
    TopicRedirect,
)
from kb.library.originals import Original
from kb.passages.models import Notification, Passage, TaggedPassage
from kb.search.models import SearchEntry
from kb.site.cache import dependencies as shown
from kb.site.cache import watch_models
from kb.site.models import ContentChange


def _topic(topic: Topic) -> list[str]:
    # A topic page shows its parent's and its children's names: a child written (added,
    # renamed, moved) changes its new parent's page, and the old one's, which shows it.
    return [shown.topic(topic.pk), *([shown.topic(topic.parent_id)] if topic.parent_id else []),
            shown.LISTS]


def _article(article: Article) -> list[str]:
    # Its title and date order and count it on its topics' pages, named there or not.
    topics = (TaggedSection.objects.filter(content_object__article=article)
              .values_list("tag_id", flat=True).distinct())
    return [shown.article(article.pk), shown.LISTS, *(shown.articles_tagged(pk) for pk in topics)]


def _link(link: Link) -> list[str]:
    # "What links here" on the target's page.
    return [*([shown.article(link.target_article_id)] if link.target_article_id else []),
            *([shown.topic(link.target_topic_id)] if link.target_topic_id else [])]


def _section_tags(section: Section, pks: Iterable[int]) -> list[str]:
    # A section's topics co-occur on each other's pages: a tag added or removed changes the
    # pages of every topic it carries, and related articles on pages sharing them.
    current = TaggedSection.objects.filter(content_object=section).values_list("tag_id", flat=True)
    return [shown.article(section.article_id), shown.LISTS,
            *(key for pk in {*pks, *current}
              for key in (shown.sections_tagged(pk), shown.articles_tagged(pk)))]


def _passage_tags(passage: Passage, pks: Iterable[int]) -> list[str]:
    current = TaggedPassage.objects.filter(content_object=passage).values_list("tag_id", flat=True)
    return [*([shown.article(passage.article_id)] if passage.article_id else []), shown.LISTS,
            *(shown.passages_tagged(pk) for pk in {*pks, *current})]


def _see_also(topic: Topic, pks: Iterable[int]) -> list[str]:
    return [shown.topic(topic.pk), *(shown.topic(pk) for pk in pks), shown.LISTS]


def _version(version: Version) -> list[str]:
    # A revision's own version of its article: the article's history and compare pages.
    model = ContentType.objects.get_for_id(version.content_type_id).model_class()
    return [shown.LISTS, *([shown.article(int(version.object_id))] if model is Article else [])]


def watch() -> None:
    changes = {
        Article: _article,
        Section: lambda section: [shown.article(section.article_id), shown.LISTS],
        TaggedSection: lambda tagged: [shown.sections_tagged(tagged.tag_id),
                                   shown.articles_tagged(tagged.tag_id), shown.LISTS],
        Passage: lambda passage: [
            *([shown.article(passage.article_id)] if passage.article_id else []), shown.LISTS],
        TaggedPassage: lambda tagged: [shown.passages_tagged(tagged.tag_id), shown.LISTS],
        Topic: _topic,
        TopicAlias: lambda alias: [shown.topic(alias.topic_id), shown.LISTS],
        TopicRedirect: lambda redirect: [shown.topic(redirect.topic_id)],
        Link: _link,
        Original: lambda original: [shown.article(original.article_id)],
        SearchEntry: lambda entry: [shown.LISTS],
        # Personal or editorial pages only, never cached.
        Notification: lambda notification: [],
        Watch: lambda watch: [],
        ImportDraft: lambda draft: [],
        # History pages list revisions; ``deleterevisions`` removes them without
        # touching a kb model.
        Revision: lambda revision: [shown.LISTS],
        Version: _version,
    }
    relations = {
        TaggedSection: _section_tags,
        TaggedPassage: _passage_tags,
        Topic.see_also.through: _see_also,
    }
    # Every other kb model, present and future: any write to it may show on any page. Not
    # the record of the changes, which the invalidation itself writes.
    others = [model for model in apps.get_app_config("kb").get_models(include_auto_created=True)
              if model not in changes and model not in relations and model is not ContentChange]
    watch_models(changes=changes, relations=relations, others=others)
