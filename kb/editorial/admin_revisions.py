"""Admin glue for revisions: refuse stale article and section saves, bump versions.

ArticleAdmin and SectionAdmin (kb.editorial.admin) are django-reversion VersionAdmins
(history, compare-free revert, recover deleted); these mixins add what reversion does not do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import OperationalError, router, transaction
from django.template.loader import render_to_string
from django.urls import path
from django.utils.translation import gettext_lazy as _

from kb.editorial import admin_import, merge, revisions
from kb.library import services as library_services
from kb.library import wikilinks
from kb.library.models import Article, Section
from kb.passages import services as passage_services


@dataclass
class Refusal:
    """Why a change form is not saved: it was stale (``conflict``; the form now holds the
    merge), it has ``clashes`` the editor has not decided, or another save of the same
    rows ran at the same moment (``busy``)."""

    conflict: revisions.EditConflict | None = None
    clashes: list[merge.Clash] = field(default_factory=list)
    busy: bool = False


class VersionedForm(forms.ModelForm):
    """The change form carries the version it was loaded with. The admin view checks it
    (with the rows locked) before the form is bound, and sets ``refusal`` to refuse it."""

    loaded_version = forms.IntegerField(label=_("Loaded version"), widget=forms.HiddenInput,
                                        required=False)
    refusal: Refusal | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["loaded_version"] = self.instance.version

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.refusal is not None:
            raise ValidationError(
                render_to_string("admin/kb/includes/edit_conflict.html", {
                    "conflict": self.refusal.conflict, "clashes": self.refusal.clashes,
                    "busy": self.refusal.busy, "mine": merge.MINE,
                    "theirs": merge.THEIRS, "keep": merge.KEEP,
                    "clash_input": merge.CLASH,
                }),
                code="edit_conflict",
            )
        return cleaned


def _rows_were_busy(error: OperationalError) -> bool:
    """A deadlock or serialization failure: PostgreSQL rolled the transaction back, and
    running it again is the cure (SQLSTATE class 40)."""
    return str(getattr(error.__cause__, "sqlstate", "") or "").startswith("40")


class VersionedAdminMixin:
    """A change form saved from an older version is refused with the stored version and
    the editor's changes merged into it (kb.editorial.merge); a save that collided with another
    one is run again, and never ends on the database-outage page."""

    SAVE_ATTEMPTS = 3

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        refusal = getattr(request, "kb_refusal", None)
        return type(form.__name__, (form,), {"refusal": refusal}) if refusal else form

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method != "POST":
            return super().change_view(request, object_id, form_url, extra_context)
        posted = request.POST
        for _attempt in range(self.SAVE_ATTEMPTS):
            request.POST, request.kb_refusal = posted, None
            try:
                return super().change_view(request, object_id, form_url, extra_context)
            except OperationalError as error:
                if not _rows_were_busy(error):
                    raise
        # Still colliding: refuse, with the editor's input kept, rather than an outage page.
        request.POST, request.kb_refusal = posted, Refusal(busy=True)
        return super().change_view(request, object_id, form_url, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST" or object_id is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        with transaction.atomic(using=router.db_for_write(self.model)):
            # The rows stay locked until the save commits.
            self.check_version(request, unquote(object_id))
            return super().changeform_view(request, object_id, form_url, extra_context)

    def check_version(self, request, object_id: str) -> None:
        """Lock the rows and compare the form's version with the stored one; for a stale
        form, or clashes not yet decided, put the data to show in ``request.POST`` and
        set ``request.kb_refusal``."""
        try:
            obj = self.lock_for_edit(object_id, _loaded_version(request))
        except self.model.DoesNotExist:
            return  # the admin answers a missing object itself
        except revisions.EditConflict as conflict:
            request.POST, clashes = self.merge_stale(request.POST, conflict)
            request.kb_refusal = Refusal(conflict=conflict, clashes=clashes)
            return
        if request.POST.getlist(merge.CLASH):
            stored = self.stored_inputs(request.POST, obj)
            request.POST, clashes = merge.resolve(request.POST, stored=stored)
            if clashes:
                request.kb_refusal = Refusal(clashes=clashes)

    # What check_version needs from each admin:
    def lock_for_edit(self, object_id: str, loaded_version: int):
        """The object, its rows locked; raises EditConflict when it is newer than loaded."""
        raise NotImplementedError

    def merge_stale(self, post, conflict: revisions.EditConflict):
        """The stored object's form plus the editor's changes, and the clashes in it."""
        raise NotImplementedError

    def stored_inputs(self, post, obj) -> dict[str, str]:
        """The stored value of each input of the form holding ``post``."""
        raise NotImplementedError


def _loaded_version(request) -> int:
    value = request.POST.get("loaded_version", "")
    return int(value) if value.isdigit() else 0


class ArticleRevisionMixin(VersionedAdminMixin):
    """For ArticleAdmin: the version check, version numbers, wiki-link refresh, import."""

    form = VersionedForm
    change_list_template = "admin/kb/article/change_list.html"

    def get_fieldsets(self, request, obj=None):
        (name, options), *rest = super().get_fieldsets(request, obj)
        return [(name, {**options, "fields": [*options["fields"], "loaded_version"]}), *rest]

    def lock_for_edit(self, object_id: str, loaded_version: int) -> Article:
        return revisions.lock_for_edit(article_id=object_id, loaded_version=loaded_version)

    def merge_stale(self, post, conflict):
        return merge.merge_article(post, base=conflict.base, now=conflict.now)

    def stored_inputs(self, post, obj: Article) -> dict[str, str]:
        return merge.stored_article_inputs(post, revisions.current_state(obj))

    def save_model(self, request, obj: Article, form, change: bool) -> None:
        if change:
            obj.version = revisions.next_version(obj)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Reverting to an older revision here lets django-reversion delete sections itself.
        passage_services.orphan_detached_passages(article=form.instance, editor=request.user)
        library_services.refresh_links_to(wikilinks.article_keys(form.instance.title))

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(function)

        here = {"model_admin": self}
        return [
            path("import/", view(admin_import.import_view), here, name="kb_article_import"),
            path("import/<uuid:token>/", view(admin_import.job_view), here,
                 name="kb_article_import_job"),
            path("import/<uuid:token>/progress/", view(admin_import.job_progress), here,
                 name="kb_article_import_progress"),
            path("import/<uuid:token>/cancel/", view(admin_import.job_cancel), here,
                 name="kb_article_import_cancel"),
            *super().get_urls(),
        ]


class SectionRevisionMixin(VersionedAdminMixin):
    """For SectionAdmin: the Section.version check; a section saved on its own is a new
    version of its article. Another section of the same article saved meanwhile is no
    conflict."""

    form = VersionedForm

    def lock_for_edit(self, object_id: str, loaded_version: int) -> Section:
        return revisions.lock_section_for_edit(section_id=object_id,
                                               loaded_version=loaded_version)

    def merge_stale(self, post, conflict):
        return merge.merge_section(post, base=conflict.base, now=conflict.now,
                                   version=conflict.current, article_id=conflict.obj.article_id)

    def stored_inputs(self, post, obj: Section) -> dict[str, str]:
        return merge.stored_section_inputs(revisions.section_state(obj), obj.article_id)

    def get_fields(self, request, obj=None):
        return [*super().get_fields(request, obj), "loaded_version"]

    def bump_article_version(self, section) -> None:
        """Call from save_model before the section is saved (inside the admin's transaction);
        the article's save also puts the whole article in the revision."""
        article = Article.objects.select_for_update().get(pk=section.article_id)
        article.version = revisions.next_version(article)
        article.save(update_fields=["version", "updated_at"])
