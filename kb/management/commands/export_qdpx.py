from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kb.exchange import qda
from kb.library.selectors import topic_by_slug


class Command(BaseCommand):
    help = ("Write passages as a REFI-QDA project (.qdpx) for ATLAS.ti, MAXQDA, NVivo or "
            "QualCoder: all of them, one topic's, or one analyst's.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .qdpx file to write")
        parser.add_argument("--topic", default="", help="only passages with this topic (slug)")
        parser.add_argument("--analyst", default="", help="only this analyst's passages (username)")

    def handle(self, *args, file: str, topic: str, analyst: str, **options):
        scope = qda.Scope(
            topic=self._topic(topic) if topic else None,
            analyst=self._analyst(analyst) if analyst else None,
        )
        with open(file, "wb") as out:
            report = qda.write_qdpx(out, scope, name=self._name(scope))
        self.stdout.write(f"Wrote {file}: {report.sources} sources, {report.selections} "
                          f"passages, {report.codes} codes, {report.users} users.")

    def _topic(self, slug):
        found = topic_by_slug(slug)
        if found is None:
            raise CommandError(f"No topic has the slug “{slug}”.")
        return found

    def _analyst(self, username):
        found = get_user_model().objects.filter(username=username).first()
        if found is None:
            raise CommandError(f"No user is called “{username}”.")
        return found

    def _name(self, scope):
        parts = ["kb", scope.topic.name if scope.topic else "", getattr(scope.analyst, "username", "")]
        return " – ".join(part for part in parts if part)
