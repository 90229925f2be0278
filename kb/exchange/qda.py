"""REFI-QDA export: passages as a ``.qdpx`` project, topics as a ``.qdc`` codebook.

A ``.qdpx`` (REFI-QDA 1.5) is a zip holding ``project.qde`` (XML in the namespace of
QDA-XML's Project.xsd) and ``Sources/``: here one UTF-8 plain-text file per article. The
article's text is its sections' headings and plain text in reading order; a passage's
``start``/``end`` count code points of its section's ``plain_text`` (kb.passages.anchoring),
so its selection is the section's offset in the article's text plus those, and cuts exactly
the passage's text out of the source (REFI-QDA positions count characters too). A fuzzy
passage (its quote edited since) selects the text now at its span, as its highlight does;
an orphan, whose text is gone, is left out.

Everything streams: sources are written one article at a time, then ``project.qde`` is
written element by element into its zip member, so a large project never sits in memory.
Only small maps (section offsets, topic ids per passage) are held. GUIDs are derived from
kb's namespace and each object's identity, so exporting twice gives the same GUIDs.
"""

from __future__ import annotations

import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any
from xml.sax.saxutils import XMLGenerator

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from kb.library.models import Article, Section, Topic
from kb.passages.models import Passage, TaggedPassage
from kb.site.timestamps import utc_iso

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
ORIGIN = "kb"
# Never change it: every GUID kb has exported derives from it.
KB_NAMESPACE = uuid.UUID("6f1c2b8e-4d0a-5a3e-9c57-2b1d0e9a4f13")
# Between two sections of an article's source text.
SECTION_BREAK = "\n\n"
# The export yields control (to a streaming response) after this many passages.
PASSAGES_PER_STEP = 200


def guid(kind: str, *identity: object) -> str:
    """The GUID of a kb object in every export: ``kind`` and its identity (primary keys)."""
    return str(uuid.uuid5(KB_NAMESPACE, ":".join([kind, *map(str, identity)])))


@dataclass(frozen=True)
class Scope:
    """Which passages an export holds: all, an analyst's, or those of a topic (or both)."""

    analyst: Any = None
    topic: Topic | None = None

    def passages(self) -> QuerySet[Passage]:
        # An orphan has no place in any text: nothing could be selected for it.
        passages = Passage.objects.filter(section__isnull=False).exclude(
            status=Passage.Status.ORPHANED)
        if self.analyst is not None:
            passages = passages.by(self.analyst)
        if self.topic is not None:
            passages = passages.tagged_with(self.topic)
        return passages


class _Xml:
    """Writes XML element by element to a binary stream (attributes None are left out)."""

    def __init__(self, out: IO[bytes], *, namespace: str) -> None:
        self.gen = XMLGenerator(out, encoding="utf-8", short_empty_elements=True)
        self.gen.startDocument()
        self.namespace = namespace

    def open(self, element: str, /, **attrs: object) -> None:
        if self.namespace:
            attrs = {"xmlns": self.namespace, **attrs}
            self.namespace = ""
        self.gen.startElement(element, {k: str(v) for k, v in attrs.items() if v is not None})

    def close(self, element: str) -> None:
        self.gen.endElement(element)

    def leaf(self, element: str, text: str = "", /, **attrs: object) -> None:
        self.open(element, **attrs)
        if text:
            self.gen.characters(text)
        self.close(element)

    def end(self) -> None:
        self.gen.endDocument()


def _time(moment: datetime | None) -> str | None:
    return utc_iso(moment) if moment else None


# The codebook


@dataclass
class _Code:
    pk: int
    parent_id: int | None
    name: str
    colour: str
    description: str


def _codes(only: set[int] | None = None) -> tuple[list[_Code], dict[int | None, list[_Code]]]:
    """Topics as codes (one query), grouped by parent: all, or those of ``only`` and their
    ancestors, so that a code's place in the hierarchy is always in the file."""
    codes = {pk: _Code(pk, parent, name, colour, description) for pk, parent, name, colour, description
             in Topic.objects.order_by("name", "pk").values_list(
                 "pk", "parent_id", "name", "colour", "description")}
    keep = set(codes) if only is None else set()
    for pk in only or ():
        while pk is not None and pk not in keep:
            keep.add(pk)
            pk = codes[pk].parent_id
    children: dict[int | None, list[_Code]] = {}
    for code in codes.values():
        if code.pk in keep:
            children.setdefault(code.parent_id, []).append(code)
    return children.get(None, []), children


def _write_code(xml: _Xml, code: _Code, children: dict[int | None, list[_Code]]) -> None:
    xml.open("Code", guid=guid("topic", code.pk), name=code.name, isCodable="true",
             color=code.colour or None)
    if code.description:
        xml.leaf("Description", code.description)
    for child in children.get(code.pk, []):
        _write_code(xml, child, children)
    xml.close("Code")


def _write_codebook(xml: _Xml, top: list[_Code], children: dict[int | None, list[_Code]]) -> None:
    xml.open("Codes")
    for code in top:
        _write_code(xml, code, children)
    xml.close("Codes")


def write_codebook(out: IO[bytes]) -> int:
    """Every topic as a REFI-QDA codebook (``.qdc``); returns how many codes."""
    top, children = _codes()
    xml = _Xml(out, namespace=CODEBOOK_NS)
    xml.open("CodeBook", origin=ORIGIN)
    if top:  # the schema wants at least one code
        _write_codebook(xml, top, children)
    xml.close("CodeBook")
    xml.end()
    return sum(len(codes) for codes in children.values())


# The project


@dataclass
class ExportReport:
    sources: int = 0
    selections: int = 0
    codes: int = 0
    users: int = 0


def _source_text(sections: list[tuple]) -> tuple[str, dict[int, int]]:
    """An article's text for QDA tools and where each section's plain text starts in it."""
    parts, offsets, length = [], {}, 0
    for _article_id, section_id, heading, plain_text in sections:
        for part in ([heading, SECTION_BREAK] if heading else []):
            parts.append(part)
            length += len(part)
        offsets[section_id] = length
        parts += [plain_text, SECTION_BREAK]
        length += len(plain_text) + len(SECTION_BREAK)
    return "".join(parts), offsets


def _write_sources(zf: zipfile.ZipFile, passages: QuerySet[Passage],
                   offsets: dict[int, int]) -> Iterator[None]:
    """``Sources/<guid>.txt`` for every article with passages in the export, one at a time;
    fills ``offsets`` (section → where its text starts in its article's source)."""
    rows = (Section.objects.filter(article__in=passages.values("section__article_id"))
            .order_by("article_id", "position", "id")
            .values_list("article_id", "id", "heading", "plain_text"))
    current: list[tuple] = []
    for row in rows.iterator(chunk_size=500):
        if current and current[0][0] != row[0]:
            yield _write_source(zf, current, offsets)
            current = []
        current.append(row)
    if current:
        yield _write_source(zf, current, offsets)


def _write_source(zf: zipfile.ZipFile, sections: list[tuple], offsets: dict[int, int]) -> None:
    article_id = sections[0][0]
    text, starts = _source_text(sections)
    offsets.update(starts)
    zf.writestr(f"Sources/{guid('article', article_id)}.txt", text.encode("utf-8"))


def _write_project(zf: zipfile.ZipFile, scope: Scope, *, name: str, user: Any,
                   report: ExportReport) -> Iterator[None]:
    passages = scope.passages()
    offsets: dict[int, int] = {}
    for _ in _write_sources(zf, passages, offsets):
        report.sources += 1
        yield
    topics_of: dict[int, list[int]] = {}
    for passage_id, topic_id in (TaggedPassage.objects.filter(content_object__in=passages)
                                 .order_by("tag__name", "tag_id")
                                 .values_list("content_object_id", "tag_id")):
        topics_of.setdefault(passage_id, []).append(topic_id)
    top, children = _codes({t for ids in topics_of.values() for t in ids})
    # The analysts, and whoever exports: the project's creatingUserGUID names a listed user.
    exporter = Q(pk=user.pk) if user is not None and user.pk else Q(pk__in=[])
    users = list(get_user_model().objects.filter(Q(pk__in=passages.values("analyst_id")) | exporter)
                 .order_by("pk"))
    articles = dict(Article.objects.filter(pk__in=passages.values("section__article_id"))
                    .values_list("pk", "title"))
    with zf.open("project.qde", "w") as member:
        xml = _Xml(member, namespace=PROJECT_NS)
        xml.open("Project", name=name, origin=ORIGIN, creationDateTime=_time(timezone.now()),
                 creatingUserGUID=guid("user", user.pk) if user and user.pk else None)
        if users:
            xml.open("Users")
            for analyst in users:
                xml.leaf("User", guid=guid("user", analyst.pk), id=analyst.get_username(),
                         name=analyst.get_full_name() or analyst.get_username())
            xml.close("Users")
        if top:
            xml.open("CodeBook")
            _write_codebook(xml, top, children)
            xml.close("CodeBook")
        report.codes = sum(len(codes) for codes in children.values())
        report.users = len(users)
        yield from _write_selections(xml, passages, articles, offsets, topics_of, report)
        xml.close("Project")
        xml.end()


def _write_selections(xml: _Xml, passages: QuerySet[Passage], articles: dict[int, str],
                      offsets: dict[int, int], topics_of: dict[int, list[int]],
                      report: ExportReport) -> Iterator[None]:
    rows = passages.order_by("section__article_id", "section__position", "section_id", "start",
                             "id").values_list(
        "pk", "section__article_id", "section_id", "start", "end", "note", "analyst_id",
        "created_at", "updated_at", "exact")
    current = None
    for pk, article_id, section_id, start, end, note, analyst_id, created, updated, exact in (
            rows.iterator(chunk_size=500)):
        if article_id != current:
            if current is None:
                xml.open("Sources")
            else:
                xml.close("TextSource")
            current = article_id
            source = guid("article", article_id)
            xml.open("TextSource", guid=source, name=articles.get(article_id, source),
                     plainTextPath=f"internal://{source}.txt")
        analyst = guid("user", analyst_id)
        xml.open("PlainTextSelection", guid=guid("passage", pk), name=exact[:100],
                 startPosition=offsets[section_id] + start, endPosition=offsets[section_id] + end,
                 creatingUser=analyst, creationDateTime=_time(created),
                 modifyingUser=analyst, modifiedDateTime=_time(updated))
        if note:
            xml.leaf("Description", note)
        for topic_id in topics_of.get(pk, []):
            xml.open("Coding", guid=guid("coding", pk, topic_id), creatingUser=analyst,
                     creationDateTime=_time(created))
            xml.leaf("CodeRef", targetGUID=guid("topic", topic_id))
            xml.close("Coding")
        xml.close("PlainTextSelection")
        report.selections += 1
        if report.selections % PASSAGES_PER_STEP == 0:
            yield
    if current is not None:
        xml.close("TextSource")
        xml.close("Sources")


def export_steps(out: IO[bytes], scope: Scope, *, name: str = "kb", user: Any = None,
                 report: ExportReport | None = None) -> Iterator[None]:
    """Write the ``.qdpx`` of ``scope`` to ``out``, pausing (yielding) between pieces so
    that a streaming response can send what is written so far. ``out`` need not seek."""
    report = report if report is not None else ExportReport()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        yield from _write_project(zf, scope, name=name, user=user, report=report)
    yield


def write_qdpx(out: IO[bytes], scope: Scope, *, name: str = "kb", user: Any = None) -> ExportReport:
    """Write the whole ``.qdpx`` of ``scope`` to ``out`` (a file)."""
    report = ExportReport()
    for _ in export_steps(out, scope, name=name, user=user, report=report):
        pass
    return report


class _Pipe:
    """A write-only stream whose bytes are taken out as they come (zipfile copes with a
    stream that cannot seek or tell)."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.chunks = b"".join(self.chunks), []
        return data


def stream_qdpx(scope: Scope, *, name: str = "kb", user: Any = None) -> Iterator[bytes]:
    """The ``.qdpx`` of ``scope`` as chunks of bytes, for a StreamingHttpResponse."""
    pipe = _Pipe()
    for _ in export_steps(pipe, scope, name=name, user=user):
        data = pipe.take()
        if data:
            yield data
