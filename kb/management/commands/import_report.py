"""manage.py import_report FILE... — import reports in a batch, each in one transaction,
with a progress bar per file on a terminal (the work runs here, not in a worker: the
command is already in the background of no web request)."""

from __future__ import annotations

import sys
from argparse import BooleanOptionalAction
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kb.editorial import importers, importing
from kb.editorial import services as editorial_services
from kb.library.models import Article
from kb.management.progress import ProgressBar
from kb.search import index


class Command(BaseCommand):
    help = "Import report files (.txt, .md, .pdf, .docx) as articles."

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--dry-run", action="store_true",
                            help="Show the proposed articles; save nothing.")
        parser.add_argument("--kind", choices=Article.Kind.values, default="",
                            help="Kind of document (default: guessed from the text).")
        parser.add_argument("--user", help="Username recorded as the revisions' author.")
        parser.add_argument("--accept-topics", action="store_true",
                            help="Tag sections with the topics named in them.")
        parser.add_argument("--progress", action=BooleanOptionalAction,
                            default=sys.stderr.isatty(),
                            help="Show each file's progress (default: on a terminal).")

    def handle(self, *args, **options) -> None:
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user named {options['user']}.")
        failed = imported = 0
        for path in options["files"]:
            bar = ProgressBar(self.stderr, prefix=f"{path.name}: ")
            try:
                prepared = importing.prepare(
                    content=path.read_bytes(), filename=path.name, kind=options["kind"],
                    accept_topics=options["accept_topics"],
                    **({"progress": bar} if options["progress"] else {}),
                )
                bar.end()
                if options["dry_run"]:
                    self._show(path, prepared)
                    continue
                article = editorial_services.import_article(data=prepared.data, user=user,
                                                  source_name=path.name)
            except (OSError, importers.ImportRejected, editorial_services.DuplicateReport) as error:
                bar.end()
                failed += 1
                self.stderr.write(f"{path}: {error}")
                continue
            imported += 1
            self.stdout.write(f"{path}: imported “{article.title}” as /articles/{article.slug}/ "
                              f"({len(prepared.data.sections)} sections)")
        if imported:
            index.refresh_statistics()
        if failed:
            raise CommandError(f"{failed} of {len(options['files'])} files were not imported.")

    def _show(self, path: Path, prepared: importing.Prepared) -> None:
        data = prepared.data
        self.stdout.write(f"{path}: {data.title} [{data.kind}] {data.publisher} "
                          f"{'、'.join(data.authors)} {data.published_on or ''}".rstrip())
        for section, found in zip(data.sections, prepared.suggestions):
            topics = ", ".join(f"{s.name}{'*' if s.labels else ''}" for s in found)
            self.stdout.write(f"  - {section.heading or '(no heading)'}"
                              f"{f'  topics: {topics}' if topics else ''}")
        self.stdout.write("  (dry run: nothing saved; * = named in the text)")
