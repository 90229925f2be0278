"""A report's metadata read from where reports print it (pure functions).

Only the front matter is read: the title page (the first page, when the text has page
breaks and that page is short) or the first lines before the body's first sentence, and
the colophon's labelled lines (発行 総務省, 執筆者：…) at the end. Prose, figure captions
and source lines (（出典）総務省…) are never read, so 発表 in a sentence does not make a
press release and a box heading is not an author. Each guess keeps its evidence (where,
which line, the line as printed) for the editor, who confirms every guess in the preview.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from kb.editorial.importers.split import NUMBERED
from kb.editorial.importers.structure import BOX, CAPTION, FOOTNOTE, SOURCE

FRONT_LINES = 40
TITLE_PAGE_LINES = 30
COLOPHON_LINES = 15
MAX_META_LINE = 50
COLUMN_CHARS = 30_000
_ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925}
_ERA_YEAR = r"(?:(?P<era>令和|平成|昭和)\s*(?P<ey>\d{1,2}|元)|(?P<y>(?:19|20)\d{2}))"
_DATE_PATTERNS = [
    re.compile(rf"{_ERA_YEAR}\s*年\s*(?P<m>\d{{1,2}})\s*月\s*(?P<d>\d{{1,2}})\s*日"),
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*[/.\-]\s*(?P<m>\d{1,2})\s*[/.\-]\s*(?P<d>\d{1,2})(?!\d)"),
]
_EDITION = re.compile(rf"{_ERA_YEAR}\s*年\s*版")  # 令和5年版: the volume's year
_MONTH = re.compile(rf"{_ERA_YEAR}\s*年\s*\d{{1,2}}\s*月")  # 2023年3月 (発行)
_FISCAL = re.compile(rf"{_ERA_YEAR}\s*年\s*度|\bFY\s*(?P<fy>(?:19|20)\d{{2}})\b", re.IGNORECASE)
_ISSUER_WORD = (r"(?:株式会社|一般社団法人|公益社団法人|公益財団法人|一般財団法人|独立行政法人|"
                r"国立研究開発法人)\s*[^\s、。「」（）()ぁ-ん]{2,30}"
                r"|[^\s、。「」（）()ぁ-ん]{1,30}?(?:総合研究所|研究所|研究院|総研|大学|銀行|機構|"
                r"協会|センター|委員会|本部|会議所|省|庁|府|局)")
_ISSUER_LINE = re.compile(rf"(?:{_ISSUER_WORD})(?:\s+(?:{_ISSUER_WORD}))*")
_ISSUER_START = re.compile(rf"({_ISSUER_WORD})(?=[「『\s]|$)")
_LABEL = re.compile(r"^(?P<label>編集\s*[・/]?\s*発行(?:者|元)?|発行(?:者|元|所)?|編著?者?|監修|"
                    r"著者|執筆(?:者)?|文責|講師|報告者)(?:\s*[:：]\s*|\s+)(?P<value>\S.*)$")
_COPYRIGHT = re.compile(r"^(?:©|\(c\)|copyright)\s*(?:©\s*)?(?:(?P<y>(?:19|20)\d{2})\s*)?(?P<value>\S.*)$",
                        re.IGNORECASE)
_JOB = (r"(?:所長|研究所長|研究員|主任研究員|上席研究員|主席研究員|上級コンサルタント|コンサルタント|"
        r"教授|准教授|講師|研究委員|理事長|代表|記者|アナリスト|エコノミスト|フェロー)")
_AUTHOR = re.compile(rf"{_JOB}\s+([一-龥々]{{1,4}}\s?[一-龥々]{{1,4}})\s*$")
_WRITTEN_BY = re.compile(r"^(?P<value>[^\s（(].*?)\s*(?:[（(](?:編著|著|編)[）)]|\s(?:編著|著|編))$")  # 山田太郎・佐藤花子 著
_NAME = re.compile(r"^[一-龥々ァ-ヶー]{2,5}(?:\s?[一-龥々ァ-ヶー]{1,5})?$")
_SPEAKER = re.compile(r"^\s*[＜<]([^＞>]{1,20})[＞>]")  # NFKC makes ＜ <, ＞ >
_ROLE_SUFFIX = re.compile(rf"(?:・.*|{_JOB}|顧問|委員長|委員|司会|氏|さん|先生)$")
# ＜…＞ lines that head a box or a figure in a white paper, not a speaker's turn.
_NOT_A_SPEAKER = re.compile(r"事例|コラム|参考|図|表|ポイント|概要|要旨|資料|注|目次|解説|Column")
# Labels printed on a title page, most specific first.
_KIND_LABELS = [
    ("press_release", re.compile(r"ニュースリリース|プレスリリース|報道発表|報道資料|報道関係者各位|"
                                 r"news\s*release|press\s*release", re.IGNORECASE)),
    ("transcript", re.compile(r"議事録|議事要旨|講演録|座談会|対談|スクリプト|速記録|シンポジウム記録")),
    ("book_review", re.compile(r"書評|ブックレビュー|book\s*review", re.IGNORECASE)),
    ("white_paper", re.compile(r"白書|青書|white\s*paper", re.IGNORECASE)),
    ("column", re.compile(r"コラム|連載|オピニオン|column", re.IGNORECASE)),
]
LABEL_ONLY = re.compile(r"(?:ニュースリリース|プレスリリース|報道発表資料?|報道資料|NEWS\s*RELEASE|"
                         r"PRESS\s*RELEASE|報道関係者各位|別紙|参考資料|概要|目次)", re.IGNORECASE)
# A white paper names its ministry by its title when a chapter's text does not.
WHITE_PAPERS = {
    "情報通信白書": "総務省", "通商白書": "経済産業省", "ものづくり白書": "経済産業省",
    "エネルギー白書": "経済産業省", "中小企業白書": "中小企業庁", "科学技術・イノベーション白書": "文部科学省",
    "防衛白書": "防衛省", "外交青書": "外務省", "経済財政白書": "内閣府", "厚生労働白書": "厚生労働省",
    "国土交通白書": "国土交通省", "環境白書": "環境省", "警察白書": "警察庁", "消費者白書": "消費者庁",
    "観光白書": "国土交通省", "情報セキュリティ白書": "独立行政法人情報処理推進機構",
    "DX白書": "独立行政法人情報処理推進機構",
}


@dataclass(frozen=True)
class Evidence:
    """Where a guess was read: ``place`` is title_page, first_lines, colophon, title (an
    inference from the title) or text; ``line`` counts from 1 in the imported text."""

    place: str
    line: int
    text: str


@dataclass
class Metadata:
    title: str = ""
    publisher: str = ""
    authors: list[str] = field(default_factory=list)
    published_on: date | None = None
    year: int | None = None
    kind: str = "report"
    evidence: dict[str, Evidence] = field(default_factory=dict)


def _lines(text: str) -> list[str]:
    return [unicodedata.normalize("NFKC", line).strip().replace("\u3000", " ")
            for line in text.split("\n")]


def _is_block(line: str) -> bool:
    return bool(CAPTION.match(line) or SOURCE.match(line) or BOX.match(line) or FOOTNOTE.match(line))


def _front(text: str, lines: list[str]) -> tuple[str, list[tuple[int, str]]]:
    """The title page's lines when the first page is short, otherwise the lines before the
    body's first sentence (or first numbered heading, or wrapped prose): (place, lines)."""
    first_page = text.split("\f", 1)[0]
    if "\f" in text and len([x for x in first_page.split("\n") if x.strip()]) <= TITLE_PAGE_LINES:
        count = first_page.count("\n") + (not first_page.endswith("\n"))  # not the next page's
        return "title_page", [(n + 1, x) for n, x in enumerate(lines[:count])
                              if x and not _is_block(x)]
    front: list[tuple[int, str]] = []
    for n, line in enumerate(lines):
        if not line or _is_block(line):
            continue
        nxt = lines[n + 1] if n + 1 < len(lines) else ""
        wrapped = len(line) >= 30 and len(nxt) >= 30
        # A comma outside a heading or a labelled line is a sentence's, wrapped or not.
        clause = "、" in line and not line.startswith("#") and not _LABEL.match(line)
        if "。" in line or clause or wrapped or NUMBERED.match(line) or len(front) >= FRONT_LINES:
            break
        front.append((n + 1, line.lstrip("#").strip()))
    return "first_lines", front


def _colophon(text: str, lines: list[str]) -> list[tuple[int, str]]:
    """The last page's or last lines' labelled lines: 発行 総務省, 執筆者：…, © 2023 …"""
    start = max(len(lines) - COLOPHON_LINES, 0)
    if "\f" in text:
        start = max(start, text.rsplit("\f", 1)[0].count("\n"))  # the line the page opens
    return [(n + 1, lines[n]) for n in range(start, len(lines))
            if lines[n] and len(lines[n]) <= MAX_META_LINE
            and (_LABEL.match(lines[n]) or _COPYRIGHT.match(lines[n]) or lines[n].endswith("発行"))]


def _year(parts: dict) -> int:
    if parts.get("era"):
        return _ERAS[parts["era"]] + (1 if parts["ey"] == "元" else int(parts["ey"]))
    return int(parts.get("y") or parts.get("fy"))


def _date(line: str) -> date | None:
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(line):
            try:
                return date(_year(match.groupdict()), int(match["m"]), int(match["d"]))
            except ValueError:
                continue
    return None


def _issuer(line: str) -> str:
    """An issuing body printed alone on its line (株式会社…, …研究所, 総務省), after a label
    (発行：…, © 2023 …), or at the start of a title line (…研究所「…」研究会)."""
    if label := _LABEL.match(line):
        if not re.search("発行|編", label["label"]):
            return ""
        line = label["value"]
    elif copyright_ := _COPYRIGHT.match(line):
        line = copyright_["value"]
    line = re.sub(r"\s*(?:編集・?)?発行$", "", line)
    if line and _ISSUER_LINE.fullmatch(line):
        return line.replace(" ", "")
    start = _ISSUER_START.match(line)
    return start.group(1).replace(" ", "") if start else ""


def _names(value: str, *, every: bool = False) -> list[str]:
    """The personal names in a byline's value; with ``every``, only if nothing else is."""
    parts = [re.sub(r"\s+", "", n) for n in re.split(r"[、,，・/／]|\s{2,}", value)]
    names = [n for n in parts if _NAME.match(n)]
    return names if not every or len(names) == len(parts) else []


def _speakers(lines: list[str]) -> tuple[list[str], int, int]:
    """A transcript's speakers in order of their first turn, their turns and first line."""
    speakers: list[str] = []
    turns = first = 0
    for n, line in enumerate(lines):
        match = _SPEAKER.match(line)
        if not match or _NOT_A_SPEAKER.search(match.group(1)):
            continue
        name = _ROLE_SUFFIX.sub("", match.group(1).strip())
        turns += 1
        first = first or n + 1
        if name and name not in speakers:
            speakers.append(name)
    return speakers, turns, first


def read_metadata(text: str, *, slides: bool) -> Metadata:
    """Publisher, authors, date, year and kind, each with its evidence."""
    lines = _lines(text)
    place, front = _front(text, lines)
    colophon = _colophon(text, lines)
    meta = Metadata()
    found = meta.evidence

    for where, candidates in ((place, front), ("colophon", colophon)):
        for n, line in candidates:
            if len(line) > MAX_META_LINE:
                continue
            if "published_on" not in found and (day := _date(line)):
                meta.published_on, found["published_on"] = day, Evidence(where, n, line)
            if "publisher" not in found and (issuer := _issuer(line)):
                meta.publisher, found["publisher"] = issuer[:200], Evidence(where, n, line)
            if "authors" not in found:
                label = _LABEL.match(line)
                written = _WRITTEN_BY.match(line)
                names = (_names(label["value"]) if label and not re.search("発行|編集", label["label"])
                         else [m.group(1).replace(" ", "") for m in [_AUTHOR.search(line)] if m]
                         or (_names(written["value"], every=True) if written else []))
                if names:
                    meta.authors, found["authors"] = names, Evidence(where, n, line)

    for n, line in front:  # the volume's year: 令和5年版, else the date's
        if match := _EDITION.search(line):
            meta.year, found["year"] = _year(match.groupdict()), Evidence(place, n, line)
            break
    if "year" not in found and meta.published_on:
        meta.year, found["year"] = meta.published_on.year, found["published_on"]
    # Then a month printed (2023年3月発行), a copyright's year, a fiscal year (2022年度, FY2022).
    for pattern, lines_of in ((_MONTH, [(place, front), ("colophon", colophon)]),
                              (_COPYRIGHT, [("colophon", colophon)]),
                              (_FISCAL, [(place, front)])):
        for where, n, line in ((w, n, x) for w, candidates in lines_of for n, x in candidates):
            if "year" not in found and (match := pattern.search(line)) and (
                    pattern is not _COPYRIGHT or match["y"]):
                meta.year, found["year"] = _year(match.groupdict()), Evidence(where, n, line)

    # The title: the first line that is none of the above, nor a label alone; on a title
    # page, with the lines right under it (令和5年版 / 情報通信白書).
    used = {found[k].line for k in ("publisher", "published_on", "authors") if k in found}
    rest = [(n, line) for n, line in front if n not in used and not LABEL_ONLY.fullmatch(line)]
    if rest:
        n = rest[0][0]
        lines_of_title = [line for m, line in rest[:3] if m - n < 3] if place == "title_page" else [rest[0][1]]
        meta.title = " ".join(lines_of_title)[:300]
        found["title"] = Evidence(place, n, meta.title)

    speakers, turns, first = _speakers(lines)
    transcript = len(speakers) >= 2 and turns >= 4 and turns > len(speakers)
    if transcript and "authors" not in found:
        meta.authors = speakers
        found["authors"] = Evidence("text", first, lines[first - 1])
    meta.kind, kind_evidence = _kind(text, lines, place, front, transcript=transcript,
                                     first_speaker=first, slides=slides, publisher=meta.publisher)
    byline = found.get("authors")
    if meta.kind == "report" and byline and byline.place != "text" and _AUTHOR.search(byline.text) \
            and not meta.publisher and len(text) < COLUMN_CHARS:
        # A short piece signed by one writer, with no issuing body: a column.
        meta.kind, kind_evidence = "column", byline
    if kind_evidence:
        found["kind"] = kind_evidence
    if not meta.publisher and meta.kind == "white_paper" and "kind" in found:
        title = found["kind"].text.replace(" ", "")
        for name, issuer in WHITE_PAPERS.items():
            if name in title:
                meta.publisher, found["publisher"] = issuer, Evidence("title", found["kind"].line,
                                                                      found["kind"].text)
                break
    return meta


def _kind(text: str, lines: list[str], place: str, front: list[tuple[int, str]], *,
          transcript: bool, first_speaker: int, slides: bool, publisher: str
          ) -> tuple[str, Evidence | None]:
    """One of Article.Kind's values, from the front matter's labels or the text's shape."""
    for kind, label in _KIND_LABELS:
        for n, line in front:
            if label.search(line):
                return kind, Evidence(place, n, line)
    if transcript:
        return "transcript", Evidence("text", first_speaker, lines[first_speaker - 1])
    if slides:
        return "slide_deck", None
    # A press release opens with its issuer as the subject: 「株式会社…（以下…）は、…」.
    after = front[-1][0] if front else 0
    lead = next(((n + 1, line) for n, line in enumerate(lines[after:], start=after) if line), None)
    if publisher and lead and re.match(rf"{re.escape(publisher)}(?:[（(][^）)]*[）)])?は", lead[1].replace(" ", "")):
        return "press_release", Evidence("first_lines", *lead)
    if (count := text.count("本書")) >= 5:
        return "book_review", Evidence("text", 0, f"本書 ×{count}")
    return "report", None
