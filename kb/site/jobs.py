"""Background jobs: what runs a Job row's work in a task worker, reports its progress and
honours a cancel.

The task library (django-tasks, with the database backend of django-tasks-db by default)
only carries a job's id to a worker; the job's state, progress and result live on the Job
row, so the admin and the command line read them with one query and a cancel is one
conditional update. A room's task calls ``run`` with its work: the work reports progress
through the ``Progress`` it is given, which raises ``Cancelled`` once the job is
cancelled, and returns what to write in the job's last transaction.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kb.site.models import Job

logger = logging.getLogger(__name__)

# A stage's progress is looked at, at most, this many times whatever its size (a cancel is
# seen at the next of them) and written at most every WRITE_EVERY seconds: on SQLite each
# write is a commit to disk, and a thousand of them cost seconds.
STEPS = 100
WRITE_EVERY = 0.5
# A finished job's page (its preview link, or why it failed) is kept as long as a preview.
JOBS_KEPT = timedelta(days=7)


class Cancelled(Exception):
    """The job was cancelled: the work stops where it is and writes nothing."""


class Failed(Exception):
    """The work cannot be done, for a reason the user can act on (already in the job's
    language); ``result`` says what was found, e.g. the duplicate of an import."""

    def __init__(self, message: str, *, result: dict | None = None) -> None:
        self.message = message
        self.result = result or {}
        super().__init__(message)


class Progress:
    """Called by the work as ``progress(stage, done, total)``. At a new stage, or a step of
    1/STEPS, it writes the row (when the stage changed or WRITE_EVERY has passed) or reads
    its state; either raises Cancelled once the job is no longer running."""

    def __init__(self, job: Job) -> None:
        self.job_id = job.pk
        self.last: tuple[str, int] = ("", -1)
        self.written = -WRITE_EVERY

    def __call__(self, stage: str, done: int, total: int) -> None:
        step = (stage, STEPS * done // total if total else 0)
        if step == self.last:
            return
        new_stage, self.last = stage != self.last[0], step
        running = Job.objects.filter(pk=self.job_id, state=Job.State.RUNNING)
        if new_stage or time.monotonic() - self.written >= WRITE_EVERY:
            self.written = time.monotonic()
            still = running.update(stage=stage, done=done, total=total)
        else:
            still = running.exists()
        if not still:
            raise Cancelled


Work = Callable[[Job, Progress], Callable[[], dict]]


def create(*, kind: str, user=None, params: dict | None = None,
           payload: bytes | None = None) -> Job:
    """A queued job, explained in the current (the request's) language if it fails. Jobs
    finished more than JOBS_KEPT ago are dropped meanwhile."""
    Job.objects.filter(finished_at__lt=timezone.now() - JOBS_KEPT).delete()
    return Job.objects.create(kind=kind, user=user, params=params or {}, payload=payload,
                              language=translation.get_language() or "")


def run(job_id: int, work: Work) -> None:
    """Run ``work`` for the job, if it is still queued. ``work`` does the long part and
    returns a function that writes the job's result: that function runs in one transaction
    with the job marked done, and not at all if the job was cancelled meanwhile."""
    claimed = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING, started_at=timezone.now())
    if not claimed:
        return  # cancelled before a worker took it (or taken by another)
    job = Job.objects.get(pk=job_id)
    if job.state != Job.State.RUNNING:
        return  # cancelled as it was taken: its file is gone
    with translation.override(job.language or None):
        try:
            finish = work(job, Progress(job))
            with transaction.atomic():
                if Job.objects.select_for_update().get(pk=job_id).state != Job.State.RUNNING:
                    raise Cancelled
                result = finish()
                _end(job_id, Job.State.DONE, result=result, done=F("total"))
        except Cancelled:
            _end(job_id, Job.State.CANCELLED)
        except Failed as failed:
            _end(job_id, Job.State.FAILED, error=failed.message, result=failed.result)
        except Exception:
            logger.exception("Job %s failed", job_id)
            _end(job_id, Job.State.FAILED, error=_(
                "The job stopped on an unexpected error, which was logged for the "
                "administrators. Nothing was saved."))


def _end(job_id: int, state: str, **fields) -> None:
    # A job cancelled meanwhile stays cancelled; the uploaded file is not kept.
    Job.objects.filter(pk=job_id).exclude(state=Job.State.CANCELLED).update(
        state=state, finished_at=timezone.now(), payload=None, **fields)


def cancel(*, job: Job) -> bool:
    """Cancel a job that is ``cancellable``; False if it was not (any more). A running job
    stops at its next step and writes nothing."""
    cancellable = Q(state=Job.State.QUEUED) | Q(state=Job.State.RUNNING, kind=Job.Kind.IMPORT)
    return bool(Job.objects.filter(cancellable, pk=job.pk).update(
        state=Job.State.CANCELLED, finished_at=timezone.now(), payload=None))
