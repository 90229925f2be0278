"""Bytes of an uploaded report → its text. No database access.

PDF: pypdf (pure Python, maintained, reads the text layer page by page, so page breaks
and numbers survive as form feeds; its lines' sizes and weights mark the headings, see
``typeset``). DOCX: python-docx (keeps paragraph styles, so Word
headings become Markdown headings). Plain text: UTF-8, or Shift_JIS/CP932/EUC-JP
detected by charset-normalizer and converted.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from django.utils.translation import gettext as _

from kb.editorial.importers import typeset
from kb.editorial.importers.errors import ImportRejected
from kb.editorial.importers.word import docx_text

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
SUFFIXES = TEXT_SUFFIXES | {".pdf", ".docx"}
PAGE_BREAK = "\f"
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# Encodings an old Japanese text file may be in; anything else is refused, not guessed.
JAPANESE_ENCODINGS = {"cp932", "shift_jis", "shift_jis_2004", "shift_jisx0213", "euc_jp",
                      "euc_jis_2004", "iso2022_jp", "utf_16", "utf_16_le", "utf_16_be"}


@dataclass
class Extracted:
    text: str
    format: str  # "txt", "md", "pdf", "docx", "paste"
    encoding: str = "utf-8"
    pages: int = 0

    @property
    def content_type(self) -> str:
        """The uploaded file's media type, to serve its original with: text (Markdown
        too) as plain text in the encoding it came in, so it is never rendered as HTML."""
        if self.format in CONTENT_TYPES:
            return CONTENT_TYPES[self.format]
        # Python's codec name as the web's label (cp932 is "windows-31j" to browsers).
        charset = {"cp932": "windows-31j"}.get(self.encoding, self.encoding.replace("_", "-"))
        return f"text/plain; charset={charset or 'utf-8'}"


def extract(*, data: bytes, filename: str, max_bytes: int,
            progress: Callable[[int, int], None] | None = None) -> Extracted:
    """The text of an uploaded file; ImportRejected with a specific reason otherwise.
    ``progress(done, total)`` is called after each PDF page (a background import's bar)."""
    suffix = PurePath(filename).suffix.lower()
    check_size(len(data), max_bytes)
    if not data.strip():
        raise ImportRejected("empty", _("The file is empty."))
    if suffix not in SUFFIXES:
        raise ImportRejected("unsupported", _(
            "Files of type “%(suffix)s” cannot be imported. Upload a .txt, .md, .pdf or .docx "
            "file, or paste the text."
        ) % {"suffix": suffix or filename})
    if suffix == ".pdf":
        result = _pdf(data, progress)
    elif suffix == ".docx":
        result = _docx(data)
    else:
        text, encoding = decode_text(data)
        result = Extracted(text=text, format=suffix.lstrip(".").replace("markdown", "md"),
                           encoding=encoding)
    if not result.text.strip():
        raise ImportRejected("empty", _("The file contains no text."))
    return result


MIB = 1024 * 1024


def check_size(size: int, max_bytes: int) -> None:
    # In MiB, the unit the limit is set in; the size rounded up and the limit down, so a file
    # just over the limit never reads as the same size.
    if size > max_bytes:
        raise ImportRejected("too_large", _(
            "The file is %(size)s MiB; the limit is %(limit)s MiB. Split the report or ask an "
            "administrator to raise KB_IMPORT_MAX_BYTES."
        ) % {"size": f"{math.ceil(size * 10 / MIB) / 10:.1f}",
             "limit": f"{math.floor(max_bytes * 10 / MIB) / 10:.1f}"})


def decode_text(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) or a detected Japanese legacy encoding."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRejected("binary", _(
            "This is not a text file (it contains binary data). Upload the PDF or DOCX itself."
        ))
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=sorted(JAPANESE_ENCODINGS)).best()
    if best is None or best.encoding not in JAPANESE_ENCODINGS:
        raise ImportRejected("encoding", _(
            "The text's encoding could not be recognised. Save it as UTF-8 and upload it again."
        ))
    return str(best), best.encoding


# What one PDF may cost. pypdf's own limits allow 75 MB per decompressed stream and two
# million tokens per content stream: a 150 KB file inflating to 70 MB took 7-12 s, and a
# page of two million tokens 12-20 s (about 10 µs a token, text extraction included).
MAX_PDF_PAGES = 1_000
# Tokens one PDF may parse, all its content streams together. A dense page of text is a
# few thousand tokens: this reads some 250 such pages. Measured at the budget (make bench,
# 2 shared cores under load): about 9 s to extract, 20 s for the whole import request.
MAX_PDF_TOKENS = 1_000_000
_PDF_LIMITS = {
    "zlib_maximum_output_length": 10_000_000,
    "lzw_maximum_output_length": 10_000_000,
    "run_length_maximum_output_length": 10_000_000,
    "brotli_maximum_output_length": 10_000_000,
    "array_based_stream_maximum_output_length": 10_000_000,
    "stream_decoding_work_maximum_length": 20_000_000,
    # Each use of a form on a page parses it again: 1,000 uses of a 7,000-token form (a
    # 923-byte file) took 124 s. A page draws its logo or header a few times.
    "xform_maximum_invocations_per_extraction": 50,
}


class _TokenBudget:
    """The tokens a whole PDF may still parse, given to pypdf as its per-stream limit.

    pypdf gives each content stream its own budget (``stream_parsing_work_maximum_count``),
    so a document of many pages, or a page using a form again and again, parses without
    bound. pypdf only subtracts from the budget (``-=``) and compares it with zero: this
    object takes the subtractions for every stream of the document, so one budget bounds
    them all (checked by the tests on each version of pypdf kb installs)."""

    def __init__(self, tokens: int) -> None:
        self.left = tokens

    def __isub__(self, used: int) -> _TokenBudget:
        self.left -= used
        return self

    def __lt__(self, other: int) -> bool:
        return self.left < other


# pypdf raises more than its own errors on a malformed file.
_PDF_ERRORS = (ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError)


def _pdf(data: bytes, progress: Callable[[int, int], None] | None = None) -> Extracted:
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError, PyPdfError

    if not data.lstrip().startswith(b"%PDF"):
        raise ImportRejected("not_pdf", _("This file is not a PDF, although its name ends in .pdf."))
    try:
        with apply_configuration(**_PDF_LIMITS,
                                 stream_parsing_work_maximum_count=_TokenBudget(MAX_PDF_TOKENS)):
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                raise ImportRejected("encrypted", _(
                    "The PDF is password-protected. Remove the protection and upload it again."
                ))
            if len(reader.pages) > MAX_PDF_PAGES:
                raise ImportRejected("too_many_pages", _(
                    "The PDF has %(count)s pages; at most %(limit)s can be imported. Split the "
                    "report and import it in parts."
                ) % {"count": f"{len(reader.pages):,}", "limit": f"{MAX_PDF_PAGES:,}"})
            pages, styles = [], []
            for page in reader.pages:
                lines = typeset.LineStyles()
                pages.append(page.extract_text(visitor_text=lines) or "")
                lines.end_line()
                styles.append(lines.lines)
                if progress:
                    progress(len(pages), len(reader.pages))
    except ImportRejected:
        raise
    except LimitReachedError as error:
        raise ImportRejected("pdf_limit", _(
            "The PDF could not be read: it holds more than kb reads from one file (%(error)s). "
            "Split the report and import it in parts, or paste the text."
        ) % {"error": error}) from error
    except (PyPdfError, *_PDF_ERRORS) as error:
        raise ImportRejected("broken_pdf", _("The PDF could not be read: %(error)s") % {
            "error": error}) from error
    if not any(page.strip() for page in pages):
        raise ImportRejected("no_text", _(
            "The PDF has no text layer (it is scanned or made of images). Run it through OCR "
            "first, or paste the text."
        ))
    return Extracted(text=PAGE_BREAK.join(typeset.mark_headings(pages, styles)), format="pdf",
                     pages=len(pages))


def _docx(data: bytes) -> Extracted:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportRejected("not_docx", _("This file is not a DOCX, although its name ends in .docx."))
    return Extracted(text=docx_text(data), format="docx")
