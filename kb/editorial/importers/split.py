"""Split a report's text into sections by the document's own structure (pure functions).

Rules, in the order they are tried on each block (lines between blank lines):
Markdown headings (``##``); transcript speaker turns (``＜岩田＞``); ``●``/``■`` bullets
that stand alone; numbered headings (``1. …``, ``第1章 …``, ``第2節 …``, ``（1）…``, wrapped
lines joined) that are not part of a numbered list; in running prose, a short line standing
alone before a paragraph.
Pages (form feeds from PDF extraction, the printed page numbers of text copied out of a
PDF, or "3 Copyright …" footers) start a section each in slide decks, titled "p.N" and the
slide's first line, so page numbers are kept.
Each heading starts a section, with its level (2 = h2) from the nesting of the document's
heading systems (see ``structure``); a parent heading with no text of its own is kept.
Sections longer than a section may be are cut at paragraph boundaries.
Outside slide decks each section records its first and last page, and, for each page that
begins inside it, that page's number and first words (``page_marks``), which locate the
break in the section's stored text once it is saved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.cleanup import Style, clean_extracted_text, detect_style, fix_radicals, join_wrapped_lines
from kb.editorial.importers import structure
from kb.text import MAX_MARKDOWN_CHARS

# Only the opening hashes are matched by a pattern; the closing ones are stripped after.
# One pattern for both (``(.+?)\s*#*\s*$``) backtracked over a run of spaces: "# a", 3,000
# spaces and "x" took 126 s.
_MARKDOWN_OPENING = re.compile(r"\s*(#{1,6})\s+(?=\S)")
SPEAKER = re.compile(r"^\s*(＜[^＞]{1,40}＞)\s*$")
BULLET_HEADING = re.compile(r"^\s*[●■◆▶]\s*(\S.{0,48})$")
NUMBERED = re.compile(
    r"^\s*(?:(?:\d{1,2}|[０-９]{1,2})[.．](?![\d０-９])\s*\S"
    # Chapters and sections, not "第1章では…" in a sentence.
    r"|第\s*(?:[0-9０-９]{1,3}|[一二三四五六七八九十]{1,3})\s*[章節部編](?![ぁ-ん])"
    r"|[（(](?:[0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})[）)]\s*\S)"
)
# A slide section's heading as split_sections writes it ("p.3 …"), or an editor's range "p.3–4 …".
SLIDE_HEADING = re.compile(r"^p\.(\d{1,4})(?:\s*[–\-~〜]\s*(\d{1,4}))?(?:\s|$)")
PAGE_FOOTER = re.compile(r"^\s*(\d{1,3})\s*(?:Copyright|©|\(C\)|（C）)", re.IGNORECASE)
DATE_LINE = re.compile(r"^[\d\s年月日/.\-()（）]+$")
LEADING_MARKS = re.compile(r"^[\s■□●◆◇▶・•]+")
SUBTITLE = ("～", "〜", "―", "—", "－", "- ")
SENTENCE_END = ("。", "！", "？", "!", "?", "、", "，", ",", "：", ":")
# Longest line read as a heading when nothing else marks it (display characters).
MAX_PLAIN_HEADING = 40
MAX_HEADING = 80
SLIDE_CHARS = 700


def markdown_heading(line: str) -> tuple[int, str] | None:
    """A Markdown ATX heading's level and text (closing hashes dropped), or None."""
    opening = _MARKDOWN_OPENING.match(line)
    if opening is None:
        return None
    rest = line[opening.end():].rstrip()
    return len(opening.group(1)), rest.rstrip("#").rstrip() or rest[:1]


@dataclass
class ProposedSection:
    heading: str
    body: str
    page: int | None = None
    topics: list[str] = field(default_factory=list)
    page_end: int | None = None
    page_marks: list[tuple[int, str]] = field(default_factory=list)
    level: int = 2


@dataclass
class _Draft:
    heading: str
    page: int | None = None
    page_end: int | None = None
    page_marks: list[tuple[int, str]] = field(default_factory=list)
    level: int = 2
    raw: list[str] = field(default_factory=list)  # source lines, cleaned at the end
    parts: list[str] = field(default_factory=list)  # cleaned text and sub-headings
    text_since_heading: bool = False


def _blocks(lines: list[str]) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [part for block in blocks if block for part in _split_heading_lines(block)]


def _split_heading_lines(block: list[str]) -> list[list[str]]:
    """Headings with their paragraph right under them, no blank line between (text pasted
    from Word or the web: "1. はじめに" then "中国政府は…。"), or ending a block (right
    under a byline: "2021年4月5日" then "第1章　概要"), become blocks of their own.
    A numbered list, or a heading wrapped onto a second line, is left whole."""
    parts: list[list[str]] = [[]]
    for i, line in enumerate(block):
        prev = block[i - 1] if i else None
        nxt = block[i + 1] if i + 1 < len(block) else None
        if len(block) > 1 and _is_heading_line(line, prev, nxt):
            parts += [[line], []]
        else:
            parts[-1].append(line)
    return [part for part in parts if part]


def _is_heading_line(line: str, prev: str | None, nxt: str | None) -> bool:
    if structure.marked(line) or markdown_heading(line) or SPEAKER.match(line):
        return True
    text = line.strip()
    return (
        bool(NUMBERED.match(line))
        and len(text) <= MAX_PLAIN_HEADING
        and not text.endswith(SENTENCE_END)
        and not (prev is not None and NUMBERED.match(prev))
        # Whether a heading ending the block heads the next one is for _heading_of to say.
        and (nxt is None or (not NUMBERED.match(nxt) and "。" in nxt))
    )


def _joined(block: list[str]) -> str:
    return join_wrapped_lines("\n".join(block), "prose").strip()


def _clean_heading(text: str) -> str:
    return " ".join(LEADING_MARKS.sub("", text).split())


def _is_prose(block: list[str]) -> bool:
    text = "".join(line.strip() for line in block)
    return len(block) >= 2 or len(text) >= 60 or text.endswith(("。", "」", "）"))


def _heading_of(
    block: list[str], prev: list[str] | None, nxt: list[str] | None, style: Style
) -> tuple[str, int, str] | None:
    """The heading a block is, with its strength (1-6 = Markdown #, 9 = unmarked) and its
    heading system (see ``structure``), or None."""
    first = block[0]
    found = structure.marked(first)
    if found and len(block) == 1:
        return _clean_heading(found[1]), 8, found[0]
    if structure.is_block_line(first):
        return None  # a caption, source line, box or footnote
    markdown = markdown_heading(first)
    if markdown and len(block) == 1:
        return _clean_heading(markdown[1]), markdown[0], f"md{markdown[0]}"
    speaker = SPEAKER.match(first)
    if speaker and len(block) == 1:
        return speaker.group(1), 7, "speaker"
    bullet = BULLET_HEADING.match(first)
    if bullet and len(block) == 1 and not bullet.group(1).rstrip().endswith(SENTENCE_END):
        return _clean_heading(bullet.group(1)), 8, structure.system_of(first) or "bullet"
    if NUMBERED.match(first) and len(block) <= 3:
        text = _joined(block)
        in_list = nxt is not None and NUMBERED.match(nxt[0])
        in_list = in_list or (prev is not None and NUMBERED.match(prev[0]))
        if len(text) <= MAX_HEADING and not text.endswith(SENTENCE_END) and not in_list \
                and nxt is not None and _is_prose(nxt):
            return _clean_heading(text), 8, structure.system_of(first) or "num"
    # A short line alone between finished sentences and a paragraph; a line after a
    # paragraph that stops mid-sentence is the rest of it after a page break.
    after_sentence = prev is None or prev[-1].rstrip().endswith(("。", "」", "）", ")")) \
        or _heading_of(prev, None, None, style) is not None
    if style == "prose" and len(block) == 1 and nxt is not None and _is_prose(nxt) \
            and after_sentence:
        text = first.strip()
        # A clause with a comma, or a paragraph that goes on in hiragana, is running text.
        continues = "\u3040" <= nxt[0].lstrip()[:1] <= "\u309f"
        if (len(text) <= MAX_PLAIN_HEADING and not text.endswith(SENTENCE_END)
                and "。" not in text and "、" not in text and not continues
                and not DATE_LINE.match(text) and not text.startswith(("出所", "注", "※", "図"))):
            return _clean_heading(text), 9, "plain"
    return None


def split_pages(text: str, first: int = 1) -> list[tuple[int | None, str]]:
    """(page number, text) for each page: form feeds (the first page numbered ``first``),
    or footers such as "3Copyright …"."""
    if "\f" in text:
        return [(n, page) for n, page in enumerate(text.split("\f"), start=first)]
    pages: list[tuple[int | None, str]] = []
    current: list[str] = []
    for line in text.split("\n"):
        footer = PAGE_FOOTER.match(line)
        if footer:
            pages.append((int(footer.group(1)), "\n".join(current)))
            current = []
        else:
            current.append(line)
    if not pages:
        return [(None, text)]
    last = pages[-1][0] or len(pages)
    pages.append((last + 1, "\n".join(current)))
    return pages


def slide_pages(heading: str) -> tuple[int, int] | None:
    """The first and last slide a slide section's "p.N" or "p.N–M" heading names."""
    found = SLIDE_HEADING.match(heading)
    if not found:
        return None
    first = int(found.group(1))
    return first, max(first, int(found.group(2) or first))


def split_sections(text: str) -> list[ProposedSection]:
    """The sections a report's text proposes, in reading order, with cleaned Markdown bodies."""
    text = fix_radicals(text.replace("\r\n", "\n").replace("\r", "\n"))
    style = detect_style(text.replace("\f", "\n"))
    pages = split_pages(text)
    # A slide deck: many pages, little text on each (a report page holds 1,000+ characters).
    by_page = len(pages) >= 3 and (
        style == "slides" or sum(len(p) for _n, p in pages) / len(pages) < SLIDE_CHARS
    )
    if not by_page and style != "slides":
        # Page breaks on lines of their own, so page furniture next to them is found. Not
        # in slide-like text: its short labels ("②紹介とマッチング") are not headings.
        first = 1
        if "\f" not in text:
            # Copied out of a PDF: its printed page numbers are the pages there are.
            text, first = structure.printed_pages(text)
        pages = split_pages(structure.prepare(text.replace("\f", "\n\f\n")), first)
    drafts: list[_Draft] = []
    levels = structure.Levels()
    for number, page in pages:
        blocks = _blocks(page.split("\n"))
        if by_page:
            if not blocks:
                continue
            # The slide's title is its first line (extractors often drop blank lines).
            title, *rest = blocks[0]
            drafts.append(_Draft(heading=f"p.{number} {_clean_heading(title)}", page=number))
            blocks = [rest, *blocks[1:]] if rest else blocks[1:]
        elif not drafts:
            drafts.append(_Draft(heading="", page=number))
        _split_blocks(blocks, drafts, style, paged=by_page, page=number, levels=levels)
    sections = [_finish(draft, style) for draft in drafts]
    return [part for s in sections if s.heading or s.body for part in _within_limit(s)]


def _within_limit(section: ProposedSection) -> list[ProposedSection]:
    """The section, or its parts under the section size limit (cut at paragraphs), the
    parts after the first headed "heading (2)", "(3)"…"""
    limit = MAX_MARKDOWN_CHARS - 1_000  # room for an editor's additions
    parts = structure.split_long(section.body, limit)
    if len(parts) == 1:
        return [section]
    # Each part keeps the pages whose first words it holds.
    return [ProposedSection(heading=section.heading if n == 1 else f"{section.heading} ({n})"[:300],
                            body=part, page=section.page, topics=section.topics,
                            level=section.level, page_end=section.page_end,
                            page_marks=[mark for mark in section.page_marks if mark[1][:20] in part])
            for n, part in enumerate(parts, start=1)]


def _split_blocks(blocks: list[list[str]], drafts: list[_Draft], style: Style,
                  paged: bool, page: int | None, levels: structure.Levels) -> None:
    for i, block in enumerate(blocks):
        prev = blocks[i - 1] if i else None
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        found = None if paged else _heading_of(block, prev, nxt, style)
        current = drafts[-1]
        if found is None:
            if page is not None and current.page is not None and page > (current.page_end
                                                                         or current.page):
                # The section runs on onto this page: remember where, by its first words.
                current.page_marks.append((page, " ".join(block)[:80]))
            if page is not None:
                current.page_end = max(page, current.page_end or 0)
            current.raw += [*block, ""]
            current.text_since_heading = True
            continue
        heading, strength, system = found
        if not current.heading and (not current.text_since_heading or strength <= 2):
            # The document's title: what came before it (issuer, date) stays its body. A
            # numbered title (a chapter copied alone) opens the hierarchy; a plain one does not.
            current.heading = heading
            current.text_since_heading = False
            if system not in ("plain", "md1"):
                current.level = levels.level(system)
        elif len(drafts) == 1 and not current.text_since_heading and heading.startswith(SUBTITLE):
            # The title's subtitle ("～…～") stays under the title.
            _flush(current, style)
            # Markdown level 3: an h3 under the section's h2, so the page's outline has no
            # gap (screen readers navigate by it; axe's heading-order rule checks it).
            current.parts.append(f"### {heading}")
        else:
            # A heading right under a heading is a section of its own, even with no text:
            # the parent stays in the table of contents.
            drafts.append(_Draft(heading=heading, page=page if page is not None else current.page,
                                 level=levels.level(system)))


def _flush(draft: _Draft, style: Style) -> None:
    if any(line.strip() for line in draft.raw):
        # Footnotes to the end of the section; a slide's notes stay on the slide.
        raw = draft.raw if style == "slides" else structure.notes_last(draft.raw)
        draft.parts.append(clean_extracted_text("\n".join(raw), style).strip())
    draft.raw = []
def _is_title_with_byline(block: list[str]) -> bool:
    title, *byline = (line.strip() for line in block)
    return (
        0 < len(title) <= MAX_HEADING
        and not title.endswith(SENTENCE_END)
        and 0 < len(byline) <= 3
        and all(DATE_LINE.match(line) or len(line) <= 20 for line in byline)
    )


def _finish(draft: _Draft, style: Style) -> ProposedSection:
    if not draft.heading and not draft.parts:
        # An untitled opening: its first block, if short, is the document's own title.
        blocks = _blocks(draft.raw)
        title = _joined(blocks[0]) if blocks and len(blocks[0]) <= 2 else ""
        if title and len(title) <= MAX_HEADING and not title.endswith(SENTENCE_END):
            draft.heading = _clean_heading(title)
            first = draft.raw.index(blocks[0][-1])
            draft.raw = draft.raw[first + 1:]
        elif blocks and _is_title_with_byline(blocks[0]):
            # "Title / author / date" with no blank lines: the byline stays as the body.
            draft.heading = _clean_heading(blocks[0][0])
            draft.raw = draft.raw[draft.raw.index(blocks[0][0]) + 1:]
    _flush(draft, style)
    body = "\n\n".join(part for part in draft.parts if part)
    return ProposedSection(heading=draft.heading[:300], body=body, page=draft.page,
                           page_end=draft.page_end or draft.page, page_marks=draft.page_marks,
                           level=draft.level)
