"""A report file to the service's input, without a person reviewing it: what the
``import_report`` command and the import benchmark run. The admin's import view
shows the same proposal to an editor instead."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings

from kb.editorial import importers, profiles, services
from kb.library import selectors as library_selectors
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
