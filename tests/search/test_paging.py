"""Totals and facet counts are exact, and paging reaches every match exactly once: the
ranked best first, then the other matches a page at a time, under any filter."""

from datetime import date

import pytest

from kb.models import Section, Topic, TopicAlias
from kb.search import index
from kb.search.backends import get_backend
from kb.search.engine import SearchFilters, search


def paged(q: str, *, per_page: int = 4, filters: SearchFilters | None = None) -> list[int]:
    """The sections every page shows, in order, until a page comes back empty or repeats."""
    filters = filters or SearchFilters()
    shown, page = [], 1
    while True:
        results = search(q, filters=filters, page=page, per_page=per_page)
        if results.page.number != page or not results.hits:
            return shown
        shown += [hit.section.pk for hit in results.hits]
        page += 1


@pytest.fixture
def small_cap(monkeypatch):
    """Room to rank only three: most matches are read a page at a time."""
    monkeypatch.setattr(type(get_backend()), "cap", 3)


@pytest.fixture
def mixed(make_article):
    """Thirteen sections naming 決済 in two kinds, three years, with and without a topic."""
    Topic.objects.create(slug="payments", name="支払い手段")
    for n, (kind, year) in enumerate([("report", 2021), ("column", 2022), ("report", 2023)]):
        make_article(title=f"報告{n}", kind=kind, publisher=f"発行{n}", published_on=date(year, 4, 1),
                     sections=[(f"節{n}-{i}", "決済の話。" * (i + 1), ["payments"] if i % 2 else [])
                               for i in range(4 + n % 2)])
    make_article(title="無関係", sections=[("他", "関係のない話。", [])])
    return set(Section.objects.filter(plain_text__contains="決済").values_list("pk", flat=True))


@pytest.mark.usefixtures("small_cap")
def test_paging_reaches_every_match_exactly_once_past_the_ranked_best(mixed):
    results = search("決済", per_page=4)
    assert results.total == len(mixed) == 13 and not results.capped
    shown = paged("決済")
    assert len(shown) == len(set(shown)) == 13 and set(shown) == mixed
    # The three best (ranked, with their scores) first, then the others in storage order.
    scores = [hit.score for hit in search("決済", per_page=13).hits]
    assert min(scores[:3]) > 0 and scores[3:] == [0] * 10
    assert shown[3:] == sorted(shown[3:])


@pytest.mark.usefixtures("small_cap")
@pytest.mark.parametrize("filters", [
    SearchFilters(kind="report"),
    SearchFilters(topic="payments"),
    SearchFilters(publisher="発行1"),
    SearchFilters(date_from=date(2022, 1, 1), date_to=date(2023, 12, 31), topic="payments"),
    SearchFilters(title="報告2", kind="report"),
])
def test_under_a_filter_the_total_is_what_paging_reaches(mixed, filters):
    truth = {
        s.pk for s in Section.objects.filter(pk__in=mixed).select_related("article").prefetch_related("topics")
        if (not filters.kind or s.article.kind == filters.kind)
        and (not filters.topic or filters.topic in {t.slug for t in s.topics.all()})
        and (not filters.publisher or filters.publisher in s.article.publisher)
        and (not filters.date_from or filters.date_from <= s.article.published_on <= filters.date_to)
        and (not filters.title or filters.title in s.article.title)
    }
    assert truth
    assert search("決済", filters=filters).total == len(truth)
    shown = paged("決済", filters=filters)
    assert len(shown) == len(set(shown)) and set(shown) == truth


@pytest.mark.usefixtures("small_cap")
def test_facets_count_every_match_not_only_the_ranked(mixed):
    counts = {name: {v.value: v.count for v in values}
              for name, values in search("決済", filters=SearchFilters(kind="report")).facets.items()}
    assert counts["kind"] == {"report": 8, "column": 5}  # the kind facet ignores its own filter
    assert counts["year"] == {"2021": 4, "2023": 4}
    assert counts["topic"] == {"payments": 4}


def test_past_ranking_every_match_paging_still_reaches_each_once(mixed, monkeypatch):
    monkeypatch.setattr(type(get_backend()), "cap", 2)
    monkeypatch.setattr(type(get_backend()), "rank_all", 2)
    shown = paged("決済", per_page=3)
    assert len(shown) == len(set(shown)) and set(shown) == mixed


@pytest.mark.usefixtures("small_cap")
def test_what_only_an_alias_finds_comes_after_every_exact_match(make_article):
    topic = Topic.objects.create(slug="huawei", name="ファーウェイ")
    TopicAlias.objects.create(topic=topic, name="華為")
    index.reindex_topics([topic.pk])
    make_article(sections=[(f"節{i}", "ファーウェイの話。", []) for i in range(5)])
    make_article(sections=[("別名", "華為の5G。華為の端末。", [])])
    shown = paged("ファーウェイ", per_page=2)
    assert len(shown) == len(set(shown)) == 6 == search("ファーウェイ").total
    assert Section.objects.get(pk=shown[-1]).heading == "別名"


def test_a_page_deep_past_the_ranked_best_costs_what_the_first_costs(make_article, monkeypatch,
                                                                     client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(type(get_backend()), "cap", 3)
    make_article(sections=[(f"節{i}", "決済の話。", []) for i in range(45)])
    counted = []
    for page in (1, 2, 3):
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/search/", {"q": "決済", "page": page}).content.decode()
        assert html.count('class="hit"') == (20 if page < 3 else 5)
        counted.append(len(queries))
    # Each page past the three ranked reads its rows of the others in one query.
    assert counted[0] == counted[1] == counted[2]
