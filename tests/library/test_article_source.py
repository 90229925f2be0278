"""The article page's source: issuing body, date, source URL and the original file; the
original served to every reader at /articles/<slug>/original."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kb.library import services as library_services


def _page(client, article) -> str:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_the_source_and_links_the_original_pdf(client, make_article, media_root):
    article = make_article(publisher="野村総合研究所", published_on="2025-03-31",
                           source_url="https://www.nri.com/jp/knowledge/report/20250331.html")
    html = _page(client, article)
    assert 'id="source-heading">出典</h2>' in html
    assert '<dd lang="ja">野村総合研究所</dd>' in html and 'datetime="2025-03-31"' in html
    assert ('<a class="source-url" href="https://www.nri.com/jp/knowledge/report/20250331.html" '
            'rel="noopener noreferrer nofollow external">') in html
    assert "元のPDF" not in html and "citation_pdf_url" not in html
    library_services.store_original(article=article, original=library_services.OriginalFile(
        content=b"%PDF-1.4\n", filename="report.pdf", content_type="application/pdf"))
    html = _page(client, article)
    url = reverse("kb:article_original", args=[article.slug])
    assert f'<a class="original" href="{url}" type="application/pdf">元のPDF</a>' in html
    assert f'<meta name="citation_pdf_url" content="http://testserver{url}">' in html


def test_an_original_costs_the_article_page_no_query(client, make_article, media_root):
    with_original, without = make_article(), make_article()
    library_services.store_original(article=with_original, original=library_services.OriginalFile(
        content=b"text", filename="a.txt", content_type="text/plain; charset=utf-8"))
    counts = []
    for article in (without, with_original):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(article.get_absolute_url()).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_an_article_without_an_original_has_no_source_link(client, make_article):
    article = make_article()
    assert 'class="original"' not in _page(client, article)
    assert client.get(reverse("kb:article_original", args=[article.slug])).status_code == 404
    assert client.get(reverse("kb:article_original", args=["no-such"])).status_code == 404
