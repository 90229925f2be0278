"""Every section knows the pages of the original it came from, and every passage the page
its quote starts on (issue 12, page provenance)."""

import importlib
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

import kb.migrations
from kb.editorial import importers, importing, services
from kb.library.models import Section
from kb.passages import services as passage_services
from tests.pdfwriter import text_pdf

pytestmark = pytest.mark.django_db

PAGE_ONE = "中国のデジタル経済報告\n\n1. はじめに\n\n中国政府はデジタル経済の発展を重視しており、\n各地で実験区を設けている。その成果は\n"
PAGE_TWO = "次のページでは地方政府の役割を見る。\n上海市は越境データ流通の試行を始めた。\n\n2. 地方の取り組み\n\n深圳市はデータ取引所を開設した。\n"
QUOTE = "上海市は越境データ流通"


def import_pdf(user=None):
    prepared = importing.prepare(content=text_pdf([PAGE_ONE, PAGE_TWO]), filename="report.pdf")
    return services.import_article(data=prepared.data, user=user, source_name="report.pdf")


def test_pdf_sections_record_their_pages_and_where_a_page_begins_inside_them():
    article = import_pdf()
    # The document's title is a section of its own (a heading with no text, on page 1).
    title, first, second = article.sections.order_by("position")
    assert (title.heading, title.page_start) == ("中国のデジタル経済報告", 1)
    assert (first.page_start, first.page_end) == (1, 2)
    offset, page = first.page_breaks[0]
    assert page == 2 and first.plain_text[offset:].startswith("次のページ")
    assert (second.page_start, second.page_end, second.page_breaks) == (2, 2, [])


def test_a_passage_knows_the_page_its_quote_starts_on(analyst):
    section = import_pdf().sections.get(heading="1. はじめに")
    on_two = passage_services.create_passage(
        section=section, analyst=analyst, exact=QUOTE, start=section.plain_text.index(QUOTE),
        topics=["上海"], note="")
    on_one = passage_services.create_passage(
        section=section, analyst=analyst, exact="実験区", start=section.plain_text.index("実験区"),
        topics=["実験"], note="")
    assert (on_two.page, on_one.page) == (2, 1)


def test_an_edit_before_a_page_break_moves_the_break_with_the_text(analyst):
    section = import_pdf().sections.get(heading="1. はじめに")
    passage = passage_services.create_passage(
        section=section, analyst=analyst, exact=QUOTE, start=section.plain_text.index(QUOTE),
        topics=["上海"], note="")
    section.body = "新しい段落を冒頭に加えた。\n\n" + section.body
    passage_services.save_section(section=section)
    section.refresh_from_db()
    passage.refresh_from_db()
    offset, page = section.page_breaks[0]
    assert section.plain_text[offset:].startswith("次のページ")
    assert passage.page == 2


def test_text_and_docx_have_no_pages():
    proposal = importers.propose_article("報告\n\n本文です。これは二行目です。\n")
    assert all(s.page is None and s.page_marks == [] for s in proposal.sections)


def test_slide_headings_name_their_slides():
    assert importers.slide_pages("p.3–4 アリババ") == (3, 4)
    assert importers.slide_pages("p.12 テンセント") == (12, 12)
    assert importers.slide_pages("はじめに") is None


def test_the_corpus_slide_deck_has_its_slide_numbers(corpus):
    deck = Section.objects.filter(article__kind="slide_deck").order_by("position")
    assert [(s.page_start, s.page_end) for s in deck[:3]] == [(1, 1), (2, 2), (3, 4)]
    assert not Section.objects.exclude(article__kind="slide_deck").filter(
        page_start__isnull=False).exists()


def test_the_migration_gives_existing_slide_sections_their_pages(corpus):
    Section.objects.update(page_start=None, page_end=None)
    # Found by name, not number: a migration's number changes when branches merge.
    name = next(Path(kb.migrations.__file__).parent.glob("*_page_provenance.py")).stem
    migration = importlib.import_module(f"kb.migrations.{name}")
    migration.pages_from_slide_headings(django_apps, None)
    deck = Section.objects.filter(article__kind="slide_deck").order_by("position")
    assert [(s.page_start, s.page_end) for s in deck[:3]] == [(1, 1), (2, 2), (3, 4)]


def test_the_article_page_shows_page_markers(client):
    article = import_pdf()
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'class="page-marker" data-page="1"' in html
    assert "data-breaks=" in html
    # The original is a PDF: each marker opens it at its page in the browser's viewer.
    original = reverse("kb:article_original", args=[article.slug])
    assert f'class="open-original" href="{original}#page=2"' in html
    assert client.get(original)["Content-Type"] == "application/pdf"


def test_only_a_pdf_original_is_opened_at_a_page(client):
    prepared = importing.prepare(content=(PAGE_ONE + "\f" + PAGE_TWO).encode(), filename="report.txt")
    article = services.import_article(data=prepared.data, user=None, source_name="report.txt")
    Section.objects.filter(article=article).update(page_start=1, page_end=1)
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'class="page-marker" data-page="1"' in html and "open-original" not in html


def test_restoring_a_deleted_article_brings_its_pages_back(editor):
    from reversion.models import Version

    from kb.passages.services import delete_article

    article = import_pdf(user=editor)
    before = list(article.sections.order_by("position").values_list(
        "page_start", "page_end", "page_breaks"))
    version = Version.objects.get_for_object(article).first()
    delete_article(article=article)
    restored = services.restore_revision(version=version, user=editor)
    after = list(restored.sections.order_by("position").values_list(
        "page_start", "page_end", "page_breaks"))
    assert after == before and any(breaks for _s, _e, breaks in before)


def test_a_backup_restores_the_pages():
    from kb.exchange import backup

    import_pdf()
    pages = list(Section.objects.order_by("position").values_list(
        "page_start", "page_end", "page_breaks"))
    data = backup.export_data()
    backup.restore(data=data, replace=True)
    assert list(Section.objects.order_by("position").values_list(
        "page_start", "page_end", "page_breaks")) == pages
    assert any(breaks for _s, _e, breaks in pages)


def test_a_pdf_imported_through_the_admin_keeps_its_pages_even_when_sections_are_joined(
        editor_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.editorial.import_preview import URL, save_data

    upload = SimpleUploadedFile("report.pdf", text_pdf([PAGE_ONE, PAGE_TWO]),
                                content_type="application/pdf")
    preview = editor_client.post(URL, {"step": "upload", "file": upload})
    # The title (a heading with no text), then the two numbered sections.
    assert len(preview.context["formset"].forms) == 3
    response = editor_client.post(URL, save_data(preview, **{"form-2-merge": "on"}))
    assert response.status_code == 302
    section = Section.objects.get(heading="1. はじめに")
    assert (section.page_start, section.page_end) == (1, 2)
    pages = {page: section.plain_text[offset:] for offset, page in section.page_breaks}
    assert pages[2].startswith("次のページ")
    assert section.page_at(section.plain_text.index("深圳市")) == 2
