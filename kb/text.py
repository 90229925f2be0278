"""Markdown to sanitised HTML, and the plain text that passages and search read."""

import unicodedata
from collections.abc import Sequence
from html.parser import HTMLParser

import markdown
import nh3

MARKDOWN_EXTENSIONS = ["extra", "sane_lists"]

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
    "span": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def normalise_source(source: str) -> str:
    """NFC and Unix line ends: the form every stored text is kept in, so that
    offsets counted by the browser and by Python agree."""
    return unicodedata.normalize("NFC", source.replace("\r\n", "\n").replace("\r", "\n"))


def render_markdown(source: str, extensions: Sequence[markdown.Extension] = ()) -> str:
    """Render Markdown and sanitise the result; the only HTML kb ever stores.

    ``extensions`` add syntax (wiki links); their output is sanitised like the rest.
    """
    html = markdown.markdown(
        source, extensions=[*MARKDOWN_EXTENSIONS, *extensions], output_format="html"
    )
    return sanitise_html(html)


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


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
