"""/changes/: who changed what and when across kb, with diff links, filters and a fixed cost."""

import pytest
from django.urls import reverse
from reversion.models import Version

from kb.editorial import selectors
from kb.editorial import services as editorial_services
from kb.library.models import Article, Topic
from kb.passages import services as passage_services
from tests.editorial.edits import retitle_and_append
from tests.html_forms import form_data

CHANGES = reverse("kb:changes")


def _rename_in_admin(client, topic, name_en):
    url = reverse("admin:kb_topic_change", args=[topic.pk])
    data = form_data(client.get(url).content.decode(), "topic_form")
    data["name_en"] = name_en
    assert client.post(url, data).status_code == 302


@pytest.fixture
def history(make_article, editor, editor_client, analyst, frozen_clock):
    article = make_article(title="中ロの協力", sections=[("一", "中ロの協力は深化した。", ["platformers"])])
    frozen_clock.shift(60)
    retitle_and_append(article, editor, "中ロの技術協力")
    frozen_clock.shift(60)
    passage_services.create_passage(section=article.sections.get(), analyst=analyst,
                                    exact="協力", topics=["platformers"])
    frozen_clock.shift(60)
    _rename_in_admin(editor_client, Topic.objects.get(slug="platformers"), "Platformers")
    editor_client.logout()
    return article


def test_changes_list_article_edits_with_diff_passages_and_topics_newest_first(client, history):
    response = client.get(CHANGES, HTTP_ACCEPT_LANGUAGE="en")
    changes = response.context["page"].items.object_list
    assert [(c.kind, c.title) for c in changes] == [
        ("topic", "platformers"), ("passage", "中ロの技術協力"),
        ("article", "中ロの技術協力"), ("article", "中ロの協力"),
    ]
    topic, passage, edit, creation = changes
    assert topic.who.username == "editor" and topic.url == "/topics/platformers/"
    assert passage.who.username == "analyst" and passage.what == "協力"
    assert passage.url.startswith(history.get_absolute_url() + "#passage-")
    first, second = Version.objects.get_for_object(history).order_by("pk")
    assert edit.who.username == "editor"
    assert edit.diff_url == (reverse("kb:article_compare", args=[history.slug])
                             + f"?from={first.pk}&to={second.pk}")
    assert creation.diff_url == ""  # nothing to compare a new article with
    html = response.content.decode()
    assert f'href="{edit.diff_url.replace("&", "&amp;")}">diff</a>' in html
    assert "New passage:" in html and "<td>analyst</td>" in html
    # The diff link leads to the comparison showing the edit.
    compare = client.get(edit.diff_url).content.decode()
    assert "追記" in compare


def test_changes_are_filtered_by_kind_and_topic(client, history, make_article):
    make_article(title="無関係", sections=[("一", "本文", ["other-topic"])])
    kinds = lambda **q: [c.kind for c in client.get(CHANGES, q).context["page"].items.object_list]  # noqa: E731
    assert kinds(kind="passage") == ["passage"]
    assert kinds(kind="article") == ["article", "article", "article"]
    assert kinds(kind="topic") == ["topic"]
    assert kinds(topic="platformers") == ["topic", "passage", "article", "article"]
    assert kinds(topic="other-topic") == ["article"]
    assert client.get(CHANGES, {"topic": "nowhere"}).status_code == 404
    refused = client.get(CHANGES, {"kind": "everything"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and "Select a valid choice." in refused.content.decode()


def test_a_deleted_article_stays_in_the_changes_without_links(client, history):
    Article.objects.filter(pk=history.pk).delete()
    changes = client.get(CHANGES, {"kind": "article"}).context["page"].items.object_list
    assert [c.title for c in changes] == ["中ロの技術協力", "中ロの協力"]
    assert all(c.url == "" and c.diff_url == "" for c in changes)


def _busy(make_article, analyst, editor, n):
    for i in range(n):
        article = make_article(sections=[("一", "中ロの協力は深化した。", ["platformers"])])
        if i % 2:
            retitle_and_append(article, editor, f"改題{i}")
        passage_services.create_passage(section=article.sections.get(), analyst=analyst,
                                        exact="協力", topics=["platformers"])
    topic = Topic.objects.get(slug="platformers")
    editorial_services.reversion.create_revision()(topic.save)()


@pytest.mark.parametrize("size", [5, 30])
@pytest.mark.parametrize("query", [{}, {"topic": "platformers"}, {"kind": "article"}])
def test_changes_cost_the_same_whatever_the_corpus(client, make_article, analyst, editor, monkeypatch,
                                                   django_assert_num_queries, size, query):
    monkeypatch.setattr(selectors, "CHANGES_PER_PAGE", 6)
    _busy(make_article, analyst, editor, size)
    # generation, topics of the filter form, (the chosen topic), count, page, revisions,
    # versions, articles, (passages): page 2 holds article revisions and passages
    expected = {"": 8, "topic": 9, "kind": 7}[next(iter(query), "")]
    with django_assert_num_queries(expected):
        response = client.get(CHANGES, {**query, "page": 2})
    assert response.status_code == 200
    assert response.context["page"].items.object_list
