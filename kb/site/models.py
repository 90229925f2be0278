"""The site's own record: the committed content changes the page cache derives from, and
the background jobs (kb.site.jobs) with their progress."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ContentChange(models.Model):
    """Committed writes to kb's content, from which the page cache derives its generations.

    Each write inserts one row per dependency it changed (kb.site.cache.content_changed: an
    article, a topic, the lists...), visible only when its transaction commits; after the
    commit each dependency's rows are folded into one, keeping their total weight and latest
    time. A dependency's generation is that total and time: it grows with every commit, and
    living in the database it cannot go back when the cache is restored from a snapshot.
    Inserts take no lock another writer waits for, unlike a counter row updated in place.
    """

    # Rows from before dependencies were recorded changed, as far as anyone knew, everything.
    dependency = models.CharField(max_length=100, default="everything", db_index=True)
    weight = models.PositiveBigIntegerField(default=1)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return (f"{self.dependency}: {self.weight} change(s) up to "
                f"{self.changed_at:%Y-%m-%d %H:%M:%S}")


class Job(models.Model):
    """Work too long for a web request (an import, an index rebuild), run by a task worker.

    The worker writes ``stage``, ``done`` and ``total`` as it goes, so the admin and the
    command line can show progress; a job is cancelled by setting its state, which the
    worker sees at its next step. Nothing but this row is written until the job's last
    step, which writes its result and ``done`` in one transaction."""

    class Kind(models.TextChoices):
        IMPORT = "import", _("import a report")
        REINDEX = "reindex", _("rebuild the search index")

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    class Stage(models.TextChoices):
        WAITING = "", _("Waiting for a worker")
        EXTRACT = "extract", _("Reading the file")
        SPLIT = "split", _("Splitting it into sections")
        SUGGEST = "suggest", _("Suggesting topics")
        SAVE = "save", _("Keeping the preview")
        INDEX = "index", _("Rebuilding the search index")

    FINISHED = (State.DONE, State.FAILED, State.CANCELLED)

    token = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=20, choices=State.choices,
                             default=State.QUEUED)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+")
    # The language of the request that started the job: a failure is explained in it.
    language = models.CharField(max_length=10, blank=True)
    # What the job works on: {"filename", "pasted"} for an import, with the uploaded file
    # (or the pasted text) in ``payload`` until the job ends.
    params = models.JSONField(default=dict)
    payload = models.BinaryField(null=True, editable=False)
    # What it made ({"draft": token}) or what it found ({"duplicate": article id}).
    result = models.JSONField(default=dict)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_state_display()})"

    @property
    def finished(self) -> bool:
        return self.state in self.FINISHED

    @property
    def cancellable(self) -> bool:
        """Queued, or running an import; a running index rebuild cannot stop half-way."""
        return self.state == self.State.QUEUED or (
            self.state == self.State.RUNNING and self.kind == self.Kind.IMPORT)

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return 100 * self.done // self.total if self.total else 0
