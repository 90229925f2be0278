"""What a cached page shows, named so that a write can say what it changed.

A page depends on the objects it shows: ``article:<id>`` (an article's own content: title,
metadata, sections, the passages made in it, its originals), ``topic:<id>`` (a topic's own
record, its place in the codebook and what links to it), ``sections-tagged:<id>`` and
``passages-tagged:<id>`` (which sections or passages a topic tags), ``articles-tagged:<id>``
(the dates and kinds of the articles those sections are in), and ``lists`` (everything that lists or counts content across the site: the home page,
the article list, search, recent changes, feeds, the sitemap, the matrix and overview).

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


def sections_tagged(topic_pk: int) -> str:
    return f"sections-tagged:{topic_pk}"


def passages_tagged(topic_pk: int) -> str:
    return f"passages-tagged:{topic_pk}"


def articles_tagged(topic_pk: int) -> str:
    """The articles with sections a topic tags, as its pages order and count them (their
    dates), beyond those the page shows by name."""
    return f"articles-tagged:{topic_pk}"


_shown: ContextVar[set[str] | None] = ContextVar("kb_page_shows", default=None)


def shows(*keys: str) -> None:
    """Record that the page being rendered for the cache shows these (no-op otherwise)."""
    found = _shown.get()
    if found is not None:
        found.update(keys)


def shows_articles(pks: Iterable[int | None]) -> None:
    shows(*(article(pk) for pk in pks if pk is not None))


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
