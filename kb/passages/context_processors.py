"""The header's inbox badge: how many unread notifications the logged-in user has."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import cached_property

from kb.passages import selectors


class Inbox:
    """Read on first use, once: a page that never shows the header pays no query, and one
    that shows the count twice pays one."""

    def __init__(self, user) -> None:
        self.user = user

    @cached_property
    def unread(self) -> int:
        return selectors.unread_count(self.user)


def inbox(request: HttpRequest) -> dict[str, Inbox]:
    # Anonymous pages are cached whole for everyone (kb.site.cache): they get no badge, and
    # no query. Logged-in pages are never cached, so a personal count is safe there.
    user = getattr(request, "user", None)
    return {"inbox": Inbox(user)} if user is not None and user.is_authenticated else {}
