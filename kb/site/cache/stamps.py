"""The shared cache's stamps: how a hit knows, without the database, that what it shows is
current.

Each dependency has a *stamp* in the shared cache (Redis, the file cache): its generation
when the stamp was made and a random token. A page is stored with the stamps of its
dependencies, read before it was rendered; a committed write gives each dependency it
changed a new stamp, so every page stored before that shows it is stale, and no other.

The database stays authoritative. A global stamp carries the generation of all the content;
a worker checks it against the database when it may not hold (missing, not the one this
worker last checked, Redis restarted since any worker checked it, or ``RECHECK_EVERY``
seconds gone). When it disagrees (a write whose stamps never reached the cache, a cache
restored from an old copy), the worker compares every dependency's stamp with its
generation in the database and replaces those that disagree.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Collection, Iterable

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache
from django.db import DatabaseError, transaction

from kb.site.cache import generations

# Named as before the move: operators filter on it (docs/deploy.md).
logger = logging.getLogger("kb.cache")

# After a cache error, a worker renders without the cache for this long (seconds), so a
# hung or lost cache costs one socket timeout per worker, not one per request.
CACHE_PAUSE = 10
_cache_down_until = 0.0  # time.monotonic() before which this worker leaves the cache alone

STAMP_KEY = "kb:stamp"
DEPENDENCY_PREFIX = "kb:stamp:"
# Seconds a worker trusts a stamp it has checked against the database: the longest a page can
# outlive a write whose new stamps were lost, or a file cache restored from an old copy.
RECHECK_EVERY = 1.0
_checked_stamp: str | None = None  # the global stamp this worker last found to agree
_checked_at = 0.0  # time.monotonic() of that check
# Redis forgets loaded scripts when it restarts, so a loaded script marks "checked since this
# server started": found missing, a worker checks the stamp, whatever it checked before.
_CHECK_MARK = "return 'kb: page stamp checked since this server started'"
_CHECK_MARK_SHA = hashlib.sha1(_CHECK_MARK.encode()).hexdigest()
_UNKNOWN = "?"  # the generation part of a stamp made without reading it: agrees with none


def page_cache():
    return caches[getattr(settings, "KB_PAGE_CACHE", "default")]


def working_cache():
    """The page cache, or None while this worker is leaving a failed one alone."""
    if time.monotonic() < _cache_down_until:
        return None
    return page_cache()


def cache_failed() -> None:
    global _cache_down_until
    _cache_down_until = time.monotonic() + CACHE_PAUSE
    logger.warning("page cache unavailable; rendering without it for %d s", CACHE_PAUSE,
                   exc_info=True)


def is_shared(cache) -> bool:
    return isinstance(cache, RedisCache | FileBasedCache)


def shares_stamps(cache) -> bool:
    """Whether a hit may trust the cache's stamps instead of reading the generation."""
    # A stamp reaches every worker only through a cache they all share; and a page rendered
    # inside a transaction may show writes that are not committed (or never will be), which
    # only the generation, read on the same connection, accounts for.
    return is_shared(cache) and not transaction.get_connection().in_atomic_block


def _new(generation: str) -> str:
    return f"{generation}|{uuid.uuid4().hex}"


def _key(dependency: str) -> str:
    return f"{DEPENDENCY_PREFIX}{dependency}"


def read_page(cache, page_key: str) -> tuple[dict | None, str | None, bool]:
    """The cached page, the global stamp, and whether a worker has checked the stamp since
    the cache (re)started. One round trip."""
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


def needs_check(stamp: str | None, checked: bool) -> bool:
    return (not checked or stamp is None or stamp != _checked_stamp
            or time.monotonic() - _checked_at >= RECHECK_EVERY)


def check(cache, stamp: str | None, checked: bool) -> str:
    """The global stamp, now known to agree with the database: if it did not, every
    dependency's stamp that disagrees with its generation is replaced first."""
    global _checked_stamp, _checked_at
    generation = generations.total()[0]
    if stamp is None or stamp.rpartition("|")[0] != generation:
        stamp = _reconcile(cache)
    if not checked:
        cache._cache.get_client().script_load(_CHECK_MARK)
    _checked_stamp, _checked_at = stamp, time.monotonic()
    return stamp


def _reconcile(cache) -> str:
    rows = generations.by_dependency()
    stamps = cache.get_many([_key(key) for key in rows])
    replaced = {}
    for key, (generation, _) in rows.items():
        stamp = stamps.get(_key(key))
        if stamp is not None and stamp.rpartition("|")[0] != generation:
            replaced[_key(key)] = _new(generation)
    if replaced:
        cache.set_many(replaced, timeout=None)
    # The whole content's generation from the same rows: it agrees with what was compared.
    weight = sum(int(generation.partition(":")[0]) for generation, _ in rows.values())
    times = [modified for _, modified in rows.values() if modified is not None]
    stamp = _new(f"{weight}:{max(times)}" if times else "0")
    cache.set(STAMP_KEY, stamp, timeout=None)
    return stamp


def current(cache, dependencies: Collection[str]) -> dict[str, str | None]:
    """Each dependency's stamp now (None: missing). One round trip."""
    found = cache.get_many([_key(key) for key in dependencies])
    return {key: found.get(_key(key)) for key in dependencies}


def for_storing(cache, dependencies: Collection[str], before: str | None) -> dict[str, str] | None:
    """The stamps to store a page rendered since the global stamp ``before`` under, or None
    when it must not be stored: a write committed while it was rendered (its content may be
    half old, half new) or a missing stamp could not be made."""
    keys = [_key(key) for key in dependencies]
    # Writers change the global stamp before their dependencies' stamps: read after them, it
    # tells whether one of those was made after the page started rendering.
    found = cache.get_many([*keys, STAMP_KEY])
    if found.get(STAMP_KEY) != before:
        return None
    stamps = {}
    for key, cache_key in zip(dependencies, keys, strict=True):
        stamp = found.get(cache_key)
        if stamp is None:
            # Never stamped, or evicted. Made only if still missing: overwriting a writer's
            # new stamp would let this page, maybe rendered before its commit, pass as current.
            stamp = _new(_UNKNOWN)
            if not cache.add(cache_key, stamp, timeout=None):
                return None
        stamps[key] = stamp
    return stamps


def restamp(dependencies: Iterable[str]) -> None:
    """Make every page stored in the shared cache that shows ``dependencies`` stale, for
    every worker. Run once the write has committed."""
    # Even while this worker leaves a failed cache alone: if the cache is back, the others
    # must not wait for their next check to see the write.
    cache = page_cache()
    if not is_shared(cache):
        return
    keys = list(dependencies)
    try:
        current_generations = generations.by_dependency(keys)
        generation = generations.total()[0]
    except DatabaseError:
        current_generations, generation = {}, _UNKNOWN  # the next check replaces them
    try:
        # First a global stamp that agrees with nothing: a page rendered meanwhile is not
        # stored (for_storing), and should this worker stop here, the next check reconciles.
        cache.set(STAMP_KEY, _new(_UNKNOWN), timeout=None)
        cache.set_many({_key(key): _new(current_generations.get(key, (_UNKNOWN,))[0])
                        for key in keys}, timeout=None)
        cache.set(STAMP_KEY, _new(generation), timeout=None)
    except Exception:  # other workers find the write at their next check (RECHECK_EVERY)
        cache_failed()
