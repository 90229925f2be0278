"""``{% is_watching article=... as on %}`` for the watch button (one query, logged-in
users only: anonymous pages, which the page cache shares, never show the button)."""

from django import template

from kb.editorial.selectors import watching

register = template.Library()


@register.simple_tag(takes_context=True)
def is_watching(context, article=None, topic=None) -> bool:
    # The include passes the one it lacks as "" (an unknown template variable).
    return watching(user=context["request"].user, article=article or None, topic=topic or None)
