"""The search page and its JSON twin: parse the request, call kb.search, show."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kb.search import blocks
from kb.search.engine import PassageHit, SearchResults, SectionHit, search
from kb.search.forms import SearchForm
from kb.site.cache import reader_cache
from kb.site.cache.dependencies import LISTS
from kb.site.timestamps import utc_iso


def _run(request: HttpRequest) -> tuple[SearchForm, SearchResults | None]:
    form = SearchForm(request.GET)
    if not form.is_valid():
        return form, None
    return form, search(
        form.cleaned_data["q"], filters=form.filters(), page=form.cleaned_data["page"] or 1
    )


def _link_facets(request: HttpRequest, results: SearchResults) -> None:
    """Give each facet value the URL that toggles it, keeping the other parameters."""
    for name, values in results.facets.items():
        for value in values:
            params = request.GET.copy()
            params.pop("page", None)
            if name == "year":
                params.pop("date_from", None)
                params.pop("date_to", None)
                if not value.selected:
                    params["date_from"], params["date_to"] = f"{value.value}-01-01", f"{value.value}-12-31"
            elif value.selected:
                params.pop(name, None)
            else:
                params[name] = value.value
            value.url = "?" + params.urlencode()


@require_GET
@reader_cache(shows=[LISTS])
def search_page(request: HttpRequest) -> HttpResponse:
    form, results = _run(request)
    if results is not None:
        _link_facets(request, results)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "kb/search.html",
        {"form": form, "results": results, "params": params,
         "hit_blocks": blocks.hit_blocks(request, results),
         "facets": blocks.facets_block(request, results) if results and results.query else ""},
        status=200 if form.is_valid() else 400,
    )


@require_GET
@reader_cache(shows=[LISTS])
def search_api(request: HttpRequest) -> JsonResponse:
    form, results = _run(request)
    if results is None:
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    page = results.page
    return JsonResponse(
        {
            "query": results.query.raw,
            "terms": [
                {"term": t.text, "also": t.expansions, "topics": t.topic_names, "longer": t.longer}
                for t in results.query.terms
            ],
            "excluded": [t.text for t in results.query.excluded],
            "notes": results.query.notes,
            "total": results.total,
            "capped": results.capped,
            "page": page.number if page else 1,
            "pages": page.paginator.num_pages if page else 0,
            "results": [_result(hit) for hit in results.hits],
            "articles": [
                {"type": "article", "article_id": a.pk, "article_slug": a.slug, "title": a.title,
                 "url": a.get_absolute_url(), "score": round(score, 6)}
                for a, score in results.articles
            ],
            "topics": [
                {"type": "topic", "slug": t.slug, "name": t.name, "name_en": t.name_en,
                 "aliases": [alias.name for alias in t.aliases.all()],
                 "url": t.get_absolute_url(), "score": round(score, 6)}
                for t, score in results.topics
            ],
            "facets": {
                name: [{"value": v.value, "label": v.label, "count": v.count} for v in values]
                for name, values in results.facets.items()
            },
            "suggestions": results.suggestions,
        },
        json_dumps_params={"ensure_ascii": False},
    )


def _result(hit: SectionHit | PassageHit) -> dict:
    if isinstance(hit, PassageHit):
        passage, article = hit.passage, hit.passage.source_article
        return {
            "type": "passage",
            "passage_id": passage.pk,
            "article_id": passage.article_id,
            "article_slug": article.slug if article else None,
            "article_title": article.title if article else None,
            "url": passage.get_absolute_url(),
            "score": round(hit.score, 6),
            "quote": passage.exact,
            "note": passage.note,
            "snippet": str(hit.quote),
            "note_snippet": str(hit.note),
            "analyst": passage.analyst.get_full_name() or passage.analyst.get_username(),
            "created_at": utc_iso(passage.created_at),
            "topics": [t.slug for t in hit.topics],
        }
    return {
        "type": "section",
        "article_id": hit.section.article_id,
        "article_slug": hit.section.article.slug,
        "article_title": hit.section.article.title,
        "section_anchor": hit.section.anchor,
        "heading": hit.section.heading,
        "url": hit.section.get_absolute_url(),
        "score": round(hit.score, 6),
        "snippet": str(hit.snippet),
        "topics": [t.slug for t in hit.topics],
    }
