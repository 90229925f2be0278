"""The order a search's pages are cut from, read a page at a time.

Each match (what was typed; then what only a topic's other names or longer words match)
gives its best, ranked, then its other matches in storage order. The backend has counted
every match by group (``Matches.groups``), so totals and facet counts are exact without
fetching the matches; the best are in memory; of the others, only the rows of the page
shown are read (``Backend.tail``), in the same order for every page, so paging reaches
each match exactly once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import chain
from typing import Protocol

from kb.search.backends import Backend, Candidate, Group, Matches


class SearchFilters(Protocol):
    """What paging needs of kb.search.engine.SearchFilters."""

    def active(self) -> list[str]: ...

    def admits(self, c: Candidate | Group, *, skip: str = "", topic_id: int | None = None) -> bool: ...

# The filters that look at an entry's article (kind, publisher, date, title): in a tail
# query, one list of the articles they admit.
ARTICLE_FILTERS = ("kind", "publisher", "date", "title")


class Ordered:
    """Every match a search found, in page order: ``len()`` is the exact total under the
    filters, and a slice reads only what it holds (what ``Paginator`` needs)."""

    def __init__(self, backend: Backend, matches: Sequence[Matches], filters: SearchFilters,
                 topic_id: int | None) -> None:
        self.backend = backend
        self.filters = filters
        self.topic_id = topic_id
        # Per match: its best that pass the filters, and how many others do.
        self.parts: list[tuple[Matches, list[Candidate], int]] = []
        for m in matches:
            best = [c for c in m.ranked if filters.admits(c, topic_id=topic_id)]
            admitted = sum(g.count for g in m.groups if filters.admits(g, topic_id=topic_id))
            self.parts.append((m, best, max(admitted - len(best), 0)))

    def __len__(self) -> int:
        return sum(len(best) + rest for _, best, rest in self.parts)

    def __getitem__(self, index: slice) -> list[Candidate]:
        start, stop, _ = index.indices(len(self))
        found: list[Candidate] = []
        position = 0
        for matches, best, rest in self.parts:
            found += best[max(start - position, 0):max(stop - position, 0)]
            position += len(best)
            offset, end = max(start - position, 0), min(stop - position, rest)
            if end > offset:
                found += self.backend.tail(matches, articles=self._articles(matches),
                                           topic_id=self._topic(), offset=offset,
                                           limit=end - offset)
            position += rest
        return found

    def _articles(self, matches: Matches) -> list[int] | None:
        """The articles the article filters admit among ``matches``' (None: no such filter)."""
        if not set(self.filters.active()) & set(ARTICLE_FILTERS):
            return None
        return sorted({g.article_id for g in matches.groups if g.article_id is not None
                       and self.filters.admits(g, skip="topic", topic_id=self.topic_id)})

    def _topic(self) -> int | None:
        # An unknown topic's filter admits nothing: the counts are 0 and no tail is read.
        return self.topic_id if "topic" in self.filters.active() else None


def facet_counts(groups: Iterable[Group], filters: SearchFilters,
                 topic_id: int | None) -> dict[str, Counter]:
    """Each facet's values counted among the matches every other filter admits."""
    groups = list(groups)

    def counted(facet: str) -> list[Group]:
        return [g for g in groups if filters.admits(g, skip=facet, topic_id=topic_id)]

    counts: dict[str, Counter] = {name: Counter() for name in ("kind", "publisher", "topic", "year")}
    for g in counted("kind"):
        counts["kind"][g.kind] += g.count
    for g in counted("publisher"):
        if g.publisher:
            counts["publisher"][g.publisher] += g.count
    for g in counted("topic"):
        for pk in g.topic_ids:
            counts["topic"][pk] += g.count
    for g in counted("date"):
        if g.published_on:
            counts["year"][g.published_on.year] += g.count
    return counts


def all_groups(matches: Iterable[Matches]) -> Iterable[Group]:
    return chain.from_iterable(m.groups for m in matches)
