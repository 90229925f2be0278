"""What the import pages read: topic profiles for suggestions, an editor's import draft."""

from __future__ import annotations

import uuid

from kb.editorial.importers import TopicIndex, build_profiles
from kb.editorial.models import ImportDraft
from kb.library.models import TaggedSection, Topic


def topic_profiles() -> TopicIndex:
    """Every topic's labels and the words of the sections tagged with it, for suggestions
    (three queries whatever the number of topics)."""
    topics = list(Topic.objects.prefetch_related("aliases"))
    tagged: dict[str, list[str]] = {}
    for slug, text in TaggedSection.objects.values_list("tag__slug", "content_object__plain_text"):
        tagged.setdefault(slug, []).append(text)
    return build_profiles(
        ((t.slug, t.name, [t.name, t.name_en, *(a.name for a in t.aliases.all())]) for t in topics),
        tagged,
    )


def import_draft(token: str, *, user) -> ImportDraft | None:
    """The user's import preview with this token (from the preview's form), if still kept."""
    try:
        token = uuid.UUID(token)
    except (TypeError, ValueError):
        return None
    return ImportDraft.objects.filter(token=token, user=user).first()
