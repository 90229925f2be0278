"""Backup and restore of kb's content as one JSON document (optionally zipped).

Rows are identified by what readers see (slugs, section anchors) and analysts by username,
not database ids, so a backup restores into any database that has the analysts' accounts.
Restoring goes through the services, in one transaction: it succeeds whole or leaves the
database as it was.

A backup carries the SHA-256 of its content (``sha256``), so a file edited or damaged
after export is refused rather than restored as if it were the site. It is a plain digest,
not an HMAC keyed with SECRET_KEY: a backup must restore on another install (a new server
after a loss has another key), and it guards against accidents, not against someone who
can rewrite both the content and its digest.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import MISSING
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from kb.editorial import services as editorial_services
from kb.library import services as library_services
from kb.library.models import Article, Section, Topic
from kb.library.originals import Original, OriginalFile
from kb.passages.models import Passage
from kb.search import index as search_index
from kb.site.cache import content_changed
from kb.site.timestamps import utc_iso

FORMAT = "kb-backup"
# 2 adds passages; 3 the content's checksum, articles' report checksums and the version
# counters; 4 the articles' original files (base64, each with its SHA-256). Version 1 to 3
# files still restore (see read_backup), with no originals.
VERSION = 4
READABLE_VERSIONS = (1, 2, 3, 4)
CHECKED_SINCE = 3
ZIP_MEMBER = "kb.json"


class BackupError(Exception):
    """A backup file kb cannot restore; the message says why."""


def export_data() -> dict[str, Any]:
    """Everything a reader or editor sees, in a few queries whatever the corpus size."""
    topics = Topic.objects.order_by("slug").select_related("parent").prefetch_related(
        "aliases", "see_also")
    articles = Article.objects.order_by("slug").prefetch_related(
        Prefetch("sections", queryset=Section.objects.order_by("position", "id").with_topics()),
        Prefetch("originals", queryset=Original.objects.order_by("created_at", "id")),
    )
    data = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": utc_iso(timezone.now(), timespec="microseconds"),
        "topics": [
            {
                "slug": t.slug,
                "name": t.name,
                "name_en": t.name_en,
                "description": t.description,
                "parent": t.parent.slug if t.parent else "",
                "colour": t.colour,
                "aliases": sorted(a.name for a in t.aliases.all()),
                "see_also": sorted(other.slug for other in t.see_also.all()),
            }
            for t in topics
        ],
        "articles": [
            {
                "slug": a.slug,
                "title": a.title,
                "kind": a.kind,
                "publisher": a.publisher,
                "authors": a.authors,  # verbatim, separators and all
                "published_on": a.published_on.isoformat() if a.published_on else None,
                "source_url": a.source_url,
                "language": a.language,
                "summary": a.summary,
                # So that importing the same report again is still refused as a duplicate.
                "checksum": a.checksum,
                # Editors' forms and passages hold these numbers: a restore that reset them
                # would let a form loaded before it overwrite a save made after it.
                "version": a.version,
                "sections": [
                    {
                        "anchor": s.anchor,
                        "heading": s.heading,
                        "level": s.level,
                        "body": s.body,
                        "version": s.version,
                        "topics": sorted(t.slug for t in s.topics.all()),
                        # Where the section was in the original; older backups lack these.
                        "page_start": s.page_start,
                        "page_end": s.page_end,
                        "page_breaks": s.page_breaks,
                    }
                    for s in a.sections.all()
                ],
                "originals": [_original(o) for o in a.originals.all()],
            }
            for a in articles
        ],
        "passages": [_passage(p) for p in Passage.objects.select_related(
            "analyst", "article", "section").prefetch_related("topics").order_by("pk")],
    }
    data["sha256"] = content_digest(data)
    return data


def content_digest(data: dict[str, Any]) -> str:
    """SHA-256 of the backup's content: every key but ``sha256``, as canonical JSON, so
    the same content has the same digest in a .json or a .zip, however it is indented."""
    content = {key: value for key, value in data.items() if key != "sha256"}
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_checked(data: dict[str, Any]) -> bool:
    """Whether read_backup verified the content against its checksum: not for files
    written before backups had one (versions 1 and 2)."""
    return data["version"] >= CHECKED_SINCE


def _original(original: Original) -> dict[str, Any]:
    """An original file, bytes included: the backup is all a new install gets back."""
    with original.open() as file:
        content = file.read()
    return {
        "filename": original.filename,
        "content_type": original.content_type,
        "size": original.size,
        # Checked against the bytes on restore (and here: a damaged stored file is not
        # backed up as if it were the original).
        "sha256": original.sha256,
        "content": base64.b64encode(_checked(original, content)).decode("ascii"),
    }


def _checked(original: Original, content: bytes) -> bytes:
    if hashlib.sha256(content).hexdigest() != original.sha256:
        raise BackupError(f"the stored original {original.stored_name} of "
                          f"{original.article_id} does not match its checksum")
    return content


def _restored_original(item: dict[str, Any]) -> OriginalFile:
    return OriginalFile(content=base64.b64decode(item["content"], validate=True),
                        filename=item["filename"], content_type=item["content_type"],
                        sha256=item["sha256"])


def _passage(p: Passage) -> dict[str, Any]:
    article = p.source_article
    return {
        # A passage of a deleted article has no article left to restore it into; its
        # slug is None and the restore skips it (pg_dump keeps it, with the revisions).
        "article": article.slug if article else None,
        "section": p.section.anchor if p.section else None,  # None: an orphan
        "section_anchor": p.section_anchor,  # an orphan's last place
        "analyst": p.analyst.get_username(),
        "exact": p.exact,
        "prefix": p.prefix,
        "suffix": p.suffix,
        "start": p.start,
        "end": p.end,
        "section_version": p.section_version,
        "status": p.status,
        "note": p.note,
        "topics": sorted(t.slug for t in p.topics.all()),
        "created_at": utc_iso(p.created_at, timespec="microseconds"),
        "updated_at": utc_iso(p.updated_at, timespec="microseconds"),
    }


def write_backup(path: Path) -> dict[str, int]:
    """Write the backup to ``path`` (a ZIP if it ends in .zip); return what it holds."""
    data = export_data()
    text = json.dumps(data, ensure_ascii=False, indent=1)
    if path.suffix == ".zip":
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(ZIP_MEMBER, text)
    else:
        path.write_text(text, encoding="utf-8")
    return _counts(data)


def read_backup(path: Path) -> dict[str, Any]:
    """The backup document in ``path``, or a BackupError saying what is wrong with it."""
    try:
        raw = path.read_bytes()
        if zipfile.is_zipfile(io.BytesIO(raw)):
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                raw = archive.read(ZIP_MEMBER)
        data = json.loads(raw.decode("utf-8"))
    except OSError as error:
        raise BackupError(f"cannot read {path}: {error.strerror or error}") from error
    except KeyError as error:
        raise BackupError(f"the ZIP file holds no {ZIP_MEMBER}") from error
    except UnicodeDecodeError as error:
        raise BackupError(f"not UTF-8 text (byte {error.start})") from error
    except (json.JSONDecodeError, zipfile.BadZipFile) as error:
        raise BackupError(f"not a kb backup: {error}") from error
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError("not a kb backup (no \"format\": \"kb-backup\")")
    if data.get("version") not in READABLE_VERSIONS:
        raise BackupError(f"backup version {data.get('version')!r}; this kb reads "
                          + " and ".join(map(str, READABLE_VERSIONS)))
    # Older files have no checksum; refusing them would make the only copy of past content
    # useless, so they are read, and import_kb warns that they could not be verified.
    if is_checked(data):
        if not isinstance(data.get("sha256"), str):
            raise BackupError(_("the backup has no checksum (sha256): it is incomplete or "
                                "was edited after export"))
        if data["sha256"] != content_digest(data):
            raise BackupError(_("the backup's checksum does not match its content: the file "
                                "was edited or damaged after export"))
    return data


@library_services.originals_cleaned_up()
@transaction.atomic
def restore(*, data: dict[str, Any], replace: bool = False) -> dict[str, int]:
    """Recreate the content of a backup, in one transaction.

    Refuses to mix a backup with existing content unless ``replace`` is set, in which
    case the existing articles, topics and passages are deleted first (in the same
    transaction). Passages need their analysts' accounts (by username) to exist.
    """
    if Article.objects.exists() or Topic.objects.exists() or Passage.objects.exists():
        if not replace:
            raise BackupError("the database already has content; restore with --replace")
        if "passages" not in data and Passage.objects.exists():
            # A version 1 file holds no passages: replacing would delete analysts' work.
            raise BackupError("the database has passages and this backup (version 1) "
                              "holds none; restore it elsewhere or export a new one")
        Passage.objects.all().delete()
        library_services.forget_originals(Original.objects.all())
        Article.objects.all().delete()
        Topic.objects.all().delete()
    try:
        _check_text(data)
        library_services.create_missing_topics(
            [library_services.TopicData(**_fields(t, library_services.TopicData)) for t in data["topics"]]
        )
        for item in data["articles"]:
            authors = item.get("authors") or ""
            editorial_services.create_article(data=editorial_services.ArticleData(
                **_fields(item, editorial_services.ArticleData,
                          skip={"sections", "authors", "published_on", "originals"}),
                originals=[_restored_original(o) for o in item.get("originals", [])],
                authors=[authors] if authors else [],
                published_on=date.fromisoformat(item["published_on"])
                if item.get("published_on") else None,
                sections=[
                    editorial_services.SectionData(**_fields(s, editorial_services.SectionData))
                    for s in item["sections"]
                ],
            ))
        _restore_passages(data.get("passages", []))
    except ValidationError as error:
        raise BackupError(f"invalid content: {'; '.join(error.messages)}") from error
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise BackupError(f"malformed backup: {error!r}") from error
    except DatabaseError as error:
        raise BackupError(f"the database refused the content: {error}") from error
    return _counts(data)


def _restore_passages(items: list[dict[str, Any]]) -> None:
    """Passages as they were: same selectors, status, note, tags, analyst and dates (not
    re-anchored: the sections come back with the same text)."""
    usernames = {item["analyst"] for item in items}
    users = {u.get_username(): u for u in get_user_model()._default_manager.filter(
        **{f"{get_user_model().USERNAME_FIELD}__in": usernames})}
    if missing := sorted(usernames - users.keys()):
        raise BackupError("passages by analysts with no account here: " + ", ".join(missing)
                          + " (create the accounts first)")
    articles = {a.slug: a for a in Article.objects.all()}
    sections = {(s.article_id, s.anchor): s for s in Section.objects.all()}
    topics = {t.slug: t for t in Topic.objects.all()}
    made: list[tuple[Passage, dict[str, Any]]] = []
    for item in items:
        if item["article"] is None:
            continue
        article = articles[item["article"]]
        section = None if item["section"] is None else sections[(article.pk, item["section"])]
        if item["status"] not in Passage.Status.values:
            raise ValidationError(f"unknown passage status {item['status']!r}")
        passage = Passage(
            article=article, section=section, analyst=users[item["analyst"]],
            **{name: item[name] for name in ("exact", "prefix", "suffix", "start", "end",
                                             "section_version", "status", "note")},
        )
        # Older files lack it: a placed passage's is its section's, an orphan's unknown.
        passage.section_anchor = item.get("section_anchor", section.anchor if section else "")
        passage.full_clean(exclude=["article", "section", "analyst"])
        made.append((passage, item))
    _raise_section_versions(p for p, _item in made)
    Passage.objects.bulk_create(p for p, _item in made)
    for passage, item in made:
        passage.topics.set([topics[slug] for slug in item["topics"]])
        # auto_now_add/auto_now set "now" on create; bulk_update writes them as they were.
        passage.created_at = parse_datetime(item["created_at"])
        passage.updated_at = parse_datetime(item["updated_at"])
    Passage.objects.bulk_update([p for p, _item in made], ["created_at", "updated_at"])
    search_index.reindex_passages([p.pk for p, _item in made])
    content_changed()  # bulk writes send no signal


def _raise_section_versions(passages: Iterable[Passage]) -> None:
    """Sections at least at the version their passages were made on: files written before
    the counters were backed up (version 1 and 2) restore every section at version 1."""
    behind: dict[int, Section] = {}
    for passage in passages:
        section = passage.section
        if section is not None and section.version < passage.section_version:
            section.version = passage.section_version
            behind[section.pk] = section
    Section.objects.bulk_update(behind.values(), ["version"])


def _fields(item: dict, cls: type, skip: frozenset[str] | set[str] = frozenset()) -> dict:
    """The keys of ``item`` that dataclass ``cls`` takes; KeyError if a required one is absent."""
    specs = {name: spec for name, spec in cls.__dataclass_fields__.items() if name not in skip}
    missing = {
        name for name, spec in specs.items()
        if spec.default is MISSING and spec.default_factory is MISSING and name not in item
    }
    if missing:
        raise KeyError(", ".join(sorted(missing)))
    return {key: value for key, value in item.items() if key in specs}


def _check_text(value: Any) -> None:
    # PostgreSQL refuses NUL in text; say so instead of failing half-way.
    if isinstance(value, str) and "\x00" in value:
        raise ValidationError("a text contains a NUL character")
    if isinstance(value, dict):
        for item in value.values():
            _check_text(item)
    elif isinstance(value, list):
        for item in value:
            _check_text(item)


def _counts(data: dict[str, Any]) -> dict[str, int]:
    return {
        "topics": len(data["topics"]),
        "articles": len(data["articles"]),
        "sections": sum(len(a["sections"]) for a in data["articles"]),
        "passages": len(data.get("passages", [])),
        "originals": sum(len(a.get("originals", [])) for a in data["articles"]),
    }
