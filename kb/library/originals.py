"""Originals: the files articles were imported from, kept byte for byte (their bytes in the
"originals" storage, their rows here)."""

from dataclasses import dataclass

from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Original(models.Model):
    """The file an article was imported from, kept as it was uploaded, byte for byte, so a
    citation can point at the source of record. Its bytes live in the "originals" storage
    (settings.STORAGES) under a name of their own; a row and its file never change once
    written: importing again makes a new Original."""

    article = models.ForeignKey("kb.Article", on_delete=models.CASCADE, related_name="originals",
                                verbose_name=_("article"))
    # The name in the originals storage: unique per upload, never the uploader's filename.
    stored_name = models.CharField(max_length=255, unique=True, editable=False)
    filename = models.CharField(_("original filename"), max_length=255, editable=False)
    content_type = models.CharField(_("content type"), max_length=120, editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"), editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("original file")
        verbose_name_plural = _("original files")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.filename

    def get_absolute_url(self) -> str:
        return reverse("kb:article_original", args=[self.article.slug])

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"

    def open(self) -> File:
        return originals_storage().open(self.stored_name, "rb")


# The STORAGES alias of originals' bytes (kb.settings.base: local files or object storage).
ORIGINALS_STORAGE = "originals"


def originals_storage() -> Storage:
    return storages[ORIGINALS_STORAGE]


@dataclass
class OriginalFile:
    """A file to keep as an original (kb.library.services.store_original): its bytes and
    what is known of them; ``sha256``, when given (a backup's record), must match them."""

    content: bytes
    filename: str
    content_type: str
    sha256: str = ""
