"""Where an article's text came from: its original file, and the article that already holds
a report's text whatever format the report comes in (reads)."""

from __future__ import annotations

import operator
from functools import reduce

from django.db.models import Q
from django.http import Http404

from kb.library.models import Article
from kb.library.originals import Original
from kb.text import fingerprint_similarity


def article_original(slug: str) -> Original:
    """The latest original of the article ``slug`` (404 if it has none): an import made
    again adds an original, it never replaces the stored one."""
    original = (Original.objects.select_related("article").filter(article__slug=slug)
                .order_by("-created_at", "-id").first())
    if original is None:
        raise Http404("This article has no original file.")
    return original


# Fingerprints this close are the same report (kb.text.fingerprint_similarity): the formats
# of one chapter score 0.99-1.00; different chapters of one white paper, written with the
# same stock phrases, about 0.25.
SAME_REPORT = 0.8
CANDIDATE_RUNS = 8


def article_with_text(*, checksum: str, fingerprint: str) -> Article | None:
    """The article already holding a report's text, whatever format it came in: the same
    checksum (the same text), or the closest fingerprint at SAME_REPORT or above."""
    if checksum:
        same = Article.objects.filter(checksum=checksum).first()
        if same is not None:
            return same
    if not fingerprint:
        return None
    # Only articles holding one of the text's CANDIDATE_RUNS smallest runs are compared: a
    # text sharing a share J of its runs misses each with a chance of 1 - J, so one at
    # SAME_REPORT is passed over once in (1 / 0.2) ** 8, some 390,000 times.
    runs = [fingerprint[i:i + 8] for i in range(0, min(len(fingerprint), 8 * CANDIDATE_RUNS), 8)]
    candidates = Article.objects.filter(reduce(operator.or_, (Q(fingerprint__contains=run)
                                                              for run in runs)))
    best, closest = SAME_REPORT, None
    for pk, other in candidates.values_list("pk", "fingerprint"):
        similarity = fingerprint_similarity(fingerprint, other)
        if similarity >= best:
            best, closest = similarity, pk
    return Article.objects.filter(pk=closest).first() if closest else None
