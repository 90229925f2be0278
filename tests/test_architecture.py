"""kb's shape (ARCHITECTURE.md): no import circle, imports only point down, no oversized
module. Read from the source with ``ast``, so function-level imports count too."""

import ast
import re
from pathlib import Path

import pytest

KB = Path(__file__).resolve().parents[1] / "kb"
ROOMS = ["text", "site", "library", "passages", "search", "editorial", "exchange", "top"]
TEXT = {"kb.text", "kb.cleanup", "kb.validators"}
# Layers, bottom up: pure functions, models, reads and derived data, writes, interfaces.
PURE = {"kb.library.wikilinks", "kb.library.colours", "kb.library.pictures", "kb.library.toc", "kb.passages.anchoring", "kb.search.tokenise",
        "kb.search.ranking", "kb.search.snippets", "kb.editorial.diffs", "kb.site.timestamps",
        "kb.site.canonical", "kb.site.cache.dependencies"}
READS = {"kb.library.validators", "kb.library.sources", "kb.library.overview", "kb.library.catalogue", "kb.passages.permissions", "kb.passages.serializers",
         "kb.search.backends", "kb.search.backends.base", "kb.search.backends.sqlite",
         "kb.search.backends.postgresql", "kb.search.index", "kb.search.query", "kb.search.paging", "kb.search.engine",
         "kb.editorial.revisions", "kb.site.cache", "kb.site.fragments", "kb.site.cache.pages",
         "kb.site.cache.stamps", "kb.site.cache.generations", "kb.site.cache.changes", "kb.exchange.annotations", "kb.exchange.citations",
         "kb.library.matrix"}
MODELS = {"kb.library.originals"}  # models in a module of their own
WRITES = {"kb.editorial.importing", "kb.editorial.profiles", "kb.editorial.corpus", "kb.exchange.backup",
          "kb.passages.alerts", "kb.site.jobs", "kb.editorial.jobs", "kb.search.jobs"}


def _modules() -> dict[str, Path]:
    modules = {}
    for path in KB.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        name = ".".join(path.relative_to(KB.parent).with_suffix("").parts)
        modules[name.removesuffix(".__init__")] = path
    return modules


def _imports(modules: dict[str, Path]) -> dict[str, set[str]]:
    graph = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                for alias in node.names:
                    sub = f"{node.module}.{alias.name}"
                    found.add(sub if sub in modules else node.module)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def room(name: str) -> str:
    if name in TEXT:
        return "text"
    part = name.split(".")[1] if name.count(".") else ""
    return part if part in ROOMS else "top"


def layer(name: str) -> int:
    leaf = name.rsplit(".", 1)[-1]
    if name in TEXT or name in PURE or name.startswith("kb.editorial.importers"):
        return 0
    if leaf in ("models", "querysets") or name in MODELS:
        return 1
    if name in READS or leaf == "selectors":
        return 2
    if name in WRITES or leaf == "services":
        return 3
    return 4


GRAPH = _imports(_modules())


def test_no_relative_imports_hide_from_this_check():
    relative = [name for name, path in _modules().items()
                if any(isinstance(node, ast.ImportFrom) and node.level
                       for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))))
                and room(name) != "top"]
    assert relative == []


def test_no_import_circle():
    seen, done, circles = [], set(), []

    def visit(name):
        seen.append(name)
        for target in sorted(GRAPH[name]):
            if target in seen:
                circles.append(seen[seen.index(target):] + [target])
            elif target not in done:
                visit(target)
        seen.pop()
        done.add(name)

    for name in sorted(GRAPH):
        if name not in done:
            visit(name)
    assert circles == []


def test_imports_point_down():
    """A module imports a lower layer of any room, or its own layer of its own or a lower room."""
    upward = [
        f"{source} -> {target}"
        for source, targets in GRAPH.items() for target in targets
        if room(source) != "top" and room(target) != "top"
        and (layer(target) > layer(source)
             or (layer(target) == layer(source)
                 and ROOMS.index(room(target)) > ROOMS.index(room(source))))
    ]
    assert upward == []


def test_rooms_import_each_other_not_the_app_wide_modules():
    """kb.models, kb.admin and kb.urls gather the rooms for Django; the rooms import the
    module that holds what they use."""
    hubs = {"kb.models", "kb.admin", "kb.urls"}
    assert [f"{s} -> {t}" for s, ts in GRAPH.items() if room(s) != "top" for t in ts & hubs] == []


@pytest.mark.parametrize("name", sorted(n for n in GRAPH if room(n) != "top"))
def test_no_product_module_is_oversized(name):
    path = _modules()[name]
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 420, path


def test_no_test_module_imports_another():
    """What several test modules share lives in a helper module under tests/, so a test
    module can be read, run and changed on its own."""
    tests = Path(__file__).resolve().parent
    found = re.compile(r"^\s*(?:from|import)\s+tests\.(?:\w+\.)*test_\w+", re.M)
    offenders = [str(path.relative_to(tests)) for path in tests.rglob("*.py")
                 if found.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
