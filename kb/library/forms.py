"""Admin forms: the model forms with kb's input checks where Django has none."""

from django import forms
from taggit.forms import TagField

from kb.library.models import Section
from kb.library.selectors import find_topic
from kb.library.validators import validate_topic_names
from kb.text import normalise_source


class MarkdownField(forms.CharField):
    """Text typed into a browser textarea. Browsers send CRLF line ends; stored text has LF
    (normalise_source), so without this an untouched multi-paragraph body counts as edited
    and every save re-versions, re-anchors and re-indexes it."""

    def to_python(self, value):
        return normalise_source(super().to_python(value))


class TopicsField(TagField):
    """django-taggit's comma-separated tag field, refusing names no topic can have. A name
    that means an existing topic (selectors.find_topic, as for passages' tags) becomes
    that topic's name, so that django-taggit does not create a near duplicate."""

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
        fields = ["article", "position", "heading", "body", "topics"]
        field_classes = {"body": MarkdownField}

    def is_multipart(self) -> bool:
        # The admin then posts its form (an article's, with its sections inline) as
        # multipart/form-data: Japanese text travels as UTF-8, a third of its URL-encoded
        # size, so a long article stays within DATA_UPLOAD_MAX_MEMORY_SIZE.
        return True
