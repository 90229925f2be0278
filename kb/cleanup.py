"""Clean-up of text extracted from PDF reports (pure functions, no Django).

PDF extraction leaves three kinds of damage that make Japanese text unsearchable
and unpleasant to read: hard line wraps in the middle of words (コロナテッ / ク),
Kangxi radical code points in place of ordinary kanji (⾧ for 長), and odd spaces.
These functions undo that damage and nothing else: full-width punctuation and
digits are kept as the documents print them.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Literal

Style = Literal["prose", "double", "slides"]

# Kangxi Radicals and CJK Radicals Supplement: extractors emit these for some kanji.
_RADICAL_RANGES = ((0x2E80, 0x2EFF), (0x2F00, 0x2FDF))
# The same as one character class: every imported text passes through fix_radicals, and a
# Python test per character cost 4 µs (80 s for a 20 MB upload).
_RADICAL = re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _RADICAL_RANGES) + "]")

# Spaces that PDF extractors leave behind; all become an ordinary space.
_ODD_SPACES: dict[int, str | None] = dict.fromkeys(
    map(ord, "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f"), " "
)
# Zero-width characters carry nothing a reader could see; drop them.
_ODD_SPACES.update(dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None))

# Sentence-final punctuation: a wrapped line ending here ends a sentence, not a word.
_SENTENCE_END = "。！？!?"
# Closing punctuation after which a page break is not a word break.
_CLOSING = _SENTENCE_END + "」』）)】：:"

# A line that starts a list item or bullet: ●, ・ (not ・・・), •, Markdown markers,
# "1. ", "（1）", "① ", or a Markdown heading.
_ITEM_START = re.compile(
    r"^\s*(?:[●•■□◆◇▪○◎▶]|・(?!・)|[-*+]\s|\d{1,2}[.)．]\s|[（(]\d{1,2}[）)]|[①-⑳]|#{1,6}\s)"
)
_URL_LINE = re.compile(r"^https?://\S+$")
_URL_PART = re.compile(r"^[A-Za-z0-9][\w\-./%?=&#~+]*$")
_SPEAKER = re.compile(r"^＜[^＞]+＞$")  # transcript speaker marks such as ＜岩田＞


def fix_radicals(text: str) -> str:
    """Map radical code points to the ordinary kanji, leaving every other character alone.

    NFKC is applied to the radical only: applying it to the whole text would also fold
    full-width （）「」 and digits, which stored articles keep as printed.
    """
    return _RADICAL.sub(lambda radical: unicodedata.normalize("NFKC", radical.group()), text)


def is_cjk(ch: str) -> bool:
    """Kanji, kana, CJK punctuation and full-width forms: characters written without spaces."""
    code = ord(ch)
    return (
        0x2E80 <= code <= 0x2FDF  # radicals
        or 0x3000 <= code <= 0x30FF  # CJK punctuation, hiragana, katakana
        or 0x31F0 <= code <= 0x31FF
        or 0x3400 <= code <= 0x4DBF
        or 0x4E00 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0xFF00 <= code <= 0xFFEF  # full-width forms, half-width katakana
        or 0x2460 <= code <= 0x24FF  # circled numbers ①
        or code in (0x2026, 0x201C, 0x201D, 0x2018, 0x2019, 0x25CF, 0x25A0, 0x2022)
    )


def _glue(left: str, right: str) -> str:
    """Join two wrapped pieces: no space next to Japanese, one space between Latin words."""
    left, right = left.rstrip(), right.lstrip()
    if not left or not right:
        return left + right
    if is_cjk(left[-1]) or is_cjk(right[0]):
        return left + right
    if left.endswith(("-", "/")) and _URL_LINE.match(left.split()[-1]):
        return left + right  # a URL broken at a hyphen or slash continues without a space
    if _in_japanese(left, right):
        return left + right  # a Latin word broken at the line end: "We" / "b3.0が" is Web3.0
    return left + " " + right


_LATIN_TAIL = re.compile(r"[A-Za-z0-9.]+$")
_LATIN_HEAD = re.compile(r"^[A-Za-z0-9.]+")


def _in_japanese(left: str, right: str) -> bool:
    """Both pieces are a Latin word set in Japanese text with no space around it: Japanese
    lines break anywhere, so the break split the word (a real space would show)."""
    tail, head = _LATIN_TAIL.search(left), _LATIN_HEAD.match(right)
    if tail is None or head is None:
        return False
    before = left[tail.start() - 1] if tail.start() else ""
    after = right[head.end()] if head.end() < len(right) else ""
    return bool(before and after) and is_cjk(before) and is_cjk(after)


def detect_style(text: str) -> Style:
    """Guess the layout of an extracted document.

    "double": every physical line, wrapped or not, is followed by an empty line (Word
    exports such as the study-group transcript); "slides": many short lines (slide decks), where a
    line break usually separates labels; otherwise "prose".
    """
    lines = text.split("\n")
    content = [i for i, line in enumerate(lines) if line.strip()]
    if not content:
        return "prose"
    followed_by_empty = sum(1 for i in content if i + 1 < len(lines) and lines[i + 1] == "")
    # Paragraph-per-line text is also followed by empty lines; double spacing shows in
    # lines that stop mid-sentence (hard wraps) before the empty line.
    mid_sentence = sum(
        1
        for i in content
        if len(lines[i].strip()) >= 30 and not lines[i].rstrip().endswith(tuple(_CLOSING))
    )
    if followed_by_empty / len(content) > 0.9 and mid_sentence / len(content) > 0.3:
        return "double"
    short = sum(1 for i in content if len(lines[i].strip()) < 20)
    # A few short lines (a pasted note with its headings) are not yet a slide deck.
    if len(content) >= 20 and short / len(content) > 0.5:
        return "slides"
    return "prose"


def _undouble(lines: list[str]) -> list[str]:
    """Turn double-spaced lines into ordinary ones: empty lines are only line spacing,
    whitespace-only lines (" ") are the real paragraph breaks; a line ending a sentence
    ends a paragraph too (a Word paragraph's last line)."""
    out: list[str] = []
    for line in lines:
        if line == "":
            continue
        if not line.strip():
            out.append("")
            continue
        out.append(line.rstrip())
        if line.rstrip().endswith(tuple(_SENTENCE_END)) or _SPEAKER.match(line.strip()):
            out.append("")
    return out


def _blocks(lines: list[str]) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line.rstrip())
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def _starts_item(line: str) -> bool:
    return bool(_ITEM_START.match(line))


def _continues_url(prev: str, text: str) -> bool:
    """A URL broken after a hyphen or slash, continued by a bare URL fragment."""
    return prev.endswith(("-", "/")) and _URL_PART.match(text) is not None


def display_width(text: str) -> int:
    """Width in half-width cells: how full a line was on the page."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _join_block(
    block: list[str], style: Style, running: frozenset[str] = frozenset()
) -> list[str]:
    """Join the wrapped lines of one block (text between blank lines).

    ``running`` holds lines repeated on many slides (running headers): never joined.
    """
    out: list[str] = []
    last_line = ""  # the previous physical line, before any joining
    for line in block:
        raw, last_line = last_line, line.strip()
        if not out:
            out.append(line.strip() if style != "slides" else line.rstrip())
            continue
        prev = out[-1].strip()
        text = line.strip()
        new_item = (
            _starts_item(line)
            or _SPEAKER.match(text) is not None
            or _SPEAKER.match(prev) is not None
            or (_URL_LINE.match(prev) is not None and not _continues_url(prev, text))
            or _URL_LINE.match(text) is not None and not _URL_LINE.match(prev)
        )
        if style == "slides":
            # A leading blank is where a bullet glyph was lost: a new item. Otherwise join
            # only what is clearly a wrap: a long line, a list item's continuation, or
            # vertical text written one character per line.
            new_item = new_item or line[:1].isspace() or text in running or prev in running
            wrap = (
                # a line filled to the slide's text width, or stopping at a comma
                (display_width(prev) >= 80 and not prev.endswith(tuple(_SENTENCE_END)))
                or prev.endswith("、")
                or _starts_item(out[-1])
                or (len(raw) == 1 and len(text) <= 12 and is_cjk(raw))
            )
            new_item = new_item or not wrap
        if new_item:
            out.append(text)
        else:
            out[-1] = _glue(out[-1], text)
    return [line.strip() for line in out]


def _is_page_break(prev: list[str], nxt: list[str]) -> bool:
    """In prose, a blank line inside a sentence is a page or column break, not a paragraph:
    the text before it stops mid-sentence and is running text (several lines or a comma),
    not a heading, and what follows is not a new list item or heading."""
    last = prev[-1].strip()
    if last.endswith(tuple(_CLOSING)) or _starts_item(prev[0]) or _starts_item(nxt[0]):
        return False
    if _URL_LINE.match(last) or _SPEAKER.match(last):
        return False
    return len(prev) >= 2 or "、" in last


def join_wrapped_lines(text: str, style: Style | None = None) -> str:
    """Undo PDF hard wraps; keep paragraphs, list items and blanks inside lines.

    A break between two Japanese characters is removed with no space, a break between
    Latin words becomes one space. Blank lines stay paragraph breaks (except a page
    break inside a sentence in prose), list items and bullets stay on their own lines,
    and spaces inside a line are kept: in slide decks they separate labels.
    """
    style = style or detect_style(text)
    lines = text.split("\n")
    # double spacing is read before stripping: a line holding only a blank is a paragraph
    lines = _undouble(lines) if style == "double" else [line.rstrip() for line in lines]
    blocks = _blocks(lines)
    merged: list[list[str]] = []
    for block in blocks:
        if style == "prose" and merged and _is_page_break(merged[-1], block):
            merged[-1] = merged[-1][:-1] + [_glue(merged[-1][-1], block[0])] + block[1:]
        else:
            merged.append(block)
    counts = Counter(line.strip() for line in lines if len(line.strip()) >= 8)
    running = frozenset(line for line, n in counts.items() if n >= 2)
    paragraphs = ["\n".join(_join_block(block, style, running)) for block in merged]
    return "\n\n".join(paragraphs) + ("\n" if paragraphs else "")


_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def strip_extraction_markup(text: str) -> str:
    """Remove the Markdown/HTML that some PDF-to-text converters add (headings, bold,
    footnote <sup>, escaped underscores, links whose text is the URL): it is layout,
    not document text, and would show up as stray characters in sentences."""
    text = re.sub(r"(?m)^#{1,6}\s+", "", text)
    text = text.replace("**", "")
    text = re.sub(r"<sup>(\d+)</sup>", lambda m: m.group(1).translate(_SUPERSCRIPTS), text)
    text = text.replace("\\\\_", "_").replace("\\_", "_")
    text = re.sub(r"\[(https?://[^\]\s]+)\]\((https?://[^)\s]+)\)", r"\2", text)
    text = re.sub(r"<(https?://[^>\s]+)>", r"\1", text)
    return text


def clean_extracted_text(raw: str, style: Style | None = None) -> str:
    """The clean-up applied to every corpus source: radicals, odd spaces, converter
    markup, hard wraps, then at most one blank line between paragraphs."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = fix_radicals(text).translate(_ODD_SPACES)
    # Join before stripping converter markup: "## " still marks a heading line then.
    text = join_wrapped_lines(text, style)
    text = strip_extraction_markup(text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n") + "\n"


_SENTENCE = re.compile(r"[^。！？\n]*[。！？]+[」』）)]*|[^。！？\n]+")


def sentences(text: str) -> list[str]:
    """Split clean text into sentences at 。！？ (with any closing bracket) and line ends."""
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]
