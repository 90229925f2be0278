"""The reader page cache: whole pages for anonymous readers, each stored with what it shows.

See the package's docstring for the guarantees; this module serves and stores the pages.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from functools import partial, wraps

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.crypto import salted_hmac
from django.utils.http import http_date

from kb.site.cache import dependencies, generations, stamps

PAGE_KEY_PREFIX = "kb:page:"
PAGE_TIMEOUT = 24 * 60 * 60  # a safety net only: invalidation is by generation

# Pages may contain a CSRF form (the language switcher): the token is personal, so a page
# rendered for the cache has {% csrf_token %} write a placeholder (csrf_placeholder below)
# that each response fills with the visitor's own token.
_FOR_CACHE = "kb_page_cache_render"


def _csrf_placeholder() -> bytes:
    # Derived from the secret key, so no text in a page can spell it: nh3 leaves quotes in
    # text as written, and a section quoting a CSRF input once got each reader's token.
    return b"kbcsrf" + salted_hmac("kb.site.cache.csrf", "placeholder").hexdigest().encode()


def csrf_placeholder(request: HttpRequest) -> dict[str, str]:
    """Context processor: the placeholder as the CSRF token of a page rendered for the
    cache (added after Django's own csrf processor, which it overrides there only)."""
    if getattr(request, _FOR_CACHE, False):
        return {"csrf_token": _csrf_placeholder().decode()}
    return {}


def _fill_token(request: HttpRequest, content: bytes) -> bytes:
    placeholder = _csrf_placeholder()
    if placeholder in content:
        content = content.replace(placeholder, get_token(request).encode())
    return content


def page_key(request: HttpRequest) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"{PAGE_KEY_PREFIX}{request.LANGUAGE_CODE}:{path}"


def is_personal(request: HttpRequest) -> bool:
    """A request whose page may differ from what any other reader sees."""
    return (
        settings.SESSION_COOKIE_NAME in request.COOKIES
        or getattr(settings, "MESSAGE_COOKIE_NAME", "messages") in request.COOKIES
    )


def _respond(request: HttpRequest, entry: dict) -> HttpResponse:
    content = _fill_token(request, entry["content"])
    response = HttpResponse(content, content_type=entry["content_type"])
    response["ETag"] = entry["etag"]
    if entry["modified"] is not None:
        response["Last-Modified"] = http_date(entry["modified"])
    patch_cache_control(response, no_cache=True)
    patch_vary_headers(response, ["Cookie"])
    return response


def _render(view, request: HttpRequest, args, kwargs) -> tuple[HttpResponse, frozenset[str]]:
    """The page rendered for the cache, and what it declared it shows."""
    setattr(request, _FOR_CACHE, True)
    try:
        with dependencies.recording() as shown:
            response = view(request, *args, **kwargs)
    finally:  # an error page (Http404) is rendered after this, with the real token
        setattr(request, _FOR_CACHE, False)
    return response, dependencies.page_dependencies(shown)


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or request.method != "GET":
        if not response.streaming:
            response.content = _fill_token(request, response.content)
        return False
    return True


def _entry(response: HttpResponse, modified: float | None, **validity) -> dict:
    content = response.content
    return {
        **validity,
        "content": content,
        "content_type": response["Content-Type"],
        # From the content alone: a re-render after an unrelated edit keeps its ETag,
        # so browsers still get a 304.
        "etag": f'"{hashlib.sha256(content).hexdigest()[:32]}"',
        "modified": modified,
    }


def _store(request: HttpRequest, cache, key: str, entry: dict) -> HttpResponse:
    try:
        cache.set(key, entry, timeout=PAGE_TIMEOUT)
    except Exception:
        stamps.cache_failed()
    return _respond(request, entry)


def _shared(view, request: HttpRequest, cache, args, kwargs) -> HttpResponse:
    """Through a cache every worker shares: a hit costs two round trips to the cache (the
    page with the global stamp, then its dependencies' stamps) and none to the database."""
    key = page_key(request)
    try:
        entry, stamp, checked = stamps.read_page(cache, key)
    except Exception:  # Django's RedisCache raises on connection errors and timeouts
        stamps.cache_failed()
        return view(request, *args, **kwargs)
    if stamps.needs_check(stamp, checked):
        try:
            stamp = stamps.check(cache, stamp, checked)
        except (OperationalError, InterfaceError):
            # No write can commit while the database is away: a cached copy is as fresh
            # as any page could be, and better than the 503 a render would give.
            if entry is not None:
                return _respond(request, entry)
            return view(request, *args, **kwargs)
        except Exception:
            stamps.cache_failed()
            return view(request, *args, **kwargs)
    if entry is not None and "shows" in entry:
        # Every committed write replaces the global stamp: while it is the one the page was
        # stored under, nothing has been written since, and its dependencies' stamps need
        # not be read (with the file cache, one file each: a large article shows ~35).
        if entry.get("global") == stamp:
            return _respond(request, entry)
        try:
            if stamps.current(cache, entry["shows"]) == entry["shows"]:
                # Current under the global stamp read before its dependencies: kept under
                # it, the next hits read no stamps until another write replaces it.
                if stamp is not None:
                    entry["global"] = stamp
                    return _store(request, cache, key, entry)
                return _respond(request, entry)
        except Exception:
            stamps.cache_failed()
            return view(request, *args, **kwargs)
    response, shown = _render(view, request, args, kwargs)
    if not _storable(request, response):
        return response
    try:
        shows = stamps.for_storing(cache, shown, stamp)
    except Exception:
        stamps.cache_failed()
        shows = None
    try:  # the page's Last-Modified comes from the database
        modified = generations.last_modified(shown)
    except (OperationalError, InterfaceError):
        modified = None
    entry = _entry(response, modified, shows=shows)
    if shows is None:
        return _respond(request, entry)
    entry["global"] = stamp  # for_storing found it unchanged since the render began
    return _store(request, cache, key, entry)


def _local(view, request: HttpRequest, cache, args, kwargs) -> HttpResponse:
    """Through a cache of this process only, or inside a transaction: no stamp of another
    worker can arrive, so every request reads the whole content's generation (one small
    query) and a page is current while it has not moved."""
    key = page_key(request)
    try:
        entry = cache.get(key)
    except Exception:
        stamps.cache_failed()
        return view(request, *args, **kwargs)
    try:
        generation, modified = generations.total()
    except (OperationalError, InterfaceError):
        if entry is not None:  # as in _shared
            return _respond(request, entry)
        return view(request, *args, **kwargs)
    if entry is not None and entry.get("generation") == generation:
        return _respond(request, entry)
    response, _ = _render(view, request, args, kwargs)
    if not _storable(request, response):
        return response
    return _store(request, cache, key, _entry(response, modified, generation=generation))


def reader_cache(view: Callable[..., HttpResponse] | None = None, *,
                 shows: Iterable[str] = ()) -> Callable:
    """Serve a reader page from the page cache to anonymous GET and HEAD requests.

    Apply it to every public read-only page. What the page shows is declared by its reads
    (the selectors call dependencies.shows) and by ``shows`` here (``[LISTS]`` for a page
    that lists content across the site); a page that declares nothing is made stale by
    every write. A miss renders the page, stores it and serves it with the same ETag and
    Last-Modified a later hit will carry, so browsers get 304s either way.
    """
    if view is None:
        return partial(reader_cache, shows=shows)
    declared = tuple(shows)

    def render(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        dependencies.shows(*declared)
        return view(request, *args, **kwargs)

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or is_personal(request):
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True)
            return response
        cache = stamps.working_cache()
        if cache is None:
            return view(request, *args, **kwargs)
        if stamps.shares_stamps(cache):
            return _shared(render, request, cache, args, kwargs)
        return _local(render, request, cache, args, kwargs)

    return wrapped
