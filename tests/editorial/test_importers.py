"""The import parser (kb/importers): text in, proposed article out; no database."""

from __future__ import annotations

import io
import json
import re
import unicodedata
from datetime import date
from pathlib import Path

import docx
import pytest

from kb.editorial.importers import (
    ImportRejected,
    build_profiles,
    checksum,
    extract,
    propose_article,
    suggest,
)
from tests.pdfwriter import text_pdf

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
ARTICLES = {p.name: json.loads(p.read_text(encoding="utf-8"))
            for p in sorted((FIXTURES / "corpus").glob("*.json"))}
MAX = 1_000_000


def squeeze(text: str) -> str:
    """Headings compared without layout: NFKC, no whitespace, no bullet marks."""
    return re.sub(r"[\s■●・]+", "", unicodedata.normalize("NFKC", text))


def source_lines(article: dict) -> set[str]:
    text = (FIXTURES / "sources" / article["source_file"]).read_text(encoding="utf-8")
    return {squeeze(line.lstrip("#")) for line in text.split("\n")}


@pytest.mark.parametrize("name", [n for n in ARTICLES if ARTICLES[n]["kind"] != "slide_deck"])
def test_reimporting_a_corpus_source_reproduces_the_fixture_headings(name):
    """Every fixture heading that the source prints as a line (the document's own
    structure, not an editor's added title) is proposed, in the same order, and the
    importer does not invent sections the fixture does not have."""
    article = ARTICLES[name]
    text = (FIXTURES / "sources" / article["source_file"]).read_text(encoding="utf-8")
    proposed = [squeeze(s.heading) for s in propose_article(text).sections]
    lines = source_lines(article)
    # A wrapped heading ("1. B2C…が" / "けん引する…") is two source lines: join neighbours.
    raw = [squeeze(line) for line in text.split("\n") if line.strip()]
    lines |= {a + b for a, b in zip(raw, raw[1:])}
    printed = [squeeze(s["heading"]) for s in article["sections"]
               if squeeze(s["heading"]) in lines]
    assert len(printed) >= 3, "the fixture keeps the source's own headings"
    remaining = iter(proposed)
    assert all(heading in remaining for heading in printed), (printed, proposed)  # in order
    fixture_headings = {squeeze(s["heading"]) for s in article["sections"]}
    invented = [h for h in proposed if h and h not in fixture_headings]
    assert len(invented) <= 1, invented  # at most the title line of a transcript


def test_slide_deck_pdf_becomes_one_section_per_page_with_page_numbers():
    """The slide deck fixture, printed one slide per page: each page is a section titled
    "p.N" and the slide's title, as in the fixture."""
    article = ARTICLES["04-nri-media-forum-309-alibaba-tencent-ant.json"]
    single = [s for s in article["sections"] if re.match(r"^p\.\d+ ", s["heading"])]
    pages = [re.sub(r"^p\.\d+ ", "", s["heading"]) + "\n" + s["body"] for s in single]
    extracted = extract(data=text_pdf(pages), filename="deck.pdf", max_bytes=MAX)
    assert extracted.pages == len(pages)
    proposal = propose_article(extracted.text)
    headings = [s.heading for s in proposal.sections]
    assert headings == [f"p.{n} {s['heading'].split(' ', 1)[1]}"
                        for n, s in enumerate(single, start=1)]
    assert proposal.sections[3].page == 4
    assert proposal.kind == "slide_deck"
    for section, slide in zip(proposal.sections, single):
        assert squeeze(slide["body"])[:30] in squeeze(section.body)


def test_transcript_metadata_and_speaker_turns():
    text = (FIXTURES / "sources" / "001_b03c634ac603160d.txt").read_text(encoding="utf-8")
    proposal = propose_article(text)
    assert proposal.kind == "transcript"
    assert proposal.published_on == date(2020, 6, 30)
    assert proposal.publisher == "中曽根平和研究所"
    assert proposal.authors[:3] == ["岩田", "藤崎", "岡野"]
    turns = [s for s in proposal.sections if s.heading.startswith("＜")]
    assert turns[1].heading == "＜藤崎・中曽根平和研理事長＞"  # the radical ⾧ became 長
    assert turns[0].body.startswith("皆さんおはようございます。")


@pytest.mark.parametrize("line,expected", [
    ("2021年4月5日", date(2021, 4, 5)),
    ("2025 年 3 月 7 日", date(2025, 3, 7)),
    ("2019/11/06", date(2019, 11, 6)),
    ("２０１９／１１／０６", date(2019, 11, 6)),
    ("(2020.6.30 開催)", date(2020, 6, 30)),
    ("令和3年4月5日", date(2021, 4, 5)),
    ("2019/13/45", None),
])
def test_dates_in_japanese_formats(line, expected):
    text = f"報告の題名\n\n株式会社テスト総研\n\n{line}\n\n本文です。" + "あ" * 80 + "。\n"
    assert propose_article(text).published_on == expected


def test_byline_issuer_and_markdown_title():
    text = ("Nomura Research Institute\n\n株式会社野村総合研究所\n\n"
            "## 共同研究の成果を公表\n\n上級コンサルタント 李智慧\n\n"
            "本共同研究では、デジタル技術が日中両国に与える影響に焦点を当てました。\n")
    proposal = propose_article(text)
    assert proposal.title == "共同研究の成果を公表"
    assert proposal.publisher == "株式会社野村総合研究所"
    assert proposal.authors == ["李智慧"]
    assert proposal.sections[0].body.startswith("Nomura Research Institute")


def test_bullets_numbered_headings_and_lists():
    text = (
        "題名\n\n前書きの文です。" + "前" * 60 + "。\n\n"
        "1. 最初の章\n\n" + "本文" * 40 + "。\n\n"
        "●小見出し\n\n" + "内容" * 40 + "。\n\n"
        "2. 次の章\n\n" + "続き" * 40 + "。\n\n1. 項目一\n\n2. 項目二\n\n" + "結び" * 40 + "。\n"
    )
    headings = [s.heading for s in propose_article(text).sections]
    # "1. 項目一" and "2. 項目二" follow each other: a numbered list, not headings.
    assert headings == ["題名", "1. 最初の章", "小見出し", "2. 次の章"]


def test_pasted_headings_with_the_paragraph_right_under_them():
    text = ("中国のAI規制の動向\n山田太郎\n2024年5月1日\n\n"
            "1. はじめに\n中国政府は2023年に生成AIの規則を定めた。\n"
            "2. 規制の概要\n事業者には登録が求められる。\n\n"
            "3. おわりに\n今後の運用が注目される。\n\n"
            "手順は次のとおり。\n1. 届け出る\n2. 審査を受ける。\n")
    proposal = propose_article(text)
    sections = proposal.sections
    assert (proposal.title, proposal.kind) == ("中国のAI規制の動向", "report")
    assert [s.heading for s in sections] == [
        "中国のAI規制の動向", "1. はじめに", "2. 規制の概要", "3. おわりに"]
    assert sections[1].body == "中国政府は2023年に生成AIの規則を定めた。"
    assert sections[2].body == "事業者には登録が求められる。"
    # A numbered list inside a paragraph stays a list in its section.
    assert "1. 届け出る" in sections[3].body and "2. 審査を受ける。" in sections[3].body


_BYLINE = "中国のデジタル経済\n株式会社野村総合研究所\n上席研究員 山田太郎\n2021年4月5日"
_PARAGRAPH = "中国政府はデジタル経済を推進している。その規模は大きい。"


@pytest.mark.parametrize("heading", ["第1章\u3000概要", "第2節 概要", "1. 概要", "（1）概要"])
@pytest.mark.parametrize("gap", ["\n", "\n\n"], ids=["no-blank-line", "blank-line"])
def test_a_heading_right_after_the_byline_stays_a_heading(heading, gap):
    """The first heading under a report's title, issuer, author and date (with or without
    a blank line before it) starts a section: it is not merged into the byline."""
    text = f"{_BYLINE}{gap}{heading}\n\n{_PARAGRAPH}\n\n次の見出し\n\nデータの越境移転が課題である。\n"
    proposal = propose_article(text)
    assert proposal.title == "中国のデジタル経済"
    assert [squeeze(s.heading) for s in proposal.sections] == [
        "中国のデジタル経済", squeeze(heading), "次の見出し"]
    byline, first = proposal.sections[:2]
    assert "山田太郎" in byline.body and squeeze(heading) not in squeeze(byline.body)
    assert first.body == _PARAGRAPH
    assert proposal.authors == ["山田太郎"] and proposal.published_on == date(2021, 4, 5)


def test_chapter_markers_in_lists_and_sentences_are_not_headings():
    text = ("中国のデジタル経済\n上席研究員 山田太郎\n2021年4月5日\n\n第1章\u3000概要\n\n"
            "課題は次のとおり。\n（1）データの越境移転\n（2）個人情報保護\n\n"
            "第1章で述べたように、規模は大きい。\n\n第2章\u3000展望\n今後の動向が注目される。\n")
    sections = propose_article(text).sections
    assert [s.heading for s in sections] == ["中国のデジタル経済", "第1章 概要", "第2章 展望"]
    assert "（1）データの越境移転\n（2）個人情報保護" in sections[1].body
    assert "第1章で述べたように" in sections[1].body


def test_checksum_ignores_layout_but_not_text():
    text = "中国とロシア\n\n本文です。"
    assert checksum(text) == checksum("中国と ロシア\r\n\f本文です。 ")
    assert checksum(text) == checksum("中国とロシア\n\n本文です｡")  # NFKC: ｡ is 。
    assert checksum(text) != checksum("中国とロシア\n\n本文でした。")


def test_shift_jis_text_is_detected_and_converted():
    text = "中国のデジタル経済とプラットフォーマーの規制について。" * 5
    extracted = extract(data=text.encode("cp932"), filename="report.txt", max_bytes=MAX)
    assert extracted.text == text
    assert extracted.encoding in {"cp932", "shift_jis", "shift_jis_2004", "shift_jisx0213"}


@pytest.mark.parametrize("data,filename,code", [
    (b"", "empty.txt", "empty"),
    (b"   \n\n ", "blank.md", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "scan.txt", "binary"),
    (b"\x89PNG\r\n\x1a\n", "scan.png", "unsupported"),
    (b"PK\x03\x04 not really", "report.pdf", "not_pdf"),
    (b"%PDF-1.7 nothing else", "report.docx", "not_docx"),
    (b"x" * 2001, "big.txt", "too_large"),
])
def test_bad_files_are_refused_with_a_reason(data, filename, code):
    with pytest.raises(ImportRejected) as refused:
        extract(data=data, filename=filename, max_bytes=2000)
    assert refused.value.code == code
    assert refused.value.message


def test_pdf_without_a_text_layer_is_refused():
    blank_pages = text_pdf(["", ""])  # what a scanned, image-only PDF gives an extractor
    with pytest.raises(ImportRejected) as refused:
        extract(data=blank_pages, filename="scan.pdf", max_bytes=MAX)
    assert refused.value.code == "no_text"
    assert "OCR" in refused.value.message


def test_docx_headings_become_sections():
    document = docx.Document()
    document.add_heading("中ロのハイテク協力", level=1)
    document.add_paragraph("中ロ関係は深化している。" * 5)
    document.add_heading("ファーウェイの戦い", level=2)
    document.add_paragraph("ファーウェイをめぐる争いは続く。" * 5)
    buffer = io.BytesIO()
    document.save(buffer)
    extracted = extract(data=buffer.getvalue(), filename="report.docx", max_bytes=MAX)
    proposal = propose_article(extracted.text)
    assert [s.heading for s in proposal.sections] == ["中ロのハイテク協力", "ファーウェイの戦い"]
    assert proposal.sections[1].body.startswith("ファーウェイをめぐる争いは続く。")


PROFILES = build_profiles(
    [
        ("huawei-5g", "ファーウェイ・5G", ["ファーウェイ・5G", "Huawei & 5G", "ファーウェイ", "華為", "5G"]),
        ("sino-russian-tech", "中ロ技術協力", ["中ロ技術協力", "中ロ", "中露"]),
        ("ai-regulation", "AI規制", ["AI規制", "AI regulation"]),
    ],
    {
        "sino-russian-tech": ["ロシア科学アカデミーと中国科学院の共同研究。科学技術パークの建設。"],
        "ai-regulation": ["生成AIサービス管理暫定弁法の施行。"],
    },
)


def test_suggestions_by_alias_with_the_reason():
    found = suggest("華為技術に対する制裁措置が強化された。", PROFILES)
    assert found[0].slug == "huawei-5g"
    assert found[0].labels == ["華為"]


def test_suggestions_by_words_of_tagged_sections():
    found = suggest("モスクワで科学技術パークの協定。ロシア科学アカデミーが参加。", PROFILES)
    assert [s.slug for s in found] == ["sino-russian-tech"]
    assert found[0].labels == []
    assert "科学技術" in found[0].shared_words


def test_short_latin_aliases_match_whole_words_only():
    assert suggest("5Gの基地局", PROFILES)[0].slug == "huawei-5g"
    assert suggest("Type 15GB のディスク", PROFILES) == []
