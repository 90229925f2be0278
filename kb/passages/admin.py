"""Editors review and correct passages in the admin."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kb.passages import services
from kb.passages.models import Passage


class PassageForm(forms.ModelForm):
    class Meta:
        model = Passage
        fields = ["topics", "note"]

    def clean_topics(self):
        try:
            return services.clean_topic_names(self.cleaned_data["topics"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None


@admin.register(Passage)
class PassageAdmin(admin.ModelAdmin):
    """Editors review and correct passages; analysts make them on the article page,
    where the text can be selected, so there is no add form here."""

    form = PassageForm
    list_display = ["__str__", "article", "section", "analyst", "status", "topic_list",
                    "created_at"]
    list_filter = ["status", ("tagged_items__tag", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["exact", "note", "article__title", "analyst__username"]
    list_select_related = ["article", "section", "analyst"]
    fields = ["topics", "note", "exact", "prefix", "suffix", "start", "end", "article",
              "section", "section_version", "status", "analyst", "created_at", "updated_at"]
    readonly_fields = ["exact", "prefix", "suffix", "start", "end", "article", "section",
                       "section_version", "status", "analyst", "created_at", "updated_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("topics")

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("topics"))
    def topic_list(self, passage: Passage) -> str:
        return "、".join(t.name for t in passage.topics.all())

    def save_model(self, request, obj, form, change):
        services.update_passage(
            passage=obj, topics=form.cleaned_data["topics"], note=form.cleaned_data["note"]
        )

    def save_related(self, request, form, formsets, change):
        pass  # the service saved the topics

    def delete_model(self, request, obj):
        services.delete_passage(passage=obj)

    def delete_queryset(self, request, queryset):
        for passage in queryset:
            services.delete_passage(passage=passage)

    def view_on_site(self, passage: Passage) -> str | None:
        return passage.get_absolute_url() or None
