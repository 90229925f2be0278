"""Validators that need the library's models (the text-only ones are kb.validators)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kb.library.models import Topic
from kb.validators import validate_no_nul


def validate_topic_names(names: list[str]) -> None:
    """Refuse a topic (tag) name its column cannot hold, before any lookup is tried."""
    limit = Topic._meta.get_field("name").max_length
    for name in names:
        validate_no_nul(name)
    too_long = [name for name in names if len(name) > limit]
    if too_long:
        raise ValidationError(
            _("A topic name may have at most %(limit)s characters."),
            code="topic_name_length", params={"limit": limit},
        )
