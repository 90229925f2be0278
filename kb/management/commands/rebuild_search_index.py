"""Rebuild the search index from the database, in one transaction, with a progress bar."""

import time

from django.core.management.base import BaseCommand

from kb.search import index

BAR = 30


class Command(BaseCommand):
    help = (
        "Drop and rebuild the search index for every section, article and topic. On "
        "PostgreSQL it ends with VACUUM FULL of the index table, which locks it (about 20 s "
        "at 100,000 sections): searches wait meanwhile."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        total = index.rebuild(progress=self.progress)
        index.compact()
        self.stderr.write("")
        self.stdout.write(
            f"Indexed {total} entries in {time.perf_counter() - started:.1f} s."
        )

    def progress(self, done: int, total: int) -> None:
        filled = BAR * done // total if total else BAR
        percent = 100 * done // total if total else 100
        self.stderr.write(
            f"\r[{'#' * filled}{'.' * (BAR - filled)}] {done}/{total} {percent:3d}%", ending=""
        )
        self.stderr.flush()
