"""The article list (/articles/): facets, sorting, pagination, what it costs; and the head
tags (canonical, description, OpenGraph) of article and topic pages."""

import datetime as dt

import pytest
from django.urls import reverse

from kb.editorial import services as editorial_services
from kb.library import catalogue
from kb.library.models import Article, Topic, title_sort_key

LIST = reverse("kb:articles")


@pytest.fixture
def shelf(make_article):
    """Five articles: two publishers, three years, two kinds, two topics."""
    return [
        make_article(title="アリババの戦略", publisher="JETRO", kind="report",
                     published_on=dt.date(2023, 4, 1),
                     sections=[("一", "本文", ["platformers"])]),
        make_article(title="ありがとう経済", publisher="JETRO", kind="column",
                     published_on=dt.date(2024, 5, 1),
                     sections=[("一", "本文", ["platformers", "fintech"])]),
        make_article(title="ＡＩと中国", publisher="FSI", kind="report",
                     published_on=dt.date(2024, 6, 1),
                     sections=[("一", "本文", ["fintech"])]),
        make_article(title="bigdata", publisher="FSI", kind="report",
                     published_on=dt.date(2025, 1, 1), sections=[("一", "本文", [])]),
        make_article(title="中国の半導体", publisher="", kind="column", published_on=None,
                     sections=[("一", "本文", [])]),
    ]


def _titles(response) -> list[str]:
    return [a.title for a in response.context["page"].items.object_list]


def _facet(response, title: str) -> dict[str, tuple[int, bool]]:
    values = dict(response.context["facets"])[title]
    return {str(v["label"]): (v["count"], v["selected"]) for v in values}


def test_the_list_shows_every_article_newest_first_and_is_linked_from_the_header(client, shelf):
    response = client.get(LIST)
    html = response.content.decode()
    assert _titles(response) == ["bigdata", "ＡＩと中国", "ありがとう経済", "アリババの戦略",
                                 "中国の半導体"]
    assert "5 記事" in html
    assert f'<a href="{LIST}">' in client.get(reverse("kb:home")).content.decode()


def test_facets_count_articles_and_filter_by_publisher_year_kind_and_topic(client, shelf):
    response = client.get(LIST, HTTP_ACCEPT_LANGUAGE="en")
    assert _facet(response, "Publisher") == {"JETRO": (2, False), "FSI": (2, False)}
    assert _facet(response, "Year") == {"2025": (1, False), "2024": (2, False), "2023": (1, False)}
    assert _facet(response, "Kind") == {"Report": (3, False), "Column": (2, False)}
    assert _facet(response, "Topic") == {"platformers": (2, False), "fintech": (2, False)}

    response = client.get(LIST, {"publisher": "JETRO"}, HTTP_ACCEPT_LANGUAGE="en")
    assert sorted(_titles(response)) == ["ありがとう経済", "アリババの戦略"]
    # A facet's own counts ignore its choice, so another value can be picked; the others narrow.
    assert _facet(response, "Publisher") == {"JETRO": (2, True), "FSI": (2, False)}
    assert _facet(response, "Year") == {"2024": (1, False), "2023": (1, False)}
    assert _facet(response, "Topic") == {"platformers": (2, False), "fintech": (1, False)}

    assert _titles(client.get(LIST, {"year": 2024})) == ["ＡＩと中国", "ありがとう経済"]
    assert _titles(client.get(LIST, {"kind": "column"})) == ["ありがとう経済", "中国の半導体"]
    assert _titles(client.get(LIST, {"topic": "fintech", "kind": "report"})) == ["ＡＩと中国"]
    chosen = client.get(LIST, {"topic": "fintech", "year": 2024})
    assert _titles(chosen) == ["ＡＩと中国", "ありがとう経済"]
    # The chosen value's link leaves it; the others keep the rest of the query.
    _title, topic_values = chosen.context["facets"][3]
    links = {v["label"]: v["url"] for v in topic_values}
    assert links["fintech"] == "?year=2024"
    assert links["platformers"] == "?year=2024&topic=platformers"


def test_titles_sort_by_sound_whatever_the_script_or_width(client, shelf):
    response = client.get(LIST, {"sort": "title"})
    # ＡＩ (full width) with ascii; katakana アリババ among hiragana, after ありがとう; kanji last.
    assert _titles(response) == ["ＡＩと中国", "bigdata", "ありがとう経済", "アリババの戦略",
                                 "中国の半導体"]
    assert title_sort_key("ＡＢＣ") == "abc" and title_sort_key("アリ") == "あり"
    assert _titles(client.get(LIST, {"sort": "oldest"}))[0] == "アリババの戦略"


def test_pages_of_the_list_keep_the_filters(client, shelf, monkeypatch):
    monkeypatch.setattr(catalogue, "ARTICLES_PER_PAGE", 1)
    first = client.get(LIST, {"publisher": "FSI"})
    assert _titles(first) == ["bigdata"]
    assert 'href="?publisher=FSI&amp;page=2"' in first.content.decode()
    assert _titles(client.get(LIST, {"publisher": "FSI", "page": 2})) == ["ＡＩと中国"]
    assert client.get(LIST, {"page": 9}).status_code == 404


def test_bad_filters_are_refused_in_the_readers_language(client, shelf):
    response = client.get(LIST, {"year": "twenty", "sort": "random"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a whole number." in html and "Select a valid choice." in html
    assert "整数を入力してください。" in client.get(LIST, {"year": "x"}).content.decode()


def test_a_new_article_is_listed_at_once_though_the_list_was_cached(client, shelf, make_article):
    assert "新しい報告" not in client.get(LIST).content.decode()
    make_article(title="新しい報告", published_on=dt.date(2026, 1, 1))
    assert _titles(client.get(LIST))[0] == "新しい報告"


def test_article_pages_link_publisher_and_year_to_their_lists(client, shelf):
    html = client.get(shelf[0].get_absolute_url()).content.decode()
    assert f'href="{LIST}?publisher=JETRO"' in html
    assert f'href="{LIST}?year=2023"' in html


def _corpus(make_article, n: int) -> None:
    for i in range(n):
        make_article(title=f"記事{i}", publisher=f"発行{i % 3}", kind=["report", "column"][i % 2],
                     published_on=dt.date(2020 + i % 4, 1, 1),
                     sections=[("一", "本文", ["platformers", f"topic-{i % 4}"])])


@pytest.mark.parametrize("size", [5, 30])
@pytest.mark.parametrize("query", [{}, {"topic": "platformers", "year": "2021", "sort": "title"}])
def test_the_list_costs_the_same_whatever_the_corpus(client, make_article, django_assert_num_queries,
                                                      monkeypatch, size, query):
    monkeypatch.setattr(catalogue, "ARTICLES_PER_PAGE", 4)
    _corpus(make_article, size)
    # generation, count, page, four facets
    with django_assert_num_queries(7):
        response = client.get(LIST, query or {"page": 2})
    assert response.status_code == 200
    assert len(response.context["page"].items.object_list) >= 1


def test_article_page_head_has_canonical_description_and_opengraph(client, make_article):
    article = make_article(title="中ロのハイテク協力", slug="sino-russian",
                           summary="中国とロシアの**技術協力**を概観する。")
    html = client.get(article.get_absolute_url()).content.decode()
    url = "http://testserver/articles/sino-russian/"
    assert f'<link rel="canonical" href="{url}">' in html
    assert '<meta name="description" content="中国とロシアの技術協力を概観する。">' in html
    assert '<meta property="og:title" content="中ロのハイテク協力">' in html
    assert '<meta property="og:type" content="article">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert '<meta property="og:description" content="中国とロシアの技術協力を概観する。">' in html
    assert '<meta property="og:locale" content="ja_JP">' in html
    english = client.get(article.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<meta property="og:locale" content="en_US">' in english


def test_an_article_without_summary_is_described_by_its_first_section(client, make_article):
    article = make_article(sections=[("序", "最初の段落で<b>す</b>。\n\n" + "長い" * 200, [])])
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<meta name="description" content="最初の段落です。 長い長い' in html
    description = html.split('<meta name="description" content="')[1].split('"')[0]
    assert len(description) <= 160


def test_topic_page_head_has_canonical_description_opengraph_and_its_feed(client, make_article):
    make_article(sections=[("一", "本文", ["platformers"])])
    topic = Topic.objects.get(slug="platformers")
    Topic.objects.filter(pk=topic.pk).update(description_html="<p>巨大IT企業のこと。</p>")
    html = client.get(topic.get_absolute_url()).content.decode()
    assert '<link rel="canonical" href="http://testserver/topics/platformers/">' in html
    assert '<meta name="description" content="巨大IT企業のこと。">' in html
    assert '<meta property="og:type" content="website">' in html
    assert ('<link rel="alternate" type="application/atom+xml" '
            'href="http://testserver/feeds/topics/platformers/"') in html


def test_list_pages_name_their_canonical_url_and_feed(client, shelf):
    html = client.get(LIST, {"publisher": "FSI", "page": 1}).content.decode()
    assert '<link rel="canonical" href="http://testserver/articles/">' in html
    assert 'type="application/atom+xml" href="http://testserver/feeds/articles/"' in html
    home = client.get(reverse("kb:home")).content.decode()
    assert 'type="application/atom+xml" href="http://testserver/feeds/articles/"' in home


def test_title_sort_is_kept_when_an_article_is_edited(make_article):
    article = make_article(title="アイ")
    editorial_services.update_article(
        article=article, loaded_version=article.version, user=None,
        data=editorial_services.ArticleData(
            title="ＺＯＯ", slug=article.slug, kind="column",
            sections=[editorial_services.SectionData(heading="h", body="b", topics=[])]))
    assert Article.objects.get(pk=article.pk).title_sort == "zoo"


def test_topic_lists_name_their_canonical_url_and_the_topics_feed(client, make_article):
    make_article(sections=[("一", "本文", ["platformers"])])
    assert '<link rel="canonical" href="http://testserver/topics/">' in client.get(
        reverse("kb:topics")).content.decode()
    html = client.get(reverse("kb:topic_articles", args=["platformers"])).content.decode()
    assert '<link rel="canonical" href="http://testserver/topics/platformers/articles/">' in html
    assert 'type="application/atom+xml" href="http://testserver/feeds/topics/platformers/"' in html
