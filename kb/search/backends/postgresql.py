"""PostgreSQL: a ``tsvector`` column written as a literal (so PostgreSQL's parser never
re-splits Japanese), GIN indexes (sections' and passages' in four shards, read in turn),
phrase ``tsquery``s and ``ts_rank_cd``."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, transaction

from kb.search.backends.base import (
    _CANDIDATE_COLUMNS,
    _GROUP_COLUMNS,
    FIELDS,
    SIDE_TYPES,
    Backend,
    Candidate,
    IndexDocument,
    Matches,
    Term,
    _candidates,
    _groups,
)
from kb.search.tokenise import Pattern

PG_WEIGHT_LETTERS = {"heading": "A", "topics": "B", "title": "C", "body": "D"}
PG_WEIGHTS = "{0.1, 0.5, 0.7, 1.0}"  # D, C, B, A
# Cover density respects the order of a phrase's tokens; plain ts_rank ranked short
# lists above the section about the subject on the corpus ranking set.
PG_RANK = "ts_rank_cd(%s::float4[], vector, q, 1)"
# As on SQLite (kb.search.ranking.SHORT_SECTION), a caption naming a term must not outrank
# the sections that discuss it: a section's score is multiplied by (n / (n + this))², n its
# distinct tokens. Squared, because a heading match weighs ten body matches here (cover
# density, weights A and D): a 25-token caption keeps 9 %, a section of 150 half, of 500 80 %.
PG_SHORT_SECTION = 60
PG_SCORE = (f"{PG_RANK} * CASE WHEN e.doc_type = 'section' THEN "
            f"power(length(e.vector) / (length(e.vector) + {PG_SHORT_SECTION}.0), 2) ELSE 1 END")
# Up to this many matching sections and passages, every one is ranked (each costs its
# TOASTed vector re-read: ~10 µs, 10-30 ms at this many).
PG_RANK_ALL = 2_500
PG_MAX_POSITION = 16383  # tsvector positions are capped there
PG_MAX_POSITIONS_PER_LEXEME = 256
# Sections and passages: their GIN indexes are split by id in this many partial indexes
# with this condition (migration 0011), so that a LIMIT can stop after the first ones.
PG_SHARDS = 4
PG_TEXT_TYPES = frozenset({"passage", "section"})
PG_TEXTS = "doc_type IN ('passage', 'section')"
_PG_CANDIDATE_COLUMNS = _CANDIDATE_COLUMNS.replace("e.topic_ids", "e.topic_ids::text")
_PG_GROUP_COLUMNS = _GROUP_COLUMNS.replace("e.topic_ids", "e.topic_ids::text")


# Inside a search's session (see PostgreSQLBackend.session), whichever backend object opened it.
_PG_SESSION: ContextVar[bool] = ContextVar("kb_search_pg_session", default=False)


class PostgreSQLBackend(Backend):
    vendor = "postgresql"
    and_not = "({}) & !({})"
    rank_all = PG_RANK_ALL

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
        types = set(doc_types)
        if not types <= SIDE_TYPES:
            raise ValueError(f"texts are matched by texts(), not {sorted(doc_types)!r}")
        cap = cap or self.cap
        query = self.query(terms, excluding, without)
        with self.session(), connection.cursor() as cursor:
            cursor.execute(*self.statement("vector", query, types, cap, ranked))
            found = cursor.fetchall()
            if ranked and len(found) >= cap:
                # More matches than are ranked: those of the first ``cap`` matching in a
                # heading, title or topic are ranked too, wherever they are.
                cursor.execute(*self.statement("head", query, types, cap, ranked,
                                               seen=[row[0] for row in found]))
                found += cursor.fetchall()
        return _candidates(found, capped=len(found) >= cap)

    def texts(self, terms: Sequence[Term], *, excluding: Sequence[Term] = (),
              without: Term = (), ranked_up_to: int | None = None) -> Matches:
        """Every match counted by group (up to ``match_cap``). Up to ``rank_all`` of them,
        each is scored and the ``cap`` best kept (each costs its vector re-read: the
        candidates are chosen by relevance, not storage order); past that, the first
        ``cap`` and those matching in a heading, title or topic."""
        query = self.query(terms, excluding, without)
        union, params = self._matching(query)
        with self.session(), connection.cursor() as cursor:
            cursor.execute(f"SELECT {_PG_GROUP_COLUMNS}, count(*) FROM ({union}) e "
                           "GROUP BY 1, 2, 3, 4, 5", params)
            groups = _groups(cursor.fetchall())
            total = sum(g.count for g in groups)
            rows: list[tuple] = []
            rankable = total and (ranked_up_to is None or total <= ranked_up_to)
            if rankable and total <= self.rank_all:
                cursor.execute(
                    f"SELECT {_PG_CANDIDATE_COLUMNS}, {PG_SCORE} AS score FROM ({union}) e, "
                    "CAST(%s AS tsquery) q ORDER BY score DESC, e.id LIMIT %s",
                    [PG_WEIGHTS, *params, query, self.cap],
                )
                rows = cursor.fetchall()
            elif rankable:
                cursor.execute(*self.statement("vector", query, PG_TEXT_TYPES, self.cap, True))
                rows = cursor.fetchall()
                cursor.execute(*self.statement("head", query, PG_TEXT_TYPES, self.cap, True,
                                               seen=[row[0] for row in rows]))
                rows += cursor.fetchall()
        ranked, _ = _candidates(rows, capped=False)
        return Matches(query, ranked, groups, capped=total > self.match_cap)

    def _matching(self, query: str) -> tuple[str, list]:
        """The sections and passages a search holds (the shards in turn), and the
        parameters."""
        arms = [f"{PG_TEXTS} AND id %% {PG_SHARDS} = {k}" for k in range(PG_SHARDS)]
        return (" UNION ALL ".join(
            f"(SELECT * FROM kb_searchentry WHERE vector @@ CAST(%s AS tsquery) AND {arm})"
            for arm in arms
        ) + " LIMIT %s", [*[query] * len(arms), self.match_cap + 1])

    def count(self, terms: Sequence[Term], *, without: Term = ()) -> int:
        union, params = self._matching(self.query(terms, (), without))
        with self.session(), connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM ({union}) e", params)
            return cursor.fetchone()[0]

    def tail(self, matches: Matches, *, articles: Sequence[int] | None, topic_id: int | None,
             offset: int, limit: int) -> list[Candidate]:
        union, params = self._matching(matches.expression)
        conditions = ["e.id <> ALL(%s)"]
        params.append([c.entry_id for c in matches.ranked])
        if articles is not None:
            conditions.append("e.article_id = ANY(%s)")
            params.append(list(articles))
        if topic_id is not None:
            conditions.append("e.topic_ids @> %s::jsonb")
            params.append(json.dumps([topic_id]))
        with self.session(), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {_PG_CANDIDATE_COLUMNS}, 0 FROM ({union}) e "
                f"WHERE {' AND '.join(conditions)} ORDER BY e.id LIMIT %s OFFSET %s",
                [*params, limit, offset],
            )
            return _candidates(cursor.fetchall(), capped=False)[0]

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
        score, weights = (PG_SCORE, [PG_WEIGHTS]) if ranked else ("0", [])
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
