"""A minimal PDF writer for the tests and the import benchmark (manage.py bench_import): one page per text, Japanese
included, with a text layer any extractor reads. Not for display: the font is not
embedded, glyphs are code points (Identity-H) and a ToUnicode map makes them text.
"""

from __future__ import annotations


def _hex(text: str) -> str:
    return "".join(f"{ord(ch):04X}" for ch in text if ord(ch) <= 0xFFFF)


def text_pdf(pages: list[str]) -> bytes:
    """A PDF whose page ``n`` holds the lines of ``pages[n]``."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    # Map only the characters used, as real PDFs' subset fonts do.
    used = sorted({ord(ch) for text in pages for ch in text if ch != "\n" and ord(ch) <= 0xFFFF})
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
    pages_id = len(objects) + 1 + 2 * len(pages)  # after every page and content object
    page_ids = []
    for text in pages:
        ops = [b"BT /F1 10 Tf 12 TL 40 800 Td"]
        for line in text.split("\n"):
            ops.append(b"<%s> Tj T*" % _hex(line).encode("ascii"))
        ops.append(b"ET")
        stream = b"\n".join(ops)
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        page_ids.append(add(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
            % (pages_id, font, content)
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
