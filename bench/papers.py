"""White-paper-style reports for the search benchmark, with the judgements that score it.

kb's five shipped reports are too few and too alike to show how search ranks at scale. This
writes a series of yearly white papers (one Markdown file per chapter: 第N節 / 1 / （1）
headings, figure captions and source lines, as government white papers are laid out) built
from the shipped reports' sentences, plus ``judgements.json``: for each query, the sections
that are about it. Which sections are about what is decided here, so the judgements are
exact: a section about a subject names it in most of its paragraphs (and often in its
heading); every other section that names it does so in passing, once, or is a caption.

The series is built so that storage order cannot stand in for relevance: terms common in
the early volumes (passing mentions by the thousand) have the sections about them only in
the latest volumes, and captions (short, the term once) would win on length alone.

    .venv/bin/python bench/papers.py OUT_DIR [--volumes 10] [--chapters 14] [--sections 120]
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "fixtures" / "corpus"

# subject → (sentences that are about it, the volumes (0-based from the last) that have
# sections about it). A subject's passing mentions fall in every volume.
SUBJECTS: dict[str, tuple[list[str], range]] = {
    "医療": (["医療分野のデジタル化が進み、遠隔医療の利用者が増えた。",
              "医療データの連携には本人同意と安全管理が欠かせない。",
              "オンライン診療と医療情報の共有が地域医療を支える。"], range(0, 2)),
    "規制": (["生成AIへの規制は、事業者に安全評価と届出を求める。",
              "規制当局は越境データ移転の規制を段階的に見直した。",
              "過度な規制は技術革新を妨げるとの指摘もある。"], range(0, 1)),
    "郵便": (["郵便局網は地域の行政サービスの窓口にもなっている。",
              "郵便物の減少を受け、郵便事業は物流への転換を急ぐ。"], range(0, 1)),
    "5G": (["5Gの基地局整備は地方でも進み、5G対応端末の普及率も上がった。",
            "工場での5G活用（ローカル5G）が製造業の現場を変えつつある。"], range(0, 3)),
    "デジタル人民元": (["デジタル人民元の実証実験は主要都市に広がった。",
                    "デジタル人民元は越境決済での利用も視野に入れる。"], range(0, 4)),
    "信用スコア": (["信用スコアは決済履歴から個人の信用を数値化する。",
                 "信用スコアの利用範囲を巡っては懸念も示されている。"], range(2, 6)),
    "サイバーセキュリティ": (["サイバーセキュリティ対策の強化が重要インフラに求められる。",
                       "中小企業のサイバーセキュリティ人材は不足している。"], range(0, 10)),
    "半導体": (["半導体の供給網は地政学上の緊張にさらされている。",
             "先端半導体の製造装置に輸出管理がかけられた。"], range(0, 3)),
    "データセンター": (["データセンターの電力消費が地域の系統を圧迫する。",
                  "データセンターの立地は通信網と電力の両方で決まる。"], range(0, 5)),
    "テレワーク": (["テレワークの実施率は感染症の流行期に大きく上がった。",
               "テレワークの定着には労務管理の見直しが必要だ。"], range(3, 6)),
    "海底ケーブル": (["海底ケーブルは国際通信の大半を担っている。",
                "海底ケーブルの敷設を巡り各国の競争が激しい。"], range(1, 8)),
    "電子商取引": (["電子商取引の市場規模は毎年拡大している。",
               "越境電子商取引では消費者保護の仕組みが課題となる。"], range(4, 10)),
    "Web3.0": (["Web3.0は分散型の仕組みでデータの持ち主を変えるとされる。",
                "Web3.0関連の事業では暗号資産の規律が問われる。"], range(0, 2)),
    "AI": (["AIの利活用は行政と産業の両方で広がっている。",
            "AIの判断の透明性を確保する指針が示された。"], range(0, 10)),
}
SUBJECT_HEADINGS = ["{}の動向", "{}を巡る課題", "{}の現状と展望", "{}に関する取組"]
CHAPTER_TITLES = ["ICT市場の動向", "デジタル経済の進展", "情報通信政策の展開", "国際的な動向",
                  "デジタル社会の課題", "安全・安心の確保", "地域のデジタル化", "産業の変革"]
# What the judged set asks: each subject, and two-word queries that name its context.
EXTRA_QUERIES = {"医療 データ": "医療", "規制 生成AI": "規制", "郵便 物流": "郵便",
                 "5G 基地局": "5G", "デジタル人民元 実証": "デジタル人民元",
                 "半導体 輸出管理": "半導体", "海底ケーブル 敷設": "海底ケーブル"}


def filler_sentences() -> list[str]:
    sentences = []
    for path in sorted(CORPUS.glob("*.json")):
        for section in json.loads(path.read_text(encoding="utf-8"))["sections"]:
            for s in section["body"].replace("\n", "").split("。"):
                s = re.sub(r"[#*\[\]|>]", "", s).strip()
                # Sentences that name no subject, so judgements stay exact.
                if 15 < len(s) < 120 and not any(term in s for term in SUBJECTS):
                    sentences.append(s + "。")
    return sentences


def write(out: Path, volumes: int, chapters: int, sections: int) -> dict:
    rng = random.Random(20_231)
    filler = filler_sentences()
    subjects = list(SUBJECTS)
    out.mkdir(parents=True, exist_ok=True)
    about: dict[str, list[list[str]]] = {s: [] for s in subjects}  # [file, heading]
    counts = {"files": 0, "sections": 0}
    for v in range(volumes):
        year = 2015 + v
        latest = volumes - 1 - v  # 0 = the newest volume
        for c in range(1, chapters + 1):
            lines = [f"# 令和{year - 2018}年版 情報通信白書 第{c}章 {rng.choice(CHAPTER_TITLES)}（{year}年）",
                     "", f"総務省 {year}年7月", ""]
            name = f"{year}-{c:02d}.md"
            for s in range(1, sections + 1):
                subject = rng.choice(subjects) if rng.random() < 0.12 else None
                if subject and latest not in SUBJECTS[subject][1]:
                    subject = None
                heading, body = section(rng, filler, subjects, subject, c, s)
                level = "##" if s % 30 == 1 else "###" if s % 6 == 1 else "####"
                lines += [f"{level} {heading}", "", body, ""]
                if subject:
                    about[subject].append([name, heading])
            (out / name).write_text("\n".join(lines), encoding="utf-8")
            counts["files"] += 1
            counts["sections"] += sections
    queries = {s: s for s in subjects} | EXTRA_QUERIES
    judgements = {"counts": counts,
                  "queries": {q: {"subject": s, "about": about[s]} for q, s in queries.items()}}
    (out / "judgements.json").write_text(json.dumps(judgements, ensure_ascii=False, indent=1),
                                         encoding="utf-8")
    return judgements


def section(rng: random.Random, filler: list[str], subjects: list[str], subject: str | None,
            chapter: int, number: int) -> tuple[str, str]:
    """One section's heading and body: about ``subject``, or filler that may name other
    subjects in passing, or (one in eight) a figure caption with its source line."""
    if subject:
        heading = (rng.choice(SUBJECT_HEADINGS).format(subject) if rng.random() < 0.5
                   else f"{number} {rng.choice(filler)[:14]}")
        paragraphs = []
        for _ in range(rng.randint(3, 5)):
            mix = [rng.choice(SUBJECTS[subject][0])] + rng.sample(filler, 3)
            rng.shuffle(mix)
            paragraphs.append("".join(mix))
        return heading, "\n\n".join(paragraphs)
    if rng.random() < 0.125:
        term = rng.choice(subjects)
        return (f"図表{chapter}-{number} {term}の推移",
                f"（出典）総務省「{term}に関する調査」（{rng.randint(2015, 2024)}年）")
    heading = f"（{number % 9 + 1}）{rng.choice(filler)[:12]}"
    paragraphs = []
    for _ in range(rng.randint(2, 4)):
        mix = rng.sample(filler, rng.randint(2, 4))
        if rng.random() < 0.35:  # a passing mention
            term = rng.choice(subjects)
            mix.insert(rng.randrange(len(mix) + 1), f"{term}も無関係ではない。")
        paragraphs.append("".join(mix))
    return heading, "\n\n".join(paragraphs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--volumes", type=int, default=10)
    parser.add_argument("--chapters", type=int, default=14)
    parser.add_argument("--sections", type=int, default=120)
    args = parser.parse_args()
    judgements = write(args.out, args.volumes, args.chapters, args.sections)
    print(f"{judgements['counts']['files']} files, {judgements['counts']['sections']} sections "
          f"in {args.out}")


if __name__ == "__main__":
    main()
