"""Ranking SQLite's candidates in Python: BM25 over the four weighted fields, as FTS5's
``bm25()`` with column weights computes it, but without inverse document frequency.

``bm25()`` first counts, for each phrase of the query, the rows of the whole index that
contain it. At 100,000 sections a phrase of common bigrams (デジタル: デジ ジタ タル)
costs several ms each time, and the heading pass pays it again: three such terms took
~50 ms. Every candidate contains every term (terms are ANDed), so IDF would only weigh
one term against another; the candidates' own tokens (stored in the FTS5 table, a few
hundred rows) are enough to rank them. Lengths are compared with the candidates' average
length rather than the whole index's, and a phrase's repeats are counted without overlap
(ハハハ in ハハハハ once): both only shift scores among the candidates.
"""

from __future__ import annotations

from collections.abc import Sequence

from kb.search.tokenise import Pattern

K1 = 1.2
B = 0.75
# In kb.search.backends.FIELDS order: a heading or title hit says what the entry is about.
WEIGHTS = (8.0, 4.0, 5.0, 1.0)
# A section whose text is shorter than this many tokens loses score in proportion. BM25's
# length normalisation favours short texts: a figure caption or a source line that names a
# term once in its heading (図表3-5 医療の推移 / （出典）…: 15-20 tokens) outscored the
# sections that discuss it. A paragraph-long section (a press release's points) is not short.
SHORT_SECTION = 60


def _needle(pattern: Pattern) -> str:
    """What ``pattern`` looks like in a field's space-separated tokens padded with a space
    each side (a prefix pattern's last token may go on: no space after it)."""
    return " " + " ".join(pattern.tokens) + ("" if pattern.prefix else " ")


def scores(terms: Sequence[Sequence[Pattern]], candidates: Sequence[Sequence[str]],
           *, sections: Sequence[bool] | None = None) -> list[float]:
    """Each candidate's score (higher is better) for ``terms`` (each a list of alternative
    patterns); a candidate is its fields' token strings, in FIELDS order. Those that
    ``sections`` marks are sections, which a short length costs (``SHORT_SECTION``): an
    analyst's passage is short by nature and keeps its score."""
    needles = [[_needle(p) for p in term] for term in terms]
    padded = [[f" {field} " if field else "" for field in fields] for fields in candidates]
    lengths = [sum(field.count(" ") - 1 for field in fields if field) for fields in padded]
    average = max(sum(lengths) / len(lengths), 1.0) if lengths else 1.0
    result = []
    marks = sections if sections is not None else [False] * len(candidates)
    for fields, length, section in zip(padded, lengths, marks, strict=True):
        text = fields[-1].count(" ") - 1 if fields[-1] else 0  # the body's tokens
        norm = K1 * (1 - B + B * length / average)
        total = 0.0
        for term in needles:
            tf = sum(
                weight * sum(field.count(needle) for needle in term)
                for weight, field in zip(WEIGHTS, fields, strict=True) if field
            )
            total += tf * (K1 + 1) / (tf + norm)
        result.append(total * min(1.0, text / SHORT_SECTION) if section else total)
    return result
