"""Tags for a page's head: absolute URLs (canonical, OpenGraph, feeds) and description text."""

import re

from django import template
from django.utils.html import strip_tags
from django.utils.text import Truncator

register = template.Library()

DESCRIPTION_LENGTH = 160  # about what search engines show of a description


@register.simple_tag(takes_context=True)
def absolute_url(context, path: str) -> str:
    """``path`` on this site as a full URL, as canonical links and OpenGraph require."""
    return context["request"].build_absolute_uri(path)


@register.filter
def description(html_or_text: str) -> str:
    """One line of plain text from rendered HTML, shortened for a meta description."""
    text = re.sub(r"\s+", " ", strip_tags(html_or_text or "")).strip()
    return Truncator(text).chars(DESCRIPTION_LENGTH)
