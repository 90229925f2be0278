"""Watching an article or a topic: a toggle (POST with CSRF), and the Watched page of what
changed since the user last looked."""

import pytest
from django.test import Client
from django.urls import reverse

from kb.editorial.models import Watch
from kb.library.models import Topic
from kb.passages import services as passage_services
from tests.editorial.edits import retitle_and_append
from tests.html_forms import form_data

WATCHED = reverse("kb:watched")


def _watch_form(html: str) -> dict:
    # The button's form has no id: give the parser one to find it by.
    return form_data(html.replace('class="inline watch"', 'id="watch" class="inline watch"'), "watch")


@pytest.fixture
def reader(django_user_model):
    user = django_user_model.objects.create_user(username="reader", password="pw-reader")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def _changes(client):
    return [(c.kind, c.title) for c in client.get(WATCHED).context["page"].items.object_list]


def test_a_reader_watches_an_article_and_sees_its_changes_once(reader, make_article, editor,
                                                               analyst, frozen_clock):
    article = make_article(title="見る記事", sections=[("一", "中ロの協力。", [])])
    other = make_article(title="他の記事")
    page = reader.get(article.get_absolute_url()).content.decode()
    assert 'aria-pressed="false"' in page
    response = reader.post(reverse("kb:watch"), _watch_form(page))
    assert response.status_code == 302 and response["Location"] == article.get_absolute_url()
    assert 'aria-pressed="true"' in reader.get(article.get_absolute_url()).content.decode()
    assert _changes(reader) == []  # what happened before watching is not news

    frozen_clock.shift(60)
    retitle_and_append(article, editor, "見る記事（改）")
    retitle_and_append(other, editor, "他の記事（改）")
    frozen_clock.shift(60)
    passage_services.create_passage(section=article.sections.get(), analyst=analyst,
                                    exact="協力", topics=["t"])
    assert _changes(reader) == [("passage", "見る記事（改）"), ("article", "見る記事（改）")]
    # Seen: the next visit shows only what changed after.
    assert _changes(reader) == []
    frozen_clock.shift(60)
    retitle_and_append(article.__class__.objects.get(pk=article.pk), editor, "見る記事（再）")
    assert _changes(reader) == [("article", "見る記事（再）")]


def test_watching_a_topic_and_toggling_it_off(reader, make_article, analyst, frozen_clock):
    article = make_article(sections=[("一", "中ロの協力。", ["platformers"])])
    topic = Topic.objects.get(slug="platformers")
    page = reader.get(topic.get_absolute_url()).content.decode()
    assert reader.post(reverse("kb:watch"), _watch_form(page)).status_code == 302
    frozen_clock.shift(60)
    passage_services.create_passage(section=article.sections.get(), analyst=analyst,
                                    exact="協力", topics=["platformers"])
    passage_services.create_passage(section=article.sections.get(), analyst=analyst,
                                    exact="中ロ", topics=["other"])
    assert [kind for kind, _ in _changes(reader)] == ["passage"]
    page = reader.get(topic.get_absolute_url()).content.decode()
    assert reader.post(reverse("kb:watch"), _watch_form(page)).status_code == 302
    assert not Watch.objects.exists()
    assert "まだ何もウォッチしていません" in reader.get(WATCHED).content.decode()


def test_watching_needs_a_login_and_csrf_and_one_thing(reader, client, make_article, db):
    article = make_article()
    assert client.post(reverse("kb:watch"), {"article": article.slug}).status_code == 302  # login
    assert Client(enforce_csrf_checks=True).post(reverse("kb:watch"), {"article": article.slug}
                                                 ).status_code == 403
    page = reader.get(article.get_absolute_url()).content.decode()
    token = _watch_form(page)["csrfmiddlewaretoken"]
    refused = reader.post(reverse("kb:watch"), {"csrfmiddlewaretoken": token})
    assert refused.status_code == 400
    assert not Watch.objects.exists()
    # Anonymous pages, shared by the page cache, carry no watch button.
    assert "kb:watch" not in client.get(article.get_absolute_url()).content.decode()
    assert 'action="/watch/"' not in client.get(article.get_absolute_url()).content.decode()


def test_watched_page_costs_the_same_whatever_the_number_of_watches(
    reader, make_article, django_user_model, django_assert_num_queries, editor, frozen_clock
):
    user = django_user_model.objects.get(username="reader")
    for n in (2, 8):
        Watch.objects.all().delete()
        for i in range(n):
            article = make_article(sections=[("一", "本文。", [f"topic-{n}-{i}"])])
            Watch.objects.create(user=user, article=article)
            Watch.objects.create(user=user, topic=Topic.objects.get(slug=f"topic-{n}-{i}"))
            frozen_clock.shift(1)
            retitle_and_append(article, editor, f"改{i}")
        # session, user, watches, count, page, revisions, versions, articles, the header's
        # two permission reads, and marking them seen (savepoint, update, release)
        with django_assert_num_queries(13):
            assert len(reader.get(WATCHED).context["page"].items.object_list) == n
