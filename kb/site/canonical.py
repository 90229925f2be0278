"""The site's canonical origin: what identifiers that leave kb (annotation ids, citation
URLs) are built on, whatever host name a request came in by.

An export fetched through ``localhost``, an internal proxy name or the public name must
name each passage alike, or a client that saved it once sees a different resource the
next time; so the origin is configured (``KB_SITE_URL``), never read from the request.
"""

from django.conf import settings


def site_url() -> str:
    """``https://kb.example.org``: the configured origin, without a trailing slash."""
    return settings.KB_SITE_URL.rstrip("/")


def absolute(path: str) -> str:
    """``path`` (as ``reverse()`` or ``get_absolute_url()`` give it) on the canonical origin."""
    return site_url() + path
