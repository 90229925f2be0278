"""Snippets around the matched terms, built from a section's plain text in Python.

Matches are found exactly as the index finds them (the same tokens and patterns), in the
normalised text, then mapped back to the original characters, so ＡＩ in the text is
highlighted for a search on ai. Everything but the <mark> tags is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kb.search.tokenise import _CJK, _TOKEN_RE, Pattern, normalise_with_spans

SNIPPET_CHARS = 160
LEAD_CHARS = 40  # shown before the first hit of the snippet
_WORD_CHAR = re.compile(rf"(?![{_CJK}])[^\W_]")  # what Latin and digit words are made of


def _tokens_from(normalised: str, position: int) -> Iterator[tuple[str, int, int]]:
    """The tokens of ``normalised`` (text, start, end) from ``position`` on, as
    ``tokenise`` makes them: bigrams depend only on where they are, so a CJK run entered
    in its middle gives the same tokens from there."""
    for match in _TOKEN_RE.finditer(normalised, position):
        run, start, end = match.group(), match.start(), match.end()
        if match.lastgroup == "word":
            yield run, start, end
            continue
        for k in range(len(run) - 1):
            yield run[k : k + 2], start + k, start + k + 2
        yield run[-1], end - 1, end


def _match_end(normalised: str, position: int, pattern: Pattern) -> int | None:
    """Where a match of ``pattern`` starting at ``position`` ends, if there is one."""
    if position and _WORD_CHAR.match(normalised, position - 1) and _WORD_CHAR.match(normalised, position):
        return None  # inside a word: no token starts here
    tokens = _tokens_from(normalised, position)
    last = len(pattern.tokens) - 1
    for i, wanted in enumerate(pattern.tokens):
        text, start, end = next(tokens, ("", -1, -1))
        if i == 0 and start != position:
            return None
        if i == last and pattern.prefix:
            return start + len(wanted) if text.startswith(wanted) else None
        if text != wanted:
            return None
    return end


def match_spans(text: str, patterns: Sequence[Pattern]) -> list[tuple[int, int]]:
    """Where in ``text`` (original offsets) any of ``patterns`` matches, merged and sorted.

    Each pattern's first token is looked for with ``str.find``; only where it occurs is
    the text tokenised, so a long section costs little more than a short one."""
    normalised, spans = normalise_with_spans(text)
    found: list[tuple[int, int]] = []
    for pattern in patterns:
        first = pattern.tokens[0]
        position = normalised.find(first)
        while position >= 0:
            end = _match_end(normalised, position, pattern)
            if end is not None:
                found.append((spans[position][0], spans[end - 1][1]))
            position = normalised.find(first, position + 1)
    return _merge(found)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, patterns: Sequence[Pattern], *, chars: int | None = SNIPPET_CHARS) -> SafeString:
    """Escaped ``text`` with matches in <mark>; with ``chars``, only the window of that
    many characters holding the most matches, with … where it is cut."""
    hits = match_spans(text, patterns)
    start, end = 0, len(text)
    if chars is not None and len(text) > chars:
        best = max(
            (sum(1 for s, _ in hits if h <= s < h + chars), -h) for h, _ in hits
        ) if hits else (0, 0)
        start = max(0, -best[1] - LEAD_CHARS)
        end = min(len(text), start + chars)
        start = max(0, min(start, end - chars))
    parts, cursor = [], start
    for s, e in hits:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        parts.append(escape(text[cursor:s]))
        parts.append(f"<mark>{escape(text[s:e])}</mark>")
        cursor = e
    parts.append(escape(text[cursor:end]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + "".join(parts) + suffix)
