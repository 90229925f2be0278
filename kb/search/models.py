"""The search index's rows (the tokens live beside them, per database: kb.search.backends)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kb.library.models import Article, Section, Topic
from kb.passages.models import Passage


class SearchEntry(models.Model):
    """One searchable thing (a section, a passage, an article, a topic) in the search index.

    The tokens live beside it in a database-specific structure (an FTS5 table on SQLite,
    a ``vector`` tsvector column on PostgreSQL; see kb/search/backends/ and migration
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


class SearchWord(models.Model):
    """A Latin or digit word of the index, under each start a search term may match it
    from (kb.search.tokenise.word_starts): its beginning, and each letter↔digit boundary
    inside it (beyond5g under beyond5g and 5g). A term looks up the longer words it
    begins (GAFA → gafam, 5G → beyond5g) and searches them too, after its exact matches.

    Kept by kb.search.index with the index's writes; a word whose last text was deleted
    stays until a rebuild (it then finds nothing more)."""

    start = models.CharField(max_length=64, db_index=True)
    word = models.CharField(max_length=64)
    inner = models.BooleanField()  # ``start`` begins inside ``word``, at a letter↔digit boundary

    class Meta:
        verbose_name = _("search word")
        verbose_name_plural = _("search words")
        constraints = [models.UniqueConstraint(fields=["start", "word"], name="unique_search_word")]

    def __str__(self) -> str:
        return f"{self.start} → {self.word}"
