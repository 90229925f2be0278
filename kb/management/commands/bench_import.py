"""manage.py bench_import — time importing a 30-page report (PDF), end to end.

Builds a 30-page PDF from the shipped corpus sources, then times extraction, the
section split, topic suggestions and the save through the service, and rolls the
save back so the database is left as it was.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from kb.editorial import corpus, importing
from kb.editorial import services as editorial_services

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
    help = "Time the import of a 30-page report (target: under 5 seconds)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--runs", type=int, default=3)

    def handle(self, *args, **options) -> None:
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
