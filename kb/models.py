"""Articles split into sections; topics (django-taggit tags) on sections."""

import secrets
import uuid

import reversion
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from kb.querysets import ArticleQuerySet, PassageQuerySet, SectionQuerySet, TopicManager
from kb.text import html_to_text, normalise_source, render_markdown
from kb.validators import validate_markdown


class Topic(TagBase):
    """A tag with a Japanese label (``name``), an English label and a description.

    Analysts' free tags are Topics too, so any of them can later be described and linked.
    """

    name_en = models.CharField(_("English label"), max_length=100, blank=True)
    description = models.TextField(
        _("description (Markdown)"), blank=True, validators=[validate_markdown]
    )
    description_html = models.TextField(editable=False, blank=True)
    see_also = models.ManyToManyField("self", blank=True, verbose_name=_("see also"))
    updated_at = models.DateTimeField(auto_now=True)

    objects = TopicManager()

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]

    def save(self, *args, **kwargs):
        self.description = normalise_source(self.description)
        self.description_html = render_markdown(self.description)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("kb:topic", args=[self.slug])

    def slugify(self, tag: str, i: int | None = None) -> str:
        # A name of symbols only ("…", "!!!") slugifies to "", which no URL can carry; and
        # taggit's "_1" suffix for a clash must not push a long slug past its column.
        slug = super().slugify(tag) or "topic"
        suffix = "" if i is None else f"_{i}"
        return slug[: self._meta.get_field("slug").max_length - len(suffix)] + suffix

    @property
    def label(self) -> str:
        if self.name_en and self.name_en != self.name:
            return f"{self.name} ({self.name_en})"
        return self.name


class TopicAlias(models.Model):
    """Another name of a topic (ファーウェイ, 華為, Huawei), for suggestions and search."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("alias"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    class Kind(models.TextChoices):
        BOOK_REVIEW = "book_review", _("Book review")
        TRANSCRIPT = "transcript", _("Transcript")
        PRESS_RELEASE = "press_release", _("Press release")
        SLIDE_DECK = "slide_deck", _("Slide deck")
        COLUMN = "column", _("Column")
        REPORT = "report", _("Report")
        OTHER = "other", _("Other")

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=True)
    kind = models.CharField(_("kind of document"), max_length=20, choices=Kind.choices)
    publisher = models.CharField(_("publisher / issuing body"), max_length=200, blank=True)
    authors = models.CharField(
        _("authors"), max_length=300, blank=True, help_text=_("Separate names with 、")
    )
    published_on = models.DateField(_("date"), null=True, blank=True)
    source_url = models.URLField(_("source URL"), blank=True)
    language = models.CharField(_("language"), max_length=10, default="ja")
    summary = models.TextField(_("summary (Markdown)"), blank=True, validators=[validate_markdown])
    summary_html = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic concurrency: every save raises it; a save made from an older one is refused.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # SHA-256 of the imported report's normalised text, to refuse importing it twice.
    checksum = models.CharField(_("text checksum"), max_length=64, blank=True, db_index=True,
                                editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_on", "title"]
        indexes = [models.Index(fields=["-published_on", "title"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.summary = normalise_source(self.summary)
        self.summary_html = render_markdown(self.summary)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("kb:article", args=[self.slug])

    @property
    def author_list(self) -> list[str]:
        return [name.strip() for name in self.authors.replace(",", "、").split("、") if name.strip()]


def new_anchor() -> str:
    return "s-" + secrets.token_hex(4)


class TaggedSection(TaggedItemBase):
    content_object = models.ForeignKey(
        "Section", on_delete=models.CASCADE, related_name="tagged_items"
    )
    tag = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="tagged_sections")

    class Meta:
        verbose_name = _("section topic")
        verbose_name_plural = _("section topics")
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_section_topic")
        ]


class Section(models.Model):
    """A part of an article. ``anchor`` is its identity in URLs: set once, never edited,
    so links survive heading edits and reordering."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="sections", verbose_name=_("article")
    )
    anchor = models.SlugField(_("anchor"), max_length=64, default=new_anchor, editable=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    heading = models.CharField(_("heading"), max_length=300, blank=True)
    body = models.TextField(_("body (Markdown)"), blank=True, validators=[validate_markdown])
    body_html = models.TextField(editable=False, blank=True)
    plain_text = models.TextField(editable=False, blank=True)
    # Bumped by services.save_section whenever the text changes; passages record the
    # version they were made on.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    topics = TaggableManager(through=TaggedSection, blank=True, verbose_name=_("topics"))

    objects = SectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["article", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "anchor"], name="unique_section_anchor")
        ]
        permissions = [("tag_passages", _("Can tag passages of text"))]

    def __str__(self) -> str:
        return self.heading or self.anchor

    def save(self, *args, **kwargs):
        # Imported here: wikilinks reads these models to resolve [[...]] targets.
        from kb.wikilinks import render_with_links, store_links

        self.body = normalise_source(self.body)
        self.body_html, links = render_with_links(self.body)
        self.plain_text = html_to_text(self.body_html)
        adding = self._state.adding
        super().save(*args, **kwargs)
        store_links(self, links, adding=adding)

    def get_absolute_url(self) -> str:
        return f"{self.article.get_absolute_url()}#{self.anchor}"


class Link(models.Model):
    """A ``[[...]]`` wiki link written in a section, for "what links here" and missing links.

    Derived from the section's Markdown on every save; all targets empty means the link
    points at something that does not exist (yet).
    """

    source = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="outgoing_links")
    target = models.CharField(_("link text"), max_length=300)
    # The target normalised (NFKC, case-folded, before any #), to find links when it appears.
    target_key = models.CharField(max_length=300, db_index=True)
    target_article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="incoming_links"
    )
    target_section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.SET_NULL, related_name="incoming_links"
    )
    target_topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="incoming_links"
    )

    class Meta:
        verbose_name = _("wiki link")
        verbose_name_plural = _("wiki links")
        ordering = ["source__article__title", "source__position", "id"]

    def __str__(self) -> str:
        return f"[[{self.target}]]"

    @property
    def is_missing(self) -> bool:
        return self.target_article_id is None and self.target_topic_id is None


# Revision history (django-reversion). An article's revision holds its sections and their
# topic rows, so one revision is a complete, restorable state of the article.
reversion.register(Article, follow=["sections"])
reversion.register(Section, follow=["tagged_items"])
reversion.register(TaggedSection)
reversion.register(Topic, follow=["aliases"])
reversion.register(TopicAlias)
class TaggedPassage(TaggedItemBase):
    content_object = models.ForeignKey(
        "Passage", on_delete=models.CASCADE, related_name="tagged_items"
    )
    tag = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="tagged_passages")

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


class TopicRedirect(models.Model):
    """An old topic slug (after a rename or merge) and the topic it now means."""

    old_slug = models.CharField(_("old slug"), max_length=100, unique=True)
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("topic redirect")
        verbose_name_plural = _("topic redirects")

    def __str__(self) -> str:
        return f"{self.old_slug} → {self.topic.slug}"


class SearchEntry(models.Model):
    """One searchable thing (a section, a passage, an article, a topic) in the search index.

    The tokens live beside it in a database-specific structure (an FTS5 table on SQLite,
    a ``vector`` tsvector column on PostgreSQL; see kb/search/backends.py and migration
    0005_search_index). What filters and facets need is copied here so a search reads
    one table. kb.search.index keeps it current inside every write's transaction.
    """

    class DocType(models.TextChoices):
        SECTION = "section", _("Section")
        PASSAGE = "passage", _("Passage")
        ARTICLE = "article", _("Article")
        TOPIC = "topic", _("Topic")

    doc_type = models.CharField(max_length=10, choices=DocType.choices)
    section = models.OneToOneField(
        Section, null=True, blank=True, on_delete=models.CASCADE, related_name="search_entry"
    )
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    topic = models.OneToOneField(
        Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="search_entry"
    )
    passage = models.OneToOneField(
        Passage, null=True, blank=True, on_delete=models.CASCADE, related_name="search_entry"
    )
    kind = models.CharField(max_length=20, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    published_on = models.DateField(null=True, blank=True)
    topic_ids = models.JSONField(default=list, blank=True)
    # Normalised labels of a topic entry, "|"-delimited, for alias expansion by lookup.
    label_key = models.TextField(blank=True)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        # Alias expansion reads the topic entries only.
        indexes = [models.Index(fields=["doc_type"], name="kb_searchentry_doc_type")]
        constraints = [
            models.UniqueConstraint(
                fields=["article"],
                condition=models.Q(doc_type="article"),
                name="unique_article_search_entry",
            )
        ]

    def __str__(self) -> str:
        return f"{self.doc_type} {self.section_id or self.passage_id or self.article_id or self.topic_id}"


class ImportDraft(models.Model):
    """An import preview while its editor reviews it. A long report's preview (hundreds of
    sections, megabytes of text) does not fit in one form under Django's request limits, so
    the proposal and the editor's changes are kept here and each page of the preview posts
    only its own sections."""

    token = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    # {"article": the metadata form's values, "checksum", "source_name",
    #  "sections": [{"heading", "body", "topics", "merge", "DELETE"}],
    #  "suggestions": [[{"name", "labels", "shared_words"}]] per section,
    #  "pages": the index of each page's first section}
    data = models.JSONField()

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
from kb.site.models import ContentChange  # noqa: E402,F401
