"""A .docx file's text, with every cost bounded by the file's size (no database access).

python-docx reads the document (Word headings become Markdown headings), but only after
the package has been checked: a DOCX is a zip of XML, and either can be made to cost far
more than its size. So, before python-docx sees it:
- the members' unpacked size is limited, as declared in the zip and as actually read;
- every XML member must be well-formed and carry no document type declaration: Word never
  writes one, and a DTD is how entities expand (a "billion laughs") or fetch a file or a
  URL (an external entity). libxml2 also refuses a text node over 10 MB;
- the number of paragraphs is limited (246,000 empty ones fit in 57 KB).
Styles are looked up once per document, not per paragraph as ``Paragraph.style`` does
(about 4 ms a paragraph), and tables are read from their XML, not through python-docx's
cells, which repeat a spanned cell once per column it spans.
"""

from __future__ import annotations

import io
import zipfile

from django.utils.translation import gettext as _
from lxml import etree

from kb.editorial.importers.errors import ImportRejected

# A DOCX is refused when its members unpack to more than this, all together (a report of
# a thousand pages is some 10 MB of XML; images are stored already compressed).
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_PARAGRAPHS = 20_000
_CHUNK = 1024 * 1024
# The parser that checks each XML member: no entity is resolved, nothing is fetched, no
# DTD is loaded, and libxml2's limits on text nodes and nesting stay on (no huge_tree).
_CHECKING_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                   dtd_validation=False, huge_tree=False)


def _broken(error: object) -> ImportRejected:
    return ImportRejected("broken_docx", _("The DOCX could not be read: %(error)s") % {
        "error": error})


def _too_large() -> ImportRejected:
    return ImportRejected("docx_too_large", _(
        "The DOCX unpacks to more than %(limit)d MB. Split the report, or save it without "
        "embedded files, and upload it again."
    ) % {"limit": MAX_UNPACKED_BYTES // (1024 * 1024)})


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, allowance: int) -> bytes:
    """The member's bytes, refused as soon as they pass ``allowance`` (a zip may declare
    less than it holds)."""
    chunks, size = [], 0
    with archive.open(info) as member:
        while chunk := member.read(_CHUNK):
            size += len(chunk)
            if size > allowance:
                raise _too_large()
            chunks.append(chunk)
    return b"".join(chunks)


# A DTD, spelled in either of the encodings a DOCX's XML may use. Outside markup "<" is
# always escaped, so these bytes can only open a declaration (or sit in a comment).
_DOCTYPE = tuple("<!DOCTYPE".encode(encoding) for encoding in ("utf-8", "utf-16-le", "utf-16-be"))


def _check_xml(name: str, data: bytes) -> None:
    if any(marker in data for marker in _DOCTYPE):
        raise _declares_dtd(name)
    try:
        root = etree.fromstring(data, _CHECKING_PARSER)  # noqa: S320 (parser hardened above)
    except etree.XMLSyntaxError as error:
        raise ImportRejected("broken_docx", _(
            "The DOCX could not be read: its part %(part)s is not well-formed XML (line "
            "%(line)s)."
        ) % {"part": name, "line": error.lineno}) from error
    if root.getroottree().docinfo.doctype:
        raise _declares_dtd(name)


def _declares_dtd(name: str) -> ImportRejected:
    return ImportRejected("docx_dtd", _(
        "The DOCX could not be read: its part %(part)s declares a document type, which Word "
        "never writes. Open the file in Word, save it again and upload that copy."
    ) % {"part": name})


def check_package(data: bytes) -> dict[str, bytes]:
    """The DOCX's XML members by name, once checked; refuses a DOCX whose zip or XML would
    cost more than its size (see the module's text)."""
    xml = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if sum(info.file_size for info in members) > MAX_UNPACKED_BYTES:
                raise _too_large()
            left = MAX_UNPACKED_BYTES
            for info in members:
                content = _read_member(archive, info, left)
                left -= len(content)
                if info.filename.endswith((".xml", ".rels")):
                    _check_xml(info.filename, content)
                    xml[info.filename] = content
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as error:
        # A corrupt member (bad CRC, truncated), or a compression zipfile does not know.
        raise _broken(error) from error
    return xml


def docx_text(data: bytes) -> str:
    """The document's text as Markdown-ish lines: headings marked, tables as ``a | b``."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.opc.exceptions import OpcError

    xml = check_package(data)
    try:
        document = docx.Document(io.BytesIO(data))
        # The body is read again as plain XML: walking python-docx's own element classes
        # costs some 20 µs a paragraph (1-3 s at the paragraph limit).
        root = etree.fromstring(xml[document.part.partname.lstrip("/")],  # noqa: S320
                                _CHECKING_PARSER)
        styles = {style.style_id: style.name or ""
                  for style in document.styles if style.type == WD_STYLE_TYPE.PARAGRAPH}
        default = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
    # XML parts not named .xml are parsed by python-docx alone (its parser resolves no
    # entity either); the main part must be one of those checked (a KeyError otherwise).
    except (KeyError, ValueError, AttributeError, OpcError, zipfile.BadZipFile,
            etree.LxmlError) as error:
        raise _broken(error) from error
    body = root.find(_w("body"))
    if body is None:
        raise _broken(_("it has no document body"))
    count = sum(1 for _p in body.iter(_w("p")))
    if count > MAX_PARAGRAPHS:
        raise ImportRejected("too_many_paragraphs", _(
            "The DOCX has %(count)s paragraphs; at most %(limit)s can be imported. Split the "
            "report and import it in parts."
        ) % {"count": f"{count:,}", "limit": f"{MAX_PARAGRAPHS:,}"})
    default_name = (default.name or "") if default is not None else ""
    lines = []
    for paragraph in body.iterchildren(_w("p")):
        text = _paragraph_text(paragraph).strip()
        level = _heading_level(styles.get(_style_id(paragraph), default_name))
        if text and level:
            lines += [f"{'#' * min(level + 1, 6)} {text}", ""]
        elif text:
            lines += [text, ""]
    for table in body.iterchildren(_w("tbl")):
        for row in table.iterchildren(_w("tr")):
            lines.append(" | ".join(_cell_text(cell) for cell in row.iterchildren(_w("tc"))))
        lines.append("")
    return "\n".join(lines)


def _w(tag: str) -> str:
    return f"{{http://schemas.openxmlformats.org/wordprocessingml/2006/main}}{tag}"


_RUN, _LINK, _TEXT, _TAB, _BREAK, _RETURN = (_w(tag) for tag in ("r", "hyperlink", "t", "tab", "br", "cr"))
_STYLE = f"{_w('pPr')}/{_w('pStyle')}"


def _style_id(paragraph) -> str | None:
    style = paragraph.find(_STYLE)
    return None if style is None else style.get(_w("val"))


def _paragraph_text(paragraph) -> str:
    """What python-docx's ``Paragraph.text`` gives (runs and hyperlinks' runs: text, tabs,
    line breaks), without its XPath query per paragraph (50 µs: 2.5 s at the limit)."""
    parts = []
    for child in paragraph.iterchildren(_RUN, _LINK):
        for run in child.iterchildren(_RUN) if child.tag == _LINK else (child,):
            for item in run.iterchildren(_TEXT, _TAB, _BREAK, _RETURN):
                if item.tag == _TEXT:
                    parts.append(item.text or "")
                elif item.tag == _TAB:
                    parts.append("\t")
                elif item.get(_w("type"), "textWrapping") == "textWrapping":
                    parts.append("\n")
    return "".join(parts)


def _cell_text(cell) -> str:
    # A cell continuing a vertical merge is empty: the merged text is shown once, in the first.
    return "\n".join(_paragraph_text(p) for p in cell.iterchildren(_w("p"))).strip()


def _heading_level(style: str) -> int:
    """Word's "Heading 2" → 2, "Title" → 1 (its own heading), anything else → 0."""
    if style == "Title":
        return 1
    if style.startswith(("Heading ", "見出し ")):
        number = style.rsplit(" ", 1)[-1]
        return int(number) if number.isdigit() else 0
    return 0
