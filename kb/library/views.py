"""Reader pages. Each view asks one selector and renders; nothing here writes."""

from django.core.paginator import InvalidPage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from kb.library import selectors
from kb.passages.serializers import article_config
from kb.site.cache import reader_cache


@reader_cache
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "kb/home.html", {"page": selectors.home_page()})


@reader_cache
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    page = selectors.article_page(slug)
    return render(request, "kb/article_detail.html", {
        "page": page, "passage_config": article_config(request, page),
        "backlinks": selectors.backlinks(article=page.article),
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
                         backlinks=lambda page: selectors.backlinks(topic=page.topic))


@reader_cache
def topic_articles(request: HttpRequest, slug: str) -> HttpResponse:
    return _render_topic(request, slug, selectors.topic_articles, "kb/topic_articles.html")


@reader_cache
def topic_passages(request: HttpRequest, slug: str) -> HttpResponse:
    return _render_topic(request, slug, selectors.topic_passages, "kb/topic_passages.html")


@reader_cache
def topic_colours(request: HttpRequest) -> HttpResponse:
    """Each topic's colour as a class (``tc-<slug>``) for chips and highlights: the CSP
    allows no inline style, so the colours come as a stylesheet of kb's own."""
    return render(request, "kb/topic_colours.css", {"topics": selectors.topic_colours()},
                  content_type="text/css; charset=utf-8")


@reader_cache
def topic_list(request: HttpRequest) -> HttpResponse:
    return render(request, "kb/topic_list.html", {"topics": selectors.topic_index()})
