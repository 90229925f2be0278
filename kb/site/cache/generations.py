"""The database's record of what changed: a generation per dependency (dependencies.py).

Each write inserts a :class:`~kb.site.models.ContentChange` row per dependency it touched, in
its own transaction: the rows commit (or roll back) with the write, so a new generation is
visible exactly when the content is, and living in the database it cannot go back when the
cache is restored from an old snapshot. After the commit, the rows of each dependency are
folded into one, keeping their total weight and latest time: a dependency's generation is
that total and time, and the whole content's generation the same over every row.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from datetime import UTC, datetime

from django.db import DatabaseError, InterfaceError, OperationalError, transaction

from kb.site.models import ContentChange

logger = logging.getLogger("kb.cache")

_TABLE = ContentChange._meta.db_table
# A shared cache's stamp check runs this every RECHECK_EVERY seconds, and a page rendered
# inside a transaction on every hit: as SQL it costs about a seventh of what the ORM's
# aggregate() spends compiling it (measured 21-32 µs against 214-219 µs on SQLite).
_TOTAL_SQL = f"SELECT SUM(weight), MAX(changed_at) FROM {_TABLE}"
_BY_DEPENDENCY_SQL = f"SELECT dependency, SUM(weight), MAX(changed_at) FROM {_TABLE}"


def _generation(total: int | None, last: object) -> tuple[str, float | None]:
    if last is None:
        return "0", None
    if isinstance(last, str):  # SQLite hands back the stored text (UTC, as USE_TZ stores it)
        last = datetime.fromisoformat(last).replace(tzinfo=UTC)
    # The total alone grows with every commit; the time also tells apart the content of a
    # database restored from a dump and written to again from what the cache saw before.
    modified = last.timestamp()
    return f"{total}:{modified}", modified


def _fetch(sql: str, params: list | None = None) -> list[tuple]:
    """Rows of ``sql``; as a hit's only query, it stands in for the connection's health check."""
    connection = transaction.get_connection()
    connection.kb_unread_changes = None
    # On a hit this is the request's only query: let it stand in for the connection's health
    # check (CONN_HEALTH_CHECKS), which would add a second round trip. A connection gone
    # stale fails it instead; it is then closed and the read made on a new one.
    stands_in = (connection.health_check_enabled and not connection.health_check_done
                 and not connection.in_atomic_block)
    if stands_in:
        connection.health_check_done = True

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    try:
        return run()
    except (OperationalError, InterfaceError):
        if not stands_in:
            raise
        connection.close()
        return run()


def total() -> tuple[str, float | None]:
    """The generation of all committed content, and when it last changed (None: never)."""
    [(weight, last)] = _fetch(_TOTAL_SQL)
    return _generation(weight, last)


def by_dependency(keys: Collection[str] | None = None) -> dict[str, tuple[str, float | None]]:
    """The generation of each of ``keys`` that was ever written (of every one: None)."""
    if keys is not None and not keys:
        return {}
    where = "" if keys is None else f" WHERE dependency IN ({', '.join(['%s'] * len(keys))})"
    rows = _fetch(f"{_BY_DEPENDENCY_SQL}{where} GROUP BY dependency",
                  None if keys is None else list(keys))
    return {key: _generation(weight, last) for key, weight, last in rows}


def last_modified(keys: Collection[str]) -> float | None:
    """When any of ``keys`` last changed (None: never)."""
    times = [modified for _, modified in by_dependency(keys).values() if modified is not None]
    return max(times, default=None)


def record(keys: Iterable[str]) -> None:
    """Insert a change of each of ``keys`` in the current transaction."""
    ContentChange.objects.bulk_create(ContentChange(dependency=key) for key in sorted(keys))


def fold(keys: Collection[str]) -> None:
    """Fold the rows of each of ``keys`` into one: the generation queries then read a row
    per dependency, whatever the number of writes."""
    try:
        with transaction.atomic():
            rows = list(ContentChange.objects.select_for_update(skip_locked=True)
                        .filter(dependency__in=list(keys))
                        .values_list("pk", "dependency", "weight", "changed_at"))
            groups: dict[str, list[tuple]] = {}
            for row in rows:
                groups.setdefault(row[1], []).append(row)
            folded = {key: group for key, group in groups.items() if len(group) > 1}
            if folded:
                ContentChange.objects.filter(
                    pk__in=[row[0] for group in folded.values() for row in group]).delete()
                ContentChange.objects.bulk_create(
                    ContentChange(dependency=key, weight=sum(row[2] for row in group),
                                  changed_at=max(row[3] for row in group))
                    for key, group in folded.items())
    except DatabaseError:  # the write has committed: only the table's size suffers
        logger.exception("could not fold the content changes")
