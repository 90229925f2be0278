"""Keeping the search index current. Every write path calls these inside its transaction.

The contract for write paths (services, admin, importers, passages): after changing
sections, passages, articles or topics, call ``reindex_sections`` / ``reindex_passages`` /
``reindex_articles`` / ``reindex_topics`` with the ids you touched, inside the same
``transaction.atomic``. Deleting a section, passage, article or topic needs no call: its
entries go with it (cascade).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from django.db import connection, transaction

from kb.library.models import Article, Section, Topic
from kb.passages.models import Passage
from kb.search.backends import IndexDocument, get_backend
from kb.search.models import SearchEntry, SearchWord
from kb.search.tokenise import index_tokens, is_word, normalise, word_starts
from kb.site.cache import content_changed
from kb.site.cache.dependencies import LISTS

BATCH = 500


def _labels(topic: Topic) -> list[str]:
    return [topic.name, *([topic.name_en] if topic.name_en else [])]


def _tag_labels(topics: Iterable[Topic]) -> str:
    # In an order of their own: prefetched tags come in the database's storage order, and
    # an entry must not differ from its rebuild (a phrase can span two labels).
    return " ".join(label for t in sorted(topics, key=lambda t: t.pk) for label in _labels(t))


def _section_fields(section: Section) -> dict[str, list[str]]:
    return {
        "heading": index_tokens(section.heading),
        "title": index_tokens(section.article.title),
        "topics": index_tokens(_tag_labels(section.topics.all())),
        "body": index_tokens(section.plain_text),
    }


def _passage_fields(passage: Passage) -> dict[str, list[str]]:
    # The note says what the passage is about, as a heading does for a section; in its own
    # field, no phrase spans the end of the quote and the start of the note.
    article = passage.source_article
    return {
        "heading": index_tokens(passage.note),
        "title": index_tokens(article.title if article else ""),
        "topics": index_tokens(_tag_labels(passage.topics.all())),
        "body": index_tokens(passage.exact),
    }


def _article_fields(article: Article) -> dict[str, list[str]]:
    return {
        "title": index_tokens(article.title),
        "body": index_tokens(" ".join([article.publisher, article.authors, article.summary])),
    }


def _topic_labels(topic: Topic) -> list[str]:
    return [*_labels(topic), *(alias.name for alias in topic.aliases.all())]


def _topic_fields(topic: Topic) -> dict[str, list[str]]:
    return {
        "title": index_tokens(" ".join(_topic_labels(topic))),
        "body": index_tokens(topic.description),
    }


def _write(doc_type: str, key: str, objects: Sequence, values: Callable, fields: Callable) -> None:
    """Replace the entries of ``objects`` (keyed by the ``key`` field) and their tokens.

    Entries are deleted and made again rather than updated: one DELETE and one INSERT
    cost far less than Django's per-row CASE updates, and nothing refers to entry ids.
    """
    if not objects:
        return
    SearchEntry.objects.filter(doc_type=doc_type, **{f"{key}__in": [o.pk for o in objects]}).delete()
    entries = SearchEntry.objects.bulk_create(
        SearchEntry(doc_type=doc_type, **{**values(obj), key: obj}) for obj in objects
    )
    documents = [IndexDocument(entry.pk, doc_type, fields(obj))
                 for entry, obj in zip(entries, objects, strict=True)]
    get_backend().write(documents)
    _remember_words(documents)
    # bulk_create and the backend's raw SQL send no signal: a rebuild after a restore
    # must still refresh cached search pages (lists: search shows nothing else).
    content_changed(LISTS)


def _remember_words(documents: Sequence[IndexDocument]) -> None:
    """Add the documents' Latin and digit words to those a term may begin (SearchWord)."""
    # Most tokens are CJK bigrams, which sort after every Latin or digit word: one string
    # comparison each, in a set comprehension, leaves the few words to look at.
    words = sorted(w for w in {t for d in documents for tokens in d.fields.values()
                               for t in tokens if t < "\u3005"} if is_word(w))
    SearchWord.objects.bulk_create(
        [SearchWord(start=start, word=w, inner=inner) for w in words for start, inner in word_starts(w)],
        ignore_conflicts=True,
    )


def _article_values(article: Article) -> dict:
    return {
        "article": article,
        "kind": article.kind,
        "publisher": article.publisher,
        "published_on": article.published_on,
    }


def _reindex_in_batches(model, doc_type: str, key: str, ids: list[int], values: Callable, fields: Callable) -> None:
    for start in range(0, len(ids), BATCH):
        objects = list(
            model.objects.filter(pk__in=ids[start : start + BATCH])
            .select_related("article")
            .prefetch_related("topics")
        )
        _write(doc_type, key, objects, values, fields)


@transaction.atomic
def reindex_sections(section_ids: Iterable[int]) -> None:
    """Index these sections as they are now (text, heading, article title, topics), and
    the topics they carry that have no entry yet."""
    ids = list(section_ids)
    _reindex_in_batches(
        Section, SearchEntry.DocType.SECTION, "section", ids,
        lambda s: {**_article_values(s.article), "topic_ids": sorted(t.pk for t in s.topics.all())},
        _section_fields,
    )
    # Topics first created as free tags on these sections (by the admin's topic field,
    # which django-taggit saves itself) need their own entries.
    for start in range(0, len(ids), BATCH):
        _index_topics(list(
            Topic.objects.filter(tagged_sections__content_object__in=ids[start : start + BATCH],
                                 search_entry__isnull=True)
            .values_list("pk", flat=True).distinct()
        ))


@transaction.atomic
def reindex_passages(passage_ids: Iterable[int]) -> None:
    """Index these passages as they are now (quote, note, tags, their article's title and
    metadata for the filters)."""
    _reindex_in_batches(
        Passage, SearchEntry.DocType.PASSAGE, "passage", list(passage_ids),
        _passage_values, _passage_fields,
    )


def _passage_values(passage: Passage) -> dict:
    article = passage.source_article  # None once its article is deleted
    return {
        **(_article_values(article) if article else {}),
        "topic_ids": sorted(t.pk for t in passage.topics.all()),
    }


def _index_articles(ids: list[int]) -> None:
    articles = list(Article.objects.filter(pk__in=ids))
    _write(SearchEntry.DocType.ARTICLE, "article", articles, _article_values, _article_fields)


def _index_topics(ids: list[int]) -> None:
    topics = list(Topic.objects.filter(pk__in=ids).prefetch_related("aliases"))
    _write(
        SearchEntry.DocType.TOPIC,
        "topic",
        topics,
        lambda t: {"label_key": "|" + "|".join(normalise(x) for x in _topic_labels(t)) + "|"},
        _topic_fields,
    )


@transaction.atomic
def reindex_articles(article_ids: Iterable[int]) -> None:
    """Index these articles' metadata and every section and passage (they carry the
    article's title and metadata)."""
    ids = list(article_ids)
    _index_articles(ids)
    reindex_sections(Section.objects.filter(article__in=ids).values_list("pk", flat=True))
    reindex_passages(Passage.objects.filter(article__in=ids).values_list("pk", flat=True))


@transaction.atomic
def reindex_topics(topic_ids: Iterable[int]) -> None:
    """Index these topics (labels, aliases, description) and the sections and passages
    tagged with them (their labels are in those entries)."""
    ids = list(topic_ids)
    _index_topics(ids)
    reindex_sections(sections_tagged(ids))
    reindex_passages(passages_tagged(ids))


def sections_tagged(topic_ids: Iterable[int]) -> list[int]:
    """The sections carrying any of these topics. Before deleting topics, read these,
    and ``reindex_sections`` them after, in the same transaction."""
    return list(
        Section.objects.filter(tagged_items__tag__in=list(topic_ids))
        .values_list("pk", flat=True)
        .distinct()
    )


def passages_tagged(topic_ids: Iterable[int]) -> list[int]:
    """The passages carrying any of these topics, as ``sections_tagged``."""
    return list(
        Passage.objects.filter(tagged_items__tag__in=list(topic_ids))
        .values_list("pk", flat=True)
        .distinct()
    )


@transaction.atomic
def rebuild(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Drop the whole index and build it again from the database; returns entries made."""
    get_backend().clear()
    SearchEntry.objects.all().delete()
    SearchWord.objects.all().delete()
    work = [
        (_index_topics, list(Topic.objects.order_by("pk").values_list("pk", flat=True))),
        (_index_articles, list(Article.objects.order_by("pk").values_list("pk", flat=True))),
        (reindex_sections, list(Section.objects.order_by("pk").values_list("pk", flat=True))),
        (reindex_passages, list(Passage.objects.order_by("pk").values_list("pk", flat=True))),
    ]
    total, done = sum(len(ids) for _, ids in work), 0
    for index, ids in work:
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            index(batch)
            done += len(batch)
            if progress:
                progress(done, total)
    return total


def compact() -> None:
    """After a rebuild has committed: merge FTS5 segments / VACUUM ANALYZE the table (which
    PostgreSQL cannot do inside a transaction), so queries read a compact index."""
    get_backend().optimise()


def refresh_statistics() -> None:
    """After a bulk import (a batch of reports, a restore, the corpus): have the database
    re-read the index table's statistics. PostgreSQL plans a search from them, and until
    autovacuum gets round to it a table grown tenfold is planned as if it were small:
    searches were ten times slower after a bulk import until someone ran ANALYZE. It reads
    a sample of rows (well under a second at 100,000 sections) and runs in a transaction."""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {SearchEntry._meta.db_table}")
