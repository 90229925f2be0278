"""Passages as W3C Web Annotations (https://www.w3.org/TR/annotation-model/), alone or as an
AnnotationCollection of AnnotationPages, for any W3C client (Hypothesis, Recogito, ...).

What the tests hold it to (tests/exchange/test_annotations.py runs the W3C test suite's MUST
assertions over every shape made here):
- ``id`` is the passage's one URL, ``/api/passages/<id>/``, on the configured origin
  (kb/site/canonical.py), so it dereferences, and an export fetched by any host name names
  a passage alike;
- every annotation carries its ``@context``, so each stands alone when taken out of a page;
- a tag is a SpecificResource whose ``source`` is the topic's IRI, with purpose tagging; a
  note is a TextualBody with purpose commenting;
- the target is a SpecificResource with exactly one ``source``: the article's page at the
  passage's section (an orphan's last known section); selectors that all describe the same
  text: a placed passage's quote and position as the section reads now, an orphan's quote
  alone (its position points nowhere any more);
- times are xsd:dateTime in UTC, ending in ``Z``; the creator has an ``id``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urlsplit

from django.urls import reverse

from kb.passages.anchoring import select
from kb.passages.models import Passage
from kb.passages.serializers import analyst_name
from kb.site.canonical import absolute, site_url
from kb.site.timestamps import utc_iso

ANNOTATION_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
ANNOTATION_PROFILE = f'application/ld+json; profile="{ANNOTATION_CONTEXT}"'
# Annotations per AnnotationPage: a page stays a few hundred kilobytes.
PAGE_SIZE = 200


def annotation_id(passage: Passage) -> str:
    return absolute(reverse("kb:api_passage", args=[passage.pk]))


def creator(user) -> dict[str, Any]:
    """The analyst as a Person. Their id is an ``acct:`` URI (RFC 7565) of their account on
    this site, as Hypothesis names its users: kb has no public page per person."""
    host = urlsplit(site_url()).netloc
    return {
        "id": f"acct:{quote(user.get_username(), safe='')}@{host}",
        "type": "Person",
        "nickname": user.get_username(),
        "name": analyst_name(user),
    }


def _selectors(passage: Passage) -> list[dict[str, Any]]:
    if passage.section is None or passage.status == Passage.Status.ORPHANED:
        return [{"type": "TextQuoteSelector", "exact": passage.exact,
                 "prefix": passage.prefix, "suffix": passage.suffix}]
    # Quote and context from the section's text as it is now, so that the two selectors
    # agree: a moved or fuzzy passage's saved quote is not what its position holds.
    now = select(passage.section.plain_text, passage.start, passage.end)
    return [
        {"type": "TextQuoteSelector", "exact": now.exact, "prefix": now.prefix,
         "suffix": now.suffix},
        {"type": "TextPositionSelector", "start": now.start, "end": now.end},
    ]


def _source(passage: Passage) -> dict[str, Any]:
    """The page the passage is (or was last) on. A passage whose article is deleted has no
    page left: its own URL stands in, the one place kb still answers for it."""
    article = passage.source_article
    if article is None:
        return {"id": annotation_id(passage)}
    anchor = passage.section.anchor if passage.section else passage.section_anchor
    return {
        "id": absolute(article.get_absolute_url()) + (f"#{anchor}" if anchor else ""),
        "type": "Text",
        "format": "text/html",
        "language": article.language,
    }


def _motivation(passage: Passage, *, tagged: bool) -> str:
    if tagged:
        return "tagging"
    return "commenting" if passage.note else "highlighting"


def web_annotation(passage: Passage) -> dict[str, Any]:
    """One passage (with its ``analyst``, ``article``, ``section`` and ``topics`` loaded)."""
    bodies: list[dict[str, Any]] = [
        {"type": "SpecificResource", "purpose": "tagging",
         "source": absolute(topic.get_absolute_url())}
        # In name order: the same annotation whichever query loaded the topics.
        for topic in sorted(passage.topics.all(), key=lambda t: t.name)
    ]
    if passage.note:
        bodies.append({"type": "TextualBody", "purpose": "commenting", "value": passage.note,
                       "format": "text/plain"})
    annotation: dict[str, Any] = {
        "@context": ANNOTATION_CONTEXT,
        "id": annotation_id(passage),
        "type": "Annotation",
        "motivation": _motivation(passage, tagged=len(bodies) > bool(passage.note)),
        "created": utc_iso(passage.created_at),
        "modified": utc_iso(passage.updated_at),
        "creator": creator(passage.analyst),
        "target": {"type": "SpecificResource", "source": _source(passage),
                   "selector": _selectors(passage)},
    }
    if bodies:
        annotation["body"] = bodies
    return annotation


def _page_id(collection_id: str, number: int) -> str:
    return f"{collection_id}{'&' if '?' in collection_id else '?'}page={number}"


def page_count(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


def annotation_page(
    passages: Sequence[Passage], *, collection_id: str, label: str, total: int, number: int
) -> dict[str, Any]:
    """Page ``number`` (from 1) of the collection; ``passages`` are that page's only. Its
    ``partOf`` describes the collection (id, label, total), as the model's example does."""
    last = page_count(total)
    page: dict[str, Any] = {
        "@context": ANNOTATION_CONTEXT,
        "id": _page_id(collection_id, number),
        "type": "AnnotationPage",
        "partOf": {"id": collection_id, "label": label, "total": total},
        "startIndex": (number - 1) * PAGE_SIZE,
        "items": [web_annotation(p) for p in passages],
    }
    if number > 1:
        page["prev"] = _page_id(collection_id, number - 1)
    if number < last:
        page["next"] = _page_id(collection_id, number + 1)
    return page


def annotation_collection(
    first: Sequence[Passage], *, collection_id: str, label: str, total: int
) -> dict[str, Any]:
    """The collection with its first page embedded (``first``: that page's passages), so a
    small export is one file; the other pages are at ``?page=N`` of the collection's id."""
    collection: dict[str, Any] = {
        "@context": ANNOTATION_CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": label,
        "total": total,
    }
    if total:
        collection["first"] = annotation_page(first, collection_id=collection_id, label=label,
                                              total=total, number=1)
        collection["last"] = _page_id(collection_id, page_count(total))
    return collection
