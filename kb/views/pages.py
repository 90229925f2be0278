"""Reader pages. Each view asks one selector and renders; nothing here writes."""

from django.core.paginator import InvalidPage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from .. import selectors
from ..cache import reader_cache
from .passages import article_config


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


def _topic_selection(request: HttpRequest, selector, slug: str):
    """What ``selector`` reads for this page of a topic, or the response that replaces the
    page: 404 for a page out of range, a redirect from a renamed or merged topic's slug."""
    try:
        return selector(slug, page=request.GET.get("page") or 1)
    except InvalidPage:
        raise Http404("No such page of this topic.") from None
    except Http404:
        topic = selectors.topic_redirect(slug)
        if topic is None:
            raise
        target = reverse(request.resolver_match.view_name, args=[topic.slug])
        return redirect(target + (f"?{request.GET.urlencode()}" if request.GET else ""), permanent=True)


@reader_cache
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    page = _topic_selection(request, selectors.topic_page, slug)
    if isinstance(page, HttpResponse):
        return page
    return render(request, "kb/topic_detail.html", {
        "page": page, "backlinks": selectors.backlinks(topic=page.topic),
    })


@reader_cache
def topic_articles(request: HttpRequest, slug: str) -> HttpResponse:
    page = _topic_selection(request, selectors.topic_articles, slug)
    if isinstance(page, HttpResponse):
        return page
    return render(request, "kb/topic_articles.html", {"page": page})


@reader_cache
def topic_passages(request: HttpRequest, slug: str) -> HttpResponse:
    page = _topic_selection(request, selectors.topic_passages, slug)
    if isinstance(page, HttpResponse):
        return page
    return render(request, "kb/topic_passages.html", {"page": page})


@reader_cache
def topic_list(request: HttpRequest) -> HttpResponse:
    return render(request, "kb/topic_list.html", {"topics": selectors.topic_index()})
