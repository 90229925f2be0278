"""The search index rebuilt as a background job (``rebuild_search_index --background``).

The rebuild is one transaction, so that searches never see a half-empty index: its
progress cannot be seen from outside until it commits, and a cancel is honoured only while
the job waits for a worker (kb.site.models.Job.cancellable)."""

from __future__ import annotations

from collections.abc import Callable

from kb.search import index
from kb.site import jobs
from kb.site.models import Job

try:  # Django 6 has the tasks framework; django-tasks is its backport for Django 5.2.
    from django.tasks import task
except ImportError:
    from django_tasks import task


def start_rebuild(*, user=None) -> Job:
    job = jobs.create(kind=Job.Kind.REINDEX, user=user)
    rebuild_index.enqueue(job.pk)
    return job


@task()
def rebuild_index(job_id: int) -> None:
    jobs.run(job_id, _rebuild)


def _rebuild(job: Job, progress: jobs.Progress) -> Callable[[], dict]:
    progress("index", 0, 1)  # the last point at which a cancel stops it
    total = index.rebuild()
    index.compact()
    return lambda: {"entries": total}
