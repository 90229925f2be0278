"""Ranking on the real corpus: for each query, the report that is about it comes first.

Expected answers were written by reading the five documents, not by running search.
"""

from kb.search.engine import search

DSR = "digital-silk-road-fudan-book-review"
NAK = "nakasone-digital-finance-study-group-2020-1"
CAICT = "nri-caict-joint-research-2025"
ANT = "nri-media-forum-309-alibaba-tencent-ant"
RUS = "sino-russian-high-tech-partnership-2019"

EXPECTED_TOP_ARTICLE = {
    "デジタル一帯一路": DSR,
    "復旦大学": DSR,
    "排列科技": DSR,
    "一帯一路沿線国": DSR,
    "インターネット空間運命共同体": DSR,
    "一帯一路 進出": DSR,
    "中曽根平和研究所": NAK,
    "岡野": NAK,
    "スマホ決済": NAK,
    "地政学": NAK,
    "海底ケーブル": NAK,
    "金融 研究会": NAK,
    "デジタルツイン": CAICT,
    "炭素排出データ": CAICT,
    "上海データ取引所": CAICT,
    "中国信息通信研究院": CAICT,
    "データ基本制度": CAICT,
    "ＡＩ 実装": CAICT,
    "AI 規制": CAICT,
    "ｱﾘﾊﾞﾊﾞ": ANT,
    "テンセント": ANT,
    "アント・グループ": ANT,
    "ビジネスOS": ANT,
    "延滞率": ANT,
    "ブロックチェーン": ANT,
    "零售通": ANT,
    "ユニコーン": ANT,
    "中ロ": RUS,
    "ファーウェイ": RUS,
    "軍事技術協力": RUS,
    "科学技術パーク": RUS,
    "冷戦": RUS,
    "ロボット工学": RUS,
    "党": RUS,
    "プーチン": RUS,
    '"中ロのハイテク・パートナーシップ"': RUS,
}

# Queries whose best section is known: the one whose heading names the subject.
EXPECTED_TOP_SECTION = {
    "ファーウェイ": "s04a-huawei",
    "延滞率": "p20-ant-delinquency",
    "上海データ取引所": "s09-data-exchange",
    "デジタルツイン": "s01-digital-twin",
    "ロボット工学": "s04b-ai",
    "排列科技": "s01-startups",
    "科学技術パーク": "s03b-parks",
}


def test_the_report_about_the_query_ranks_first(corpus):
    wrong = {}
    for query, slug in EXPECTED_TOP_ARTICLE.items():
        hits = search(query).hits  # a section or an analyst's passage of the report
        top = (hits[0].passage if hits[0].type == "passage" else hits[0].section).article.slug if hits else None
        if top != slug:
            wrong[query] = top
    assert wrong == {}, f"{len(wrong)} of {len(EXPECTED_TOP_ARTICLE)} queries rank another report first"


def test_the_section_whose_heading_names_the_subject_ranks_first(corpus):
    wrong = {}
    for query, anchor in EXPECTED_TOP_SECTION.items():
        top = next(h for h in search(query).hits if h.type == "section").section.anchor
        if top != anchor:
            wrong[query] = top
    assert wrong == {}
