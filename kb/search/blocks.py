"""The search page's result list, one block per hit, from the fragment cache
(kb.site.fragments) under a digest of what the hit shows: hits look the same to every
reader, and rendering them took most of a search page's time."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from kb.search.engine import PassageHit, SearchResults, SectionHit
from kb.site import fragments


def _shown(hit: SectionHit | PassageHit) -> list:
    chips = [(t.slug, t.name, t.name_en) for t in hit.topics]
    if isinstance(hit, PassageHit):
        passage, article = hit.passage, hit.passage.source_article
        return ["passage", passage.pk, article and [article.slug, article.title, article.language],
                str(hit.quote), passage.note and str(hit.note), passage.analyst.get_full_name(),
                passage.analyst.get_username(), passage.created_at, settings.TIME_ZONE, chips]
    article = hit.section.article
    return ["section", article.slug, article.title, article.language, hit.section.anchor,
            hit.heading, str(hit.snippet), chips]


def hit_blocks(request: HttpRequest, results: SearchResults | None) -> list[SafeString]:
    """Each hit of the results' page as HTML, in order."""
    hits = list(results.hits) if results else []
    inputs = {n: _shown(hit) for n, hit in enumerate(hits)}

    def render(numbers) -> dict[int, str]:
        template = get_template("includes/search_hit.html")
        return {n: str(template.render({"hit": hits[n]}, request)) for n in numbers}

    found = fragments.cached_many("search-hit", inputs, render)
    return [mark_safe(found[n]) for n in range(len(hits))]


def facets_block(request: HttpRequest, results: SearchResults | None) -> SafeString:
    """The filters beside the results: each facet's values with their counts and links."""
    facets = results.facets if results else {}
    inputs = {name: [(v.value, v.label, v.count, v.selected, v.url, v.lang) for v in values]
              for name, values in facets.items()}
    html = fragments.cached("search-facets", inputs, lambda: str(
        get_template("includes/search_facets.html").render({"results": results}, request)))
    return mark_safe(html)
