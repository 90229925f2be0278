"""Headings from a PDF's typography: the size and weight its text layer draws each line in
(pure functions, used by ``extract``).

A typeset report sets its headings larger than its body text, or bold, one style a level:
where the text layer says so, a line in a heading style becomes a Markdown heading, ``#``
for the largest style, ``##`` for the next, so the splitter keeps the hierarchy the
typesetter gave it, numbered or not. Where the styles say less than the numbering (every
heading in one bold face, but 章, 節 and ``1`` under each other), the text is left to the
numbering rules of ``structure``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from kb.editorial.importers import structure

# (size in points, bold): how a line is drawn.
Style = tuple[float, bool]
_BOLD = re.compile(r"bold|black|heavy|semibold|demi|[-_]w[6-9]$", re.IGNORECASE)
# Larger than the body text by this factor to be a heading style (10.5 pt body, 11.5 pt
# heading).
LARGER = 1.08
# A style drawing more than this share of the text is a body style, not a heading style.
MAX_HEADING_SHARE = 0.2
# A line at the top or foot of at least this many pages is a running head, whatever its
# size.
RUNNING = 3


class LineStyles:
    """A ``visitor_text`` for pypdf's ``extract_text``: the style of each line of a page,
    the one most of its characters are drawn in."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, Style]] = []
        self._text: list[str] = []
        self._chars: Counter[Style] = Counter()

    def __call__(self, text: str, cm: Sequence[float], tm: Sequence[float], font: dict | None,
                 font_size: float) -> None:
        if not text:
            return
        # The size on the page: the font size scaled by the text and graphics matrices
        # (documents often set "1 Tf" and the size in the matrix).
        scale = math.hypot(tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3])
        name = str((font or {}).get("/BaseFont", ""))
        style = (round(font_size * scale, 1), bool(_BOLD.search(name)))
        *ended, rest = text.split("\n")
        for piece in ended:
            self._add(piece, style)
            self.end_line()
        self._add(rest, style)

    def _add(self, piece: str, style: Style) -> None:
        self._text.append(piece)
        self._chars[style] += len(piece.strip())

    def end_line(self) -> None:
        text = "".join(self._text).strip()
        if text and self._chars:
            self.lines.append((text, self._chars.most_common(1)[0][0]))
        self._text, self._chars = [], Counter()


def mark_headings(pages: list[str], styles: list[list[tuple[str, Style]]]) -> list[str]:
    """``pages`` (each page's extracted text) with each line set in a heading style written
    as a Markdown heading, its level from the style's rank; unchanged when the styles tell
    nothing (one style throughout) or less than the headings' numbering does."""
    chars: Counter[Style] = Counter()
    for page in styles:
        for text, style in page:
            chars[style] += len(text)
    if len(chars) < 2:
        return pages
    body_size, body_bold = chars.most_common(1)[0][0]
    total = sum(chars.values())
    heading_styles = {
        style for style, count in chars.items()
        if count <= total * MAX_HEADING_SHARE
        and (style[0] >= body_size * LARGER or (style[1] and not body_bold
                                                and style[0] >= body_size * 0.95))
    }
    # Running heads: the same line at the top or foot of most pages (or of every other
    # page, left and right pages having heads of their own).
    running = max(RUNNING, len(pages) * 0.4)
    edges: Counter[str] = Counter(
        text for page in styles for text in {t for t, _s in page[:2] + page[-2:]})
    # Each page's lines with the style of each heading (None for the others), in order.
    paged = [_styled(page, styled, heading_styles) for page, styled in zip(pages, styles)]
    found = [(text, style) for page in paged for text, style in page if style]
    used = sorted({style for _text, style in found}, key=lambda s: (-s[0], not s[1]))
    systems = {structure.system_of(text) for text, _style in found} - {None}
    if not used or len(used) < len(systems):
        return pages
    # The largest face, used once and unnumbered, is the document's title (``#``, as in
    # Markdown); a chapter copied alone opens the hierarchy with its own number (``##``).
    top = [text for text, style in found if style == used[0]]
    first = 1 if len(top) == 1 and structure.system_of(top[0]) is None else 2
    rank = {style: min(n, structure.MAX_LEVEL) for n, style in enumerate(used, start=first)}
    marked, seen = [], set()
    for page in paged:
        lines: list[str] = []
        last: Style | None = None  # the style of the line before, if a heading
        for line, style in page:
            text = line.strip()
            # A running head is marked where it first appears (a chapter's own heading).
            if style is None or (edges[text] >= running and text in seen):
                lines.append(line)
                last = None
                continue
            seen.add(text)
            if style == last and structure.system_of(text) is None \
                    and len(lines[-1]) + len(text) <= structure.MAX_HEADING:
                # A heading wrapped onto a second line in the same style, or "第1節" and
                # its title on the next.
                gap = "\u3000" if structure.is_bare_number(lines[-1].lstrip("#").strip()) else ""
                lines[-1] += gap + text
            else:
                lines.append(f"{'#' * rank[style]} {text}")
            last = style
        marked.append("\n".join(lines))
    return marked


def _styled(page: str, styled: list[tuple[str, Style]],
            heading_styles: set[Style]) -> list[tuple[str, Style | None]]:
    """The page's lines, each with its style if it is a heading: the styled lines are the
    same lines in the same order (a line the two split differently has no style)."""
    out: list[tuple[str, Style | None]] = []
    at = 0
    for line in page.split("\n"):
        text = line.strip()
        style = None
        for i in range(at, min(at + 3, len(styled))):
            if styled[i][0] == text:
                style, at = styled[i][1], i + 1
                break
        out.append((line, style if style in heading_styles and _is_heading(text) else None))
    return out


def _is_heading(text: str) -> bool:
    return (0 < len(text) <= structure.MAX_HEADING and not text.endswith("。")
            and not structure.PAGE_NUMBER.match(text) and not structure.is_block_line(text))
