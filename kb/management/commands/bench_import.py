"""manage.py bench_import — how well and how fast reports import.

Structure: multi-chapter test documents in the styles of Japanese white papers and
research reports (tests/whitepapers.py), in each format editors bring (plain text one
paragraph a line, hard-wrapped text with page furniture, Markdown, DOCX, PDF in one font,
PDF typeset with its headings in larger or bold faces, numbered or not): the share of
true headings recovered at the right level, the captions, sources, boxes and footnotes
proposed as headings, the paragraphs' sentences kept whole, and the seconds per MB of
file that extraction and splitting take in each format (wall clock, and CPU time, which
other work on a shared machine does not inflate).
Time: a 30-page PDF built from the shipped corpus sources, extracted, split, suggested
and saved through the service, the save rolled back so the database is left as it was.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from kb.editorial import corpus, importers, importing
from kb.editorial import services as editorial_services

HEADINGS_GOAL = 0.9
MB = 1024 * 1024
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

    def handle(self, *args, **options) -> None:
        self.structure()
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
