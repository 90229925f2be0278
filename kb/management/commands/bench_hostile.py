"""manage.py bench_hostile — the server time of each pathological request, at the limits.

Issue 19's inputs that cost minutes or ended in a 500, each built in memory and sent
in-process through the real view (the compare page as an anonymous reader, uploads
through the admin's import as an editor), timed, and shown with the goal (2 s) and the
answer's status. An upload only queues its import job (with the configured task backend);
the job is then run here as a worker runs it, and its time is shown apart, against its own
bound (a worker's time, not a request's). Everything is written in one transaction, rolled
back at the end.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from kb.editorial import services as editorial_services
from kb.library.models import Topic, TopicAlias
from kb.site.models import Job

GOAL = 2.0
# An import job at the limits keeps one worker busy at most this long (informational).
JOB_BOUND = 60.0
SECTION_LIMIT = 100_000
TOPICS = 914


def _unpunctuated(rng: random.Random, size: int) -> str:
    return "".join(rng.choice("中国日本のデジタル経済とプラットフォーム") for _ in range(size))


class Command(BaseCommand):
    help = "Time each pathological request of issue 19 at the size limits (goal: under 2 s)."

    def handle(self, *args, **options) -> None:
        # A test and benchmark helper, not part of kb: it comes with a checkout (run from
        # its root, as make bench does), not with an installed kb.
        from kb.editorial import jobs
        from kb.editorial.importers import word
        from kb.editorial.importers.extract import MAX_PDF_PAGES, MAX_PDF_TOKENS
        from tests.editorial import hostile_files as files

        # Requests run inside the bench's transaction: the connection must stay open.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        self.worst = self.worst_job = 0.0
        with transaction.atomic():
            editor = get_user_model().objects.create_superuser(
                f"bench-{os.getpid()}", password=None)
            admin = Client(HTTP_HOST="localhost")
            admin.force_login(editor)
            reader = Client(HTTP_HOST="localhost")
            self._compare_pages(reader)
            self._topics()
            limit = settings.KB_IMPORT_MAX_BYTES
            md_limit = b"# a" + b" " * (limit - 8) + b"x"
            uploads: list[tuple[str, str, Callable[[], bytes]]] = [
                ("Markdown heading, 3,000 spaces", "r.md",
                 lambda: b"# a" + b" " * 3000 + b"x"),
                (f"Markdown heading, {len(md_limit) / 1e6:.0f} MB of spaces (upload limit)",
                 "r.md", lambda: md_limit),
                ("DOCX, 246,000 empty paragraphs (57 KB)", "r.docx",
                 lambda: files.empty_paragraphs(246_000)),
                (f"DOCX, {word.MAX_PARAGRAPHS:,} paragraphs with text (paragraph limit)",
                 "r.docx", lambda: files.docx_with({"word/document.xml": files.document_xml(
                     '<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>見出し</w:t>'
                     '</w:r></w:p>' * (word.MAX_PARAGRAPHS // 2)
                     + "<w:p><w:r><w:t>本文です。</w:t></w:r></w:p>"
                     * (word.MAX_PARAGRAPHS // 2))})),
                ("DOCX, malformed document.xml", "r.docx", files.malformed),
                ("DOCX, billion-laughs DTD", "r.docx", files.billion_laughs),
                ("DOCX, external entity in styles.xml", "r.docx",
                 lambda: files.external_entity("file:///etc/passwd")),
                ("DOCX, 11 MB text node", "r.docx", files.huge_text_node),
                (f"DOCX unpacking to {word.MAX_UNPACKED_BYTES * 4 // 2**20} MB", "r.docx",
                 lambda: files.unpacking_to(word.MAX_UNPACKED_BYTES * 4)),
                ("PDF, content stream inflating to 70 MB", "r.pdf",
                 lambda: files.pdf_inflating_to(70_000_000)),
                (f"PDF of {MAX_PDF_TOKENS:,} tokens (token budget), on one page", "r.pdf",
                 lambda: files.pdf_with_content(
                     b"BT /F1 12 Tf (a) Tj ET\n" * (MAX_PDF_TOKENS // 7 - 100))),
                ("PDF, a 14,000-token form used 1,000 times on one page", "r.pdf",
                 lambda: files.pdf_using_a_form(1000, b"BT /F1 12 Tf (a) Tj ET\n" * 2000)),
                ("PDF, 3,000 pages", "r.pdf", lambda: files.pdf_of_blank_pages(3000)),
                (f"PDF, {MAX_PDF_PAGES:,} blank pages (page limit)", "r.pdf",
                 lambda: files.pdf_of_blank_pages(MAX_PDF_PAGES)),
                (f"text of 1,000 sections x {TOPICS} topics", "r.md", self._many_sections),
            ]
            for label, name, build in uploads:
                content = build()
                self._time(f"{label}, upload", admin.post, reverse("admin:kb_article_import"), {
                    "step": "upload", "file": SimpleUploadedFile(name, content)})
                self._run(label, jobs.import_report, Job.objects.latest("pk"))
            transaction.set_rollback(True)
        self.stdout.write(f"worst request: {self.worst:.2f} s (goal {GOAL:.0f} s each)")
        self.stdout.write(f"worst import job: {self.worst_job:.2f} s "
                          f"(bound {JOB_BOUND:.0f} s each, informational)")

    def _run(self, label: str, task, job: Job) -> None:
        """Run the job queued by the upload as a worker would, unless it already ran (a
        backend that runs tasks at once)."""
        if job.state != Job.State.QUEUED:
            self.stdout.write(f"  {label}, job: ran in the request ({job.state})")
            return
        started = time.perf_counter()
        task.call(job.pk)
        elapsed = time.perf_counter() - started
        self.worst_job = max(self.worst_job, elapsed)
        job.refresh_from_db()
        verdict = "ok" if elapsed < JOB_BOUND else "OVER"
        self.stdout.write(f"  {label}, job: {elapsed:.2f} s (bound {JOB_BOUND:.0f} s, "
                          f"{verdict}), {job.state}{f': {job.error}' if job.error else ''}")

    def _time(self, label: str, request: Callable, *args) -> None:
        started = time.perf_counter()
        response = request(*args)
        elapsed = time.perf_counter() - started
        self.worst = max(self.worst, elapsed)
        verdict = "ok" if elapsed < GOAL else "OVER"
        self.stdout.write(f"{label}: {elapsed:.2f} s (goal < {GOAL:.0f} s, {verdict}), "
                          f"HTTP {response.status_code}")

    def _compare_pages(self, reader: Client) -> None:
        # A new seed each run: the diff cache is keyed by content, so every run is cold.
        rng = random.Random(os.urandom(8))
        cases = {
            "100,000 characters without punctuation, rewritten": (
                _unpunctuated(rng, SECTION_LIMIT), _unpunctuated(rng, SECTION_LIMIT)),
            "50,000 repeated sentences, ends changed": (
                "x。" + "a。" * 49_980 + "y。", "z。" + "a。" * 49_980 + f"w{rng.random()}。"),
            "1,000 sentences, every other one rewritten": (
                "".join(f"{n}。{_unpunctuated(rng, 98)}。" for n in range(500)),
                "".join(f"{n}。{_unpunctuated(rng, 98)}。" for n in range(500))),
        }
        for label, (old, new) in cases.items():
            article = editorial_services.create_article(data=editorial_services.ArticleData(
                title="比較", slug=f"bench-compare-{rng.randrange(10**9)}", kind="report",
                sections=[editorial_services.SectionData(heading="一", body=old)]))
            section = article.sections.get()
            editorial_services.update_article(
                article=article, loaded_version=article.version, user=None,
                data=editorial_services.ArticleData(
                    title="比較", slug=article.slug, kind="report",
                    sections=[editorial_services.SectionData(heading="一", body=new,
                                                             anchor=section.anchor)]))
            first = Version.objects.get_for_object(article).last()
            url = reverse("kb:article_compare", args=[article.slug])
            self._time(f"compare page, {label}", reader.get, url, {"from": first.pk})
            self._time(f"compare page again with &x=1, {label}", reader.get, url,
                       {"from": first.pk, "x": "1"})

    def _topics(self) -> None:
        topics = Topic.objects.bulk_create(
            Topic(name=f"話題{n}", slug=f"bench-topic-{n}", name_en=f"Topic {n}")
            for n in range(TOPICS))
        TopicAlias.objects.bulk_create(
            TopicAlias(topic=topic, name=f"別名{n}") for n, topic in enumerate(topics))

    @staticmethod
    def _many_sections() -> bytes:
        return "".join(f"## 第{n}節 話題{n % TOPICS}\n\n" + "デジタル経済と話題12の関係を論じる。" * 20
                       + "\n\n" for n in range(1000)).encode()
