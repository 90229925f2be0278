"""Admin glue for revisions: refuse stale article and section saves, bump versions, list
wiki links.

ArticleAdmin, SectionAdmin and TopicAdmin are django-reversion VersionAdmins (history,
compare-free revert, recover deleted); these mixins add what reversion does not do.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import admin_import, revisions, services, wikilinks
from .models import Article, Link


class VersionedForm(forms.ModelForm):
    """The change form carries the version it was loaded with; a stale one is refused."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["loaded_version"] = self.instance.version
        self.conflict: revisions.EditConflict | None = None

    def clean(self) -> dict:
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        try:
            # Runs inside the admin's transaction: the row stays locked until the save.
            self.lock(cleaned.get("loaded_version") or 0)
        except revisions.EditConflict as conflict:
            self.conflict = conflict
            # The editor's input stays in the form; having seen what changed, saving
            # again deliberately replaces the newer version.
            self.data = self.data.copy()
            self.data[self.add_prefix("loaded_version")] = conflict.current
            raise ValidationError(
                render_to_string("admin/kb/includes/edit_conflict.html", {"conflict": conflict}),
                code="edit_conflict",
            ) from None
        return cleaned

    def lock(self, loaded_version: int) -> None:
        raise NotImplementedError


class VersionedArticleForm(VersionedForm):
    def lock(self, loaded_version: int) -> None:
        revisions.lock_for_edit(article_id=self.instance.pk, loaded_version=loaded_version)


class VersionedSectionForm(VersionedForm):
    """A section edited on its own checks Section.version: another section of the same
    article saved meanwhile is no conflict."""

    def lock(self, loaded_version: int) -> None:
        revisions.lock_section_for_edit(section_id=self.instance.pk, loaded_version=loaded_version)


class ArticleRevisionMixin:
    """For ArticleAdmin: the version check, version numbers, wiki-link refresh, import."""

    form = VersionedArticleForm
    change_list_template = "admin/kb/article/change_list.html"

    def get_fieldsets(self, request, obj=None):
        (name, options), *rest = super().get_fieldsets(request, obj)
        return [(name, {**options, "fields": [*options["fields"], "loaded_version"]}), *rest]

    def save_model(self, request, obj: Article, form, change: bool) -> None:
        if change:
            obj.version = revisions.next_version(obj)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Reverting to an older revision here lets django-reversion delete sections itself.
        services.orphan_detached_passages(article=form.instance)
        wikilinks.refresh_links_to(wikilinks.article_keys(form.instance.title))

    def get_urls(self):
        view = self.admin_site.admin_view(admin_import.import_view)
        return [
            path("import/", view, {"model_admin": self}, name="kb_article_import"),
            *super().get_urls(),
        ]


class SectionRevisionMixin:
    """For SectionAdmin: the Section.version check; a section saved on its own is a new
    version of its article."""

    form = VersionedSectionForm

    def get_fields(self, request, obj=None):
        return [*super().get_fields(request, obj), "loaded_version"]

    def bump_article_version(self, section) -> None:
        """Call from save_model before the section is saved (inside the admin's transaction);
        the article's save also puts the whole article in the revision."""
        article = Article.objects.select_for_update().get(pk=section.article_id)
        article.version = revisions.next_version(article)
        article.save(update_fields=["version", "updated_at"])


class TopicRevisionMixin:
    """For TopicAdmin: links to a topic's new name or alias stop being missing."""

    def save_related(self, request, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        wikilinks.refresh_links_to(wikilinks.topic_keys(form.instance))


class MissingFilter(admin.SimpleListFilter):
    title = _("target")
    parameter_name = "missing"

    def lookups(self, request, model_admin):
        return [("yes", _("missing")), ("no", _("exists"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(target_article__isnull=True, target_topic__isnull=True)
        if self.value() == "no":
            return queryset.exclude(target_article__isnull=True, target_topic__isnull=True)
        return queryset


@admin.register(Link)
class LinkAdmin(admin.ModelAdmin):
    """Wiki links, read-only: editors find missing targets here (filter "missing")."""

    list_display = ["__str__", "source_article", "source", "is_missing"]
    list_filter = [MissingFilter]
    search_fields = ["target", "source__heading", "source__article__title"]
    list_select_related = ["source__article"]

    @admin.display(description=_("article"), ordering="source__article__title")
    def source_article(self, link: Link) -> str:
        return str(link.source.article)

    @admin.display(description=_("missing"), boolean=True)
    def is_missing(self, link: Link) -> bool:
        return link.is_missing

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
