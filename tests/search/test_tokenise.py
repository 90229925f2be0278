"""Normalisation and tokens: what makes Japanese findable without a dictionary."""

import pytest

from kb.search.query import parse
from kb.search.tokenise import index_tokens, normalise, normalise_with_spans, term_pattern


@pytest.mark.parametrize(
    "variants",
    [
        ["ＡＩ", "AI", "ai", "Ai"],
        ["ｱﾘﾊﾞﾊﾞ", "アリババ"],
        ["ｶﾞﾊﾞﾅﾝｽ", "ガバナンス"],
        ["\u2fa7期", "長期"],  # Kangxi radical ⾧ from PDF extraction
        ["アント・グループ", "アントグループ", "ｱﾝﾄ･ｸﾞﾙｰﾌﾟ"],
        ["５Ｇ", "5G", "5g"],
        ["㈱野村", "(株)野村"],
    ],
)
def test_variants_fold_to_one_form(variants):
    assert len({normalise(v) for v in variants}) == 1


def test_spans_map_each_normalised_character_back_to_the_original():
    text = "ｶﾞｽとＡＩ、⾧期・アント"
    normalised, spans = normalise_with_spans(text)
    assert normalised == normalise(text) == "ガスとai、長期アント"
    assert [text[s:e] for s, e in spans][:4] == ["ｶﾞ", "ｽ", "と", "Ａ"]
    assert text[spans[normalised.index("長")][0]] == "\u2fa7"


def _assert_spans_rebuild_the_normalised_text(text, normalised, spans):
    assert normalised == normalise(text) and len(spans) == len(normalised)
    distinct = list(dict.fromkeys(spans))
    assert all(0 <= start < end <= len(text) for start, end in distinct)
    assert all(a[1] <= b[0] for a, b in zip(distinct, distinct[1:]))  # in order, no overlap
    assert "".join(normalise(text[start:end]) for start, end in distinct) == normalised


@pytest.mark.parametrize("text", [
    "ｶﾞｽとＡＩ、⾧期・アント", "㈱野村・ｱﾝﾄ･ｸﾞﾙｰﾌﾟ（ＢＡＴ）", "Straße İstanbul ﬁ ½ Ⅻ", "cafe\u0301 ｶﾞ゙",
    "・・・", "", "中国のデジタル企業。", "\u1100\u1161\u11a8 한국", "𠮷野家 🄐",
])
def test_both_ways_of_keeping_offsets_map_back_to_the_original(text):
    from kb.search.tokenise import _normalise_with_spans_by_chunks

    _assert_spans_rebuild_the_normalised_text(text, *normalise_with_spans(text))
    _assert_spans_rebuild_the_normalised_text(text, *_normalise_with_spans_by_chunks(text))


def test_offsets_map_back_on_every_hostile_string():
    from tests.hostile import HOSTILE_STRINGS

    for text in HOSTILE_STRINGS:
        _assert_spans_rebuild_the_normalised_text(text, *normalise_with_spans(text))


def test_cjk_runs_become_bigrams_plus_their_last_character_and_words_stay_whole():
    assert index_tokens("東京都のAI規制、2019年") == [
        "東京", "京都", "都の", "の", "ai", "規制", "制", "2019", "年"
    ]


@pytest.mark.parametrize(
    ("term", "tokens", "prefix"),
    [
        ("党", ("党",), True),  # one character: any token starting with it
        ("中国", ("中国",), False),  # two: one bigram, wherever the run continues
        ("中ロ", ("中ロ",), False),
        ("デジタル", ("デジ", "ジタ", "タル"), False),
        ("生成ai", ("生成", "成", "ai"), False),  # inner run keeps its last character
        ("2019年", ("2019", "年"), True),
    ],
)
def test_term_patterns(term, tokens, prefix):
    pattern = term_pattern(term)
    assert pattern.tokens == tokens and pattern.prefix is prefix


def test_punctuation_only_terms_have_no_pattern():
    assert term_pattern(normalise("、。・")) is None


def test_query_terms_split_on_any_blank_and_keep_quoted_phrases():
    terms = parse("生成AI　規制 \"越境 データ\" 「中ロ 協力」", expand=False).terms
    assert [(t.text, t.exact) for t in terms] == [
        ("生成AI", False), ("規制", False), ("越境 データ", True), ("中ロ 協力", True)
    ]
