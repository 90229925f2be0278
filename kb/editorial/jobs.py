"""The admin's import as a background job: the upload only stores the file and queues the
job; a task worker extracts, splits and suggests (kb.editorial.importing.propose_draft)
with progress and cancellation points, and writes the preview (an ImportDraft) as its last
step. A refusal (unreadable file, a report already in kb) fails the job with its reason;
nothing but the job's row is written until then, and no article until the editor saves the
reviewed preview."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from kb.editorial import importers, importing, services
from kb.site import jobs
from kb.site.models import Job

try:  # Django 6 has the tasks framework; django-tasks is its backport for Django 5.2.
    from django.tasks import task
except ImportError:
    from django_tasks import task


def start_import(*, user, filename: str = "", content: bytes | None = None,
                 text: str = "", again: bool = False) -> Job:
    """Queue the import of an uploaded file (``content``) or pasted ``text``; either is kept
    as the job's payload until the job ends. With ``again``, a report already in kb is
    proposed as a new article instead of refused."""
    pasted = content is None
    job = jobs.create(kind=Job.Kind.IMPORT, user=user,
                      payload=text.encode() if pasted else content,
                      params={"filename": filename, "pasted": pasted, "again": again})
    import_report.enqueue(job.pk)
    return job


@task()
def import_report(job_id: int) -> None:
    jobs.run(job_id, _propose)


def _propose(job: Job, progress: jobs.Progress) -> Callable[[], dict]:
    content = None if job.params.get("pasted") else bytes(job.payload)
    filename = job.params.get("filename", "")
    try:
        if content is not None:
            extracted = importing.extract(content=content, filename=filename, progress=progress)
            text, content_type, encoding = (extracted.text, extracted.content_type,
                                            extracted.encoding)
        else:
            text, content_type, encoding = bytes(job.payload).decode(), "", ""
        data = importing.propose_draft(text=text, source_name=filename,
                                       content_type=content_type,
                                       has_original=content is not None,
                                       again=job.params.get("again", False), progress=progress)
    except importers.ImportRejected as rejected:
        raise jobs.Failed(rejected.message) from rejected
    except services.DuplicateReport as duplicate:
        raise jobs.Failed(_("This report is already in kb (same text)."),
                          result={"duplicate": duplicate.existing.pk}) from duplicate
    progress("save", 0, 1)

    def keep_preview() -> dict:
        draft = services.create_import_draft(user=job.user, data=data, original=content)
        return {"draft": str(draft.token), "encoding": encoding}

    return keep_preview
