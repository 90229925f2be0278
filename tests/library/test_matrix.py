"""The code-by-document matrix: topics × articles with the counts of tagged sections and
passages, each number linking to them, as a page and as CSV."""

import csv
import io
import re

import pytest
from django.urls import reverse

from kb.library import matrix, selectors
from kb.models import Topic
from kb.passages import services as passage_services


@pytest.fixture
def corpus_small(make_article, analyst):
    """Two topics over two articles: 与信 tags two sections of the first report and one of
    the second; データ one section of the second, and passages in both."""
    Topic.objects.create(slug="credit", name="与信")
    Topic.objects.create(slug="data", name="データ")
    first = make_article(title="与信の報告", slug="report-1", published_on="2024-01-01", sections=[
        ("一", "与信スコアの算出。", ["credit"]), ("二", "与信の規制。", ["credit"]),
        ("三", "無関係な節。", []),
    ])
    second = make_article(title="データの報告", slug="データ報告", published_on="2025-01-01", sections=[
        ("一", "越境データと与信。", ["credit", "data"]), ("二", "データ市場。", ["data"]),
    ])
    for section, quote, topics in [
        (first.sections.get(heading="一"), "与信スコア", ["data"]),
        (first.sections.get(heading="二"), "規制", ["credit", "data"]),
        (second.sections.get(heading="二"), "データ市場", ["data"]),
    ]:
        passage_services.create_passage(section=section, analyst=analyst, exact=quote, topics=topics)
    return first, second


def _counts(table):
    return {(row.topic.slug, cell.article.slug): (cell.sections, cell.passages)
            for row in table.rows for cell in row.cells}


def test_counts_of_every_topic_with_tagged_content_in_every_article(corpus_small, make_article):
    make_article(title="空", slug="empty", sections=[("一", "本文。", [])])
    Topic.objects.create(slug="unused", name="未使用")
    table = matrix.topic_matrix()
    assert [row.topic.slug for row in table.rows] == ["data", "credit"]  # by name: デ < 与
    assert [a.slug for a in table.articles] == ["report-1", "データ報告", "empty"]  # oldest first
    assert _counts(table) == {
        ("credit", "report-1"): (2, 1), ("credit", "データ報告"): (1, 0), ("credit", "empty"): (0, 0),
        ("data", "report-1"): (0, 2), ("data", "データ報告"): (2, 1), ("data", "empty"): (0, 0),
    }
    assert [(row.sections, row.passages) for row in table.rows] == [(2, 3), (3, 1)]


def test_filtered_by_topic_and_article(client, corpus_small):
    table = matrix.topic_matrix(topic_slugs=["credit"], article_slugs=["データ報告"])
    assert _counts(table) == {("credit", "データ報告"): (1, 0)}
    html = client.get(reverse("kb:topic_matrix"), {"topic": "credit", "article": "データ報告"}).content.decode()
    assert '<option value="credit" selected lang="ja">' in html and '<option value="data" lang="ja">' in html


def test_an_unknown_topic_or_article_is_a_400_that_names_it(client, corpus_small):
    response = client.get(reverse("kb:topic_matrix"), {"topic": "nosuch"})
    assert response.status_code == 400 and "nosuch" in response.content.decode()
    response = client.get(reverse("kb:topic_matrix_csv"), {"article": "記事なし"})
    assert response.status_code == 400 and "記事なし" in response.content.decode()


def test_each_number_links_to_the_sections_and_passages_behind_it(
    client, corpus_small, monkeypatch
):
    # One section per topic page, so the second article's sections start on page 3.
    monkeypatch.setattr(selectors, "TOPIC_SECTIONS_PER_PAGE", 1)
    monkeypatch.setattr(matrix, "TOPIC_SECTIONS_PER_PAGE", 1)
    html = client.get(reverse("kb:topic_matrix")).content.decode()
    sections_link = "/topics/credit/?page=3#in-データ報告"
    assert f'href="{sections_link}"' in html
    topic_page = client.get(sections_link).content.decode()
    assert 'id="in-データ報告"' in topic_page and "越境データと与信" in topic_page

    passages_link = reverse("kb:topic_passages", args=["data"]) + "?article=report-1"
    assert f'href="{passages_link}"' in html
    listed = client.get(passages_link).content.decode()
    assert "与信スコア" in listed and "規制" in listed and "データ市場" not in listed
    assert "データ市場" in client.get(reverse("kb:topic_passages", args=["data"])).content.decode()
    assert client.get(passages_link.replace("report-1", "nosuch")).status_code == 404


def test_the_topic_index_links_to_the_matrix(client, corpus_small):
    assert f'href="{reverse("kb:topic_matrix")}"' in client.get(reverse("kb:topics")).content.decode()


def test_csv_has_a_bom_and_opens_with_the_csv_module(client, corpus_small):
    response = client.get(reverse("kb:topic_matrix_csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.match(r'attachment; filename="[\w.-]+\.csv"', response["Content-Disposition"])
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows[0]) == 4 + 2 * 2 and "与信の報告" in rows[0][4] and "データの報告" in rows[0][6]
    assert rows[1:] == [["データ", "data", "2", "3", "0", "2", "2", "1"],
                        ["与信", "credit", "3", "1", "2", "1", "1", "0"]]
    filtered = client.get(reverse("kb:topic_matrix_csv"), {"topic": "credit"}).content
    assert [r[0] for r in csv.reader(io.StringIO(filtered.decode("utf-8-sig")))][1:] == ["与信"]


def _grow(make_article, analyst, n):
    for i in range(n):
        article = make_article(sections=[("一", f"与信とデータ{i}。", ["credit", "data"])])
        passage_services.create_passage(section=article.sections.get(), analyst=analyst,
                                        exact="与信", topics=["credit", f"tag-{i}"])


def test_the_matrix_costs_the_same_queries_at_any_corpus_size(
    client, corpus_small, make_article, analyst, django_assert_num_queries
):
    # Topics to choose from, articles, grouped section counts, grouped passage counts.
    with django_assert_num_queries(4):
        matrix.topic_matrix()
    with django_assert_num_queries(5):  # and the page cache's content generation
        client.get(reverse("kb:topic_matrix"))
    _grow(make_article, analyst, 6)
    with django_assert_num_queries(4):
        table = matrix.topic_matrix()
    assert len(table.rows) == 2 + 6 and len(table.articles) == 2 + 6
    with django_assert_num_queries(5):
        client.get(reverse("kb:topic_matrix") + "?x=1")  # not the page cached above
    with django_assert_num_queries(4):
        client.get(reverse("kb:topic_matrix_csv"))
