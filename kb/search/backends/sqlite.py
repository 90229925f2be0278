"""SQLite: FTS5 tables over space-separated tokens; candidates ranked in Python
(kb.search.ranking: BM25 over the same weighted fields, from their stored tokens)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from kb.search import ranking
from kb.search.backends.base import (
    _CANDIDATE_COLUMNS,
    FIELDS,
    FTS_TABLE,
    HEAD_FIELDS,
    HEAD_FTS_TABLE,
    SIDE_FTS_TABLE,
    SIDE_TYPES,
    Backend,
    Candidate,
    IndexDocument,
    Term,
    _candidates,
)
from kb.search.tokenise import Pattern


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
