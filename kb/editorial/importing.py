"""A report file to the service's input: ``prepare`` without a person reviewing it (what
the ``import_report`` command and the import benchmark run), ``propose_draft`` for the
admin's preview, which an editor reviews (run by a background job, kb.editorial.jobs).

Both take an optional ``progress(stage, done, total)``, called between steps; it may raise
to stop the work (a cancelled job), which writes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from kb.editorial import importers, profiles, services
from kb.library import selectors as library_selectors
from kb.library import sources as library_sources
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
    index = profiles.topic_index()
    suggestions = []
    for n, s in enumerate(proposal.sections, start=1):
        suggestions.append(importers.suggest(s.body, index, heading=s.heading))
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
        fingerprint=proposal.fingerprint,
        originals=[OriginalFile(content=content, filename=PurePath(filename).name,
                                content_type=extracted.content_type)],
        sections=[
            services.SectionData(
                heading=s.heading, body=s.body, level=s.level,
                topics=[x.slug for x in found if x.named] if accept_topics else [],
                page_start=s.page, page_end=s.page_end, page_marks=s.page_marks,
            )
            for s, found in zip(proposal.sections, suggestions)
        ],
    )
    return Prepared(data=data, proposal=proposal, suggestions=suggestions,
                    encoding=extracted.encoding)



@dataclass
class Outcome:
    """What became of one file of a batch: its article, or why it was refused."""

    path: Path
    prepared: Prepared | None = None
    article: Article | None = None
    error: str = ""


def import_files(*, paths: Sequence[Path], user: AbstractBaseUser | None, kind: str = "",
                 accept_topics: bool = False, allow_duplicate: bool = False,
                 dry_run: bool = False,
                 progress_of: Callable[[Path], Progress] | None = None) -> Iterator[Outcome]:
    """Import report files one by one, each in its own transaction, as ``import_report``
    does: a file refused (unreadable, not importable, already in kb, invalid) is reported
    with its reason and the batch goes on.

    A ``dry_run`` makes the same saves (originals not stored) in one transaction rolled
    back at the end, so each file is refused for exactly the reasons the import would give,
    a duplicate of an earlier file of the batch included. ``progress_of(path)`` gives the
    progress callback of each file's preparation."""
    if not dry_run:
        yield from _each(paths, user=user, kind=kind, accept_topics=accept_topics,
                         allow_duplicate=allow_duplicate, dry_run=False, progress_of=progress_of)
        return
    with transaction.atomic():
        yield from _each(paths, user=user, kind=kind, accept_topics=accept_topics,
                         allow_duplicate=allow_duplicate, dry_run=True, progress_of=progress_of)
        transaction.set_rollback(True)


def _each(paths: Sequence[Path], *, user: AbstractBaseUser | None, kind: str,
          accept_topics: bool, allow_duplicate: bool, dry_run: bool,
          progress_of: Callable[[Path], Progress] | None) -> Iterator[Outcome]:
    for path in paths:
        outcome = Outcome(path=path)
        try:
            outcome.prepared = prepare(
                content=path.read_bytes(), filename=path.name, kind=kind,
                accept_topics=accept_topics,
                progress=progress_of(path) if progress_of else _no_progress)
            if dry_run:
                outcome.prepared.data.originals = []
            with transaction.atomic():
                outcome.article = services.import_article(
                    data=outcome.prepared.data, user=user, source_name=path.name,
                    allow_duplicate=allow_duplicate)
        except OSError as error:
            outcome.error = _("cannot be read: %(error)s") % {"error": error.strerror or error}
        except (importers.ImportRejected, services.DuplicateReport) as error:
            outcome.error = str(error)
        except ValidationError as error:
            outcome.error = " ".join(error.messages)
        except DatabaseError as error:
            # Rolled back with this file's transaction; the next file has its own.
            outcome.error = _("the database refused it: %(error)s") % {"error": error}
        except Exception as error:
            # A file kb cannot read yet (a parser's bug): reported like any refusal, with
            # what went wrong, so the rest of the batch is still imported.
            outcome.error = _("unexpected error (%(error)s); please report this file") % {
                "error": f"{type(error).__name__}: {error}"}
        yield outcome


# A section cut in parts under the size limit: the parts after the first are headed
# "heading (2)", "(3)"… (kb.editorial.importers.split).
_PART = re.compile(r"^(.*) \((\d+)\)$")


def split_for_size(prepared: Prepared) -> list[tuple[str, int]]:
    """(heading, parts) of each section too long to keep whole, cut at paragraphs."""
    parts: dict[str, int] = {}
    headings = [s.heading for s in prepared.data.sections]
    for i, heading in enumerate(headings):
        found = _PART.match(heading)
        count = int(found.group(2)) if found else 0
        if count >= 2 and i >= count - 1 and headings[i - count + 1] == found.group(1):
            parts[found.group(1)] = count
    return list(parts.items())


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
                  has_original: bool = False, again: bool = False,
                  progress: Progress = _no_progress) -> dict:
    """The admin preview's data (ImportDraft.data) for a report's text; DuplicateReport if
    its text is already in kb in any format, unless the editor asked for a new article
    (``again``)."""
    proposal = _propose(text, progress)
    existing = library_sources.article_with_text(checksum=proposal.checksum,
                                                   fingerprint=proposal.fingerprint)
    if existing and not again:
        raise services.DuplicateReport(existing)
    suggestions = _suggest(proposal, progress)
    title = proposal.title or source_name.rsplit(".", 1)[0]
    sections = [
        # Suggestions found by name are pre-filled; the editor accepts or changes them.
        {"heading": s.heading, "body": s.body, "level": s.level,
         "topics": ", ".join(x.name for x in found if x.named), "merge": False, "DELETE": False}
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
        "again": again,
        "suggestions": [[{"name": x.name, "labels": x.labels, "shared_words": x.shared_words,
                          "evidence": [vars(e) for e in x.evidence]}
                         for x in found] for found in suggestions],
        # Where each metadata guess was read, shown beside the form.
        "evidence": {name: vars(e) for name, e in proposal.evidence.items()},
        "year": proposal.year,
        "pages": _page_starts(sections),
        "original": {"filename": source_name, "content_type": content_type}
        if has_original else None,
        # Kept beside the sections, not in them: each preview page's post replaces its
        # sections with what the editor typed.
        "provenance": [{"page_start": s.page, "page_end": s.page_end, "page_marks": s.page_marks}
                       for s in proposal.sections],
    }
