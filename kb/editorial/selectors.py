"""What the import pages read: topic profiles for suggestions, an editor's import draft."""

from __future__ import annotations

import uuid

from kb.editorial.importers import TopicIndex, build_profiles
from kb.editorial.models import ImportDraft
from kb.library.models import OriginalFile, TaggedSection, Topic


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
    # The uploaded file's bytes are read only when the import is saved (import_original).
    return ImportDraft.objects.filter(token=token, user=user).defer("original").first()


def import_original(draft: ImportDraft) -> OriginalFile | None:
    """The file uploaded for ``draft``, to keep as the imported article's original."""
    meta = draft.data.get("original")
    content = ImportDraft.objects.filter(pk=draft.pk).values_list("original", flat=True).first()
    if not meta or content is None:
        return None
    return OriginalFile(content=bytes(content), filename=meta["filename"],
                        content_type=meta["content_type"])
