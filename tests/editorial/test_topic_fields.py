"""Every topic field editors type into (a section's own form, the admin's sections, the
import preview) suggests topics from the topics API and marks new tags; the import preview
is laid out in the admin's aligned rows."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _topic_inputs(html):
    return re.findall(r'<input[^>]*name="[^"]*topics"[^>]*>', html)


def _assert_autocompletes(html):
    inputs = _topic_inputs(html)
    assert inputs
    for tag in inputs:
        assert f'data-kb-topics="{reverse("kb:api_topics")}"' in tag
        assert f'data-kb-topic-match="{reverse("kb:api_topic_match")}"' in tag
        assert 'data-kb-new-label="' in tag
    assert "kb/topics_field.js" in html


def test_the_section_form_autocompletes_topics(editor_client, make_article):
    section = make_article().sections.get()
    html = editor_client.get(
        reverse("kb:section_edit", args=[section.article.slug, section.pk])).content.decode()
    _assert_autocompletes(html)


def test_the_admin_section_forms_autocomplete_topics(editor_client, make_article):
    article = make_article()
    _assert_autocompletes(editor_client.get(
        reverse("admin:kb_article_change", args=[article.pk])).content.decode())
    _assert_autocompletes(editor_client.get(
        reverse("admin:kb_section_change", args=[article.sections.get().pk])).content.decode())


def test_the_import_preview_autocompletes_topics_in_aligned_rows(editor_client):
    upload = SimpleUploadedFile("report.txt", "報告\n\n第一章\n\n本文です。\n".encode())
    response = editor_client.post(reverse("admin:kb_article_import"),
                                  {"step": "upload", "file": upload})
    html = response.content.decode()
    _assert_autocompletes(html)
    # The admin's own layout: a labelled row per field inside aligned fieldsets.
    assert 'class="module aligned' in html
    assert "admin/css/forms.css" in html
    for name in ["title", "slug", "kind", "form-0-heading", "form-0-body", "form-0-topics"]:
        assert re.search(rf'<div class="form-row[^"]*field-{name.split("-")[-1]}">\s*<div>\s*'
                         rf'<div class="flex-container[^"]*">\s*<label for="id_{name}"', html), name
