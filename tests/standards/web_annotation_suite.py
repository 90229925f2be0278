"""The W3C Web Annotation test suite's MUST assertions, run locally.

The suite (web-platform-tests ``annotation-model/``, copied with its licence into
``tests/standards/web-annotation-tests/``) is a set of JSON Schemas (draft 4). A ``*Musts.test``
file lists the assertions a conforming Annotation, AnnotationCollection or AnnotationPage
must pass; each assertion's ``$ref``s name shared schemas in ``definitions/`` by their ``id``
(``annotations.json#/definitions/...``). Here those are served from a local registry, so
nothing is fetched; formats (``uri``, ``date-time``) are checked, as the suite intends.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SUITE = Path(__file__).resolve().parent / "web-annotation-tests"
MUSTS = {
    "annotation": "annotations/annotationMusts.test",
    "collection": "collections/collectionMusts.test",
    "page": "collections/pages/pageMusts.test",
}


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _registry() -> Registry:
    resources = []
    for path in sorted((SUITE / "definitions").glob("*.json")):
        schema = _load(path)
        resources.append((schema["id"], Resource.from_contents(schema, default_specification=DRAFT4)))
    return Registry().with_resources(resources)


@cache
def assertions(kind: str) -> tuple[tuple[str, Draft4Validator], ...]:
    """The MUST assertions for ``kind`` (annotation, collection, page): (name, validator)."""
    listed = _load(SUITE / MUSTS[kind])["assertions"]
    made = []
    for name in listed:
        schema = _load(SUITE / name)
        # Every MUST assertion of these files expects the document to be valid.
        assert (schema["assertionType"], schema["expectedResult"]) == ("must", "valid"), name
        made.append((name, Draft4Validator(schema, registry=_registry(),
                                           format_checker=Draft4Validator.FORMAT_CHECKER)))
    return tuple(made)


def failed_musts(kind: str, document: dict) -> list[str]:
    """Each MUST assertion ``document`` fails, with the suite's error message and why."""
    failures = []
    for name, validator in assertions(kind):
        errors = list(validator.iter_errors(document))
        if errors:
            failures.append(f"{name}: {validator.schema.get('errorMessage', '')} "
                            f"({'; '.join(e.message[:200] for e in errors)})")
    return failures
