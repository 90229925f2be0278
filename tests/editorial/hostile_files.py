"""Hostile .docx and .pdf files, built in memory, for the import tests and ``bench_hostile``."""

from __future__ import annotations

import io
import zipfile
import zlib

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_with(members: dict[str, bytes] | None = None, declared: dict[str, int] | None = None
              ) -> bytes:
    """A Word document (python-docx's own template) with ``members`` replaced or added, and
    the unpacked sizes its directory declares for some of them changed to ``declared``."""
    import docx

    base = io.BytesIO()
    docx.Document().save(base)
    replace = dict(members or {})
    out = io.BytesIO()
    with zipfile.ZipFile(base) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.pop(info.filename, None)
                            or source.read(info.filename))
        for name, data in replace.items():
            target.writestr(name, data)
        for name, size in (declared or {}).items():
            target.getinfo(name).file_size = size  # written into the directory on close
    return out.getvalue()


def document_xml(body: str, prolog: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{prolog}'
            f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>').encode()


def main_part_renamed(document: bytes) -> bytes:
    """A Word document whose main part is ``document``, stored under a name not ending .xml."""
    source = zipfile.ZipFile(io.BytesIO(docx_with()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename).replace(b"document.xml", b"document.bin")
            if info.filename == "word/document.xml":
                target.writestr("word/document.bin", document)
            else:
                target.writestr(info.filename, data)
    return out.getvalue()


def empty_paragraphs(count: int) -> bytes:
    """The 57 KB document of 246,000 empty paragraphs that took 511 s."""
    return docx_with({"word/document.xml": document_xml("<w:p/>" * count)})


def malformed() -> bytes:
    return docx_with({"word/document.xml": document_xml("<w:p><w:r><w:t>本文</w:r></w:p>")})


def billion_laughs() -> bytes:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    return docx_with({"word/document.xml": document_xml(
        "<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>", f"<!DOCTYPE w:document [{entities}]>")})


def external_entity(url: str) -> bytes:
    styles = (f'<?xml version="1.0" encoding="UTF-8"?>\n'
              f'<!DOCTYPE w:styles [<!ENTITY secret SYSTEM "{url}">]>'
              f'<w:styles xmlns:w="{W}"><w:style w:type="paragraph" w:styleId="Leak">'
              f'<w:name w:val="&secret;"/></w:style></w:styles>').encode()
    return docx_with({"word/styles.xml": styles,
                      "word/document.xml": document_xml(
                          '<w:p><w:pPr><w:pStyle w:val="Leak"/></w:pPr>'
                          "<w:r><w:t>本文です。</w:t></w:r></w:p>")})


def huge_text_node(size: int = 11 * 1024 * 1024) -> bytes:
    return docx_with({"word/document.xml": document_xml(
        f"<w:p><w:r><w:t>{'あ' * (size // 3 + 1)}</w:t></w:r></w:p>")})


def unpacking_to(size: int) -> bytes:
    """A document carrying a member of ``size`` zero bytes (a few KB packed)."""
    return docx_with({"word/media/padding.bin": b"\0" * size})


def pdf_inflating_to(size: int) -> bytes:
    """A one-page PDF whose content stream (a few hundred KB) inflates to ``size`` bytes."""
    return pdf_with_content(b"BT /F1 12 Tf (a) Tj ET\n" * (size // 23 + 1))


def pdf_with_content(*contents: bytes) -> bytes:
    """A PDF whose page ``n`` draws ``contents[n]`` (compressed)."""
    count = len(contents)
    kids = b" ".join(b"%d 0 R" % (4 + 2 * n) for n in range(count))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % count,
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for n, content in enumerate(contents):
        stream = zlib.compress(content, 9)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                       b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * n))
        objects.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream
                       + b"\nendstream")
    return _pdf(objects)


def pdf_using_a_form(times: int, form: bytes = b"BT /F1 12 Tf (a) Tj ET\n" * 1000) -> bytes:
    """A one-page PDF drawing the same form ``times`` times: each use is parsed again."""
    page, drawn = zlib.compress(b"/X1 Do\n" * times, 9), zlib.compress(form, 9)
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font "
        b"<< /F1 5 0 R >> /XObject << /X1 6 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(page) + page + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources << /Font << /F1 5 0 R "
        b">> >> /Length %d /Filter /FlateDecode >>\nstream\n" % len(drawn) + drawn
        + b"\nendstream",
    ])


def pdf_of_blank_pages(count: int) -> bytes:
    kids = b" ".join(b"%d 0 R" % (n + 3) for n in range(count))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % count]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * count
    return _pdf(objects)


def _pdf(objects: list[bytes]) -> bytes:
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()
