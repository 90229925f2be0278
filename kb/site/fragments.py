"""Fragment cache: the parts of pages that are the same for every reader, kept under a digest
of everything they show.

A fragment's key is a SHA-256 of its inputs (the values it is rendered from, the interface
language, and the code that renders it), never of an id or a version stamp: a write that
changes what a fragment shows changes its key, so nothing has to be invalidated and a stale
fragment cannot be served, whichever path made the write (admin, service, ``update()``, a
restored revision). Fragments no page asks for any more expire after ``TIMEOUT``.

Unlike the page cache (kb.site.cache), fragments serve logged-in readers too: what varies by
reader (edit links by permission, the reader's own passages, CSRF tokens, the inbox badge)
is either rendered around the fragments on each request or made part of the key.

The cache is only an optimisation: when it fails, fragments are rendered without it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import time
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.utils.translation import get_language

logger = logging.getLogger("kb.cache")

KEY_PREFIX = "kb:fragment:"
TIMEOUT = 7 * 24 * 60 * 60
# After a cache error this worker renders without the cache for this long (seconds): a hung
# cache costs one socket timeout per worker, not one per fragment.
CACHE_PAUSE = 10
_cache_down_until = 0.0


@functools.cache
def code_version() -> str:
    """A digest of the code and templates that render fragments and of the translations:
    a deploy that changes how a fragment looks must not serve the ones rendered before it
    from a cache that outlives the workers (Redis, files)."""
    root = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    for pattern in ("kb/**/*.py", "templates/**/*.html", "locale/**/*.mo"):
        for path in sorted(root.glob(pattern)):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _digest(kind: str, inputs: Any) -> str:
    text = json.dumps([code_version(), get_language(), inputs], sort_keys=True,
                      ensure_ascii=False, default=str)
    return f"{KEY_PREFIX}{kind}:{hashlib.sha256(text.encode()).hexdigest()}"


def _cache():
    if time.monotonic() < _cache_down_until:
        return None
    return caches[getattr(settings, "KB_FRAGMENT_CACHE", "default")]


def _failed() -> None:
    global _cache_down_until
    _cache_down_until = time.monotonic() + CACHE_PAUSE
    logger.warning("fragment cache unavailable; rendering without it for %d s", CACHE_PAUSE,
                   exc_info=True)


def cached_many(kind: str, inputs: dict[Hashable, Any],
                render: Callable[[Iterable[Hashable]], dict[Hashable, Any]]) -> dict[Hashable, Any]:
    """The fragment of each entry of ``inputs`` (name → what it shows), from the cache in one
    round trip; ``render(names)`` makes the missing ones (name → fragment, any picklable
    value), which are then stored. ``kind`` names the kind of fragment; the interface
    language is always part of the key."""
    keys = {name: _digest(kind, value) for name, value in inputs.items()}
    cache = _cache()
    found: dict[str, Any] = {}
    if cache is not None and keys:
        try:
            found = cache.get_many(list(keys.values()))
        except Exception:  # Django's RedisCache raises on connection errors and timeouts
            _failed()
            cache = None
    missing = [name for name, key in keys.items() if key not in found]
    made = render(missing) if missing else {}
    if cache is not None and made:
        try:
            cache.set_many({keys[name]: value for name, value in made.items()}, timeout=TIMEOUT)
        except Exception:
            _failed()
    return {name: found[key] if key in found else made[name] for name, key in keys.items()}


def cached(kind: str, inputs: Any, render: Callable[[], Any]) -> Any:
    """One fragment: ``render()`` when the cache has none for ``inputs``."""
    return cached_many(kind, {None: inputs}, lambda names: {None: render()})[None]
