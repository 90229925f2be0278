"""An article's table of contents: its sections nested by heading level (pure, no query)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Entry:
    section: Any  # a Section: anything with ``level``
    children: list[Entry] = field(default_factory=list)


def nested(sections: list) -> list[Entry]:
    """The sections as a tree: each under the nearest section above it with a smaller
    level. A level skipped (h2 then h4) nests one step, never leaves a gap."""
    roots: list[Entry] = []
    open_: list[Entry] = []  # the path from a root to the last entry
    for section in sections:
        entry = Entry(section)
        while open_ and open_[-1].section.level >= section.level:
            open_.pop()
        (open_[-1].children if open_ else roots).append(entry)
        open_.append(entry)
    return roots
