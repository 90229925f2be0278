"""manage.py import_report FILE... — import reports in a batch, each in one transaction,
with a progress bar per file on a terminal (the work runs here, not in a worker: the
command is already in the background of no web request)."""

from __future__ import annotations

import sys
from argparse import BooleanOptionalAction
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kb.editorial import importing
from kb.library.models import Article
from kb.management.progress import ProgressBar
from kb.search import index


class Command(BaseCommand):
    help = ("Import report files (.txt, .md, .pdf, .docx) as articles, each in its own "
            "transaction: a file refused is reported with its reason and the others go on.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--dry-run", action="store_true",
                            help="Show the proposed articles and what would be refused, and "
                                 "why; save nothing.")
        parser.add_argument("--kind", choices=Article.Kind.values, default="",
                            help="Kind of document (default: guessed from the text).")
        parser.add_argument("--user", help="Username recorded as the revisions' author.")
        parser.add_argument("--accept-topics", action="store_true",
                            help="Tag sections with the topics named in them.")
        parser.add_argument("--allow-duplicates", action="store_true",
                            help="Import a report even if it is already in kb (in any format) "
                                 "as a new article.")
        parser.add_argument("--progress", action=BooleanOptionalAction,
                            default=sys.stderr.isatty(),
                            help="Show each file's progress (default: on a terminal).")

    def handle(self, *args, **options) -> None:
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user named {options['user']}.")
        dry_run = options["dry_run"]
        refused = []
        imported = 0
        bars: list[ProgressBar] = []

        def progress_of(path: Path) -> ProgressBar:
            bars.append(ProgressBar(self.stderr, prefix=f"{path.name}: "))
            return bars[-1]

        for outcome in importing.import_files(
                paths=options["files"], user=user, kind=options["kind"],
                accept_topics=options["accept_topics"],
                allow_duplicate=options["allow_duplicates"], dry_run=dry_run,
                progress_of=progress_of if options["progress"] else None):
            if bars:
                bars.pop().end()
            if outcome.error:
                refused.append(outcome)
                self.stderr.write(f"{outcome.path}: {'would be ' if dry_run else ''}refused: "
                                  f"{outcome.error}")
                continue
            imported += 1
            if dry_run:
                self._show(outcome.path, outcome.prepared)
            else:
                self.stdout.write(f"{outcome.path}: imported “{outcome.article.title}” as "
                                  f"/articles/{outcome.article.slug}/ "
                                  f"({len(outcome.prepared.data.sections)} sections)")
        if imported and not dry_run:
            index.refresh_statistics()
        total = len(options["files"])
        would = "would be " if dry_run else ""
        saved = "; dry run: nothing saved" if dry_run else ""
        if refused:
            raise CommandError(f"{len(refused)} of {total} files {would or 'were '}refused "
                               f"({', '.join(str(o.path) for o in refused)}); {imported} "
                               f"{would}imported{saved}.")
        self.stdout.write(f"{imported} of {total} files {would}imported{saved}.")

    def _show(self, path: Path, prepared: importing.Prepared) -> None:
        data = prepared.data
        self.stdout.write(f"{path}: would import {data.title} [{data.kind}] {data.publisher} "
                          f"{'、'.join(data.authors)} {data.published_on or ''}".rstrip())
        for heading, parts in importing.split_for_size(prepared):
            self.stdout.write(f"  ! “{heading}” is over the section size limit: split at "
                              f"paragraphs into {parts} sections")
        for section, found in zip(data.sections, prepared.suggestions):
            topics = ", ".join(f"{s.name}{'*' if s.labels else ''}" for s in found)
            self.stdout.write(f"  - {section.heading or '(no heading)'}"
                              f"{f'  topics: {topics}' if topics else ''}")
        self.stdout.write("  (* = named in the text)")
