"""Guesses at a report's metadata from its first lines (pure functions).

Only what the text states is proposed: a date printed in the header (2021年4月5日,
2019/11/06, 2020.6.30, 令和3年4月5日), an issuing body named like one (株式会社…,
…研究所), an author after a job title, the speakers of a transcript. The editor checks
every guess in the preview.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from kb.editorial.importers.split import NUMBERED

HEADER_LINES = 40
_ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925}
_DATE_PATTERNS = [
    re.compile(r"(?P<era>令和|平成|昭和)\s*(?P<y>\d{1,2}|元)\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"),
    re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"),
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*[/.\-]\s*(?P<m>\d{1,2})\s*[/.\-]\s*(?P<d>\d{1,2})(?!\d)"),
]
_ISSUER = re.compile(
    r"((?:株式会社|一般社団法人|公益財団法人|一般財団法人|独立行政法人)\s*[^\s、。「」（）ぁ-ん]{2,30}"
    r"|[^\s、。「」（）ぁ-ん]{2,30}?(?:研究所|研究院|総研|大学|銀行|機構|協会|省|庁))"
)
_JOB = r"(?:所長|研究所長|研究員|主任研究員|上席研究員|コンサルタント|教授|准教授|研究委員|理事長|代表|記者|アナリスト|エコノミスト)"
_AUTHOR = re.compile(rf"{_JOB}\s+([一-龥々]{{1,4}}\s?[一-龥々]{{1,4}})\s*$")
_SPEAKER = re.compile(r"^\s*＜([^＞・]{1,20})")
_ROLE_SUFFIX = re.compile(rf"(?:{_JOB}|顧問|氏|さん|先生)$")


def _header(text: str) -> list[str]:
    """Short lines in short blocks near the top: where a report prints its issuer, byline
    and date. Wrapped prose (long blocks, sentences) is never read for metadata. A numbered
    heading ("第1章 概要") ends a block: a byline right above it is still a short block."""
    lines = [unicodedata.normalize("NFKC", line).strip() for line in text[:6000].split("\n")]
    blocks: list[list[str]] = [[]]
    for line in lines:
        if NUMBERED.match(line):
            blocks.append([])
        elif line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    header = [
        line for block in blocks if len(block) <= 4
        for line in block if len(line) <= 50 and not line.endswith("。")
    ]
    return header[:HEADER_LINES]


def guess_date(text: str) -> date | None:
    """The first full date printed in the report's header."""
    for line in _header(text):
        for pattern in _DATE_PATTERNS:
            match = pattern.search(line)
            if not match:
                continue
            parts = match.groupdict()
            year = 1 if parts["y"] == "元" else int(parts["y"])
            if parts.get("era"):
                year += _ERAS[parts["era"]]
            try:
                return date(year, int(parts["m"]), int(parts["d"]))
            except ValueError:
                continue
    return None


def guess_publisher(text: str) -> str:
    for line in _header(text):
        match = _ISSUER.match(line)
        if match:
            return match.group(1).replace(" ", "")
    return ""


def guess_authors(text: str) -> list[str]:
    """A byline's name (after a job title), or a transcript's speakers in order."""
    speakers: list[str] = []
    for line in text.split("\n"):
        match = _SPEAKER.match(line)
        if match:
            name = _ROLE_SUFFIX.sub("", match.group(1).strip())
            if name and name not in speakers:
                speakers.append(name)
    if speakers:
        return speakers
    for line in _header(text):
        match = _AUTHOR.search(line)
        if match:
            return [match.group(1).replace(" ", "")]
    return []


def guess_kind(text: str, *, slides: bool) -> str:
    """One of Article.Kind's values."""
    if len(_SPEAKER.findall(text)) + len(re.findall(r"(?m)^\s*＜[^＞]+＞", text)) >= 4:
        return "transcript"
    if slides:
        return "slide_deck"
    header = "\n".join(_header(text))
    if re.search(r"ニュースリリース|プレスリリース|を公表|を発表|お問い合わせ", text[:3000] + header):
        return "press_release"
    if text.count("本書") >= 5 or "書評" in header:
        return "book_review"
    return "report"
