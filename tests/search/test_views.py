"""What a reader sees on /search/ and what a tool gets from /api/search, and their cost."""

import re
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from kb.models import Topic


@pytest.fixture
def topics(db):
    from kb.search import index

    made = [
        Topic.objects.create(slug="ai-regulation", name="AI規制", name_en="AI regulation"),
        Topic.objects.create(slug="platformers", name="プラットフォーマー"),
    ]
    index.reindex_topics([t.pk for t in made])
    return made


@pytest.fixture
def library(topics, make_article):
    column = make_article(
        title="生成AIと規制の行方", kind="column", publisher="FSI", published_on=date(2023, 5, 1),
        sections=[
            ("AI規制の枠組み", "生成AIサービス管理暫定弁法は規制の**要**である。規制、規制。", ["ai-regulation"]),
            ("余談", "中国では規制の話もあるが、主にアリババの話。a < b", ["platformers"]),
        ],
    )
    report = make_article(
        title="プラットフォームの報告", kind="report", publisher="NRI", published_on=date(2021, 4, 5),
        sections=[("アリババ", "アリババとテンセントの戦略。規制強化。", ["platformers"])],
    )
    return column, report


def get(client, **params):
    return client.get(reverse("kb:search"), params)


def page(client, **params) -> str:
    """The results page's HTML with the highlighting taken out."""
    return re.sub("</?mark>", "", get(client, **params).content.decode())


def test_every_page_has_a_search_box(client, library):
    for url in [reverse("kb:home"), reverse("kb:topics"), library[0].get_absolute_url()]:
        html = client.get(url).content.decode()
        assert f'action="{reverse("kb:search")}"' in html and 'name="q"' in html


def test_results_show_article_heading_highlighted_snippet_chips_and_anchor_link(client, library):
    column, _ = library
    section = column.sections.get(heading="AI規制の枠組み")
    html = get(client, q="生成AI").content.decode()
    assert "生成AIと規制の行方" in html
    assert "AI規制の枠組み" in html
    assert "<mark>生成AI</mark>サービス管理暫定弁法" in html
    assert f'href="{column.get_absolute_url()}#{section.anchor}"' in html
    assert 'href="/topics/ai-regulation/"' in html


def test_heading_and_density_rank_above_a_passing_mention(client, library):
    html = page(client, q="規制")
    assert html.index("AI規制の枠組み") < html.index("余談")
    assert re.search(r'<p class="count">[^<]*3', html)


def test_snippets_escape_the_text(client, library):
    html = get(client, q="アリババ").content.decode()
    assert "a &lt; b" in html and "a < b" not in html


def test_several_terms_must_all_match_and_quotes_keep_a_phrase(client, library):
    html = page(client, q="アリババ テンセント")
    assert "アリババとテンセント" in html and "余談" not in html
    assert "余談" in page(client, q="中国 アリババ")
    assert "余談" not in page(client, q='"中国 アリババ"')


def test_filters_narrow_and_facets_count(client, library):
    html = page(client, q="規制", kind="report")
    assert "プラットフォームの報告" in html and "AI規制の枠組み" not in html
    # The kind facet still counts the other kinds under the other filters.
    assert 'kind=column' in html
    html = page(client, q="規制", date_from="2022-01-01")
    assert "AI規制の枠組み" in html and "規制強化" not in html
    html = page(client, q="規制", topic="platformers")
    assert "余談" in html and "AI規制の枠組み" not in html
    html = page(client, q="規制", publisher="NRI")
    assert "規制強化" in html and "余談" not in html
    # Part of a publisher's name, in any width or case, is enough.
    html = page(client, q="規制", publisher="ｎｒ")
    assert "規制強化" in html and "余談" not in html


def test_a_bad_date_is_a_clear_error(client, library):
    response = get(client, q="規制", date_from="2023-13-45")
    assert response.status_code == 400
    html = response.content.decode()
    assert "日付を正しく入力してください" in html and "開始日" in html
    response = get(client, q="規制", date_from="2024-01-01", date_to="2020-01-01")
    assert response.status_code == 400


def test_pagination(client, make_article):
    make_article(sections=[(f"節{i}", "共通の語句。", []) for i in range(25)])
    first = get(client, q="共通").content.decode()
    second = get(client, q="共通", page=2).content.decode()
    assert first.count('class="hit"') == 20 and second.count('class="hit"') == 5
    assert 'rel="next"' in first and "page=2" in first


def test_empty_result_suggests_near_matches_and_terms_alone(client, library):
    html = get(client, q="アリババ 量子").content.decode()
    assert "アリババ" in html and "量子" in html
    assert 'href="?q=%E3%82%A2%E3%83%AA%E3%83%90%E3%83%90"' in html  # アリババ alone
    html = get(client, q="規制強化策").content.decode()
    assert "?q=" in html  # near matches sharing its characters


def test_api_returns_the_same_ranked_results(client, library):
    data = client.get(reverse("kb:api-search"), {"q": "規制"}).json()
    html = page(client, q="規制")
    headings = [r["heading"] for r in data["results"]]
    assert headings == sorted(headings, key=html.index)
    first = data["results"][0]
    assert first["type"] == "section" and first["heading"] == "AI規制の枠組み"
    assert first["article_slug"] == library[0].slug and first["section_anchor"]
    assert first["score"] >= data["results"][-1]["score"]
    assert "<mark>規制</mark>" in first["snippet"]
    assert data["total"] == 3
    assert client.get(reverse("kb:api-search"), {"q": "x", "page": "0"}).status_code == 400


def _grow(make_article, n):
    for i in range(n):
        make_article(sections=[(f"規制{i}", "規制の本文。アリババ。", ["platformers"]) for _ in range(3)])


@pytest.mark.parametrize("extra", [0, 8])
def test_query_count_does_not_grow_with_the_corpus(client, library, make_article, extra,
                                                   django_assert_num_queries):
    _grow(make_article, extra)
    # the page cache's content generation, alias lookup, sections and passages matched (counted by group; SQLite: the best chosen, their tokens read; PostgreSQL: the best scored), articles and topics matched, topics (the facet's, the
    # hits' chips and those beside), sections, article hits, the topics' aliases; on
    # PostgreSQL the matches first set the planner to use the indexes, and in a caller's
    # transaction (here the test's) reset it after.
    with django_assert_num_queries(10 if connection.vendor == "sqlite" else 11):
        response = get(client, q="規制")
    assert response.status_code == 200


def test_each_facet_counts_under_every_other_filter(make_article):
    from kb.search.engine import SearchFilters, search

    for kind, publisher in [("report", "NRI"), ("column", "NRI"), ("report", "他社"), ("column", "他社")]:
        make_article(title=f"{kind}-{publisher}", kind=kind, publisher=publisher,
                     published_on="2024-05-01", sections=[("節", "規制の話。", [])])
    results = search("規制", filters=SearchFilters(kind="report", publisher="NRI"))
    assert results.total == 1
    counts = {name: {v.value: v.count for v in values} for name, values in results.facets.items()}
    # Kinds among NRI's entries, publishers among the reports; the column by 他社 fails
    # both filters and counts nowhere.
    assert counts["kind"] == {"report": 1, "column": 1}
    assert counts["publisher"] == {"NRI": 1, "他社": 1}
    assert counts["year"] == {"2024": 1}


def _planner_settings() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan'), "
                       "current_setting('max_parallel_workers_per_gather')")
        return list(cursor.fetchone())


@pytest.mark.parametrize("query", ["規制", "規制 火星"])  # found; nothing found (near matches)
def test_search_leaves_the_callers_planner_settings_as_they_were(make_article, query):
    from kb.search.engine import search

    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL's match changes planner settings")
    make_article(sections=[("節", "規制の話。", [])])
    before = _planner_settings()
    search(query)
    assert _planner_settings() == before == ["on", "on", before[2]]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_planner_settings_end_with_the_search(make_article):
    from kb.search.engine import search

    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL's match changes planner settings")
    make_article(sections=[("節", "規制の話。", [])])
    before = _planner_settings()
    assert search("規制").total == 1 and not connection.in_atomic_block
    assert _planner_settings() == before


def test_a_renamed_topic_keeps_its_old_name_and_slug_for_search(client, library):
    """After a rename, searching the old label still finds the topic's sections (their
    text does not hold it: only the tag does), and a link filtering by the old slug still
    filters by the topic."""
    from kb.library import services as library_services

    def headings(**params):
        return sorted(r["heading"] for r in client.get(reverse("kb:api-search"), params).json()["results"])

    assert headings(q="プラットフォーマー") == ["アリババ", "余談"]
    topic = Topic.objects.get(slug="platformers")
    topic.name_en = "Platformers"
    library_services.rename_topic(topic=topic, name="巨大IT企業", slug="big-tech")
    assert {a.name for a in topic.aliases.all()} == {"プラットフォーマー"}
    topic.name_en = "Big Tech"
    library_services.rename_topic(topic=topic, name=topic.name, slug=topic.slug)
    assert {a.name for a in topic.aliases.all()} == {"プラットフォーマー", "Platformers"}

    assert headings(q="プラットフォーマー") == ["アリババ", "余談"]
    assert headings(q="platformers") == ["アリババ", "余談"]
    assert headings(q="規制", topic="platformers") == ["アリババ", "余談"]
    html = page(client, q="規制", topic="platformers")
    assert "余談" in html and "AI規制の枠組み" not in html


def test_an_unknown_topic_filter_is_a_clear_error(client, library):
    response = get(client, q="規制", topic="no-such-topic")
    assert response.status_code == 400
    assert "トピック「no-such-topic」はありません" in response.content.decode()
    response = client.get(reverse("kb:api-search"), {"q": "規制", "topic": "no-such-topic"})
    assert response.status_code == 400
    assert "no-such-topic" in response.json()["errors"]["topic"][0]["message"]
