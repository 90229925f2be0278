from django.core.management.base import BaseCommand

from kb.editorial.corpus import load_corpus
from kb.search import index


class Command(BaseCommand):
    help = "Load the reports and topics shipped in fixtures/ that are not in the database yet."

    def handle(self, *args, **options):
        report = load_corpus()
        if report.articles_created:
            index.refresh_statistics()
        self.stdout.write(
            f"Topics created: {report.topics_created}; "
            f"articles created: {len(report.articles_created)}; "
            f"already present: {len(report.articles_skipped)}; "
            f"passages created: {report.passages_created}"
        )
