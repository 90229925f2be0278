"""What kb tells crawlers and feed readers: the sitemap, robots.txt and the Atom feeds,
served from the page cache like any reader page (a write makes them fresh at once)."""

from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from kb.exchange import feeds
from kb.exchange.sitemaps import SITEMAPS
from kb.site.cache import reader_cache

articles_feed = reader_cache(feeds.ArticlesFeed())
topic_feed = reader_cache(feeds.TopicFeed())
changes_feed = reader_cache(feeds.ChangesFeed())


@reader_cache
def sitemap(request: HttpRequest) -> HttpResponse:
    # The sitemaps view answers a TemplateResponse: render it, so the cache can store it.
    return sitemap_view(request, sitemaps=SITEMAPS).render()


@reader_cache
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /i18n/",
        "Disallow: /api/",
        # Every revision of every article, compared with every other: many pages, no news.
        "Disallow: /articles/*/history/",
        f"Sitemap: {request.build_absolute_uri(reverse('kb:sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
