"""Writes of the library (articles, sections, topics). Each service is one transaction."""

from __future__ import annotations

from collections.abc import Iterable

from kb.library.models import Section


def refresh_links_to(keys: Iterable[str]) -> int:
    """Re-render the sections whose links to ``keys`` were missing, now that the target
    exists (or changed name); returns how many sections were saved again."""
    sections = Section.objects.filter(
        outgoing_links__target_key__in=list(keys),
        outgoing_links__target_article__isnull=True,
        outgoing_links__target_topic__isnull=True,
    ).distinct()
    count = 0
    for section in sections:
        section.save()
        count += 1
    return count
