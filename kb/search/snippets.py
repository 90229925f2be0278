"""Snippets around the matched terms, built from a section's plain text in Python.

Matches are found exactly as the index finds them (the same tokens and patterns), in the
normalised text, then mapped back to the original characters, so ＡＩ in the text is
highlighted for a search on ai. Everything but the <mark> tags is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .tokenise import _TOKEN_RE, Pattern, normalise_with_spans

SNIPPET_CHARS = 160
LEAD_CHARS = 40  # shown before the first hit of the snippet


def _tokens(normalised: str) -> tuple[list[str], list[int], list[int]]:
    """``tokenise`` as three plain lists (texts, starts, ends): a page highlights thousands
    of tokens, and making a Token object for each was most of a page's Python time."""
    texts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for match in _TOKEN_RE.finditer(normalised):
        run, start, end = match.group(), match.start(), match.end()
        if match.lastgroup == "word":
            texts.append(run)
            starts.append(start)
            ends.append(end)
            continue
        texts.extend([run[k : k + 2] for k in range(len(run) - 1)])
        texts.append(run[-1])
        starts.extend(range(start, end))
        ends.extend(range(start + 2, end + 1))
        ends.append(end)
    return texts, starts, ends


def match_spans(text: str, patterns: Sequence[Pattern]) -> list[tuple[int, int]]:
    """Where in ``text`` (original offsets) any of ``patterns`` matches, merged and sorted."""
    normalised, spans = normalise_with_spans(text)
    texts, token_starts, token_ends = _tokens(normalised)
    starts: dict[str, list[int]] = {}
    for i, token in enumerate(texts):
        starts.setdefault(token, []).append(i)
    found: list[tuple[int, int]] = []
    for pattern in patterns:
        *body, last = pattern.tokens
        if pattern.prefix and not body:
            positions = [i for i, t in enumerate(texts) if t.startswith(last)]
        else:
            positions = starts.get(pattern.tokens[0], [])
        for i in positions:
            j = i + len(body)
            if j >= len(texts) or any(texts[i + k] != body[k] for k in range(len(body))):
                continue
            end_text = texts[j]
            if pattern.prefix:
                if not end_text.startswith(last):
                    continue
                end = token_starts[j] + len(last)
            elif end_text == last:
                end = token_ends[j]
            else:
                continue
            found.append((spans[token_starts[i]][0], spans[end - 1][1]))
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
