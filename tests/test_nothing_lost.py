"""Nothing lost, at any hour: random sequences of article and section edits, new passages,
topic renames and merges, backup round trips and corpus reloads, run through the services,
checked after every step against what each successful call acknowledged.

After every step:
- every acknowledged article edit and passage is in the database as acknowledged;
- every passage is anchored, moved, fuzzy or orphaned, its quote is at its span when
  anchored or moved, and it is found whenever its quote is still in its section's text;
- the search index is what a rebuild from the database makes;
- every cached page is what a fresh render shows.

CI runs a fixed, derandomised set of examples; ``HYPOTHESIS_PROFILE=long`` runs many more,
randomly (``pytest tests/test_nothing_lost.py`` with it set).
"""

import itertools
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from kb.editorial import revisions
from kb.editorial import services as editorial_services
from kb.editorial.corpus import FIXTURES_DIR, load_corpus
from kb.exchange import backup
from kb.library import services as library_services
from kb.models import Article, ContentChange, Passage, SearchEntry, Section, Topic
from kb.passages import services as passage_services
from kb.search import backends
from kb.search import index as search_index
from kb.text import normalise_source

COMMON = settings(
    deadline=None,
    # Deterministic (no randomness, no example database): CI runs the same sequences.
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    print_blob=True,
)
PROFILES = {
    # No shrinking in CI: each step costs tens of milliseconds and shrinking can take
    # minutes; ten steps at most are short enough to read as they are.
    "ci": settings(COMMON, max_examples=10, stateful_step_count=10,
                   phases=[Phase.explicit, Phase.generate]),
    "long": settings(COMMON, max_examples=300, stateful_step_count=30, derandomize=False),
}

# A small corpus cut from the shipped one (its texts, topics and passages): the whole of it
# costs a second a reload, and a page per topic each step, which would leave room for few steps.
MINI_CORPUS = {
    "digital-silk-road-fudan-book-review": ["s01-startups", "s03-challenges"],
    "nakasone-digital-finance-study-group-2020-1": ["t04-okano-outlook"],
}
MINI_TOPICS = {"digital-silk-road", "platformers", "fintech", "credit-scoring"}

# Text an edit may insert: Japanese, Latin, Markdown and wiki-link characters.
TEXT = st.text(alphabet="中国のデジタル人民元決済 abcAI5G*_#-[]\n", max_size=24)


@pytest.fixture
def mini_corpus(tmp_path) -> Path:
    directory = tmp_path / "fixtures"
    (directory / "corpus").mkdir(parents=True)
    for path in sorted((FIXTURES_DIR / "corpus").glob("*.json")):
        item = json.loads(path.read_text(encoding="utf-8"))
        if item["slug"] not in MINI_CORPUS:
            continue
        item["sections"] = [{**s, "topics": [t for t in s["topics"] if t in MINI_TOPICS]}
                            for s in item["sections"] if s["anchor"] in MINI_CORPUS[item["slug"]]]
        item.pop("source_file", None)
        (directory / "corpus" / path.name).write_text(json.dumps(item, ensure_ascii=False),
                                                      encoding="utf-8")
    passages = [{**p, "topics": [t for t in p["topics"] if t in MINI_TOPICS]}
                for p in json.loads((FIXTURES_DIR / "passages.json").read_text(encoding="utf-8"))
                if p["section"] in MINI_CORPUS.get(p["article"], ())]
    topics = [{**t, "see_also": [s for s in t["see_also"] if s in MINI_TOPICS]}
              for t in json.loads((FIXTURES_DIR / "topics.json").read_text(encoding="utf-8"))
              if t["slug"] in MINI_TOPICS]
    (directory / "passages.json").write_text(json.dumps(passages, ensure_ascii=False), encoding="utf-8")
    (directory / "topics.json").write_text(json.dumps(topics, ensure_ascii=False), encoding="utf-8")
    return directory


@dataclass
class SectionModel:
    anchor: str
    heading: str
    body: str
    topics: set[str]


@dataclass
class ArticleModel:
    title: str
    sections: list[SectionModel]


@dataclass
class PassageModel:
    article: str  # slug
    section: str | None  # anchor; None once the section is deleted
    analyst: str
    exact: str
    note: str
    topics: set[str] = field(default_factory=set)

    def key(self) -> tuple:
        return (self.article, self.section or "", self.analyst, self.exact, self.note,
                tuple(sorted(self.topics)))


def _article_model(article: Article) -> ArticleModel:
    return ArticleModel(title=article.title, sections=[
        SectionModel(s.anchor, s.heading, s.body, {t.slug for t in s.topics.all()})
        for s in article.sections.order_by("position", "id")
    ])


def _passage_model(p: Passage) -> PassageModel:
    return PassageModel(p.article.slug, p.section.anchor if p.section else None,
                        p.analyst.username, p.exact, p.note, {t.slug for t in p.topics.all()})


# Per-request details a cached page fills in afresh (the CSRF token) or that differ
# between a reader's client and another's.
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _index_state() -> dict[tuple, list]:
    """Every search entry by what it indexes, with its filter columns and stored tokens."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT id, vector::text, head::text FROM kb_searchentry")
            tokens = {row[0]: row[1:] for row in cursor.fetchall()}
        else:
            tokens = {}
            for table in (backends.FTS_TABLE, backends.HEAD_FTS_TABLE, backends.SIDE_FTS_TABLE):
                cursor.execute(f"SELECT rowid, * FROM {table}")
                for row in cursor.fetchall():
                    tokens.setdefault(row[0], []).append((table, *row[1:]))
    state: dict[tuple, list] = {}
    for e in SearchEntry.objects.order_by("pk"):
        key = (e.doc_type, e.section_id, e.passage_id, e.article_id if e.doc_type == "article"
               else None, e.topic_id)
        state.setdefault(key, []).append((
            e.article_id, e.kind, e.publisher, e.published_on, sorted(e.topic_ids), e.label_key,
            tuple(sorted(tokens.get(e.pk, ()))),
        ))
    return state


class NothingLost(RuleBasedStateMachine):
    """The model holds what the services acknowledged: articles by slug, passages."""

    corpus_dir: Path
    analyst = None

    def __init__(self) -> None:
        super().__init__()
        # Each example starts from the same empty database: its writes roll back at teardown.
        self.savepoint = transaction.savepoint()
        cache.clear()
        self.articles: dict[str, ArticleModel] = {}
        self.passages: list[PassageModel] = []
        self.numbers = itertools.count(1)
        self.last_written = ""  # the anchor of the section last edited or tagged
        self.reader = Client()
        # A session cookie makes the page personal: rendered afresh, never from the cache.
        self.fresh = Client()
        self.fresh.cookies[django_settings.SESSION_COOKIE_NAME] = "no-such-session"

    def teardown(self) -> None:
        transaction.savepoint_rollback(self.savepoint)
        cache.clear()

    def token(self, prefix: str) -> str:
        """A word no text holds yet, so that each write can be told apart."""
        return f"{prefix}{next(self.numbers)}"

    # Writes

    @initialize()
    def load(self) -> None:
        self.reload_corpus()

    @rule()
    def reload_corpus(self) -> None:
        report = load_corpus(self.corpus_dir)
        for slug in report.articles_created:
            article = Article.objects.get(slug=slug)
            self.articles[slug] = _article_model(article)
            self.passages += [_passage_model(p) for p in Passage.objects.filter(article=article)]

    @precondition(lambda self: self.articles)
    @rule(data=st.data())
    def edit_article(self, data) -> None:
        slug = data.draw(st.sampled_from(sorted(self.articles)), label="article")
        model = self.articles[slug]
        sections = [SectionModel(s.anchor, s.heading, s.body, set(s.topics)) for s in model.sections]
        title, new_slug = model.title, slug
        change = data.draw(st.sampled_from(
            ["title", "slug", "body", "add", "delete", "reorder"]), label="change")
        if change == "title":
            title = self.token("題")
        elif change == "slug":
            new_slug = self.token("slug-")
        elif change == "body" and sections:
            i = data.draw(st.integers(0, len(sections) - 1), label="section")
            sections[i].body = _edit(data, sections[i].body, self.token("語"))
        elif change == "add":
            i = data.draw(st.integers(0, len(sections)), label="at")
            sections.insert(i, SectionModel("", self.token("見出し"),
                                            self.token("本文") + data.draw(TEXT), set()))
        elif change == "delete" and sections:
            del sections[data.draw(st.integers(0, len(sections) - 1), label="section")]
        elif change == "reorder":
            sections.reverse()
        article = Article.objects.get(slug=slug)
        loaded = article.version
        payload = editorial_services.ArticleData(
            title=title, slug=new_slug, kind=article.kind, publisher=article.publisher,
            authors=[article.authors] if article.authors else [],
            published_on=article.published_on, source_url=article.source_url,
            language=article.language, summary=article.summary,
            sections=[editorial_services.SectionData(heading=s.heading, body=s.body,
                                           topics=sorted(s.topics), anchor=s.anchor or None)
                      for s in sections],
        )
        try:
            saved = editorial_services.update_article(article=article, loaded_version=loaded, data=payload,
                                            user=None)
        except ValidationError:
            return  # refused: nothing acknowledged, and the invariants check nothing changed
        # What was sent is what must stay; only new sections' anchors are the service's.
        anchors = list(saved.sections.order_by("position", "id").values_list("anchor", flat=True))
        for s, anchor in zip(sections, anchors, strict=True):
            s.anchor, s.body = s.anchor or anchor, normalise_source(s.body)
        kept = {s.anchor for s in sections}
        for p in self.passages:
            if p.article == slug:
                p.article = new_slug
                if p.section not in kept:
                    p.section = None
        del self.articles[slug]
        self.articles[new_slug] = ArticleModel(title, sections)

    @precondition(lambda self: any(a.sections for a in self.articles.values()))
    @rule(data=st.data())
    def edit_section(self, data) -> None:
        """A section edited on its own, as the admin's section form does."""
        slug, model = self.draw_section(data)
        section = Section.objects.get(article__slug=slug, anchor=model.anchor)
        body = _edit(data, model.body, self.token("語"))
        with transaction.atomic():
            section = revisions.lock_section_for_edit(section_id=section.pk,
                                                      loaded_version=section.version)
            section.body = body
            passage_services.save_section(section=section, edited=True)
        model.body = normalise_source(body)

    @precondition(lambda self: any(a.sections for a in self.articles.values()))
    @rule(data=st.data())
    def create_passage(self, data) -> None:
        slug, model = self.draw_section(data)
        section = Section.objects.get(article__slug=slug, anchor=model.anchor)
        text = section.plain_text
        if not text:
            return
        start = data.draw(st.integers(0, len(text) - 1), label="start")
        end = data.draw(st.integers(start + 1, min(len(text), start + 40)), label="end")
        topics = data.draw(st.lists(st.sampled_from(
            sorted(Topic.objects.values_list("slug", flat=True)) + ["自由タグ"]),
            min_size=1, max_size=3), label="topics")
        note = self.token("メモ")
        try:
            passage = passage_services.create_passage(section=section, analyst=self.analyst,
                                              exact=text[start:end], start=start,
                                              topics=topics, note=note)
        except ValidationError:
            return  # a blank selection: refused
        self.passages.append(PassageModel(slug, section.anchor, self.analyst.username,
                                          text[start:end], note,
                                          {t.slug for t in passage.topics.all()}))

    @precondition(lambda self: Topic.objects.exists())
    @rule(data=st.data(), keep_slug=st.booleans())
    def rename_topic(self, data, keep_slug) -> None:
        topic = Topic.objects.get(slug=data.draw(st.sampled_from(
            sorted(Topic.objects.values_list("slug", flat=True))), label="topic"))
        old = topic.slug
        name = self.token("改名")
        renamed = library_services.rename_topic(topic=topic, name=name, slug=old if keep_slug else "")
        self._retag(old, renamed.slug)

    @precondition(lambda self: Topic.objects.count() > 1)
    @rule(data=st.data())
    def merge_topics(self, data) -> None:
        slugs = sorted(Topic.objects.values_list("slug", flat=True))
        source = data.draw(st.sampled_from(slugs), label="source")
        target = data.draw(st.sampled_from([s for s in slugs if s != source]), label="target")
        library_services.merge_topics(source=Topic.objects.get(slug=source),
                              target=Topic.objects.get(slug=target))
        self._retag(source, target)

    def _retag(self, old: str, new: str) -> None:
        for tagged in [*(s for a in self.articles.values() for s in a.sections), *self.passages]:
            if old in tagged.topics:
                tagged.topics = (tagged.topics - {old}) | {new}

    # Named to sort late: hypothesis draws rules in name order, favouring the first ones,
    # and a restore is the slowest step; passages and edits should come most often.
    @rule()
    def restore_backup(self) -> None:
        """Export, then restore the file over the site (what an operator does to move it)."""
        data = json.loads(json.dumps(backup.export_data(), ensure_ascii=False))
        backup.restore(data=data, replace=True)

    def draw_section(self, data) -> tuple[str, SectionModel]:
        """An article's section, the last one written first: hypothesis tries early choices
        more often, and bugs hide in sequences of writes to the same section."""
        sections = [(slug, s.anchor) for slug, a in sorted(self.articles.items()) for s in a.sections]
        sections.sort(key=lambda item: item[1] != self.last_written)
        slug, anchor = data.draw(st.sampled_from(sections), label="section")
        self.last_written = anchor
        return slug, next(s for s in self.articles[slug].sections if s.anchor == anchor)


    # Invariants

    @invariant()
    def acknowledged_articles_are_there(self) -> None:
        stored = {a.slug: _article_model(a) for a in Article.objects.prefetch_related("sections")}
        assert stored.keys() == self.articles.keys()
        for slug, model in self.articles.items():
            assert stored[slug] == model, slug

    @invariant()
    def acknowledged_passages_are_there(self) -> None:
        stored = sorted(_passage_model(p).key() for p in Passage.objects.select_related(
            "article", "section", "analyst").prefetch_related("topics"))
        assert stored == sorted(p.key() for p in self.passages)

    @invariant()
    def passages_sit_on_their_quotes(self) -> None:
        for p in Passage.objects.select_related("section"):
            assert p.status in Passage.Status.values
            if p.section is None:
                assert p.status == Passage.Status.ORPHANED, p.exact
                continue
            text = p.section.plain_text
            assert 0 <= p.start < p.end, p.exact
            if p.status in (Passage.Status.ANCHORED, Passage.Status.MOVED):
                assert text[p.start:p.end] == p.exact, (p.status, p.exact)
            elif p.status == Passage.Status.FUZZY:
                assert p.end <= len(text), p.exact
            if p.exact in text:  # its words are still there: it must have found them
                assert p.status in (Passage.Status.ANCHORED, Passage.Status.MOVED), p.exact
            # The version the quote was taken on is one the section has had.
            assert p.section_version <= p.section.version, (p.exact, p.section_version,
                                                            p.section.version)

    @invariant()
    def search_index_is_a_rebuild_of_the_content(self) -> None:
        now = _index_state()
        # Rolled back with the rebuild, its new content generation goes too: cached pages
        # stay cached, so the next step still shows whether a write left one stale.
        savepoint = transaction.savepoint()
        try:
            search_index.rebuild()
            rebuilt = _index_state()
        finally:
            transaction.savepoint_rollback(savepoint)
        assert now == rebuilt

    @invariant()
    def cached_pages_are_fresh(self) -> None:
        urls = [reverse("kb:home"), reverse("kb:topics"), reverse("kb:search") + "?q=語"]
        urls += [reverse("kb:article", args=[slug]) for slug in sorted(self.articles)]
        urls += [reverse("kb:topic", args=[slug])
                 for slug in sorted(Topic.objects.values_list("slug", flat=True))]
        for url in urls:
            cached, hit = _get(self.reader, url)
            assert cached.status_code == 200, url
            if not hit:  # rendered just now
                continue
            fresh = self.fresh.get(url)
            assert _CSRF.sub("", cached.content.decode()) == _CSRF.sub("", fresh.content.decode()), url


def _get(client: Client, url: str) -> tuple:
    """The response, and whether it came from the page cache (a hit reads nothing but the
    content generation)."""
    queries = []
    with connection.execute_wrapper(lambda run, sql, *args: queries.append(sql) or run(sql, *args)):
        response = client.get(url)
    return response, all(ContentChange._meta.db_table in sql for sql in queries)


def _edit(data, body: str, word: str) -> str:
    """``body`` with a span replaced by ``word`` and some text, or ``word`` appended."""
    start = data.draw(st.integers(0, len(body)), label="from")
    end = data.draw(st.integers(start, min(len(body), start + 60)), label="to")
    return body[:start] + word + data.draw(TEXT, label="text") + body[end:]


@pytest.mark.django_db
def test_nothing_is_lost_whatever_the_sequence_of_writes(analyst, mini_corpus):
    NothingLost.corpus_dir = mini_corpus
    NothingLost.analyst = analyst
    profile = PROFILES[os.environ.get("HYPOTHESIS_PROFILE", "ci")]
    run_state_machine_as_test(NothingLost, settings=profile)
