"""PDF structure from the text layer (issue 16, items 1-2): headings by the size and weight
a typeset report draws them in, page furniture dropped and its page numbers kept as the
sections' pages."""

from __future__ import annotations

import pytest

from kb.editorial import importing, services
from kb.editorial.importers import extract, propose_article
from kb.editorial.importers.typeset import LineStyles
from tests.pdfwriter import Line, text_pdf

MAX = 1_000_000
P1 = "我が国のICT市場は拡大を続けており、デジタル化の進展が経済成長を支えている。"
P2 = "中国ではプラットフォーム企業が産業のデジタル化を牽引しており、その影響は大きい。"
P3 = "各国はデータ流通の枠組みづくりを進めており、国際的な協調が求められている。"


def outline(pdf: bytes) -> list[tuple[int, str]]:
    text = extract(data=pdf, filename="report.pdf", max_bytes=MAX).text
    return [(s.level, s.heading) for s in propose_article(text).sections]


def test_unnumbered_headings_take_their_level_from_their_size_and_weight():
    pages = [
        [Line("中国デジタル経済の動向", 20), Line("はじめに", 16), Line(P1), Line(P2),
         Line("背景", 13), Line(P3), Line("市場の拡大", 10, bold=True), Line(P1), Line(P2),
         Line("1", 8)],
        [Line("おわりに", 16), Line(P3), Line(P1), Line("2", 8)],
    ]
    assert outline(text_pdf(pages)) == [
        (2, "中国デジタル経済の動向"), (2, "はじめに"), (3, "背景"), (4, "市場の拡大"),
        (2, "おわりに")]


def test_a_caption_in_bold_and_small_print_are_not_headings():
    pages = [[Line("第1章　概要", 16), Line(P1), Line("図表1-1　市場規模の推移", 10, bold=True),
              Line("（出典）総務省", 8), Line(P2), Line("課題", 13), Line(P3)]]
    sections = propose_article(extract(data=text_pdf(pages), filename="c.pdf",
                                       max_bytes=MAX).text).sections
    assert [(s.level, s.heading) for s in sections] == [(2, "第1章 概要"), (3, "課題")]
    assert "図表1-1" in sections[0].body and "（出典）総務省" in sections[0].body


def test_a_heading_wrapped_onto_two_lines_is_one_heading():
    pages = [[Line("第2節", 14), Line("データ流通をめぐる国際協調", 14), Line(P1), Line(P2)]]
    assert outline(text_pdf(pages)) == [(2, "第2節 データ流通をめぐる国際協調")]


def test_a_large_running_head_is_a_heading_once():
    """A chapter's title drawn large at the head of every page is its heading where it
    first appears, and page furniture everywhere else."""
    body = [Line(p) for p in [P1, P2, P3] * 8]
    pages = [[Line("デジタル経済の動向", 14), *body, Line(str(n), 8)] for n in range(1, 5)]
    text = extract(data=text_pdf(pages), filename="r.pdf", max_bytes=MAX).text
    sections = propose_article(text).sections
    assert [s.heading for s in sections] == ["デジタル経済の動向"]
    assert "デジタル経済の動向" not in sections[0].body


def test_one_bold_face_for_every_heading_leaves_levels_to_the_numbering():
    """Chapter, section and numbered headings all in one bold face: the numbers say more."""
    pages = [[Line("第1章　概要", 10, bold=True), Line(P1), Line("第1節　市場", 10, bold=True),
              Line(P2), Line("1　規模", 10, bold=True), Line(P3), Line(P1)]]
    assert outline(text_pdf(pages)) == [(2, "第1章 概要"), (3, "第1節 市場"), (4, "1 規模")]


def test_the_size_on_the_page_is_the_font_size_times_the_text_matrix():
    """Many PDFs set "1 Tf" and scale the text matrix instead."""
    lines = LineStyles()
    lines("第1章　概要\n", [1, 0, 0, 1, 0, 0], [16, 0, 0, 16, 40, 800], {"/BaseFont": "/Mincho"}, 1)
    lines("本文", [0.5, 0, 0, 0.5, 0, 0], [20, 0, 0, 20, 40, 780], {"/BaseFont": "/Gothic-W6"}, 1)
    lines.end_line()
    assert lines.lines == [("第1章　概要", (16.0, False)), ("本文", (10.0, True))]


def copied_pages(first: int) -> str:
    """Text copied out of a PDF reader, hard-wrapped, a running head and a page number on
    each page (numbered from ``first``, as a chapter of a volume is)."""
    full = "\n".join([P1, P2, P3] * 8)
    pages = [f"第1節　応用事例\n{full}", f"{full}\n第2節　課題と展望\n{full}", full, full]
    return "\n".join(f"情報通信白書\n{page}\n{n}" for n, page in enumerate(pages, start=first))


def test_printed_page_numbers_are_dropped_and_kept_as_the_sections_pages():
    sections = propose_article(copied_pages(23)).sections
    assert [(s.heading, s.page, s.page_end) for s in sections] == [
        ("第1節 応用事例", 23, 24), ("第2節 課題と展望", 24, 26)]
    text = "\n".join(s.body for s in sections)
    assert not any(str(n) in text for n in range(23, 27))
    assert "情報通信白書" not in text


@pytest.mark.django_db
def test_an_imported_copy_records_where_its_printed_pages_begin(tmp_path):
    prepared = importing.prepare(content=copied_pages(23).encode(), filename="copied.txt")
    article = services.import_article(data=prepared.data, user=None, source_name="copied.txt")
    second = article.sections.get(heading="第2節 課題と展望")
    assert (second.page_start, second.page_end) == (24, 26)
    assert [page for _offset, page in second.page_breaks] == [25, 26]
    offset = second.page_breaks[0][0]
    assert second.plain_text[offset:].startswith(P1)


def test_numbers_that_do_not_count_up_a_page_apart_are_not_pages():
    text = f"第1章　概要\n{P1}\n1\n{P2}\n2\n{P3}\n3\n"
    assert [(s.page, s.page_end) for s in propose_article(text).sections] == [(None, None)]
