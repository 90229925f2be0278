"""Markdown to sanitised HTML, and the plain text that passages and search read."""

import heapq
import html as html_lib
import re
import unicodedata
import zlib
from collections.abc import Sequence
from html.parser import HTMLParser
from urllib.parse import urlsplit

import markdown
import nh3
from django.conf import settings

# Markdown Extra without "abbr": an abbreviation's title is copied to every use of its word,
# so the HTML grew with the square of the source (12 KB of Markdown made 16 MB).
MARKDOWN_EXTENSIONS = [
    "fenced_code", "footnotes", "attr_list", "def_list", "tables", "md_in_html", "sane_lists",
]

# What rendered Markdown may contain. nh3 (ammonia) drops everything else, including
# <script>, event-handler attributes and javascript: URLs.
ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt",
    "em", "h2", "h3", "h4", "h5", "h6", "hr", "img", "li", "ol", "p", "pre", "span",
    "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title"},
    "td": {"align"},
    "th": {"align"},
}
# Classes content may carry: only those kb's own extensions write (the wiki links' missing
# marker, kb.library.wikilinks.MISSING_CLASS). Any other would let content borrow the site's
# classes: a fake passage highlight, text hidden from sight but read aloud.
ALLOWED_CLASSES = {"span": {"missing-link"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"


def normalise_source(source: str) -> str:
    """NFC and Unix line ends: the form every stored text is kept in, so that
    offsets counted by the browser and by Python agree."""
    return unicodedata.normalize("NFC", source.replace("\r\n", "\n").replace("\r", "\n"))


# Python-Markdown's inline parser scans forward from every "[" and "<" of a paragraph, so
# its time grows with their number times the paragraph's length ("[" * 16,000 takes 30 s;
# Python-Markdown issue #798). Sources past these limits are refused by the validators
# and, should one reach render_markdown by another path, shown as plain text.
MAX_MARKDOWN_CHARS = 100_000
MAX_INLINE_SCAN = 4_000_000
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# A link definition ('[a]: url "title"', the title maybe on the next line) is copied into
# every reference to it: the HTML can grow by its length times the number of "[".
_DEFINITION = re.compile(r"^ {0,3}\[[^\[\]\n]*\]:[^\n]*(?:\n[ \t]*[\"'(][^\n]*|\n[ \t]+[^\n]*)?",
                         re.MULTILINE)
MAX_COPIED = 4_000_000


def markdown_problem(source: str) -> str | None:
    """Why ``source`` cannot be stored as Markdown ("nul", "length", "paragraph" or
    "references"), or None."""
    if "\x00" in source:
        return "nul"
    if len(source) > MAX_MARKDOWN_CHARS:
        return "length"
    for paragraph in _PARAGRAPH_BREAK.split(source):
        if (paragraph.count("[") + paragraph.count("<")) * len(paragraph) > MAX_INLINE_SCAN:
            return "paragraph"
    if "]:" in source:
        longest = max((len(m.group(0)) for m in _DEFINITION.finditer(source)), default=0)
        if longest * source.count("[") > MAX_COPIED:
            return "references"
    return None


def render_markdown(source: str, extensions: Sequence[markdown.Extension] = ()) -> str:
    """Render Markdown and sanitise the result; the only HTML kb ever stores.

    ``extensions`` add syntax (wiki links); their output is sanitised like the rest.
    """
    if markdown_problem(source):
        return "".join(
            f"<p>{html_lib.escape(paragraph)}</p>"
            for paragraph in _PARAGRAPH_BREAK.split(source.replace("\x00", ""))
            if paragraph.strip()
        )
    html = markdown.markdown(
        source, extensions=[*MARKDOWN_EXTENSIONS, *extensions], output_format="html"
    )
    return sanitise_html(html)


def sanitise_html(html: str) -> str:
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
    )
    # nh3 writes "&#13;" out as a raw CR, which a browser's parser reads as a line feed: the
    # stored HTML carries LF, so the plain text and the page's text (passages) agree.
    clean = clean.replace("\r", "\n")
    return _unfetched_images(clean, frozenset(getattr(settings, "KB_CONTENT_IMAGE_HOSTS", ())))


# In nh3's output every attribute value is double-quoted with '"' escaped, and "<" in text
# is escaped: these patterns find exactly its <a> and <img> tags.
_ATTRIBUTES = r'((?:\s+[a-z]+="[^"]*")*)\s*/?>'
_LINK_OR_IMAGE = re.compile(rf"<a{_ATTRIBUTES}|</a>|<img{_ATTRIBUTES}")
_ATTRIBUTE = re.compile(r'([a-z]+)="([^"]*)"')


def _unfetched_images(html: str, hosts: frozenset[str]) -> str:
    """Sanitised ``html`` with each image from another site (not in ``hosts``, the
    ``KB_CONTENT_IMAGE_HOSTS`` setting) made a link to it, shown as its alt text: every
    reader's browser would otherwise call that site. Inside a link, where links cannot
    nest, the image is its alt text alone. Images on kb's own site (relative URLs) stay."""
    if "<img" not in html:
        return html
    depth = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal depth
        if match.group(2) is None:  # <a ...> or </a>
            depth += -1 if match.group(0) == "</a>" else 1
            return match.group(0)
        attributes = {k: html_lib.unescape(v) for k, v in _ATTRIBUTE.findall(match.group(2))}
        src = attributes.get("src", "")
        host = urlsplit(src).hostname
        if not host or host in hosts:
            return match.group(0)
        text = html_lib.escape(attributes.get("alt") or src)
        if depth > 0:
            return text
        title = attributes.get("title")
        title_attribute = f' title="{html_lib.escape(title)}"' if title else ""
        return f'<a href="{html_lib.escape(src)}"{title_attribute} rel="{LINK_REL}">{text}</a>'

    return _LINK_OR_IMAGE.sub(replace, html)


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """The text content of sanitised HTML, as a browser's ``textContent`` returns it.

    Passage offsets are counted in this string, so it must match what the page's
    JavaScript reads from the same HTML: every text node, in order, nothing added.
    """
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return "".join(collector.parts)


# Fingerprints: the same report in another format (Markdown, DOCX, a PDF's text layer, the
# text a reader copies out of it) differs in markup, line breaks, spacing, width of digits
# and page furniture, not in its words. A fingerprint is a bottom-k sketch of the report's
# letters-and-digits text cut in overlapping runs of SHINGLE characters: the FINGERPRINT_SIZE
# smallest CRC-32s of those runs, as hex. Two sketches estimate the share of runs the texts
# have in common (their Jaccard similarity) without either text at hand.
FINGERPRINT_SIZE = 128
SHINGLE = 8
_NOT_A_LETTER = re.compile(r"[\W_]+")


def text_fingerprint(text: str) -> str:
    """The fingerprint of ``text`` (empty for text with no letters or digits)."""
    letters = _NOT_A_LETTER.sub("", unicodedata.normalize("NFKC", text).casefold())
    if not letters:
        return ""
    encoded = letters.encode("utf-32-le")
    width = 4 * SHINGLE
    runs = {zlib.crc32(encoded[i:i + width])
            for i in range(0, max(len(encoded) - width, 0) + 1, 4)}
    return "".join(f"{h:08x}" for h in heapq.nsmallest(FINGERPRINT_SIZE, runs))


def _sketch(fingerprint: str) -> set[int]:
    return {int(fingerprint[i:i + 8], 16) for i in range(0, len(fingerprint), 8)}


def fingerprint_similarity(a: str, b: str) -> float:
    """The estimated share of text two fingerprints have in common, from 0 to 1: of the
    smallest runs of both texts together, those that are in both."""
    first, second = _sketch(a), _sketch(b)
    if not first or not second:
        return 0.0
    smallest = heapq.nsmallest(FINGERPRINT_SIZE, first | second)
    return sum(1 for h in smallest if h in first and h in second) / len(smallest)
