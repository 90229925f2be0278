"""Articles split into sections; topics (django-taggit tags) on sections."""

import secrets
import unicodedata

import reversion
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from kb.library.colours import colour_for_name, normalise_colour, validate_colour
from kb.library.querysets import ArticleQuerySet, SectionQuerySet, TopicManager
from kb.library.wikilinks import WikiLink, normalise_key, render_with_links
from kb.text import html_to_text, normalise_source, render_markdown
from kb.validators import validate_markdown, validate_no_bidi_controls


class Topic(TagBase):
    """A tag with a Japanese label (``name``), an English label and a description.

    Analysts' free tags are Topics too, so any of them can later be described and linked.
    Topics form a codebook, as QDA tools call it: each may have a ``parent`` (any depth, no
    cycles), a ``colour`` for its highlights, and its description is the code's memo.
    """

    name_en = models.CharField(_("English label"), max_length=100, blank=True)
    description = models.TextField(
        _("description (Markdown)"), blank=True, validators=[validate_markdown]
    )
    description_html = models.TextField(editable=False, blank=True)
    see_also = models.ManyToManyField("self", blank=True, verbose_name=_("see also"))
    # SET_NULL: deleting a topic lifts its subtopics to the top rather than deleting them
    # (a merge moves them under the topic it merges into first).
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children",
        verbose_name=_("parent topic"),
    )
    colour = models.CharField(
        _("colour"), max_length=7, blank=True, validators=[validate_colour],
        help_text=_("# and six hexadecimal digits; left empty, one is chosen."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = TopicManager()

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]

    def save(self, *args, **kwargs):
        self.description = normalise_source(self.description)
        self.description_html = render_markdown(self.description)
        self.colour = normalise_colour(self.colour) or colour_for_name(self.name)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        check_parent(self, self.parent)

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

    def shown_in_english(self) -> bool:
        """Whether the active interface language is English and the topic has an English label."""
        return bool(self.name_en) and (get_language() or "").startswith("en")

    @property
    def local_name(self) -> str:
        """The name readers of the active interface language know the topic by: the English
        label in English (when it has one), else the Japanese name."""
        return self.name_en if self.shown_in_english() else self.name


def check_parent(topic: Topic, parent: Topic | None) -> None:
    """Refuse a parent that is ``topic`` itself or one of its descendants: the codebook is
    a tree. Walks up from ``parent``, one query per level (codebooks are a few levels deep)."""
    seen = set()
    while parent is not None and parent.pk not in seen:
        if topic.pk is not None and parent.pk == topic.pk:
            raise ValidationError({"parent": ValidationError(
                _("“%(name)s” cannot be placed under itself or one of its subtopics."),
                code="topic_cycle", params={"name": topic.name},
            )})
        seen.add(parent.pk)
        parent = parent.parent


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


# Hiragana and katakana letters sit 0x60 apart in Unicode, in the same (gojūon) order.
_KATAKANA = {code: code - 0x60 for code in range(ord("ァ"), ord("ヶ") + 1)}


def title_sort_key(title: str) -> str:
    """How titles sort in lists: without readings for kanji, the sensible order kb can
    compute is width- and case-folded (ＡＢＣ = abc), with katakana sorted among hiragana
    by sound (アリババ beside ありがとう, not after every hiragana title); kanji follow
    kana in code point order, as in JIS dictionaries without readings."""
    key = unicodedata.normalize("NFKC", title).casefold().translate(_KATAKANA)
    return key[:300]  # NFKC can lengthen (㍻ → 平成)


class Article(models.Model):
    class Kind(models.TextChoices):
        BOOK_REVIEW = "book_review", _("Book review")
        TRANSCRIPT = "transcript", _("Transcript")
        PRESS_RELEASE = "press_release", _("Press release")
        SLIDE_DECK = "slide_deck", _("Slide deck")
        COLUMN = "column", _("Column")
        REPORT = "report", _("Report")
        WHITE_PAPER = "white_paper", _("White paper")
        OTHER = "other", _("Other")

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=True)
    kind = models.CharField(_("kind of document"), max_length=20, choices=Kind.choices)
    publisher = models.CharField(_("publisher / issuing body"), max_length=200, blank=True)
    authors = models.CharField(
        _("authors"), max_length=300, blank=True, help_text=_("Separate names with 、")
    )
    published_on = models.DateField(_("date"), null=True, blank=True)
    source_url = models.URLField(_("source URL"), blank=True,
                                 validators=[validate_no_bidi_controls])
    language = models.CharField(_("language"), max_length=10, default="ja")
    summary = models.TextField(_("summary (Markdown)"), blank=True, validators=[validate_markdown])
    summary_html = models.TextField(editable=False, blank=True)
    # title_sort_key(title), stored so that the article list sorts in the database.
    title_sort = models.CharField(max_length=300, editable=False, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Optimistic concurrency: every save raises it; a save made from an older one is refused.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # SHA-256 of the imported report's normalised text, to refuse importing it twice.
    checksum = models.CharField(_("text checksum"), max_length=64, blank=True, db_index=True,
                                editable=False)
    # kb.text.text_fingerprint of its sections' text: the same report imported again in
    # another format (Markdown, DOCX, PDF, copied text) is recognised by it.
    fingerprint = models.TextField(_("text fingerprint"), blank=True, editable=False)

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
        self.title_sort = title_sort_key(self.title)
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
    tag = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="tagged_sections",
                            verbose_name=_("topic"))

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
    # The heading's level in the article: 2 is a top heading (h2), 3 under it, and so on.
    level = models.PositiveSmallIntegerField(
        _("heading level"), default=2, validators=[MinValueValidator(2), MaxValueValidator(6)],
        help_text=_("2 for a top-level heading, 3 for one under it, down to 6."),
    )
    body = models.TextField(_("body (Markdown)"), blank=True, validators=[validate_markdown])
    body_html = models.TextField(editable=False, blank=True)
    plain_text = models.TextField(editable=False, blank=True)
    # Where the section sits in the original: PDF pages (from the extraction) or slide
    # numbers; None for originals without pages (DOCX, text) or sections typed in kb.
    page_start = models.PositiveIntegerField(_("first page"), null=True, blank=True)
    page_end = models.PositiveIntegerField(_("last page"), null=True, blank=True)
    # Pages that begin inside the section: [[offset, page], ...], offsets in ``plain_text``
    # code points (the passages' coordinates), ascending. Moved with the text on every edit
    # (kb.passages.services.save_section), as passages are.
    page_breaks = models.JSONField(_("page breaks"), default=list, blank=True, editable=False)
    # Bumped by kb.passages.services.save_section whenever the text changes; passages record the
    # version they were made on.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    topics = TaggableManager(through=TaggedSection, blank=True, verbose_name=_("topics"))

    objects = SectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["article", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "anchor"], name="unique_section_anchor")
        ]
        # The sections edited since a time, for the import's topic profiles (TopicWords).
        indexes = [models.Index(fields=["updated_at"], name="kb_section_updated")]
        permissions = [("tag_passages", _("Can tag passages of text"))]

    def __str__(self) -> str:
        return self.heading or self.anchor

    def save(self, *args, **kwargs):
        self.body = normalise_source(self.body)
        self.body_html, links = render_with_links(self.body, resolve_links)
        self.plain_text = html_to_text(self.body_html)
        adding = self._state.adding
        super().save(*args, **kwargs)
        store_links(self, links, adding=adding)

    def get_absolute_url(self) -> str:
        return f"{self.article.get_absolute_url()}#{self.anchor}"

    def page_at(self, offset: int) -> int | None:
        """The page of the original on which the character at ``offset`` of ``plain_text``
        was printed; None when the section has no pages."""
        page = self.page_start
        for start, number in self.page_breaks or ():
            if start > offset:
                break
            page = number
        return page


class Link(models.Model):
    """A ``[[...]]`` wiki link written in a section, for "what links here" and missing links.

    Derived from the section's Markdown on every save; all targets empty means the link
    points at something that does not exist (yet).
    """

    source = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="outgoing_links",
                               verbose_name=_("linking section"))
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


# Wiki links: resolved against these models when a section is saved (kb.library.wikilinks
# parses and renders them).


def resolve_links(links: list[WikiLink]) -> None:
    """Fill in each link's target in a fixed number of queries, whatever the number of links."""
    topic_links = [link for link in links if link.is_topic]
    article_links = [link for link in links if not link.is_topic]
    if topic_links:
        keys = {normalise_key(link.name) for link in topic_links}
        written = {link.name for link in topic_links} | keys
        topics = (
            Topic.objects.annotate(en=Lower("name_en"), lower_name=Lower("name"))
            .filter(
                Q(name__in=written) | Q(lower_name__in=keys) | Q(en__in=keys)
                | Q(slug__in=written) | Q(aliases__name__in=written)
            )
            .prefetch_related("aliases")
            .distinct()
        )
        by_key = {}
        for topic in topics:
            for name in [topic.name, topic.name_en, topic.slug, *(a.name for a in topic.aliases.all())]:
                if name:
                    by_key.setdefault(normalise_key(name), topic)
        for link in topic_links:
            topic = by_key.get(normalise_key(link.name))
            if topic:
                link.topic_id, link.url = topic.pk, topic.get_absolute_url()
    if article_links:
        keys = {normalise_key(link.name) for link in article_links}
        written = {link.name for link in article_links}
        articles = Article.objects.annotate(lower_title=Lower("title")).filter(
            Q(title__in=written) | Q(lower_title__in=keys)
        )
        by_key = {normalise_key(a.title): a for a in articles}
        fragments = [link for link in article_links if link.fragment]
        sections: dict[tuple[int, str], Section] = {}
        if fragments and by_key:
            for section in Section.objects.filter(
                article__in=list(by_key.values())
            ).only("id", "article_id", "anchor", "heading"):
                sections.setdefault((section.article_id, section.anchor), section)
                sections.setdefault((section.article_id, normalise_key(section.heading)), section)
        for link in article_links:
            article = by_key.get(normalise_key(link.name))
            if not article:
                continue
            link.article_id, link.url = article.pk, article.get_absolute_url()
            if link.fragment:
                section = sections.get((article.pk, link.fragment)) or sections.get(
                    (article.pk, normalise_key(link.fragment))
                )
                if section:
                    link.section_id = section.pk
                    link.url = f"{link.url}#{section.anchor}"


def store_links(section, links: list[WikiLink], *, adding: bool = False) -> None:
    """Replace the Link rows of ``section`` with ``links`` (derived data, rebuilt on save)."""
    if not adding:
        Link.objects.filter(source=section).delete()
    unique = {link.target: link for link in links}.values()
    Link.objects.bulk_create([
        Link(
            source=section, target=link.target[:300], target_key=link.key[:300],
            target_article_id=link.article_id, target_section_id=link.section_id,
            target_topic_id=link.topic_id,
        )
        for link in unique
    ])


# Revision history (django-reversion). An article's revision holds its sections and their
# topic rows, so one revision is a complete, restorable state of the article.
reversion.register(Article, follow=["sections"])
reversion.register(Section, follow=["tagged_items"])
reversion.register(TaggedSection)
reversion.register(Topic, follow=["aliases"])
reversion.register(TopicAlias)


class TopicRedirect(models.Model):
    """An old topic slug (after a rename or merge) and the topic it now means."""

    old_slug = models.CharField(_("old slug"), max_length=100, unique=True)
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("topic redirect")
        verbose_name_plural = _("topic redirects")

    def __str__(self) -> str:
        return f"{self.old_slug} → {self.topic.slug}"
