"""Bytes of an uploaded report → its text. No database access.

PDF: pypdf (pure Python, maintained, reads the text layer page by page, so page breaks
and numbers survive as form feeds). DOCX: python-docx (keeps paragraph styles, so Word
headings become Markdown headings). Plain text: UTF-8, or Shift_JIS/CP932/EUC-JP
detected by charset-normalizer and converted.
"""

from __future__ import annotations

import io
import math
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.utils.translation import gettext as _

from kb.editorial.importers.errors import ImportRejected

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


def extract(*, data: bytes, filename: str, max_bytes: int) -> Extracted:
    """The text of an uploaded file; ImportRejected with a specific reason otherwise."""
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
        result = _pdf(data)
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


def _pdf(data: bytes) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not data.lstrip().startswith(b"%PDF"):
        raise ImportRejected("not_pdf", _("This file is not a PDF, although its name ends in .pdf."))
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ImportRejected("encrypted", _(
                "The PDF is password-protected. Remove the protection and upload it again."
            ))
        pages = [page.extract_text() or "" for page in reader.pages]
    except PdfReadError as error:
        raise ImportRejected("broken_pdf", _("The PDF could not be read: %(error)s") % {
            "error": error}) from error
    if not any(page.strip() for page in pages):
        raise ImportRejected("no_text", _(
            "The PDF has no text layer (it is scanned or made of images). Run it through OCR "
            "first, or paste the text."
        ))
    return Extracted(text=PAGE_BREAK.join(pages), format="pdf", pages=len(pages))


def _docx(data: bytes) -> Extracted:
    import docx

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportRejected("not_docx", _("This file is not a DOCX, although its name ends in .docx."))
    try:
        document = docx.Document(io.BytesIO(data))
    except (KeyError, ValueError, zipfile.BadZipFile) as error:
        raise ImportRejected("broken_docx", _("The DOCX could not be read: %(error)s") % {
            "error": error}) from error
    lines = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        level = _heading_level(style)
        if text and level:
            lines += [f"{'#' * min(level + 1, 6)} {text}", ""]
        elif text:
            lines += [text, ""]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text.strip() for cell in row.cells))
        lines.append("")
    return Extracted(text="\n".join(lines), format="docx")


def _heading_level(style: str) -> int:
    """Word's "Heading 2" → 2, "Title" → 1 (its own heading), anything else → 0."""
    if style == "Title":
        return 1
    if style.startswith(("Heading ", "見出し ")):
        number = style.rsplit(" ", 1)[-1]
        return int(number) if number.isdigit() else 0
    return 0
