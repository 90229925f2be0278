"""Reader pages. Each view asks one selector and renders; nothing here writes."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .. import selectors
from .passages import article_config


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "kb/home.html", {"page": selectors.home_page()})


def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    page = selectors.article_page(slug)
    return render(request, "kb/article_detail.html", {
        "page": page, "passage_config": article_config(request, page),
        "backlinks": selectors.backlinks(article=page.article),
    })


def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        page = selectors.topic_page(slug)
    except Http404:
        # A renamed or merged topic: its old URL leads to the topic it became.
        topic = selectors.topic_redirect(slug)
        if topic is None:
            raise
        return redirect(topic, permanent=True)
    return render(request, "kb/topic_detail.html", {
        "page": page, "backlinks": selectors.backlinks(topic=page.topic),
    })


def topic_list(request: HttpRequest) -> HttpResponse:
    return render(request, "kb/topic_list.html", {"topics": selectors.topic_index()})
