"""Whole-page cache for anonymous readers, with exact invalidation.

Every cached page is stored with the *content generation* it was rendered at. Any write to
kb's content calls :func:`content_changed`, which gives the content a new generation when it
commits, so every page cached before is stale on its next request; nothing has to know which
pages a write affects, and no write can be missed by a wrong guess.

The generation is kept in the database (:class:`kb.models.ContentChange`): a cache
restarted from an old snapshot, or one that loses keys, can bring back old pages but never
make them current again. A write's new generation becomes visible in the same commit as its
content.

Reading the generation on every hit would cost each hit a database round trip. With a cache
all the workers share (Redis, the file cache) a hit reads none: each write, once committed,
also gives the cache a new *stamp* (a random token, with the generation it was taken at),
and pages are stored under the stamp read before they were rendered, so a committed write
leaves every page stored before it stale. A worker checks the stamp against the database's
generation (and replaces it when they disagree) only when it may not hold: when the stamp is
missing or not the one this worker last checked, when Redis has restarted since any worker
checked it (a restart empties Redis's script cache, where the check leaves its mark), and at
least every ``RECHECK_EVERY`` seconds, the bound on a write whose stamp never reached the
cache (its worker died after the commit, or could not reach the cache). Pages rendered inside
a transaction (tests, a writer's own reads), and caches local to one process, where other
workers' stamps cannot arrive, still read the generation on every request.

The cache itself (Redis, or the file cache in ``var/``, shared by the workers) is only
ever an optimisation: when it fails or hangs, pages are rendered without it.

Logged-in users (anyone with a session cookie) always get a freshly rendered page: their
pages carry personal links (edit, log out) and must never come from a shared cache.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache
from django.db import DatabaseError, InterfaceError, OperationalError, models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.crypto import salted_hmac
from django.utils.http import http_date

from kb.site.models import ContentChange

# Named as before the move: operators filter on it (docs/deploy.md).
logger = logging.getLogger("kb.cache")

PAGE_KEY_PREFIX = "kb:page:"
PAGE_TIMEOUT = 24 * 60 * 60  # a safety net only: invalidation is by generation
# After a cache error, a worker renders without the cache for this long (seconds), so a
# hung or lost cache costs one socket timeout per worker, not one per request.
CACHE_PAUSE = 10

_cache_down_until = 0.0  # time.monotonic() before which this worker leaves the cache alone

STAMP_KEY = "kb:stamp"
# Seconds a worker trusts a stamp it has checked against the database: the longest a page can
# outlive a write whose new stamp was lost, or a file cache restored from an old copy.
RECHECK_EVERY = 1.0
_checked_stamp: str | None = None  # the stamp this worker last found to agree with the database
_checked_at = 0.0  # time.monotonic() of that check
# Redis forgets loaded scripts when it restarts, so a loaded script marks "checked since this
# server started": found missing, a worker checks the stamp, whatever it checked before.
_CHECK_MARK = "return 'kb: page stamp checked since this server started'"
_CHECK_MARK_SHA = hashlib.sha1(_CHECK_MARK.encode()).hexdigest()

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


def _working_cache():
    """The page cache, or None while this worker is leaving a failed one alone."""
    if time.monotonic() < _cache_down_until:
        return None
    return caches[getattr(settings, "KB_PAGE_CACHE", "default")]


def _cache_failed() -> None:
    global _cache_down_until
    _cache_down_until = time.monotonic() + CACHE_PAUSE
    logger.warning("page cache unavailable; rendering without it for %d s", CACHE_PAUSE,
                   exc_info=True)


# Every cache hit runs this, and nothing else: as SQL it costs about a seventh of what the
# ORM's aggregate() spends compiling it (measured 21-32 µs against 214-219 µs on SQLite).
_GENERATION_SQL = (
    f"SELECT SUM(weight), MAX(changed_at) FROM {ContentChange._meta.db_table}"
)


def _read_generation(connection) -> tuple[int | None, object]:
    with connection.cursor() as cursor:
        cursor.execute(_GENERATION_SQL)
        return cursor.fetchone()


def _content_generation() -> tuple[str, float | None]:
    """The generation of the committed content, and when it last changed (None: never)."""
    connection = transaction.get_connection()
    connection.kb_unread_change = None
    # On a cache hit this is the request's only query: let it stand in for the connection's
    # health check (CONN_HEALTH_CHECKS), which would add a second round trip to every hit. A
    # connection gone stale fails it instead; it is then closed and the read made on a new one.
    stands_in = (connection.health_check_enabled and not connection.health_check_done
                 and not connection.in_atomic_block)
    if stands_in:
        connection.health_check_done = True
    try:
        total, last = _read_generation(connection)
    except (OperationalError, InterfaceError):
        if not stands_in:
            raise
        connection.close()
        total, last = _read_generation(connection)
    if last is None:
        return "0", None
    if isinstance(last, str):  # SQLite hands back the stored text (UTC, as USE_TZ stores it)
        last = datetime.fromisoformat(last).replace(tzinfo=UTC)
    # The total alone grows with every commit; the time also tells apart the content of a
    # database restored from a dump and written to again from what the cache saw before.
    modified = last.timestamp()
    return f"{total}:{modified}", modified


def _committed() -> None:
    _fold_changes()
    _restamp()


def _fold_changes() -> None:
    # Keeps the generation query reading one row or a few, whatever the number of writes.
    try:
        with transaction.atomic():
            rows = list(ContentChange.objects.select_for_update(skip_locked=True)
                        .values_list("pk", "weight", "changed_at"))
            if len(rows) > 1:
                ContentChange.objects.filter(pk__in=[pk for pk, _, _ in rows]).delete()
                ContentChange.objects.create(weight=sum(weight for _, weight, _ in rows),
                                             changed_at=max(when for _, _, when in rows))
    except DatabaseError:  # the write has committed: only the table's size suffers
        logger.exception("could not fold the content changes")


def content_changed() -> None:
    """Give kb's content a new generation, visible to other readers when the write commits.

    The row is inserted in the write's transaction: it commits (or rolls back) with the
    write, so readers see the new generation exactly when they see the new content; once it
    has committed, the shared cache gets a new stamp. One row
    per write, not per transaction: a page rendered inside the transaction between two writes
    must not carry the generation of the end result. Call it from any write that bypasses
    ``Model.save()`` and ``delete()`` (``QuerySet.update()``, ``bulk_create()``, raw SQL);
    model writes call it through the signals connected by :func:`watch_models`.

    A write needs no row of its own when the previous one was made in the same atomic block
    (they commit or roll back together) and no generation was read in between (no page can
    carry the one between them). Without this, saving a long article's admin form inserted a
    row per section.
    """
    connection = transaction.get_connection()
    block = set(connection.savepoint_ids) if connection.in_atomic_block else None
    # The hook registered with the previous row is still pending only if that row was not
    # rolled back (Django drops a rolled-back block's on_commit callbacks).
    if block is not None and getattr(connection, "kb_unread_change", None) == block and any(
        func is _committed and ids == block for ids, func, *_ in connection.run_on_commit
    ):
        return
    ContentChange.objects.create()
    transaction.on_commit(_committed)
    connection.kb_unread_change = block


def _model_saved_or_deleted(sender, **kwargs) -> None:
    content_changed()


def _relation_changed(sender, action: str, **kwargs) -> None:
    if action.startswith("post_"):
        content_changed()


def _shares_stamps(cache) -> bool:
    """Whether a hit may trust the cache's stamp instead of reading the generation."""
    # A stamp reaches every worker only through a cache they all share; and a page rendered
    # inside a transaction may show writes that are not committed (or never will be), which
    # only the generation, read on the same connection, accounts for.
    return (isinstance(cache, RedisCache | FileBasedCache)
            and not transaction.get_connection().in_atomic_block)


def _new_stamp(generation: str) -> str:
    return f"{generation}|{uuid.uuid4().hex}"


def _restamp() -> None:
    """Make every page stored in the shared cache until now stale, for every worker."""
    # Even while this worker leaves a failed cache alone: if the cache is back, the others
    # must not wait for their next check to see the write.
    cache = caches[getattr(settings, "KB_PAGE_CACHE", "default")]
    if not isinstance(cache, RedisCache | FileBasedCache):
        return
    try:
        generation = _content_generation()[0]
    except DatabaseError:
        generation = "?"  # agrees with nothing: the next check replaces the stamp
    try:
        cache.set(STAMP_KEY, _new_stamp(generation), timeout=None)
    except Exception:  # other workers find the write at their next check (RECHECK_EVERY)
        _cache_failed()


def _read_shared(cache, page_key: str) -> tuple[dict | None, str | None, bool]:
    """The cached page, the stamp, and whether a worker has checked the stamp since the
    cache (re)started. One round trip."""
    if not isinstance(cache, RedisCache):
        found = cache.get_many([page_key, STAMP_KEY])
        return found.get(page_key), found.get(STAMP_KEY), True
    # Django's cache API has no pipeline: its redis-py client and serializer do the same.
    client = cache._cache.get_client()
    pipe = client.pipeline(transaction=False)
    pipe.script_exists(_CHECK_MARK_SHA)
    pipe.mget([cache.make_and_validate_key(page_key), cache.make_and_validate_key(STAMP_KEY)])
    [checked], values = pipe.execute()
    entry, stamp = (None if v is None else cache._cache._serializer.loads(v) for v in values)
    return entry, stamp, checked


def _agreed_stamp(cache, stamp: str | None, generation: str, checked: bool) -> str:
    """The stamp, now known to agree with the database's ``generation``: replaced if not."""
    global _checked_stamp, _checked_at
    if stamp is None or stamp.rpartition("|")[0] != generation:
        stamp = _new_stamp(generation)
        cache.set(STAMP_KEY, stamp, timeout=None)
    if not checked:
        cache._cache.get_client().script_load(_CHECK_MARK)
    _checked_stamp, _checked_at = stamp, time.monotonic()
    return stamp


def _needs_check(stamp: str | None, checked: bool) -> bool:
    return (not checked or stamp is None or stamp != _checked_stamp
            or time.monotonic() - _checked_at >= RECHECK_EVERY)


def watch_models(model_list: Iterable[type[models.Model]]) -> None:
    """Invalidate cached pages whenever one of these models is saved, deleted or re-linked.

    Signals are justified here (and only here): invalidation is not business logic but a
    guarantee that must hold for every write path, including the admin, ``manage.py shell``
    and django-taggit's own tag writes, which do not go through kb's services.
    """
    for model in model_list:
        uid = f"kb.site.cache:{model._meta.label}"
        post_save.connect(_model_saved_or_deleted, sender=model, dispatch_uid=uid)
        post_delete.connect(_model_saved_or_deleted, sender=model, dispatch_uid=uid)
        m2m_changed.connect(_relation_changed, sender=model, dispatch_uid=uid)


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
    content = _fill_token(request, entry["content"])
    response = HttpResponse(content, content_type=entry["content_type"])
    response["ETag"] = entry["etag"]
    if entry["modified"] is not None:
        response["Last-Modified"] = http_date(entry["modified"])
    patch_cache_control(response, no_cache=True)
    patch_vary_headers(response, ["Cookie"])
    return response


def reader_cache(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve a reader page from the page cache to anonymous GET and HEAD requests.

    Apply it to every public read-only page. A hit costs one round trip to a shared cache
    and, but for a check now and then, none to the database; a miss renders the page, stores
    it under the current stamp and serves it with the same ETag and Last-Modified a later hit
    will carry, so browsers get 304s either way.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or is_personal(request):
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True)
            return response
        cache = _working_cache()
        if cache is None:
            return view(request, *args, **kwargs)
        page_key = _page_key(request)
        shared = _shares_stamps(cache)
        try:
            if shared:
                entry, stamp, checked = _read_shared(cache, page_key)
            else:
                entry, stamp, checked = cache.get(page_key), None, True
        except Exception:  # Django's RedisCache raises on connection errors and timeouts
            _cache_failed()
            return view(request, *args, **kwargs)
        now = None  # the generation and its time, when this request has read them
        if not shared or _needs_check(stamp, checked):
            try:
                now = _content_generation()
            except (OperationalError, InterfaceError):
                # No write can commit while the database is away: a cached copy is as fresh
                # as any page could be, and better than the 503 a render would give.
                if entry is not None:
                    return _respond(request, entry)
                return view(request, *args, **kwargs)
            if not shared:
                stamp = now[0]
            else:
                try:
                    stamp = _agreed_stamp(cache, stamp, now[0], checked)
                except Exception:
                    _cache_failed()
                    return view(request, *args, **kwargs)
        if entry is not None and entry.get("stamp") == stamp:
            return _respond(request, entry)
        if now is None:  # a miss: the page's Last-Modified comes from the database
            try:
                now = _content_generation()
            except (OperationalError, InterfaceError):
                if entry is not None:  # as above
                    return _respond(request, entry)
                return view(request, *args, **kwargs)
        setattr(request, _FOR_CACHE, True)
        try:
            response = view(request, *args, **kwargs)
        finally:  # an error page (Http404) is rendered after this, with the real token
            setattr(request, _FOR_CACHE, False)
        if response.status_code != 200 or response.streaming or request.method != "GET":
            if not response.streaming:
                response.content = _fill_token(request, response.content)
            return response
        content = response.content
        entry = {
            "stamp": stamp,
            "content": content,
            "content_type": response["Content-Type"],
            # From the content alone: a re-render after an unrelated edit keeps its ETag,
            # so browsers still get a 304.
            "etag": f'"{hashlib.sha256(content).hexdigest()[:32]}"',
            "modified": now[1],
        }
        try:
            cache.set(page_key, entry, timeout=PAGE_TIMEOUT)
        except Exception:
            _cache_failed()
        return _respond(request, entry)

    return wrapped
