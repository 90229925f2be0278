"""Editors' admin of articles (sections inline) and sections: every save is a revision,
checked against concurrent edits (kb.editorial.admin_revisions), and imports start here."""

from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from reversion.admin import VersionAdmin

from kb.editorial.admin_revisions import (
    ArticleRevisionMixin,
    SectionRevisionMixin,
    VersionedForm,
)
from kb.library.forms import MarkdownField, SectionForm
from kb.library.models import Article, Section, Topic
from kb.passages import services as passage_services
from kb.search import index as search_index


class TopicFilter(admin.SimpleListFilter):
    title = _("topic")
    parameter_name = "topic"

    def lookups(self, request, model_admin):
        return Topic.objects.order_by("name").values_list("slug", "name")

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(sections__tagged_items__tag__slug=self.value()).distinct()
        return queryset


class SectionInline(admin.StackedInline):
    model = Section
    form = SectionForm
    extra = 0
    ordering = ["position", "id"]
    fields = ["position", "heading", "level", "body", "topics", "anchor", "preview"]
    readonly_fields = ["anchor", "preview"]

    @admin.display(description=_("rendered preview"))
    def preview(self, section: Section) -> str:
        # body_html is sanitised when the section is saved.
        return mark_safe(f'<div class="kb-preview">{section.body_html}</div>')


@admin.register(Article)
class ArticleAdmin(ArticleRevisionMixin, VersionAdmin):
    list_display = ["title", "kind", "publisher", "published_on", "section_count"]
    list_filter = ["kind", "publisher", ("published_on", admin.DateFieldListFilter), TopicFilter]
    search_fields = ["title", "publisher", "authors", "summary"]
    date_hierarchy = "published_on"
    prepopulated_fields = {"slug": ["title"]}
    # Django 6's default already: a scheme-less URL means https.
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        models.TextField: {"form_class": MarkdownField},
    }
    inlines = [SectionInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "publisher", "authors", "published_on"]}),
        (_("Source"), {"fields": ["source_url", "language", "summary"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(num_sections=Count("sections"))

    def save_formset(self, request, form, formset, change):
        if formset.model is not Section:
            return super().save_formset(request, form, formset, change)
        # Edited sections go through the service so their passages are re-anchored, and
        # deleted ones so their passages are kept as orphans.
        sections = formset.save(commit=False)
        if formset.deleted_objects:
            passage_services.delete_sections(sections=Section.objects.filter(
                pk__in=[s.pk for s in formset.deleted_objects]), editor=request.user)
        for section in sections:
            passage_services.save_section(section=section, edited=True, editor=request.user)
        formset.save_m2m()

    def delete_model(self, request, obj):
        passage_services.delete_article(article=obj, editor=request.user)

    def delete_queryset(self, request, queryset):
        for article in queryset:
            passage_services.delete_article(article=article, editor=request.user)

    @admin.display(description=_("sections"), ordering="num_sections")
    def section_count(self, article: Article) -> int:
        return article.num_sections

    def save_related(self, request, form, formsets, change):
        # Sections and their topics are saved here; the admin view's transaction spans both.
        super().save_related(request, form, formsets, change)
        search_index.reindex_articles([form.instance.pk])


class SectionAdminForm(SectionForm, VersionedForm):
    """Both checks of a section edited on its own: topic names, and no lost update."""


@admin.register(Section)
class SectionAdmin(SectionRevisionMixin, VersionAdmin):
    form = SectionAdminForm
    list_display = ["__str__", "article", "position", "topic_list"]
    list_filter = [("tagged_items__tag", admin.RelatedOnlyFieldListFilter), "article__kind"]
    search_fields = ["heading", "body", "article__title"]
    list_select_related = ["article"]
    fields = ["article", "position", "heading", "level", "body", "topics", "anchor", "preview"]
    readonly_fields = ["anchor", "preview"]
    preview = SectionInline.preview

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("topics")

    def save_model(self, request, obj, form, change):
        self.bump_article_version(obj)
        passage_services.save_section(section=obj, edited=True, editor=request.user)

    def delete_model(self, request, obj):
        passage_services.delete_sections(sections=Section.objects.filter(pk=obj.pk),
                                         editor=request.user)

    def delete_queryset(self, request, queryset):
        passage_services.delete_sections(sections=queryset, editor=request.user)

    @admin.display(description=_("topics"))
    def topic_list(self, section: Section) -> str:
        return "、".join(t.name for t in section.topics.all())

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        search_index.reindex_sections([form.instance.pk])
