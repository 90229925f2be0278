"""What the topic overview and a topic page's pictures read: how often topics are tagged
together and when, each in one query whatever the size of the corpus."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from kb.library import pictures
from kb.library.models import Topic
from kb.library.selectors import codebook_outline

# The overview draws the topics with most sections: beyond a few dozen, a map is a blot.
MAP_TOPICS = 40
# A topic page draws its strongest partners only; the chips above list them all.
PARTNERS_SHOWN = 8


@dataclass
class TopicOverview:
    """The ``MAP_TOPICS`` topics with most sections, in codebook order (each with
    ``sections``), the sections each two of them share ({(id, id): n}) and each one's
    sections per year of its reports ({id: {year: n}})."""

    topics: list[Topic]
    shared: dict[tuple[int, int], int]
    years: dict[int, dict[int, int]]

    map: pictures.CooccurrenceMap = field(init=False)
    timeline: pictures.Timeline = field(init=False)

    def __post_init__(self) -> None:
        """Draw the pictures and give each topic what the data table shows in words:
        ``partners`` ((topic, shared sections), most first) and ``per_year`` (a count for
        every year on the timeline's axis)."""
        self.map = pictures.cooccurrence_map(
            [(t.pk, t, t.sections, t.colour) for t in self.topics], self.shared)
        self.timeline = pictures.timeline([(t, t.colour, self.years[t.pk]) for t in self.topics])
        by_id = {t.pk: t for t in self.topics}
        for topic in self.topics:
            topic.partners = []
            topic.per_year = [self.years[topic.pk].get(year, 0) for year in self.timeline.years]
        for (a, b), n in self.shared.items():
            if a in by_id and b in by_id:
                by_id[a].partners.append((by_id[b], n))
                by_id[b].partners.append((by_id[a], n))
        for topic in self.topics:
            topic.partners.sort(key=lambda pair: (-pair[1], pair[0].name, pair[0].pk))


def topic_overview() -> TopicOverview:
    """In three queries whatever the corpus: the pairs, the codebook's outline, the years."""
    counts, shared = {}, {}
    for a, b, n in Topic.objects.pairs():
        if a == b:
            counts[a] = n
        else:
            shared[a, b] = n
    outline = codebook_outline()
    # A topic deleted between the two reads is left out.
    shown = sorted((pk for pk in counts if pk in outline), key=lambda pk: (-counts[pk], outline[pk].name, pk))[:MAP_TOPICS]
    years: dict[int, dict[int, int]] = {pk: {} for pk in shown}
    for pk, year, n in Topic.objects.filter(pk__in=shown).sections_per_year():
        years[pk][year] = n
    for pk in shown:
        outline[pk].sections = counts[pk]
    return TopicOverview(topics=sorted((outline[pk] for pk in shown), key=_codebook_key(outline)),
                         shared=shared, years=years)


def _codebook_key(outline: dict[int, Topic]):
    """Sort key: the names on the path from the top of the codebook, so subtopics follow
    their parent (cycles cannot be saved, but a broken one must not loop here)."""
    def key(topic: Topic) -> list[tuple[str, int]]:
        path, seen = [], set()
        while topic is not None and topic.pk not in seen:
            seen.add(topic.pk)
            path.insert(0, (topic.name, topic.pk))
            topic = outline.get(topic.parent_id)
        return path
    return key


def topic_years(topic: Topic) -> dict[int, int]:
    """The topic's tagged sections per year of their reports, in one query."""
    return {year: n for _, year, n in Topic.objects.filter(pk=topic.pk).sections_per_year()}


@dataclass
class TopicPictures:
    """A topic page's pictures: its timeline (sections per year) and its strongest partners."""

    topic: Topic
    years: dict[int, int]
    partners: list[Topic]

    @cached_property
    def timeline(self) -> pictures.Timeline:
        return pictures.timeline([(self.topic, self.topic.colour, self.years)], row_height=80,
                                 label_width=40)

    @cached_property
    def bars(self) -> pictures.BarChart:
        return pictures.bar_chart([(t, t.shared_sections, t.colour) for t in self.partners])

    @property
    def per_year(self) -> list[tuple[int, int]]:
        return [(year, self.years.get(year, 0)) for year in self.timeline.years]


def topic_pictures(topic: Topic, co_occurring: list[Topic]) -> TopicPictures:
    """One query (the years); the partners are the topic page's co-occurring topics, read
    already."""
    return TopicPictures(topic=topic, years=topic_years(topic),
                         partners=co_occurring[:PARTNERS_SHOWN])
