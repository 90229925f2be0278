"""manage.py bench_pagecache — what one edit costs the anonymous page cache, in-process.

Caches every article and topic page and the list pages (home, /articles/, /changes/, the
topic index, matrix and overview, feeds, sitemap) in a file cache of its own, as the
workers share one; then an editor saves the largest article's first section (an edit in
place: its text, its topics unchanged) and the command counts the cached pages still
current. Then it reads article and topic pages in turn for ``--seconds``, first without
edits, then with that save every ``--edit-every`` seconds, and prints both rates and their
ratio (issue 15's target 2 asks ≥ 0.8 of a real server's). Each save is undone by the next
(the section's text alternates), so the corpus ends as it began but for two revisions per
save. Needs the corpus loaded (``manage.py load_corpus``).
"""

from __future__ import annotations

import tempfile
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from kb.editorial import services as editorial_services
from kb.library.models import Article, Section, Topic
from kb.site.cache import content_changed, pages, stamps

LIST_PAGES = ["kb:home", "kb:articles", "kb:changes", "kb:topics", "kb:topic_matrix",
              "kb:topic_overview", "kb:feed_articles", "kb:sitemap"]


class Command(BaseCommand):
    help = "Count the cached pages one section save leaves current, and read rates with edits."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=float, default=10.0)
        parser.add_argument("--edit-every", type=float, default=1.0)

    def handle(self, *args, seconds: float, edit_every: float, **options):
        self.verbosity = options["verbosity"]
        article = Article.objects.annotate(n=Count("sections")).order_by("-n", "pk").first()
        if article is None:
            raise CommandError("No articles: run manage.py load_corpus first.")
        editor = get_user_model().objects.filter(is_superuser=True).first()
        with tempfile.TemporaryDirectory() as directory, override_settings(
            CACHES={"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                                "LOCATION": directory, "OPTIONS": {"MAX_ENTRIES": 1_000_000}}},
            ALLOWED_HOSTS=["testserver"],  # the in-process client's host
        ):
            self._stale_after_one_save(article, editor)
            self._rates(article, editor, seconds, edit_every)

    def _urls(self) -> list[str]:
        return [*(a.get_absolute_url() for a in Article.objects.order_by("pk")),
                *(t.get_absolute_url() for t in Topic.objects.order_by("pk")),
                *(reverse(name) for name in LIST_PAGES)]

    def _stale_after_one_save(self, article: Article, editor) -> None:
        reader, cache, keys = Client(), stamps.page_cache(), {}
        for url in self._urls():
            response = reader.get(url)
            if response.status_code == 200:
                keys[url] = pages.page_key(response.wsgi_request)
        _save(article, editor)

        def current(key: str) -> bool:
            entry = cache.get(key)
            return entry is not None and stamps.current(cache, entry["shows"]) == entry["shows"]

        kept = [url for url, key in keys.items() if current(key)]
        if self.verbosity > 1:
            self.stdout.write("made stale: " + " ".join(sorted(set(keys) - set(kept))))
        content_changed()  # a write that names nothing: what every write was before
        unnamed = [url for url, key in keys.items() if current(key)]
        self.stdout.write(
            f"cached pages: {len(keys)}; still current after one section save of "
            f"{article.slug!r} ({article.sections.count()} sections): {len(kept)} "
            f"({len(kept) / len(keys):.0%}); after a write naming nothing (as every write "
            f"was with one generation for all content): {len(unnamed)}")

    def _rates(self, article: Article, editor, seconds: float, edit_every: float) -> None:
        urls = [a.get_absolute_url() for a in Article.objects.order_by("pk")]
        urls += [t.get_absolute_url() for t in Topic.objects.order_by("pk")]
        reader = Client()
        for url in urls:
            reader.get(url)
        quiet = _read(reader, urls, seconds, None)
        edited = _read(reader, urls, seconds, lambda: _save(article, editor), edit_every)
        self.stdout.write(
            f"in-process reads of {len(urls)} article and topic pages, one thread: "
            f"{quiet:.0f}/s without edits, {edited:.0f}/s with a section save every "
            f"{edit_every:g} s (the saves' own time left out): ratio {edited / quiet:.2f}")


def _save(article: Article, editor) -> None:
    section = Section.objects.filter(article=article).order_by("position", "pk").first()
    body = section.body.removesuffix(" (bench)") if section.body.endswith(" (bench)") else (
        f"{section.body} (bench)")
    editorial_services.edit_section(
        section=section, loaded_version=section.version, heading=section.heading, body=body,
        topics=[t.name for t in section.topics.all()], user=editor)


def _read(reader: Client, urls: list[str], seconds: float, edit=None, every: float = 1.0) -> float:
    """Reads per second of the readers' own time: the saves' time is left out, as if the
    editor's requests ran on another core."""
    done, editing, start = 0, 0.0, time.perf_counter()
    next_edit = start + every
    while (now := time.perf_counter()) - start < seconds:
        if edit is not None and now >= next_edit:
            edit()
            editing += time.perf_counter() - now
            next_edit = time.perf_counter() + every
        reader.get(urls[done % len(urls)])
        done += 1
    return done / (time.perf_counter() - start - editing)
