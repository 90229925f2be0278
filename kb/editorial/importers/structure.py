"""The heading systems and page furniture of Japanese official and research documents
(pure functions, used by ``split``).

White papers number their headings 第1部 → 第1章 → 第1節 → ``1　…`` → ``（1）…`` → ``ア　…``
→ ``①…``; research reports use ``Ⅰ``, ``■``/``●``/``◆``. A heading's *system* names which of
these it uses; its level in the document is found from the order the systems nest in
(``Levels``), because documents skip and reorder them. Figure captions, source lines,
``【関連データ】`` boxes and footnotes are never headings; page numbers, running headers and
copyright lines are page furniture, dropped from the text.

Before splitting, ``prepare`` puts each heading line found in running text on a line of its
own, marked (``MARK`` + system + ``SEP`` + text), so the splitter need not guess again:
text copied out of a PDF has headings glued to the previous sentence, stacked with no text
between, and often no blank lines at all.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from kb.cleanup import is_cjk

MARK, SEP = "\x1e", "\x1f"
MAX_LEVEL = 6
# Longest line read as a numbered heading (characters).
MAX_HEADING = 60
SHORT_LINE = 30
_KANSUJI = "一二三四五六七八九十"
_NUM = rf"(?:[0-9０-９]{{1,3}}|[{_KANSUJI}]{{1,3}})"
_SPACE = r"[\s\u3000]"
# (system, pattern) in the order tried; each pattern matches the whole heading line.
_SYSTEMS: list[tuple[str, re.Pattern[str]]] = [
    (f"ch:{unit}", re.compile(rf"^第\s*{_NUM}\s*{unit}(?:{_SPACE}+(?![ぁ-ん])\S.*|$)"))
    for unit in "部編章節款"
] + [
    ("roman", re.compile(rf"^[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]{{1,3}}(?:[.．、]|{_SPACE})\s*\S")),
    # "1　…" with a (full-width) space or "1. …"; not "1月…" or a number in a sentence.
    ("num", re.compile(r"^[0-9０-９]{1,2}(?:[.．](?![0-9０-９])\s*|\u3000+|\s+(?=[^\s\d]))"
                       r"(?![年月日%％])\S")),
    ("paren", re.compile(r"^[（(][0-9０-９]{1,2}[）)]\s*\S")),
    ("kana", re.compile(r"^[アイウエオカキクケコサシスセソタチツテト](?:\u3000|\s|[.．])\s*\S")),
    ("circled", re.compile(r"^[①-⑳]\s*\S")),
    ("square", re.compile(r"^[■□]\s*\S")),
    ("dot", re.compile(r"^[●○]\s*\S")),
    ("diamond", re.compile(r"^[◆◇]\s*\S")),
]
# Families whose members always nest in this order, whatever the document shows first.
_RANKS = {"ch:部": 0, "ch:編": 0, "ch:章": 1, "ch:節": 2, "ch:款": 3}

CAPTION = re.compile(r"^\s*(?:図表|図|表|グラフ|Figure|Table)\s*[0-9０-９]+(?:[-－‐―.．][0-9０-９]+)*")
SOURCE = re.compile(r"^\s*(?:[（(](?:出典|出所|資料|注)[）)]|(?:出典|出所|資料|注)\s*[:：]|Source\s*:)")
BOX = re.compile(r"^\s*【[^】]{1,20}】")
FOOTNOTE = re.compile(r"^\s*(?:[＊*※]\s*[0-9０-９]{1,3}|注\s*[0-9０-９]{1,3}|[（(]注\s*[0-9０-９]{1,3}[）)])"
                      r"(?:[\s\u3000:：]|(?=[^\d０-９\W]))")
PAGE_NUMBER = re.compile(r"^\s*[-－–—]?\s*[0-9０-９]{1,3}\s*[-－–—]?\s*$")
COPYRIGHT = re.compile(r"^\s*(?:©|Copyright\b|\(C\)|（C）|（c）)", re.IGNORECASE)
_GLUED = re.compile(rf"(?<=[。．！？」）)])\s*(?=第\s*{_NUM}\s*[部編章節款]{_SPACE}|[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]{{1,3}}\u3000)")
_SENTENCE_END = ("。", "！", "？", "!", "?", "、", "，", ",", "：", ":")
_CLOSING = ("。", "！", "？", "!", "?", "」", "』", "）", ")")


def system_of(line: str) -> str | None:
    """The heading system a line is written in (``ch:章``, ``num``, ``kana`` …), or None."""
    text = line.strip()
    for name, pattern in _SYSTEMS:
        if pattern.match(text):
            return name
    return None


def is_block_line(line: str) -> bool:
    """A caption, source line, box title or footnote: never a heading."""
    return any(p.match(line) for p in (CAPTION, SOURCE, BOX, FOOTNOTE))


def marked(line: str) -> tuple[str, str] | None:
    """(system, heading text) of a line ``prepare`` marked as a heading, or None."""
    if not line.startswith(MARK):
        return None
    system, _sep, text = line[1:].partition(SEP)
    return system, text.strip()


class Levels:
    """The level (2 = h2) of each heading, from the stack of systems open above it."""

    def __init__(self) -> None:
        self.stack: list[str] = []

    def level(self, system: str) -> int:
        if system in self.stack:
            del self.stack[self.stack.index(system) + 1:]
        else:
            rank = _rank(system)
            if rank is not None:
                # 第1節 after 第2款 closes the 款; a 章 closes its 節 and 款.
                for i, other in enumerate(self.stack):
                    if _family(other) == _family(system) and (_rank(other) or 0) >= rank:
                        del self.stack[i:]
                        break
            self.stack.append(system)
        return min(2 + self.stack.index(system), MAX_LEVEL)


def _family(system: str) -> str:
    return "md" if system.startswith("md") else system.split(":")[0]


def _rank(system: str) -> int | None:
    if system.startswith("md"):
        return int(system[2:])
    return _RANKS.get(system)


def _is_furniture(line: str) -> bool:
    return bool(PAGE_NUMBER.match(line) or (COPYRIGHT.match(line) and len(line.strip()) <= 80))


def drop_furniture(lines: list[str]) -> list[str]:
    """Lines without page numbers, copyright lines and running headers (a short line
    repeated next to page numbers on several pages)."""
    near: Counter[str] = Counter()
    for i, line in enumerate(lines):
        if _is_furniture(line) or "\f" in line:
            for j in (i - 2, i - 1, i + 1, i + 2):
                if 0 <= j < len(lines) and lines[j].strip() and not _is_furniture(lines[j]):
                    near[lines[j].strip()] += 1
    # A header is a title, never a sentence (a wrapped line can also sit next to a number).
    running = {line for line, n in near.items()
               if n >= 3 and len(line) <= MAX_HEADING and not line.endswith(_SENTENCE_END)}
    seen: set[str] = set()
    out = []
    for line in lines:
        text = line.strip()
        if _is_furniture(line):
            continue
        if text in running:
            # A chapter's own heading is also its running header: keep the first one.
            if text in seen or system_of(text) is None:
                continue
            seen.add(text)
        out.append(line)
    return out


# Text between two printed page numbers: at least this many characters (a page of a report).
MIN_PAGE_CHARS = 300
MIN_PAGES = 3


def printed_pages(text: str) -> tuple[str, int]:
    """Text a reader copied out of a PDF, page numbers and all (no form feeds): each page's
    number replaced by a page break, and the number of the page the text begins on, so its
    sections record the pages the reader saw. The numbers are the longest run counting up
    one by one, a page of text apart, down the text; with fewer than MIN_PAGES of them the
    text is returned as it was (first page 1)."""
    lines = text.split("\n")
    offsets, at = [], 0
    for line in lines:
        offsets.append(at)
        at += len(line) + 1
    # For each number, the longest run ending at it: (line, length, line before in the run).
    best: dict[int, tuple[int, int, int | None]] = {}
    runs: dict[int, tuple[int, int | None]] = {}
    for i, line in enumerate(lines):
        if not PAGE_NUMBER.match(line):
            continue
        number = int(re.sub(r"\D", "", unicodedata.normalize("NFKC", line)))
        before = best.get(number - 1)
        if before and offsets[i] - offsets[before[0]] >= MIN_PAGE_CHARS:
            runs[i] = (before[1] + 1, before[0])
        else:
            runs[i] = (1, None)
        if runs[i][0] >= best.get(number, (0, 0, None))[1]:
            best[number] = (i, runs[i][0], runs[i][1])
    if not runs or max(length for length, _before in runs.values()) < MIN_PAGES:
        return text, 1
    end = max(runs, key=lambda i: runs[i][0])
    chain = []
    while end is not None:
        chain.append(end)
        end = runs[end][1]
    chain.reverse()
    first = int(re.sub(r"\D", "", unicodedata.normalize("NFKC", lines[chain[0]])))
    # Numbers at the head of their pages: the text before the first one is the page before.
    if sum(1 for line in lines[:chain[0]] if line.strip()) <= 2:
        first -= 1
    for i in chain:
        lines[i] = "\f"
    return "\n".join(lines), first


def _one_paragraph_per_line(lines: list[str]) -> bool:
    """Text copied out one paragraph per line: no blank lines, and long lines end sentences
    (hard-wrapped text stops mid-sentence instead)."""
    content = [line.strip() for line in lines if line.strip()]
    if len(content) < 4 or len(lines) - len(content) > len(content) // 10:
        return False
    long = [line for line in content if len(line) >= 40]
    ended = sum(1 for line in long if line.endswith(_CLOSING))
    return bool(long) and ended / len(long) >= 0.7


def _candidate(text: str) -> str | None:
    system = system_of(text)
    if system is None or is_block_line(text) or len(text) > MAX_HEADING:
        return None
    if text.endswith(_SENTENCE_END) or "。" in text:
        return None
    return system


def _nonblank(lines: list[str], i: int, step: int) -> int | None:
    j = i + step
    while 0 <= j < len(lines) and not lines[j].strip():
        j += step
    return j if 0 <= j < len(lines) else None


def _wrapped(lines: list[str], i: int) -> bool:
    """A heading wrapped onto a short second line, a blank line after it."""
    if i + 1 >= len(lines):
        return False
    rest = lines[i + 1].strip()
    after = lines[i + 2].strip() if i + 2 < len(lines) else ""
    return (bool(rest) and not after and len(rest) <= 30 and "。" not in rest
            and system_of(rest) is None and not is_block_line(rest)
            and len(lines[i].strip()) + len(rest) <= MAX_HEADING)


def _join_across_pages(lines: list[str]) -> None:
    """A paragraph cut by a page break ("…応用事例" / page / "アプリの…") made whole again,
    in place: with one paragraph a line, no later step can tell it from two paragraphs."""
    for i, line in enumerate(lines):
        text = line.strip()
        if not text or text.endswith(_CLOSING + _SENTENCE_END) or _candidate(text) \
                or is_block_line(text) or "\f" in text:
            continue
        j = i + 1
        while j < len(lines) and not lines[j].strip(" \t\u3000"):
            j += 1
        if j >= len(lines) or lines[j].strip(" \t\u3000") != "\f":
            continue
        k = _nonblank(lines, j, 1)
        if k is None or _candidate(lines[k].strip()) or is_block_line(lines[k]):
            continue
        rest = lines[k].strip()
        if is_cjk(text[-1]) or is_cjk(rest[0]):
            lines[i], lines[k] = text + rest, ""


_BARE = re.compile(rf"^第\s*{_NUM}\s*[部編章節款]$")


def is_bare_number(text: str) -> bool:
    """"第1節" with no title: PDF text layers often give the title on the next line."""
    return bool(_BARE.match(text))


def _bare_number(text: str, lines: list[str], i: int) -> bool:
    """"第1節" alone, its title on the next line (as PDF text layers often give it)."""
    if not is_bare_number(text) or i + 1 >= len(lines):
        return False
    rest = lines[i + 1].strip()
    return bool(rest) and len(rest) <= SHORT_LINE and "。" not in rest \
        and system_of(rest) is None and not is_block_line(rest)


def prepare(text: str) -> str:
    """The text with page furniture dropped and each heading on a marked line of its own,
    blank lines around it (and between paragraphs copied out one per line)."""
    lines = drop_furniture(_GLUED.sub("\n", text).split("\n"))
    per_line = _one_paragraph_per_line(lines)
    if per_line:
        _join_across_pages(lines)
    systems = [_candidate(line.strip()) for line in lines]
    out: list[str] = []
    skip = False
    for i, line in enumerate(lines):
        if skip:
            skip = False
            continue
        text, system = line.strip(), systems[i]
        prev = lines[i - 1].strip() if i else ""
        prev_system = systems[i - 1] if i else None
        # List items share a system with the item before or after (blank lines between).
        neighbours = {system_of(lines[j]) for j in (_nonblank(lines, i, -1), _nonblank(lines, i, 1))
                      if j is not None}
        # A run of the same system with nothing between is a list, not headings; a line
        # after an unfinished sentence continues it.
        # A short line above (a title, a heading) is not a sentence being continued.
        opens = not prev or per_line or prev.endswith(_CLOSING) or prev_system is not None \
            or is_block_line(prev) or prev.startswith(MARK) \
            or (len(prev) <= SHORT_LINE and not prev.endswith(("、", "，", ",")))
        if system and opens and system not in neighbours:
            if _wrapped(lines, i) or _bare_number(text, lines, i):
                gap = "\u3000" if _BARE.match(text) else ""
                text, skip = text + gap + lines[i + 1].strip(), True
            out += ["", f"{MARK}{system}{SEP}{text}", ""]
        elif per_line and text:
            out += [line, ""]
        else:
            out.append(line)
    return "\n".join(out)


def notes_last(lines: list[str]) -> list[str]:
    """A section's lines with its footnotes moved to the end, as a list (a notes block)."""
    notes = [line.strip() for line in lines if FOOTNOTE.match(line)]
    if not notes:
        return lines
    body = [line for line in lines if not FOOTNOTE.match(line)]
    return [*body, "", *(f"- {note}" for note in notes), ""]


def split_long(body: str, limit: int) -> list[str]:
    """``body`` in parts under ``limit`` characters, cut at paragraph boundaries (a single
    paragraph over the limit at line ends, then anywhere)."""
    if len(body) <= limit:
        return [body]
    parts: list[str] = []
    current = ""
    for paragraph in _pieces(body, limit):
        if current and len(current) + 2 + len(paragraph) > limit:
            parts.append(current)
            current = ""
        current = f"{current}\n\n{paragraph}" if current else paragraph
    if current:
        parts.append(current)
    return parts


def _pieces(body: str, limit: int) -> list[str]:
    pieces = []
    for paragraph in body.split("\n\n"):
        while len(paragraph) > limit:
            cut = paragraph.rfind("\n", 0, limit)
            cut = cut if cut > 0 else paragraph.rfind("。", 0, limit) + 1 or limit
            pieces.append(paragraph[:cut].strip("\n"))
            paragraph = paragraph[cut:].strip("\n")
        pieces.append(paragraph)
    return pieces
