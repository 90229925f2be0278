"""What a write does for the page cache: record the dependencies it changed, in its own
transaction, and once it commits give them new stamps."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from kb.site.cache import generations, stamps
from kb.site.cache.dependencies import EVERY_WRITE, EVERYTHING


def content_changed(*keys: str) -> None:
    """Record that the content behind ``keys`` (kb.site.cache.dependencies) changed, visible
    to other readers when the write commits; without keys, that everything may have.

    The rows are inserted in the write's transaction: they commit (or roll back) with the
    write, so readers see the new generations exactly when they see the new content; once
    committed, the shared cache gets new stamps for them. Call it from any write that
    bypasses ``Model.save()`` and ``delete()`` (``QuerySet.update()``, ``bulk_create()``,
    raw SQL); model writes call it through the signals connected by :func:`watch_models`.

    A dependency needs no row of its own when it was recorded earlier in the same atomic
    block (they commit or roll back together) and no generation was read in between (no
    page can carry the one between them). Without this, saving a long article's admin form
    inserted rows per section.
    """
    changed = {*(keys or [EVERYTHING]), EVERY_WRITE}
    connection = transaction.get_connection()
    block = set(connection.savepoint_ids) if connection.in_atomic_block else None
    pending = getattr(connection, "kb_unread_changes", None)
    # The hook registered with the earlier rows is still pending only if they were not
    # rolled back (Django drops a rolled-back block's on_commit callbacks).
    if block is not None and pending is not None and pending[0] == block and any(
        func is pending[2] for _, func, *_ in connection.run_on_commit
    ):
        new = changed - pending[1]
        if new:
            generations.record(new)
            pending[1].update(new)  # the pending hook restamps them too
        return
    generations.record(changed)

    def committed() -> None:
        generations.fold(changed)
        stamps.restamp(changed)

    transaction.on_commit(committed)
    connection.kb_unread_changes = (block, changed, committed)


# model → what a save or delete of one of its rows changed; relation's through model →
# what a change of (instance, related primary keys) changed.
Changes = Callable[[Any], Iterable[str]]
RelationChanges = Callable[[Any, Iterable[Any]], Iterable[str]]


def watch_models(changes: dict[type[models.Model], Changes],
                 relations: dict[type[models.Model], RelationChanges],
                 others: Iterable[type[models.Model]]) -> None:
    """Invalidate the cached pages showing a row whenever it is saved, deleted or re-linked:
    ``changes`` says what a model's row changed, ``relations`` what a many-to-many change
    through a model did; a model in ``others`` changes everything (the safe default).

    Signals are justified here (and only here): invalidation is not business logic but a
    guarantee that must hold for every write path, including the admin, ``manage.py shell``
    and django-taggit's own tag writes, which do not go through kb's services.
    """
    def saved_or_deleted(sender, instance, **kwargs) -> None:
        declared = changes.get(sender)
        if declared is None:
            content_changed()
        else:
            # Nothing named means "shown on no cached page": only pages of unknown
            # dependencies (those that depend on every write) go.
            content_changed(*(declared(instance) or [EVERY_WRITE]))

    def relation_changed(sender, instance, action: str, pk_set=None, **kwargs) -> None:
        # An add or remove of nothing (django-taggit's set() sends them) changed nothing.
        if not action.startswith("post_") or (action != "post_clear" and not pk_set):
            return
        declared = relations.get(sender)
        if declared is None or kwargs.get("reverse"):
            content_changed()
        else:
            content_changed(*(declared(instance, pk_set or ()) or [EVERY_WRITE]))

    for model in [*changes, *relations, *others]:
        uid = f"kb.site.cache:{model._meta.label}"
        post_save.connect(saved_or_deleted, sender=model, dispatch_uid=uid, weak=False)
        post_delete.connect(saved_or_deleted, sender=model, dispatch_uid=uid, weak=False)
        m2m_changed.connect(relation_changed, sender=model, dispatch_uid=uid, weak=False)
