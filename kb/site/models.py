"""The site's own record: the committed content changes the page cache derives from."""

from django.db import models
from django.utils import timezone


class ContentChange(models.Model):
    """Committed writes to kb's content, from which the page cache derives its generations.

    Each write inserts one row per dependency it changed (kb.site.cache.content_changed: an
    article, a topic, the lists...), visible only when its transaction commits; after the
    commit each dependency's rows are folded into one, keeping their total weight and latest
    time. A dependency's generation is that total and time: it grows with every commit, and
    living in the database it cannot go back when the cache is restored from a snapshot.
    Inserts take no lock another writer waits for, unlike a counter row updated in place.
    """

    # Rows from before dependencies were recorded changed, as far as anyone knew, everything.
    dependency = models.CharField(max_length=100, default="everything", db_index=True)
    weight = models.PositiveBigIntegerField(default=1)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return (f"{self.dependency}: {self.weight} change(s) up to "
                f"{self.changed_at:%Y-%m-%d %H:%M:%S}")
