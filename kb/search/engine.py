"""The search a page or a tool runs: parse, match, filter, count, rank, page, show."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from typing import ClassVar

from django.core.paginator import Page, Paginator
from django.db.models import prefetch_related_objects
from django.utils.safestring import SafeString

from kb.library.models import Article, Section, Topic
from kb.passages.models import Passage
from kb.search.backends import Backend, Candidate, Group, get_backend
from kb.search.models import SearchEntry
from kb.search.paging import Ordered, all_groups, facet_counts
from kb.search.query import ParsedQuery, QueryFilters, parse
from kb.search.snippets import highlight
from kb.search.tokenise import Pattern, index_tokens, normalise

# The ranked, filtered, paged list is of sections and analysts' passages (Backend.texts).
# Shown beside it: the few best articles and topics, matched and ranked on their own.
OTHERS = (SearchEntry.DocType.ARTICLE, SearchEntry.DocType.TOPIC)
OTHERS_CAP = 100
PER_PAGE = 20
SIDE_HITS = 5  # articles and topics shown beside the sections
FACET_VALUES = 12
SUGGESTIONS = 6


def _contains(text: str, part: str) -> bool:
    return normalise(part) in normalise(text)


@dataclass(frozen=True)
class SearchFilters:
    topic: str = ""  # slug
    kind: str = ""
    publisher: str = ""
    date_from: date | None = None
    date_to: date | None = None
    title: str = ""  # part of the article's title
    title_articles: frozenset[int] = frozenset()  # the articles whose titles contain it

    def active(self) -> list[str]:
        """The filters set, by the name of their facet."""
        return [name for name, value in (
            ("topic", self.topic), ("kind", self.kind), ("publisher", self.publisher),
            ("date", self.date_from or self.date_to), ("title", self.title),
        ) if value]

    def with_typed(self, typed: QueryFilters) -> SearchFilters:
        """These filters, and those typed into the query where these set none: a facet
        clicked after typing ``year:2023`` wins over what was typed."""
        dated = self.date_from or self.date_to
        return replace(
            self,
            topic=self.topic or typed.topic,
            publisher=self.publisher or typed.publisher,
            title=self.title or typed.title,
            date_from=self.date_from if dated else typed.date_from,
            date_to=self.date_to if dated else typed.date_to,
        )

    def passes(self, name: str, c: Candidate | Group, topic_id: int | None) -> bool:
        """Whether ``c`` passes the filter ``name``."""
        if name == "title":
            return c.article_id in self.title_articles
        if name == "topic":
            return topic_id in c.topic_ids
        if name == "kind":
            return c.kind == self.kind
        if name == "publisher":  # part of the name is enough: 野村 finds 株式会社野村総合研究所
            return _contains(c.publisher, self.publisher)
        return c.published_on is not None and not (
            (self.date_from and c.published_on < self.date_from)
            or (self.date_to and c.published_on > self.date_to)
        )

    def admits(self, c: Candidate | Group, *, skip: str = "", topic_id: int | None = None) -> bool:
        """Whether ``c`` passes every filter but ``skip``."""
        return all(self.passes(name, c, topic_id) for name in self.active() if name != skip)


@dataclass
class SectionHit:
    section: Section
    score: float
    heading: SafeString
    snippet: SafeString
    topics: list[Topic]
    type: ClassVar[str] = "section"


@dataclass
class PassageHit:
    passage: Passage
    score: float
    quote: SafeString
    note: SafeString
    topics: list[Topic]
    type: ClassVar[str] = "passage"


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    url: str = ""  # set by the view: the page with this value toggled
    lang: str = ""  # "ja" for a Japanese label in any interface language


@dataclass
class SearchResults:
    query: ParsedQuery
    filters: SearchFilters
    total: int = 0
    capped: bool = False  # more entries matched than were ranked
    page: Page | None = None
    articles: list[tuple[Article, float]] = field(default_factory=list)
    topics: list[tuple[Topic, float]] = field(default_factory=list)
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    suggestions: list[str] = field(default_factory=list)
    term_counts: list[tuple[str, int]] = field(default_factory=list)

    @property
    def hits(self) -> list[SectionHit | PassageHit]:
        return list(self.page.object_list) if self.page else []


def search(
    raw: str, *, filters: SearchFilters = SearchFilters(), page: int = 1, per_page: int = PER_PAGE
) -> SearchResults:
    """Sections and passages (ranked, filtered, paged, with snippets), articles and topics
    matching ``raw``.

    A fixed number of queries whatever the corpus size: alias lookup, the section match
    (counted by group, the best ranked; again when aliases widened it), the article and
    topic match, then what the page shows (past the ranked best, its rows of the other
    matches). Totals and facet counts are exact over every match; when more matched than
    a search holds (``capped``), the page says "more than".
    """
    query = parse(raw)
    filters = filters.with_typed(query.filters)
    results = SearchResults(query=query, filters=filters)
    if not query:
        return results
    if filters.title:
        filters = results.filters = replace(filters, title_articles=_titled(filters.title))
    backend = get_backend()
    typed = [t.typed for t in query.terms]
    without = query.without
    topic_id = _topic_id(filters.topic)
    with backend.session():
        matches = [backend.texts(typed, without=without)]
        results.capped = matches[0].capped
        if query.widened and (filters.active() or not results.capped):
            # What only an alias or a longer word matched comes after what was typed,
            # ranked on its own: ranking them together would reward a passage naming many
            # of a topic's aliases. Only a few are worth ranking (a rare longer word's):
            # choosing the best of thousands that a common alias finds cost more than the
            # rest of the search (20-40 ms on the white papers). When what was typed
            # already fills what a search holds, alias-only matches would come after all
            # of it: not worth a query that ORs every alias, unless filters may leave none
            # of what was typed.
            wider = backend.texts([t.patterns for t in query.terms], excluding=typed,
                                  without=without, ranked_up_to=backend.cap)
            matches.append(wider)
            results.capped = results.capped or wider.capped
        # Articles and topics by what was typed: the topic whose alias it is matches already.
        others, _ = backend.match(typed, doc_types=OTHERS, cap=OTHERS_CAP, without=without)
        ordered = Ordered(backend, matches, filters, topic_id)
        results.total = len(ordered)
        results.page = Paginator(ordered, per_page).get_page(page)
        shown = list(results.page.object_list)
    side_topics = [c for c in others if c.doc_type == SearchEntry.DocType.TOPIC][:SIDE_HITS]
    counts = facet_counts(all_groups(matches), filters, topic_id)
    top_topics = [pk for pk, _ in counts["topic"].most_common(FACET_VALUES)]
    if topic_id and topic_id not in top_topics:
        top_topics.append(topic_id)
    # The facet's topics, the chips of the page's hits and the topics beside them, in one
    # query (and one for the aliases of those beside).
    topic_rows = _topic_rows({*top_topics, *(c.topic_id for c in side_topics),
                              *(pk for c in shown for pk in c.topic_ids)})
    results.facets = _facets(counts, filters, top_topics, topic_rows)
    patterns = [p for term in query.terms for p in term.patterns]
    results.page.object_list = _hits(shown, patterns, topic_rows)
    results.articles = _article_hits(
        [c for c in others if c.doc_type == SearchEntry.DocType.ARTICLE
         and filters.admits(c, skip="topic")][:SIDE_HITS]
    )
    results.topics = [(topic_rows[c.topic_id], c.score)
                      for c in side_topics if c.topic_id in topic_rows]
    prefetch_related_objects([topic for topic, _ in results.topics], "aliases")
    if not results.total:
        results.suggestions, results.term_counts = _near_matches(backend, query)
    return results


def _titled(part: str) -> frozenset[int]:
    """The articles whose titles contain ``part``, in any width or case (one query)."""
    titles = Article.objects.values_list("pk", "title")
    return frozenset(pk for pk, title in titles if _contains(title, part))


def _topic_id(slug: str) -> int | None:
    if not slug:
        return None
    return Topic.objects.filter(slug=slug).values_list("pk", flat=True).first()


_UNSHOWN_ARTICLE = ("summary", "summary_html")
_UNSHOWN = ("body", "body_html", *(f"article__{name}" for name in _UNSHOWN_ARTICLE))


def _topic_rows(ids: set[int]) -> dict[int, Topic]:
    return Topic.objects.defer("description", "description_html").in_bulk(ids) if ids else {}


def _hits(
    candidates: list[Candidate], patterns: list[Pattern], topic_rows: dict[int, Topic]
) -> list[SectionHit | PassageHit]:
    """The page's sections and passages, in rank order, highlighted, with their topics
    (from ``topic_rows``). Each kind costs its query only when the page shows one."""
    section_ids = [c.section_id for c in candidates if c.section_id]
    passage_ids = [c.passage_id for c in candidates if c.passage_id]
    # A hit shows plain text: the Markdown and HTML (most of a row) stay in the database.
    sections = (
        Section.objects.select_related("article").defer(*_UNSHOWN).in_bulk(section_ids)
        if section_ids else {}
    )
    passages = (
        Passage.objects.select_related("article", "analyst")
        .defer(*(f"article__{name}" for name in _UNSHOWN_ARTICLE)).in_bulk(passage_ids)
        if passage_ids else {}
    )
    hits: list[SectionHit | PassageHit] = []
    for c in candidates:
        topics = sorted((topic_rows[pk] for pk in c.topic_ids if pk in topic_rows), key=lambda t: t.name)
        if (section := sections.get(c.section_id)) is not None:
            hits.append(SectionHit(
                section=section,
                score=c.score,
                heading=highlight(section.heading, patterns, chars=None),
                snippet=highlight(section.plain_text, patterns),
                topics=topics,
            ))
        elif (passage := passages.get(c.passage_id)) is not None:
            hits.append(PassageHit(
                passage=passage,
                score=c.score,
                quote=highlight(passage.exact, patterns),
                note=highlight(passage.note, patterns),
                topics=topics,
            ))
    return hits


def _article_hits(candidates: list[Candidate]) -> list[tuple[Article, float]]:
    articles = Article.objects.in_bulk([c.article_id for c in candidates]) if candidates else {}
    return [(articles[c.article_id], c.score) for c in candidates if c.article_id in articles]


def _facets(
    counts: dict[str, Counter], filters: SearchFilters, top_topics: list[int],
    topic_rows: dict[int, Topic],
) -> dict[str, list[FacetValue]]:
    kind_labels = dict(Article.Kind.choices)
    return {
        "topic": [
            FacetValue(t.slug, t.local_name, counts["topic"][pk], t.slug == filters.topic,
                       lang="" if t.shown_in_english() else "ja")
            for pk in top_topics if (t := topic_rows.get(pk))
        ],
        "kind": [
            FacetValue(k, str(kind_labels.get(k, k)), n, k == filters.kind)
            for k, n in counts["kind"].most_common()
        ],
        "publisher": [
            FacetValue(p, p, n, p == filters.publisher, lang="ja")
            for p, n in counts["publisher"].most_common(FACET_VALUES)
        ],
        "year": [
            FacetValue(str(y), str(y), n, _year_selected(filters, y))
            for y, n in sorted(counts["year"].items(), reverse=True)
        ],
    }


def _year_selected(filters: SearchFilters, year: int) -> bool:
    return filters.date_from == date(year, 1, 1) and filters.date_to == date(year, 12, 31)


def _near_matches(backend: Backend, query: ParsedQuery) -> tuple[list[str], list[tuple[str, int]]]:
    """For an empty result: how many sections each term finds alone (when there are
    several), and the topics whose labels share the most bigrams with the query."""
    term_counts = []
    if len(query.terms) > 1:
        with backend.session():
            for term in query.terms:
                term_counts.append((term.text, backend.count([term.patterns],
                                                             without=query.without)))
    wanted = {tok for term in query.terms for tok in term.typed[0].tokens if len(tok) > 1}
    shared = []
    for key, name in SearchEntry.objects.filter(doc_type=SearchEntry.DocType.TOPIC).values_list(
        "label_key", "topic__name"
    ):
        count = len(wanted & set(index_tokens(key.replace("|", " "))))
        if count:
            shared.append((-count, name))
    return [name for _, name in sorted(shared)[:SUGGESTIONS]], term_counts
