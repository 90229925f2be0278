"""``make bench``: search latency at 100,000 sections, index size and build time.

Run it against a database kept for benchmarks (never the one you work in): it fills the
database with a synthetic corpus made of the shipped reports' sentences, shuffled and
perturbed, then times ``kb.search.engine.search`` (what the search page runs: match, rank,
filter counts, page, snippets) per class of query.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from kb.editorial.corpus import FIXTURES_DIR
from kb.library.models import Article, Section, TaggedSection, Topic
from kb.management.commands import _relevance as relevance
from kb.search import index
from kb.search.backends import get_backend
from kb.search.engine import search
from kb.search.models import SearchEntry

QUERIES = {
    "1 char": ["党", "元", "網", "米", "銀"],
    "2 chars": ["中国", "規制", "金融", "中ロ", "企業"],
    "long compound": ["生成AIサービス管理暫定弁法", "越境プライバシールール", "インターネット空間運命共同体",
                      "デジタル一帯一路", "上海データ取引所"],
    "katakana + dot": ["アント・グループ", "アリババ・テンセント", "クレジット・テック"],
    "mixed scripts": ["生成AI", "AI規制", "5G", "B2B2C", "Big Tech"],
    "several terms": ["中国 規制", "デジタル 金融 ロシア", "生成AI 規制", "アリババ 決済 信用"],
    "phrase": ['"中ロのパートナーシップ"', '"デジタル技術を活用"', '"信用 スコア"'],
    "no match": ["量子暗号通信規格", "火星探査 中ロ"],
}
# Invented names and numbers swapped into sentences, so sections differ from each other.
NAMES = ["アリババ", "テンセント", "ファーウェイ", "バイドゥ", "シャオミ", "京東", "美団", "滴滴", "ByteDance", "NIO"]


class Command(BaseCommand):
    help = "Benchmark search on a synthetic corpus (use a dedicated benchmark database)."

    def add_arguments(self, parser):
        parser.add_argument("--sections", type=int, default=100_000)
        parser.add_argument("--runs", type=int, default=10, help="timed runs per query")
        parser.add_argument("--rebuild", action="store_true", help="regenerate the corpus")
        parser.add_argument("--reindex", action="store_true",
                            help="rebuild the search index of the corpus kept (timed)")
        parser.add_argument("--json", help="also write the figures to this file")
        parser.add_argument("--cap", type=int, help="candidates ranked per pass (default: the backend's)")
        parser.add_argument("--papers", type=Path,
                            help="import the white papers bench/papers.py wrote in this folder "
                                 "(once) and score ranking against its judgements")

    def handle(self, *args, sections: int, runs: int, rebuild: bool, reindex: bool,
               json: str | None, cap: int | None, papers: Path | None, **options):
        name = str(settings.DATABASES["default"]["NAME"])
        if "bench" not in name:
            raise CommandError(f"Refusing to fill {name!r}: point DATABASE_URL at a *bench* database.")
        if settings.DEBUG:
            # Django then logs every query with its SQL: not what a production search costs.
            raise CommandError("Run with DEBUG=0: with DEBUG on, every query is logged.")
        call_command("migrate", verbosity=0)
        if cap:
            type(get_backend()).cap = cap
        if papers:
            return relevance.run(self, papers, runs=runs, rebuild=rebuild)
        report: dict = {"database": connection.vendor, "sections": sections, "cap": get_backend().cap}
        if rebuild or Section.objects.count() != sections:
            started = time.perf_counter()
            self.generate(sections)
            self.stdout.write(f"corpus: {sections} sections in {time.perf_counter() - started:.0f} s")
            reindex = True
        if reindex:
            started = time.perf_counter()
            index.rebuild(progress=self.progress)
            index.compact()
            report["build_seconds"] = round(time.perf_counter() - started, 1)
            self.stderr.write("")
        report["index_bytes"] = get_backend().size_bytes()
        report["entries"] = SearchEntry.objects.count()
        report["classes"] = self.time_queries(runs)
        self.print_report(report)
        if json:
            Path(json).write_text(__import__("json").dumps(report, ensure_ascii=False, indent=1))

    def progress(self, done: int, total: int) -> None:
        if done == total or done % 10_000 < index.BATCH:
            self.stderr.write(f"\rindexing {done}/{total}", ending="")

    def generate(self, count: int) -> None:
        with transaction.atomic():
            self.fill(count)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh tables: plan with real statistics

    def fill(self, count: int) -> None:
        rng = random.Random(100_000)
        sentences, headings = [], []
        for path in sorted((FIXTURES_DIR / "corpus").glob("*.json")):
            for section in json.loads(path.read_text(encoding="utf-8"))["sections"]:
                headings.append(section["heading"])
                sentences += [s + "。" for s in section["body"].replace("\n", "").split("。") if s.strip()]
        Article.objects.all().delete()
        Topic.objects.all().delete()
        call_command("load_corpus", verbosity=0)  # real topics (with aliases) and the reports
        Section.objects.all().delete()
        Article.objects.all().delete()
        topics = list(Topic.objects.values_list("pk", flat=True))
        kinds = [k for k, _ in Article.Kind.choices]
        per_article = 20
        articles = Article.objects.bulk_create(
            Article(
                title=rng.choice(headings) + f"（{n}）", slug=f"bench-{n}", kind=rng.choice(kinds),
                publisher=f"発行元{n % 40}", published_on=date(2015, 1, 1) + timedelta(days=n % 3650),
            )
            for n in range(count // per_article)
        )
        made = 0
        for article in articles:
            batch = []
            for position in range(1, per_article + 1):
                body = " ".join(self.perturb(rng, rng.choice(sentences)) for _ in range(rng.randint(2, 6)))
                batch.append(Section(
                    article=article, position=position, heading=rng.choice(headings),
                    body=body, body_html=f"<p>{body}</p>", plain_text=body,
                    anchor=f"s-{article.pk}-{position}",
                ))
            made += len(batch)
            for section in Section.objects.bulk_create(batch):
                TaggedSection.objects.bulk_create(
                    TaggedSection(content_object=section, tag_id=tag)
                    for tag in rng.sample(topics, rng.randint(1, 3))
                )

    @staticmethod
    def perturb(rng: random.Random, sentence: str) -> str:
        for name in NAMES[:3]:
            if name in sentence and rng.random() < 0.5:
                sentence = sentence.replace(name, rng.choice(NAMES))
        if rng.random() < 0.3:
            sentence = sentence.replace("年", f"{rng.randint(1, 12)}年", 1)
        return sentence

    def time_queries(self, runs: int) -> dict:
        classes = {}
        for label, queries in QUERIES.items():
            timings, totals = [], []
            for query in queries:
                search(query)  # warm: first run pays for cold caches
                for _ in range(runs):
                    started = time.perf_counter()
                    results = search(query)
                    timings.append((time.perf_counter() - started) * 1000)
                totals.append(results.total)
            timings.sort()
            classes[label] = {
                "p50_ms": round(statistics.median(timings), 1),
                "p95_ms": round(timings[min(len(timings) - 1, int(0.95 * len(timings)))], 1),
                "max_ms": round(timings[-1], 1),
                "results": totals,
            }
        return classes

    def print_report(self, report: dict) -> None:
        out = self.stdout.write
        out(f"\n== {report['database']}: {report['sections']} sections, {report['entries']} entries, "
            f"{report['cap']} candidates ranked")
        if "build_seconds" in report:
            out(f"index build: {report['build_seconds']} s")
        out(f"index size: {report['index_bytes'] / 1e6:.1f} MB")
        out(f"{'query class':<16} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  results per query")
        for label, row in report["classes"].items():
            out(f"{label:<16} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['max_ms']:>8}  {row['results']}")
