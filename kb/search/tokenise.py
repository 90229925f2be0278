"""Text → search tokens, the same for the index, the query and the highlighter.

Japanese has no spaces between words, so words cannot be found by splitting on blanks.
Every run of CJK characters becomes its overlapping character bigrams plus its last
character alone (東京都 → 東京 京都 都); Latin letters and digits stay whole words.
A term of two or more CJK characters is then the phrase of its bigrams, which matches
exactly where it occurs as a substring; a one-character term is a prefix query that
finds every token starting with it, and the trailing unigram makes sure every
character of the text starts some token. No dictionary, nothing missed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

# Ideographs (with extensions and compatibility forms), kana, the iteration and
# prolonged-sound marks, and Hangul. U+30FB (・) is removed before tokenising.
_CJK = (
    "\u3005-\u3007\u3041-\u309f\u30a0-\u30fa\u30fc-\u30ff\u31f0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
)
_TOKEN_RE = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<word>(?:(?![{_CJK}])[^\W_])+)")


def normalise(text: str) -> str:
    """NFKC (full/half-width forms, Kangxi radicals, ㈱), case folding, no middle dots.

    Katakana middle dots separate the parts of foreign names, but writers use them
    inconsistently (アント・グループ / アントグループ): folded away, both forms match."""
    return unicodedata.normalize("NFKC", text).casefold().replace("\u30fb", "")


class _Same(Sequence):
    """The spans of a text that normalised one character for one: character i came from
    character i (a page's worth of them as tuples cost more than normalising the text)."""

    __slots__ = ("length",)

    def __init__(self, length: int) -> None:
        self.length = length

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, i: int) -> tuple[int, int]:
        if not -self.length <= i < self.length:
            raise IndexError(i)
        i %= self.length
        return (i, i + 1)


def normalise_with_spans(text: str) -> tuple[str, Sequence[tuple[int, int]]]:
    """``normalise(text)`` plus, for each of its characters, the span of ``text`` it
    came from, so a match found in normalised text can be highlighted in the original.

    A search page does this for every hit it shows. Most texts normalise character by
    character, which two ``str.translate`` calls do at C speed: one folds, one marks the
    characters that fold to other than exactly one character (㈱, ・). A text where a mark
    joins the character before it (ｶﾞ → ガ) takes the slower way.

    The characters' normal forms side by side are the text's unless characters combine
    (ｶﾞ: カ and a combining mark), and then they are not in normal form themselves: a quick
    check (~1 µs) says so. Normalising the whole text again to compare cost ~1 µs a
    character wherever the text has a full-width （：１ (most reports).
    """
    if not unicodedata.is_normalized("NFKC", text.translate(_COMPATIBLE)):
        return _normalise_with_spans_by_chunks(text)
    folded = text.translate(_FOLDS)
    shape = text.translate(_SHAPES)
    n = len(text)
    odd = shape.find(_ODD)
    if odd < 0:
        return folded, _Same(n)
    spans: list[tuple[int, int]] = []
    last = 0
    while odd >= 0:
        spans.extend(zip(range(last, odd), range(last + 1, odd + 1)))
        spans.extend([(odd, odd + 1)] * len(_FOLDS[ord(text[odd])]))
        last = odd + 1
        odd = shape.find(_ODD, last)
    spans.extend(zip(range(last, n), range(last + 1, n + 1)))
    return folded, spans


class _Folds(dict):
    """Code point → its normalised form, filled in as characters are met."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))[0]
        return folded


class _Compatible(dict):
    """Code point → its NFKC form alone (no case folding), filled in as characters are met."""

    def __missing__(self, code: int) -> str:
        form = self[code] = unicodedata.normalize("NFKC", chr(code))
        return form


class _Shapes(dict):
    """Code point → "." when it normalises to exactly one character, else ``_ODD``."""

    def __missing__(self, code: int) -> str:
        shape = self[code] = "." if len(_FOLDS[code]) == 1 else _ODD
        return shape


_ODD = "#"
_COMPATIBLE = _Compatible()
_FOLDS = _Folds()
_SHAPES = _Shapes()


def _normalise_with_spans_by_chunks(text: str) -> tuple[str, list[tuple[int, int]]]:
    """``normalise_with_spans`` for any text: characters are normalised one by one, a base
    character together with its combining or half-width voicing marks (ｶﾞ → ガ), which
    gives the same string as ``normalise``."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        # Most of a text is already normal: take it a chunk at a time (ending before a
        # mark, so a mark is never cut from its base), one character at a time only where
        # something changes.
        end = min(n, i + _CHUNK)
        while end < n and _fold_char(text[end])[1]:
            end += 1
        chunk = text[i:end]
        if unicodedata.is_normalized("NFKC", chunk) and "\u30fb" not in chunk:
            folded = chunk.casefold()
            if len(folded) == len(chunk):  # casefold never drops characters: one for one
                out.append(folded)
                spans.extend([(k, k + 1) for k in range(i, end)])
                i = end
                continue
        i = _fold_slow(text, i, end, out, spans)
    return "".join(out), spans


_CHUNK = 32


def _fold_slow(text: str, i: int, stop: int, out: list[str], spans: list[tuple[int, int]]) -> int:
    n = len(text)
    while i < stop:
        j = i + 1
        while j < n and _fold_char(text[j])[1]:
            j += 1
        folded = _fold_char(text[i])[0] if j == i + 1 else normalise(text[i:j])
        out.append(folded)
        spans.extend([(i, j)] * len(folded))
        i = j
    return i


_FOLDED: dict[str, tuple[str, bool]] = {}


def _fold_char(char: str) -> tuple[str, bool]:
    """A character's normalised form, and whether it is a mark that joins the one before."""
    folded = _FOLDED.get(char)
    if folded is None:
        # Hangul vowel and final jamo compose with the jamo before them, as marks do.
        mark = (unicodedata.combining(char) > 0 or char in "\uff9e\uff9f\u3099\u309a"
                or "\u1160" <= char <= "\u11ff" or "\ud7b0" <= char <= "\ud7ff")
        folded = _FOLDED[char] = (normalise(char), mark)
    return folded


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int  # offsets in the normalised text
    end: int
    run_end: bool = False  # the trailing unigram of a CJK run


def tokenise(normalised: str) -> list[Token]:
    """Tokens of already normalised text, in order; a token's index is its position."""
    tokens: list[Token] = []
    for match in _TOKEN_RE.finditer(normalised):
        run, start = match.group(), match.start()
        if match.lastgroup == "word":
            tokens.append(Token(run, start, match.end()))
            continue
        for k in range(len(run) - 1):
            tokens.append(Token(run[k : k + 2], start + k, start + k + 2))
        tokens.append(Token(run[-1], match.end() - 1, match.end(), run_end=True))
    return tokens


def index_tokens(text: str) -> list[str]:
    """The tokens stored in the index for a field's text: ``tokenise`` without offsets,
    written out because indexing 100,000 sections spends its time here."""
    tokens: list[str] = []
    for match in _TOKEN_RE.finditer(normalise(text)):
        run = match.group()
        if match.lastgroup == "cjk":
            tokens.extend([run[k : k + 2] for k in range(len(run) - 1)])
        tokens.append(run[-1] if match.lastgroup == "cjk" else run)
    return tokens


@dataclass(frozen=True, slots=True)
class Pattern:
    """What one term looks for: consecutive tokens, the last one possibly a prefix."""

    tokens: tuple[str, ...]
    prefix: bool = False


def term_pattern(normalised_term: str) -> Pattern | None:
    """The token pattern that finds ``normalised_term`` wherever it is a substring of
    normalised CJK text (Latin and digit words match whole words).

    The term's last CJK run may continue in the text, so its trailing unigram is left
    out; a one-character final run becomes a prefix: any token starting with it.
    """
    tokens = tokenise(normalised_term)
    if not tokens:
        return None
    if not tokens[-1].run_end:
        return Pattern(tuple(t.text for t in tokens))
    if len(tokens) >= 2 and tokens[-2].end == tokens[-1].end:
        return Pattern(tuple(t.text for t in tokens[:-1]))
    return Pattern(tuple(t.text for t in tokens), prefix=True)


WORD_MAX = 64  # longer "words" (a run of digits and letters from a table or URL) are not looked up


def is_word(token: str) -> bool:
    """Whether an index token is a Latin or digit word with a letter in it (numbers alone
    are not searched as the beginning of anything: 202 is not 2023)."""
    return token[0] < "\u3005" and not token.isdigit() and len(token) <= WORD_MAX


def word_starts(word: str) -> list[tuple[str, bool]]:
    """Where in ``word`` a search term may begin: its beginning, and each boundary between
    a letter and a digit inside it (beyond5g → beyond5g, 5g; b2b2c → b2b2c, 2b2c, b2c,
    2c), each with whether it is inside. Parts of one character, or of digits alone, are
    too short or too vague to be what a reader meant."""
    starts = [(word, False)]
    for i in range(1, len(word) - 1):
        part = word[i:]
        if word[i - 1].isdigit() != word[i].isdigit() and not part.isdigit():
            starts.append((part, True))
    return starts
