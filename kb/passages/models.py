"""Passages: analysts' tagged spans of a section's text."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from kb.library.models import Article, Section, Topic
from kb.passages.querysets import PassageQuerySet


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
    def current_text(self) -> str:
        """The section's text at the passage's span now (differs from ``exact`` when fuzzy)."""
        return self.section.plain_text[self.start : self.end] if self.section else ""
