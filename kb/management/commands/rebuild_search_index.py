"""Rebuild the search index from the database, in one transaction, with a progress bar;
or queue the rebuild for a worker (--background)."""

import time

from django.core.management.base import BaseCommand

from kb.management.progress import ProgressBar
from kb.search import index, jobs


class Command(BaseCommand):
    help = (
        "Drop and rebuild the search index for every section, article and topic. On "
        "PostgreSQL it ends with VACUUM FULL of the index table, which locks it (about 20 s "
        "at 100,000 sections): searches wait meanwhile."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--background", action="store_true",
            help="Queue the rebuild as a job for a worker (manage.py db_worker) and return.")

    def handle(self, *args, **options):
        if options["background"]:
            job = jobs.start_rebuild()
            self.stdout.write(f"Queued the rebuild as job {job.token}; a worker runs it.")
            return
        started = time.perf_counter()
        bar = ProgressBar(self.stderr)
        total = index.rebuild(progress=lambda done, total: bar("index", done, total))
        index.compact()
        bar.end()
        self.stdout.write(
            f"Indexed {total} entries in {time.perf_counter() - started:.1f} s."
        )
