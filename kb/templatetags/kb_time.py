"""``{{ moment|utc_iso }}`` for ``<time datetime>``: machines get UTC with ``Z``, while the
visible text stays in the site's time zone through ``|date``."""

from django import template

from kb.site.timestamps import utc_iso as _utc_iso

register = template.Library()


@register.filter
def utc_iso(moment):
    return _utc_iso(moment) if moment else ""
