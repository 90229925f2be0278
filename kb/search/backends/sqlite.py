"""SQLite: FTS5 tables over space-separated tokens; candidates ranked in Python
(kb.search.ranking: BM25 over the same weighted fields, from their stored tokens)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.db import connection

from kb.search import ranking
from kb.search.backends.base import (
    _CANDIDATE_COLUMNS,
    _GROUP_COLUMNS,
    FIELDS,
    FTS_TABLE,
    HEAD_FIELDS,
    HEAD_FTS_TABLE,
    SIDE_FTS_TABLE,
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


class SQLiteBackend(Backend):
    vendor = "sqlite"
    and_not = "({}) NOT ({})"

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
        """Articles and topics (a few thousand, short texts): the best ``cap`` by FTS5's
        ``bm25()``, then ranked with their tokens when ``ranked``."""
        if set(doc_types) - SIDE_TYPES:
            raise ValueError(f"texts are matched by texts(), not {sorted(doc_types)!r}")
        cap = cap or self.cap
        table = SIDE_FTS_TABLE
        weights = ", ".join(str(w) for w in ranking.WEIGHTS)
        order = f" ORDER BY bm25({table}, {weights})" if ranked else ""
        inner = "".join(f", {name}" for name in FIELDS) if ranked else ""
        fields = "".join(f", t.{name}" for name in FIELDS) if ranked else ""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {_CANDIDATE_COLUMNS}, 0{fields} FROM (SELECT rowid AS id{inner} "
                f"FROM {table} WHERE {table} MATCH %s{order} LIMIT %s) t "
                f"JOIN kb_searchentry e ON e.id = t.id "
                f"WHERE e.doc_type IN ({', '.join(['%s'] * len(doc_types))})",
                [self.query(terms, excluding, without), cap, *doc_types],
            )
            found = cursor.fetchall()
        return _candidates(self._scored(terms, found) if ranked else found, capped=len(found) >= cap)

    @staticmethod
    def _scored(terms: Sequence[Term], rows: list[tuple]) -> list[tuple]:
        """Rows with their tokens (after the candidate columns and a 0) → rows with their
        score (kb.search.ranking) in place of the 0 and the tokens."""
        scored = ranking.scores(terms, [row[11:] for row in rows],
                                sections=[row[1] == "section" for row in rows])
        return [(*row[:10], score) for row, score in zip(rows, scored, strict=True)]

    def _matching(self) -> str:
        """The ids of the sections and passages a search holds, in storage order."""
        return f"SELECT rowid AS id FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s LIMIT {self.match_cap + 1}"

    def texts(self, terms: Sequence[Term], *, excluding: Sequence[Term] = (),
              without: Term = (), ranked_up_to: int | None = None) -> Matches:
        """Every match counted by group (up to ``match_cap``), and the ``cap`` best by
        FTS5's ``bm25()`` (weighted fields, the whole index's statistics), whatever order
        they were stored in, ranked with their tokens: ~1 µs a match. Past ``rank_all``
        matches, the first ``cap`` in storage order and those matching in a heading,
        title or topic."""
        expression = self.query(terms, excluding, without)
        table = FTS_TABLE
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {_GROUP_COLUMNS}, count(*) FROM ({self._matching()}) t "
                f"JOIN kb_searchentry e ON e.id = t.id GROUP BY 1, 2, 3, 4, 5",
                [expression],
            )
            groups = _groups(cursor.fetchall())
            total = sum(g.count for g in groups)
            found: list[tuple] = []
            if total and (ranked_up_to is None or total <= ranked_up_to):
                weights = ", ".join(str(w) for w in ranking.WEIGHTS)
                order = f" ORDER BY bm25({table}, {weights})" if total <= self.rank_all else ""
                # The ids first, then the chosen few's tokens: sorting rows with their tokens
                # made SQLite read every match's text (45 ms for 1,200 matches, not 2).
                cursor.execute(f"SELECT rowid FROM {table} WHERE {table} MATCH %s{order} LIMIT %s",
                               [expression, self.cap])
                found = self._rows(cursor, [row[0] for row in cursor.fetchall()])
                if not order:
                    found += self._strong(cursor, expression, seen={row[0] for row in found})
        ranked, _ = _candidates(self._scored(terms, found), capped=False)
        return Matches(expression, ranked, groups, capped=total > self.match_cap)

    @staticmethod
    def _rows(cursor, ids: Sequence[int], *, expression: str = "") -> list[tuple]:
        """The candidate columns and tokens of the sections and passages ``ids`` (those
        also matching ``expression`` when given)."""
        if not ids:
            return []
        also = (f" AND e.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "
                "AND rowid IN (SELECT value FROM json_each(%s)))") if expression else ""
        cursor.execute(
            f"SELECT {_CANDIDATE_COLUMNS}, 0{''.join(f', t.{name}' for name in FIELDS)} "
            # CROSS JOIN: SQLite then walks the ids, not every entry.
            f"FROM kb_searchentry e CROSS JOIN {FTS_TABLE} t ON t.rowid = e.id "
            f"WHERE e.id IN (SELECT value FROM json_each(%s)){also}",
            [json.dumps(list(ids)), *([expression, json.dumps(list(ids))] if expression else [])],
        )
        return cursor.fetchall()

    def _strong(self, cursor, expression: str, *, seen: set[int]) -> list[tuple]:
        """The sections and passages matching in a heading, title or topic, not in
        ``seen``, with their tokens."""
        head = HEAD_FTS_TABLE
        cursor.execute(f"SELECT rowid FROM {head} WHERE {head} MATCH %s LIMIT %s",
                       [expression, self.cap])
        # The head holds no body: a term left out (NOT) may be there.
        return self._rows(cursor, [row[0] for row in cursor.fetchall() if row[0] not in seen],
                          expression=expression)

    def count(self, terms: Sequence[Term], *, without: Term = ()) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM ({self._matching()})",
                           [self.query(terms, (), without)])
            return cursor.fetchone()[0]

    def tail(self, matches: Matches, *, articles: Sequence[int] | None, topic_id: int | None,
             offset: int, limit: int) -> list[Candidate]:
        conditions = ["e.id NOT IN (SELECT value FROM json_each(%s))"]
        params: list = [json.dumps([c.entry_id for c in matches.ranked])]
        if articles is not None:
            conditions.append("e.article_id IN (SELECT value FROM json_each(%s))")
            params.append(json.dumps(list(articles)))
        if topic_id is not None:
            conditions.append("EXISTS (SELECT 1 FROM json_each(e.topic_ids) WHERE value = %s)")
            params.append(topic_id)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {_CANDIDATE_COLUMNS}, 0 FROM ({self._matching()}) t "
                f"JOIN kb_searchentry e ON e.id = t.id WHERE {' AND '.join(conditions)} "
                "ORDER BY e.id LIMIT %s OFFSET %s",
                [matches.expression, *params, limit, offset],
            )
            return _candidates(cursor.fetchall(), capped=False)[0]

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
