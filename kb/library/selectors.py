"""Everything a page reads, in a fixed number of queries whatever the size of the corpus."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.utils.text import slugify

from kb.library import toc
from kb.library.colours import HEX_COLOUR
from kb.library.models import (
    Article,
    Section,
    TaggedSection,
    Topic,
    TopicAlias,
    TopicRedirect,
    resolve_links,
)
from kb.library.originals import Original
from kb.library.wikilinks import render_with_links
from kb.passages.models import Passage
from kb.search.tokenise import normalise
from kb.site.cache import dependencies
from kb.text import normalise_source

RECENT_ARTICLES = 10
RELATED_ARTICLES = 5
TOPIC_SECTIONS_PER_PAGE = 50
# A popular topic spans hundreds of articles and passages: its page shows the first few of
# each and links to their own paginated lists, so that the page stays small (and cheap to
# serve) however large the corpus grows.
TOPIC_ARTICLES_SHOWN = 20
TOPIC_ARTICLES_PER_PAGE = 100
TOPIC_PASSAGES_SHOWN = 20
TOPIC_PASSAGES_PER_PAGE = 50
@dataclass
class HomePage:
    topics: list[Topic]
    articles: list[Article]


@dataclass
class ShownSection:
    """A section of the article page as read for it: values, not a model instance (the
    page's blocks are rendered from these, or found in the fragment cache by them)."""

    pk: int
    anchor: str
    heading: str
    level: int
    body_html: str
    page_start: int | None
    page_breaks: list
    topics: list[Topic]


@dataclass
class ArticlePage:
    article: Article
    sections: list[ShownSection]
    topics: list[Topic]
    related: list[Article]
    # Every passage made in the article, orphans (section None) included, so that the
    # page can re-attach them.
    passages: list[Passage] = field(default_factory=list)
    # The file it was imported from (its latest original), if kept: filename and content
    # type only, read with the article (no query of its own); the bytes are served by
    # views.article_original.
    original: Original | None = None

    @property
    def toc(self) -> list[toc.Entry]:
        """The table of contents, nested by the sections' heading levels."""
        return toc.nested(self.sections)


@dataclass
class ListedSection:
    """A section in a topic page's list, read as values with the few columns of its article
    the list shows (an Article with only those set)."""

    pk: int
    anchor: str
    heading: str
    plain_text: str
    topics: list[Topic]
    article: Article


@dataclass
class TopicPage:
    topic: Topic
    see_also: list[Topic]
    co_occurring: list[Topic]
    # One page of the tagged sections (``sections_page.object_list``, ListedSections), grouped by
    # article. ``articles`` is the first ``TOPIC_ARTICLES_SHOWN`` of the ``article_count``
    # articles with tagged sections, each with ``tagged_sections`` (how many) and
    # ``first_page`` (where its sections start); ``passages`` likewise.
    sections_page: Page
    articles: list[Article]
    article_count: int
    passages: list[Passage]
    passage_count: int
    # The codebook around the topic: its ancestors from the top (not itself), its children.
    path: list[Topic] = field(default_factory=list)
    children: list[Topic] = field(default_factory=list)

    @property
    def sections(self) -> list[ListedSection]:
        return self.sections_page.object_list

    @property
    def section_count(self) -> int:
        return self.sections_page.paginator.count


@dataclass
class TopicListPage:
    """One page of a topic's articles or passages (``items.object_list``, a list)."""

    topic: Topic
    items: Page
    article: Article | None = None  # the one article a list of passages is limited to


def home_page() -> HomePage:
    topics = [t for t in Topic.objects.with_counts().order_by("-section_count", "name")
              if t.section_count]
    return HomePage(topics=topics, articles=list(Article.objects.recent()[:RECENT_ARTICLES]))


def _chips(tagged, topics: dict[int, Topic]) -> dict[int, list[Topic]]:
    """The topic chips of sections (``tagged``: their TaggedSection rows) by section id, as
    topics built from the few columns a chip shows; ``topics`` collects them by id."""
    chips: dict[int, list[Topic]] = {}
    for section_id, *values in tagged.order_by("tag_id").values_list(
            "content_object_id", "tag_id", "tag__name", "tag__slug", "tag__name_en"):
        topic = topics.get(values[0]) or Topic(**dict(zip(("id", "name", "slug", "name_en"), values)))
        topics[topic.pk] = topic
        chips.setdefault(section_id, []).append(topic)
    return chips


def article_page(slug: str) -> ArticlePage:
    """The article, its sections and their topics read as values (model instances cost
    more than the queries on a long article), its passages, and related articles."""
    latest = Original.objects.filter(article=OuterRef("pk")).order_by("-created_at", "-id")
    article = get_object_or_404(
        Article.objects.annotate(
            original_filename=Subquery(latest.values("filename")[:1]),
            original_type=Subquery(latest.values("content_type")[:1]),
        ),
        slug=slug,
    )
    topics: dict[int, Topic] = {}
    chips = _chips(TaggedSection.objects.filter(content_object__article=article), topics)
    rows = (Section.objects.filter(article=article).order_by("position", "id")
            .values_list("id", "anchor", "heading", "level", "body_html", "page_start",
                         "page_breaks", "plain_text"))
    sections, texts = [], {}
    for pk, *values, plain_text in rows:
        sections.append(ShownSection(pk, *values, topics=chips.get(pk, [])))
        texts[pk] = plain_text
    passages = list(article.passages.select_related("analyst").prefetch_related("topics")
                    .order_by("section_id", "start", "id"))
    # What the page's script needs of a passage's section (its text, for the offsets; its
    # pages), without a query per passage.
    with_passages = {passage.section_id for passage in passages}
    placed = {s.pk: Section(id=s.pk, article=article, anchor=s.anchor, plain_text=texts[s.pk],
                            page_start=s.page_start, page_breaks=s.page_breaks)
              for s in sections if s.pk in with_passages}
    for passage in passages:
        passage.article = article
        if passage.section_id in placed:
            passage.section = placed[passage.section_id]
    related = list(Article.objects.sharing_topics(article, list(topics))[:RELATED_ARTICLES])
    # Its related articles are those its topics tag most: which, is a matter of tagging.
    dependencies.shows(dependencies.article(article.pk),
                       *(dependencies.sections_tagged(pk) for pk in topics))
    dependencies.shows_topics([*topics, *(t.pk for p in passages for t in p.topics.all())])
    dependencies.shows_titles(r.pk for r in related)
    return ArticlePage(
        article=article,
        sections=sections,
        topics=sorted(topics.values(), key=lambda t: t.name),
        related=related,
        passages=passages,
        original=Original(article=article, filename=article.original_filename,
                          content_type=article.original_type)
        if article.original_type else None,
    )


def _topic_articles(topic: Topic) -> tuple[list[tuple[int, int, int]], int]:
    """Every article with sections tagged ``topic``, in the order its page groups them,
    as (id, tagged sections, first page of them), and the number of tagged sections.
    Plain tuples: at a thousand articles, model instances would cost more than the query."""
    rows, seen = [], 0
    for pk, count in Article.objects.with_sections_tagged(topic).values_list("pk", "tagged_sections"):
        # The articles come in the sections' order, so their counts say where each one's
        # sections start, and add up to the number of sections.
        rows.append((pk, count, seen // TOPIC_SECTIONS_PER_PAGE + 1))
        seen += count
    return rows, seen


def _articles_of(rows: list[tuple[int, int, int]]) -> list[Article]:
    articles = Article.objects.in_bulk([pk for pk, _, _ in rows]) if rows else {}
    for pk, count, first_page in rows:
        articles[pk].tagged_sections, articles[pk].first_page = count, first_page
    return [articles[pk] for pk, _, _ in rows]


def topic_page(slug: str, *, page: int | str = 1) -> TopicPage:
    """A topic page with one page (``TOPIC_SECTIONS_PER_PAGE``) of its tagged sections:
    a popular topic tags thousands. Raises Http404 for an unknown topic and
    django.core.paginator.InvalidPage for a page number out of range."""
    topic = get_object_or_404(Topic, slug=slug)
    rows, section_count = _topic_articles(topic)
    paginator = Paginator(Section.objects.tagged_with(topic).values_list(
        "id", "anchor", "heading", "plain_text", "article_id", "article__slug", "article__title",
        "article__language"), TOPIC_SECTIONS_PER_PAGE)
    paginator.count = section_count  # known already: no COUNT query (count is a cached_property)
    sections_page = paginator.page(page)
    listed = list(sections_page.object_list)
    chips = _chips(TaggedSection.objects.filter(content_object_id__in=[row[0] for row in listed]), {})
    articles: dict[int, Article] = {}
    sections_page.object_list = [
        ListedSection(pk, anchor, heading, plain_text, chips.get(pk, []), articles.setdefault(
            article_id, Article(id=article_id, slug=article_slug, title=title, language=language)))
        for pk, anchor, heading, plain_text, article_id, article_slug, title, language in listed
    ]
    passages = Passage.objects.tagged_with(topic)
    result = TopicPage(
        topic=topic,
        see_also=list(topic.see_also.order_by("name")),
        co_occurring=list(Topic.objects.co_occurring_with(topic)),
        sections_page=sections_page,
        articles=_articles_of(rows[:TOPIC_ARTICLES_SHOWN]),
        article_count=len(rows),
        passages=list(passages.with_details().in_reading_order()[:TOPIC_PASSAGES_SHOWN]),
        passage_count=passages.count(),
        **topic_family(topic),
    )
    _shows_topic(topic, articles=result.articles, sections=result.sections,
                 passages=result.passages)
    dependencies.shows_topics(t.pk for t in [*result.see_also, *result.co_occurring])
    return result


def _shows_topic(topic: Topic, *, articles=(), sections: Iterable[ListedSection] = (),
                 passages=()) -> None:
    """A page of ``topic`` showing these: what it tags, the articles it names, the topics
    of the sections (ListedSections) and passages it shows."""
    dependencies.shows(dependencies.topic(topic.pk), dependencies.tagged(topic.pk))
    dependencies.shows_titles([*(a.pk for a in articles), *(s.article.pk for s in sections),
                               *(p.article_id for p in passages)])
    dependencies.shows_topics([*(t.pk for s in sections for t in s.topics),
                               *(t.pk for p in passages for t in p.topics.all())])


def codebook_outline() -> dict[int, Topic]:
    """Every topic by id, with the few columns a page needs to place it in the codebook."""
    return {t.pk: t for t in Topic.objects.only("pk", "parent_id", "name", "name_en", "slug",
                                                "colour").order_by("name", "pk")}


def topic_family(topic: Topic) -> dict[str, list[Topic]]:
    """``path`` (the topic's ancestors, top first) and ``children`` (by name), in one query
    whatever the depth: the codebook's outline (a few columns of every topic) is small."""
    outline = codebook_outline()
    path, seen, parent_id = [], {topic.pk}, topic.parent_id
    while parent_id in outline and parent_id not in seen:
        seen.add(parent_id)
        path.insert(0, outline[parent_id])
        parent_id = outline[parent_id].parent_id
    children = [t for t in outline.values() if t.parent_id == topic.pk]
    dependencies.shows_topics(t.pk for t in [*path, *children])
    return {"path": path, "children": children}


def topic_articles(slug: str, *, page: int | str = 1) -> TopicListPage:
    """One page (``TOPIC_ARTICLES_PER_PAGE``) of every article a topic's sections are in,
    oldest first, each with its count and the topic page's page where its sections start.
    Raises as ``topic_page``."""
    topic = get_object_or_404(Topic, slug=slug)
    rows, _ = _topic_articles(topic)
    items = Paginator(rows, TOPIC_ARTICLES_PER_PAGE).page(page)
    items.object_list = _articles_of(list(items.object_list))
    _shows_topic(topic, articles=items.object_list)
    return TopicListPage(topic=topic, items=items)


def topic_passages(slug: str, *, page: int | str = 1, article_slug: str = "") -> TopicListPage:
    """One page (``TOPIC_PASSAGES_PER_PAGE``) of the passages tagged with a topic, in the
    order of the topic page; with ``article_slug``, only those made in that article (a cell
    of the topic matrix). Raises as ``topic_page``, and Http404 for an unknown article."""
    topic = get_object_or_404(Topic, slug=slug)
    passages = Passage.objects.tagged_with(topic)
    article = None
    if article_slug:
        article = get_object_or_404(Article, slug=article_slug)
        passages = passages.filter(article=article)
    items = Paginator(passages.with_details().in_reading_order(), TOPIC_PASSAGES_PER_PAGE).page(page)
    items.object_list = list(items.object_list)
    _shows_topic(topic, articles=[article] if article else [], passages=items.object_list)
    return TopicListPage(topic=topic, items=items, article=article)


def topic_index() -> list[Topic]:
    """The codebook as a tree: top topics, each with ``subtopics`` (a list, likewise), in
    one query. Listed: topics that tag something, that an editor has described, or that
    have such a topic below them. An analyst's free tag whose last passage was deleted is
    left out rather than listed empty forever."""
    topics = {t.pk: t for t in Topic.objects.with_counts()
              .annotate(passage_count=Count("tagged_passages", distinct=True)).order_by("name")}
    shown: set[int] = set()
    for topic in topics.values():
        topic.subtopics = []
        if topic.section_count or topic.passage_count or topic.description:
            pk = topic.pk
            while pk in topics and pk not in shown:
                shown.add(pk)
                pk = topics[pk].parent_id
    top = []
    for topic in topics.values():
        if topic.pk in shown:
            parent = topics.get(topic.parent_id)
            (parent.subtopics if parent is not None and parent.pk in shown else top).append(topic)
    return top


# A slug that is safe as part of a CSS class name without escaping.
_CSS_SAFE_SLUG = re.compile(r"[\w-]+")


def topic_colours() -> list[tuple[str, str]]:
    """(slug, colour) of every topic whose slug can name a CSS class; colours are validated
    ``#rrggbb`` values on save, and checked again here since they go into a stylesheet."""
    return [(slug, colour) for slug, colour in
            Topic.objects.order_by("slug").values_list("slug", "colour")
            if _CSS_SAFE_SLUG.fullmatch(slug) and HEX_COLOUR.fullmatch(colour)]


def backlinks(*, article: Article | None = None, topic: Topic | None = None) -> list[Section]:
    """Sections whose wiki links point at ``article`` or ``topic`` ("what links here")."""
    target = {"outgoing_links__target_article": article} if article else {
        "outgoing_links__target_topic": topic}
    sections = list(
        Section.objects.filter(**target).select_related("article").distinct()
        .order_by("article__title", "article_id", "position", "id")
    )
    # Which sections link here is the target's own (its key is bumped by their links); the
    # sections' headings are their articles'.
    dependencies.shows(*(dependencies.article(s.article_id) for s in sections))
    return sections


def unique_slug(title: str) -> str:
    """A free article slug made from ``title`` (Japanese kept): 題名, 題名-2, …"""
    base = slugify(title, allow_unicode=True)[:190] or "article"
    taken = set(Article.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug
def topic_redirect(slug: str) -> Topic | None:
    """The topic an old slug (renamed or merged away) now leads to."""
    redirect = TopicRedirect.objects.select_related("topic").filter(old_slug=slug).first()
    return redirect.topic if redirect else None


def topic_by_slug(slug: str) -> Topic | None:
    """The topic of a slug, or of an old slug it was renamed or merged from."""
    return Topic.objects.filter(slug=slug).first() or topic_redirect(slug)


# Writers separate the words of a tag as they please: "sino-russian tech", "Sino_Russian",
# "中ロ・技術協力", "中ロ 技術協力" all mean the same topic.
_TAG_SEPARATORS = re.compile(r"[\s\-_\u00b7\u2010-\u2015]+")


def topic_key(text: str) -> str:
    """How a typed tag is compared with topics: normalised as search does (NFKC width
    and case folding, no katakana middle dots), without spaces, hyphens, underscores and
    middle dots."""
    return _TAG_SEPARATORS.sub("", normalise(text))


def find_topic(name: str) -> Topic | None:
    """The existing topic a typed tag means: by slug, label or alias as typed, else by
    ``topic_key`` (slug first, then the Japanese label, the English one, an alias)."""
    topic = (
        Topic.objects.filter(slug=name).first()
        or Topic.objects.filter(name__iexact=name).first()
        or Topic.objects.filter(aliases__name__iexact=name).first()
    )
    key = topic_key(name)
    if topic or not key:
        return topic
    # Only a tag that matched nothing as typed pays for reading every label.
    found = [(rank, pk) for pk, *labels in Topic.objects.values_list("pk", "slug", "name", "name_en")
             for rank, label in enumerate(labels) if label and topic_key(label) == key]
    found += [(3, pk) for pk, alias in TopicAlias.objects.values_list("topic_id", "name")
              if topic_key(alias) == key]
    return Topic.objects.get(pk=min(found)[1]) if found else None


def rendered_body(body: str) -> str:
    """``body`` (Markdown) as a section saved with it shows it: the same normalising,
    wiki-link resolution and sanitiser as Section.save, for the editor's live preview."""
    return render_with_links(normalise_source(body), resolve_links)[0]
