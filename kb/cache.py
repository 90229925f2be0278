"""Whole-page cache for anonymous readers, with exact invalidation.

Every cached page is stored with the *content generation* it was rendered at. Any write to
kb's content calls :func:`content_changed`, which replaces the generation with a new one, so
every page cached before is stale on its next request; nothing has to know which pages a
write affects, and no write can be missed by a wrong guess.

The generation lives in the cache backend, which production shares between workers
(Redis, or the file cache in ``var/``), so a write seen by one gunicorn worker is seen
by all of them.

Logged-in users (anyone with a session cookie) always get a freshly rendered page: their
pages carry personal links (edit, log out) and must never come from a shared cache.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time
from collections.abc import Callable, Iterable
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date

logger = logging.getLogger(__name__)

GENERATION_KEY = "kb:generation"
PAGE_KEY_PREFIX = "kb:page:"
PAGE_TIMEOUT = 24 * 60 * 60  # a safety net only: invalidation is by generation

# Pages may contain a CSRF form (the language switcher): the token is personal, so the
# cached copy holds a placeholder that each hit fills with the visitor's own token.
_CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{32,64}"')
_CSRF_PLACEHOLDER = b'name="csrfmiddlewaretoken" value="__kb_csrf__"'


def _cache():
    return caches[getattr(settings, "KB_PAGE_CACHE", "default")]


def _new_generation() -> str:
    # The time prefix gives Last-Modified; the random part keeps two bumps in the same
    # microsecond (two workers) distinct.
    return f"{time.time():.6f}:{secrets.token_hex(4)}"


def _bump() -> None:
    try:
        _cache().set(GENERATION_KEY, _new_generation(), timeout=None)
    except Exception:  # a cache outage must not turn a committed write into an error
        logger.exception("could not invalidate cached pages")


def content_changed() -> None:
    """Make every cached page stale: now, and again when the current transaction commits.

    The early bump keeps a reader inside the same transaction (and tests) fresh; the bump
    on commit closes the window in which another worker could cache the pre-commit content
    under the new generation. Call it from any write that bypasses ``Model.save()`` and
    ``delete()`` (``QuerySet.update()``, ``bulk_create()``, raw SQL); model writes call it
    through the signals connected by :func:`watch_models`.
    """
    _bump()
    connection = transaction.get_connection()
    if connection.in_atomic_block and not any(
        entry[1] is _bump for entry in connection.run_on_commit
    ):
        transaction.on_commit(_bump)


def _model_saved_or_deleted(sender, **kwargs) -> None:
    content_changed()


def _relation_changed(sender, action: str, **kwargs) -> None:
    if action.startswith("post_"):
        content_changed()


def watch_models(model_list: Iterable[type[models.Model]]) -> None:
    """Invalidate cached pages whenever one of these models is saved, deleted or re-linked.

    Signals are justified here (and only here): invalidation is not business logic but a
    guarantee that must hold for every write path, including the admin, ``manage.py shell``
    and django-taggit's own tag writes, which do not go through kb's services.
    """
    for model in model_list:
        uid = f"kb.cache:{model._meta.label}"
        post_save.connect(_model_saved_or_deleted, sender=model, dispatch_uid=uid)
        post_delete.connect(_model_saved_or_deleted, sender=model, dispatch_uid=uid)
        m2m_changed.connect(_relation_changed, sender=model, dispatch_uid=uid)


def _current_generation(cache, page_key: str) -> tuple[str, dict | None]:
    found = cache.get_many([GENERATION_KEY, page_key])
    generation = found.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, _new_generation(), timeout=None)
        return cache.get(GENERATION_KEY), None
    return generation, found.get(page_key)


def _page_key(request: HttpRequest) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"{PAGE_KEY_PREFIX}{request.LANGUAGE_CODE}:{path}"


def is_personal(request: HttpRequest) -> bool:
    """A request whose page may differ from what any other reader sees."""
    return (
        settings.SESSION_COOKIE_NAME in request.COOKIES
        or getattr(settings, "MESSAGE_COOKIE_NAME", "messages") in request.COOKIES
    )


def _respond(request: HttpRequest, entry: dict) -> HttpResponse:
    content = entry["content"]
    if _CSRF_PLACEHOLDER in content:
        token = f'name="csrfmiddlewaretoken" value="{get_token(request)}"'.encode()
        content = content.replace(_CSRF_PLACEHOLDER, token)
    response = HttpResponse(content, content_type=entry["content_type"])
    response["ETag"] = entry["etag"]
    response["Last-Modified"] = http_date(entry["modified"])
    patch_cache_control(response, no_cache=True)
    patch_vary_headers(response, ["Cookie"])
    return response


def reader_cache(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve a reader page from the page cache to anonymous GET and HEAD requests.

    Apply it to every public read-only page. A hit costs no database query; a miss renders
    the page, stores it under the current generation and serves it with the same
    ETag and Last-Modified a later hit will carry, so browsers get 304s either way.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or is_personal(request):
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True)
            return response
        cache = _cache()
        page_key = _page_key(request)
        try:
            generation, entry = _current_generation(cache, page_key)
        except Exception:
            logger.exception("page cache unavailable; rendering without it")
            return view(request, *args, **kwargs)
        if entry is not None and entry["generation"] == generation:
            return _respond(request, entry)
        response = view(request, *args, **kwargs)
        if response.status_code != 200 or response.streaming or request.method != "GET":
            return response
        content = _CSRF_INPUT.sub(_CSRF_PLACEHOLDER, response.content)
        entry = {
            "generation": generation,
            "content": content,
            "content_type": response["Content-Type"],
            # From the content alone: a re-render after an unrelated edit keeps its ETag,
            # so browsers still get a 304.
            "etag": f'"{hashlib.sha256(content).hexdigest()[:32]}"',
            "modified": float(generation.split(":", 1)[0]),
        }
        try:
            cache.set(page_key, entry, timeout=PAGE_TIMEOUT)
        except Exception:
            logger.exception("could not store a page in the cache")
        return _respond(request, entry)

    return wrapped
