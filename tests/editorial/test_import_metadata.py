"""Metadata read from where reports print it, each guess with the line it came from."""

from __future__ import annotations

from datetime import date

import pytest

from kb.editorial.importers import Evidence, propose_article
from tests.pdfwriter import text_pdf

PROSE = "中国ではプラットフォーム企業が産業のデジタル化を牽引している。各国はデータ流通の枠組みづくりを進めている。"


def _proposal(text: str):
    return propose_article(text)


@pytest.mark.parametrize("title,year", [
    ("令和5年版　情報通信白書", 2023),
    ("令和元年版　情報通信白書", 2019),
    ("平成30年版　通商白書", 2018),
    ("2024年版 ものづくり白書", 2024),
])
def test_a_volumes_edition_gives_its_year(title, year):
    proposal = _proposal(f"{title}\n第1章　デジタル経済の現状\n{PROSE}\n")
    assert proposal.year == year and proposal.published_on is None
    assert proposal.evidence["year"] == Evidence("first_lines", 1, title.replace("\u3000", " "))


@pytest.mark.parametrize("line,year", [
    ("2022年度　経済産業省委託調査", 2022),
    ("令和4年度 調査研究報告書", 2022),
    ("FY2021 アジアのデータ流通に関する研究", 2021),
])
def test_a_fiscal_year_gives_the_year_when_no_date_is_printed(line, year):
    proposal = _proposal(f"中国のデジタル経済\n{line}\n\n{PROSE}\n")
    assert proposal.year == year and proposal.evidence["year"].line == 2


def test_a_printed_date_gives_the_date_and_its_year():
    proposal = _proposal(f"中国のデジタル経済\n株式会社テスト総合研究所\n令和6年3月29日\n\n{PROSE}\n")
    assert proposal.published_on == date(2024, 3, 29) and proposal.year == 2024
    assert proposal.evidence["published_on"] == Evidence("first_lines", 3, "令和6年3月29日")
    assert proposal.publisher == "株式会社テスト総合研究所"
    assert proposal.evidence["publisher"].line == 2


def test_a_title_page_and_a_colophon_on_their_pages():
    """A PDF's first page is its title page; its last page's labelled lines its colophon."""
    from kb.editorial.importers import extract

    pdf = text_pdf(["令和5年版　情報通信白書", f"第1章　データ流通\n{PROSE}",
                    "令和5年7月4日発行\n編集・発行　総務省"])
    text = extract(data=pdf, filename="wp.pdf", max_bytes=10**7).text
    proposal = _proposal(text)
    assert (proposal.kind, proposal.year, proposal.publisher) == ("white_paper", 2023, "総務省")
    assert proposal.published_on == date(2023, 7, 4)
    assert proposal.evidence["kind"].place == "title_page"
    assert proposal.evidence["publisher"].place == "colophon"
    assert proposal.evidence["publisher"].text == "編集・発行 総務省"


def test_a_white_paper_chapter_names_its_ministry_by_its_title():
    proposal = _proposal(f"令和5年版　情報通信白書\n第2章　デジタル経済の現状\n{PROSE}\n")
    assert (proposal.kind, proposal.publisher) == ("white_paper", "総務省")
    assert proposal.evidence["publisher"].place == "title"


def test_a_figures_source_line_is_never_the_publisher():
    text = (f"地方のデジタル化に関する調査\n（出典）総務省「情報通信白書」\n資料：経済産業省\n"
            f"図表1-1　企業の推移\n{PROSE}\n")
    proposal = _proposal(text)
    assert proposal.publisher == "" and "publisher" not in proposal.evidence


def test_published_or_announced_in_prose_is_not_a_press_release():
    text = f"中国のAI規制の動向\n\n政府は新たな方針を発表した。各社も計画を公表している。{PROSE}\n"
    assert _proposal(text).kind == "report"


@pytest.mark.parametrize("text,line", [
    (f"報道発表資料\n令和5年7月4日\n総務省\n白書の公表\n{PROSE}\n", 1),
    ("2024年2月1日\n株式会社デジタル未来研究所\n調査結果\n\n"
     f"株式会社デジタル未来研究所（本社：東京都千代田区）は、調査結果を発表しました。{PROSE}\n", 5),
])
def test_press_releases_by_their_label_or_their_issuers_lead(text, line):
    proposal = _proposal(text)
    assert proposal.kind == "press_release" and proposal.evidence["kind"].line == line


def test_box_headings_are_neither_speakers_nor_authors():
    text = (f"令和5年版　情報通信白書\n第1章　地方の取組\n＜事例＞地方自治体の取組\n{PROSE}\n"
            f"＜コラム＞人材の育成\n{PROSE}\n＜事例＞中小企業のDX\n{PROSE}\n＜参考＞用語\n{PROSE}\n")
    proposal = _proposal(text)
    assert proposal.kind == "white_paper" and proposal.authors == []


def test_a_transcripts_speakers_are_its_authors():
    text = ("座談会　デジタル人民元の行方\n2023年11月20日\n\n＜山本＞\n" + PROSE + "\n＜木村＞\n"
            + PROSE + "\n＜山本＞\nありがとうございます。\n＜木村＞\n以上です。\n")
    proposal = _proposal(text)
    assert proposal.kind == "transcript" and proposal.authors == ["山本", "木村"]


@pytest.mark.parametrize("line,authors", [
    ("執筆者：高橋美咲、田中一郎", ["高橋美咲", "田中一郎"]),
    ("主任研究員 佐藤健一", ["佐藤健一"]),
])
def test_authors_from_a_byline(line, authors):
    proposal = _proposal(f"中国のデジタル経済\n{line}\n株式会社テスト総合研究所\n\n{PROSE}\n")
    assert proposal.authors == authors and proposal.evidence["authors"].line == 2


@pytest.mark.parametrize("first,kind", [
    ("コラム　半導体の供給網を考える", "column"),
    ("書評　『中国のデータ経済』", "book_review"),
    ("中国デジタル経済の動向に関する調査報告書", "report"),
])
def test_kinds_printed_on_the_first_line(first, kind):
    proposal = _proposal(f"{first}\n2024/05/10\n\n{PROSE}\n")
    assert proposal.kind == kind
    assert proposal.year == 2024


def test_the_title_comes_with_its_line():
    proposal = _proposal(f"\n\n中国のデジタル経済\n株式会社テスト総合研究所\n\n{PROSE}\n")
    assert proposal.title == "中国のデジタル経済"
    assert proposal.evidence["title"] == Evidence("first_lines", 3, "中国のデジタル経済")


def test_the_preview_shows_where_each_guess_came_from(editor_client, make_article):
    """The editor sees each guess's line, the labels a topic was found by (pre-filled) and,
    apart and not pre-filled, topics proposed by shared words alone."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from kb.library.models import Topic

    huawei = Topic.objects.create(slug="huawei-5g", name="ファーウェイ・5G")
    huawei.aliases.create(name="華為")
    Topic.objects.create(slug="silk-road", name="デジタル一帯一路")
    make_article(sections=[("沿線国", "通信インフラの整備と海底ケーブルの敷設。", ["silk-road"])])
    text = ("令和5年版　情報通信白書\n総務省\n第1章　通信インフラ\n"
            "華為は通信インフラの整備を進める。華為の海底ケーブル事業も伸びた。\n")
    upload = SimpleUploadedFile("wp.txt", text.encode(), content_type="text/plain")
    response = editor_client.post(reverse("admin:kb_article_import"), {"step": "upload", "file": upload},
                                  HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert 'value="white_paper" selected' in html and 'value="総務省"' in html
    assert 'Year 2023: from the first lines, line 1: <q lang="ja">令和5年版 情報通信白書</q>' in html
    assert 'from the first lines, line 2: <q lang="ja">総務省</q>' in html
    assert "Date: not found in the title page, first lines or colophon" in html
    named, similar = html.split("Similar wording only")
    assert '<q lang="ja">華為</q> ×2' in named and 'value="ファーウェイ・5G"' in named
    assert "デジタル一帯一路" in similar and "デジタル一帯一路" not in named.split("Topics named")[1]


def test_a_month_of_publication_gives_the_year_before_a_fiscal_year():
    proposal = _proposal(f"中国のデジタル経済に関する調査報告書\n2022年度 委託調査\n2023年3月\n\n{PROSE}\n")
    assert (proposal.year, proposal.published_on) == (2023, None)
    assert proposal.evidence["year"].line == 3


def test_authors_named_before_written_by():
    proposal = _proposal(f"中国のデータ経済\n山田太郎・佐藤花子 著\n\n{PROSE}\n")
    assert proposal.authors == ["山田太郎", "佐藤花子"]


def test_a_sentence_wrapped_at_the_top_is_prose_not_a_date_line():
    text = ("2017年5月、北京市で開催された国際\n協力フォーラムにて、中国政府は構想を\n提唱した。"
            + PROSE + "\n")
    proposal = _proposal(text)
    assert (proposal.year, proposal.published_on) == (None, None)


def test_a_title_page_of_several_lines_gives_the_title_and_a_label_is_no_title():
    from kb.editorial.importers import extract

    pdf = text_pdf(["令和5年版\n情報通信白書\n\n総務省", f"第1章　データ流通\n{PROSE}"])
    proposal = _proposal(extract(data=pdf, filename="wp.pdf", max_bytes=10**7).text)
    assert (proposal.title, proposal.year, proposal.publisher) == ("令和5年版 情報通信白書", 2023, "総務省")
    proposal = _proposal(f"報道関係者各位\n2024年1月10日\n一般社団法人デジタル経済協会\n\n新会長の就任について\n{PROSE}\n")
    assert proposal.title == "新会長の就任について" and proposal.kind == "press_release"


def test_a_colophons_copyright_gives_the_publisher_and_year():
    proposal = _proposal(f"中国のAI規制\n\n{PROSE}\n{PROSE}\n\n© 2023 株式会社テスト総合研究所\n")
    assert (proposal.publisher, proposal.year) == ("株式会社テスト総合研究所", 2023)
    assert proposal.evidence["year"].place == "colophon"
