"""Reader pages. Each view asks one selector and renders; nothing here writes."""

from django.core.paginator import InvalidPage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

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


@reader_cache
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        page = selectors.topic_page(slug, page=request.GET.get("page") or 1)
    except InvalidPage:
        raise Http404("No such page of this topic.") from None
    except Http404:
        # A renamed or merged topic: its old URL leads to the topic it became.
        topic = selectors.topic_redirect(slug)
        if topic is None:
            raise
        return redirect(topic, permanent=True)
    return render(request, "kb/topic_detail.html", {
        "page": page, "backlinks": selectors.backlinks(topic=page.topic),
    })


@reader_cache
def topic_list(request: HttpRequest) -> HttpResponse:
    return render(request, "kb/topic_list.html", {"topics": selectors.topic_index()})
