"""Passages as data: for the article page's script and as CSV rows (W3C Web Annotations are
an exchange format: kb/exchange/annotations.py)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kb.passages import permissions
from kb.passages.anchoring import codepoint_to_utf16
from kb.passages.models import Passage

if TYPE_CHECKING:
    from kb.library.selectors import ArticlePage

def analyst_name(user: AbstractBaseUser) -> str:
    return user.get_full_name() or user.get_username()


def passage_for_page(passage: Passage, *, user: permissions.User) -> dict[str, Any]:
    """What the page's script needs to highlight a passage and describe it.

    Offsets are UTF-16 code units (``start16``/``end16``), as DOM ranges count; an orphaned
    passage has none, since its text is gone (and ``section`` is None once the section is).
    """
    placed = passage.status != Passage.Status.ORPHANED and passage.section is not None
    text = passage.section.plain_text if placed else ""
    return {
        "id": passage.pk,
        "section": passage.section_id,
        "start16": codepoint_to_utf16(text, passage.start) if placed else None,
        "end16": codepoint_to_utf16(text, passage.end) if placed else None,
        "exact": passage.exact,
        "status": passage.status,
        "statusLabel": str(passage.get_status_display()),
        "note": passage.note,
        "analyst": analyst_name(passage.analyst),
        # The date people see on the card: the site's, as on the topic page, not UTC's.
        "created": timezone.localdate(passage.created_at).isoformat(),
        "topics": [
            # ``label`` in the reader's language (the English one in English), ``lang`` "ja"
            # when it is the Japanese name; ``name`` stays the one the tag field takes.
            {"name": t.name, "slug": t.slug, "url": t.get_absolute_url(), "label": t.local_name,
             "lang": "" if t.shown_in_english() else "ja"}
            for t in passage.topics.all()
        ],
        "canChange": permissions.can_change_passage(user, passage),
        "canDelete": permissions.can_delete_passage(user, passage),
        "url": reverse("kb:api_passage", args=[passage.pk]),
        # The page of the original where the quote starts, and where to cite it from.
        "page": passage.page,
        "cite": reverse("kb:passage_cite", args=[passage.pk]),
    }


CSV_HEADER = [
    "id", "article", "article_url", "section", "section_heading", "quote", "prefix", "suffix",
    "start", "end", "status", "topics", "note", "analyst", "created", "updated", "url",
]


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: a leading =, +, - or @ would run as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _local(moment: datetime) -> str:
    """A spreadsheet's reader sees the site's date and time; the offset keeps it exact."""
    return timezone.localtime(moment).isoformat(timespec="seconds")


def csv_rows(passages: Iterable[Passage], *, base_url: str) -> Iterator[list[str]]:
    yield CSV_HEADER
    for p in passages:
        # An orphan has no section; one of a deleted article has no article either.
        article, section, url = p.source_article, p.section, p.get_absolute_url()
        yield [_cell(v) for v in (
            p.pk, article.title if article else "",
            base_url + article.get_absolute_url() if article else "",
            section.anchor if section else "", section.heading if section else "",
            p.exact, p.prefix, p.suffix, p.start, p.end, p.status,
            "、".join(t.name for t in p.topics.all()), p.note, analyst_name(p.analyst),
            _local(p.created_at), _local(p.updated_at), base_url + url if url else "",
        )]


def article_config(request: HttpRequest, page: ArticlePage) -> dict[str, Any]:
    """The data the article page's script starts from: passages to highlight, who may do what,
    where to send writes, and the interface's words in the reader's language."""
    return {
        "passages": [passage_for_page(p, user=request.user) for p in page.passages],
        "canTag": permissions.can_tag(request.user),
        "api": {"create": reverse("kb:api_passages"), "topics": reverse("kb:api_topics"),
                "match": reverse("kb:api_topic_match")},
        "repairUrl": reverse("kb:passages_repair"),
        "strings": {
            "tag": _("Tag passage"), "tags": _("Tags"), "note": _("Note"), "save": _("Save"),
            "cancel": _("Cancel"), "edit": _("Edit"), "delete": _("Delete"),
            "confirmDelete": _("Delete this passage?"),
            "addTagHint": _("Type a topic and press Enter; new tags are allowed."),
            "removeTag": _("Remove tag"), "by": _("by"), "failed": _("Could not save:"),
            "reattach": _("Select the new text for this passage, then save."),
            "notFound": _("This passage's text was changed by an edit and could not be found."),
            "passage": _("Passage"), "reattachHere": _("Re-attach here"),
            "repairList": _("Passages to repair"), "newTag": _("new"), "cite": _("Cite"),
            "tagKey": _("Or press t to tag the selected text"),
        },
    }
