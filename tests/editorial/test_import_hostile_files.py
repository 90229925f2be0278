"""Hostile report files are refused clearly, in the editor's language, with nothing written:
DOCX packages that unpack, expand or count far beyond their size (or are not XML at all),
and PDFs whose streams inflate or whose pages are too many."""

from __future__ import annotations

import importlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from kb.editorial.importers import ImportRejected, extract, word
from kb.models import Article, ImportDraft
from tests.editorial import hostile_files

# The package exports a function under this module's name.
extract_module = importlib.import_module("kb.editorial.importers.extract")
MAX = 20 * 1024 * 1024
URL = reverse("admin:kb_article_import")


HOSTILE_DOCX = {
    "malformed": (hostile_files.malformed, "broken_docx", "整形式"),
    "billion_laughs": (hostile_files.billion_laughs, "docx_dtd", "文書型宣言"),
    "external_entity": (lambda: hostile_files.external_entity("file:///etc/hostname"),
                        "docx_dtd", "文書型宣言"),
    "huge_text_node": (hostile_files.huge_text_node, "broken_docx", "整形式"),
}


@pytest.mark.parametrize("name", HOSTILE_DOCX)
def test_hostile_docx_is_refused_with_a_reason(name):
    build, code, _message = HOSTILE_DOCX[name]
    with pytest.raises(ImportRejected) as refused:
        extract(data=build(), filename="report.docx", max_bytes=MAX)
    assert refused.value.code == code


def test_no_entity_is_expanded_and_no_external_one_fetched(tmp_path, monkeypatch):
    secret = tmp_path / "secret.txt"
    secret.write_text("KB-SECRET-42")
    data = hostile_files.external_entity(secret.as_uri())
    opened = []
    monkeypatch.setattr("docx.Document", lambda *args: opened.append(args))
    with pytest.raises(ImportRejected) as refused:
        extract(data=data, filename="r.docx", max_bytes=MAX)
    assert refused.value.code == "docx_dtd"
    assert "KB-SECRET-42" not in refused.value.message
    assert opened == []  # refused before python-docx parsed anything


@pytest.mark.parametrize("name", HOSTILE_DOCX)
def test_admin_import_refuses_hostile_docx_and_writes_nothing(editor_client, name):
    build, _code, message = HOSTILE_DOCX[name]
    response = editor_client.post(URL, {"step": "upload", "file": SimpleUploadedFile(
        "report.docx", build())})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="errornote kb-import-error"' in html and message in html
    assert not Article.objects.exists() and not ImportDraft.objects.exists()


def test_import_report_refuses_hostile_docx(tmp_path, capsys, db):
    report = tmp_path / "laughs.docx"
    report.write_bytes(hostile_files.billion_laughs())
    with pytest.raises(CommandError):
        call_command("import_report", str(report))
    assert "文書型宣言" in capsys.readouterr().err
    assert not Article.objects.exists()


def test_docx_unpacking_beyond_the_limit_is_refused_before_reading(monkeypatch):
    monkeypatch.setattr(word, "MAX_UNPACKED_BYTES", 1024 * 1024)
    with pytest.raises(ImportRejected) as refused:
        extract(data=hostile_files.unpacking_to(2 * 1024 * 1024), filename="r.docx",
                max_bytes=MAX)
    assert refused.value.code == "docx_too_large"


def test_docx_members_larger_than_declared_are_refused():
    # The zip's directory declares 100 bytes for 2 MB: reading stops there, and the
    # member's checksum then fails.
    data = hostile_files.docx_with({"word/media/padding.bin": b"\0" * 2 * 1024 * 1024},
                                   declared={"word/media/padding.bin": 100})
    with pytest.raises(ImportRejected) as refused:
        extract(data=data, filename="r.docx", max_bytes=MAX)
    assert refused.value.code == "broken_docx"


def test_docx_with_too_many_paragraphs_is_refused():
    # 246,000 empty paragraphs fit in a 57 KB file and took 511 s.
    with pytest.raises(ImportRejected) as refused:
        extract(data=hostile_files.empty_paragraphs(word.MAX_PARAGRAPHS + 1),
                filename="r.docx", max_bytes=MAX)
    assert refused.value.code == "too_many_paragraphs"
    assert f"{word.MAX_PARAGRAPHS:,}" in refused.value.message


def test_docx_styles_are_looked_up_once_not_per_paragraph(monkeypatch):
    from docx.parts.document import DocumentPart

    body = ('<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>見出し</w:t></w:r></w:p>'
            '<w:p><w:r><w:t>本文です。</w:t><w:tab/><w:t>続き。</w:t></w:r></w:p>') * 2_000
    data = hostile_files.docx_with({"word/document.xml": hostile_files.document_xml(body)})
    lookups = []
    real = DocumentPart.get_style
    monkeypatch.setattr(DocumentPart, "get_style",
                        lambda self, *args: lookups.append(args) or real(self, *args))
    text = extract(data=data, filename="r.docx", max_bytes=MAX).text
    assert lookups == []
    assert text.count("## 見出し\n") == 2_000 and "本文です。\t続き。" in text


def test_pdf_whose_stream_inflates_is_refused_not_a_500(editor_client):
    data = hostile_files.pdf_inflating_to(60_000_000)
    with pytest.raises(ImportRejected) as refused:
        extract(data=data, filename="r.pdf", max_bytes=MAX)
    assert refused.value.code == "pdf_limit"
    response = editor_client.post(URL, {"step": "upload", "file": SimpleUploadedFile(
        "report.pdf", data)})
    assert response.status_code == 200
    assert "PDF を読み取れませんでした" in response.content.decode()
    assert not Article.objects.exists() and not ImportDraft.objects.exists()


def test_pdf_with_too_many_pages_is_refused(monkeypatch):
    monkeypatch.setattr(extract_module, "MAX_PDF_PAGES", 5)
    with pytest.raises(ImportRejected) as refused:
        extract(data=hostile_files.pdf_of_blank_pages(6), filename="r.pdf", max_bytes=MAX)
    assert refused.value.code == "too_many_pages"


def test_a_form_used_a_thousand_times_is_parsed_a_bounded_number_of_times(monkeypatch):
    # 1,000 uses of a 7,000-token form (a 923-byte file) took 124 s: each use parses it.
    from pypdf.generic import ContentStream

    parses = []
    real = ContentStream._parse_content_stream
    monkeypatch.setattr(ContentStream, "_parse_content_stream",
                        lambda self, stream: parses.append(1) or real(self, stream))
    text = extract(data=hostile_files.pdf_using_a_form(1000, b"BT /F1 12 Tf (a) Tj ET\n"),
                   filename="r.pdf", max_bytes=MAX).text
    assert text.startswith("a")
    assert len(parses) <= 1 + extract_module._PDF_LIMITS["xform_maximum_invocations_per_extraction"]


def test_malformed_main_part_under_another_name_is_refused():
    data = hostile_files.main_part_renamed(hostile_files.document_xml(
        "<w:p><w:r><w:t>&lol;</w:t></w:r>", '<!DOCTYPE w:document [<!ENTITY lol "x">]>'))
    with pytest.raises(ImportRejected) as refused:
        extract(data=data, filename="r.docx", max_bytes=MAX)
    assert refused.value.code == "broken_docx"


def test_one_token_budget_bounds_the_whole_pdf_not_each_page(monkeypatch):
    monkeypatch.setattr(extract_module, "MAX_PDF_TOKENS", 10_000)
    page = b"BT /F1 12 Tf (a) Tj ET\n" * 600  # 4,200 tokens
    assert extract(data=hostile_files.pdf_with_content(page, page), filename="r.pdf",
                   max_bytes=MAX).pages == 2
    with pytest.raises(ImportRejected) as refused:
        extract(data=hostile_files.pdf_with_content(page, page, page), filename="r.pdf",
                max_bytes=MAX)
    assert refused.value.code == "pdf_limit"
