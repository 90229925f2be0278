"""The editorial pages' forms: the recent changes page's query string, the watch button,
and one section edited in place on its article's page, with its conflict glue.

A stale section form (the section was saved by someone else after it was loaded) is merged
as the admin's section form is (kb.editorial.merge): the stored section with the editor's
own changes on top, and the fields both changed left for the editor to decide.
"""

from __future__ import annotations

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from kb.editorial import merge, revisions
from kb.editorial.selectors import CHANGE_KINDS
from kb.library.forms import MarkdownField, TopicsField
from kb.library.models import Article, Section, Topic
from kb.validators import validate_markdown


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


class SectionEditForm(forms.Form):
    heading = forms.CharField(label=_("heading"), max_length=300, required=False)
    body = MarkdownField(label=_("body (Markdown)"), required=False,
                         validators=[validate_markdown],
                         widget=forms.Textarea(attrs={"rows": 18}))
    topics = TopicsField(label=_("topics"), required=False,
                         help_text=_("Topic names or slugs, separated by commas"))
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    @classmethod
    def initial_for(cls, section: Section) -> dict[str, object]:
        return {"heading": section.heading, "body": section.body,
                "topics": list(section.topics.all()), "loaded_version": section.version}


class PreviewForm(forms.Form):
    body = MarkdownField(required=False, validators=[validate_markdown])


def _as_section_form(post: QueryDict, section: Section) -> QueryDict:
    # merge works on the admin's section form, which also posts the article and position;
    # they are not edited here, so they are the stored ones.
    data = post.copy()
    data["article"], data["position"] = str(section.article_id), str(section.position)
    return data


def merged_after_conflict(post: QueryDict,
                          conflict: revisions.EditConflict) -> tuple[QueryDict, list[merge.Clash]]:
    """The form to show after a refused stale save: the stored section with the editor's
    changes applied, and the clashes to decide (each keeps the editor's text)."""
    section = conflict.obj
    return merge.merge_section(_as_section_form(post, section), base=conflict.base,
                               now=conflict.now, version=conflict.current,
                               article_id=section.article_id)


def resolve_clashes(post: QueryDict, section: Section) -> tuple[QueryDict, list[merge.Clash]]:
    """A merged form saved again: apply the editor's pick for each clash; the clashes
    still undecided are returned (the save is refused until there are none)."""
    if not post.getlist(merge.CLASH):
        return post, []
    stored = merge.stored_section_inputs(revisions.section_state(section), section.article_id)
    return merge.resolve(_as_section_form(post, section), stored=stored)
