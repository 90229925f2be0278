"""Reader pages. Each view asks one selector and renders; nothing here writes."""

import csv
from functools import partial

from django.core.exceptions import ValidationError
from django.core.paginator import InvalidPage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kb.library import blocks, catalogue, matrix, overview, selectors, sources
from kb.library.forms import SORT_LABELS, ArticleListForm
from kb.library.models import Article
from kb.passages.serializers import article_config
from kb.site.cache import reader_cache
from kb.site.cache.dependencies import LISTS


@reader_cache(shows=[LISTS])
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "kb/home.html", {"page": selectors.home_page()})


@reader_cache
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    page = selectors.article_page(slug)
    return render(request, "kb/article_detail.html", {
        "page": page, "passage_config": article_config(request, page),
        "parts": blocks.article_parts(request, page), "toc": blocks.article_toc(request, page),
        "sections": blocks.article_sections(request, page),
        "backlinks": selectors.backlinks(article=page.article),
    })


# Opened in the browser (its PDF viewer, or as plain text); anything else is downloaded.
INLINE_TYPES = ("application/pdf", "text/plain")


def article_original(request: HttpRequest, slug: str) -> HttpResponse:
    """The file the article was imported from, byte for byte, to anyone who may read the
    article (every reader: kb's pages are public). Never as HTML: it is served with the
    type recorded at import (PDF, DOCX, or text/plain for text and Markdown) and nosniff,
    so a page uploaded as .txt shows as its source, not as a page of this site."""
    original = sources.article_original(slug)
    inline = original.content_type.split(";")[0] in INLINE_TYPES
    response = FileResponse(original.open(), content_type=original.content_type,
                            as_attachment=not inline, filename=original.filename)
    response["X-Content-Type-Options"] = "nosniff"
    # Same URL, new bytes after another import: check each time; the ETag saves the transfer.
    response["ETag"] = f'"{original.sha256}"'
    response["Cache-Control"] = "no-cache"
    return response


def _link(params: QueryDict, **changes: object) -> str:
    """The article list's query string with ``changes`` made (an empty value removes the
    parameter), back on its first page."""
    query = params.copy()
    query.pop("page", None)
    for name, value in changes.items():
        query.pop(name, None)
        if value not in ("", None):
            query[name] = str(value)
    return f"?{query.urlencode()}" if query else reverse("kb:articles")


def _facet(params: QueryDict, name: str, values, chosen: object, *, lang=lambda value: "") -> list[dict]:
    """Links for one facet from (value, label, count): choosing a value, or, for the chosen
    one, leaving it (as the search page's facets do). ``lang(value)``: the label's language
    when it is not the interface's ("ja" for a Japanese name in the English interface)."""
    return [
        {"label": label, "count": count, "selected": str(value) == str(chosen or ""),
         "lang": lang(value),
         "url": _link(params, **{name: "" if str(value) == str(chosen or "") else value})}
        for value, label, count in values
    ]


@reader_cache(shows=[LISTS])
def article_list(request: HttpRequest) -> HttpResponse:
    form = ArticleListForm(request.GET)
    if not form.is_valid():
        return render(request, "kb/article_list.html", {"form": form}, status=400)
    try:
        page = catalogue.article_list(form.filters(), page=request.GET.get("page") or 1)
    except InvalidPage:
        raise Http404(_("No such page of the article list.")) from None
    params, chosen = request.GET, page.filters
    kinds = dict(Article.Kind.choices)
    shown = {t.slug: t.shown_in_english() for t in page.topics}
    facets = [
        (_("Publisher"), _facet(params, "publisher",
                                   [(p, p, n) for p, n in page.publishers], chosen.publisher,
                                   lang=lambda p: "ja")),
        (_("Year"), _facet(params, "year", [(y, y, n) for y, n in page.years], chosen.year)),
        (_("Kind"), _facet(params, "kind", [(k, kinds.get(k, k), n) for k, n in page.kinds],
                           chosen.kind)),
        (_("Topic"), _facet(params, "topic", [(t.slug, t.local_name, t.article_total)
                                              for t in page.topics], chosen.topic,
                            lang=lambda slug: "" if shown[slug] else "ja")),
    ]
    query = params.copy()
    query.pop("page", None)
    return render(request, "kb/article_list.html", {
        "form": form, "page": page, "facets": facets, "query": query.urlencode(),
        "sorts": [{"label": label, "url": _link(params, sort=key), "selected": key == chosen.sort}
                  for key, label in SORT_LABELS.items()],
        "filtered": any([chosen.publisher, chosen.year, chosen.kind, chosen.topic]),
    })


def _render_topic(request: HttpRequest, slug: str, selector, template: str, **extra) -> HttpResponse:
    """``template`` with what ``selector`` reads for this page of a topic (and ``extra``:
    name → function of it); 404 for a page out of range; a renamed or merged topic's old
    slug redirects to the same page of the topic it became."""
    try:
        page = selector(slug, page=request.GET.get("page") or 1)
    except InvalidPage:
        raise Http404("No such page of this topic.") from None
    except Http404:
        topic = selectors.topic_redirect(slug)
        if topic is None:
            raise
        target = reverse(request.resolver_match.view_name, args=[topic.slug])
        return redirect(target + (f"?{request.GET.urlencode()}" if request.GET else ""), permanent=True)
    return render(request, template, {"page": page, **{name: read(page) for name, read in extra.items()}})


@reader_cache
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _render_topic(request, slug, selectors.topic_page, "kb/topic_detail.html",
                         sections=partial(blocks.topic_sections, request),
                         backlinks=lambda page: selectors.backlinks(topic=page.topic),
                         parts=lambda page: blocks.topic_parts(
                             request, page, overview.topic_pictures(page.topic, page.co_occurring)))


@reader_cache
def topic_articles(request: HttpRequest, slug: str) -> HttpResponse:
    return _render_topic(request, slug, selectors.topic_articles, "kb/topic_articles.html")


@reader_cache
def topic_passages(request: HttpRequest, slug: str) -> HttpResponse:
    selector = partial(selectors.topic_passages, article_slug=request.GET.get("article", ""))
    return _render_topic(request, slug, selector, "kb/topic_passages.html")


@reader_cache(shows=[LISTS])
def topic_colours(request: HttpRequest) -> HttpResponse:
    """Each topic's colour as a class (``tc-<slug>``) for chips and highlights: the CSP
    allows no inline style, so the colours come as a stylesheet of kb's own."""
    return render(request, "kb/topic_colours.css", {"topics": selectors.topic_colours()},
                  content_type="text/css; charset=utf-8")


@reader_cache(shows=[LISTS])
def topic_overview(request: HttpRequest) -> HttpResponse:
    return render(request, "kb/topic_overview.html", {"overview": overview.topic_overview()})


@reader_cache(shows=[LISTS])
def topic_list(request: HttpRequest) -> HttpResponse:
    return render(request, "kb/topic_list.html", {"topics": selectors.topic_index()})


def _matrix(request: HttpRequest) -> matrix.Matrix:
    return matrix.topic_matrix(topic_slugs=request.GET.getlist("topic"),
                               article_slugs=request.GET.getlist("article"))


@reader_cache(shows=[LISTS])
def topic_matrix(request: HttpRequest) -> HttpResponse:
    """Topics × articles with the counts of tagged sections and passages (?topic=&article=,
    each repeatable, narrow it); an unknown topic or article is a 400 that says which."""
    try:
        table = _matrix(request)
    except ValidationError as error:
        return render(request, "kb/topic_matrix.html", {"errors": error.messages}, status=400)
    return render(request, "kb/topic_matrix.html", {
        "matrix": table, "query": request.GET.urlencode(),
    })


# Not through the page cache: it keeps a page's content type but not its download name.
def topic_matrix_csv(request: HttpRequest) -> HttpResponse:
    """The matrix as CSV, one row per topic and two columns (sections, passages) per
    article, for a spreadsheet."""
    try:
        table = _matrix(request)
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=400,
                            content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="topic-matrix.csv"'
    response.write("\ufeff")  # the BOM: spreadsheet programs then read the Japanese as UTF-8
    writer = csv.writer(response)
    header = [_("Topic"), _("Topic slug"), _("Sections"), _("Passages")]
    for article in table.articles:
        header += [_("%(article)s: sections") % {"article": article.title},
                   _("%(article)s: passages") % {"article": article.title}]
    writer.writerow(header)
    for row in table.rows:
        counts = [n for cell in row.cells for n in (cell.sections, cell.passages)]
        writer.writerow([row.topic.name, row.topic.slug, row.sections, row.passages, *counts])
    return response
