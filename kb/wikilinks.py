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
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.db.models.functions import Lower
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


def resolve(links: list[WikiLink]) -> None:
    """Fill in each link's target in a fixed number of queries, whatever the number of links."""
    from kb.models import Article, Section, Topic

    topic_links = [link for link in links if link.is_topic]
    article_links = [link for link in links if not link.is_topic]
    if topic_links:
        keys = {normalise_key(link.name) for link in topic_links}
        written = {link.name for link in topic_links} | keys
        topics = (
            Topic.objects.annotate(en=Lower("name_en"), lower_name=Lower("name"))
            .filter(
                Q(name__in=written) | Q(lower_name__in=keys) | Q(en__in=keys)
                | Q(slug__in=written) | Q(aliases__name__in=written)
            )
            .prefetch_related("aliases")
            .distinct()
        )
        by_key = {}
        for topic in topics:
            for name in [topic.name, topic.name_en, topic.slug, *(a.name for a in topic.aliases.all())]:
                if name:
                    by_key.setdefault(normalise_key(name), topic)
        for link in topic_links:
            topic = by_key.get(normalise_key(link.name))
            if topic:
                link.topic_id, link.url = topic.pk, topic.get_absolute_url()
    if article_links:
        keys = {normalise_key(link.name) for link in article_links}
        written = {link.name for link in article_links}
        articles = Article.objects.annotate(lower_title=Lower("title")).filter(
            Q(title__in=written) | Q(lower_title__in=keys)
        )
        by_key = {normalise_key(a.title): a for a in articles}
        fragments = [link for link in article_links if link.fragment]
        sections: dict[tuple[int, str], Section] = {}
        if fragments and by_key:
            for section in Section.objects.filter(
                article__in=list(by_key.values())
            ).only("id", "article_id", "anchor", "heading"):
                sections.setdefault((section.article_id, section.anchor), section)
                sections.setdefault((section.article_id, normalise_key(section.heading)), section)
        for link in article_links:
            article = by_key.get(normalise_key(link.name))
            if not article:
                continue
            link.article_id, link.url = article.pk, article.get_absolute_url()
            if link.fragment:
                section = sections.get((article.pk, link.fragment)) or sections.get(
                    (article.pk, normalise_key(link.fragment))
                )
                if section:
                    link.section_id = section.pk
                    link.url = f"{link.url}#{section.anchor}"


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


def render_with_links(source: str) -> tuple[str, list[WikiLink]]:
    """Sanitised HTML of ``source`` with its wiki links resolved, and the links rendered
    (a ``[[...]]`` inside code is text, not a link)."""
    matches = {m.group(0): parse(m.group(1), m.group(2)) for m in _WIKILINK.finditer(source)}
    if not matches:
        return render_markdown(source), []
    resolve(list(matches.values()))
    extension = WikiLinkExtension(matches)
    return render_markdown(source, [extension]), extension.seen


def store_links(section, links: list[WikiLink], *, adding: bool = False) -> None:
    """Replace the Link rows of ``section`` with ``links`` (derived data, rebuilt on save)."""
    from kb.models import Link

    if not adding:
        Link.objects.filter(source=section).delete()
    unique = {link.target: link for link in links}.values()
    Link.objects.bulk_create([
        Link(
            source=section, target=link.target[:300], target_key=link.key[:300],
            target_article_id=link.article_id, target_section_id=link.section_id,
            target_topic_id=link.topic_id,
        )
        for link in unique
    ])


def article_keys(title: str) -> list[str]:
    return [normalise_key(title)]


def topic_keys(topic) -> list[str]:
    names = [topic.name, topic.name_en, topic.slug, *(a.name for a in topic.aliases.all())]
    return ["topic:" + normalise_key(name) for name in names if name]


def refresh_links_to(keys: Iterable[str]) -> int:
    """Re-render the sections whose links to ``keys`` were missing, now that the target
    exists (or changed name); returns how many sections were saved again."""
    from kb.models import Section

    sections = Section.objects.filter(
        outgoing_links__target_key__in=list(keys),
        outgoing_links__target_article__isnull=True,
        outgoing_links__target_topic__isnull=True,
    ).distinct()
    count = 0
    for section in sections:
        section.save()
        count += 1
    return count
