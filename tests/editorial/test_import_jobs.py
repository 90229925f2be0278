"""The admin's import as a background job (kb.editorial.jobs, kb.site.jobs): the upload
only queues it; progress, cancel before and during the run, failures that write nothing,
and who may see or cancel whose import. Tasks run when the test says so: the dummy
backend keeps them queued, ``import_report.call`` is the worker running one."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from kb.editorial import importing, jobs
from kb.models import Article, ImportDraft, Job
from kb.site import jobs as site_jobs
from kb.site import roles
from tests.editorial.import_preview import REPORT

URL = reverse("admin:kb_article_import")
QUEUED = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def queue_only(settings):
    """No worker: jobs stay queued until the test runs them."""
    settings.TASKS = QUEUED


def _upload(client, text=REPORT, name="report.txt", **headers):
    return client.post(URL, {"step": "upload", "file": SimpleUploadedFile(
        name, text.encode(), content_type="text/plain")}, **headers)


def _page(job):
    return reverse("admin:kb_article_import_job", args=[job.token])


def _progress(client, job):
    return client.get(reverse("admin:kb_article_import_progress", args=[job.token])).json()


def _cancel(client, job):
    return client.post(reverse("admin:kb_article_import_cancel", args=[job.token]))


def test_the_upload_only_queues_the_job_and_answers_with_its_progress(
        queue_only, editor_client, monkeypatch):
    def not_in_the_request(**kwargs):
        raise AssertionError("the upload request ran the import pipeline")

    monkeypatch.setattr(importing, "propose_draft", not_in_the_request)
    monkeypatch.setattr(importing, "extract", not_in_the_request)
    response = _upload(editor_client)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == _page(job)
    assert job.state == "queued" and bytes(job.payload) == REPORT.encode()
    assert not ImportDraft.objects.exists() and not Article.objects.exists()
    page = editor_client.get(_page(job)).content.decode()
    assert "<progress" in page and 'http-equiv="refresh"' in page  # polled, or reloaded without JS
    assert reverse("admin:kb_article_import_cancel", args=[job.token]) in page
    assert _progress(editor_client, job) == {
        "state": "queued", "finished": False, "stage": "ワーカーを待っています", "done": 0,
        "total": 0, "percent": 0}


def test_a_worker_runs_the_job_and_its_page_then_shows_the_preview(queue_only, editor_client):
    _upload(editor_client)
    job = Job.objects.get()
    jobs.import_report.call(job.pk)
    job.refresh_from_db()
    assert job.state == "done" and job.payload is None  # the file now lives in the draft only
    assert _progress(editor_client, job)["finished"] is True
    assert _progress(editor_client, job)["percent"] == 100
    page = editor_client.get(_page(job)).content.decode()
    assert 'value="中ロ技術協力の現状"' in page and "<progress" not in page
    assert ImportDraft.objects.get().original == REPORT.encode()
    assert not Article.objects.exists()  # nothing more until the editor saves the preview


def test_progress_counts_each_stage_and_reads_in_the_viewers_language(queue_only, editor_client):
    _upload(editor_client)
    job = Job.objects.get()
    Job.objects.filter(pk=job.pk).update(state="running")
    site_jobs.Progress(job)("suggest", 3, 12)
    editor_client.cookies["django_language"] = "en"
    assert _progress(editor_client, job) == {
        "state": "running", "finished": False, "stage": "Suggesting topics", "done": 3,
        "total": 12, "percent": 25}
    page = editor_client.get(_page(job)).content.decode()
    assert 'max="12" value="3"' in page and "Suggesting topics" in page


def test_a_job_cancelled_before_a_worker_takes_it_never_runs(queue_only, editor_client):
    _upload(editor_client)
    job = Job.objects.get()
    assert _cancel(editor_client, job)["Location"] == _page(job)
    jobs.import_report.call(job.pk)
    job.refresh_from_db()
    assert job.state == "cancelled" and job.payload is None and job.started_at is None
    assert not ImportDraft.objects.exists()
    assert "取り込みを取り消しました" in editor_client.get(_page(job)).content.decode()


def test_a_job_cancelled_while_it_runs_stops_at_its_next_step_and_writes_nothing(
        queue_only, editor_client, monkeypatch):
    _upload(editor_client)
    job = Job.objects.get()
    suggest, suggested = importing.importers.suggest, []

    def editor_cancels_meanwhile(*args, **kwargs):
        site_jobs.cancel(job=job)  # as the Cancel button does, from another request
        suggested.append(args)
        return suggest(*args, **kwargs)

    monkeypatch.setattr(importing.importers, "suggest", editor_cancels_meanwhile)
    jobs.import_report.call(job.pk)
    job.refresh_from_db()
    assert job.state == "cancelled" and job.payload is None
    assert len(suggested) == 1  # of three sections: the work stopped at the next step
    assert not ImportDraft.objects.exists() and not Article.objects.exists()


def test_a_cancel_after_the_last_step_began_still_leaves_nothing(
        queue_only, editor_client, monkeypatch):
    _upload(editor_client)
    job = Job.objects.get()
    progress = site_jobs.Progress.__call__

    def cancelled_once_saving(self, stage, done, total):
        progress(self, stage, done, total)
        if stage == "save":
            site_jobs.cancel(job=job)

    monkeypatch.setattr(site_jobs.Progress, "__call__", cancelled_once_saving)
    jobs.import_report.call(job.pk)
    assert Job.objects.get().state == "cancelled" and not ImportDraft.objects.exists()


@pytest.mark.parametrize(("language", "message"), [
    ("ja", "ファイルが空です。"), ("en", "The file is empty."),
])
def test_a_refused_file_fails_the_job_with_its_reason_in_the_editors_language(
        editor_client, language, message):
    editor_client.cookies["django_language"] = language
    response = _upload(editor_client, text="   \n", name="blank.txt")
    job = Job.objects.get()
    assert job.state == "failed" and message in job.error
    assert message in response.content.decode()
    assert message in editor_client.get(_page(job)).content.decode()
    assert not ImportDraft.objects.exists() and not Article.objects.exists()


def test_an_error_in_the_last_step_rolls_it_back_and_fails_the_job(editor_client, monkeypatch):
    create = jobs.services.create_import_draft

    def half_written(**kwargs):
        create(**kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(jobs.services, "create_import_draft", half_written)
    response = _upload(editor_client)
    job = Job.objects.get()
    assert job.state == "failed" and job.payload is None
    assert "予期しないエラー" in response.content.decode()
    assert not ImportDraft.objects.exists() and not Article.objects.exists()


def test_a_report_already_in_kb_fails_with_a_link_to_it(editor_client):
    _upload(editor_client)
    preview = _upload(editor_client, name="again.txt")  # the first one was not saved: fine
    assert "already" not in preview.content.decode() and Job.objects.filter(state="done").count() == 2
    draft = ImportDraft.objects.first()
    article = Article.objects.create(title="既存", slug="kizon", kind="report",
                                     checksum=draft.data["checksum"])
    response = _upload(editor_client, name="third.txt")
    assert Job.objects.latest("pk").result == {"duplicate": article.pk}
    assert reverse("admin:kb_article_change", args=[article.pk]) in response.content.decode()


def _staff(django_user_model, username, *groups):
    user = django_user_model.objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(*Group.objects.filter(name__in=groups))
    client = Client()
    client.force_login(user)
    return client


def test_only_the_editor_who_started_an_import_sees_or_cancels_it(
        queue_only, editor_client, django_user_model):
    _upload(editor_client)
    job = Job.objects.get()
    progress = reverse("admin:kb_article_import_progress", args=[job.token])
    other_editor = _staff(django_user_model, "editor2", roles.EDITOR_GROUP)
    # Staff who may not add articles (a reader given the admin) are refused outright.
    reader = _staff(django_user_model, "reader2", roles.ANALYST_GROUP)
    for client, status in ((other_editor, 404), (reader, 403)):
        assert client.get(_page(job)).status_code == status
        assert client.get(progress).status_code == status
        assert _cancel(client, job).status_code == status
    assert Job.objects.get().state == "queued"
    assert reader.post(URL, {"step": "upload", "text": "本文"}).status_code == 403
    assert not Job.objects.exclude(pk=job.pk).exists()


def test_cancel_is_a_post_with_the_csrf_token(queue_only, editor, editor_client):
    _upload(editor_client)
    job = Job.objects.get()
    assert editor_client.get(reverse("admin:kb_article_import_cancel",
                                     args=[job.token])).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    assert _cancel(strict, job).status_code == 403
    assert Job.objects.get().state == "queued"


def test_import_report_shows_each_files_progress_on_the_command_line(db, tmp_path):
    path = tmp_path / "report.txt"
    path.write_text(REPORT, encoding="utf-8")
    err = io.StringIO()
    call_command("import_report", str(path), "--dry-run", "--progress", stderr=err,
                 stdout=io.StringIO())
    assert "report.txt: " in err.getvalue() and "3/3 100%" in err.getvalue()


def test_finished_jobs_are_dropped_after_a_week_and_waiting_ones_kept(
        queue_only, editor_client, frozen_clock):
    _upload(editor_client)
    _upload(editor_client, name="waiting.txt")
    site_jobs.cancel(job=Job.objects.earliest("pk"))
    frozen_clock.shift(timedelta(days=8))
    _upload(editor_client, name="new.txt")
    assert sorted(Job.objects.values_list("params__filename", flat=True)) == [
        "new.txt", "waiting.txt"]
