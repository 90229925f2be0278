"""Reader pages. Each view asks one selector and renders; nothing here writes."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .. import selectors
from ..cache import reader_cache


@reader_cache
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "kb/home.html", {"page": selectors.home_page()})


@reader_cache
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "kb/article_detail.html", {"page": selectors.article_page(slug)})


@reader_cache
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "kb/topic_detail.html", {"page": selectors.topic_page(slug)})


@reader_cache
def topic_list(request: HttpRequest) -> HttpResponse:
    return render(request, "kb/topic_list.html", {"topics": selectors.topic_index()})
