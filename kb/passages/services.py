"""Writes of passages, and the section edits that move them (re-anchoring, orphaning).

Each service is one transaction: it succeeds whole or changes nothing. An edit that moves,
fuzzes or orphans someone's passage notifies them in that transaction (kb.passages.alerts);
``editor`` is who made the edit, who is not told about their own passages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kb.library.models import Article, Section
from kb.library.services import resolve_topics
from kb.passages import alerts, anchoring
from kb.passages.models import Passage
from kb.search import index as search_index
from kb.text import normalise_source
from kb.validators import validate_no_nul

MAX_TOPICS_PER_PASSAGE = 20
MAX_TOPIC_NAME = 100  # Topic.name's max_length


def clean_note(note: str) -> str:
    """A passage's note as stored; PostgreSQL text cannot hold NUL, so it is refused here."""
    validate_no_nul(note)
    return normalise_source(note).strip()


def clean_topic_names(names: Iterable[str]) -> list[str]:
    """Strip, drop blanks and case-insensitive repeats; a passage needs at least one tag."""
    cleaned: dict[str, str] = {}
    for name in names:
        validate_no_nul(name)
        name = normalise_source(name).strip()
        if len(name) > MAX_TOPIC_NAME:
            raise ValidationError(
                _("A tag may have at most %(max)d characters.") % {"max": MAX_TOPIC_NAME},
                code="invalid",
            )
        if name:
            cleaned.setdefault(name.casefold(), name)
    if not cleaned:
        raise ValidationError(_("Give the passage at least one tag."), code="required")
    if len(cleaned) > MAX_TOPICS_PER_PASSAGE:
        raise ValidationError(
            _("A passage may have at most %(max)d tags.") % {"max": MAX_TOPICS_PER_PASSAGE},
            code="invalid",
        )
    return list(cleaned.values())


def _select(section: Section, exact: str, start: int | None) -> anchoring.Selector:
    """Selectors for ``exact`` in the section's current text, at ``start`` (code points) or,
    without it, at the quote's only occurrence. Refuses a span the text does not hold."""
    text = section.plain_text
    if not exact.strip():
        raise ValidationError(_("Select some text first."), code="required")
    if start is None:
        found = text.count(exact)
        if found != 1:
            raise ValidationError(
                _("The quote occurs %(count)d times in the section; give its position.")
                % {"count": found},
                code="stale" if found == 0 else "ambiguous",
            )
        start = text.index(exact)
    end = start + len(exact)
    if start < 0 or text[start:end] != exact:
        # The page the analyst selected on is older than the section: they must reload.
        raise ValidationError(
            _("The section's text has changed since the page was loaded; reload and select again."),
            code="stale",
        )
    return anchoring.select(text, start, end)


def _locked(section: Section) -> Section:
    """The section's current row, locked until the transaction ends (PostgreSQL), so that
    no edit slips between checking a selection and saving it."""
    return Section.objects.select_for_update().get(pk=section.pk)


def _apply_selector(passage: Passage, section: Section, selector: anchoring.Selector) -> None:
    passage.exact, passage.prefix, passage.suffix = selector.exact, selector.prefix, selector.suffix
    passage.start, passage.end = selector.start, selector.end
    passage.section_version = section.version
    passage.section_anchor = section.anchor
    passage.status = Passage.Status.ANCHORED


@transaction.atomic
def create_passage(
    *,
    section: Section,
    analyst: AbstractBaseUser,
    exact: str,
    start: int | None = None,
    topics: Sequence[str],
    note: str = "",
) -> Passage:
    """Tag ``exact`` at code point ``start`` of the section's plain text with ``topics``.

    The one way passages are made (page endpoint, admin, fixtures). Topics are found by slug,
    label or alias, or created as free tags. Raises ValidationError, changing nothing, when
    the quote is not at that place (code "stale": the page is older than the text) or no
    tag is given.
    """
    section = _locked(section)
    names = clean_topic_names(topics)
    passage = Passage(section=section, article_id=section.article_id, analyst=analyst,
                      note=clean_note(note))
    _apply_selector(passage, section, _select(section, normalise_source(exact), start))
    passage.save()
    passage.topics.set(resolve_topics(names))
    search_index.reindex_passages([passage.pk])
    return passage


@transaction.atomic
def update_passage(
    *,
    passage: Passage,
    topics: Sequence[str] | None = None,
    note: str | None = None,
    exact: str | None = None,
    start: int | None = None,
    section: Section | None = None,
) -> Passage:
    """Change a passage's tags or note, or re-attach it to a new span: ``exact`` at
    ``start`` of the current text of ``section`` (any section of the passage's article;
    by default its own), which anchors it afresh. This is how an orphan gets a place again.
    Arguments left None keep their value."""
    if exact is not None:
        target = section or passage.section
        if target is None:
            raise ValidationError(_("Select the new text in a section of the article."),
                                  code="required")
        if target.article_id != passage.article_id:
            raise ValidationError(
                _("A passage can only be re-attached to text of the article it was made in."),
                code="invalid",
            )
        target = _locked(target)
        _apply_selector(passage, target, _select(target, normalise_source(exact), start))
        passage.section = target
    elif start is not None:
        raise ValidationError(_("Give the quote with its position."), code="required")
    names = clean_topic_names(topics) if topics is not None else None
    if note is not None:
        passage.note = clean_note(note)
    passage.save()
    if names is not None:
        passage.topics.set(resolve_topics(names))
    search_index.reindex_passages([passage.pk])
    return passage


@transaction.atomic
def confirm_passage(*, passage: Passage) -> Passage:
    """Accept where re-anchoring put a fuzzy or moved passage: its quote becomes the text
    now at that span, on the section's current version."""
    if passage.status == Passage.Status.ORPHANED or passage.section_id is None:
        raise ValidationError(
            _("This passage's text is gone; select new text to re-attach it."), code="invalid"
        )
    section = _locked(passage.section)
    _apply_selector(passage, section, anchoring.select(section.plain_text, passage.start, passage.end))
    passage.save()
    search_index.reindex_passages([passage.pk])
    return passage


@transaction.atomic
def delete_passage(*, passage: Passage) -> None:
    """Delete a passage and its tags (its search entry goes with it: cascade)."""
    passage.delete()


@transaction.atomic
def save_section(*, section: Section, edited: bool = False,
                 editor: AbstractBaseUser | None = None) -> list[Passage]:
    """Save a new or edited section (as a form left it). When its heading or body changed,
    or the caller says an editor changed it (``edited``: an admin form that changed, say,
    its topics), bump its version, which the section's admin form checks against stale
    saves. When its body changed, re-anchor every passage on it in the same transaction;
    a passage is never deleted, only marked anchored, moved, fuzzy or orphaned. Returns the
    passages re-anchored.
    """
    stored = (
        Section.objects.select_for_update().filter(pk=section.pk)
        .values("heading", "body", "version", "plain_text").first()
        if section.pk
        else None
    )
    changed = stored is not None and normalise_source(section.body) != stored["body"]
    if stored is not None:
        bump = changed or edited or section.heading != stored["heading"]
        section.version = stored["version"] + int(bump)
    if changed and section.page_breaks:
        # Page breaks move with the text as passages do, so each passage keeps its page.
        old_text = stored["plain_text"]
        section.save()
        section.page_breaks = anchoring.move_page_breaks(old_text, section.plain_text,
                                                         section.page_breaks)
        Section.objects.filter(pk=section.pk).update(page_breaks=section.page_breaks)
    else:
        section.save()
    search_index.reindex_sections([section.pk])
    if not changed:
        return []
    passages = list(section.passages.all())
    knocked = []
    for passage in passages:
        anchor = anchoring.reanchor(
            section.plain_text,
            anchoring.Selector(passage.exact, passage.prefix, passage.suffix, passage.start, passage.end),
        )
        # Told once per change: a fuzzy passage an edit leaves where it was is no news.
        if (anchor.status, anchor.start, anchor.end) != (passage.status, passage.start, passage.end):
            knocked.append((passage.pk, passage.analyst_id, anchor.status))
        passage.status, passage.start, passage.end = anchor.status, anchor.start, anchor.end
    Passage.objects.bulk_update(passages, ["status", "start", "end"])
    search_index.reindex_passages([p.pk for p in passages])
    alerts.notify_passages(knocked, editor=editor)
    return passages


def _orphan_passages(sections: QuerySet[Section], editor: AbstractBaseUser | None) -> int:
    # One UPDATE for all of them; the SET_NULL on Passage.section would clear the section
    # anyway, but only here does the passage learn that it lost its place (and its analyst
    # hears of it: the passages are read first, to know whom to tell).
    passages = Passage.objects.filter(section__in=sections)
    lost = list(passages.order_by().values_list("pk", "analyst_id"))
    orphaned = passages.update(section=None, status=Passage.Status.ORPHANED)
    alerts.notify_passages([(pk, analyst, anchoring.ORPHANED) for pk, analyst in lost], editor=editor)
    return orphaned


@transaction.atomic
def delete_sections(*, sections: QuerySet[Section], editor: AbstractBaseUser | None = None) -> int:
    """Delete sections (an article edit, a restore, the admin). Analysts' passages on them
    are kept as orphans of their article, for their analysts to re-attach or delete.
    Returns how many passages were orphaned."""
    orphaned = _orphan_passages(sections, editor)
    sections.delete()
    return orphaned


@transaction.atomic
def delete_article(*, article: Article, editor: AbstractBaseUser | None = None) -> int:
    """Delete an article and its sections. Its passages stay, orphaned, still pointing at
    the article: django-reversion can recover it (same id), and then they can be
    re-attached on its page. Returns how many passages were orphaned."""
    orphaned = _orphan_passages(Section.objects.filter(article=article), editor)
    article.delete()
    return orphaned


@transaction.atomic
def orphan_detached_passages(*, article: Article, editor: AbstractBaseUser | None = None) -> int:
    """Mark orphaned the article's passages whose section was deleted by code outside these
    services (django-reversion's admin revert deletes sections itself)."""
    detached = (Passage.objects.filter(article=article, section__isnull=True)
                .exclude(status=Passage.Status.ORPHANED))
    lost = list(detached.order_by().values_list("pk", "analyst_id"))
    orphaned = detached.update(status=Passage.Status.ORPHANED)
    alerts.notify_passages([(pk, analyst, anchoring.ORPHANED) for pk, analyst in lost], editor=editor)
    return orphaned


