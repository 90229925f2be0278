"""Articles split into sections; topics (django-taggit tags) on sections."""

import secrets

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from .querysets import ArticleQuerySet, SectionQuerySet, TopicManager
from .text import html_to_text, normalise_source, render_markdown


class Topic(TagBase):
    """A tag with a Japanese label (``name``), an English label and a description.

    Analysts' free tags are Topics too, so any of them can later be described and linked.
    """

    name_en = models.CharField(_("English label"), max_length=100, blank=True)
    description = models.TextField(_("description (Markdown)"), blank=True)
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
    summary = models.TextField(_("summary (Markdown)"), blank=True)
    summary_html = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

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

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sections")
    anchor = models.SlugField(_("anchor"), max_length=64, default=new_anchor, editable=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    heading = models.CharField(_("heading"), max_length=300, blank=True)
    body = models.TextField(_("body (Markdown)"), blank=True)
    body_html = models.TextField(editable=False, blank=True)
    plain_text = models.TextField(editable=False, blank=True)
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
        self.body = normalise_source(self.body)
        self.body_html = render_markdown(self.body)
        self.plain_text = html_to_text(self.body_html)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{self.article.get_absolute_url()}#{self.anchor}"


class SearchEntry(models.Model):
    """One searchable thing (a section, an article, a topic) in the search index.

    The tokens live beside it in a database-specific structure (an FTS5 table on SQLite,
    a ``vector`` tsvector column on PostgreSQL; see kb/search/backends.py and migration
    0002_search_index). What filters and facets need is copied here so a search reads
    one table. kb.search.index keeps it current inside every write's transaction.
    """

    class DocType(models.TextChoices):
        SECTION = "section", _("Section")
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
        return f"{self.doc_type} {self.section_id or self.article_id or self.topic_id}"
