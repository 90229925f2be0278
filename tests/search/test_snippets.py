"""Highlighting finds exactly what the index finds: checked against the plain reading of
the token stream on the corpus, hostile strings and random mixes of scripts."""

import random

import pytest

from kb.models import Section
from kb.search.snippets import highlight, match_spans
from kb.search.tokenise import normalise, normalise_with_spans, term_pattern, tokenise
from tests.hostile import HOSTILE_STRINGS


def _spans_by_token_stream(text, patterns):
    """The obvious way: tokenise the whole text, compare token sequences everywhere."""
    normalised, spans = normalise_with_spans(text)
    tokens = tokenise(normalised)
    found = set()
    for pattern in patterns:
        *body, last = pattern.tokens
        for i in range(len(tokens) - len(body)):
            if any(tokens[i + k].text != body[k] for k in range(len(body))):
                continue
            token = tokens[i + len(body)]
            if pattern.prefix and token.text.startswith(last):
                end = token.start + len(last)
            elif not pattern.prefix and token.text == last:
                end = token.end
            else:
                continue
            found.add((spans[tokens[i].start][0], spans[end - 1][1]))
    merged = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


TERMS = ["党", "中国", "中ロ", "デジタル", "生成AI", "AI", "ai 規制", "5G", "2019年", "アント・グループ",
         "ＡＩ", "ｱﾘﾊﾞﾊﾞ", "データ", "の", "一帯一路", "b2b2c", "big tech", "元"]
PATTERNS = [[term_pattern(normalise(word)) for word in term.split()] for term in TERMS]


def test_matches_agree_with_the_token_stream_on_the_corpus(corpus):
    for text in Section.objects.values_list("plain_text", flat=True):
        for patterns in PATTERNS:
            assert match_spans(text, patterns) == _spans_by_token_stream(text, patterns)


@pytest.mark.parametrize("seed", range(3))
def test_matches_agree_with_the_token_stream_on_random_and_hostile_text(seed):
    rng = random.Random(seed)
    pieces = ["中国", "デジ", "タル", "生成", "AI", "ai", "ＡＩ", "said", " ", "・", "、", "5G", "2019",
              "年", "党", "元", "_", "ｱﾘ", "ﾊﾞﾊﾞ", "アント", "グループ", "b2b2c", "Big", "tech", "𠮷"]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 40))) for _ in range(300)]
    hostile = [text for text in HOSTILE_STRINGS[seed::3] if len(text) < 10_000]  # not the 1 MB ones
    for text in texts + hostile:
        for patterns in PATTERNS:
            assert match_spans(text, patterns) == _spans_by_token_stream(text, patterns)


def test_a_word_inside_a_longer_word_is_not_a_match():
    assert "<mark>" not in highlight("said and aide", [term_pattern("ai")])
    assert highlight("AI、said", [term_pattern("ai")]) == "<mark>AI</mark>、said"
