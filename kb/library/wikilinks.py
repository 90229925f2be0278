"""Wiki links in section Markdown: ``[[Article title]]``, ``[[Article title#section]]``,
``[[topic:デジタル一帯一路]]`` (or a topic's English label, slug or alias), each optionally
``[[target|shown text]]``.

Links are resolved when a section is saved: the stored HTML carries real links (or a
"missing" marker), and the Link rows behind "what links here" are rebuilt beside it.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass

from markdown import Extension
from markdown.inlinepatterns import InlineProcessor
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


def find_links(source: str) -> list[WikiLink]:
    return [parse(m.group(1), m.group(2)) for m in _WIKILINK.finditer(source)]


class _WikiLinkProcessor(InlineProcessor):
    def __init__(self, links: dict[str, WikiLink], seen: list[WikiLink]) -> None:
        super().__init__(WIKILINK_RE)
        self.links = links
        self.seen = seen

    def handleMatch(self, m, data):  # noqa: N802 (Markdown's API)
        link = self.links[m.group(0)]
        self.seen.append(link)
        if link.url:
            el = etree.Element("a", {"href": link.url, "title": link.target})
        else:
            el = etree.Element("span", {"class": MISSING_CLASS})
        el.text = AtomicString(link.label)
        return el, m.start(0), m.end(0)


class WikiLinkExtension(Extension):
    def __init__(self, links: dict[str, WikiLink]) -> None:
        super().__init__()
        self.links = links
        self.seen: list[WikiLink] = []

    def extendMarkdown(self, md) -> None:  # noqa: N802 (Markdown's API)
        # Above Markdown's own [text](url) and [ref] patterns (160, 170).
        md.inlinePatterns.register(_WikiLinkProcessor(self.links, self.seen), "wikilink", 175)


def render_with_links(
    source: str, resolve: Callable[[list[WikiLink]], None]
) -> tuple[str, list[WikiLink]]:
    """Sanitised HTML of ``source`` with its wiki links resolved (by ``resolve``, which fills
    in each link's target: kb.library.models.resolve_links), and the links rendered (a
    ``[[...]]`` inside code is text, not a link)."""
    matches = {m.group(0): parse(m.group(1), m.group(2)) for m in _WIKILINK.finditer(source)}
    if not matches:
        return render_markdown(source), []
    resolve(list(matches.values()))
    extension = WikiLinkExtension(matches)
    return render_markdown(source, [extension]), extension.seen


def article_keys(title: str) -> list[str]:
    return [normalise_key(title)]


def topic_keys(topic) -> list[str]:
    names = [topic.name, topic.name_en, topic.slug, *(a.name for a in topic.aliases.all())]
    return ["topic:" + normalise_key(name) for name in names if name]
