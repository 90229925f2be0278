"""The recent changes page's query string."""

from django import forms

from kb.editorial.selectors import CHANGE_KINDS


class ChangesForm(forms.Form):
    """?kind=&topic= of /changes/ (both optional)."""

    kind = forms.ChoiceField(required=False, choices=[("", ""), *CHANGE_KINDS.items()])
    topic = forms.CharField(required=False, max_length=100)
