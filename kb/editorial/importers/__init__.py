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
from kb.editorial.importers.metadata import LABEL_ONLY, Evidence, read_metadata
from kb.editorial.importers.split import ProposedSection, slide_pages, split_sections
from kb.editorial.importers.suggest import (
    Found,
    Suggestion,
    TopicIndex,
    TopicProfile,
    build_index,
    build_profiles,
    suggest,
    words,
)
from kb.text import text_fingerprint
from kb.validators import MESSAGES

__all__ = [
    "Evidence", "Extracted", "Found", "ImportRejected", "ProposedArticle", "ProposedSection",
    "Suggestion", "TopicIndex", "TopicProfile", "build_index", "build_profiles", "check_size", "checksum", "decode_text", "extract", "propose_article",
    "slide_pages", "suggest", "words",
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
    year: int | None = None
    # Field name → where its guess was read (the title's is its line in the text).
    evidence: dict[str, Evidence] = field(default_factory=dict)


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
    meta = read_metadata(text, slides=slides)
    # The first section's heading is the document's title when it has one; otherwise the
    # editor (or the import command, from the file name) supplies it.
    first = sections[0].heading if sections else ""
    title = re.sub(r"^p\.\d+\s+", "", first).strip()
    if meta.publisher and title.endswith(meta.publisher) and title != meta.publisher:
        title = title.removesuffix(meta.publisher).strip()  # a title page's lines joined
    evidence = dict(meta.evidence)
    if title and not LABEL_ONLY.fullmatch(title) and not (
            meta.evidence.get("title", Evidence("", 0, "")).place == "title_page" and not slides):
        evidence["title"] = _title_line(text, title)
    elif meta.title:  # read from the title page, or no heading (or a label) opens the text
        title = meta.title
    title = title[:300]
    return ProposedArticle(
        title=title, kind=meta.kind, sections=sections, checksum=checksum(text),
        fingerprint=text_fingerprint("\n".join(f"{s.heading}\n{s.body}" for s in sections)),
        publisher=meta.publisher, authors=meta.authors, published_on=meta.published_on,
        year=meta.year, evidence=evidence,
    )


def _title_line(text: str, title: str) -> Evidence:
    """The line the title was read from (its first words, as a wrapped title starts)."""
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", title))[:12]
    for n, line in enumerate(text.split("\n")[:200], start=1):
        squeezed = re.sub(r"\s+", "", unicodedata.normalize("NFKC", line))
        if key and key in squeezed:
            return Evidence("first_lines", n, line.strip()[:200])
    return Evidence("first_lines", 0, title)
