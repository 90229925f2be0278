"""Japanese white-paper structure on import (issue 16, items 1-3): heading systems and
their hierarchy, blocks that are not headings, page furniture, joined text. No database."""

from __future__ import annotations

import io

import docx
import pytest

from kb.cleanup import join_wrapped_lines
from kb.editorial.importers import extract, propose_article
from kb.editorial.importers.split import split_sections
from kb.text import MAX_MARKDOWN_CHARS
from tests import whitepapers
from tests.pdfwriter import text_pdf

MAX = 1_000_000
P1 = "我が国のICT市場は拡大を続けており、デジタル化の進展が経済成長を支えている。"
P2 = "中国ではプラットフォーム企業が産業のデジタル化を牽引しており、その影響は大きい。"
P3 = "各国はデータ流通の枠組みづくりを進めており、国際的な協調が求められている。"


def outline(text: str) -> list[tuple[int, str]]:
    return [(s.level, s.heading) for s in propose_article(text).sections]


def test_stacked_white_paper_headings_keep_their_hierarchy():
    """章 → 節 → 1 → （1）→ ア with no text between: every heading is a section (the empty
    parents too), at its own level."""
    text = "\n".join([
        "第1章　デジタル経済の動向", "第1節　ICT産業の動向", "1　ICT市場の概況",
        "（1）世界の市場", "ア　市場規模", P1, "イ　成長率", P2, "（2）我が国の市場", P3,
        "2　デジタル化の進展", P1, "第2節　データ流通", P2, "第2章　政策の動向", P3,
    ])
    assert outline(text) == [
        (2, "第1章 デジタル経済の動向"), (3, "第1節 ICT産業の動向"), (4, "1 ICT市場の概況"),
        (5, "（1）世界の市場"), (6, "ア 市場規模"), (6, "イ 成長率"), (5, "（2）我が国の市場"),
        (4, "2 デジタル化の進展"), (3, "第2節 データ流通"), (2, "第2章 政策の動向"),
    ]
    sections = propose_article(text).sections
    assert sections[1].body == ""  # the empty parent is kept as a heading
    assert sections[4].body == P1


def test_one_paragraph_per_line_without_blank_lines():
    """The commonest copy-out form: each paragraph on one line, headings between."""
    text = "\n".join(["令和5年版　情報通信白書", "第1節　ICT産業の動向", P1, P2,
                      "■プラットフォームの影響", P3, P1, "第2節　データ流通", P2])
    sections = propose_article(text).sections
    assert [(s.level, s.heading) for s in sections] == [
        (2, "令和5年版 情報通信白書"), (2, "第1節 ICT産業の動向"),
        (3, "プラットフォームの影響"), (2, "第2節 データ流通")]
    assert sections[1].body == f"{P1}\n\n{P2}"  # one paragraph per line, not one for all


def test_a_chapter_number_on_a_line_of_its_own_takes_its_title_from_the_next():
    """PDF text layers often give "第1節" and its title as two lines."""
    text = f"第2章\nデジタル経済の動向\n{P1}\n第1節\nICT産業の動向\n{P2}\n"
    assert outline(text) == [(2, "第2章 デジタル経済の動向"), (3, "第1節 ICT産業の動向")]


def test_a_heading_glued_to_the_end_of_the_previous_sentence():
    text = f"第1章　概要\n\n{P1}{P2}第1節　ICT産業の動向\n\n{P3}\n"
    sections = propose_article(text).sections
    assert [s.heading for s in sections] == ["第1章 概要", "第1節 ICT産業の動向"]
    assert sections[0].body == P1 + P2 and sections[1].level == 3


@pytest.mark.parametrize("heading,shown", [
    ("Ⅰ　はじめに", "Ⅰ はじめに"), ("①データの利活用", "①データの利活用"),
    ("◆海外の動向", "海外の動向"), ("第2部　各論", "第2部 各論"), ("第1款　総則", "第1款 総則"),
])
def test_other_heading_systems(heading, shown):
    text = f"調査報告書\n{heading}\n{P1}\n{P2}\n"
    assert outline(text) == [(2, "調査報告書"), (2, shown)]


@pytest.mark.parametrize("name", list(whitepapers.FORMATS))
def test_generated_white_papers_keep_their_outline(name):
    """The benchmark's documents (make bench-import), two of them: every heading at its
    level, no caption, source, box or footnote as a heading, no sentence lost."""
    made = whitepapers.FORMATS[name]
    for document in map(made.variant, whitepapers.corpus(2)):
        extracted = extract(data=made.make(document), filename=made.filename, max_bytes=MAX)
        sections = propose_article(extracted.text).sections
        right, wrong = whitepapers.score(document, [(s.level, s.heading) for s in sections])
        assert right >= 0.9 * len(document.headings) and wrong == 0
        kept, count = whitepapers.sentences_kept(document, "\n".join(s.body for s in sections))
        assert kept == count


def test_captions_sources_boxes_and_footnotes_are_not_headings():
    text = "\n".join([
        "第1節　ICT産業の動向", P1 + "＊1", "図表1-2-3　ICT市場規模の推移",
        "（出典）総務省「情報通信白書」", "資料：経済産業省", "【関連データ】ICT分野の研究開発費",
        P2, "＊1　総務省「通信利用動向調査」による。", P3, "第2節　データ流通", P1,
    ])
    sections = propose_article(text).sections
    assert [s.heading for s in sections] == ["第1節 ICT産業の動向", "第2節 データ流通"]
    body = sections[0].body
    for line in ["図表1-2-3", "（出典）総務省", "資料：経済産業省", "【関連データ】"]:
        assert line in body
    # The footnote is a notes block at the end of its section.
    assert body.endswith("- ＊1　総務省「通信利用動向調査」による。")
    assert body.index(P3) < body.index("- ＊1")


def test_page_furniture_is_dropped_and_page_numbers_are_not_glued():
    header = "第1章　デジタル経済の動向"
    full = "\n".join([P1, P2, P3] * 8)  # a report page: 1,000+ characters, not a slide
    pages = [
        f"{header}\n第1節　応用事例\n{full}\nこの節では応用事例\n12",
        f"{header}\nアプリの普及を述べる。\n{full}\n13\n© 2023 Ministry",
        f"{header}\n{full}\n14",
        f"{header}\n{full}\n15",
    ]
    sections = split_sections("\f".join(pages))
    text = "\n".join(s.heading + "\n" + s.body for s in sections)
    assert "応用事例アプリ" in text and "応用事例1" not in text
    assert text.count(header.replace("\u3000", " ")) + text.count(header) == 1
    assert "Ministry" not in text and "13" not in text


def test_markdown_and_docx_heading_levels():
    text = f"# 情報通信白書\n\n## 第1章 概要\n\n### 第1節 市場\n\n{P1}\n\n#### 1 規模\n\n{P2}\n\n## 第2章 展望\n\n{P3}\n"
    assert outline(text) == [(2, "情報通信白書"), (2, "第1章 概要"), (3, "第1節 市場"),
                             (4, "1 規模"), (2, "第2章 展望")]
    document = docx.Document()
    document.add_heading("情報通信白書", level=0)
    document.add_heading("第1章 概要", level=1)
    document.add_heading("第1節 市場", level=2)
    document.add_paragraph(P1)
    document.add_heading("第2章 展望", level=1)
    document.add_paragraph(P2)
    buffer = io.BytesIO()
    document.save(buffer)
    extracted = extract(data=buffer.getvalue(), filename="w.docx", max_bytes=MAX)
    assert outline(extracted.text) == [(2, "情報通信白書"), (2, "第1章 概要"),
                                       (3, "第1節 市場"), (2, "第2章 展望")]


def test_latin_words_broken_at_line_ends_are_joined_without_a_space():
    text = "これからの時代はWe\nb3.0が重要となり、S\nNSの利用も増える。英語では the\nreport と書く。\n"
    joined = join_wrapped_lines(text, "prose")
    assert "Web3.0" in joined and "SNS" in joined and "the report" in joined


def test_a_pdf_chapter_keeps_its_headings_and_words():
    pages = ["第1節　ICT産業の動向\n" + P1 + "これからはWe\nb3.0が重要である。\n1",
             "1　市場の概況\n" + P2 + "\n2"]
    extracted = extract(data=text_pdf(pages), filename="c.pdf", max_bytes=MAX)
    sections = propose_article(extracted.text).sections
    assert [(s.level, s.heading) for s in sections] == [
        (2, "第1節 ICT産業の動向"), (3, "1 市場の概況")]
    assert "Web3.0" in sections[0].body


def test_a_very_long_section_is_split_at_paragraphs_under_the_limit():
    paragraphs = [f"{n}番目の段落である。" + P1 * 20 for n in range(150)]
    text = "第1章　長い章\n\n" + "\n\n".join(paragraphs) + "\n"
    sections = propose_article(text).sections
    assert len(sections) >= 2
    assert all(len(s.body) < MAX_MARKDOWN_CHARS for s in sections)
    assert sections[1].heading == "第1章 長い章 (2)" and sections[1].level == 2
    assert sections[1].body.startswith(tuple(f"{n}番目" for n in range(150)))
    assert sum(s.body.count("番目の段落") for s in sections) == 150
