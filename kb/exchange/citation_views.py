"""Citations as files: an article as CSL-JSON, BibTeX or RIS; a passage's "Cite" page;
the bibliography of the articles an analyst's passages come from."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from kb.exchange import citations
from kb.library.models import Article
from kb.passages import permissions, selectors
from kb.passages.models import Passage

FORMATS = {"json": citations.CSL_JSON, "bib": citations.BIBTEX, "ris": citations.RIS}


def _file(items: list[dict], fmt: str, filename: str) -> HttpResponse:
    if fmt == "json":
        body = json.dumps(items, ensure_ascii=False, indent=2)
    elif fmt == "bib":
        body = citations.bibtex(items)
    else:
        body = citations.ris(items)
    response = HttpResponse(body, content_type=f"{FORMATS[fmt]}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@require_GET
def article_citation(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """/articles/<slug>/cite.json|.bib|.ris: the article as one bibliographic record."""
    if fmt not in FORMATS:
        raise Http404("No such citation format.")
    article = get_object_or_404(Article, slug=slug)
    item = citations.csl_item(article, url=request.build_absolute_uri(article.get_absolute_url()))
    # CSL-JSON is a list of items, also for one.
    return _file([item], fmt, "citation")


@require_GET
def passage_citation(request: HttpRequest, pk: int) -> HttpResponse:
    """A passage's "Cite" page: its formatted references with the page, and the citation
    as CSL-JSON (the passage card shows this page's box)."""
    passage = get_object_or_404(Passage.objects.with_details(), pk=pk)
    if passage.source_article is None:
        raise Http404("The passage's article is deleted.")
    citation = citations.passage_citation(request, passage)
    item = citation["citationItems"][0]["itemData"]
    return render(request, "kb/passage_cite.html", {
        "passage": passage, "page_number": passage.page,
        "references": citations.references(item, page=passage.page),
        "citation_json": json.dumps(citation, ensure_ascii=False, indent=2),
    })


@login_required
@require_GET
def passages_bibliography(request: HttpRequest, fmt: str) -> HttpResponse:
    """The articles the analyst's passages (as filtered on My passages) come from."""
    if not permissions.can_tag(request.user):
        raise PermissionDenied
    if fmt not in FORMATS:
        raise Http404("No such citation format.")
    page = selectors.my_passages(request.user, topic_slug=request.GET.get("topic", ""),
                                 article_slug=request.GET.get("article", ""))
    articles = {p.article.pk: p.article for p in page.passages if p.source_article is not None}
    items = [citations.csl_item(a, url=request.build_absolute_uri(a.get_absolute_url()))
             for a in sorted(articles.values(), key=lambda a: a.title)]
    return _file(items, fmt, "bibliography")
