"""What the reader typed → terms to match: blanks separate terms (all must match),
quotes keep a phrase together (and exactly as typed), and an unquoted term that is a
label of a topic also finds the topic's other labels."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Q

from kb.search.models import SearchEntry
from kb.search.tokenise import Pattern, normalise, term_pattern

MAX_TERMS = 10
# "…", “…”, 「…」 and 『…』 quote a phrase; NFKC has already made ＂ into ".
_TERM_RE = re.compile(r'"([^"]*)"|“([^”]*)”|「([^」]*)」|『([^』]*)』|(\S+)')


@dataclass
class Term:
    text: str  # as typed (NFKC), for display
    normalised: str
    patterns: list[Pattern]  # alternatives; the first is the term itself
    exact: bool = False  # quoted: a phrase as typed, no aliases
    expansions: list[str] = field(default_factory=list)  # normalised alias forms added
    topic_names: list[str] = field(default_factory=list)  # topics whose labels those are

    @property
    def alternatives(self) -> list[str]:
        return [self.normalised, *self.expansions]


@dataclass
class ParsedQuery:
    raw: str
    terms: list[Term]

    @property
    def expanded(self) -> list[Term]:
        return [t for t in self.terms if t.expansions]

    def __bool__(self) -> bool:
        return bool(self.terms)


def split_terms(raw: str) -> list[tuple[str, bool]]:
    """The terms of a query, each with whether it was quoted; empty ones dropped."""
    text = unicodedata.normalize("NFKC", raw)  # full-width blanks and quotes too
    terms = []
    for *quoted, bare in _TERM_RE.findall(text):
        term = ("".join(quoted) or bare).strip()
        if term:
            terms.append((term, not bare))
    return terms[:MAX_TERMS]


def parse(raw: str, *, expand: bool = True) -> ParsedQuery:
    """Parse ``raw``; with ``expand``, terms naming a topic also match its other labels
    (one query)."""
    terms = []
    for text, quoted in split_terms(raw):
        normalised = normalise(text)
        pattern = term_pattern(normalised)
        if pattern is not None:
            terms.append(Term(text=text, normalised=normalised, patterns=[pattern], exact=quoted))
    if expand and any(not t.exact for t in terms):
        _expand_aliases([t for t in terms if not t.exact])
    return ParsedQuery(raw=raw, terms=terms)


def _expand_aliases(terms: list[Term]) -> None:
    keys = Q()
    for term in terms:
        keys |= Q(label_key__contains=f"|{term.normalised}|")
    rows = (
        SearchEntry.objects.filter(keys, doc_type=SearchEntry.DocType.TOPIC)
        .order_by("topic__name")
        .values_list("label_key", "topic__name")
    )
    for label_key, topic_name in rows:
        labels = [label for label in label_key.strip("|").split("|") if label]
        for term in terms:
            if term.normalised not in labels:
                continue
            term.topic_names.append(topic_name)
            for label in labels:
                pattern = term_pattern(label)
                if label not in term.alternatives and pattern is not None:
                    term.expansions.append(label)
                    term.patterns.append(pattern)
