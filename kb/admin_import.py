"""Admin: import a report. Upload or paste → review the proposed article → save.

Nothing is written before the editor saves the reviewed preview; the save is one
service call (one transaction). The preview carries everything in the form itself, so
a refused save (duplicate, invalid field) redisplays it with nothing lost.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import formset_factory
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import importers, selectors, services
from .models import Article


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Report file"), required=False, allow_empty_file=True,
        help_text=gettext_lazy(".txt, .md, .pdf or .docx"),
    )
    text = forms.CharField(label=gettext_lazy("…or paste the text"), required=False,
                           widget=forms.Textarea(attrs={"rows": 10}))

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("file") and not (cleaned.get("text") or "").strip():
            raise forms.ValidationError(_("Choose a file or paste the report's text."))
        return cleaned


class ArticleForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("title"), max_length=300)
    slug = forms.SlugField(label=gettext_lazy("slug"), max_length=200, allow_unicode=True)
    kind = forms.ChoiceField(label=gettext_lazy("kind of document"), choices=Article.Kind.choices)
    publisher = forms.CharField(label=gettext_lazy("publisher / issuing body"), max_length=200,
                                required=False)
    authors = forms.CharField(label=gettext_lazy("authors"), max_length=300, required=False,
                              help_text=gettext_lazy("Separate names with 、"))
    published_on = forms.DateField(label=gettext_lazy("date"), required=False)
    source_url = forms.URLField(label=gettext_lazy("source URL"), required=False,
                                assume_scheme="https")
    checksum = forms.CharField(widget=forms.HiddenInput)
    source_name = forms.CharField(widget=forms.HiddenInput, required=False)


class SectionForm(forms.Form):
    heading = forms.CharField(label=gettext_lazy("heading"), max_length=300, required=False)
    body = forms.CharField(label=gettext_lazy("body (Markdown)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 6}))
    topics = forms.CharField(label=gettext_lazy("topics"), required=False,
                             help_text=gettext_lazy("Topic names or slugs, separated by commas"))
    merge = forms.BooleanField(label=gettext_lazy("Join to the section above"), required=False)


SectionFormSet = formset_factory(SectionForm, extra=0, can_delete=True)


def _topic_names(value: str) -> list[str]:
    return [n.strip() for n in value.replace("、", ",").split(",") if n.strip()]


def article_data(form: ArticleForm, sections: list[dict]) -> services.ArticleData:
    """The reviewed preview as the service's input: deleted sections dropped, sections
    marked "join" appended to the one above (their topics too)."""
    merged: list[services.SectionData] = []
    for item in sections:
        if item.get("DELETE") or not (item.get("heading") or item.get("body")):
            continue
        topics = _topic_names(item.get("topics", ""))
        if item.get("merge") and merged:
            above = merged[-1]
            extra = f"#### {item['heading']}\n\n" if item.get("heading") else ""
            above.body = "\n\n".join(p for p in [above.body, extra + item.get("body", "")] if p)
            above.topics = [*above.topics, *(t for t in topics if t not in above.topics)]
        else:
            merged.append(services.SectionData(heading=item.get("heading", ""),
                                               body=item.get("body", ""), topics=topics))
    data = form.cleaned_data
    return services.ArticleData(
        title=data["title"], slug=data["slug"], kind=data["kind"], sections=merged,
        publisher=data["publisher"], authors=_topic_names(data["authors"]),
        published_on=data["published_on"], source_url=data["source_url"],
        checksum=data["checksum"],
    )


def _duplicate_message(existing: Article) -> str:
    return format_html(
        _("This report is already in kb: <a href=\"{}\">{}</a> (same text). Open it instead "
          "of importing it again."),
        reverse("admin:kb_article_change", args=[existing.pk]), existing.title,
    )


def _preview(request: HttpRequest, model_admin, text: str, source_name: str) -> HttpResponse:
    proposal = importers.propose_article(text)
    existing = Article.objects.filter(checksum=proposal.checksum).first()
    if existing:
        return _render(request, model_admin, upload=UploadForm(),
                       error=_duplicate_message(existing))
    profiles = selectors.topic_profiles()
    title = proposal.title or source_name.rsplit(".", 1)[0]
    form = ArticleForm(initial={
        "title": title, "slug": selectors.unique_slug(title), "kind": proposal.kind,
        "publisher": proposal.publisher, "authors": "、".join(proposal.authors),
        "published_on": proposal.published_on, "checksum": proposal.checksum,
        "source_name": source_name,
    })
    suggestions = [importers.suggest(f"{s.heading}\n{s.body}", profiles) for s in proposal.sections]
    formset = SectionFormSet(initial=[
        # Suggestions found by name are pre-filled; the editor accepts or changes them.
        {"heading": s.heading, "body": s.body,
         "topics": ", ".join(x.name for x in found if x.labels)}
        for s, found in zip(proposal.sections, suggestions)
    ])
    return _render(request, model_admin, form=form, formset=formset,
                   suggestions=suggestions, pages=[s.page for s in proposal.sections])


def _render(request: HttpRequest, model_admin, **context) -> HttpResponse:
    formset = context.get("formset")
    if formset is not None:
        suggestions = context.pop("suggestions", None) or [[] for _f in formset]
        context["rows"] = list(zip(formset, suggestions))
    return TemplateResponse(request, "admin/kb/article/import.html", {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Import a report"),
        "max_mb": settings.KB_IMPORT_MAX_BYTES // (1024 * 1024),
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
    try:
        if upload.cleaned_data["file"]:
            file = upload.cleaned_data["file"]
            # Refuse before reading a huge upload into memory.
            importers.check_size(file.size, settings.KB_IMPORT_MAX_BYTES)
            extracted = importers.extract(data=file.read(), filename=file.name,
                                          max_bytes=settings.KB_IMPORT_MAX_BYTES)
            if extracted.encoding not in ("utf-8", ""):
                messages.info(request, _("The file was in %(encoding)s; it was converted to "
                                         "UTF-8.") % {"encoding": extracted.encoding})
            return _preview(request, model_admin, extracted.text, file.name)
        return _preview(request, model_admin, upload.cleaned_data["text"], "")
    except importers.ImportRejected as rejected:
        return _render(request, model_admin, upload=upload, error=rejected.message)


def _save(request: HttpRequest, model_admin) -> HttpResponse:
    form = ArticleForm(request.POST)
    formset = SectionFormSet(request.POST)
    if not (form.is_valid() and formset.is_valid()):
        return _render(request, model_admin, form=form, formset=formset)
    data = article_data(form, formset.cleaned_data)
    if not data.sections:
        return _render(request, model_admin, form=form, formset=formset,
                       error=_("Keep at least one section."))
    if Article.objects.filter(slug=data.slug).exists():
        form.add_error("slug", _("Another article has this slug."))
        return _render(request, model_admin, form=form, formset=formset)
    try:
        article = services.import_article(
            data=data, user=request.user, source_name=form.cleaned_data["source_name"])
    except services.DuplicateReport as duplicate:
        return _render(request, model_admin, form=form, formset=formset,
                       error=_duplicate_message(duplicate.existing))
    except ValidationError as error:  # e.g. a topic name too long for a tag
        return _render(request, model_admin, form=form, formset=formset,
                       error=" ".join(error.messages))
    messages.success(request, _("Imported “%(title)s” with %(count)d sections.")
                     % {"title": article.title, "count": len(data.sections)})
    return redirect("admin:kb_article_change", article.pk)
