"""Importing keeps the original file: the admin's upload and the import_report command
store its bytes (through the "originals" storage) beside the article, and a failed import
leaves no file behind."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import docx
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils.encoding import iri_to_uri

from kb.editorial import services as editorial_services
from kb.editorial.corpus import load_corpus
from kb.library import services as library_services
from kb.models import Article, ImportDraft, Original
from kb.search import index as search_index
from tests.editorial.import_preview import REPORT, URL, save_data
from tests.pdfwriter import text_pdf

PDF = text_pdf([REPORT.split("\n\n●")[0], "●次世代通信におけるファーウェイの戦い\n\n制裁措置は協力を深めた。"])
PDF_NAME = "中ロ技術協力 2019.pdf"


def _stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def _import(client, content: bytes = PDF, name: str = PDF_NAME):
    preview = client.post(URL, {"step": "upload", "file": SimpleUploadedFile(name, content)})
    assert preview.status_code == 200 and "draft" in preview.context, preview.content[:2000]
    return client.post(URL, save_data(preview))


def test_an_imported_pdf_downloads_as_the_same_bytes(editor_client, client, media_root):
    response = _import(editor_client)
    assert response.status_code == 302
    article = Article.objects.get()
    original = article.originals.get()
    assert (original.filename, original.size, original.content_type) == (
        PDF_NAME, len(PDF), "application/pdf")
    assert original.sha256 == hashlib.sha256(PDF).hexdigest()
    # Through the named storage, under MEDIA_ROOT, never under the uploader's filename.
    assert original.stored_name.startswith(f"originals/{original.sha256[:2]}/{original.sha256}-")
    assert _stored_files(media_root) == [media_root / original.stored_name]
    assert not ImportDraft.objects.exists()  # the draft's copy went with the draft

    # An anonymous reader follows the article page's link.
    page = client.get(article.get_absolute_url()).content.decode()
    url = reverse("kb:article_original", args=[article.slug])
    assert url == iri_to_uri(f"/articles/{article.slug}/original")
    assert f'href="{url}"' in page and "元のPDF" in page
    assert f'<meta name="citation_pdf_url" content="http://testserver{url}">' in page
    download = client.get(url)
    body = b"".join(download.streaming_content)
    assert hashlib.sha256(body).hexdigest() == original.sha256
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Length"] == str(len(PDF))
    assert download["X-Content-Type-Options"] == "nosniff"
    # Opened in the browser's PDF viewer (so #page=N works), Japanese name RFC 6266-encoded.
    assert download["Content-Disposition"] == (
        "inline; filename*=utf-8''%E4%B8%AD%E3%83%AD%E6%8A%80%E8%A1%93%E5%8D%94%E5%8A%9B%202019.pdf")
    assert client.get(url, HTTP_IF_NONE_MATCH=download["ETag"]).status_code == 304


def test_a_text_file_holding_html_is_served_as_plain_text(editor_client, client, media_root):
    html = ("<html><body><script>alert(1)</script>\n\n" + REPORT + "</body></html>").encode()
    assert _import(editor_client, html, "report.txt").status_code == 302
    article = Article.objects.get()
    response = client.get(reverse("kb:article_original", args=[article.slug]))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'inline; filename="report.txt"'
    assert b"".join(response.streaming_content) == html
    page = client.get(article.get_absolute_url()).content.decode()
    assert "元のファイル" in page and "citation_pdf_url" not in page


def test_a_shift_jis_text_is_served_in_its_own_encoding(editor_client, client, media_root):
    content = REPORT.encode("cp932")
    assert _import(editor_client, content, "報告.md").status_code == 302
    response = client.get(reverse("kb:article_original", args=[Article.objects.get().slug]))
    assert response["Content-Type"] == "text/plain; charset=windows-31j"
    assert b"".join(response.streaming_content) == content


def test_pasted_text_has_no_original(editor_client, client, media_root):
    preview = editor_client.post(URL, {"step": "upload", "text": REPORT})
    assert editor_client.post(URL, save_data(preview)).status_code == 302
    article = Article.objects.get()
    assert not article.originals.exists() and _stored_files(media_root) == []
    assert client.get(reverse("kb:article_original", args=[article.slug])).status_code == 404
    assert "kb:article_original" not in client.get(article.get_absolute_url()).content.decode()


def test_a_failed_import_leaves_no_file(editor_client, media_root, monkeypatch):
    preview = editor_client.post(URL, {"step": "upload",
                                       "file": SimpleUploadedFile(PDF_NAME, PDF)})
    stored = []

    def failing_reindex(ids):
        # The original is stored by now: the failure comes after the storage write.
        stored.extend(_stored_files(media_root))
        raise RuntimeError("search index unavailable")

    monkeypatch.setattr(search_index, "reindex_articles", failing_reindex)
    with pytest.raises(RuntimeError):
        editor_client.post(URL, save_data(preview))
    assert len(stored) == 1
    assert not Article.objects.exists() and not Original.objects.exists()
    assert _stored_files(media_root) == []
    assert ImportDraft.objects.count() == 1  # the editor can save the preview again


def test_an_import_rolled_back_without_an_exception_leaves_no_file(
        transactional_db, media_root):
    """The outermost block sees the transaction did not commit (no on_commit ran)."""
    from django.db import transaction

    with library_services.originals_cleaned_up(), transaction.atomic():
        article = editorial_services.create_article(data=editorial_services.ArticleData(
            title="t", slug="t", kind="report",
            sections=[editorial_services.SectionData(heading="h", body="b")],
            originals=[library_services.OriginalFile(b"x", "x.txt", "text/plain")]))
        assert article.originals.exists() and len(_stored_files(media_root)) == 1
        transaction.set_rollback(True)
    assert not Article.objects.exists() and _stored_files(media_root) == []


def test_a_committed_import_keeps_its_file(transactional_db, media_root):
    editorial_services.create_article(data=editorial_services.ArticleData(
        title="t", slug="t", kind="report",
        sections=[editorial_services.SectionData(heading="h", body="b")],
        originals=[library_services.OriginalFile(b"x", "x.txt", "text/plain")]))
    assert Original.objects.get().size == 1 and len(_stored_files(media_root)) == 1


def test_an_original_over_the_upload_limit_is_refused(make_article, settings, media_root):
    settings.KB_IMPORT_MAX_BYTES = 10
    article = make_article()
    with pytest.raises(ValidationError):
        library_services.store_original(article=article, original=library_services.OriginalFile(
            b"x" * 11, "big.txt", "text/plain"))
    assert not Original.objects.exists() and _stored_files(media_root) == []


def test_a_new_original_never_overwrites_the_stored_one(make_article, client, media_root):
    article = make_article()
    first = library_services.store_original(article=article, original=library_services.OriginalFile(
        b"same", "a.txt", "text/plain; charset=utf-8"))
    second = library_services.store_original(article=article, original=library_services.OriginalFile(
        b"same", "a.txt", "text/plain; charset=utf-8"))
    assert first.stored_name != second.stored_name
    assert len(_stored_files(media_root)) == 2
    with pytest.raises(ValidationError):  # a backup's record that does not match its bytes
        library_services.store_original(article=article, original=library_services.OriginalFile(
            b"changed", "a.txt", "text/plain", sha256=first.sha256))
    response = client.get(reverse("kb:article_original", args=[article.slug]))
    assert b"".join(response.streaming_content) == b"same"
    assert len(_stored_files(media_root)) == 2


def test_import_report_keeps_docx_originals(tmp_path, client, db, media_root):
    document = docx.Document()
    document.add_heading("デジタル人民元の論点", level=1)
    document.add_paragraph("中国人民銀行はデジタル人民元の実証実験を進めている。" * 5)
    buffer = io.BytesIO()
    document.save(buffer)
    path = tmp_path / "人民元.docx"
    path.write_bytes(buffer.getvalue())
    call_command("import_report", str(path))
    original = Original.objects.get()
    assert original.content_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response = client.get(reverse("kb:article_original", args=[original.article.slug]))
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E4%BA%BA%E6%B0%91%E5%85%83.docx")
    assert b"".join(response.streaming_content) == path.read_bytes()


SOURCES = Path(__file__).resolve().parents[2] / "fixtures" / "sources"


def test_corpus_articles_have_their_source_texts_as_originals(corpus, client):
    shipped = {}
    for path in sorted((SOURCES.parent / "corpus").glob("*.json")):
        item = json.loads(path.read_text(encoding="utf-8"))
        shipped[item["slug"]] = (SOURCES / item["source_file"]).read_bytes()
    assert len(shipped) == 5
    for slug, content in shipped.items():
        original = Original.objects.get(article__slug=slug)
        assert original.content_type == "text/plain; charset=utf-8"
        response = client.get(reverse("kb:article_original", args=[slug]))
        assert b"".join(response.streaming_content) == content
        assert original.sha256 == hashlib.sha256(content).hexdigest()


def test_loading_the_corpus_again_gives_old_loads_their_originals(corpus, media_root):
    assert load_corpus().articles_created == []
    assert Original.objects.count() == 5  # not stored twice
    Original.objects.filter(article__slug__in=["nri-caict-joint-research-2025"]).delete()
    load_corpus()  # a database loaded before originals were kept
    assert Original.objects.filter(article__slug="nri-caict-joint-research-2025").count() == 1
    assert Original.objects.count() == 5
