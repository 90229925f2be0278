"""A report file to the service's input: ``prepare`` without a person reviewing it (what
the ``import_report`` command and the import benchmark run), ``propose_draft`` for the
admin's preview, which an editor reviews (run by a background job, kb.editorial.jobs).

Both take an optional ``progress(stage, done, total)``, called between steps; it may raise
to stop the work (a cancelled job), which writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings

from kb.editorial import importers, selectors, services
from kb.library import selectors as library_selectors
from kb.library.models import Article
from kb.library.originals import OriginalFile

Progress = Callable[[str, int, int], None]


def _no_progress(stage: str, done: int, total: int) -> None:
    pass


@dataclass
class Prepared:
    data: services.ArticleData
    proposal: importers.ProposedArticle
    suggestions: list[list[importers.Suggestion]]
    encoding: str


def extract(*, content: bytes, filename: str,
            progress: Progress = _no_progress) -> importers.Extracted:
    """The file's text (its pages counted as they are read)."""
    return importers.extract(data=content, filename=filename,
                             max_bytes=settings.KB_IMPORT_MAX_BYTES,
                             progress=lambda done, total: progress("extract", done, total))


def _propose(text: str, progress: Progress) -> importers.ProposedArticle:
    progress("split", 0, 1)
    return importers.propose_article(text)


def _suggest(proposal: importers.ProposedArticle,
             progress: Progress) -> list[list[importers.Suggestion]]:
    profiles = selectors.topic_profiles()
    suggestions = []
    for n, s in enumerate(proposal.sections, start=1):
        suggestions.append(importers.suggest(f"{s.heading}\n{s.body}", profiles))
        progress("suggest", n, len(proposal.sections))
    return suggestions


def prepare(*, content: bytes, filename: str, kind: str = "",
            accept_topics: bool = False, progress: Progress = _no_progress) -> Prepared:
    """Extract, split and suggest topics; with ``accept_topics``, tag each section with
    the topics named in it (suggestions from shared words alone need a person)."""
    extracted = extract(content=content, filename=filename, progress=progress)
    proposal = _propose(extracted.text, progress)
    suggestions = _suggest(proposal, progress)
    title = proposal.title or PurePath(filename).stem
    data = services.ArticleData(
        title=title, slug=library_selectors.unique_slug(title), kind=kind or proposal.kind,
        publisher=proposal.publisher, authors=proposal.authors,
        published_on=proposal.published_on, checksum=proposal.checksum,
        originals=[OriginalFile(content=content, filename=PurePath(filename).name,
                                content_type=extracted.content_type)],
        sections=[
            services.SectionData(
                heading=s.heading, body=s.body, level=s.level,
                topics=[x.slug for x in found if x.labels] if accept_topics else [],
                page_start=s.page, page_end=s.page_end, page_marks=s.page_marks,
            )
            for s, found in zip(proposal.sections, suggestions)
        ],
    )
    return Prepared(data=data, proposal=proposal, suggestions=suggestions,
                    encoding=extracted.encoding)


# A preview page: at most this many sections (6 fields each, against Django's 1,000-field
# limit) and about this many characters (posted as multipart UTF-8, against its 2.5 MB).
PAGE_SECTIONS = 100
PAGE_CHARS = 500_000


def _page_starts(sections: list[dict]) -> list[int]:
    starts, chars = [0], 0
    for i, section in enumerate(sections):
        size = len(section["heading"]) + len(section["body"])
        if i > starts[-1] and (i - starts[-1] >= PAGE_SECTIONS or chars + size > PAGE_CHARS):
            starts.append(i)
            chars = 0
        chars += size
    return starts


def propose_draft(*, text: str, source_name: str, content_type: str = "",
                  has_original: bool = False, progress: Progress = _no_progress) -> dict:
    """The admin preview's data (ImportDraft.data) for a report's text; DuplicateReport if
    its text is already in kb."""
    proposal = _propose(text, progress)
    existing = Article.objects.filter(checksum=proposal.checksum).first()
    if existing:
        raise services.DuplicateReport(existing)
    suggestions = _suggest(proposal, progress)
    title = proposal.title or source_name.rsplit(".", 1)[0]
    sections = [
        # Suggestions found by name are pre-filled; the editor accepts or changes them.
        {"heading": s.heading, "body": s.body, "level": s.level,
         "topics": ", ".join(x.name for x in found if x.labels), "merge": False, "DELETE": False}
        for s, found in zip(proposal.sections, suggestions)
    ]
    return {
        "article": {
            "title": title, "slug": library_selectors.unique_slug(title), "kind": proposal.kind,
            "publisher": proposal.publisher, "authors": "、".join(proposal.authors),
            "published_on": proposal.published_on.isoformat() if proposal.published_on else "",
            "source_url": "",
        },
        "checksum": proposal.checksum, "source_name": source_name, "sections": sections,
        "suggestions": [[{"name": x.name, "labels": x.labels, "shared_words": x.shared_words}
                         for x in found] for found in suggestions],
        "pages": _page_starts(sections),
        "original": {"filename": source_name, "content_type": content_type}
        if has_original else None,
        # Kept beside the sections, not in them: each preview page's post replaces its
        # sections with what the editor typed.
        "provenance": [{"page_start": s.page, "page_end": s.page_end, "page_marks": s.page_marks}
                       for s in proposal.sections],
    }
