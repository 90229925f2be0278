"""Three-way merge of a stale admin change form, as MediaWiki merges an edit conflict.

An editor who saves a form loaded from an older version is refused, and gets back the
stored version with their own changes (what they changed from the version they loaded)
applied on top of it: fields only they changed keep their input, fields only the other
editor changed take the stored value. A field both changed, differently, is a clash:
the input keeps the editor's value, the stored one is shown beside it, and the form is
refused until the editor picks one of the two for each clash (``kb_keep-<input name>``).
Without that, saving the returned form again would silently overwrite the other change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext as _
from taggit.utils import edit_string_for_tags, parse_tags

from kb.editorial.revisions import ARTICLE_FIELDS, ArticleState, SectionState
from kb.library.models import Section
from kb.text import normalise_source

CLASH = "kb_clash"  # hidden inputs naming the form's unresolved clashes
KEEP = "kb_keep-"  # + a clash's name: "mine" or "theirs"
MINE, THEIRS = "mine", "theirs"

SECTION_FIELDS = ["position", "heading", "body", "topics"]
PREFIX = "sections"  # the article form's section inline


@dataclass
class Clash:
    """A change both editors made. ``name`` is the input holding the editor's value, or
    ``sections-<n>`` for a section one editor deleted and the other changed; ``mine`` and
    ``theirs`` the two values, side by side."""

    name: str
    label: str
    mine: str
    theirs: str


def _input(name: str, value: object) -> str:
    """A stored value as the form's input holds it."""
    if name == "topics":
        # Section states hold topic names; the topics input is taggit's tag string.
        return edit_string_for_tags([SimpleNamespace(name=n) for n in value])
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


def _meaning(name: str, value: str) -> object:
    if name == "topics":
        return {t.casefold() for t in parse_tags(value)}
    if name == "published_on":
        try:
            return forms.DateField().to_python(value)  # any date format the form accepts
        except ValidationError:
            pass
    return normalise_source(value)


def _same(name: str, a: str, b: str) -> bool:
    """Whether two inputs mean the same value (CRLF line ends, tag order and date format
    do not count)."""
    return _meaning(name, a) == _meaning(name, b)


def _pick(name: str, base: str | None, theirs: str, mine: str, pending: bool) -> tuple[str, bool]:
    """The merged input and whether it clashes. ``base`` None: the version the editor
    loaded is not recorded, so any difference from the stored value is a clash."""
    if base is not None and _same(name, mine, base) and not pending:
        return theirs, False
    if _same(name, mine, theirs) or (base is not None and _same(name, theirs, base) and not pending):
        return mine, False
    return mine, True


def _field_label(field: str) -> str:
    return str(Section._meta.get_field(field).verbose_name)


def describe(name: str, data: QueryDict, stored: dict[str, str]) -> Clash:
    """The clash ``name`` of a merged form holding ``data``, for the editor to decide."""
    labels = {field: str(label) for field, label in ARTICLE_FIELDS}
    if name in labels:
        return Clash(name, labels[name], data.get(name, ""), stored.get(name, ""))
    if not name.startswith(f"{PREFIX}-"):  # a section's own form
        return Clash(name, f"「{data.get('heading', '')}」 {_field_label(name)}",
                     data.get(name, ""), stored.get(name, ""))
    _prefix, index, *field = name.split("-")
    heading = data.get(f"{PREFIX}-{index}-heading", "")
    if field:
        return Clash(name, f"「{heading}」 {_field_label(field[0])}",
                     data.get(name, ""), stored.get(name, ""))
    if data.get(f"{name}-id"):
        return Clash(name, f"「{heading}」 {_('changed by the other editor, deleted by you')}",
                     _("(deleted)"), stored.get(name, ""))
    return Clash(name, f"「{heading}」 {_('deleted by the other editor, changed by you')}",
                 data.get(f"{name}-body", ""), _("(deleted)"))


def _form_count(data: QueryDict) -> int:
    count = data.get(f"{PREFIX}-TOTAL_FORMS", "")
    return int(count) if count.isdigit() else 0  # the formset reports a broken count itself


def _copy(post: QueryDict, *, skip: tuple[str, ...] = ()) -> QueryDict:
    """``post`` without the clash bookkeeping (and the inputs starting with ``skip``)."""
    data = QueryDict(mutable=True)
    for key in post:
        if key != CLASH and not key.startswith((KEEP, *skip)):
            data.setlist(key, post.getlist(key))
    return data


def merge_article(post: QueryDict, *, base: ArticleState | None,
                  now: ArticleState) -> tuple[QueryDict, list[Clash]]:
    """The article form (with its section inline) as ``now`` plus the editor's changes
    from ``base`` to ``post``; sections are matched by id (their anchor never changes)."""
    pending = set(post.getlist(CLASH))
    data = _copy(post, skip=(f"{PREFIX}-",))
    data["loaded_version"] = str(now.version)
    names = []
    for name, _label in ARTICLE_FIELDS:
        data[name], clash = _pick(
            name, _input(name, base.fields.get(name)) if base else None,
            _input(name, now.fields.get(name)), post.get(name, ""), name in pending)
        if clash:
            names.append(name)

    was = {s.pk: s for s in base.sections} if base else {}
    stored = {s.pk: s for s in now.sections}
    # (id or None for a new form, inputs, marked deleted, clashing inputs or "" for the
    # whole section); the stored sections come first, as the inline formset wants.
    kept: list[tuple[int | None, dict[str, str], bool, list[str]]] = []
    added: list[tuple[int | None, dict[str, str], bool, list[str]]] = []
    seen = set()
    for i in range(_form_count(post)):
        key = f"{PREFIX}-{i}"
        mine = {f: post.get(f"{key}-{f}", "") for f in SECTION_FIELDS}
        deleted = bool(post.get(f"{key}-DELETE"))
        pk = int(post[f"{key}-id"]) if post.get(f"{key}-id", "").isdigit() else None
        if pk is None:
            if not deleted:
                added.append((None, mine, False, []))
            continue
        seen.add(pk)
        old, current = was.get(pk), stored.get(pk)
        loaded = {f: _input(f, getattr(old, f)) if old else None for f in SECTION_FIELDS}
        if current is None:
            # Deleted meanwhile: gone, unless the editor changed it; then theirs to decide.
            untouched = old is not None and all(_same(f, mine[f], loaded[f]) for f in mine)
            if not (deleted or untouched):
                added.append((None, mine, False, [""]))
            continue
        theirs = {f: _input(f, getattr(current, f)) for f in SECTION_FIELDS}
        if deleted:
            changed = (old is None or key in pending
                       or not all(_same(f, theirs[f], loaded[f]) for f in theirs))
            kept.append((pk, theirs, True, [""] if changed else []))
            continue
        inputs, clashing = {}, []
        for f in SECTION_FIELDS:
            inputs[f], clash = _pick(f, loaded[f], theirs[f], mine[f], f"{key}-{f}" in pending)
            if clash:
                clashing.append(f)
        kept.append((pk, inputs, False, clashing))
    # Sections the other editor added.
    kept += [(s.pk, {f: _input(f, getattr(s, f)) for f in SECTION_FIELDS}, False, [])
             for s in now.sections if s.pk not in seen]

    for i, (pk, inputs, delete, clashing) in enumerate(kept + added):
        key = f"{PREFIX}-{i}"
        data[f"{key}-id"] = "" if pk is None else str(pk)
        data[f"{key}-article"] = str(now.pk)
        for f in SECTION_FIELDS:
            data[f"{key}-{f}"] = inputs[f]
        if delete:
            data[f"{key}-DELETE"] = "on"
        names += [f"{key}-{f}" if f else key for f in clashing]
    for name in ("MIN_NUM_FORMS", "MAX_NUM_FORMS"):
        data[f"{PREFIX}-{name}"] = post.get(f"{PREFIX}-{name}", "")
    data[f"{PREFIX}-TOTAL_FORMS"] = str(len(kept) + len(added))
    data[f"{PREFIX}-INITIAL_FORMS"] = str(len(kept))
    data.setlist(CLASH, names)
    stored_inputs = stored_article_inputs(data, now)
    return data, [describe(name, data, stored_inputs) for name in names]


def merge_section(post: QueryDict, *, base: SectionState | None, now: SectionState,
                  version: int, article_id: int) -> tuple[QueryDict, list[Clash]]:
    """A section's own form as ``now`` plus the editor's changes from ``base``."""
    pending = set(post.getlist(CLASH))
    data = _copy(post)
    data["loaded_version"] = str(version)
    stored = stored_section_inputs(now, article_id)
    names = []
    for f in ["article", *SECTION_FIELDS]:
        # Which article the section belonged to is not in its state: a move is a clash.
        loaded = _input(f, getattr(base, f)) if base and f != "article" else None
        data[f], clash = _pick(f, loaded, stored[f], post.get(f, ""), f in pending)
        if clash:
            names.append(f)
    data.setlist(CLASH, names)
    return data, [describe(name, data, stored) for name in names]


def resolve(post: QueryDict, *, stored: dict[str, str]) -> tuple[QueryDict, list[Clash]]:
    """Apply the editor's pick for each clash of a merged form saved again (the version
    it carries is the stored one, so ``stored``, the stored input by clash name, is what
    the editor was shown). Returns the data to save and the clashes still unpicked."""
    data = _copy(post)
    unresolved = []
    for name in post.getlist(CLASH):
        keep = post.get(KEEP + name)
        if keep == THEIRS and name.startswith(f"{PREFIX}-") and name.count("-") == 1:
            # A whole section: the stored side is the section deleted (a new form marked
            # deleted is not saved) or kept (the editor's deletion undone).
            if post.get(f"{name}-id"):
                data.pop(f"{name}-DELETE", None)
            else:
                data[f"{name}-DELETE"] = "on"
        elif keep == THEIRS:
            data[name] = stored.get(name, "")
        elif keep != MINE:
            unresolved.append(name)
    data.setlist(CLASH, unresolved)
    return data, [describe(name, data, stored) for name in unresolved]


def stored_article_inputs(data: QueryDict, now: ArticleState) -> dict[str, str]:
    """The stored value of each input of the article form holding ``data`` (and, for a
    whole section, its body)."""
    inputs = {name: _input(name, now.fields.get(name)) for name, _label in ARTICLE_FIELDS}
    stored = {s.pk: s for s in now.sections}
    for i in range(_form_count(data)):
        pk = data.get(f"{PREFIX}-{i}-id", "")
        section = stored.get(int(pk)) if pk.isdigit() else None
        if section is not None:
            inputs.update({f"{PREFIX}-{i}-{f}": _input(f, getattr(section, f))
                           for f in SECTION_FIELDS})
            inputs[f"{PREFIX}-{i}"] = section.body
    return inputs


def stored_section_inputs(now: SectionState, article_id: int) -> dict[str, str]:
    """The stored value of each input of a section's own form."""
    return {"article": str(article_id), **{f: _input(f, getattr(now, f)) for f in SECTION_FIELDS}}
