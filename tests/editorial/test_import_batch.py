"""Importing reports in a batch, and recognising a report already in kb whatever format it
comes in (issue 16, item 6)."""

from __future__ import annotations

import importlib
import io

import docx
import pytest
from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from kb.models import Article
from kb.text import MAX_MARKDOWN_CHARS
from tests.pdfwriter import text_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    """Commands speak the site's language (LANGUAGE_CODE): these tests read English."""
    settings.LANGUAGE_CODE = "en"

CHAPTER = [
    ("heading", "第2章　デジタル経済の国際動向"),
    ("heading", "第1節　中国のデジタル経済"),
    ("para", "中国のデジタル経済の規模は2022年に50兆元を超え、GDPの4割を占めるに至った。"
             "政府は「数字中国」建設の全体計画を公表し、データを新たな生産要素と位置付けている。"),
    ("para", "地方政府も相次いでデータ取引所を開設しており、上海や深圳では越境データ流通の"
             "試行が始まっている。"),
    ("heading", "1　プラットフォーム企業の動向"),
    ("para", "大手プラットフォーム企業は規制強化を受けて事業を再編し、クラウドやAIへの投資を"
             "拡大している。Web3.0やSNSを通じた海外展開も続いている。"),
    ("heading", "第2節　データ流通をめぐる国際協調"),
    ("para", "各国はデータ流通の枠組みづくりを進めており、DFFTの具体化に向けた国際協調が"
             "求められている。我が国は信頼性のある自由なデータ流通を提唱してきた。"),
]
OTHER = [
    ("heading", "第3章　通信インフラの整備"),
    ("para", "5Gの人口カバー率は9割を超えたが、地方では基地局の整備が課題として残っている。"
             "光ファイバの整備率も地域による差が見られる。"),
    ("heading", "第1節　海底ケーブル"),
    ("para", "国際海底ケーブルは国際通信の99%を担っており、その敷設と保守の体制が経済安全"
             "保障の観点から注目されている。"),
]


def as_markdown(items) -> str:
    level = iter([1, 2, 3, 2, 3, 2])
    return "\n\n".join(f"{'#' * next(level)} {text}" if kind == "heading" else text
                       for kind, text in items) + "\n"


def as_lines(items) -> str:
    """Copied out of a PDF reader: one paragraph a line, no blank lines."""
    return "\n".join(text for _kind, text in items) + "\n"


def as_docx(items) -> bytes:
    document = docx.Document()
    level = iter([1, 2, 3, 2, 3, 2])
    for kind, text in items:
        if kind == "heading":
            document.add_heading(text, level=next(level))
        else:
            document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def as_pdf(items) -> bytes:
    """Hard-wrapped at 30 characters, two pages, each with a running header and a number."""
    lines = [wrapped for _kind, text in items
             for wrapped in (text[i:i + 30] for i in range(0, len(text), 30))]
    half = len(lines) // 2
    return text_pdf(["情報通信白書\n" + "\n".join(part) + f"\n{n}"
                     for n, part in enumerate([lines[:half], lines[half:]], start=41)])


@pytest.fixture
def chapter_files(tmp_path):
    files = {
        "md": tmp_path / "chapter2.md", "docx": tmp_path / "chapter2.docx",
        "pdf": tmp_path / "chapter2.pdf", "txt": tmp_path / "chapter2.txt",
    }
    files["md"].write_text(as_markdown(CHAPTER), encoding="utf-8")
    files["docx"].write_bytes(as_docx(CHAPTER))
    files["pdf"].write_bytes(as_pdf(CHAPTER))
    files["txt"].write_text(as_lines(CHAPTER), encoding="utf-8")
    return files


def test_a_batch_goes_on_past_a_bad_file_and_says_why_it_was_refused(tmp_path, capsys,
                                                                        chapter_files):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> trailer garbage")
    missing = tmp_path / "missing.txt"
    other = tmp_path / "chapter3.txt"
    other.write_text(as_lines(OTHER), encoding="utf-8")
    with pytest.raises(CommandError) as failed:
        call_command("import_report", str(chapter_files["md"]), str(broken), str(missing),
                     str(other))
    assert str(failed.value).startswith("2 of 4 files were refused")
    assert str(failed.value).endswith("2 imported.")
    out, err = capsys.readouterr()
    assert f"{broken}: refused: The PDF could not be read" in err
    assert f"{missing}: refused: cannot be read: No such file or directory" in err
    # The files before and after the bad ones are imported, each whole.
    assert sorted(Article.objects.values_list("title", flat=True)) == [
        "第2章 デジタル経済の国際動向", "第3章 通信インフラの整備"]
    assert "chapter3.txt: imported “第3章 通信インフラの整備”" in out


@pytest.mark.parametrize("again", ["docx", "pdf", "txt"])
def test_a_report_in_kb_is_recognised_in_another_format(capsys, chapter_files, again):
    call_command("import_report", str(chapter_files["md"]))
    article = Article.objects.get()
    with pytest.raises(CommandError, match="1 of 1 files were refused"):
        call_command("import_report", str(chapter_files[again]))
    assert f"already in kb as “{article.title}” (/articles/{article.slug}/)" in capsys.readouterr().err
    assert Article.objects.count() == 1


def test_the_same_report_is_imported_twice_only_when_asked(chapter_files):
    call_command("import_report", str(chapter_files["txt"]))
    call_command("import_report", str(chapter_files["pdf"]), "--allow-duplicates")
    assert Article.objects.count() == 2


def test_another_chapter_of_the_same_style_is_not_a_duplicate(tmp_path, chapter_files):
    other = tmp_path / "chapter3.md"
    other.write_text(as_markdown(OTHER), encoding="utf-8")
    call_command("import_report", str(chapter_files["md"]), str(other))
    assert Article.objects.count() == 2


def test_a_dry_run_shows_what_would_be_refused_and_why(tmp_path, capsys, chapter_files):
    paragraph = "データ流通の枠組みづくりが進んでいる。" * 40
    long = tmp_path / "long.txt"
    long.write_text("第4章　長い章\n\n" + "\n\n".join([paragraph] * 200) + "\n", encoding="utf-8")
    assert len(paragraph) * 200 > MAX_MARKDOWN_CHARS
    with pytest.raises(CommandError) as failed:
        call_command("import_report", "--dry-run", str(chapter_files["md"]),
                     str(chapter_files["pdf"]), str(long))
    assert str(failed.value) == (f"1 of 3 files would be refused ({chapter_files['pdf']}); "
                                 "2 would be imported; dry run: nothing saved.")
    out, err = capsys.readouterr()
    # The same report as an earlier file of the batch is refused as the import would.
    assert (f"{chapter_files['pdf']}: would be refused: already in kb as "
            "“第2章 デジタル経済の国際動向”") in err
    # A section over the size limit is not refused: it is cut at paragraphs, and said so.
    assert "! “第4章 長い章” is over the section size limit: split at paragraphs into 2" in out
    assert "  - 第4章 長い章 (2)" in out
    assert not Article.objects.exists()


def test_the_admin_preview_says_a_report_is_already_in_kb(editor_client, chapter_files):
    call_command("import_report", str(chapter_files["md"]))
    article = Article.objects.get()
    url = reverse("admin:kb_article_import")

    def upload(**fields):
        pdf = SimpleUploadedFile("chapter2.pdf", chapter_files["pdf"].read_bytes(),
                                 content_type="application/pdf")
        return editor_client.post(url, {"step": "upload", "file": pdf, **fields})

    html = upload().content.decode()
    assert "already in kb as" in html
    assert reverse("admin:kb_article_change", args=[article.pk]) in html
    assert 'name="step" value="save"' not in html  # no preview to save from
    # Asked for explicitly, the preview is shown and saving makes a second article.
    preview = upload(again="on")
    context = preview.context
    data = {"step": "save", "draft": str(context["draft"].token), "page": "1",
            **{name: "" if value is None else str(value)
               for name, value in context["form"].initial.items()}}
    formset = context["formset"]
    data.update({"form-TOTAL_FORMS": len(formset.forms), "form-INITIAL_FORMS": len(formset.forms),
                 "form-MIN_NUM_FORMS": 0, "form-MAX_NUM_FORMS": 1000})
    for i, form in enumerate(formset.forms):
        data.update({f"form-{i}-{name}": form.initial.get(name, "")
                     for name in ["heading", "body", "topics", "level"]})
    assert editor_client.post(url, data).status_code == 302
    assert Article.objects.count() == 2


def test_articles_already_in_kb_get_their_fingerprint_from_the_migration(chapter_files, capsys):
    call_command("import_report", str(chapter_files["txt"]))
    Article.objects.update(fingerprint="")
    migration = importlib.import_module("kb.migrations.0024_batch")
    migration.fingerprint_articles(django_apps, None)
    with pytest.raises(CommandError):
        call_command("import_report", str(chapter_files["docx"]))
    assert "already in kb as" in capsys.readouterr().err


def test_a_file_that_trips_a_parser_bug_is_reported_and_the_batch_goes_on(
        tmp_path, capsys, monkeypatch, chapter_files):
    from kb.editorial import importers

    propose = importers.propose_article

    def buggy(text):
        if "壊れた" in text:
            raise IndexError("list index out of range")
        return propose(text)

    monkeypatch.setattr(importers, "propose_article", buggy)
    odd = tmp_path / "odd.txt"
    odd.write_text("壊れた報告書\n", encoding="utf-8")
    with pytest.raises(CommandError, match="1 of 2 files were refused"):
        call_command("import_report", str(odd), str(chapter_files["md"]))
    assert ("odd.txt: refused: unexpected error (IndexError: list index out of range); "
            "please report this file") in capsys.readouterr().err
    assert Article.objects.count() == 1


def test_looking_for_a_report_in_kb_costs_the_same_queries_however_many_there_are(
        tmp_path, chapter_files, django_assert_num_queries):
    from kb.editorial.importers import propose_article
    from kb.library.sources import article_with_text

    other = tmp_path / "chapter3.md"
    other.write_text(as_markdown(OTHER), encoding="utf-8")
    call_command("import_report", str(chapter_files["md"]), str(other))
    again = propose_article(as_lines(CHAPTER))
    with django_assert_num_queries(3):  # by checksum, the candidates, the article found
        found = article_with_text(checksum=again.checksum, fingerprint=again.fingerprint)
    assert found.title == "第2章 デジタル経済の国際動向"
    new = propose_article(as_lines(OTHER[:2]) + "新しい段落である。")
    with django_assert_num_queries(2):
        assert article_with_text(checksum=new.checksum, fingerprint=new.fingerprint) is None
