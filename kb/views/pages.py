"""Reader pages. Each view asks one selector and renders; nothing here writes."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .. import selectors


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "kb/home.html", {"page": selectors.home_page()})


def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    page = selectors.article_page(slug)
    backlinks = selectors.backlinks(article=page.article)
    return render(request, "kb/article_detail.html", {"page": page, "backlinks": backlinks})


def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    page = selectors.topic_page(slug)
    backlinks = selectors.backlinks(topic=page.topic)
    return render(request, "kb/topic_detail.html", {"page": page, "backlinks": backlinks})


def topic_list(request: HttpRequest) -> HttpResponse:
    return render(request, "kb/topic_list.html", {"topics": selectors.topic_index()})
