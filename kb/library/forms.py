"""Admin forms: the model forms with kb's input checks where Django has none."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from taggit.forms import TagField, TagWidget

from kb.library.catalogue import ARTICLE_SORTS, ArticleFilters
from kb.library.models import Article, Section
from kb.library.selectors import find_topic
from kb.library.validators import validate_topic_names
from kb.text import normalise_source


class MarkdownField(forms.CharField):
    """Text typed into a browser textarea. Browsers send CRLF line ends; stored text has LF
    (normalise_source), so without this an untouched multi-paragraph body counts as edited
    and every save re-versions, re-anchors and re-indexes it."""

    def to_python(self, value):
        return normalise_source(super().to_python(value))


class TopicsInput(TagWidget):
    """Comma-separated topic names that suggest topics as they are typed (labels in both
    languages and aliases, from the topics API) and mark a name no topic has as a new tag
    (static/kb/topics_field.js). Without JavaScript it is the plain text input."""

    class Media:
        js = ["kb/topics_field.js"]
        css = {"all": ["kb/topics_field.css"]}

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update({
            "autocomplete": "off",
            "data-kb-topics": reverse("kb:api_topics"),
            "data-kb-topic-match": reverse("kb:api_topic_match"),
            "data-kb-new-label": _("new tag"),
            "data-kb-known-label": _("existing topic"),
            "data-kb-suggestions-label": _("Matching topics"),
        })
        return context


class TopicsField(TagField):
    """django-taggit's comma-separated tag field, refusing names no topic can have. A name
    that means an existing topic (selectors.find_topic, as for passages' tags) becomes
    that topic's name, so that django-taggit does not create a near duplicate."""

    widget = TopicsInput

    def clean(self, value):
        names = super().clean(value)
        validate_topic_names(names)
        return list(dict.fromkeys(
            topic.name if (topic := find_topic(name)) else name for name in names
        ))


class SectionForm(forms.ModelForm):
    topics = TopicsField(required=False, label=Section._meta.get_field("topics").verbose_name)

    class Meta:
        model = Section
        fields = ["article", "position", "heading", "level", "body", "topics"]
        field_classes = {"body": MarkdownField}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A form posted without the level (made before sections had one) keeps the stored
        # one, and is not an edit.
        level = self.fields["level"]
        level.required = False
        level.has_changed = lambda initial, data: data not in (None, "") and \
            type(level).has_changed(level, initial, data)

    def clean_level(self) -> int:
        return self.cleaned_data.get("level") or self.instance.level or 2

    def is_multipart(self) -> bool:
        # The admin then posts its form (an article's, with its sections inline) as
        # multipart/form-data: Japanese text travels as UTF-8, a third of its URL-encoded
        # size, so a long article stays within DATA_UPLOAD_MAX_MEMORY_SIZE.
        return True


SORT_LABELS = {"newest": _("Newest first"), "oldest": _("Oldest first"), "title": _("Title"),
               "publisher": _("Publisher")}


class ArticleListForm(forms.Form):
    """The article list's query string (?publisher=&year=&kind=&topic=&sort=)."""

    publisher = forms.CharField(required=False, max_length=200)
    year = forms.IntegerField(required=False, min_value=1, max_value=9999)
    kind = forms.ChoiceField(required=False, choices=[("", ""), *Article.Kind.choices])
    topic = forms.CharField(required=False, max_length=100)
    sort = forms.ChoiceField(required=False, choices=[(key, SORT_LABELS[key]) for key in ARTICLE_SORTS])

    def filters(self) -> ArticleFilters:
        """The filters of a valid form."""
        return ArticleFilters(**{**self.cleaned_data, "sort": self.cleaned_data["sort"] or "newest"})
