from pathlib import Path

from django.core.management.base import BaseCommand

from kb.exchange.backup import write_backup


class Command(BaseCommand):
    help = (
        "Back up every article, section, topic, alias, see-also link, tag and passage to a "
        "JSON or ZIP file."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="where to write; a name ending in .zip is zipped")

    def handle(self, *args, path: Path, **options):
        counts = write_backup(path)
        self.stdout.write(
            f"Wrote {path}: {counts['articles']} articles, {counts['sections']} sections, "
            f"{counts['topics']} topics, {counts['passages']} passages, "
            f"{counts['originals']} original files."
        )
