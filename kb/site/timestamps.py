"""Timestamps for machines: one zone (UTC) and one spelling (ISO 8601 ending in ``Z``).

Dates for people are the site's (``TIME_ZONE``): templates' ``|date`` and
``django.utils.timezone.localdate`` give them; this module is only for what programs read.
"""

from datetime import UTC, datetime


def utc_iso(moment: datetime, *, timespec: str = "seconds") -> str:
    """``2026-11-30T23:30:00Z``: the same instant whatever zone ``moment`` carries, in the
    form every parser (JavaScript's ``Date`` included) reads alike. HTML's ``datetime``
    attribute allows at most milliseconds, hence whole seconds unless asked otherwise."""
    return moment.astimezone(UTC).isoformat(timespec=timespec).removesuffix("+00:00") + "Z"
