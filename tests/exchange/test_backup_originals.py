"""Backups carry the articles' original files (version 4): restored byte for byte with
their checksums verified, and a damaged one refused with nothing restored."""

import base64
import hashlib
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from kb.exchange import backup
from kb.library import services as library_services
from kb.models import Article, Original
from tests.pdfwriter import text_pdf

PDF = text_pdf(["デジタル人民元\n\n実証実験の現状"])


def _files(root):
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.fixture
def with_originals(make_article, media_root):
    article = make_article(title="デジタル人民元", slug="e-cny")
    for content, name, kind in [(b"first upload", "old.txt", "text/plain; charset=utf-8"),
                                (PDF, "人民元レポート.pdf", "application/pdf")]:
        library_services.store_original(article=article, original=library_services.OriginalFile(
            content=content, filename=name, content_type=kind))
    make_article(title="原本なし", slug="plain")
    return article


def _originals():
    return [(o.article.slug, o.filename, o.content_type, o.size, o.sha256)
            for o in Original.objects.select_related("article").order_by("created_at", "id")]


@pytest.mark.parametrize("name", ["kb.zip", "kb.json"])
def test_round_trip_keeps_originals(with_originals, tmp_path, name, capsys,
                                    django_capture_on_commit_callbacks):
    before = _originals()
    old_files = _files(tmp_path / "media")
    call_command("export_kb", tmp_path / name)
    assert "2 original files" in capsys.readouterr().out
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_kb", tmp_path / name, "--replace")
    assert "2 original files" in capsys.readouterr().out
    assert _originals() == before
    # The replaced rows' files were deleted once the restore committed; the new ones kept.
    media = _files(tmp_path / "media")
    assert len(media) == 2 and not set(media) & set(old_files)
    response = Client().get(reverse("kb:article_original", args=["e-cny"]))
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == hashlib.sha256(PDF).hexdigest()
    assert response["Content-Type"] == "application/pdf"
    assert Client().get(reverse("kb:article_original", args=["plain"])).status_code == 404


def _tampered(path, change):
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    data["sha256"] = backup.content_digest(data)  # consistent file, damaged original
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_an_original_not_matching_its_checksum_is_refused(with_originals, tmp_path):
    path = tmp_path / "kb.json"
    call_command("export_kb", path)

    def damage(data):
        original = next(a for a in data["articles"] if a["slug"] == "e-cny")["originals"][1]
        original["content"] = base64.b64encode(b"%PDF-1.4 something else").decode()

    _tampered(path, damage)
    before, files = _originals(), _files(tmp_path / "media")
    with pytest.raises(CommandError, match="人民元レポート.pdf.*チェックサム"):
        call_command("import_kb", path, "--replace")
    assert _originals() == before  # nothing replaced
    assert _files(tmp_path / "media") == files  # the restore's own writes were removed


def test_version_3_backups_still_restore_without_originals(with_originals, tmp_path):
    path = tmp_path / "kb.json"
    call_command("export_kb", path)

    def as_version_3(data):
        data["version"] = 3
        for article in data["articles"]:
            del article["originals"]

    _tampered(path, as_version_3)
    call_command("import_kb", path, "--replace")
    assert Article.objects.count() == 2 and not Original.objects.exists()
