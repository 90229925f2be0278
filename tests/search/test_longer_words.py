"""A Latin or digit word typed alone also finds the longer words it begins (GAFA → GAFAM,
5G → Beyond5G), after what contains the word itself; quoted, only the word."""

from django.urls import reverse

from kb.models import SearchWord, Section
from kb.search import index
from kb.search.engine import search
from kb.search.query import parse


def headings(q: str) -> list[str]:
    return [hit.section.heading for hit in search(q).hits]


def test_a_word_finds_the_words_it_begins_after_its_exact_matches(make_article):
    make_article(sections=[
        # The longer word in a heading, many times: it would outrank the passing mention.
        ("GAFAMの台頭", "GAFAMは市場を握る。GAFAMの規制。GAFAMと中国。", []),
        ("通りがかり", "米国のGAFAにも触れる。", []),
        ("無関係", "中国のプラットフォーム企業。", []),
    ])
    assert headings("GAFA") == ["通りがかり", "GAFAMの台頭"]
    assert search("GAFA").total == 2
    assert headings('"GAFA"') == ["通りがかり"]


def test_a_word_with_a_digit_is_found_after_a_letter_inside_a_longer_word(make_article):
    make_article(sections=[
        ("次世代", "Beyond5Gの研究開発が始まった。", []),
        ("工場", "ローカル5Gで工場をつなぐ。", []),
        ("基地局", "5Gの基地局を整備する。", []),
        ("電商", "B2B2Cの取引が広がる。", []),
    ])
    assert set(headings("5G")[:2]) == {"工場", "基地局"} and headings("5G")[2] == "次世代"
    assert headings("B2C") == ["電商"]
    assert parse("5G").terms[0].longer == ["beyond5g"]


def test_short_words_and_numbers_do_not_begin_other_words(make_article):
    make_article(sections=[
        ("民泊", "Airbnbの民泊が広がる。", []),
        ("活用", "AIの活用が進む。", []),
        ("統計", "2023年の統計。", []),
    ])
    assert headings("AI") == ["活用"]  # not Airbnb: two letters begin too many words
    assert headings("202") == []
    assert headings("Airb") == ["民泊"]


def test_the_page_says_which_longer_words_it_searched_and_marks_them(client, make_article):
    make_article(sections=[("次世代", "Beyond5Gの研究開発が始まった。", [])])
    html = client.get(reverse("kb:search"), {"q": "5G"}, headers={"accept-language": "en"}).content.decode()
    assert "“5G” also finds the longer words that contain it: beyond5g." in html
    assert "<mark>Beyond5G</mark>の研究開発" in html
    data = client.get(reverse("kb:api-search"), {"q": "5G"}).json()
    assert data["terms"][0]["longer"] == ["beyond5g"] and data["total"] == 1
    html = client.get(reverse("kb:search"), {"q": '"5G"'}, headers={"accept-language": "en"}).content.decode()
    assert "longer words" not in html and 'class="hit"' not in html


def test_words_are_learned_with_each_edit_and_rebuilt_with_the_index(make_article):
    article = make_article(sections=[("節", "本文です。", [])])
    assert headings("Web3") == []
    section = Section.objects.get(article=article)
    section.plain_text = section.body = "Web3.0とWeb3Financeの動向。"
    section.save()
    index.reindex_sections([section.pk])
    assert headings("Web3") == ["節"]
    assert parse("Web3").terms[0].longer == ["web3finance"]
    SearchWord.objects.all().delete()
    index.rebuild()
    assert parse("Web3").terms[0].longer == ["web3finance"]
