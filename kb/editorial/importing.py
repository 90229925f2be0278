"""A report file to the service's input, without a person reviewing it: what the
``import_report`` command and the import benchmark run. The admin's import view
shows the same proposal to an editor instead."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from kb.editorial import importers, profiles, services
from kb.library import selectors as library_selectors
from kb.library.models import Article
from kb.library.originals import OriginalFile


@dataclass
class Prepared:
    data: services.ArticleData
    proposal: importers.ProposedArticle
    suggestions: list[list[importers.Suggestion]]
    encoding: str


def prepare(*, content: bytes, filename: str, kind: str = "",
            accept_topics: bool = False) -> Prepared:
    """Extract, split and suggest topics; with ``accept_topics``, tag each section with
    the topics named in it (suggestions from shared words alone need a person)."""
    extracted = importers.extract(data=content, filename=filename,
                                  max_bytes=settings.KB_IMPORT_MAX_BYTES)
    proposal = importers.propose_article(extracted.text)
    index = profiles.topic_index()
    suggestions = [importers.suggest(s.body, index, heading=s.heading) for s in proposal.sections]
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
                 dry_run: bool = False) -> Iterator[Outcome]:
    """Import report files one by one, each in its own transaction, as ``import_report``
    does: a file refused (unreadable, not importable, already in kb, invalid) is reported
    with its reason and the batch goes on.

    A ``dry_run`` makes the same saves (originals not stored) in one transaction rolled
    back at the end, so each file is refused for exactly the reasons the import would give,
    a duplicate of an earlier file of the batch included."""
    if not dry_run:
        yield from _each(paths, user=user, kind=kind, accept_topics=accept_topics,
                         allow_duplicate=allow_duplicate, dry_run=False)
        return
    with transaction.atomic():
        yield from _each(paths, user=user, kind=kind, accept_topics=accept_topics,
                         allow_duplicate=allow_duplicate, dry_run=True)
        transaction.set_rollback(True)


def _each(paths: Sequence[Path], *, user: AbstractBaseUser | None, kind: str,
          accept_topics: bool, allow_duplicate: bool, dry_run: bool) -> Iterator[Outcome]:
    for path in paths:
        outcome = Outcome(path=path)
        try:
            outcome.prepared = prepare(content=path.read_bytes(), filename=path.name, kind=kind,
                                       accept_topics=accept_topics)
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
