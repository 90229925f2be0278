"""What leaves kb as a feed or a file on request: the sitemap, robots.txt and the Atom
feeds (served from the page cache like any reader page, so a write makes them fresh at
once), and passages and topics in REFI-QDA formats for QDA tools."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from kb.exchange import feeds, qda
from kb.exchange.sitemaps import SITEMAPS
from kb.library.selectors import topic_by_slug
from kb.passages import permissions
from kb.site.cache import reader_cache
from kb.site.cache.dependencies import LISTS

articles_feed = reader_cache(feeds.ArticlesFeed(), shows=[LISTS])
topic_feed = reader_cache(feeds.TopicFeed(), shows=[LISTS])
changes_feed = reader_cache(feeds.ChangesFeed(), shows=[LISTS])


@reader_cache(shows=[LISTS])
def sitemap(request: HttpRequest) -> HttpResponse:
    # The sitemaps view answers a TemplateResponse: render it, so the cache can store it.
    return sitemap_view(request, sitemaps=SITEMAPS).render()


@reader_cache(shows=[LISTS])
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


def _download(scope: qda.Scope, *, user, name: str) -> StreamingHttpResponse:
    """The project streams out as it is written: a large one is never held in memory."""
    filename = f"{name}-{timezone.localdate():%Y%m%d}.qdpx"
    response = StreamingHttpResponse(qda.stream_qdpx(scope, name=name, user=user),
                                     content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _topic(slug: str):
    topic = topic_by_slug(slug)
    if topic is None:
        raise Http404("No such topic.")
    return topic


@login_required
def my_passages_qdpx(request: HttpRequest) -> StreamingHttpResponse:
    """The user's own passages (of the topic they filter by, if any)."""
    if not permissions.can_tag(request.user):
        raise PermissionDenied
    slug = request.GET.get("topic", "")
    scope = qda.Scope(analyst=request.user, topic=_topic(slug) if slug else None)
    return _download(scope, user=request.user, name="kb-passages")


@login_required
def all_passages_qdpx(request: HttpRequest, slug: str = "") -> StreamingHttpResponse:
    """For editors: everyone's passages, or everyone's of one topic."""
    if not request.user.has_perm("kb.change_passage"):
        raise PermissionDenied
    topic = _topic(slug) if slug else None
    return _download(qda.Scope(topic=topic), user=request.user,
                     name=f"kb-{topic.slug}" if topic else "kb-all")


@login_required
def codebook_qdc(request: HttpRequest) -> HttpResponse:
    """For editors: every topic as a codebook. Small (a few thousand topics at most): built
    whole, unlike a project."""
    if not request.user.has_perm("kb.change_topic"):
        raise PermissionDenied
    out = io.BytesIO()
    qda.write_codebook(out)
    response = HttpResponse(out.getvalue(), content_type="application/xml")
    response["Content-Disposition"] = 'attachment; filename="kb-codebook.qdc"'
    return response
