"""Passages: analysts' tagged spans of a section's text."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from kb.library.models import Article, Section, Topic
from kb.passages.querysets import NotificationQuerySet, PassageQuerySet


class TaggedPassage(TaggedItemBase):
    content_object = models.ForeignKey(
        "Passage", on_delete=models.CASCADE, related_name="tagged_items"
    )
    tag = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="tagged_passages",
                            verbose_name=_("topic"))

    class Meta:
        verbose_name = _("passage topic")
        verbose_name_plural = _("passage topics")
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_passage_topic")
        ]


class Passage(models.Model):
    """An analyst's span of a section's text, with topics and a note.

    The selectors follow the W3C Web Annotation model: ``exact``/``prefix``/``suffix`` is the
    quote as the analyst took it on ``section_version``; ``start``/``end`` (code points of
    ``Section.plain_text``) are where it sits now, kept current by re-anchoring on every
    edit of the section. Create and change passages only through the services.

    A passage is never deleted by an edit: when its section goes, it stays as an orphan of
    its ``article`` (section None, status orphaned) until its analyst re-attaches it.
    """

    class Status(models.TextChoices):
        ANCHORED = "anchored", _("anchored")
        MOVED = "moved", _("moved")
        FUZZY = "fuzzy", _("fuzzy")
        ORPHANED = "orphaned", _("orphaned")

    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.SET_NULL, related_name="passages",
        verbose_name=_("section"),
    )
    # The article the passage was made in, kept when its section (or the article) is
    # deleted. No database constraint and DO_NOTHING: a deleted article's id stays here, so
    # when django-reversion recovers the article (same primary key) its orphans are back
    # on its page, ready to re-attach. null=True only so joins are outer joins: a passage
    # of a deleted article still lists, with ``article`` None.
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="passages", verbose_name=_("article"),
    )
    # The anchor of the section the passage is on, kept when that section is deleted: an
    # orphan's exports still say where in the article it was (its annotation's target).
    section_anchor = models.SlugField(_("section anchor"), max_length=64, blank=True,
                                      editable=False)
    # PROTECT: deleting an account must not silently delete its coding work.
    analyst = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="passages",
        verbose_name=_("analyst"),
    )
    exact = models.TextField(_("quote"))
    prefix = models.CharField(_("text before"), max_length=64, blank=True)
    suffix = models.CharField(_("text after"), max_length=64, blank=True)
    start = models.PositiveIntegerField(_("start"))
    end = models.PositiveIntegerField(_("end"))
    section_version = models.PositiveIntegerField(_("section version"))
    status = models.CharField(
        _("anchoring"), max_length=10, choices=Status.choices, default=Status.ANCHORED
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    topics = TaggableManager(through=TaggedPassage, verbose_name=_("topics"))

    objects = PassageQuerySet.as_manager()

    class Meta:
        verbose_name = _("passage")
        verbose_name_plural = _("passages")
        ordering = ["section", "start", "id"]
        indexes = [models.Index(fields=["analyst", "-created_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")),
                                   name="passage_end_after_start")
        ]

    def __str__(self) -> str:
        return self.exact if len(self.exact) <= 40 else self.exact[:39] + "…"

    def get_absolute_url(self) -> str:
        """The passage on its article's page ("" once the article is deleted)."""
        article = self.source_article
        return f"{article.get_absolute_url()}#passage-{self.pk}" if article else ""

    @property
    def source_article(self) -> Article | None:
        """The article the passage was made in, or None if that article is deleted."""
        try:
            return self.article
        except Article.DoesNotExist:  # not joined, and the row is gone
            return None

    @property
    def needs_repair(self) -> bool:
        return self.status in (self.Status.FUZZY, self.Status.ORPHANED)

    @property
    def page(self) -> int | None:
        """The page of the original where the quote starts (None: no pages known, or orphaned).

        Computed from the section's page breaks and ``start``, not stored: re-anchoring
        already keeps ``start`` current and save_section moves the breaks with the text, so
        a stored copy would be one more thing to keep in step on every edit and restore."""
        return self.section.page_at(self.start) if self.section else None

    @property
    def current_text(self) -> str:
        """The section's text at the passage's span now (differs from ``exact`` when fuzzy)."""
        return self.section.plain_text[self.start : self.end] if self.section else ""


class Notification(models.Model):
    """Tells an analyst that someone else's edit changed their coding: a passage moved, went
    fuzzy or lost its text, or a topic they tagged with was renamed or merged.

    Written by kb.passages.alerts in the transaction of the edit that caused it, so an edit
    that rolls back leaves no notification, and one that commits always leaves one.
    """

    class Kind(models.TextChoices):
        MOVED = "moved", _("passage moved")
        FUZZY = "fuzzy", _("passage needs checking")
        ORPHANED = "orphaned", _("passage lost its text")
        TOPIC_RENAMED = "renamed", _("topic renamed")
        TOPIC_MERGED = "merged", _("topic merged")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications", verbose_name=_("recipient"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # The passage an edit moved (none for a topic's notification); a deleted passage needs
    # no repair, so its notifications go with it.
    passage = models.ForeignKey(Passage, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="notifications", verbose_name=_("passage"))
    # The topic as it is now (the renamed topic, or the merge's target), and the name the
    # analyst knew it by: the topic merged away is deleted, only its name is left.
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("topic"))
    old_name = models.CharField(_("former name"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # When it went out by e-mail (KB_NOTIFY_EMAIL), so that no notification is mailed twice.
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The header's unread count on every logged-in page, and the inbox's order.
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient_id}"

    @property
    def is_topic_change(self) -> bool:
        return self.kind in (self.Kind.TOPIC_RENAMED, self.Kind.TOPIC_MERGED)

    @property
    def summary(self) -> str:
        """What happened, in a sentence (the inbox and the e-mail show the quote beside it).
        Read ``topic`` with the notification: a topic notification names it."""
        if self.is_topic_change:
            names = {"old": self.old_name, "new": self.topic.name if self.topic else self.old_name}
            if self.kind == self.Kind.TOPIC_RENAMED:
                return _("A topic you tagged passages with was renamed from “%(old)s” to "
                         "“%(new)s”.") % names
            return _("A topic you tagged passages with, “%(old)s”, was merged into “%(new)s”.") % names
        return {
            self.Kind.MOVED: _("An edit moved your passage: its text is intact at a new place."),
            self.Kind.FUZZY: _("An edit changed the text of your passage: check where it now sits."),
            self.Kind.ORPHANED: _("An edit removed the text of your passage: re-attach or delete it."),
        }[self.kind]
