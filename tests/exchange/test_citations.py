"""Articles and passages as citations: CSL-JSON valid against the official CSL schemas,
BibTeX and RIS that parsers read back, formatted references with the page."""

import json
from datetime import date
from pathlib import Path

import bibtexparser
import pytest
import rispy
from jsonschema import Draft7Validator
from referencing import Registry, Resource

from kb.editorial import importing, services
from kb.exchange import citations
from kb.passages import services as passage_services
from tests.pdfwriter import text_pdf

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).resolve().parents[1] / "standards" / "csl"
DATA_SCHEMA = json.loads((SCHEMAS / "csl-data.json").read_text(encoding="utf-8"))
CITATION_SCHEMA = json.loads((SCHEMAS / "csl-citation.json").read_text(encoding="utf-8"))
REGISTRY = Registry().with_resource(DATA_SCHEMA["$id"], Resource.from_contents(DATA_SCHEMA))
CSL = "application/vnd.citationstyles.csl+json"

PAGE_ONE = "中国のデジタル経済報告\n\n中国政府はデジタル経済の発展を重視しており、\n各地で実験区を設けている。その成果は\n"
PAGE_TWO = "次のページでは地方政府の役割を見る。\n上海市は越境データ流通の試行を始めた。\n"
QUOTE = "上海市は越境データ流通"


def assert_valid(instance, schema):
    errors = list(Draft7Validator(schema, registry=REGISTRY).iter_errors(instance))
    assert errors == [], [e.message for e in errors]


@pytest.fixture
def article(make_article):
    return make_article(
        title="中国とロシアの同盟は難しい", slug="sino-russian", kind="column",
        publisher="FSI 安全保障研究所", authors=["渡部悦和", "John Smith"],
        published_on=date(2019, 11, 6), source_url="https://example.org/column",
    )


@pytest.fixture
def passage_on_page_two(analyst):
    prepared = importing.prepare(content=text_pdf([PAGE_ONE, PAGE_TWO]), filename="r.pdf")
    prepared.data.authors = ["李智慧"]
    article = services.import_article(data=prepared.data, user=None, source_name="r.pdf")
    section = article.sections.get(plain_text__contains=QUOTE)
    return passage_services.create_passage(
        section=section, analyst=analyst, exact=QUOTE, start=section.plain_text.index(QUOTE),
        topics=["上海"], note="")


def test_the_article_page_carries_the_tags_zotero_reads(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<meta name="citation_title" content="中国とロシアの同盟は難しい">' in html
    assert '<meta name="citation_author" content="渡部悦和">' in html
    assert '<meta name="citation_author" content="John Smith">' in html
    assert '<meta name="citation_publisher" content="FSI 安全保障研究所">' in html
    assert '<meta name="citation_publication_date" content="2019/11/06">' in html
    assert '<meta name="citation_language" content="ja">' in html
    for kind, suffix in [(CSL, "json"), ("application/x-bibtex", "bib"),
                         ("application/x-research-info-systems", "ris")]:
        assert (f'<link rel="alternate" type="{kind}" href="/articles/sino-russian/cite.{suffix}"'
                in html)


def test_the_article_as_csl_json_is_valid_csl(client, article):
    response = client.get("/articles/sino-russian/cite.json")
    assert response["Content-Type"].startswith(CSL)
    items = json.loads(response.content)
    assert_valid(items, DATA_SCHEMA)
    item = items[0]
    assert item["title"] == "中国とロシアの同盟は難しい"
    # A Japanese name stays whole, family name first; a Latin one is split.
    assert item["author"] == [{"literal": "渡部悦和"}, {"family": "Smith", "given": "John"}]
    assert item["issued"] == {"date-parts": [[2019, 11, 6]]}
    assert item["URL"] == "https://example.org/column"


def test_every_corpus_article_is_valid_csl(client, corpus):
    from kb.library.models import Article

    for article in Article.objects.all():
        assert_valid(json.loads(client.get(f"/articles/{article.slug}/cite.json").content),
                     DATA_SCHEMA)


def test_the_article_as_bibtex_parses(client, article):
    response = client.get("/articles/sino-russian/cite.bib")
    assert response["Content-Type"].startswith("application/x-bibtex")
    library = bibtexparser.parse_string(response.content.decode())
    assert library.failed_blocks == []
    fields = library.entries[0].fields_dict
    assert fields["title"].value == "{中国とロシアの同盟は難しい}"
    assert fields["author"].value == "{渡部悦和} and Smith, John"
    assert fields["year"].value == "2019"


def test_the_article_as_ris_parses(client, article):
    response = client.get("/articles/sino-russian/cite.ris")
    assert response["Content-Type"].startswith("application/x-research-info-systems")
    [entry] = rispy.loads(response.content.decode())
    assert entry["title"] == "中国とロシアの同盟は難しい"
    assert entry["authors"] == ["渡部悦和", "Smith, John"]
    assert entry["date"] == "2019/11/06"


def test_tex_special_characters_survive_bibtex():
    item = {"id": "x", "type": "report", "title": "R&D {50%} of $ #1_a", "language": "ja"}
    library = bibtexparser.parse_string(citations.bibtex([item]))
    assert library.failed_blocks == [] and len(library.entries) == 1


def test_the_cite_box_shows_apa_chicago_and_sist02_in_japanese_name_order(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    assert "渡部悦和, &amp; Smith, J. (2019, November 6). 中国とロシアの同盟は難しい." in html
    assert "渡部悦和, and J. Smith. 2019." in html
    assert "(1)渡部悦和, Smith, J." in html


def test_a_reference_cannot_inject_markup(client, make_article):
    article = make_article(title="<script>alert(1)</script>", slug="hostile", authors=["<b>x</b>"])
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def test_a_passage_on_page_two_cites_as_page_two(client, passage_on_page_two):
    response = client.get(f"/api/passages/{passage_on_page_two.pk}/", HTTP_ACCEPT=CSL)
    assert response["Content-Type"].startswith(CSL)
    citation = json.loads(response.content)
    assert_valid(citation, CITATION_SCHEMA)
    [cited] = citation["citationItems"]
    assert (cited["locator"], cited["label"]) == ("2", "page")
    assert cited["itemData"]["author"] == [{"literal": "李智慧"}]

    html = client.get(f"/passages/{passage_on_page_two.pk}/cite/").content.decode()
    assert "(李智慧, n.d., p. 2)" in html  # APA
    assert "p. 2." in html  # SIST 02: the page in the reference
    assert "&quot;locator&quot;: &quot;2&quot;" in html


def test_the_passage_api_still_answers_json_by_default(client, passage_on_page_two):
    response = client.get(f"/api/passages/{passage_on_page_two.pk}/", HTTP_ACCEPT="*/*")
    assert response["Content-Type"] == "application/json"
    assert response.json()["page"] == 2


def test_my_passages_exports_the_bibliography_of_their_articles(client, analyst,
                                                                passage_on_page_two):
    client.force_login(analyst)
    page = client.get("/passages/").content.decode()
    assert "/passages/bibliography.bib" in page
    assert f"/passages/{passage_on_page_two.pk}/cite/" in page
    items = json.loads(client.get("/passages/bibliography.json").content)
    assert_valid(items, DATA_SCHEMA)
    assert [i["title"] for i in items] == [passage_on_page_two.article.title]
    assert len(bibtexparser.parse_string(
        client.get("/passages/bibliography.bib").content.decode()).entries) == 1
    assert len(rispy.loads(client.get("/passages/bibliography.ris").content.decode())) == 1


def test_the_bibliography_is_for_analysts_only(client, passage_on_page_two):
    assert client.get("/passages/bibliography.json").status_code == 302  # to the login
    assert client.get("/articles/nope/cite.json").status_code == 404
