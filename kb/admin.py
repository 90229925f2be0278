"""Editors' admin: articles with their sections inline, topics with aliases and see-also links."""

from django.contrib import admin
from django.db import models, transaction
from django.db.models import Count
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .models import Article, Section, Topic, TopicAlias
from .search import index as search_index


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
    extra = 0
    ordering = ["position", "id"]
    fields = ["position", "heading", "body", "topics", "anchor", "preview"]
    readonly_fields = ["anchor", "preview"]

    @admin.display(description=_("rendered preview"))
    def preview(self, section: Section) -> str:
        # body_html is sanitised when the section is saved.
        return mark_safe(f'<div class="kb-preview">{section.body_html}</div>')


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "publisher", "published_on", "section_count"]
    list_filter = ["kind", "publisher", ("published_on", admin.DateFieldListFilter), TopicFilter]
    search_fields = ["title", "publisher", "authors", "summary"]
    date_hierarchy = "published_on"
    prepopulated_fields = {"slug": ["title"]}
    # Django 6's default already: a scheme-less URL means https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [SectionInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "publisher", "authors", "published_on"]}),
        (_("Source"), {"fields": ["source_url", "language", "summary"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(num_sections=Count("sections"))

    @admin.display(description=_("sections"), ordering="num_sections")
    def section_count(self, article: Article) -> int:
        return article.num_sections

    def save_related(self, request, form, formsets, change):
        # Sections and their topics are saved here; the admin view's transaction spans both.
        super().save_related(request, form, formsets, change)
        search_index.reindex_articles([form.instance.pk])


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "article", "position", "topic_list"]
    list_filter = [("tagged_items__tag", admin.RelatedOnlyFieldListFilter), "article__kind"]
    search_fields = ["heading", "body", "article__title"]
    list_select_related = ["article"]
    fields = ["article", "position", "heading", "body", "topics", "anchor", "preview"]
    readonly_fields = ["anchor", "preview"]
    preview = SectionInline.preview

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("topics")

    @admin.display(description=_("topics"))
    def topic_list(self, section: Section) -> str:
        return "、".join(t.name for t in section.topics.all())

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        search_index.reindex_sections([form.instance.pk])


class TopicAliasInline(admin.TabularInline):
    model = TopicAlias
    extra = 1


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "slug", "section_count"]
    search_fields = ["name", "name_en", "slug", "aliases__name"]
    fields = ["name", "name_en", "slug", "description", "see_also"]
    filter_horizontal = ["see_also"]
    inlines = [TopicAliasInline]

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
        sections = search_index.sections_tagged([obj.pk])
        super().delete_model(request, obj)
        search_index.reindex_sections(sections)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        sections = search_index.sections_tagged(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        search_index.reindex_sections(sections)
