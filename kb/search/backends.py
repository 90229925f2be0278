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
that they are always ranked.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction

from kb.search import ranking
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
PG_WEIGHT_LETTERS = {"heading": "A", "topics": "B", "title": "C", "body": "D"}
PG_WEIGHTS = "{0.1, 0.5, 0.7, 1.0}"  # D, C, B, A
# Cover density respects the order of a phrase's tokens; plain ts_rank ranked short
# lists above the section about the subject on the corpus ranking set.
PG_RANK = "ts_rank_cd(%s::float4[], vector, q, 1)"
PG_MAX_POSITION = 16383  # tsvector positions are capped there
PG_MAX_POSITIONS_PER_LEXEME = 256
# Sections and passages: their GIN indexes are split by id in this many partial indexes
# with this condition (migration 0011), so that a LIMIT can stop after the first ones.
PG_SHARDS = 4
PG_TEXT_TYPES = frozenset({"passage", "section"})
PG_TEXTS = "doc_type IN ('passage', 'section')"
# How many matches are ranked per pass: each costs its tokens read and scored (SQLite) or
# its TOASTed vector re-read and ts_rank_cd (PostgreSQL), 10-35 µs at 100,000 sections.
# Which of the matches past the cap are ranked is arbitrary (storage order; on PostgreSQL
# shard by shard), except those the second pass adds (heading, title, topic): 200 rather
# than 300 took 14% off PostgreSQL's p50 and p95 in bench_search.
CANDIDATE_CAP = 200


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


Term = Sequence[Pattern]  # alternatives: any of them matches the term


class Backend:
    """What the index needs from a database."""

    vendor = ""
    cap = CANDIDATE_CAP

    def write(self, documents: Sequence[IndexDocument]) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError

    def session(self) -> AbstractContextManager:
        """Where several matches run as one (each match opens one of its own otherwise)."""
        return nullcontext()

    def match(
        self, terms: Sequence[Term], *, doc_types: Sequence[str], cap: int | None = None,
        ranked: bool = True, excluding: Sequence[Term] = (), without: Term = (),
    ) -> tuple[list[Candidate], bool]:
        """Entries of ``doc_types`` matching every term (and not every term of
        ``excluding``, and none of the patterns of ``without``), best first, and whether
        the cap cut them. Unranked (score 0, cheaper), when the caller ranks by another
        match."""
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
_PG_CANDIDATE_COLUMNS = _CANDIDATE_COLUMNS.replace("e.topic_ids", "e.topic_ids::text")


def _candidates(rows, *, cap: int) -> tuple[list[Candidate], bool]:
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
    return candidates, len(candidates) >= cap


class SQLiteBackend(Backend):
    vendor = "sqlite"

    @staticmethod
    def table(doc_type: str) -> str:
        return SIDE_FTS_TABLE if doc_type in SIDE_TYPES else FTS_TABLE

    def write(self, documents: Sequence[IndexDocument]) -> None:
        with connection.cursor() as cursor:
            # Each table, whose entries it holds, and which fields.
            for table, holds, fields in ((FTS_TABLE, FTS_TABLE, FIELDS),
                                         (HEAD_FTS_TABLE, FTS_TABLE, HEAD_FIELDS),
                                         (SIDE_FTS_TABLE, SIDE_FTS_TABLE, FIELDS)):
                rows = [d for d in documents if self.table(d.doc_type) == holds]
                if not rows:
                    continue
                cursor.executemany(
                    f"DELETE FROM {table} WHERE rowid = %s", [(d.entry_id,) for d in rows]
                )
                cursor.executemany(
                    f"INSERT INTO {table} (rowid, {', '.join(fields)}) "
                    f"VALUES (%s{', %s' * len(fields)})",
                    [(d.entry_id, *(" ".join(d.fields.get(f, ())) for f in fields)) for d in rows],
                )

    def clear(self) -> None:
        with connection.cursor() as cursor:
            for table in (FTS_TABLE, HEAD_FTS_TABLE, SIDE_FTS_TABLE):
                cursor.execute(f"DELETE FROM {table}")

    @staticmethod
    def compile(terms: Sequence[Term]) -> str:
        def phrase(p: Pattern) -> str:
            return '"' + " ".join(p.tokens) + '"' + (" *" if p.prefix else "")

        return " AND ".join("(" + " OR ".join(phrase(p) for p in term) + ")" for term in terms)

    def match(
        self, terms: Sequence[Term], *, doc_types: Sequence[str], cap: int | None = None,
        ranked: bool = True, excluding: Sequence[Term] = (), without: Term = (),
    ) -> tuple[list[Candidate], bool]:
        cap = cap or self.cap
        expression = self.compile(terms)
        for left_out in (excluding, [without] if without else []):
            if left_out:
                expression = f"({expression}) NOT ({self.compile(left_out)})"
        types = ", ".join(["%s"] * len(doc_types))
        # Ranked, each candidate's tokens come along: kb.search.ranking scores them.
        inner = "".join(f", {name}" for name in FIELDS) if ranked else ""
        fields = "".join(f", t.{name}" for name in FIELDS) if ranked else ""
        rows: list[tuple] = []
        with connection.cursor() as cursor:
            for table in sorted({self.table(t) for t in doc_types}):
                cursor.execute(
                    f"SELECT {_CANDIDATE_COLUMNS}, 0{fields} FROM (SELECT rowid AS id{inner} "
                    f"FROM {table} WHERE {table} MATCH %s LIMIT %s) t "
                    f"JOIN kb_searchentry e ON e.id = t.id WHERE e.doc_type IN ({types})",
                    [expression, cap, *doc_types],
                )
                found = cursor.fetchall()
                if ranked and len(found) >= cap:
                    # More matches than are ranked: up to as many more that match in a
                    # heading, title or topic are ranked too, wherever they are.
                    found += self._strong(cursor, table, expression, cap, doc_types,
                                          seen={row[0] for row in found})
                if ranked:
                    scored = ranking.scores(terms, [row[11:] for row in found])
                    found = [(*row[:10], score) for row, score in zip(found, scored, strict=True)]
                rows += found
        return _candidates(rows, cap=cap)

    @staticmethod
    def _strong(cursor, table: str, expression: str, cap: int, doc_types: Sequence[str],
                *, seen: set[int]) -> list[tuple]:
        """The entries of ``table`` matching in a heading, title or topic, not in ``seen``,
        with their tokens."""
        head = HEAD_FTS_TABLE
        if table != FTS_TABLE:  # articles and topics: a few thousand, one table
            head, expression = table, "{heading title topics} : (" + expression + ")"
        cursor.execute(f"SELECT rowid FROM {head} WHERE {head} MATCH %s LIMIT %s", [expression, cap])
        ids = [row[0] for row in cursor.fetchall() if row[0] not in seen]
        if not ids:
            return []
        cursor.execute(
            f"SELECT {_CANDIDATE_COLUMNS}, 0, {', '.join(f't.{name}' for name in FIELDS)} "
            # CROSS JOIN: SQLite then walks the ids, not every entry of these types.
            f"FROM kb_searchentry e CROSS JOIN {table} t ON t.rowid = e.id "
            f"WHERE e.id IN ({', '.join(['%s'] * len(ids))}) "
            f"AND e.doc_type IN ({', '.join(['%s'] * len(doc_types))})",
            [*ids, *doc_types],
        )
        return cursor.fetchall()

    def optimise(self) -> None:
        # Merge FTS5's segments into one b-tree: a bulk build leaves many, and every query
        # reads each of them.
        with connection.cursor() as cursor:
            for table in (FTS_TABLE, HEAD_FTS_TABLE, SIDE_FTS_TABLE):
                cursor.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")

    def size_bytes(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT SUM(pgsize) FROM dbstat "
                "WHERE name LIKE %s OR name LIKE %s OR name LIKE %s OR name = 'kb_searchentry'",
                [FTS_TABLE + "%", HEAD_FTS_TABLE + "%", SIDE_FTS_TABLE + "%"],
            )
            return int(cursor.fetchone()[0] or 0)


# Inside a search's session (see PostgreSQLBackend.session), whichever backend object opened it.
_PG_SESSION: ContextVar[bool] = ContextVar("kb_search_pg_session", default=False)


class PostgreSQLBackend(Backend):
    vendor = "postgresql"

    @staticmethod
    def vector_literal(fields: dict[str, list[str]]) -> str:
        """A tsvector in its text form, positions and weights set here, one gap between
        fields so that no phrase spans two of them."""
        positions: dict[str, list[str]] = {}
        position = 0
        for name in FIELDS:
            letter = PG_WEIGHT_LETTERS[name]
            for token in fields.get(name, ()):
                position += 1
                slots = positions.setdefault(token, [])
                if len(slots) < PG_MAX_POSITIONS_PER_LEXEME and position <= PG_MAX_POSITION:
                    slots.append(f"{position}{letter}")
            position += 1
        return " ".join(f"'{token}':{','.join(p)}" for token, p in positions.items() if p)

    def write(self, documents: Sequence[IndexDocument]) -> None:
        rows = []
        for d in documents:
            head = {name: tokens for name, tokens in d.fields.items() if name != "body"}
            rows.append((self.vector_literal(d.fields), self.vector_literal(head), d.entry_id))
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE kb_searchentry SET vector = %s::tsvector, head = %s::tsvector WHERE id = %s",
                rows,
            )

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE kb_searchentry SET vector = '', head = ''")

    @staticmethod
    def compile(terms: Sequence[Term]) -> str:
        def lexeme(token: str, prefix: bool) -> str:
            return f"'{token}':*" if prefix else f"'{token}'"

        def phrase(p: Pattern) -> str:
            last = len(p.tokens) - 1
            return "(" + " <-> ".join(
                lexeme(t, p.prefix and i == last) for i, t in enumerate(p.tokens)
            ) + ")"

        return " & ".join("(" + " | ".join(phrase(p) for p in term) + ")" for term in terms)

    def match(
        self, terms: Sequence[Term], *, doc_types: Sequence[str], cap: int | None = None,
        ranked: bool = True, excluding: Sequence[Term] = (), without: Term = (),
    ) -> tuple[list[Candidate], bool]:
        cap = cap or self.cap
        query = self.compile(terms)
        for left_out in (excluding, [without] if without else []):
            if left_out:
                query = f"({query}) & !({self.compile(left_out)})"
        # Sections and passages, articles and topics: each kind its own cap, as on SQLite
        # (one LIMIT over both would leave articles unread whenever sections fill it).
        groups = [g for g in (PG_TEXT_TYPES & set(doc_types), SIDE_TYPES & set(doc_types)) if g]
        if set(doc_types) - PG_TEXT_TYPES - SIDE_TYPES:
            raise ValueError(f"unknown document types {doc_types!r}")
        rows: list[tuple] = []
        with self.session(), connection.cursor() as cursor:
            for types in groups:
                cursor.execute(*self.statement("vector", query, types, cap, ranked))
                found = cursor.fetchall()
                if ranked and len(found) >= cap:
                    # More matches than are ranked: those of the first ``cap`` matching in a
                    # heading, title or topic are ranked too, wherever they are.
                    cursor.execute(*self.statement("head", query, types, cap, ranked,
                                                   seen=[row[0] for row in found]))
                    found += cursor.fetchall()
                rows += found
        return _candidates(rows, cap=cap)

    @contextmanager
    def session(self) -> Iterator[None]:
        if _PG_SESSION.get():
            yield
            return
        nested = connection.in_atomic_block
        # No savepoint: set_config(..., true) only needs a transaction, and lasts to its end.
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            # Expecting thousands of matches, the planner reads the table (sections) or the
            # doc_type index (articles and topics) in order until it has enough, testing
            # each row's TOASTed vector: for a common character (元, 銀) 2-3 times slower
            # than a bitmap of the GIN indexes, never faster in bench_search. No parallel
            # plan either: the shards must be read in order, each only if still needed.
            cursor.execute("SELECT set_config('enable_seqscan', 'off', true), "
                           "set_config('enable_indexscan', 'off', true), "
                           "set_config('max_parallel_workers_per_gather', '0', true)")
            token = _PG_SESSION.set(True)
            try:
                yield
            finally:
                _PG_SESSION.reset(token)
            # In a caller's transaction, which goes on: its planner back to the defaults.
            # (After an error that transaction is rolled back, settings and all.)
            if nested:
                cursor.execute("RESET enable_seqscan; RESET enable_indexscan; "
                               "RESET max_parallel_workers_per_gather")

    @staticmethod
    def statement(column: str, query: str, types: set[str], cap: int, ranked: bool,
                  *, seen: Sequence[int] = ()) -> tuple[str, list]:
        """The SQL and parameters for up to ``cap`` entries of ``types`` (sections and
        passages, or articles and topics) whose ``column`` matches ``query``, with their
        scores when ``ranked``, leaving out those in ``seen``."""
        if column not in ("vector", "head"):
            raise ValueError(f"no index on {column!r}")
        # Conditions are written out (not bound): the planner then sees its indexes' own.
        if types <= PG_TEXT_TYPES:
            # The shards' partial indexes (migration 0011), one after another: the LIMIT
            # stops the Append at the first that gives enough.
            narrower = "" if types == PG_TEXT_TYPES else f" AND doc_type = '{min(types)}'"
            arms = [f"{PG_TEXTS} AND id %% {PG_SHARDS} = {k}{narrower}" for k in range(PG_SHARDS)]
        elif types <= SIDE_TYPES:  # their partial indexes (migrations 0007 and 0009)
            arms = ["doc_type IN ({})".format(", ".join(f"'{t}'" for t in sorted(types)))]
        else:
            raise ValueError(f"cannot match {sorted(types)!r} under one limit")
        union = " UNION ALL ".join(
            f"(SELECT * FROM kb_searchentry WHERE {column} @@ CAST(%s AS tsquery) AND {arm})"
            for arm in arms
        )
        score, weights = (PG_RANK, [PG_WEIGHTS]) if ranked else ("0", [])
        # Those in ``seen`` are dropped before ranking (each costs its vector re-read).
        unseen = " WHERE e.id <> ALL(%s)" if seen else ""
        return (
            f"SELECT {_PG_CANDIDATE_COLUMNS}, {score} AS score FROM ({union} LIMIT %s) e, "
            f"CAST(%s AS tsquery) q{unseen}",
            [*weights, *[query] * len(arms), cap, query, *([list(seen)] if seen else [])],
        )

    def optimise(self) -> None:
        # Writing an entry then its vectors leaves a dead row version per entry: after a
        # rebuild, half the table. VACUUM FULL rewrites it compact (the table is locked
        # meanwhile: ~20 s at 100,000 sections), so queries read half the pages. VACUUM
        # cannot run in a transaction (a caller's, or a test's): ANALYZE can.
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE kb_searchentry" if connection.in_atomic_block
                else "VACUUM FULL ANALYZE kb_searchentry"
            )

    def size_bytes(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_total_relation_size('kb_searchentry')")
            return int(cursor.fetchone()[0])


def get_backend() -> Backend:
    if connection.vendor == "postgresql":
        return PostgreSQLBackend()
    if connection.vendor == "sqlite":
        return SQLiteBackend()
    raise NotImplementedError(f"kb search has no backend for {connection.vendor}")
