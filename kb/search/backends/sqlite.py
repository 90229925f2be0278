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
        cap = cap or self.cap
        expression = self.query(terms, excluding, without)
        rows: list[tuple] = []
        capped = False
        with connection.cursor() as cursor:
            for table in sorted({self.table(t) for t in doc_types}):
                read = self._texts if table == FTS_TABLE else self._side
                found, more = read(cursor, table, expression, doc_types, cap, ranked)
                if ranked:
                    chosen = [row for row in found if len(row) > 11]
                    scored = ranking.scores(terms, [row[11:] for row in chosen],
                                            sections=[row[1] == "section" for row in chosen])
                    scores = {row[0]: score for row, score in zip(chosen, scored, strict=True)}
                    found = [(*row[:10], scores.get(row[0], 0)) for row in found]
                rows += found
                capped = capped or more
        return _candidates(rows, capped=capped)

    def _side(self, cursor, table: str, expression: str, doc_types: Sequence[str], cap: int,
              ranked: bool) -> tuple[list[tuple], bool]:
        """Articles and topics (a few thousand, short texts): the best ``cap`` by FTS5's
        ``bm25()``, with their tokens when ``ranked``."""
        weights = ", ".join(str(w) for w in ranking.WEIGHTS)
        order = f" ORDER BY bm25({table}, {weights})" if ranked else ""
        inner = "".join(f", {name}" for name in FIELDS) if ranked else ""
        fields = "".join(f", t.{name}" for name in FIELDS) if ranked else ""
        cursor.execute(
            f"SELECT {_CANDIDATE_COLUMNS}, 0{fields} FROM (SELECT rowid AS id{inner} "
            f"FROM {table} WHERE {table} MATCH %s{order} LIMIT %s) t "
            f"JOIN kb_searchentry e ON e.id = t.id "
            f"WHERE e.doc_type IN ({', '.join(['%s'] * len(doc_types))})",
            [expression, cap, *doc_types],
        )
        found = cursor.fetchall()
        return found, len(found) >= cap

    def _texts(self, cursor, table: str, expression: str, doc_types: Sequence[str], cap: int,
               ranked: bool) -> tuple[list[tuple], bool]:
        """Every section and passage matching ``expression`` (up to ``match_cap``, so that
        paging reaches each and the total is exact), and whether there were more. Ranked,
        the ``cap`` best by FTS5's ``bm25()`` (weighted fields, the whole index's
        statistics) come first with their tokens, whatever order they were stored in:
        ranking every match costs ~1 µs a match. Past ``rank_all`` matches, the first
        ``cap`` in storage order and those matching in a heading, title or topic."""
        cursor.execute(f"SELECT count(*) FROM {table} WHERE {table} MATCH %s", [expression])
        total = cursor.fetchone()[0]
        found: list[tuple] = []
        if ranked and total:
            weights = ", ".join(str(w) for w in ranking.WEIGHTS)
            order = f" ORDER BY bm25({table}, {weights})" if total <= self.rank_all else ""
            # The ids first, then the chosen few's tokens: sorting rows with their tokens
            # made SQLite read every match's text (45 ms for 1,200 matches, not 2).
            cursor.execute(f"SELECT rowid FROM {table} WHERE {table} MATCH %s{order} LIMIT %s",
                           [expression, cap])
            ids = [row[0] for row in cursor.fetchall()]
            cursor.execute(
                f"SELECT {_CANDIDATE_COLUMNS}, 0{''.join(f', t.{name}' for name in FIELDS)} "
                # CROSS JOIN: SQLite then walks the ids, not every entry of these types.
                f"FROM kb_searchentry e CROSS JOIN {table} t ON t.rowid = e.id "
                f"WHERE e.id IN ({', '.join(['%s'] * len(ids))}) "
                f"AND e.doc_type IN ({', '.join(['%s'] * len(doc_types))})",
                [*ids, *doc_types],
            )
            found = cursor.fetchall()
            if not order:
                found += self._strong(cursor, table, expression, cap, doc_types,
                                      seen={row[0] for row in found})
        if total > len(found):
            # After the ranked ones, the rest (unranked, score 0), as many as a search holds.
            seen = {row[0] for row in found}
            cursor.execute(
                f"SELECT {_CANDIDATE_COLUMNS}, 0 FROM (SELECT rowid AS id FROM {table} "
                f"WHERE {table} MATCH %s LIMIT %s) t JOIN kb_searchentry e ON e.id = t.id "
                f"WHERE e.doc_type IN ({', '.join(['%s'] * len(doc_types))})",
                [expression, self.match_cap, *doc_types],
            )
            found += [row for row in cursor.fetchall() if row[0] not in seen]
        return found, total > len(found)

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
        marks = ", ".join(["%s"] * len(ids))
        cursor.execute(
            f"SELECT {_CANDIDATE_COLUMNS}, 0, {', '.join(f't.{name}' for name in FIELDS)} "
            # CROSS JOIN: SQLite then walks the ids, not every entry of these types.
            f"FROM kb_searchentry e CROSS JOIN {table} t ON t.rowid = e.id "
            f"WHERE e.id IN ({marks}) "
            f"AND e.doc_type IN ({', '.join(['%s'] * len(doc_types))}) "
            # The head holds no body: a term left out (NOT) may be there.
            f"AND e.id IN (SELECT rowid FROM {table} WHERE {table} MATCH %s AND rowid IN ({marks}))",
            [*ids, *doc_types, expression, *ids],
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
