"""What analysts type beyond plain terms: phrases with blanks, OR, NOT and -term, filters
typed into the query, and an explanation for what cannot be read as typed."""

import re
from datetime import date

import pytest
from django.urls import reverse

from kb.models import Topic
from kb.search.query import parse


@pytest.fixture
def reports(db, make_article):
    from kb.search import index

    silk = Topic.objects.create(slug="digital-silk-road", name="デジタルシルクロード",
                                name_en="Digital Silk Road")
    index.reindex_topics([silk.pk])
    yuan = make_article(
        title="デジタル人民元の現状", kind="report", publisher="野村総合研究所",
        published_on=date(2021, 4, 5),
        sections=[("人民元", "デジタル人民元の実証実験が進む。中国の規制も強まる。", [])],
    )
    belt = make_article(
        title="一帯一路と通信", kind="column", publisher="富士通総研",
        published_on=date(2023, 5, 1),
        sections=[
            ("通信網", "中国はデジタルシルクロードで海底ケーブルを敷設する。", ["digital-silk-road"]),
            ("決済", "中国の決済アプリが東南アジアに広がる。", []),
        ],
    )
    return yuan, belt


def found(client, q, **params) -> list[str]:
    """The headings of the sections found, in rank order (JSON API)."""
    data = client.get(reverse("kb:api-search"), {"q": q, **params}).json()
    return [hit["heading"] for hit in data["results"] if hit["type"] == "section"]


def test_a_quoted_phrase_with_a_blank_finds_the_words_written_together(client, reports):
    assert found(client, '"デジタル 人民元"') == ["人民元"]
    assert found(client, "「デジタル 人民元」") == ["人民元"]
    # Unquoted, the two words are two terms, as before.
    assert found(client, "デジタル 人民元") == ["人民元"]


def test_a_phrase_with_a_blank_is_highlighted_where_it_is_written_together(client, reports):
    html = client.get(reverse("kb:search"), {"q": '"デジタル 人民元"'}).content.decode()
    assert "<mark>デジタル人民元</mark>の実証実験" in html


def test_minus_and_not_leave_out_what_contains_the_term(client, reports):
    assert set(found(client, "中国")) == {"人民元", "通信網", "決済"}
    assert set(found(client, "中国 -規制")) == {"通信網", "決済"}
    assert set(found(client, "中国 NOT 規制")) == {"通信網", "決済"}
    assert found(client, "中国 -規制 -ケーブル") == ["決済"]
    # A hyphen inside a word is not an exclusion.
    assert parse("e-commerce", expand=False).excluded == []


def test_excluded_terms_are_named_on_the_page(client, reports):
    html = client.get(reverse("kb:search"), {"q": "中国 -規制"}).content.decode()
    assert "<q>規制</q>" in html


def test_or_finds_either_and_ranks_both(client, reports):
    assert set(found(client, "ケーブル OR 決済アプリ")) == {"通信網", "決済"}
    assert set(found(client, "中国 ケーブル OR 人民元")) == {"通信網", "人民元"}
    assert found(client, "ケーブル 決済アプリ") == []


def test_filters_typed_into_the_query(client, reports):
    assert set(found(client, "中国 publisher:野村")) == {"人民元"}
    assert set(found(client, "中国 year:2023")) == {"通信網", "決済"}
    assert set(found(client, "中国 year:2020-2021")) == {"人民元"}
    assert set(found(client, "中国 title:一帯一路")) == {"通信網", "決済"}
    assert set(found(client, '中国 title:"デジタル人民元"')) == {"人民元"}


def test_a_clicked_facet_wins_over_a_typed_filter(client, reports):
    assert set(found(client, "中国 year:2023", date_from="2021-01-01",
                     date_to="2021-12-31")) == {"人民元"}


@pytest.mark.parametrize("label", ["Digital Silk Road", "digital silk road", "デジタルシルクロード"])
def test_the_topic_filter_accepts_either_languages_label(client, reports, label):
    assert found(client, f'中国 topic:"{label}"') == ["通信網"]


def test_what_cannot_be_read_as_typed_is_explained(client, reports):
    data = client.get(reverse("kb:api-search"), {"q": "中国 topic:存在しない"}).json()
    assert any("存在しない" in note for note in data["notes"])
    assert len(data["results"]) == 3  # the unknown topic narrowed nothing away silently
    data = client.get(reverse("kb:api-search"), {"q": "中国 year:昨年"}).json()
    assert any("year:昨年" in note for note in data["notes"])
    data = client.get(reverse("kb:api-search"), {"q": '"デジタル 人民元'}).json()
    assert data["notes"] and [r["heading"] for r in data["results"]] == ["人民元"]
    data = client.get(reverse("kb:api-search"), {"q": "-規制"}).json()
    assert data["notes"] and data["results"] == []
    data = client.get(reverse("kb:api-search"), {"q": "中国 OR"}).json()
    assert data["notes"] and len(data["results"]) == 3


def test_notes_are_shown_in_the_users_language(client, reports):
    html = client.get(reverse("kb:search"), {"q": "-規制"},
                      headers={"accept-language": "ja"}).content.decode()
    assert re.search(r'<p class="note" role="status">[^<]*検索する語', html)
    html = client.get(reverse("kb:search"), {"q": "-規制"},
                      headers={"accept-language": "en"}).content.decode()
    assert 'add a term to find' in html


def test_a_topics_english_label_typed_as_words_finds_what_its_japanese_label_finds(client, reports):
    data = client.get(reverse("kb:api-search"), {"q": "Digital Silk Road"}).json()
    assert [hit["heading"] for hit in data["results"]] == ["通信網"]
    assert data["terms"][0]["topics"] == ["デジタルシルクロード"]  # and the page says so
    html = client.get(reverse("kb:search"), {"q": "digital silk road"}).content.decode()
    assert "<mark>デジタルシルクロード</mark>" in html
    # Words that name no topic together stay separate terms.
    assert parse("digital road", expand=True).terms[1].text == "road"
