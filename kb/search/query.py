"""What the reader typed → terms to match, terms to leave out, and filters.

Blanks separate terms (all must match); quotes ("…", “…”, 「…」, 『…』) keep a phrase
together, exactly as typed; ``A OR B`` finds either; ``-term`` and ``NOT term`` leave out
what contains the term; ``title:``, ``publisher:``, ``year:`` and ``topic:`` filter. An
unquoted term that is a label of a topic also finds the topic's other labels. An unquoted
Latin or digit word also finds the longer words it begins (``longer_words``). What cannot
be read as typed is read the nearest sensible way and explained (``ParsedQuery.notes``),
never silently dropped.

Longer words: the index matches Latin and digit words whole (AI is not found in MAIL). A
term typed as one such word, unquoted, also finds the words that begin with it (GAFA →
GAFAM) and those in which it begins at a boundary between a letter and a digit (5G →
Beyond5G, B2C → B2B2C); those that only they match come after the exact matches. A word
of one or two letters begins too many words to mean one (AI → air, aim): it only finds
them at a letter↔digit boundary; numbers alone begin nothing (202 is not 2023).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q
from django.utils.translation import gettext as _

from kb.search.models import SearchEntry, SearchWord
from kb.search.tokenise import _CJK, Pattern, is_word, normalise, term_pattern

MAX_TERMS = 10
FILTERS = ("title", "publisher", "year", "topic")
_QUOTES = {'"': '"', "“": "”", "「": "」", "『": "』"}  # NFKC has already made ＂ into "
_ITEM_RE = re.compile(
    r'(?P<neg>-(?=\S))?(?:(?P<field>' + "|".join(FILTERS) + r'):(?=\S))?'
    r'(?:"(?P<q1>[^"]*)"|“(?P<q2>[^”]*)”|「(?P<q3>[^」]*)」|『(?P<q4>[^』]*)』|(?P<bare>\S+))',
    re.IGNORECASE,
)
# A blank between two CJK characters inside a phrase is a writer's habit, not a boundary:
# "デジタル 人民元" also finds デジタル人民元.
_CJK_BLANK_RE = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_YEAR_RE = re.compile(r"(\d{4})(?:(?:-|–|\.\.)(\d{4}))?")


@dataclass
class Term:
    text: str  # as typed (NFKC), for display
    normalised: str
    typed: list[Pattern]  # what the reader asked for: the phrase's forms, OR's alternatives
    exact: bool = False  # quoted: a phrase as typed, no aliases
    expansions: list[str] = field(default_factory=list)  # normalised alias forms added
    expansion_patterns: list[Pattern] = field(default_factory=list)
    topic_names: list[str] = field(default_factory=list)  # topics whose labels those are
    longer: list[str] = field(default_factory=list)  # longer words the term begins (normalised)

    @property
    def patterns(self) -> list[Pattern]:
        """Every alternative that matches the term: what was typed, aliases, longer words."""
        return [*self.typed, *self.expansion_patterns, *(Pattern((word,)) for word in self.longer)]

    @property
    def alternatives(self) -> list[str]:
        return [self.normalised, *self.expansions]

    def absorb(self, other: Term) -> None:
        """``self OR other``: one term that either matches."""
        self.text = f"{self.text} OR {other.text}"
        self.typed += other.typed
        self.expansions += other.expansions
        self.expansion_patterns += other.expansion_patterns
        self.topic_names += [n for n in other.topic_names if n not in self.topic_names]
        self.longer += [w for w in other.longer if w not in self.longer]


@dataclass
class QueryFilters:
    """Filters typed into the query itself (``publisher:NRI year:2023``)."""

    title: str = ""
    publisher: str = ""
    topic: str = ""  # the topic's slug, whichever label was typed
    date_from: date | None = None
    date_to: date | None = None


@dataclass
class ParsedQuery:
    raw: str
    terms: list[Term]
    excluded: list[Term] = field(default_factory=list)
    filters: QueryFilters = field(default_factory=QueryFilters)
    notes: list[str] = field(default_factory=list)  # how a query was read other than as typed

    @property
    def expanded(self) -> list[Term]:
        """The terms that are a topic's label (its other labels are searched too)."""
        return [t for t in self.terms if t.expansions]

    @property
    def lengthened(self) -> list[Term]:
        """The terms that also find longer words."""
        return [t for t in self.terms if t.longer]

    @property
    def widened(self) -> bool:
        """Whether more is searched than was typed (after what was typed)."""
        return any(t.expansions or t.longer for t in self.terms)

    @property
    def without(self) -> list[Pattern]:
        """What a match must not contain: any of the excluded terms."""
        return [p for term in self.excluded for p in term.patterns]

    def __bool__(self) -> bool:
        return bool(self.terms)


@dataclass
class _Item:
    text: str
    quoted: bool
    negated: bool = False
    field: str = ""


def _close_quotes(text: str, notes: list[str]) -> str:
    """A phrase left open runs to the end of the query (and the page says so)."""
    for opening, closing in _QUOTES.items():
        opened = text.count(opening) if opening == closing else text.count(opening) - text.count(closing)
        if (opening == closing and opened % 2) or (opening != closing and opened > 0):
            text += closing * (1 if opening == closing else opened)
            notes.append(_("A quotation mark was not closed: the phrase runs to the end of the query."))
    return text


def _items(raw: str, notes: list[str]) -> list[_Item]:
    text = _close_quotes(unicodedata.normalize("NFKC", raw), notes)  # full-width blanks too
    items = []
    for m in _ITEM_RE.finditer(text):
        quoted = next((g for g in ("q1", "q2", "q3", "q4") if m.group(g) is not None), None)
        value = (m.group(quoted) if quoted else m.group("bare")).strip()
        if value:
            items.append(_Item(value, quoted is not None, bool(m.group("neg")),
                               (m.group("field") or "").lower()))
    return items


def parse(raw: str, *, expand: bool = True) -> ParsedQuery:
    """Parse ``raw``; with ``expand``, terms naming a topic also match their other labels
    (one query), and a ``topic:`` filter accepts any label of the topic (the same query)."""
    notes: list[str] = []
    query = ParsedQuery(raw=raw, terms=[], notes=notes)
    simple: list[tuple[Term, bool]] = []  # positive terms, each with "OR the one before"
    pending_or = pending_not = False
    for item in _items(raw, notes):
        if not item.quoted and not item.field and item.text in ("OR", "|"):
            pending_or = bool(simple) and not pending_not
            continue
        if not item.quoted and not item.field and item.text == "NOT":
            pending_not = True
            continue
        if item.field:
            _read_filter(query, item)
            pending_or = pending_not = False
            continue
        term = _term(item.text, quoted=item.quoted)
        if term is None:
            continue
        if item.negated or pending_not:
            query.excluded.append(term)
        elif len(simple) < MAX_TERMS:
            simple.append((term, pending_or))
        pending_or = pending_not = False
    if pending_or or pending_not:
        notes.append(_("OR and NOT need a term after them; the last one was ignored."))
    labels = [t for t, _or in simple if not t.exact] if expand else []
    # "Digital Silk Road" typed without quotes is the English label of a topic, not three
    # words to find anywhere in a section: the words together may name a topic.
    whole = None
    if len(labels) > 1 and len(labels) == len(simple) and not any(o for _t, o in simple):
        whole = _term(" ".join(t.text for t in labels), quoted=False)
    _resolve_labels(labels + ([whole] if whole else []), query)
    if whole is not None and whole.topic_names:
        simple = [(whole, False)]
    if expand:
        _find_longer_words([t for t, _or in simple])
    for term, or_before in simple:
        if or_before and query.terms:
            query.terms[-1].absorb(term)
        else:
            query.terms.append(term)
    if not query.terms and (query.excluded or query.filters != QueryFilters()):
        notes.append(_("Filters and excluded terms only narrow a search: add a term to find."))
    return query


def _term(text: str, *, quoted: bool) -> Term | None:
    normalised = normalise(text)
    forms = [normalised]
    if quoted and (joined := _CJK_BLANK_RE.sub("", normalised)) != normalised:
        forms.append(joined)
    patterns = [p for p in map(term_pattern, forms) if p is not None]
    if not patterns:
        return None
    return Term(text=text, normalised=normalised, typed=list(dict.fromkeys(patterns)), exact=quoted)


def _read_filter(query: ParsedQuery, item: _Item) -> None:
    filters, value = query.filters, item.text
    if item.field == "title":
        filters.title = value
    elif item.field == "publisher":
        filters.publisher = value
    elif item.field == "topic":
        filters.topic = value  # a label until _resolve_labels finds its topic
    elif (m := _YEAR_RE.fullmatch(value)) and int(m.group(1)) <= int(m.group(2) or m.group(1)):
        filters.date_from = date(int(m.group(1)), 1, 1)
        filters.date_to = date(int(m.group(2) or m.group(1)), 12, 31)
    else:
        query.notes.append(_("“year:%(value)s” is not a year; write year:2023 or year:2021-2023.")
                           % {"value": value})


def _resolve_labels(terms: list[Term], query: ParsedQuery) -> None:
    """One query for both: the topics whose labels the unquoted terms are (their other
    labels are searched too), and the topic a ``topic:`` filter names in either language."""
    topic_label = normalise(query.filters.topic) if query.filters.topic else ""
    keys = Q()
    for label in [t.normalised for t in terms] + ([topic_label] if topic_label else []):
        keys |= Q(label_key__contains=f"|{label}|")
    if not keys:
        return
    rows = (
        SearchEntry.objects.filter(keys, doc_type=SearchEntry.DocType.TOPIC)
        .order_by("topic__name")
        .values_list("label_key", "topic__name", "topic__slug")
    )
    found_topic = ""
    for label_key, topic_name, slug in rows:
        labels = [label for label in label_key.strip("|").split("|") if label]
        if topic_label in labels and not found_topic:
            found_topic = slug
        for term in terms:
            if term.normalised not in labels:
                continue
            term.topic_names.append(topic_name)
            for label in labels:
                pattern = term_pattern(label)
                if label not in term.alternatives and pattern is not None:
                    term.expansions.append(label)
                    term.expansion_patterns.append(pattern)
    if topic_label:
        if not found_topic:
            query.notes.append(_("There is no topic “%(label)s”; the topic filter was left out.")
                               % {"label": query.filters.topic})
        query.filters.topic = found_topic


LONGER_WORDS = 20  # searched per term, the shortest first


def _begins_words(word: str) -> bool:
    """Whether a word typed is taken to mean the words that begin with it (see above)."""
    return len(word) >= 3 or not word.isalpha()


def _word_of(term: Term) -> str | None:
    """The Latin or digit word ``term`` is, when it is one, typed without quotes."""
    if term.exact or len(term.typed) != 1 or len(term.typed[0].tokens) != 1:
        return None
    word = term.typed[0].tokens[0]
    return word if len(word) >= 2 and is_word(word) else None


def _find_longer_words(terms: list[Term]) -> None:
    """The longer words each term that is a Latin or digit word begins (one query)."""
    words = [(term, word) for term in terms if (word := _word_of(term))]
    if not words:
        return
    keys = Q()
    for word in {word for _term, word in words}:
        # A range rather than LIKE: SQLite reads the index for it.
        between = Q(start__gte=word, start__lt=word[:-1] + chr(ord(word[-1]) + 1))
        keys |= between if _begins_words(word) else between & Q(inner=True)
    rows = SearchWord.objects.filter(keys).values_list("start", "word", "inner")
    for term, word in words:
        longer = {w for start, w, inner in rows
                  if start.startswith(word) and w != word and (inner or _begins_words(word))}
        term.longer = sorted(longer, key=lambda w: (len(w), w))[:LONGER_WORDS]
