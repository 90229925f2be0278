"""The search request's parameters, validated: a bad date is an error shown, not a crash."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kb.library import selectors
from kb.library.models import Article
from kb.search.engine import SearchFilters


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200, strip=True)
    topic = forms.CharField(label=_("Topic"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *Article.Kind.choices]
    )
    publisher = forms.CharField(label=_("Publisher"), required=False, max_length=200)
    date_from = forms.DateField(label=_("From date"), required=False)
    date_to = forms.DateField(label=_("To date"), required=False)
    page = forms.IntegerField(label=_("Page"), required=False, min_value=1)

    def clean_topic(self) -> str:
        """The topic's slug; an old slug (renamed or merged away) filters by the topic it
        became, and an unknown one is an error rather than silently no results."""
        slug = self.cleaned_data["topic"]
        if not slug:
            return slug
        topic = selectors.topic_by_slug(slug)
        if topic is None:
            raise forms.ValidationError(_("There is no topic “%(slug)s”."), code="unknown_topic",
                                        params={"slug": slug})
        return topic.slug

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def filters(self) -> SearchFilters:
        data = self.cleaned_data
        return SearchFilters(
            topic=data["topic"],
            kind=data["kind"],
            publisher=data["publisher"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
