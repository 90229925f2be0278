"""A minimal PDF writer for the tests and the import benchmark (manage.py bench_import): one page per text, Japanese
included, with a text layer any extractor reads. Not for display: the font is not
embedded, glyphs are code points (Identity-H) and a ToUnicode map makes them text.

A line is drawn at 10 points in a regular face, or as given: ``Line(text, size, bold)``, as
typeset reports set their headings (larger, or bold) and their running heads (smaller).
"""

from __future__ import annotations

from typing import NamedTuple

BODY_SIZE = 10


class Line(NamedTuple):
    text: str
    size: float = BODY_SIZE
    bold: bool = False


def _hex(text: str) -> str:
    return "".join(f"{ord(ch):04X}" for ch in text if ord(ch) <= 0xFFFF)


def text_pdf(pages: list[str] | list[list[Line]]) -> bytes:
    """A PDF whose page ``n`` holds the lines of ``pages[n]``: a text's lines in the body
    face, or Lines in their own size and weight."""
    pages = [[Line(line) for line in page.split("\n")] if isinstance(page, str) else page
             for page in pages]
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    # Map only the characters used, as real PDFs' subset fonts do.
    used = sorted({ord(ch) for page in pages for line in page for ch in line.text
                   if ord(ch) <= 0xFFFF})
    chunks = [used[i:i + 100] for i in range(0, len(used), 100)]
    mappings = b"".join(
        b"%d beginbfchar\n" % len(chunk)
        + b"".join(b"<%04X> <%04X>\n" % (code, code) for code in chunk)
        + b"endbfchar\n"
        for chunk in chunks
    )
    cmap = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        b"/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        + mappings
        + b"endcmap CMapName currentdict /CMap defineresource pop end end\n"
    )
    to_unicode = add(b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"endstream")
    descendant = add(
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /KbPlain "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
        b"/FontDescriptor << /Type /FontDescriptor /FontName /KbPlain /Flags 4 "
        b"/FontBBox [0 0 1000 1000] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 "
        b"/StemV 80 >> /DW 1000 >>"
    )
    font = add(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /KbPlain /Encoding /Identity-H "
        b"/DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (descendant, to_unicode)
    )
    bold = add(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /KbPlain-Bold /Encoding /Identity-H "
        b"/DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (descendant, to_unicode)
    )
    pages_id = len(objects) + 1 + 2 * len(pages)  # after every page and content object
    page_ids = []
    for page in pages:
        ops = [b"BT 40 800 Td"]
        style = None
        for line in page:
            if (line.size, line.bold) != style:
                style = (line.size, line.bold)
                ops.append(b"/F%d %g Tf %g TL" % (2 if line.bold else 1, line.size, line.size * 1.2))
            ops.append(b"<%s> Tj T*" % _hex(line.text).encode("ascii"))
        ops.append(b"ET")
        stream = b"\n".join(ops)
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        page_ids.append(add(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> /Contents %d 0 R >>"
            % (pages_id, font, bold, content)
        ))
    kids = b" ".join(b"%d 0 R" % i for i in page_ids)
    add(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_ids)))
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, catalog, xref)
    return bytes(out)
