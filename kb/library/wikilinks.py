"""Wiki links in section Markdown: ``[[Article title]]``, ``[[Article title#section]]``,
``[[topic:デジタル一帯一路]]`` (or a topic's English label, slug or alias), each optionally
``[[target|shown text]]``.

Links are resolved when a section is saved: the stored HTML carries real links (or a
"missing" marker), and the Link rows behind "what links here" are rebuilt beside it.
"""

from __future__ import annotations

import html
import re
import unicodedata
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass

from markdown import Extension, util
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from kb.text import render_markdown

# [[target]] or [[target|label]]; no brackets or line breaks inside.
WIKILINK_RE = r"\[\[([^\[\]\n|]+)(?:\|([^\[\]\n]+))?\]\]"
_WIKILINK = re.compile(WIKILINK_RE)
_TOPIC_PREFIX = re.compile(r"^\s*topic\s*[:：]\s*", re.IGNORECASE)
MISSING_CLASS = "missing-link"


def normalise_key(text: str) -> str:
    """How link targets are compared: NFKC (Ｈｕａｗｅｉ = Huawei), case-folded, trimmed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


@dataclass
class WikiLink:
    """One parsed ``[[...]]`` and what it resolved to."""

    target: str  # the text inside the brackets, as written
    label: str
    is_topic: bool
    name: str  # article title or topic label
    fragment: str = ""  # section heading or anchor after '#'
    url: str = ""  # empty when the target does not exist
    article_id: int | None = None
    section_id: int | None = None
    topic_id: int | None = None

    @property
    def key(self) -> str:
        return ("topic:" if self.is_topic else "") + normalise_key(self.name)


def parse(target: str, label: str | None = None) -> WikiLink:
    target = target.strip()
    topic = _TOPIC_PREFIX.match(target)
    if topic:
        name = target[topic.end():].strip()
        return WikiLink(target=target, label=(label or name).strip(), is_topic=True, name=name)
    name, _, fragment = target.partition("#")
    return WikiLink(
        target=target, label=(label or target).strip(), is_topic=False,
        name=name.strip(), fragment=fragment.strip(),
    )


# Markdown's inline patterns that run before ours (code spans, backslash escapes) leave
# placeholders in the text we match; an escaped character is kept as STX, its code point, ETX.
_ESCAPED_CHAR = re.compile(f"{util.STX}([0-9]+){util.ETX}")


class _WikiLinkProcessor(InlineProcessor):
    """Turns each ``[[...]]`` Markdown left as text into an element to resolve later.

    The link is parsed from the text Markdown shows us, not from the source: by now a code
    span or a backslash escape inside the brackets is a placeholder (``[[C\\+\\+]]`` links to
    "C++"), and an entity has been completed (``&#97`` is ``&#97;``): a lookup by the
    source's text failed on them, and every save of such a section with it.
    """

    def __init__(self, found: list[tuple[WikiLink, etree.Element]], md) -> None:
        super().__init__(WIKILINK_RE, md)
        self.found = found

    def _text(self, raw: str) -> str:
        text = self.unescape(raw)  # a code span's placeholder becomes its text
        # and an entity the character a reader sees (``[[a&amp;b]]`` links to "a&b")
        return html.unescape(_ESCAPED_CHAR.sub(lambda m: chr(int(m.group(1))), text))

    def handleMatch(self, m, data):  # noqa: N802 (Markdown's API)
        label = m.group(2)
        link = parse(self._text(m.group(1)), self._text(label) if label else None)
        el = etree.Element("span")
        # Markdown's serialiser leaves "&" alone where it starts an entity: escape every one.
        el.text = AtomicString(link.label.replace("&", "&amp;"))
        self.found.append((link, el))
        return el, m.start(0), m.end(0)


class _WikiLinkResolver(Treeprocessor):
    """After the inline patterns: resolve every link found at once, then make each element
    a link or a "missing" marker."""

    def __init__(self, md, found: list[tuple[WikiLink, etree.Element]],
                 resolve: Callable[[list[WikiLink]], None]) -> None:
        super().__init__(md)
        self.found = found
        self.resolve = resolve

    def run(self, root):
        if not self.found:
            return None
        self.resolve([link for link, _ in self.found])
        for link, el in self.found:
            if link.url:
                el.tag = "a"
                el.attrib.update({"href": link.url, "title": link.target})
            else:
                el.set("class", MISSING_CLASS)
        return None


class WikiLinkExtension(Extension):
    def __init__(self, resolve: Callable[[list[WikiLink]], None]) -> None:
        super().__init__()
        self.resolve = resolve
        self.found: list[tuple[WikiLink, etree.Element]] = []

    @property
    def seen(self) -> list[WikiLink]:
        return [link for link, _ in self.found]

    def extendMarkdown(self, md) -> None:  # noqa: N802 (Markdown's API)
        # Above Markdown's own [text](url) and [ref] patterns (160, 170).
        md.inlinePatterns.register(_WikiLinkProcessor(self.found, md), "wikilink", 175)
        # Just after the inline patterns (20): every link has been found.
        md.treeprocessors.register(_WikiLinkResolver(md, self.found, self.resolve),
                                   "wikilink_resolve", 19)


def render_with_links(
    source: str, resolve: Callable[[list[WikiLink]], None]
) -> tuple[str, list[WikiLink]]:
    """Sanitised HTML of ``source`` with its wiki links resolved (by ``resolve``, which fills
    in each link's target: kb.library.models.resolve_links), and the links rendered (a
    ``[[...]]`` inside code is text, not a link)."""
    if not _WIKILINK.search(source):
        return render_markdown(source), []
    extension = WikiLinkExtension(resolve)
    return render_markdown(source, [extension]), extension.seen


def article_keys(title: str) -> list[str]:
    return [normalise_key(title)]


def topic_keys(topic) -> list[str]:
    names = [topic.name, topic.name_en, topic.slug, *(a.name for a in topic.aliases.all())]
    return ["topic:" + normalise_key(name) for name in names if name]
