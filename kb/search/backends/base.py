"""What every search backend shares: the fields, the candidate a match returns, and the
interface (kb.search.backends picks the backend of the database in use)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import date

from kb.search.tokenise import Pattern

# Field order is the FTS5 column order and the tsvector weight letters.
FIELDS = ("heading", "title", "topics", "body")
FTS_TABLE = "kb_search_fts"  # sections and passages
# Their heading, title and topic tokens again: where the second pass looks (SQLite).
HEAD_FTS_TABLE = "kb_search_head_fts"
HEAD_FIELDS = FIELDS[:3]
# Articles and topics, a few thousand, have an index of their own (an FTS5 table; a
# partial GIN index): matched in the big one, finding the few that contain a common word
# meant walking every section that contains it.
SIDE_FTS_TABLE = "kb_search_side_fts"
SIDE_TYPES = frozenset({"article", "topic"})
# How many matches are ranked per pass: each costs its tokens read and scored (SQLite) or
# its TOASTed vector re-read and ts_rank_cd (PostgreSQL), 10-35 µs at 100,000 sections.
# Which of the matches past the cap are ranked is arbitrary (storage order; on PostgreSQL
# shard by shard), except those the second pass adds (heading, title, topic): 200 rather
# than 300 took 14% off PostgreSQL's p50 and p95 in bench_search.
CANDIDATE_CAP = 200
# Up to this many matches, the candidates ranked are chosen by relevance over all of them
# (SQLite: FTS5's bm25(), ~1 µs a match); past it, as described above.
RANK_ALL = 20_000
# How many matches one search holds (ranked first, then the rest unranked, in storage
# order), so that paging reaches every one and totals are exact up to here; past it the
# page says "more than". They are counted, not fetched: a page reads only its own rows.
MATCH_CAP = 20_000


@dataclass(frozen=True, slots=True)
class IndexDocument:
    entry_id: int
    doc_type: str
    fields: dict[str, list[str]]  # field name → tokens in order


@dataclass(slots=True)
class Candidate:
    entry_id: int
    doc_type: str
    section_id: int | None
    passage_id: int | None
    article_id: int | None
    topic_id: int | None
    kind: str
    publisher: str
    published_on: date | None
    topic_ids: list[int]
    score: float  # higher is better


@dataclass(frozen=True, slots=True)
class Group:
    """How many matches share what the filters and facets look at (one grouped query
    counts them all: totals and facet counts without fetching the matches)."""

    article_id: int | None
    kind: str
    publisher: str
    published_on: date | None
    topic_ids: list[int]
    count: int


@dataclass(slots=True)
class Matches:
    """What one match of sections and passages gives a page: the best of them, best first,
    and every match counted by group. The others are read a page at a time (``tail``)."""

    expression: str  # the compiled query, for ``tail``
    ranked: list[Candidate]
    groups: list[Group]
    capped: bool  # more matched than a search holds (``match_cap``)

    @property
    def total(self) -> int:
        return sum(g.count for g in self.groups)


Term = Sequence[Pattern]  # alternatives: any of them matches the term


class Backend:
    """What the index needs from a database."""

    vendor = ""
    cap = CANDIDATE_CAP
    rank_all = RANK_ALL
    match_cap = MATCH_CAP

    def write(self, documents: Sequence[IndexDocument]) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError

    def session(self) -> AbstractContextManager:
        """Where several matches run as one (each match opens one of its own otherwise)."""
        return nullcontext()

    # How the database's query language says "the left side, and not the right".
    and_not = ""

    @staticmethod
    def compile(terms: Sequence[Term]) -> str:
        raise NotImplementedError

    def query(self, terms: Sequence[Term], excluding: Sequence[Term], without: Term) -> str:
        """``terms`` compiled, leaving out what matches every term of ``excluding`` and what
        matches any pattern of ``without``."""
        query = self.compile(terms)
        for left_out in (excluding, [without] if without else []):
            if left_out:
                query = self.and_not.format(query, self.compile(left_out))
        return query

    def match(
        self, terms: Sequence[Term], *, doc_types: Sequence[str], cap: int | None = None,
        ranked: bool = True, excluding: Sequence[Term] = (), without: Term = (),
    ) -> tuple[list[Candidate], bool]:
        """Articles and topics (``doc_types``) matching every term (and not every term of
        ``excluding``, and none of the patterns of ``without``), the best ``cap`` first,
        and whether the cap cut them."""
        raise NotImplementedError

    def texts(self, terms: Sequence[Term], *, excluding: Sequence[Term] = (),
              without: Term = (), ranked_up_to: int | None = None) -> Matches:
        """Sections and passages matching as ``match`` says: counted by group (up to
        ``match_cap``), the best chosen by relevance over all of them and ranked. With
        ``ranked_up_to``, none is ranked when more than that many match."""
        raise NotImplementedError

    def count(self, terms: Sequence[Term], *, without: Term = ()) -> int:
        """How many sections and passages match (up to ``match_cap``)."""
        raise NotImplementedError

    def tail(self, matches: Matches, *, articles: Sequence[int] | None, topic_id: int | None,
             offset: int, limit: int) -> list[Candidate]:
        """The matches not ranked, in storage (id) order, from ``offset``: the same order
        for every page, so that paging reaches each exactly once. Only those of
        ``articles`` (unless None) carrying ``topic_id`` (unless None)."""
        raise NotImplementedError

    def optimise(self) -> None:
        """Compact the index after a bulk build."""
        raise NotImplementedError

    def size_bytes(self) -> int:
        raise NotImplementedError


_CANDIDATE_COLUMNS = (
    "e.id, e.doc_type, e.section_id, e.passage_id, e.article_id, e.topic_id, e.kind, e.publisher, "
    "e.published_on, e.topic_ids"  # JSON text on SQLite
)


_GROUP_COLUMNS = "e.article_id, e.kind, e.publisher, e.published_on, e.topic_ids"


def _groups(rows) -> list[Group]:
    """Grouped rows (``_GROUP_COLUMNS``, then the count) as groups."""
    topic_ids = json.loads("[" + ",".join(row[4] for row in rows) + "]")
    return [
        Group(article_id=row[0], kind=row[1], publisher=row[2],
              published_on=date.fromisoformat(row[3]) if isinstance(row[3], str) else row[3],
              topic_ids=ids, count=row[5])
        for row, ids in zip(rows, topic_ids, strict=True)
    ]


def _candidates(rows, *, capped: bool) -> tuple[list[Candidate], bool]:
    # Topic ids come as JSON text: one parse for all the rows, not one per row.
    topic_ids = json.loads("[" + ",".join(row[9] for row in rows) + "]")
    candidates = [
        Candidate(
            entry_id=row[0], doc_type=row[1], section_id=row[2], passage_id=row[3],
            article_id=row[4], topic_id=row[5], kind=row[6], publisher=row[7],
            published_on=date.fromisoformat(row[8]) if isinstance(row[8], str) else row[8],
            topic_ids=ids, score=float(row[10]),
        )
        for row, ids in zip(rows, topic_ids, strict=True)
    ]
    candidates.sort(key=lambda c: (-c.score, c.entry_id))
    return candidates, capped
