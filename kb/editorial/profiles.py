"""Topic profiles for import suggestions, kept as word counts per topic (TopicWords).

Re-reading every tagged section's text at each import cost 4.7 s at 16,000 sections. The
counts are brought up to date instead by what changed since the last import: tags added
since (rows after ``through``) add their section's words; a topic with fewer tags than it
counted (a tag removed, a section deleted, topics merged: however it happened, bulk
writes included) or one of whose sections was edited since ``edited`` is counted again
from its own sections' text. So no write path has to remember to call this, and an
import reads only what changed.
"""

from __future__ import annotations

import heapq
from collections import Counter

from django.db import transaction
from django.db.models import Count, Max

from kb.editorial.importers import TopicIndex, build_index, words
from kb.editorial.models import TopicWords
from kb.library.models import Section, TaggedSection, Topic

# Words kept in a topic's profile: its most frequent ones. A topic's whole vocabulary grows
# with every section tagged; its distinctive words are among its most frequent.
PROFILE_WORDS = 400


def _stale(stored: dict[int, TopicWords], through: int) -> set[int]:
    """Topics whose counted tags (up to ``through``) changed or whose sections were edited."""
    # Tag rows only come after ``through`` (ids grow): fewer rows up to it means a tag went
    # (removed, its section deleted, moved to another topic by a merge). Counted on the
    # index of tags, without reading the rows.
    counted = dict(TaggedSection.objects.filter(pk__lte=through).values("tag_id")
                   .annotate(n=Count("pk")).values_list("tag_id", "n"))
    topic_ids = set(Topic.objects.values_list("pk", flat=True))
    stale = {pk for pk in topic_ids if pk not in stored or stored[pk].tagged != counted.get(pk, 0)}
    edited = max((w.edited for w in stored.values() if w.edited), default=None)
    if edited is not None:
        # Sections saved since (on the index of updated_at: few), through their tags counted
        # before (new tags are added below).
        saved = list(Section.objects.filter(updated_at__gt=edited).values_list("pk", flat=True))
        if saved:
            stale |= set(TaggedSection.objects.filter(pk__lte=through, content_object_id__in=saved)
                         .values_list("tag_id", flat=True))
    return stale & topic_ids


@transaction.atomic
def refresh_topic_words() -> None:
    """Bring every topic's stored word counts up to date (one transaction, locked rows)."""
    # Only the topics that change have their counts read (and written back).
    stored = {w.topic_id: w for w in TopicWords.objects.select_for_update().defer("counts", "top")}
    through = max((w.through for w in stored.values()), default=0)
    stale = _stale(stored, through)
    edited = Section.objects.aggregate(latest=Max("updated_at"))["latest"]
    for pk in stale:  # counted again from nothing
        stored.setdefault(pk, TopicWords(topic_id=pk))
        stored[pk].counts, stored[pk].top, stored[pk].tagged = {}, {}, 0
    texts: dict[int, list[str]] = {}
    rows = TaggedSection.objects.filter(pk__gt=through) | TaggedSection.objects.filter(tag_id__in=stale)
    newest = through
    for tag_pk, topic_id, text in rows.values_list(
            "pk", "tag_id", "content_object__plain_text").iterator(chunk_size=500):
        newest = max(newest, tag_pk)
        counted_now = stored.get(topic_id)
        if counted_now is None or (topic_id not in stale and tag_pk <= through):
            continue  # a topic created meanwhile is counted next time; the rest already is
        texts.setdefault(topic_id, []).append(text)
        counted_now.tagged += 1
    before = dict(TopicWords.objects.filter(pk__in=texts.keys() - stale).values_list("pk", "counts"))
    for pk, added in texts.items():
        # One pass over a topic's new text (words do not span the lines joined).
        bag = Counter(before.get(pk, {})) + words("\n".join(added))
        stored[pk].counts = dict(bag)
        stored[pk].top = dict(heapq.nlargest(PROFILE_WORDS, bag.items(), key=lambda item: item[1]))
    changed = stale | texts.keys()
    TopicWords.objects.bulk_create([stored[pk] for pk in changed if stored[pk]._state.adding])
    TopicWords.objects.bulk_update(
        [stored[pk] for pk in changed if not stored[pk]._state.adding],
        ["counts", "top", "tagged"], batch_size=100)
    TopicWords.objects.update(through=newest, edited=edited)


def topic_index() -> TopicIndex:
    """Every topic's labels and word profile (its most frequent words), for suggestions,
    from the stored counts (brought up to date first)."""
    refresh_topic_words()
    counts = dict(TopicWords.objects.values_list("topic__slug", "top"))
    topics = Topic.objects.prefetch_related("aliases")
    return build_index(
        ((t.slug, t.name, [t.name, t.name_en, *(a.name for a in t.aliases.all())]) for t in topics),
        {slug: Counter(c) for slug, c in counts.items() if c},
    )
