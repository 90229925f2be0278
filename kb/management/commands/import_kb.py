from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kb.exchange.backup import BackupError, is_checked, read_backup, restore
from kb.search import index


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
            data = read_backup(path)
            counts = restore(data=data, replace=replace)
        except BackupError as error:
            raise CommandError(f"Nothing was restored: {error}") from error
        index.refresh_statistics()
        if not is_checked(data):
            self.stderr.write(self.style.WARNING(_(
                "Warning: this backup (version %(version)s) was written before backups had a "
                "checksum; its content could not be verified.") % {"version": data["version"]}))
        self.stdout.write(
            f"Restored {counts['articles']} articles, {counts['sections']} sections, "
            f"{counts['topics']} topics, {counts['passages']} passages, "
            f"{counts['originals']} original files from {path}."
        )
