"""Editorial work in progress: import previews under review; who watches what."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportDraft(models.Model):
    """An import preview while its editor reviews it. A long report's preview (hundreds of
    sections, megabytes of text) does not fit in one form under Django's request limits, so
    the proposal and the editor's changes are kept here and each page of the preview posts
    only its own sections."""

    token = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)
    # {"article": the metadata form's values, "checksum", "source_name",
    #  "sections": [{"heading", "level", "body", "topics", "merge", "DELETE"}],
    #  "suggestions": [[{"name", "labels", "shared_words", "evidence"}]] per section,
    #  "evidence": {field: {"place", "line", "text"}} where each metadata guess was read,
    #  "year": the volume's or fiscal year read (the article keeps only a full date),
    #  "pages": the index of each page's first section,
    #  "original": {"filename", "content_type"} of the uploaded file, or null}
    data = models.JSONField()
    # The uploaded file as it came (none for pasted text), kept as the article's original
    # when the import is saved. In the database, not in storage: a preview left unsaved
    # then leaves nothing behind when it expires.
    original = models.BinaryField(null=True, editable=False)

    def __str__(self) -> str:
        return str(self.token)

    @property
    def page_count(self) -> int:
        return len(self.data["pages"])

    def page(self, number: int) -> range:
        """The indexes of the sections on page ``number`` (from 1); empty if there is none."""
        if not 1 <= number <= self.page_count:
            return range(0)
        starts = self.data["pages"]
        ends = [*starts[1:], len(self.data["sections"])]
        return range(starts[number - 1], ends[number - 1])


class Watch(models.Model):
    """A user following an article or a topic: the Watched page lists what changed in it
    since ``last_seen`` (when the user last looked at that page)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="watches")
    article = models.ForeignKey("kb.Article", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+")
    topic = models.ForeignKey("kb.Topic", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(article__isnull=False, topic__isnull=True)
                | models.Q(article__isnull=True, topic__isnull=False),
                name="watch_article_or_topic"),
            models.UniqueConstraint(fields=["user", "article"], name="unique_article_watch",
                                    condition=models.Q(article__isnull=False)),
            models.UniqueConstraint(fields=["user", "topic"], name="unique_topic_watch",
                                    condition=models.Q(topic__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.article or self.topic}"


class TopicWords(models.Model):
    """A topic's word counts over the text of the sections tagged with it, for import
    suggestions: kept here and brought up to date by what changed since
    (profiles.refresh_topic_words), so that an import does not re-read every tagged
    section's text.

    ``tagged`` tags were counted, up to tag row ``through``: when fewer are left the topic
    is counted again, as it is when one of its sections was saved after ``edited``."""

    topic = models.OneToOneField("kb.Topic", on_delete=models.CASCADE, primary_key=True,
                                 related_name="+")
    counts = models.JSONField(default=dict)
    # Its most frequent words with their counts: the profile suggestions compare with, so
    # that building the profiles costs the same however many sections are tagged.
    top = models.JSONField(default=dict)
    tagged = models.PositiveIntegerField(default=0)
    through = models.BigIntegerField(default=0)
    edited = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.topic_id}: {len(self.counts)} words"
