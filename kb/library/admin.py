"""Editors' admin of topics (aliases, see-also, merges, redirects) and of wiki links.

Articles and sections are edited in kb.editorial.admin: every save there is a revision
checked against concurrent edits."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from reversion.admin import VersionAdmin

from kb.library import services, wikilinks
from kb.library.forms import MarkdownField
from kb.library.models import Link, Topic, TopicAlias, TopicRedirect
from kb.passages import alerts
from kb.search import index as search_index


class TopicRevisionMixin:
    """For TopicAdmin: links to a topic's new name or alias stop being missing."""

    def save_related(self, request, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.refresh_links_to(wikilinks.topic_keys(form.instance))


class TopicAliasInline(admin.TabularInline):
    model = TopicAlias
    extra = 1


@admin.register(Topic)
class TopicAdmin(TopicRevisionMixin, VersionAdmin):
    formfield_overrides = {models.TextField: {"form_class": MarkdownField}}
    list_display = ["name", "name_en", "slug", "section_count"]
    search_fields = ["name", "name_en", "slug", "aliases__name"]
    fields = ["name", "name_en", "slug", "parent", "colour", "description", "see_also"]
    filter_horizontal = ["see_also"]
    inlines = [TopicAliasInline]
    actions = ["merge_into"]

    def save_model(self, request, obj, form, change):
        if change:
            # A new name or slug leaves a redirect from the old URL.
            # Through kb.passages.alerts: analysts who tagged with it are told.
            alerts.rename_topic(topic=obj, name=obj.name, slug=obj.slug, editor=request.user)
        else:
            super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not TopicAlias:
            super().save_formset(request, form, formset, change)
            return
        # save_model's rename_topic has just kept the former names as aliases: one the
        # editor also typed here is there already, and adding it again would fail.
        kept = set(form.instance.aliases.values_list("name", flat=True))
        for alias in formset.save(commit=False):
            if alias.pk or alias.name not in kept:
                alias.save()
        for alias in formset.deleted_objects:
            alias.delete()

    @admin.action(description=_("Merge selected topics into another topic…"),
                  permissions=["change", "delete"])
    def merge_into(self, request, queryset):
        form = TopicMergeForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            target = form.cleaned_data["target"]
            sources = [t for t in queryset if t.pk != target.pk]
            try:
                for source in sources:
                    alerts.merge_topics(source=source, target=target, editor=request.user)
            except ValidationError as error:
                self.message_user(request, "; ".join(error.messages), messages.ERROR)
                return None
            self.message_user(request, ngettext(
                "%(count)d topic merged into “%(target)s”.",
                "%(count)d topics merged into “%(target)s”.", len(sources),
            ) % {"count": len(sources), "target": target.name}, messages.SUCCESS)
            return None
        return render(request, "admin/kb/topic/merge.html", {
            **self.admin_site.each_context(request),
            "title": _("Merge topics"), "opts": self.model._meta, "topics": queryset,
            "form": form, "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        })

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(num_sections=Count("tagged_sections"))

    @admin.display(description=_("sections"), ordering="num_sections")
    def section_count(self, topic: Topic) -> int:
        return topic.num_sections

    def view_on_site(self, topic: Topic) -> str:
        return topic.get_absolute_url()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        search_index.reindex_topics([form.instance.pk])

    @transaction.atomic
    def delete_model(self, request, obj):
        sections, passages = search_index.sections_tagged([obj.pk]), search_index.passages_tagged([obj.pk])
        super().delete_model(request, obj)
        search_index.reindex_sections(sections)
        search_index.reindex_passages(passages)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        sections, passages = search_index.sections_tagged(ids), search_index.passages_tagged(ids)
        super().delete_queryset(request, queryset)
        search_index.reindex_sections(sections)
        search_index.reindex_passages(passages)


class TopicMergeForm(forms.Form):
    target = forms.ModelChoiceField(
        Topic.objects.order_by("name"), label=_("Merge into"),
        help_text=_("Every section and passage tag moves to this topic; the others are deleted "
                    "and their URLs redirect to it."),
    )


@admin.register(TopicRedirect)
class TopicRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "topic", "created_at"]
    search_fields = ["old_slug", "topic__name"]
    list_select_related = ["topic"]


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
