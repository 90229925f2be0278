"""Whole-page cache for anonymous readers, with exact, fine-grained invalidation.

Every cached page is stored with the *dependencies* it showed (``dependencies.py``: an
article, a topic, what a topic tags, the lists), declared by the reads that
render it; every write records the dependencies it changed (``changes.py``: the services,
and signals for every model write), so a write makes stale the pages that show what it
changed, and no other. A page that declares nothing depends on every write, and a write
that cannot say what it changed makes every page stale: unknown means everything.

The generations are kept in the database (``generations.py``): a cache restarted from an
old snapshot, or one that loses keys, can bring back old pages but never make them current
again, and a write's new generations become visible in the same commit as its content.

With a cache all the workers share (Redis, the file cache) a hit reads no database: each
dependency has a *stamp* in the cache that every committed write replaces, and a page is
current while its dependencies' stamps are those it was stored with (``stamps.py``: two
round trips to the cache, the page, then its stamps). A worker checks the stamps against
the database now and then (at least every ``RECHECK_EVERY`` seconds, and when Redis has
restarted), the bound on a write whose stamps never reached the cache. Pages rendered
inside a transaction (tests, a writer's own reads), and caches local to one process, where
other workers' stamps cannot arrive, read the whole content's generation on every request
instead, and are stale after any write.

The cache itself (Redis, or the file cache in ``var/``, shared by the workers) is only
ever an optimisation: when it fails or hangs, pages are rendered without it.

Logged-in users (anyone with a session cookie) always get a freshly rendered page: their
pages carry personal links (edit, log out) and must never come from a shared cache.
"""

from kb.site.cache.changes import content_changed, watch_models
from kb.site.cache.dependencies import shows
from kb.site.cache.pages import csrf_placeholder, reader_cache

__all__ = ["content_changed", "csrf_placeholder", "reader_cache", "shows", "watch_models"]
