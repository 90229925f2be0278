"""An article's history: list of revisions, comparison of any two, restore (editors); and
kb's recent changes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import InvalidPage
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from reversion.models import Version

from kb.editorial import merge, revisions, selectors, services
from kb.editorial.forms import (
    ChangesForm,
    PreviewForm,
    SectionEditForm,
    WatchForm,
    merged_after_conflict,
    resolve_clashes,
)
from kb.library import selectors as library_selectors
from kb.library.models import Article, Section, Topic
from kb.site.cache import dependencies, reader_cache
from kb.site.cache.dependencies import LISTS


def _version(article: Article, version_id: str | int | None) -> Version:
    try:
        return Version.objects.get_for_object(article).select_related("revision__user").get(
            pk=int(version_id or 0))
    except (ValueError, Version.DoesNotExist):
        raise Http404(_("No such revision of this article.")) from None


@reader_cache
def article_history(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article, slug=slug)
    dependencies.shows(dependencies.article(article.pk))
    versions = revisions.history(article.pk)
    return render(request, "kb/article_history.html", {"article": article, "versions": versions})


@reader_cache
def article_compare(request: HttpRequest, slug: str) -> HttpResponse:
    """``?from=<id>&to=<id>``; without ``to``, compares with the current article."""
    article = get_object_or_404(Article, slug=slug)
    dependencies.shows(dependencies.article(article.pk))
    old = _version(article, request.GET.get("from"))
    new = _version(article, request.GET["to"]) if request.GET.get("to") else None
    old_state = revisions.state_of_version(old)
    new_state = revisions.state_of_version(new) if new else revisions.current_state(article)
    if new and new.revision.date_created < old.revision.date_created:
        old, new, old_state, new_state = new, old, new_state, old_state
    return render(request, "kb/article_compare.html", {
        "article": article, "old": old, "new": new, "old_state": old_state,
        "new_state": new_state, "diff": revisions.cached_compare(old_state, new_state),
    })


@require_POST
@permission_required("kb.change_article", raise_exception=True)
def article_restore(request: HttpRequest, slug: str, version_id: int) -> HttpResponse:
    article = get_object_or_404(Article, slug=slug)
    version = _version(article, version_id)
    try:
        restored = services.restore_revision(version=version, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("kb:article_history", slug=slug)
    messages.success(request, _("Restored version %(number)s; the restore is a new revision.")
                     % {"number": revisions.state_of_version(version).version})
    return redirect(restored.get_absolute_url())


@reader_cache(shows=[LISTS])
def recent_changes(request: HttpRequest) -> HttpResponse:
    form = ChangesForm(request.GET)
    context = {"form": form, "kinds": selectors.CHANGE_KINDS,
               "topics": Topic.objects.order_by("name").only("slug", "name", "name_en")}
    if not form.is_valid():
        return render(request, "kb/changes.html", context, status=400)
    try:
        page = selectors.recent_changes(**form.cleaned_data, page=request.GET.get("page") or 1)
    except InvalidPage:
        raise Http404(_("No such page of the recent changes.")) from None
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "kb/changes.html", {**context, "page": page, "query": query.urlencode()})


# A section edited in place, from the edit link beside it on the article page.


@login_required
@permission_required("kb.change_article", raise_exception=True)
def section_edit(request: HttpRequest, slug: str, section_id: int) -> HttpResponse:
    section = get_object_or_404(Section.objects.select_related("article"),
                                pk=section_id, article__slug=slug)
    conflict = None
    if request.method != "POST":
        form = SectionEditForm(initial=SectionEditForm.initial_for(section))
        return _section_page(request, section, form)
    data, clashes = resolve_clashes(request.POST, section)
    form = SectionEditForm(data)
    if not clashes and form.is_valid():
        try:
            services.edit_section(section=section, user=request.user, **form.cleaned_data)
        except revisions.EditConflict as error:
            # Nothing was written: the form now holds the stored section with the
            # editor's changes (and every clash keeps what they typed).
            conflict = error
            data, clashes = merged_after_conflict(request.POST, error)
            form = SectionEditForm(data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Section saved."))
            return redirect(f"{section.article.get_absolute_url()}#{section.anchor}")
    return _section_page(request, section, form, conflict=conflict, clashes=clashes)


def _section_page(request: HttpRequest, section: Section, form: SectionEditForm, *,
                  conflict: revisions.EditConflict | None = None,
                  clashes: list[merge.Clash] | None = None) -> HttpResponse:
    body = form["body"].value() or ""
    return render(request, "kb/section_edit.html", {
        "section": section, "article": section.article, "form": form,
        "conflict": conflict, "clashes": clashes or [],
        "refused": conflict is not None or bool(clashes),
        # A body refused (too large to render quickly) is not previewed.
        "preview": "" if form["body"].errors else library_selectors.rendered_body(body),
        "mine": merge.MINE, "theirs": merge.THEIRS, "keep": merge.KEEP, "clash_input": merge.CLASH,
    })


@require_POST
@login_required
def watch_toggle(request: HttpRequest) -> HttpResponse:
    form = WatchForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(" ".join(m for ms in form.errors.values() for m in ms))
    thing = form.cleaned_data["article"] or form.cleaned_data["topic"]
    watching = services.toggle_watch(user=request.user, article=form.cleaned_data["article"],
                                     topic=form.cleaned_data["topic"])
    message = (_("You are watching “%(name)s”: its changes will be on your Watched page.")
               if watching else _("You no longer watch “%(name)s”."))
    messages.success(request, message % {"name": thing})
    target = form.cleaned_data["next"]
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = thing.get_absolute_url()
    return redirect(target)


@login_required
def watched(request: HttpRequest) -> HttpResponse:
    """What changed in what the user watches since they last looked. Reaching the end of
    the list marks it all seen, up to when it was read."""
    read_at = timezone.now()
    try:
        page = selectors.watched_changes(user=request.user, page=request.GET.get("page") or 1)
    except InvalidPage:
        raise Http404(_("No such page of your watched changes.")) from None
    response = render(request, "kb/watched.html", {"page": page})
    if not page.items.has_next():
        services.mark_watches_seen(user=request.user, until=read_at)
    return response


@require_POST
@login_required
@permission_required("kb.change_article", raise_exception=True)
def section_preview(request: HttpRequest) -> JsonResponse:
    """The body being typed, rendered and sanitised exactly as saving it would."""
    form = PreviewForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": " ".join(form.errors["body"])}, status=400)
    return JsonResponse({"html": library_selectors.rendered_body(form.cleaned_data["body"])})
