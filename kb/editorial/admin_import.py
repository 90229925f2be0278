"""Admin: import a report. Upload or paste → wait for the background job (a progress bar,
cancel) → review the proposed article → save.

No article is written before the editor saves the reviewed preview; the save is one
service call (one transaction). The preview is kept server-side (an ImportDraft) and shown
in pages of at most importing.PAGE_SECTIONS sections, so that a long report's form stays within
Django's request limits; each page's post stores what the editor typed there before
anything else, so a refused save (duplicate, invalid field) redisplays it with nothing lost.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import formset_factory
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kb.editorial import importers, jobs, selectors, services
from kb.editorial.models import ImportDraft
from kb.library.forms import TopicsInput
from kb.library.models import Article
from kb.site import jobs as site_jobs
from kb.site.models import Job
from kb.validators import validate_no_bidi_controls


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Report file"), required=False, allow_empty_file=True,
        help_text=gettext_lazy(".txt, .md, .pdf or .docx"),
    )
    text = forms.CharField(label=gettext_lazy("…or paste the text"), required=False,
                           widget=forms.Textarea(attrs={"rows": 10}))
    again = forms.BooleanField(
        label=gettext_lazy("Import it as a new article even if it is already in kb"),
        required=False)

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("file") and not (cleaned.get("text") or "").strip():
            raise forms.ValidationError(_("Choose a file or paste the report's text."))
        return cleaned


class ArticleForm(forms.Form):
    # The admin's widths for its text fields (vTextField, vLargeTextField), as on its own forms.
    title = forms.CharField(label=gettext_lazy("title"), max_length=300,
                            widget=forms.TextInput(attrs={"class": "vTextField"}))
    slug = forms.SlugField(label=gettext_lazy("slug"), max_length=200, allow_unicode=True)
    kind = forms.ChoiceField(label=gettext_lazy("kind of document"), choices=Article.Kind.choices)
    publisher = forms.CharField(label=gettext_lazy("publisher / issuing body"), max_length=200,
                                required=False)
    authors = forms.CharField(label=gettext_lazy("authors"), max_length=300, required=False,
                              help_text=gettext_lazy("Separate names with 、"))
    published_on = forms.DateField(label=gettext_lazy("date"), required=False)
    source_url = forms.URLField(label=gettext_lazy("source URL"), required=False,
                                assume_scheme="https", validators=[validate_no_bidi_controls])


class SectionForm(forms.Form):
    heading = forms.CharField(label=gettext_lazy("heading"), max_length=300, required=False,
                              widget=forms.TextInput(attrs={"class": "vTextField"}))
    level = forms.TypedChoiceField(label=gettext_lazy("heading level"), coerce=int, initial=2,
                                   choices=[(n, f"h{n}") for n in range(2, 7)], required=False,
                                   empty_value=2)
    body = forms.CharField(label=gettext_lazy("body (Markdown)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 10, "class": "vLargeTextField"}))
    topics = forms.CharField(label=gettext_lazy("topics"), required=False,
                             widget=TopicsInput(attrs={"class": "vTextField"}),
                             help_text=gettext_lazy("Topic names or slugs, separated by commas"))
    merge = forms.BooleanField(label=gettext_lazy("Join to the section above"), required=False)


SectionFormSet = formset_factory(SectionForm, extra=0, can_delete=True)

def _topic_names(value: str) -> list[str]:
    return [n.strip() for n in value.replace("、", ",").split(",") if n.strip()]


def article_data(form: ArticleForm, sections: list[dict], checksum: str) -> services.ArticleData:
    """The reviewed preview as the service's input: deleted sections dropped, sections
    marked "join" appended to the one above (their topics too)."""
    merged: list[services.SectionData] = []
    for item in sections:
        if item.get("DELETE") or not (item.get("heading") or item.get("body")):
            continue
        topics = _topic_names(item.get("topics", ""))
        if item.get("merge") and merged:
            above = merged[-1]
            # An h3 under the section's h2, as the splitter writes sub-headings.
            extra = f"### {item['heading']}\n\n" if item.get("heading") else ""
            above.body = "\n\n".join(p for p in [above.body, extra + item.get("body", "")] if p)
            above.topics = [*above.topics, *(t for t in topics if t not in above.topics)]
            if item.get("page_start") and above.page_start:
                # The joined section's pages continue the one above; when it starts a new
                # page, that page begins at its first words.
                first = f"{item.get('heading', '')} {item.get('body', '')}"[:80]
                starts = item["page_start"] > (above.page_end or above.page_start)
                above.page_marks = [*above.page_marks, *([(item["page_start"], first)] * starts),
                                    *item.get("page_marks", [])]
                above.page_end = max(above.page_end or 0, item.get("page_end") or 0)
        else:
            merged.append(services.SectionData(
                heading=item.get("heading", ""), body=item.get("body", ""), topics=topics,
                level=_level(item.get("level")),
                page_start=item.get("page_start"), page_end=item.get("page_end"),
                page_marks=item.get("page_marks", [])))
    data = form.cleaned_data
    return services.ArticleData(
        title=data["title"], slug=data["slug"], kind=data["kind"], sections=merged,
        publisher=data["publisher"], authors=_topic_names(data["authors"]),
        published_on=data["published_on"], source_url=data["source_url"], checksum=checksum,
    )


def _duplicate_message(existing: Article) -> str:
    return format_html(
        _("This report is already in kb as <a href=\"{}\">{}</a> (the same text, in whatever "
          "format it came). Open it instead, or upload it again with “Import it as a new "
          "article even if it is already in kb” ticked."),
        reverse("admin:kb_article_change", args=[existing.pk]), existing.title,
    )


def _render_page(request: HttpRequest, model_admin, draft: ImportDraft, page: int, *,
                 form: ArticleForm | None = None, formset=None, error: str = "") -> HttpResponse:
    """Page ``page`` of the draft's preview: as stored, or the bound forms just posted."""
    indexes = draft.page(page)
    sections = draft.data["sections"]
    form = form or ArticleForm(initial=draft.data["article"])
    formset = formset or SectionFormSet(initial=sections[indexes.start:indexes.stop])
    page_links = [{"number": n, "first": draft.page(n).start + 1, "last": draft.page(n).stop}
                  for n in range(1, draft.page_count + 1)]
    return _render(
        request, model_admin, form=form, formset=formset, draft=draft, page=page,
        rows=list(zip(formset, map(_split, draft.data["suggestions"][indexes.start:indexes.stop]),
                      range(indexes.start + 1, indexes.stop + 1))),
        provenance=_provenance(draft.data), year=draft.data.get("year"),
        page_links=page_links if len(page_links) > 1 else [], section_count=len(sections),
        first=indexes.start + 1, last=indexes.stop, error=error,
    )


# Where a metadata guess was read (metadata.Evidence.place), as the preview says it.
PLACES = {
    "title_page": gettext_lazy("the title page"), "first_lines": gettext_lazy("the first lines"),
    "colophon": gettext_lazy("the colophon"), "title": gettext_lazy("the title"),
    "text": gettext_lazy("the text"),
}
GUESSED = {
    "title": gettext_lazy("title"), "publisher": gettext_lazy("publisher / issuing body"),
    "published_on": gettext_lazy("date"), "year": gettext_lazy("year"),
    "authors": gettext_lazy("authors"), "kind": gettext_lazy("kind of document"),
}


def _provenance(data: dict) -> list[dict]:
    """Each guessed field with where it was read, and the fields nothing was found for."""
    evidence = data.get("evidence", {})
    return [{"field": label, "found": name in evidence,
             "place": PLACES.get(evidence.get(name, {}).get("place"), ""),
             "line": evidence.get(name, {}).get("line", 0),
             "text": evidence.get(name, {}).get("text", ""),
             "value": data.get("year") if name == "year" else None}
            for name, label in GUESSED.items()]


def _split(found: list[dict]) -> dict:
    """A section's suggestions: named in its text (pre-filled), and by shared words only."""
    return {"named": [x for x in found if x["labels"]],
            "similar": [x for x in found if not x["labels"]]}


def _render(request: HttpRequest, model_admin, **context) -> HttpResponse:
    return TemplateResponse(request, "admin/kb/article/import.html", {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Import a report"),
        "max_mib": settings.KB_IMPORT_MAX_BYTES // (1024 * 1024),
        **context,
    })


def import_view(request: HttpRequest, model_admin) -> HttpResponse:
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    if request.method != "POST":
        return _render(request, model_admin, upload=UploadForm())
    if request.POST.get("step") == "save":
        return _save(request, model_admin)
    upload = UploadForm(request.POST, request.FILES)
    if not upload.is_valid():
        return _render(request, model_admin, upload=upload)
    file = upload.cleaned_data["file"]
    if file:
        try:
            # Refuse before reading a huge upload into memory.
            importers.check_size(file.size, settings.KB_IMPORT_MAX_BYTES)
        except importers.ImportRejected as rejected:
            return _render(request, model_admin, upload=upload, error=rejected.message)
        job = jobs.start_import(user=request.user, filename=file.name, content=file.read(),
                                again=upload.cleaned_data["again"])
    else:
        job = jobs.start_import(user=request.user, text=upload.cleaned_data["text"],
                                again=upload.cleaned_data["again"])
    job = selectors.import_job(job.token, user=request.user)
    if job.finished:
        # A backend that runs tasks at once (the tests'): show the outcome straight away.
        return _job_page(request, model_admin, job)
    return redirect("admin:kb_article_import_job", job.token)


def _own_job(request: HttpRequest, model_admin, token) -> Job:
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    job = selectors.import_job(token, user=request.user)
    if job is None:
        raise Http404
    return job


def job_view(request: HttpRequest, model_admin, token) -> HttpResponse:
    """The import's progress while it runs; its preview, or why it failed, once it ends."""
    return _job_page(request, model_admin, _own_job(request, model_admin, token))


def job_progress(request: HttpRequest, model_admin, token) -> JsonResponse:
    """What the progress page polls."""
    job = _own_job(request, model_admin, token)
    return JsonResponse({"state": job.state, "finished": job.finished,
                         "stage": job.get_stage_display(), "done": job.done,
                         "total": job.total, "percent": job.percent})


@require_POST
def job_cancel(request: HttpRequest, model_admin, token) -> HttpResponse:
    job = _own_job(request, model_admin, token)
    site_jobs.cancel(job=job)
    return redirect("admin:kb_article_import_job", job.token)


def _job_page(request: HttpRequest, model_admin, job: Job) -> HttpResponse:
    if job.state == Job.State.DONE:
        draft = selectors.import_draft(job.result.get("draft"), user=request.user)
        if draft is None:
            return _render(request, model_admin, upload=UploadForm(), error=_gone())
        if job.result.get("encoding") not in ("utf-8", "", None):
            messages.info(request, _("The file was in %(encoding)s; it was converted to "
                                     "UTF-8.") % {"encoding": job.result["encoding"]})
        return _render_page(request, model_admin, draft, 1)
    if job.state == Job.State.FAILED:
        existing = Article.objects.filter(pk=job.result.get("duplicate")).first()
        return _render(request, model_admin, upload=UploadForm(), error=_duplicate_message(
            existing) if existing else job.error)
    if job.state == Job.State.CANCELLED:
        return _render(request, model_admin, upload=UploadForm(),
                       error=_("The import was cancelled; nothing was saved."))
    return _render(request, model_admin, job=job)


def _gone() -> str:
    return _("This preview is no longer kept (it was saved, or left unsaved for a week). "
             "Upload the report again.")


def _typed(section: SectionForm) -> dict:
    """A section's fields as posted, valid or not, to be kept in the draft."""
    return {"heading": section["heading"].data or "", "level": _level(section["level"].data),
            "body": section["body"].data or "",
            "topics": section["topics"].data or "", "merge": section["merge"].data,
            "DELETE": section["DELETE"].data}


def _level(value) -> int:
    """A posted or stored heading level, 2 when missing or out of range (h2 to h6)."""
    text = str(value or "")
    return int(text) if text.isdigit() and 2 <= int(text) <= 6 else 2


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


def _save(request: HttpRequest, model_admin) -> HttpResponse:
    """A page of the preview posted: store what was typed on it, then show the page asked
    for ("goto"), or save the whole reviewed draft as the article."""
    draft = selectors.import_draft(request.POST.get("draft"), user=request.user)
    if draft is None:
        return _render(request, model_admin, upload=UploadForm(), error=_gone())
    page = _page_number(request.POST.get("page"))
    form = ArticleForm(request.POST)
    formset = SectionFormSet(request.POST)
    try:
        draft = services.update_import_draft(
            draft=draft, page=page, article={name: form[name].data or "" for name in form.fields},
            sections=[_typed(section) for section in formset.forms],
        )
    except ValidationError as error:
        # A stale or altered page: what is stored is shown again, from its first page.
        return _render_page(request, model_admin, draft, 1, error=" ".join(error.messages))
    if not (form.is_valid() and formset.is_valid()):
        return _render_page(request, model_admin, draft, page, form=form, formset=formset)
    goto = _page_number(request.POST.get("goto"))
    if goto:
        return _render_page(request, model_admin, draft, goto if draft.page(goto) else page,
                            form=form)
    return _import(request, model_admin, draft, page, form, formset)


def _import(request: HttpRequest, model_admin, draft: ImportDraft, page: int, form: ArticleForm,
            formset) -> HttpResponse:
    """Save the whole reviewed draft; a refusal shows the posted page again."""
    sections = []
    for number, stored in enumerate(draft.data["sections"], start=1):
        section = SectionForm(stored)
        if not section.is_valid():
            # Typed on another page and not corrected there: show that page with the error.
            invalid = next(n for n in range(1, draft.page_count + 1) if number in draft.page(n))
            return _render_page(request, model_admin, draft, invalid, form=form, error=_(
                "Section %(number)d: %(errors)s") % {
                "number": number, "errors": " ".join(
                    m for errors in section.errors.values() for m in errors)})
        pages = draft.data.get("provenance", [])
        sections.append({**section.cleaned_data, "DELETE": stored["DELETE"],
                         **(pages[number - 1] if number <= len(pages) else {})})

    def again(error: str = "") -> HttpResponse:
        return _render_page(request, model_admin, draft, page, form=form, formset=formset,
                            error=error)

    data = article_data(form, sections, checksum=draft.data["checksum"])
    original = selectors.import_original(draft)
    data.originals = [original] if original else []
    if not data.sections:
        return again(_("Keep at least one section."))
    if Article.objects.filter(slug=data.slug).exists():
        form.add_error("slug", _("Another article has this slug."))
        return again()
    try:
        article = services.import_article(
            data=data, user=request.user, source_name=draft.data["source_name"], draft=draft,
            allow_duplicate=bool(draft.data.get("again")))
    except services.DuplicateReport as duplicate:
        return again(_duplicate_message(duplicate.existing))
    except ValidationError as error:
        return again(" ".join(error.messages))
    messages.success(request, _("Imported “%(title)s” with %(count)d sections.")
                     % {"title": article.title, "count": len(data.sections)})
    return redirect("admin:kb_article_change", article.pk)
