"""Two editors saving the same section at the same moment, from the article's form and
from the section's own form, in real concurrent transactions (PostgreSQL only: SQLite
has one writer at a time)."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from kb.models import Section
from tests.html_forms import form_data

RUNS = 12


@pytest.fixture
def on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and deadlocks need PostgreSQL")


def _post_together(requests):
    """Post each (client, url, data) in its own thread, as close together as a barrier
    makes them; returns the responses in the same order."""
    barrier = threading.Barrier(len(requests))
    responses = [None] * len(requests)

    def run(i, client, url, data):
        try:
            barrier.wait()
            responses[i] = client.post(url, data)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, *r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


@pytest.mark.django_db(transaction=True)
def test_article_form_and_section_form_saving_at_once_never_deadlock(
    on_postgresql, django_user_model, editor, make_article
):
    other = django_user_model.objects.create_user("editor2", password="x", is_staff=True)
    other.groups.set(editor.groups.all())
    for run in range(RUNS):
        article = make_article(sections=[("一", "一の本文。", []), ("二", "二の本文。", [])])
        section = article.sections.get(heading="二")
        first, second = Client(raise_request_exception=False), Client(raise_request_exception=False)
        first.force_login(editor)
        second.force_login(other)
        article_url = reverse("admin:kb_article_change", args=[article.pk])
        section_url = reverse("admin:kb_section_change", args=[section.pk])
        form_a = form_data(first.get(article_url).content.decode(), "article_form")
        form_a.update({"summary": f"概要{run}", "sections-0-body": f"Aの一{run}",
                       "sections-1-body": f"Aの二{run}"})
        form_b = form_data(second.get(section_url).content.decode(), "section_form")
        form_b["body"] = f"Bの二{run}"
        a, b = _post_together([(first, article_url, form_a), (second, section_url, form_b)])
        for response, typed in ((a, f"Aの二{run}"), (b, f"Bの二{run}")):
            assert response.status_code in (200, 302), response.status_code
            if response.status_code == 200:  # refused: a clear conflict, the input kept
                html = response.content.decode()
                assert "保存されていません" in html and typed in html
        assert 302 in (a.status_code, b.status_code)
        stored = Section.objects.get(pk=section.pk).body
        assert stored in (f"Aの二{run}", f"Bの二{run}")
