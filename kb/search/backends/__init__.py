"""One index backend per database, behind the same small interface.

Both store the same Python-made tokens (kb.search.tokenise) in four weighted fields and
answer the same compiled query: every term is a phrase of tokens (or a set of
alternative phrases when a topic alias widens it), and all terms must match.

- SQLite: an FTS5 table over space-separated tokens; its candidates are ranked in Python
  (kb.search.ranking: BM25 over the same weighted fields, from their stored tokens).
- PostgreSQL: a ``tsvector`` column written as a literal (so PostgreSQL's parser never
  re-splits Japanese), GIN indexes (sections' and passages' in four shards, read in
  turn), phrase ``tsquery``s and ``ts_rank_cd``.

Ranking looks at a capped number of candidates (see notes/japanese-search.md: ranking
every match of a very common word is what makes search slow at 100,000 sections). When
more match than that, a second pass adds those matching in a heading, title or topic, so
that they are always ranked. Every match is counted by group (totals, facets) rather
than fetched; the unranked ones are read a page at a time (kb.search.paging).
"""


from __future__ import annotations

from django.db import connection

from kb.search.backends.base import (
    CANDIDATE_CAP,
    FIELDS,
    FTS_TABLE,
    HEAD_FIELDS,
    HEAD_FTS_TABLE,
    SIDE_FTS_TABLE,
    SIDE_TYPES,
    Backend,
    Candidate,
    Group,
    IndexDocument,
    Matches,
    Term,
)
from kb.search.backends.postgresql import PG_SHARDS, PostgreSQLBackend
from kb.search.backends.sqlite import SQLiteBackend

__all__ = [
    "CANDIDATE_CAP", "FIELDS", "FTS_TABLE", "HEAD_FIELDS", "HEAD_FTS_TABLE", "PG_SHARDS",
    "SIDE_FTS_TABLE", "SIDE_TYPES", "Backend", "Candidate", "Group", "IndexDocument", "Matches",
    "PostgreSQLBackend", "SQLiteBackend", "Term", "get_backend",
]


def get_backend() -> Backend:
    if connection.vendor == "postgresql":
        return PostgreSQLBackend()
    if connection.vendor == "sqlite":
        return SQLiteBackend()
    raise NotImplementedError(f"kb search has no backend for {connection.vendor}")
