"""manage.py bench_import — how well and how fast reports import.

Structure: multi-chapter test documents in the styles of Japanese white papers and
research reports (tests/whitepapers.py), in each format editors bring (plain text one
paragraph a line, hard-wrapped text with page furniture, Markdown, DOCX, PDF in one font,
PDF typeset with its headings in larger or bold faces, numbered or not): the share of
true headings recovered at the right level, the captions, sources, boxes and footnotes
proposed as headings, the paragraphs' sentences kept whole, and the seconds per MB of
file that extraction and splitting take in each format (wall clock, and CPU time, which
other work on a shared machine does not inflate).
Metadata: the share of right guesses per field on reports with known metadata
(tests/report_samples.py: white papers, research reports, press materials, transcripts,
columns, book reviews and the shipped corpus's sources). Topics: the precision of the
suggestions accepted by default (named in the text) on sections with known topics.
Time: a 30-page PDF built from the shipped corpus sources, extracted, split, suggested
and saved through the service, and one small report imported into a kb of 100 and of
16,000 tagged sections (bulk-made); every save rolled back, so the database is left as it was.
"""

from __future__ import annotations

import random
import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from kb.editorial import corpus, importers, importing, profiles
from kb.editorial import services as editorial_services
from kb.library.models import Article, Section, TaggedSection, Topic

HEADINGS_GOAL = 0.9
MB = 1024 * 1024
PRECISION_GOAL = 0.8
SCALE_GOAL = 1.5
SMALL_REPORT = ("中国のデジタル金融の動向\n株式会社テスト総合研究所\n2024年4月1日\n\n"
                "1．モバイル決済\nアリペイとWeChat Payが決済を担い、金融包摂が進んだ。\n\n"
                "2．デジタル人民元\nデジタル人民元（e-CNY）の実証実験が各地で進む。\n\n"
                "3．与信\n芝麻信用などの信用スコアが与信審査に使われている。\n")
LINES_PER_PAGE = 40
CHARS_PER_LINE = 40


def thirty_pages() -> bytes:
    """30 A4 pages of report text, 40 lines of 40 characters each."""
    # A test and benchmark helper, not part of kb: it comes with a checkout (run from its
    # root, as make bench-import does), not with an installed kb.
    from tests.pdfwriter import text_pdf

    text = "\n".join(p.read_text(encoding="utf-8") for p in
                     sorted((corpus.FIXTURES_DIR / "sources").glob("*.txt")))
    lines = [line[i:i + CHARS_PER_LINE] for line in text.split("\n")
             for i in range(0, max(len(line), 1), CHARS_PER_LINE)]
    pages = ["\n".join(lines[n * LINES_PER_PAGE:(n + 1) * LINES_PER_PAGE]) for n in range(30)]
    return text_pdf(pages)


class Command(BaseCommand):
    help = ("Score the structure of imported test documents (goal: 0.9 of headings at their "
            "level, no caption as a heading) and time a 30-page report (under 5 seconds).")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--runs", type=int, default=3)

    def structure(self) -> None:
        from tests import whitepapers

        documents = whitepapers.corpus()
        self.stdout.write(f"structure of {len(documents)} test documents "
                          f"({sum(len(d.headings) for d in documents)} headings each format):")
        for name, made in whitepapers.FORMATS.items():
            right = total = wrong = kept = sentences = size = 0
            elapsed = cpu = 0.0
            for document in map(made.variant, documents):
                content = made.make(document)
                started, started_cpu = time.perf_counter(), time.process_time()
                extracted = importers.extract(data=content, filename=made.filename,
                                              max_bytes=settings.KB_IMPORT_MAX_BYTES)
                sections = importers.propose_article(extracted.text).sections
                elapsed += time.perf_counter() - started
                cpu += time.process_time() - started_cpu
                size += len(content)
                found, blocks = whitepapers.score(document, [(s.level, s.heading) for s in sections])
                whole, count = whitepapers.sentences_kept(document, "\n".join(s.body for s in sections))
                right, total, wrong = right + found, total + len(document.headings), wrong + blocks
                kept, sentences = kept + whole, sentences + count
            share = right / total
            verdict = "OK" if share >= HEADINGS_GOAL and wrong == 0 else "BELOW GOAL"
            self.stdout.write(
                f"  {name:<36} headings at the right level {share:.2f} ({right}/{total}), "
                f"captions/sources/footnotes as headings {wrong}, sentences kept "
                f"{kept / sentences:.2f}; {elapsed / (size / MB):.2f} s/MB "
                f"(CPU {cpu / (size / MB):.2f}) over {size / MB:.2f} MB: {verdict}")
        self.stdout.write(f"  goal: at least {HEADINGS_GOAL} of headings at the right level in "
                          "every format, no caption, source, box or footnote as a heading")

    def metadata(self) -> None:
        from tests import report_samples

        samples = report_samples.samples()
        right: dict[str, list[bool]] = {name: [] for name in report_samples.FIELDS}
        for sample in samples:
            extracted = importers.extract(data=sample.content, filename=sample.filename,
                                          max_bytes=settings.KB_IMPORT_MAX_BYTES)
            proposal = importers.propose_article(extracted.text)
            for name, ok in report_samples.metadata_right(sample, proposal).items():
                right[name].append(ok)
                if not ok:
                    self.stdout.write(f"    miss: {sample.name}: {name} {getattr(proposal, name)!r}, "
                                      f"true {sample.truth[name]!r}")
        self.stdout.write(f"metadata of {len(samples)} reports, right guesses per field: " + ", ".join(
            f"{name} {sum(oks) / len(oks):.2f} ({sum(oks)}/{len(oks)})" for name, oks in right.items()))

    def suggestions(self) -> None:
        from tests import report_samples

        index = profiles.topic_index()
        accepted = correct = apart = 0
        for text, truth in report_samples.TOPIC_SECTIONS:
            found = importers.suggest(text, index)
            named = {s.slug for s in found if s.named}
            accepted, correct = accepted + len(named), correct + len(named & truth)
            apart += sum(1 for s in found if not s.named)
        precision = correct / accepted if accepted else 1.0
        self.stdout.write(
            f"topic suggestions on {len(report_samples.TOPIC_SECTIONS)} sections: accepted by default "
            f"{accepted}, precision {precision:.2f} (goal {PRECISION_GOAL}); similarity only, shown "
            f"apart: {apart}: {'OK' if precision >= PRECISION_GOAL else 'BELOW GOAL'}")

    def small_import(self) -> float:
        started = time.perf_counter()
        prepared = importing.prepare(content=SMALL_REPORT.encode(), filename="small.txt",
                                     accept_topics=True)
        # The same text on every run: imported again on purpose.
        editorial_services.import_article(data=prepared.data, user=None, source_name="small.txt",
                                          allow_duplicate=True)
        return time.perf_counter() - started

    def scale(self, runs: int) -> None:
        """One small import into a kb of 100 and of 16,000 tagged sections (rolled back)."""
        medians = {}
        for count in (100, 16_000):
            with transaction.atomic():
                self.make_sections(count)
                started = time.perf_counter()
                profiles.refresh_topic_words()
                first = time.perf_counter() - started
                started = time.perf_counter()
                tagged: dict[str, list[str]] = {}
                for slug, text in TaggedSection.objects.values_list("tag__slug", "content_object__plain_text"):
                    tagged.setdefault(slug, []).append(text)
                importers.build_profiles(((t.slug, t.name, [t.name]) for t in Topic.objects.all()), tagged)
                reread = time.perf_counter() - started
                self.small_import()  # its tags are counted by the next import
                timings = [self.small_import() for _run in range(runs)]
                medians[count] = statistics.median(timings)
                transaction.set_rollback(True)
            self.stdout.write(
                f"  {count:>6} tagged sections: small import " + ", ".join(f"{t:.3f}s" for t in timings)
                + f" (median {medians[count]:.3f}s); first count after the bulk load {first:.2f}s; "
                f"re-reading every tagged section's text (as before) {reread:.2f}s")
        ratio = medians[16_000] / medians[100]
        self.stdout.write(f"  16,000 / 100 sections: {ratio:.2f}× (goal ≤ {SCALE_GOAL}×): "
                          f"{'OK' if ratio <= SCALE_GOAL else 'TOO SLOW'}")

    @staticmethod
    def make_sections(count: int) -> None:
        """``count`` sections of a corpus paragraph each, in articles of 100, each section with
        1-3 topics."""
        rng = random.Random(count)
        paragraphs = [p.strip() for path in sorted((corpus.FIXTURES_DIR / "sources").glob("*.txt"))
                      for p in path.read_text(encoding="utf-8").split("\n\n") if len(p.strip()) > 40]
        topics = list(Topic.objects.values_list("pk", flat=True))
        per_article = min(count, 100)
        articles = Article.objects.bulk_create(
            Article(title=f"規模の試験 {n}", slug=f"bench-scale-{n}", kind="report")
            for n in range(count // per_article))
        for article in articles:
            sections = Section.objects.bulk_create(
                Section(article=article, position=n, heading=f"節 {n}", body=body,
                        body_html=f"<p>{body}</p>", plain_text=body, anchor=f"s-{n}")
                for n, body in enumerate(
                    rng.choice(paragraphs) for _n in range(per_article)))
            TaggedSection.objects.bulk_create(
                TaggedSection(content_object=section, tag_id=tag)
                for section in sections for tag in rng.sample(topics, rng.randint(1, 3)))

    def handle(self, *args, **options) -> None:
        self.structure()
        self.metadata()
        self.suggestions()
        self.stdout.write("one small import (3 sections) as kb grows:")
        self.scale(options["runs"])
        content = thirty_pages()
        timings = []
        for _run in range(options["runs"]):
            started = time.perf_counter()
            with transaction.atomic():
                prepared = importing.prepare(content=content, filename="bench.pdf",
                                             accept_topics=True)
                prepared.data.checksum = ""  # the same text on every run
                editorial_services.import_article(data=prepared.data, user=None, source_name="bench.pdf")
                elapsed = time.perf_counter() - started
                transaction.set_rollback(True)
            timings.append(elapsed)
        worst = max(timings)
        self.stdout.write(
            f"import of a 30-page PDF ({len(content) // 1024} KB, "
            f"{len(prepared.data.sections)} sections): "
            + ", ".join(f"{t:.2f}s" for t in timings)
            + f"; worst {worst:.2f}s, target < 5s: {'OK' if worst < 5 else 'TOO SLOW'}"
            + f" [{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}]"
        )
