"""The site's own record: the committed content changes the page cache derives from."""

from django.db import models
from django.utils import timezone


class ContentChange(models.Model):
    """Committed writes to kb's content, from which the page cache derives its generation.

    Each write inserts one row (kb.site.cache.content_changed), visible only when its transaction
    commits; after the commit the rows are folded into one, keeping their total weight and
    latest time. The generation is that total and time: it grows with every commit, and
    living in the database it cannot go back when the cache is restored from a snapshot.
    Inserts take no lock another writer waits for, unlike a counter row updated in place.
    """

    weight = models.PositiveBigIntegerField(default=1)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.weight} change(s) up to {self.changed_at:%Y-%m-%d %H:%M:%S}"
