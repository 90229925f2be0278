from django.core.management.base import BaseCommand

from kb.exchange import qda


class Command(BaseCommand):
    help = "Write every topic, with its hierarchy, colour and description, as a REFI-QDA codebook (.qdc)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .qdc file to write")

    def handle(self, *args, file: str, **options):
        with open(file, "wb") as out:
            count = qda.write_codebook(out)
        self.stdout.write(f"Wrote {file}: {count} codes.")
