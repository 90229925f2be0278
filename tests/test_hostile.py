"""Hostile input everywhere a user can type: no 500, no executable script on any page,
no half-written row. Each test takes every string of tests/hostile.py; a new input path
is one more test function parametrised the same way."""

import json
from collections import Counter
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kb.editorial import services as editorial_services
from kb.models import Article, Passage, Section, TaggedPassage, TaggedSection, Topic
from kb.passages import services as passage_services
from kb.text import normalise_source
from tests.hostile import (
    HOSTILE_BATCH_IDS,
    HOSTILE_BATCHES,
    HOSTILE_IDS,
    HOSTILE_STRINGS,
    executable_parts,
)
from tests.html_forms import inline_post

hostile = pytest.mark.parametrize("text", HOSTILE_STRINGS, ids=HOSTILE_IDS)
batches = pytest.mark.parametrize("texts", HOSTILE_BATCHES, ids=HOSTILE_BATCH_IDS)


@pytest.fixture
def editor_browser(editor):
    # Errors come back as the responses users see, so a 500 fails the status assertions.
    client = Client(raise_request_exception=False)
    client.force_login(editor)
    return client


@pytest.fixture
def article(make_article):
    Topic.objects.create(slug="platformers", name="プラットフォーマー")
    return make_article(title="元の題", sections=[("元の見出し", "元の本文", ["platformers"])])


def _reader_pages(*urls: str) -> None:
    """Every page readers may open, anonymously and as the editor saw them."""
    reader = Client(raise_request_exception=False)
    for url in [reverse("kb:home"), reverse("kb:topics"), *urls]:
        response = reader.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert executable_parts(html) == [], url


def _refusal_explained(response) -> bool:
    """A refused form names its errors; a request too big to read gets the 400 page."""
    html = response.content.decode()
    return 'class="errorlist' in html if response.status_code == 200 else "何も保存" in html


def _snapshot(article: Article) -> tuple:
    article.refresh_from_db()
    return (
        article.title,
        list(article.sections.values_list("heading", "body", "body_html")),
        sorted(Topic.objects.values_list("slug", "name", "description")),
    )


@hostile
def test_section_heading_and_markdown_in_the_admin(editor_browser, article, text):
    before = _snapshot(article)
    response = editor_browser.post(
        reverse("admin:kb_article_change", args=[article.pk]),
        inline_post(article, {"sections-0-heading": text, "sections-0-body": text}),
    )
    assert response.status_code in (200, 302, 400)
    if response.status_code != 302:  # refused: says why, changes nothing
        assert _refusal_explained(response)
        assert _snapshot(article) == before
    else:  # accepted: stored whole, not truncated
        section = article.sections.get()
        assert section.heading == text.strip()
        assert section.body == normalise_source(text.strip())
    _reader_pages(article.get_absolute_url(), "/topics/platformers/")


@hostile
def test_section_tags_in_the_admin(editor_browser, article, text):
    before = _snapshot(article)
    response = editor_browser.post(
        reverse("admin:kb_article_change", args=[article.pk]),
        inline_post(article, {"sections-0-topics": text}),
    )
    assert response.status_code in (200, 302, 400)
    if response.status_code != 302:
        assert _refusal_explained(response)
        assert _snapshot(article) == before
    topic_urls = [t.get_absolute_url() for t in article.sections.get().topics.all()]
    _reader_pages(article.get_absolute_url(), *topic_urls)


@hostile
def test_topic_name_and_description_in_the_admin(editor_browser, article, text):
    count = Topic.objects.count()
    response = editor_browser.post(reverse("admin:kb_topic_add"), {
        "name": text, "name_en": text, "slug": "hostile", "description": text,
        "aliases-TOTAL_FORMS": "1", "aliases-INITIAL_FORMS": "0",
        "aliases-MIN_NUM_FORMS": "0", "aliases-MAX_NUM_FORMS": "1000", "aliases-0-name": text,
    })
    assert response.status_code in (200, 302, 400)
    if response.status_code != 302:
        assert _refusal_explained(response)
        assert Topic.objects.count() == count
        return
    topic = Topic.objects.get(slug="hostile")
    assert topic.name == text.strip()
    assert topic.description == normalise_source(text.strip())
    article.sections.get().topics.add(topic)
    _reader_pages(topic.get_absolute_url(), article.get_absolute_url())


@hostile
def test_reader_urls_with_hostile_slugs_and_queries(article, text):
    client = Client(raise_request_exception=False)
    for url in [
        f"/articles/{quote(text, safe='')}/",
        f"/topics/{quote(text, safe='')}/",
        f"{reverse('kb:home')}?q={quote(text, safe='')}",
        f"{article.get_absolute_url()}?{quote(text, safe='=&')}",
    ]:
        response = client.get(url)
        assert response.status_code in (200, 400, 404), url[:80]
        assert executable_parts(response.content.decode(errors="replace")) == []


@batches
def test_search_queries_on_the_page_and_the_api(article, texts):
    client = Client(raise_request_exception=False)
    for text in texts:
        # Cut to fit the form's limits, so that the engine sees it (as the query and as
        # filters); a long string whole too, which the form refuses.
        pages = [{"q": text[:200], "topic": text[:100], "publisher": text[:200]}]
        if len(text) > 200:
            pages.append({"q": text})
        for params in pages:
            page = client.get(reverse("kb:search"), params)
            assert page.status_code in (200, 400), text[:40]
            assert executable_parts(page.content.decode()) == [], text[:40]
        api = client.get(reverse("kb:api-search"), {"q": text[:200]})
        assert api.status_code in (200, 400), text[:40]
        if "\x00" not in text:  # a NUL gets the guard's plain-text 400 before any view
            assert isinstance(api.json(), dict), text[:40]


def _rows() -> tuple[int, ...]:
    return (Article.objects.count(), Section.objects.count(), Topic.objects.count(),
            TaggedSection.objects.count(), Passage.objects.count(), TaggedPassage.objects.count())


@pytest.fixture
def analyst_browser(analyst):
    """An analyst's browser: CSRF enforced, the token taken from a page as a browser would."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(analyst)
    client.get(reverse("kb:topics"))
    return client, client.cookies["csrftoken"].value


@batches
def test_passage_note_and_tags_through_the_api(analyst_browser, analyst, article, texts):
    client, token = analyst_browser
    section = article.sections.get()

    def send(method, url, data):
        return getattr(client, method)(url, json.dumps(data), content_type="application/json",
                                       headers={"X-CSRFToken": token})

    for text in texts:
        mine = passage_services.create_passage(section=section, analyst=analyst, exact="本文",
                                       topics=["platformers"], note="元のメモ")
        before = _rows()
        created = send("post", reverse("kb:api_passages"), {
            "section": section.pk, "exact": "元の", "start16": 0, "end16": 2,
            "topics": [text], "note": text})
        assert created.status_code in (201, 400), (text[:40], created.content[:200])
        if created.status_code == 400:  # refused: says why, writes nothing
            assert created.json()["error"] and _rows() == before, text[:40]
        changed = send("patch", reverse("kb:api_passage", args=[mine.pk]),
                       {"topics": [text, "platformers"], "note": text})
        assert changed.status_code in (200, 400), (text[:40], changed.content[:200])
        mine.refresh_from_db()
        if changed.status_code == 400:
            assert mine.note == "元のメモ", text[:40]
            assert [t.slug for t in mine.topics.all()] == ["platformers"], text[:40]
    # Every note and tag of the batch on the pages at once.
    tags = Topic.objects.filter(tagged_passages__isnull=False).distinct()
    _reader_pages(article.get_absolute_url(), *(t.get_absolute_url() for t in tags))
    for url in (article.get_absolute_url(), reverse("kb:my_passages")):
        response = client.get(url)  # the analyst's own pages: cards, data block, list
        assert response.status_code == 200
        assert executable_parts(response.content.decode()) == [], url


IMPORT_URL = reverse("admin:kb_article_import")


def _new_executable_parts(html: str, baseline: str) -> Counter:
    """What ``html`` could run beyond the admin's own markup (its inline SVG icons)."""
    return Counter(executable_parts(html)) - Counter(executable_parts(baseline))


@batches
def test_report_import_upload_paste_and_save(editor_browser, editor, article, texts):
    admin_page = editor_browser.get(IMPORT_URL).content.decode()
    before = _rows()
    # The batch as one report (a section or more per string), pasted and uploaded.
    report = "\n\n".join(texts)
    upload = SimpleUploadedFile(f"{texts[0][:100]}.txt", report.encode("utf-8", "surrogatepass"),
                                content_type="text/plain")
    for data in ({"step": "upload", "text": report}, {"step": "upload", "file": upload}):
        preview = editor_browser.post(IMPORT_URL, data)
        assert preview.status_code in (200, 400)
        assert not _new_executable_parts(preview.content.decode(), admin_page)
        assert _rows() == before  # a preview writes nothing
    # Each string saved on its own as the reviewed preview's every field (and its file name).
    for n, text in enumerate(texts):
        before = _rows()
        draft = editorial_services.create_import_draft(user=editor, data={
            "article": {}, "checksum": f"{n:064d}", "source_name": text[:200], "pages": [0],
            "sections": [{"heading": "", "body": "", "topics": "", "merge": False,
                          "DELETE": False}],
            "suggestions": [[]],
        })
        saved = editor_browser.post(IMPORT_URL, {
            "step": "save", "draft": str(draft.token), "page": "1",
            "title": text, "slug": f"hostile-{n}", "kind": "report",
            "publisher": text[:200], "authors": text[:300],
            "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1",
            "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "1000",
            "form-0-heading": text, "form-0-body": text, "form-0-topics": text,
        })
        assert saved.status_code in (200, 302, 400), text[:40]
        if saved.status_code != 302:
            assert not _new_executable_parts(saved.content.decode(), admin_page), text[:40]
            assert _rows() == before, text[:40]
    imported = Article.objects.filter(slug__startswith="hostile-")
    topics = Topic.objects.filter(tagged_sections__content_object__article__in=imported).distinct()
    _reader_pages(*(a.get_absolute_url() for a in imported), *(t.get_absolute_url() for t in topics))


def test_a_nul_in_the_address_is_a_400_not_a_database_error(client, article):
    response = client.get("/articles/%00/")
    assert response.status_code == 400
    assert b"NUL" in response.content
    assert client.get("/topics/?q=a%00b").status_code == 400


def test_invalid_utf8_in_the_address_is_not_a_500(client, article):
    assert client.get("/articles/%FF%FE/").status_code == 404
    assert client.get("/topics/?q=%C3%28").status_code == 200


def test_stored_markdown_past_the_limits_renders_as_plain_text_fast(article):
    # A write that skips validation (bulk, shell) still cannot stall rendering.
    section = article.sections.get()
    section.body = "[" * 1_000_000
    section.save()
    assert section.body_html.startswith("<p>[[[") and len(section.plain_text) == 1_000_000


def test_limits_are_explained_to_the_editor(editor_browser, article):
    response = editor_browser.post(
        reverse("admin:kb_article_change", args=[article.pk]),
        inline_post(article, {"sections-0-body": "[" * 5_000}),
    )
    assert response.status_code == 200
    assert "段落" in response.content.decode()  # the Japanese message names the paragraph
    assert Section.objects.get(pk=article.sections.get().pk).body == "元の本文"
