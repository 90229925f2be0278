"""Report import: text in, proposed article out. Pure: no database, no request.

``extract`` turns an uploaded file into text (refusing what cannot be imported, with a
reason), ``propose_article`` guesses the metadata and splits the sections, ``suggest``
ranks topics for a section given topic profiles the caller loaded.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from kb.cleanup import detect_style
from kb.editorial.importers.errors import ImportRejected
from kb.editorial.importers.extract import Extracted, check_size, decode_text, extract
from kb.editorial.importers.metadata import guess_authors, guess_date, guess_kind, guess_publisher
from kb.editorial.importers.split import ProposedSection, slide_pages, split_sections
from kb.editorial.importers.suggest import (
    Suggestion,
    TopicIndex,
    TopicProfile,
    build_profiles,
    suggest,
)
from kb.text import text_fingerprint
from kb.validators import MESSAGES

__all__ = [
    "Extracted", "ImportRejected", "ProposedArticle", "ProposedSection", "Suggestion",
    "TopicIndex", "TopicProfile", "build_profiles", "check_size", "checksum", "decode_text", "extract", "propose_article",
    "slide_pages", "suggest",
]


@dataclass
class ProposedArticle:
    title: str
    kind: str
    sections: list[ProposedSection]
    checksum: str
    # kb.text.text_fingerprint of the sections' text, by which the same report in
    # another format is recognised.
    fingerprint: str = ""
    publisher: str = ""
    authors: list[str] = field(default_factory=list)
    published_on: date | None = None


def checksum(text: str) -> str:
    """SHA-256 of the text with layout ignored (NFKC, no whitespace, no page breaks), so the
    same report extracted twice, or pasted instead of uploaded, has the same checksum."""
    squeezed = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    return hashlib.sha256(squeezed.encode("utf-8")).hexdigest()


def propose_article(text: str) -> ProposedArticle:
    """The article a report's text proposes: metadata guesses and sections."""
    if not text.strip():
        raise ImportRejected("empty", _("The text is empty."))
    if "\x00" in text:
        # No article can hold it (PostgreSQL text refuses NUL): say so before the review.
        raise ImportRejected("nul", str(MESSAGES["nul"]))
    sections = split_sections(text)
    slides = detect_style(text.replace("\f", "\n")) == "slides"
    # The first section's heading is the document's title when it has one; otherwise the
    # editor (or the import command, from the file name) supplies it.
    first = sections[0].heading if sections else ""
    return ProposedArticle(
        title=re.sub(r"^p\.\d+\s+", "", first).strip()[:300],
        kind=guess_kind(text, slides=slides),
        sections=sections,
        checksum=checksum(text),
        fingerprint=text_fingerprint("\n".join(f"{s.heading}\n{s.body}" for s in sections)),
        publisher=guess_publisher(text)[:200],
        authors=guess_authors(text),
        published_on=guess_date(text),
    )
