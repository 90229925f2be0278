from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kb.backup import BackupError, read_backup, restore


class Command(BaseCommand):
    help = (
        "Restore a backup written by export_kb, in one transaction: all of it or nothing. "
        "The database must have no articles, topics or passages, unless --replace is given; "
        "passages need their analysts' accounts."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="a .json or .zip file from export_kb")
        parser.add_argument(
            "--replace", action="store_true",
            help="delete the existing articles, topics and passages first (same transaction)",
        )

    def handle(self, *args, path: Path, replace: bool, **options):
        try:
            counts = restore(data=read_backup(path), replace=replace)
        except BackupError as error:
            raise CommandError(f"Nothing was restored: {error}") from error
        self.stdout.write(
            f"Restored {counts['articles']} articles, {counts['sections']} sections, "
            f"{counts['topics']} topics, {counts['passages']} passages from {path}."
        )
