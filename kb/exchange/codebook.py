"""REFI-QDA codebook import: a ``.qdc`` file, or the CodeBook of a ``.qdpx`` project (as
ATLAS.ti, MAXQDA, NVivo or QualCoder write them), into kb's topics.

Each code matches an existing topic by name or alias (as a typed tag does,
kb.library.selectors.find_topic); the others become topics with the file's hierarchy,
colour and description. Existing topics are left as editors made them. One transaction:
a bad file changes nothing, and a dry run rolls back after listing what would change.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO
from xml.etree import ElementTree

import reversion
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kb.exchange.qda import CODEBOOK_NS, PROJECT_NS
from kb.library import selectors
from kb.library.colours import normalise_colour, validate_colour
from kb.library.models import Topic
from kb.library.services import revision_comment
from kb.search import index as search_index
from kb.validators import validate_markdown

NAMESPACES = {CODEBOOK_NS, PROJECT_NS}


class CodebookError(ValueError):
    """The file is not a codebook kb can read; the message says why, in the user's language."""


@dataclass
class Code:
    name: str
    colour: str = ""
    description: str = ""
    children: list[Code] = field(default_factory=list)


@dataclass
class Change:
    """One code of the file: the topic it matched, or the topic made (would be made) for it."""

    name: str
    parent: str  # the parent topic's name, "" at the top
    topic: Topic
    created: bool


def _split(tag: str) -> tuple[str, str]:
    namespace, _sep, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    return namespace, local


def _open_xml(file: IO[bytes]) -> IO[bytes]:
    """The XML to read: the file itself, or the ``project.qde`` inside a ``.qdpx``."""
    looks_zipped = file.read(4) == b"PK\x03\x04"
    file.seek(0)
    if not looks_zipped:
        return file
    try:
        archive = zipfile.ZipFile(file)
    except zipfile.BadZipFile:
        raise CodebookError(_("The file is a damaged zip archive.")) from None
    names = [n for n in archive.namelist() if n.lower().endswith(".qde") and "/" not in n]
    if not names:
        raise CodebookError(_("This archive holds no project.qde: it is not a REFI-QDA project."))
    return archive.open(names[0])


def _codebook_element(xml: IO[bytes]) -> ElementTree.Element:
    """The CodeBook element, read as a stream: a project's sources and codings after it
    are never parsed."""
    root = None
    try:
        for event, element in ElementTree.iterparse(xml, events=("start", "end")):
            namespace, local = _split(element.tag)
            if root is None:
                root = element
                if namespace not in NAMESPACES or local not in ("Project", "CodeBook"):
                    raise CodebookError(_(
                        "This is not a REFI-QDA codebook or project: its root element is "
                        "“%(element)s”.") % {"element": local})
            if event == "end" and local == "CodeBook":
                return element
    except ElementTree.ParseError as error:
        raise CodebookError(_("The file is not well-formed XML: %(error)s") % {"error": error}) \
            from None
    raise CodebookError(_("The file has no codebook (no CodeBook element)."))


def _code(element: ElementTree.Element) -> Code:
    name = (element.get("name") or "").strip()
    if not name:
        raise CodebookError(_("A code has no name."))
    limit = Topic._meta.get_field("name").max_length
    if len(name) > limit:
        raise CodebookError(_("The code “%(name)s…” has a name longer than %(limit)s characters.")
                            % {"name": name[:40], "limit": limit})
    colour = normalise_colour(element.get("color") or "")
    try:
        if colour:
            validate_colour(colour)
    except ValidationError:
        raise CodebookError(_("The code “%(name)s” has a colour that is not #rrggbb: %(colour)s")
                            % {"name": name, "colour": element.get("color")}) from None
    description, children = "", []
    for child in element:
        local = _split(child.tag)[1]
        if local == "Description":
            description = (child.text or "").strip()
        elif local == "Code":
            children.append(_code(child))
    try:
        validate_markdown(description)
    except ValidationError as error:
        raise CodebookError(_("The description of the code “%(name)s” cannot be stored: "
                              "%(error)s") % {"name": name, "error": " ".join(error.messages)}) \
            from None
    return Code(name=name, colour=colour, description=description, children=children)


def read_codebook(file: IO[bytes]) -> list[Code]:
    """The codes of a ``.qdc`` or ``.qdpx`` file, as a tree. Raises CodebookError."""
    book = _codebook_element(_open_xml(file))
    codes = [child for child in book if _split(child.tag)[1] == "Codes"]
    return [_code(element) for codes_element in codes for element in codes_element
            if _split(element.tag)[1] == "Code"]


def _walk(codes: list[Code], parent: Code | None = None) -> Iterator[tuple[Code, Code | None]]:
    for code in codes:
        yield code, parent
        yield from _walk(code.children, code)


@transaction.atomic
def import_codebook(codes: list[Code], *, dry_run: bool = False) -> list[Change]:
    """Match or create a topic for every code, parents first. With ``dry_run`` the changes
    are made, listed and rolled back, so the list is exactly what an import would do."""
    changes: list[Change] = []
    topic_of: dict[int, Topic] = {}  # id(code) → its topic
    with reversion.create_revision():
        reversion.set_comment(revision_comment(gettext_noop("Imported from a codebook")))
        for code, parent in _walk(codes):
            parent_topic = topic_of[id(parent)] if parent else None
            topic = selectors.find_topic(code.name)
            created = topic is None
            if created:
                topic = Topic.objects.create(name=code.name, colour=code.colour,
                                             description=code.description, parent=parent_topic)
            topic_of[id(code)] = topic
            changes.append(Change(name=code.name, parent=parent_topic.name if parent_topic else "",
                                  topic=topic, created=created))
    search_index.reindex_topics([c.topic.pk for c in changes if c.created])
    if dry_run:
        transaction.set_rollback(True)
    return changes
