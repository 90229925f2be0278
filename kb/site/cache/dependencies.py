"""What a cached page shows, named so that a write can say what it changed.

A page depends on the objects it shows: ``article:<id>`` (an article's own page: its
sections, the passages made in it, its originals, its history), ``article-title:<id>`` (the
article as other pages name it: title, date, kind, publisher), ``topic:<id>`` (a topic's own
record, its place in the codebook and what links to it), ``tagged:<id>`` (what a topic's
pages show of what it tags: which sections and passages, their text, the dates of their
articles), ``sections-tagged:<id>`` (only which sections it tags: the related articles an
article page lists), and ``lists`` (everything that lists or counts content across the site:
the home page, the article list, search, recent changes, feeds, the sitemap, the topic
index, matrix and overview).

Reads declare what they show by calling :func:`shows` while a page is rendered for the cache
(the selectors, as they read; a list page's view once). A page that declares nothing depends
on every write, and every page depends on ``everything``, which a write that cannot say what
it changed bumps: the safe default on both sides.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

EVERYTHING = "everything"
EVERY_WRITE = "write"
LISTS = "lists"


def article(pk: int) -> str:
    return f"article:{pk}"


def topic(pk: int) -> str:
    return f"topic:{pk}"


def article_title(pk: int) -> str:
    return f"article-title:{pk}"


def tagged(topic_pk: int) -> str:
    return f"tagged:{topic_pk}"


def sections_tagged(topic_pk: int) -> str:
    return f"sections-tagged:{topic_pk}"


_shown: ContextVar[set[str] | None] = ContextVar("kb_page_shows", default=None)


def shows(*keys: str) -> None:
    """Record that the page being rendered for the cache shows these (no-op otherwise)."""
    found = _shown.get()
    if found is not None:
        found.update(keys)


def shows_titles(pks: Iterable[int | None]) -> None:
    """The page names these articles (their titles, dates...), not their content."""
    shows(*(article_title(pk) for pk in pks if pk is not None))


def shows_topics(pks: Iterable[int | None]) -> None:
    shows(*(topic(pk) for pk in pks if pk is not None))


@contextmanager
def recording() -> Iterator[set[str]]:
    """Collect what the code run inside declares it shows."""
    found: set[str] = set()
    token = _shown.set(found)
    try:
        yield found
    finally:
        _shown.reset(token)


def page_dependencies(shown: Iterable[str]) -> frozenset[str]:
    """What a page that declared ``shown`` must be made stale by."""
    return frozenset({*(shown or [EVERY_WRITE]), EVERYTHING})
