"""Multi-chapter test documents in the styles of Japanese government white papers and
research reports, with their true outline, in the forms editors import them: plain text
copied one paragraph per line, hard-wrapped text with page furniture, Markdown, DOCX and
PDF. For the import benchmark (manage.py bench_import) and its test; deterministic.
"""

from __future__ import annotations

import io
import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from tests.pdfwriter import Line, text_pdf

SENTENCES = [
    "我が国のICT市場は拡大を続けており、デジタル化の進展が経済成長を支えている。",
    "中国ではプラットフォーム企業が産業のデジタル化を牽引している。",
    "各国はデータ流通の枠組みづくりを進めており、国際的な協調が求められている。",
    "生成AIの利用は企業の業務効率化に大きく寄与すると期待される。",
    "通信インフラの整備は地方のデジタル化にとって欠かせない基盤である。",
    "Web3.0やSNSの普及により、個人の情報発信の在り方が変化している。",
    "サイバーセキュリティ対策の強化が官民共通の課題となっている。",
    "半導体の供給網の強靱化に向けた投資が各国で相次いでいる。",
]
TOPICS = ["ICT産業の動向", "データ流通の現状", "生成AIの活用", "通信インフラ", "デジタル人材",
          "サイバーセキュリティ", "半導体の供給網", "プラットフォーム規制", "電子商取引", "行政のデジタル化"]
KANA = "アイウエオ"
# The heading systems by depth (level 2 = depth 0), per style of document.
STYLES = {
    "white_paper": ["第{n}章　{t}", "第{n}節　{t}", "{n}　{t}", "（{n}）{t}", "{k}　{t}"],
    "research": ["Ⅰ　{t}", "{n}．{t}", "（{n}）{t}", "■{t}"],
}
ROMAN = "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ"


@dataclass
class Document:
    title: str
    # ("heading", level, text) or ("para", text) or ("block", kind, text)
    items: list[tuple] = field(default_factory=list)

    @property
    def headings(self) -> list[tuple[int, str]]:
        return [(item[1], item[2]) for item in self.items if item[0] == "heading"]

    @property
    def blocks(self) -> list[str]:
        return [item[2] for item in self.items if item[0] == "block"]


def _heading(style: str, depth: int, n: int, title: str) -> str:
    pattern = STYLES[style][depth]
    if pattern.startswith("Ⅰ"):
        return f"{ROMAN[n - 1]}　{title}"
    return pattern.format(n=n, t=title, k=KANA[(n - 1) % len(KANA)])


def document(seed: int, style: str = "white_paper", chapters: int = 3) -> Document:
    """A document of ``chapters`` chapters, headings nested as deep as its style goes,
    some stacked with no text between, paragraphs with captions, sources, boxes and
    numbered footnotes."""
    rng = random.Random(seed)
    year = 3 + seed % 4
    doc = Document(title=f"令和{year}年版　情報通信白書" if style == "white_paper"
                   else "中国デジタル経済の動向に関する調査報告書")
    footnote = 0
    depth_max = len(STYLES[style])

    def paragraphs(count: int) -> None:
        nonlocal footnote
        for _ in range(count):
            text = "".join(rng.sample(SENTENCES, 3))
            if rng.random() < 0.3:
                footnote += 1
                text = text.replace("。", f"＊{footnote}。", 1)
                doc.items.append(("para", text))
                doc.items.append(("block", "footnote",
                                  f"＊{footnote}　総務省「通信利用動向調査」（令和{year}年）による。"))
            else:
                doc.items.append(("para", text))
            if rng.random() < 0.25:
                a, b, c = seed % 9 + 1, rng.randint(1, 5), rng.randint(1, 9)
                doc.items.append(("block", "caption", f"図表{a}-{b}-{c}　{rng.choice(TOPICS)}の推移"))
                doc.items.append(("block", "source", rng.choice(
                    ["（出典）総務省「情報通信白書」", "資料：経済産業省「通商白書」",
                     "（出典）中国信息通信研究院"])))
            if rng.random() < 0.1:
                doc.items.append(("block", "box", f"【関連データ】{rng.choice(TOPICS)}の国際比較"))

    def node(depth: int, n: int) -> None:
        doc.items.append(("heading", depth + 2, _heading(style, depth, n, rng.choice(TOPICS))))
        children = rng.randint(1, 3) if depth + 1 < depth_max else 0
        # A parent heading is often stacked right on its first child, with no text of its own.
        if not children or rng.random() < 0.5:
            paragraphs(rng.randint(1, 3))
        for i in range(1, children + 1):
            node(depth + 1, i)

    for chapter in range(1, chapters + 1):
        node(0, chapter)
    return doc


def squeeze(text: str) -> str:
    return re.sub(r"[\s■●◆]+", "", unicodedata.normalize("NFKC", text))


def as_lines(doc: Document) -> str:
    """Copied out of a PDF reader: one paragraph per line, no blank lines; every other
    第N章/節 or Ⅰ heading glued to the end of the paragraph before it."""
    lines = [doc.title]
    glue = False
    for item in doc.items:
        if item[0] == "heading" and item[2][0] in "第" + ROMAN and lines[-1].endswith("。"):
            glue = not glue
            if glue:
                lines[-1] += item[2]
                continue
        lines.append(item[-1])
    return "\n".join(lines) + "\n"


def _wrapped(text: str, width: int = 38) -> list[str]:
    return [text[i:i + width] for i in range(0, len(text), width)] or [""]


def as_pages(doc: Document, lines_per_page: int = 60) -> list[str]:
    """Hard-wrapped lines on pages, each with a running header and a page number."""
    lines = [doc.title, ""]
    for item in doc.items:
        lines += [*_wrapped(item[-1]), ""] if item[0] == "para" else [item[-1], ""]
    header = doc.title.replace("　", " ")
    body = lines_per_page - 2
    return [f"{header}\n" + "\n".join(lines[i:i + body]) + f"\n{i // body + 1}"
            for i in range(0, len(lines), body)]


def as_wrapped_text(doc: Document) -> str:
    """The pages' text as a PDF reader copies it, page furniture included."""
    return "\n".join(as_pages(doc)) + "\n"


def as_markdown(doc: Document) -> str:
    parts = [f"# {doc.title}"]
    for item in doc.items:
        parts.append(f"{'#' * item[1]} {item[2]}" if item[0] == "heading" else item[-1])
    return "\n\n".join(parts) + "\n"


def as_docx(doc: Document) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading(doc.title, level=0)
    for item in doc.items:
        if item[0] == "heading":
            document.add_heading(item[2], level=item[1] - 1)
        else:
            document.add_paragraph(item[-1])
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def as_pdf(doc: Document) -> bytes:
    return text_pdf(as_pages(doc))


# Sizes (points) of a typeset report: the body at 10, headings larger (bold at body size
# for the deepest), running head and page number small, captions bold and small.
HEADING_STYLES = {1: Line("", 20), 2: Line("", 16), 3: Line("", 14), 4: Line("", 12),
                  5: Line("", 11), 6: Line("", 10, bold=True)}


def as_typeset_pages(doc: Document, lines_per_page: int = 50) -> list[list[Line]]:
    """The pages of a typeset report: the same text as ``as_pages``, each line in its size
    and weight."""
    lines = [Line(doc.title, 20), Line("")]
    for item in doc.items:
        if item[0] == "para":
            lines += [Line(text) for text in _wrapped(item[-1])]
        elif item[0] == "heading":
            lines.append(HEADING_STYLES[item[1]]._replace(text=item[2]))
        else:
            lines.append(Line(item[-1], 9, bold=item[1] == "caption"))
        lines.append(Line(""))
    header = Line(doc.title.replace("　", " "), 8)
    body = lines_per_page - 2
    return [[header, *lines[i:i + body], Line(str(i // body + 1), 8)]
            for i in range(0, len(lines), body)]


def as_typeset_pdf(doc: Document) -> bytes:
    return text_pdf(as_typeset_pages(doc))


_NUMBERING = re.compile(r"^(?:第\d+[章節]|[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]|\d+|[アイウエオ])\u3000|^（\d+）|^\d+．|^■")


def unnumbered(doc: Document) -> Document:
    """The document with its headings' numbers taken off ("第1章　…" → "…"): only their
    typography tells them from the text."""
    return Document(title=doc.title, items=[
        ("heading", item[1], _NUMBERING.sub("", item[2])) if item[0] == "heading" else item
        for item in doc.items])


class Format(NamedTuple):
    filename: str
    make: Callable[[Document], bytes]
    # The document a format is made from, and scored against.
    variant: Callable[[Document], Document] = lambda doc: doc


FORMATS = {
    "txt (one paragraph a line)": Format("doc.txt", lambda d: as_lines(d).encode()),
    "txt (wrapped, page furniture)": Format("doc.txt", lambda d: as_wrapped_text(d).encode()),
    "md": Format("doc.md", lambda d: as_markdown(d).encode()),
    "docx": Format("doc.docx", as_docx),
    "pdf": Format("doc.pdf", as_pdf),
    "pdf (typeset)": Format("doc.pdf", as_typeset_pdf),
    "pdf (typeset, unnumbered headings)": Format("doc.pdf", as_typeset_pdf, unnumbered),
}


def score(doc: Document, outline: list[tuple[int, str]]) -> tuple[int, int]:
    """(true headings found at their level, blocks proposed as headings)."""
    found = [(level, squeeze(heading)) for level, heading in outline]
    remaining = list(found)
    right = 0
    for level, heading in doc.headings:
        key = (level, squeeze(heading))
        if key in remaining:
            remaining.remove(key)
            right += 1
    headings = {heading for _level, heading in found}
    wrong = sum(1 for block in doc.blocks if squeeze(block) in headings)
    return right, wrong


def sentences_kept(doc: Document, bodies: str) -> tuple[int, int]:
    """(sentences of the paragraphs found whole in the bodies, sentences)."""
    text = squeeze(bodies)
    wanted = [squeeze(s) + "。" for item in doc.items if item[0] == "para"
              for s in re.sub(r"＊\d+", "", item[1]).split("。") if s]
    return sum(1 for s in wanted if s in re.sub(r"＊\d+", "", text)), len(wanted)


def corpus(count: int = 6) -> list[Document]:
    return [document(seed, "white_paper" if seed % 3 else "research", chapters=2 + seed % 3)
            for seed in range(count)]
