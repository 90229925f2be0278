"""A passage's one URL, /api/passages/<id>/, answers by content negotiation: a browser goes to
the highlight on the article page, a W3C client gets the Web Annotation, the page's script
(and any client that accepts anything) the JSON it always got, anyone else a clear 406."""

import json

import pytest
from django.urls import reverse

from kb.models import Section
from kb.passages import services as passage_services

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
ANNOTATION = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


@pytest.fixture
def article(make_article):
    return make_article(title="与信の報告", slug="credit", sections=[
        ("与信スコア", "アリババは与信スコアの算出にデータを使う。", []),
        ("規制", "規制は強まる。", []),
    ])


@pytest.fixture
def passage(article, analyst):
    return passage_services.create_passage(section=article.sections.get(heading="与信スコア"),
                                           analyst=analyst, exact="与信スコア", topics=["与信"])


def _varies_by_accept(response):
    return "Accept" in [v.strip() for v in response["Vary"].split(",")]


def _get(client, passage, accept=None, **headers):
    if accept is not None:
        headers["HTTP_ACCEPT"] = accept
    return client.get(reverse("kb:api_passage", args=[passage.pk]), **headers)


def test_a_browser_is_sent_to_the_highlight_on_the_article_page(client, passage):
    response = _get(client, passage, BROWSER)
    assert response.status_code == 302
    assert response["Location"] == f"/articles/credit/#passage-{passage.pk}"
    assert _varies_by_accept(response)
    # The fragment is the id passages.js gives the passage's first highlight mark.
    html = client.get(response["Location"]).content.decode()
    config = json.loads(html.split('<script id="kb-passages" type="application/json">')[1]
                        .split("</script>")[0])
    assert [p["id"] for p in config["passages"]] == [passage.pk]


def test_an_orphan_goes_to_its_article_and_a_deleted_articles_passage_is_404(
    client, article, passage
):
    passage_services.delete_sections(sections=Section.objects.filter(pk=passage.section_id))
    response = _get(client, passage, "text/html")
    assert response["Location"] == f"/articles/credit/#passage-{passage.pk}"
    passage_services.delete_article(article=article)
    response = _get(client, passage, "text/html")
    assert response.status_code == 404 and _varies_by_accept(response)


@pytest.mark.parametrize("accept", ["application/ld+json", ANNOTATION,
                                    f"text/html;q=0.5, {ANNOTATION}"])
def test_a_w3c_client_gets_the_web_annotation(client, passage, accept):
    response = _get(client, passage, accept)
    assert response.status_code == 200
    assert response["Content-Type"] == ANNOTATION + "; charset=utf-8"
    assert _varies_by_accept(response)
    annotation = json.loads(response.content)
    assert annotation["type"] == "Annotation"
    assert annotation["id"].endswith(f"/api/passages/{passage.pk}/")


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "application/*"])
def test_the_pages_script_and_plain_clients_get_the_json_as_before(client, passage, accept):
    response = _get(client, passage, accept)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert _varies_by_accept(response)
    data = response.json()
    assert (data["id"], data["exact"], data["url"]) == (
        passage.pk, "与信スコア", f"/api/passages/{passage.pk}/")


@pytest.mark.parametrize("accept", ["image/png", "application/xml", "text/html;q=0, application/json;q=0"])
def test_an_unknown_type_is_a_clear_406(client, passage, accept):
    response = _get(client, passage, accept)
    assert response.status_code == 406
    assert _varies_by_accept(response)
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    message = response.content.decode()
    assert "application/ld+json" in message and "text/html" in message


def test_the_406_is_in_the_readers_language(client, passage):
    response = _get(client, passage, "image/png", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 406
    assert "Accept" in response.content.decode() and "text/html" in response.content.decode()
    assert "This resource" not in response.content.decode()


def test_annotation_costs_a_fixed_number_of_queries(client, passage, article, analyst,
                                                    django_assert_num_queries):
    passage_services.update_passage(passage=passage, topics=["与信", "規制", "データ"])
    # The passage, then it with analyst, article and section, then its topics.
    with django_assert_num_queries(3):
        assert _get(client, passage, "application/ld+json").status_code == 200
