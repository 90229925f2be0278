from django.core.management.base import BaseCommand, CommandError, no_translations

from kb.exchange import codebook


class Command(BaseCommand):
    help = ("Read a REFI-QDA codebook (.qdc, or the codebook of a .qdpx project) into topics: "
            "codes matching a topic's name or alias are kept, the others created with their "
            "hierarchy. All or nothing.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .qdc or .qdpx file")
        parser.add_argument("--dry-run", action="store_true",
                            help="list what would change, change nothing")

    # The command speaks English like kb's other commands, whatever locale is active.
    @no_translations
    def handle(self, *args, file: str, dry_run: bool, **options):
        try:
            with open(file, "rb") as source:
                changes = codebook.import_codebook(codebook.read_codebook(source), dry_run=dry_run)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        except codebook.CodebookError as error:
            raise CommandError(f"{file}: {error} Nothing was changed.") from None
        for change in changes:
            where = f" (under {change.parent})" if change.parent else ""
            if change.created:
                self.stdout.write(f"+ {change.name}{where}: new topic {change.topic.slug}")
            else:
                self.stdout.write(f"= {change.name}: matches the topic {change.topic.name}")
        created = sum(change.created for change in changes)
        verb = "Would create" if dry_run else "Created"
        self.stdout.write(f"{verb} {created} topics; {len(changes) - created} codes matched "
                          "existing topics.")
