"""Passages: the JSON endpoints the article page's script calls, and the analyst's own pages
(my passages with CSV and W3C Web Annotation exports, the repair list, the inbox).

Every write is a POST, PATCH or DELETE, so Django's CSRF middleware guards it; readers get
403 and nothing changes.
"""

from __future__ import annotations

import csv
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.core.paginator import InvalidPage
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.defaults import page_not_found

from kb.exchange import annotations, citations
from kb.library import selectors as library_selectors
from kb.library.models import Section, Topic
from kb.passages import alerts, permissions, selectors, serializers, services
from kb.passages.anchoring import utf16_to_codepoint
from kb.passages.models import Passage
from kb.site.canonical import absolute
from kb.site.negotiation import negotiate

MAX_BODY = 64 * 1024  # a passage request is a few kilobytes at most


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _payload(request: HttpRequest) -> dict[str, Any]:
    try:
        body = request.body
    except RequestDataTooBig:  # past DATA_UPLOAD_MAX_MEMORY_SIZE: still a JSON answer
        body = None
    if body is None or len(body) > MAX_BODY:
        raise ValidationError(_("The request is too large."))
    try:
        data = json.loads(body or b"{}")
    # JSON Python cannot hold is refused like malformed JSON: nesting past the recursion
    # limit (RecursionError), an integer past 4,300 digits (ValueError, as is JSONDecodeError).
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ValidationError(_("The request is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise ValidationError(_("The request is not valid JSON."))
    try:
        # "\ud800" is valid JSON but no text: it fails only when written to the database.
        json.dumps(data, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        raise ValidationError(
            _("The request holds characters that cannot be stored (unpaired surrogates).")
        ) from None
    return data


def _str_list(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(_("Tags must be a list of names."))
    return value


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise ValidationError(_("“%(name)s” must be text.") % {"name": name})
    return value


def _section(data: dict[str, Any]) -> Section | None:
    value = data.get("section")
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    return Section.objects.filter(pk=value).first()


def _selection(data: dict[str, Any], section: Section) -> tuple[str, int]:
    """The quote and its start in code points, from the browser's UTF-16 offsets."""
    exact = _text(data.get("exact"), "exact")
    start16, end16 = data.get("start16"), data.get("end16")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start16, end16)):
        raise ValidationError(_("The selection needs start16 and end16 offsets."))
    try:
        start = utf16_to_codepoint(section.plain_text, start16)
        end = utf16_to_codepoint(section.plain_text, end16)
    except ValueError:
        raise ValidationError(
            _("The section's text has changed since the page was loaded; reload and select again."),
            code="stale",
        ) from None
    if end - start != len(exact):
        raise ValidationError(
            _("The section's text has changed since the page was loaded; reload and select again."),
            code="stale",
        )
    return exact, start


def _refusal(error: ValidationError) -> JsonResponse:
    # 409: the page is older than the text; the script asks the analyst to reload.
    status = 409 if getattr(error, "code", None) == "stale" else 400
    return _error(" ".join(error.messages), status)


def _passage_json(request: HttpRequest, passage: Passage) -> dict[str, Any]:
    passage = (Passage.objects.select_related("analyst", "section", "article")
               .prefetch_related("topics").get(pk=passage.pk))
    return serializers.passage_for_page(passage, user=request.user)


@require_POST
def api_create(request: HttpRequest) -> JsonResponse:
    """Create a passage: {section, start16, end16, exact, topics[], note}."""
    if not permissions.can_tag(request.user):
        return _error(_("Only analysts may tag passages."), 403)
    try:
        data = _payload(request)
        section = _section(data)
        if section is None:
            return _error(_("No such section."), 404)
        exact, start = _selection(data, section)
        passage = services.create_passage(
            section=section, analyst=request.user, exact=exact, start=start,
            topics=_str_list(data.get("topics", [])), note=_text(data.get("note", ""), "note"),
        )
    except ValidationError as error:
        return _refusal(error)
    return JsonResponse(_passage_json(request, passage), status=201)


def _as_page_json(request: HttpRequest, passage: Passage) -> HttpResponse:
    return JsonResponse(_passage_json(request, passage))


def _as_annotation(request: HttpRequest, passage: Passage) -> HttpResponse:
    passage = Passage.objects.with_details().get(pk=passage.pk)
    return HttpResponse(
        json.dumps(annotations.web_annotation(passage), ensure_ascii=False),
        content_type=annotations.ANNOTATION_PROFILE + "; charset=utf-8",
    )


def _on_its_page(request: HttpRequest, passage: Passage) -> HttpResponse:
    """A browser goes to the highlight (passages.js scrolls to ``#passage-<id>`` and marks
    it; an orphan's fragment shows its quote with a pointer to the repair list)."""
    url = passage.get_absolute_url()
    if not url:  # answered, not raised: the response still says it varies by Accept
        return page_not_found(request, Http404(_("This passage's article has been deleted.")))
    return redirect(url)


def _csl_citation(request: HttpRequest, passage: Passage) -> HttpResponse:
    """The passage as a CSL citation object (its article's item, its page as locator), for
    reference managers asking /api/passages/<id>/ for application/vnd.citationstyles.csl+json."""
    if passage.source_article is None:
        return _error(_("The passage's article is deleted: there is nothing to cite."), 404)
    citation = citations.passage_citation(request, passage)
    return HttpResponse(json.dumps(citation, ensure_ascii=False),
                        content_type=f"{citations.CSL_JSON}; charset=utf-8")


# What GET /api/passages/<id>/ answers in, by the Accept header. The first is for clients
# that accept anything (the page's script, curl): the JSON it has always answered.
PASSAGE_FORMATS = {
    "application/json": _as_page_json,
    "application/ld+json": _as_annotation,
    # What W3C annotation clients ask for (Web Annotation Protocol 4.1); a media range
    # with parameters matches only an offer with the same ones.
    annotations.ANNOTATION_PROFILE: _as_annotation,
    citations.CSL_JSON: _csl_citation,  # reference managers: a citation with its page
    "text/html": _on_its_page,
}


@require_http_methods(["GET", "PATCH", "DELETE"])
def api_passage(request: HttpRequest, pk: int) -> HttpResponse:
    """The passage's one URL. GET answers by content negotiation (PASSAGE_FORMATS): the
    page's JSON, the W3C Web Annotation, a CSL citation, or, for a browser, a redirect to
    its highlight.
    PATCH changes it ({topics[], note} and/or a new selection to re-attach: {section,
    start16, end16, exact}, section defaulting to the passage's own); DELETE deletes it."""
    passage = get_object_or_404(Passage.objects.select_related("section", "article"), pk=pk)
    if request.method == "GET":
        return negotiate(request, PASSAGE_FORMATS, passage)
    if request.method == "DELETE":
        if not permissions.can_delete_passage(request.user, passage):
            return _error(_("You may not delete this passage."), 403)
        services.delete_passage(passage=passage)
        return HttpResponse(status=204)
    if not permissions.can_change_passage(request.user, passage):
        return _error(_("You may not change this passage."), 403)
    try:
        data = _payload(request)
        exact = start = section = None
        if "exact" in data:
            # An orphan has no section of its own: the selection says where the text is.
            section = _section(data) if "section" in data else passage.section
            if section is None:
                return _error(_("No such section."), 404)
            exact, start = _selection(data, section)
        services.update_passage(
            passage=passage,
            topics=_str_list(data["topics"]) if "topics" in data else None,
            note=_text(data["note"], "note") if "note" in data else None,
            exact=exact,
            start=start,
            section=section,
        )
    except ValidationError as error:
        return _refusal(error)
    return JsonResponse(_passage_json(request, passage))


@require_GET
def api_topics(request: HttpRequest) -> JsonResponse:
    """Every topic with its aliases, for the tag field's suggestions (filtered in the page)."""
    topics = Topic.objects.prefetch_related("aliases").order_by("name")
    return JsonResponse({"topics": [
        {"name": t.name, "slug": t.slug, "en": t.name_en, "aliases": [a.name for a in t.aliases.all()]}
        for t in topics
    ]})


@require_GET
def api_topic_match(request: HttpRequest) -> JsonResponse:
    """The existing topic a typed tag means (``?name=``), or null: the tag editor shows a
    tag that matches none as new before it is saved."""
    topic = library_selectors.find_topic(request.GET.get("name", "").strip()[: services.MAX_TOPIC_NAME])
    return JsonResponse({"match": {"name": topic.name, "slug": topic.slug} if topic else None})


# The analyst's own pages.


def _require_tagger(request: HttpRequest) -> None:
    if not permissions.can_tag(request.user):
        raise PermissionDenied


def _filters(request: HttpRequest) -> dict[str, str]:
    return {"topic_slug": request.GET.get("topic", ""), "article_slug": request.GET.get("article", "")}


@login_required
def my_passages(request: HttpRequest) -> HttpResponse:
    _require_tagger(request)
    page = selectors.my_passages(request.user, **_filters(request))
    return render(request, "kb/my_passages.html", {
        "page": page, "query": request.GET.urlencode(),
    })


@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    _require_tagger(request)
    page = selectors.my_passages(request.user, **_filters(request))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="passages.csv"'
    response.write("\ufeff")  # so that spreadsheet programs read the Japanese as UTF-8
    base = request.build_absolute_uri("/").rstrip("/")
    csv.writer(response).writerows(serializers.csv_rows(page.passages, base_url=base))
    return response


@login_required
def export_annotations(request: HttpRequest) -> HttpResponse:
    """My passages (as filtered) as a W3C AnnotationCollection, its first page embedded;
    ``?page=N`` is page N alone. Ids are on the canonical origin, not the request's host."""
    _require_tagger(request)
    filters = _filters(request)
    passages = selectors.my_passages(request.user, **filters).passages
    query = urlencode({k: v for k, v in (("topic", filters["topic_slug"]),
                                          ("article", filters["article_slug"])) if v})
    collection_id = absolute(reverse("kb:passages_jsonld")) + (f"?{query}" if query else "")
    size, total = annotations.PAGE_SIZE, len(passages)
    label = _("Passages by %(name)s") % {"name": serializers.analyst_name(request.user)}
    if "page" in request.GET:
        number = request.GET["page"]
        if not (number.isascii() and number.isdigit()) or not 1 <= int(number) <= annotations.page_count(total):
            return HttpResponseBadRequest(
                _("There is no page %(page)s of these passages.") % {"page": number[:20]},
                content_type="text/plain; charset=utf-8")
        number = int(number)
        data = annotations.annotation_page(
            passages[(number - 1) * size : number * size], collection_id=collection_id,
            label=label, total=total, number=number)
    else:
        data = annotations.annotation_collection(
            passages[:size], collection_id=collection_id, label=label, total=total)
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2),
                            content_type=annotations.ANNOTATION_PROFILE + "; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="passages.jsonld"'
    return response


@login_required
def repair_list(request: HttpRequest) -> HttpResponse:
    _require_tagger(request)
    everyone = request.user.has_perm("kb.change_passage") and request.GET.get("all") == "1"
    passages = selectors.passages_to_repair(request.user, everyone=everyone)
    return render(request, "kb/passages_repair.html", {
        "passages": passages, "everyone": everyone,
        "may_see_all": request.user.has_perm("kb.change_passage"),
    })


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("kb:passages_repair")
    return redirect(target)


@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept a fuzzy passage's new place (a form on the repair list)."""
    _require_tagger(request)
    passage = get_object_or_404(Passage.objects.select_related("section"), pk=pk)
    if not permissions.can_change_passage(request.user, passage):
        raise PermissionDenied
    try:
        services.confirm_passage(passage=passage)
        messages.success(request, _("Passage confirmed."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _back(request)


@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a passage from a list (orphans have no highlight to click)."""
    _require_tagger(request)
    passage = get_object_or_404(Passage, pk=pk)
    if not permissions.can_delete_passage(request.user, passage):
        raise PermissionDenied
    services.delete_passage(passage=passage)
    messages.success(request, _("Passage deleted."))
    return _back(request)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first, each linking to what to repair."""
    try:
        items = selectors.inbox_page(request.user, page=request.GET.get("page") or 1)
    except InvalidPage:
        raise Http404("No such page of the inbox.") from None
    return render(request, "kb/inbox.html", {"items": items})


@require_POST
@login_required
def inbox_read(request: HttpRequest) -> HttpResponse:
    """Mark every notification read (a form on the inbox; CSRF-checked like every POST)."""
    count = alerts.mark_all_read(user=request.user)
    if count:
        messages.success(request, ngettext("%(count)d notification marked read.",
                                           "%(count)d notifications marked read.", count)
                         % {"count": count})
    return redirect("kb:inbox")
