"""Where a passage sits in a section's text, and where it went after the text changed.

Pure functions over strings, no database. Positions follow the W3C Web Annotation
TextPositionSelector: Unicode code points of the section's plain text (NFC), which is
Python's ``str`` indexing. Browsers count UTF-16 code units, so a character outside the
BMP (𠮷) is one here and two there; convert at the boundary with the two helpers below.

Re-anchoring tries, in order (the order Hypothesis and dom-anchor-text-quote use):
1. the quote is still at its old position: ``anchored``;
2. the quote occurs elsewhere: the occurrence whose prefix/suffix context matches best,
   then the nearest to the old position: ``moved``;
3. an approximate occurrence within a bounded edit distance: ``fuzzy``;
4. otherwise ``orphaned``: the passage keeps its quote and waits for an analyst.
"""

from __future__ import annotations

from dataclasses import dataclass

CONTEXT_LENGTH = 32  # characters of prefix/suffix kept around a quote
# An approximate match may differ from the quote by at most this share of its length.
MAX_ERROR_RATE = 0.25
# Below this many characters a quote is too short to match approximately with any sense.
MIN_FUZZY_LENGTH = 4

ANCHORED, MOVED, FUZZY, ORPHANED = "anchored", "moved", "fuzzy", "orphaned"


@dataclass(frozen=True)
class Selector:
    """A TextQuoteSelector and a TextPositionSelector for one span of a text."""

    exact: str
    prefix: str
    suffix: str
    start: int
    end: int


@dataclass(frozen=True)
class Anchor:
    """Where a selector lands in a (possibly changed) text."""

    status: str
    start: int
    end: int


def utf16_to_codepoint(text: str, offset: int) -> int:
    """The code-point index in ``text`` of a UTF-16 ``offset`` (as a browser's Range gives it).

    Raises ValueError for an offset outside the text or inside a surrogate pair.
    """
    encoded = text.encode("utf-16-le")
    if not 0 <= offset * 2 <= len(encoded):
        raise ValueError(f"offset {offset} is outside a text of {len(encoded) // 2} UTF-16 units")
    try:
        return len(encoded[: offset * 2].decode("utf-16-le"))
    except UnicodeDecodeError:
        raise ValueError(f"offset {offset} splits a character in two") from None


def codepoint_to_utf16(text: str, index: int) -> int:
    """The UTF-16 offset of code-point ``index`` in ``text`` (what a browser's Range expects)."""
    if not 0 <= index <= len(text):
        raise ValueError(f"index {index} is outside a text of {len(text)} characters")
    return len(text[:index].encode("utf-16-le")) // 2


def select(text: str, start: int, end: int) -> Selector:
    """The selectors for ``text[start:end]``, with up to CONTEXT_LENGTH characters of context."""
    if not 0 <= start < end <= len(text):
        raise ValueError(f"span {start}–{end} is not inside a text of {len(text)} characters")
    return Selector(
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT_LENGTH) : start],
        suffix=text[end : end + CONTEXT_LENGTH],
        start=start,
        end=end,
    )


def reanchor(text: str, selector: Selector) -> Anchor:
    """Find ``selector`` in ``text``, which may have been edited since it was made."""
    exact = selector.exact
    if text[selector.start : selector.end] == exact:
        return Anchor(ANCHORED, selector.start, selector.end)
    starts = _occurrences(text, exact)
    if starts:
        best = max(starts, key=lambda s: _context_score(text, selector, s, s + len(exact)))
        return Anchor(MOVED, best, best + len(exact))
    span = _approximate(text, selector)
    if span is not None:
        return Anchor(FUZZY, *span)
    return Anchor(ORPHANED, selector.start, selector.end)


def _occurrences(text: str, exact: str) -> list[int]:
    starts, i = [], text.find(exact)
    while i != -1:
        starts.append(i)
        i = text.find(exact, i + 1)
    return starts


def _context_score(text: str, selector: Selector, start: int, end: int) -> tuple[int, int]:
    """How well the text around a candidate matches the saved context: matching characters
    next to the quote (prefix read backwards, suffix forwards), then closeness to the old spot."""
    before = text[max(0, start - CONTEXT_LENGTH) : start]
    after = text[end : end + CONTEXT_LENGTH]
    return (
        _common_prefix(before[::-1], selector.prefix[::-1]) + _common_prefix(after, selector.suffix),
        -abs(start - selector.start),
    )


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _approximate(text: str, selector: Selector) -> tuple[int, int] | None:
    """The span of ``text`` closest to the quote in edit distance, if within the bound.

    Myers' bit-parallel algorithm (J. ACM 1999) with Python integers as bit vectors:
    one pass over the text finds, for every end position, the fewest edits turning the
    quote into a substring ending there; a second, anchored pass over the reversed
    window finds where that substring starts. Linear in the text for any quote length.
    """
    exact = selector.exact
    max_errors = int(len(exact) * MAX_ERROR_RATE)
    if len(exact) < MIN_FUZZY_LENGTH or max_errors == 0:
        return None
    scores = _edit_scores(exact, text, free_start=True)
    best = min(scores, default=max_errors + 1)
    if best > max_errors:
        return None
    # Among equally good ends, the one nearest where the passage used to end.
    end = min(
        (i + 1 for i, score in enumerate(scores) if score == best),
        key=lambda e: abs(e - selector.end),
    )
    lo = max(0, end - len(exact) - best)
    window = text[lo:end][::-1]
    back = _edit_scores(exact[::-1], window, free_start=False)
    # The start giving that distance; among ties, the span closest to the quote's length.
    length = min(
        (i + 1 for i, score in enumerate(back) if score == best),
        key=lambda n: abs(n - len(exact)),
    )
    return end - length, end


def _edit_scores(pattern: str, text: str, *, free_start: bool) -> list[int]:
    """Edit distance between ``pattern`` and text[s:j+1] for each j, minimised over s
    (``free_start``) or with s = 0."""
    m = len(pattern)
    mask = (1 << m) - 1
    high = 1 << (m - 1)
    peq: dict[str, int] = {}
    for i, char in enumerate(pattern):
        peq[char] = peq.get(char, 0) | (1 << i)
    pv, mv, score = mask, 0, m
    scores = []
    for char in text:
        eq = peq.get(char, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & mask)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        # In the free-start search the top row of the DP matrix is all zeros: no carry in.
        ph = ((ph << 1) | (0 if free_start else 1)) & mask
        mh = (mh << 1) & mask
        pv = mh | (~(xv | ph) & mask)
        mv = ph & xv
        scores.append(score)
    return scores


# Page breaks inside a section: [offset, page] pairs in the same coordinates as passages.

SNIPPET_LENGTH = 24  # characters after a page break that find it again in changed text


def _squeezed(text: str) -> tuple[str, list[int]]:
    """Letters and digits of ``text`` only, with each one's offset in ``text``: the
    extraction, its clean-up and Markdown change spaces, line breaks and markup, never
    the words."""
    kept = [(i, ch) for i, ch in enumerate(text) if ch.isalnum()]
    return "".join(ch for _i, ch in kept), [i for i, _ch in kept]


def locate_page_breaks(text: str, starts: list[tuple[int, str]]) -> list[list[int]]:
    """[[offset, page], ...] in ``text`` for each page given as (page, its first words as
    extracted), searched in order so a page's words are looked for after the page before;
    a page whose words are not in the text (they became a heading) is left out."""
    squeezed, offsets = _squeezed(text)
    found: list[list[int]] = []
    position = 0
    for page, words in starts:
        needle = _squeezed(words)[0][:SNIPPET_LENGTH]
        at = squeezed.find(needle, position) if needle else -1
        if at < 0:
            continue
        found.append([offsets[at], page])
        position = at + 1
    return found


def move_page_breaks(old: str, new: str, breaks: list[list[int]]) -> list[list[int]]:
    """The page breaks of ``old`` re-anchored in its edited version ``new``, as a passage
    starting at the break would be; a break whose text was deleted is dropped."""
    moved: list[list[int]] = []
    for offset, page in breaks:
        end = min(len(old), offset + SNIPPET_LENGTH)
        if end <= offset:
            continue
        anchor = reanchor(new, select(old, offset, end))
        if anchor.status != ORPHANED and (not moved or anchor.start > moved[-1][0]):
            moved.append([anchor.start, page])
    return moved
