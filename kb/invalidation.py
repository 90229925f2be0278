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
from django.db.models.signals import pre_save
from reversion.models import Revision, Version

from kb.editorial.models import ImportDraft, TopicWords, Watch
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
from kb.search.models import SearchEntry, SearchWord
from kb.site.cache import dependencies as shown
from kb.site.cache import watch_models
from kb.site.models import ContentChange, Job

# What other pages show of an article: its name in lists, and what orders it on its topics'.
NAMED_BY = ("title", "slug", "kind", "publisher", "authors", "published_on")


def _tagged(through, **row) -> list[int]:
    return list(through.objects.filter(**row).values_list("tag_id", flat=True).distinct())


def _remember_name(sender, instance: Article, **kwargs) -> None:
    # An admin form saves the article's row with every section edit: only a change to what
    # other pages show of it makes them stale.
    instance._kb_named = (Article.objects.filter(pk=instance.pk).values_list(*NAMED_BY).first()
                          if instance.pk else None)


def _article(article: Article) -> list[str]:
    keys = [shown.article(article.pk), shown.LISTS]
    if getattr(article, "_kb_named", None) != tuple(getattr(article, f) for f in NAMED_BY):
        keys += [shown.article_title(article.pk), *(
            shown.tagged(pk) for pk in _tagged(TaggedSection, content_object__article=article))]
    return keys


def _section(section: Section) -> list[str]:
    # Its text shows on its topics' pages (its old topics go with their tags' removal).
    return [shown.article(section.article_id), shown.LISTS,
            *(shown.tagged(pk) for pk in _tagged(TaggedSection, content_object=section))]


def _passage(passage: Passage) -> list[str]:
    return [*([shown.article(passage.article_id)] if passage.article_id else []), shown.LISTS,
            *(shown.tagged(pk) for pk in _tagged(TaggedPassage, content_object=passage))]


def _topic(topic: Topic) -> list[str]:
    # A topic page shows its parent's and its children's names: a child written (added,
    # renamed, moved) changes its new parent's page, and the old one's, which shows it.
    return [shown.topic(topic.pk), *([shown.topic(topic.parent_id)] if topic.parent_id else []),
            shown.LISTS]


def _link(link: Link) -> list[str]:
    # "What links here" on the target's page.
    return [*([shown.article(link.target_article_id)] if link.target_article_id else []),
            *([shown.topic(link.target_topic_id)] if link.target_topic_id else [])]


def _section_tags(section: Section, pks: Iterable[int]) -> list[str]:
    # A section's topics co-occur on each other's pages: a tag added or removed changes the
    # pages of every topic it carries, and the related articles of the articles they tag.
    return [shown.article(section.article_id), shown.LISTS, *(
        key for pk in {*pks, *_tagged(TaggedSection, content_object=section)}
        for key in (shown.tagged(pk), shown.sections_tagged(pk)))]


def _passage_tags(passage: Passage, pks: Iterable[int]) -> list[str]:
    return [*([shown.article(passage.article_id)] if passage.article_id else []), shown.LISTS,
            *(shown.tagged(pk) for pk in {*pks, *_tagged(TaggedPassage, content_object=passage)})]


def _see_also(topic: Topic, pks: Iterable[int]) -> list[str]:
    return [shown.topic(topic.pk), *(shown.topic(pk) for pk in pks), shown.LISTS]


def _version(version: Version) -> list[str]:
    # A revision's own version of its article: the article's history and compare pages.
    model = ContentType.objects.get_for_id(version.content_type_id).model_class()
    return [shown.LISTS, *([shown.article(int(version.object_id))] if model is Article else [])]


def watch() -> None:
    changes = {
        Article: _article,
        Section: _section,
        TaggedSection: lambda tagged: [shown.tagged(tagged.tag_id),
                                       shown.sections_tagged(tagged.tag_id), shown.LISTS],
        Passage: _passage,
        TaggedPassage: lambda tagged: [shown.tagged(tagged.tag_id), shown.LISTS],
        Topic: _topic,
        TopicAlias: lambda alias: [shown.topic(alias.topic_id), shown.LISTS],
        TopicRedirect: lambda redirect: [shown.topic(redirect.topic_id)],
        Link: _link,
        Original: lambda original: [shown.article(original.article_id)],
        SearchEntry: lambda entry: [shown.LISTS],
        # The words a Latin term may begin: what search finds.
        SearchWord: lambda word: [shown.LISTS],
        # Personal or editorial pages only, never cached.
        Notification: lambda notification: [],
        Watch: lambda watch: [],
        ImportDraft: lambda draft: [],
        # A background job's progress, and the topics' word counts that import suggestions
        # read: no reader's page shows them.
        Job: lambda job: [],
        TopicWords: lambda words: [],
        # History pages list revisions; ``deleterevisions`` removes them (and their
        # versions) without touching a kb model.
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
    pre_save.connect(_remember_name, sender=Article, dispatch_uid="kb.invalidation:Article")
    watch_models(changes=changes, relations=relations, others=others)
