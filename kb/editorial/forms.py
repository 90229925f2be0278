"""The recent changes page's query string; the watch button."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kb.editorial.selectors import CHANGE_KINDS
from kb.library.models import Article, Topic


class ChangesForm(forms.Form):
    """?kind=&topic= of /changes/ (both optional)."""

    kind = forms.ChoiceField(required=False, choices=[("", ""), *CHANGE_KINDS.items()])
    topic = forms.CharField(required=False, max_length=100)


class WatchForm(forms.Form):
    """What a watch button posts: an article's or a topic's slug, and where to go back."""

    article = forms.ModelChoiceField(Article.objects.all(), required=False, to_field_name="slug")
    topic = forms.ModelChoiceField(Topic.objects.all(), required=False, to_field_name="slug")
    next = forms.CharField(required=False, max_length=2000)

    def clean(self):
        data = super().clean()
        if bool(data.get("article")) == bool(data.get("topic")):
            raise forms.ValidationError(_("Choose one article or one topic to watch."))
        return data
