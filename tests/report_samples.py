"""Reports with known metadata and sections with known topics, in the styles editors
import (white papers with a title page or only a running header, research reports with
a byline, press materials, transcripts, columns, book reviews), with the traps real ones
hold: 発表 in prose, a figure's source line naming a ministry near the top, ＜事例＞ box
headings, a コラム box inside a white paper, AI inside MAIL, 中ロ inside 中ロット.
For the import benchmark (manage.py bench_import) and its tests; deterministic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from tests.pdfwriter import text_pdf
from tests.whitepapers import SENTENCES

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PROSE = "".join(SENTENCES[:4])
TRAPS = ("政府は新たな方針を発表した。各社は計画を公表している。"
         "（出典）総務省「情報通信白書」\n＜事例＞地方自治体の取組\n" + "".join(SENTENCES[4:]))


@dataclass
class Sample:
    name: str
    filename: str
    content: bytes
    # Field → true value; a field left out is not scored (not printed in the document).
    truth: dict = field(default_factory=dict)


def _pages(*pages: str) -> bytes:
    return text_pdf(list(pages))


def _body(chapters: int = 2, heading: str = "第{n}章　{t}") -> str:
    titles = ["デジタル経済の現状", "データ流通と制度", "今後の展望"]
    return "\n".join(f"{heading.format(n=n, t=titles[n - 1])}\n{PROSE}\n{TRAPS}"
                     for n in range(1, chapters + 1))


def _written() -> list[Sample]:
    white = "令和5年版　情報通信白書"
    samples = [
        # A white paper's title page, its chapters on the next pages, a colophon.
        Sample("white paper (PDF, title page)", "wp.pdf", _pages(
            f"{white}\n\n総務省", _body(), "コラム1　デジタル人材の育成\n" + PROSE,
            "令和5年7月4日発行\n編集・発行　総務省"),
            {"title": white, "publisher": "総務省", "year": 2023,
             "published_on": date(2023, 7, 4), "authors": [], "kind": "white_paper"}),
        # One chapter copied out of the same white paper: no title page, no issuer.
        Sample("white paper chapter (txt)", "ch.txt", (
            f"{white}\n第2章　デジタル経済の現状\n{PROSE}\n{TRAPS}\n").encode(),
            {"publisher": "総務省", "year": 2023, "published_on": None, "authors": [],
             "kind": "white_paper"}),
        Sample("white paper, Heisei era (txt)", "h30.txt", (
            f"平成30年版　通商白書\n経済産業省\n{_body(1)}\n").encode(),
            {"title": "平成30年版 通商白書", "publisher": "経済産業省", "year": 2018,
             "published_on": None, "authors": [], "kind": "white_paper"}),
        Sample("research report (txt)", "rr.txt", (
            "中国デジタル経済の動向に関する調査報告書\n2022年度　経済産業省委託調査\n"
            "株式会社未来経済総合研究所\n主任研究員 佐藤健一\n2023年3月31日\n"
            f"{_body(3, '{n}．{t}')}\n").encode(),
            {"title": "中国デジタル経済の動向に関する調査報告書",
             "publisher": "株式会社未来経済総合研究所", "year": 2023,
             "published_on": date(2023, 3, 31), "authors": ["佐藤健一"], "kind": "report"}),
        # A fiscal-year report with authors on a labelled line and a source line at the top.
        Sample("research report, FY (PDF)", "fy.pdf", _pages(
            "FY2021 アジアのデータ流通に関する研究\n執筆者：高橋美咲、田中一郎\n"
            "公益財団法人 国際経済研究所",
            "（出典）総務省「通信利用動向調査」\n" + _body(2, "{n}．{t}")),
            {"title": "FY2021 アジアのデータ流通に関する研究",
             "publisher": "公益財団法人国際経済研究所", "year": 2021, "published_on": None,
             "authors": ["高橋美咲", "田中一郎"], "kind": "report"}),
        Sample("press release, ministry (txt)", "pr.txt", (
            "報道発表資料\n令和5年7月4日\n総務省\n「令和5年版情報通信白書」の公表\n"
            "総務省は、「令和5年版情報通信白書」を公表しました。" + PROSE + "\n"
            "（連絡先）情報流通行政局 情報通信政策課\n").encode(),
            {"publisher": "総務省", "year": 2023, "published_on": date(2023, 7, 4),
             "authors": [], "kind": "press_release"}),
        Sample("press release, company (txt)", "news.txt", (
            "NEWS RELEASE\n2024年2月1日\n株式会社デジタル未来研究所\n"
            "中国の生成AI市場に関する調査結果を発表\n"
            "株式会社デジタル未来研究所（本社：東京都千代田区）は、調査結果を発表しました。"
            + PROSE + "\n").encode(),
            {"publisher": "株式会社デジタル未来研究所", "year": 2024,
             "published_on": date(2024, 2, 1), "authors": [], "kind": "press_release"}),
        Sample("transcript (txt)", "tr.txt", (
            "座談会　デジタル人民元の行方\n2023年11月20日\n一般社団法人 金融経済研究会\n"
            "＜司会＞\nそれでは始めます。\n＜山本＞\n" + PROSE + "\n＜木村＞\n" + PROSE
            + "\n＜山本＞\nありがとうございます。\n＜木村＞\n以上です。\n").encode(),
            {"publisher": "一般社団法人金融経済研究会", "year": 2023,
             "published_on": date(2023, 11, 20), "authors": ["山本", "木村"],
             "kind": "transcript"}),
        Sample("column (txt)", "col.txt", (
            "コラム　半導体の供給網を考える\n上席研究員 中村真一\n2024/05/10\n"
            + PROSE + "\n" + TRAPS + "\n").encode(),
            {"title": "コラム 半導体の供給網を考える", "publisher": "", "year": 2024,
             "published_on": date(2024, 5, 10), "authors": ["中村真一"], "kind": "column"}),
        Sample("book review (txt)", "br.txt", (
            "書評　『中国のデータ経済』\n評者　准教授 小林正樹\n2022年9月1日\n"
            + PROSE + "\n").encode(),
            {"year": 2022, "published_on": date(2022, 9, 1), "authors": ["小林正樹"],
             "kind": "book_review"}),
        # A report whose prose says 発表 and whose boxes are ＜事例＞: neither a press
        # release nor a transcript, and no box is an author.
        Sample("report with traps (txt)", "traps.txt", (
            "地方のデジタル化に関する調査\n" + ("\n".join([TRAPS] * 3)) + "\n").encode(),
            {"title": "地方のデジタル化に関する調査", "publisher": "", "year": None,
             "published_on": None, "authors": [], "kind": "report"}),
    ]
    return samples


def _fixtures() -> list[Sample]:
    """The shipped corpus's sources, with what their fixtures say that the text prints."""
    samples = []
    for path in sorted((FIXTURES / "corpus").glob("*.json")):
        article = json.loads(path.read_text(encoding="utf-8"))
        source = FIXTURES / "sources" / article["source_file"]
        published = date.fromisoformat(article["published_on"]) if article["published_on"] else None
        truth = {"kind": article["kind"], "published_on": published,
                 "year": published.year if published else None}
        if article["publisher"] in source.read_text(encoding="utf-8"):
            truth["publisher"] = article["publisher"]
        samples.append(Sample(f"corpus {path.stem[:24]}", source.name, source.read_bytes(), truth))
    return samples


def samples() -> list[Sample]:
    return _written() + _fixtures()


# Sections with the topics they are about (fixtures/topics.json slugs): accepted-by-default
# suggestions are scored against these.
TOPIC_SECTIONS: list[tuple[str, set[str]]] = [
    ("ファーウェイ（華為技術）は5G基地局の輸出を拡大している。", {"huawei-5g"}),
    ("MAILやEMAILの送受信量はSAIC社の統計で増えた。RAID構成の記憶装置も普及した。", set()),
    ("中ロット生産の工場では15GBのデータを扱う。", set()),
    ("中ロ関係は深化しており、中露の共同研究も進む。", {"sino-russian-tech"}),
    ("生成AIの規制について、中国は生成AIサービス管理暫定弁法を施行した。", {"ai-regulation"}),
    ("アリババとテンセントはクラウドサービスを海外に展開している。",
     {"platformers", "cloud-infrastructure"}),
    ("デジタル人民元（e-CNY）の実証実験が各地で進む。", {"digital-yuan"}),
    ("芝麻信用などの信用スコアは与信審査に使われている。", {"credit-scoring"}),
    ("技術供与信託の仕組みが整えられた。", set()),
    ("一帯一路沿線国への通信インフラ輸出が増えている。", {"digital-silk-road"}),
    ("データ取引所の設立が相次ぎ、データ二十条が制度の基本となった。", {"data-institutions"}),
    ("デジタル化の進展は経済成長を支えている。地方のデジタル化も課題である。", set()),
    ("DXの推進により、スマート製造が広がる。", {"industrial-digitalization"}),
    ("独禁法の運用が強化され、プラットフォーム企業への規制が進んだ。", {"platform-regulation"}),
    ("BATTERY事業とバッテリーの供給網が注目される。", set()),
    ("米中対立の下で技術覇権をめぐる競争が続く。", {"us-china-tech-rivalry"}),
    ("スマートシティの実装では交通データが活用される。", {"smart-city"}),
    ("AIを活用した行政サービスが始まった。機械学習の人材が不足している。",
     {"artificial-intelligence"}),
    ("モバイル決済とアリペイの普及が金融包摂を進めた。", {"fintech"}),
    ("Cloudflare社の障害とクラウドの冗長化が議論された。", {"cloud-infrastructure"}),
]


FIELDS = ["title", "publisher", "year", "published_on", "authors", "kind"]


def _squeezed(value):
    import re
    import unicodedata
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)) if isinstance(value, str) else value


def metadata_right(sample: Sample, proposal) -> dict[str, bool]:
    """Field → whether the proposal's guess is the truth (for the fields the sample scores)."""
    return {name: _squeezed(getattr(proposal, name)) == _squeezed(sample.truth[name])
            for name in FIELDS if name in sample.truth}
