"""Topic suggestions for a section's text (pure functions; the caller loads the topics).

Two signals, each shown to the editor as the reason for a suggestion:
- a topic's label, English label or alias appears in the text (ファーウェイ, 華為, Huawei):
  its evidence is the label as found, how many times and where, with a few characters
  around its first occurrence. Latin labels must be whole words (AI is not in MAIL), and a
  label of one or two kanji or katakana must not be the end or middle of a longer word
  (中ロ is not in 中ロシア, 与信 not in 授与信託). Only these suggestions are accepted by default;
- the text shares distinctive words with sections already tagged with the topic
  (cosine similarity of word weights; a "word" is a run of kanji, of katakana or of
  Latin letters and digits, which needs no dictionary). These are shown apart, for the
  editor to accept: shared words alone proposed topics the text never names.
"""

from __future__ import annotations

import heapq
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

_WORD = re.compile(r"[\u4e00-\u9fff々〆ヵヶ]{2,}|[\u30a0-\u30ffー・]{2,}|[A-Za-z][A-Za-z0-9\-]+|\d+[A-Za-z]+")
_LATIN_WORD = re.compile(r"[a-z0-9]").fullmatch
_KANJI = re.compile(r"[\u4e00-\u9fff々〆ヵヶ]").fullmatch
_KATAKANA = re.compile(r"[\u30a1-\u30faー]").fullmatch
SHORT_LABEL = 2
CONTEXT = 12
LABEL_SCORE = 1.0
MIN_SIMILARITY = 0.12
MAX_SUGGESTIONS = 5


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def words(text: str) -> Counter[str]:
    return Counter(w.strip("・") for w in _WORD.findall(normalise(text)) if len(w.strip("・")) >= 2)


@dataclass
class TopicProfile:
    slug: str
    name: str
    labels: list[str]
    weights: dict[str, float] = field(default_factory=dict)  # word → tf-idf, unit length


@dataclass
class Found:
    """A label found in a section: as written in kb, how many times, where first."""

    label: str
    count: int
    in_heading: bool
    context: str  # the first occurrence with a few characters either side


@dataclass
class Suggestion:
    slug: str
    name: str
    score: float
    labels: list[str] = field(default_factory=list)  # labels found in the text
    shared_words: list[str] = field(default_factory=list)
    evidence: list[Found] = field(default_factory=list)

    @property
    def named(self) -> bool:
        """Named in the text: accepted by default (the editor can still remove it)."""
        return bool(self.labels)


def build_profiles(
    topics: Iterable[tuple[str, str, Sequence[str]]], tagged: dict[str, list[str]]
) -> TopicIndex:
    """``topics``: (slug, name, labels); ``tagged``: slug → texts of sections tagged with it."""
    return build_index(topics, {slug: words("\n".join(texts)) for slug, texts in tagged.items()})


def build_index(
    topics: Iterable[tuple[str, str, Sequence[str]]], documents: dict[str, Counter[str]]
) -> TopicIndex:
    """``documents``: slug → the word counts of the sections tagged with it (kept counts)."""
    frequency: Counter[str] = Counter()
    for counts in documents.values():
        frequency.update(counts.keys())
    total = max(len(documents), 1)
    profiles = []
    for slug, name, labels in topics:
        counts = documents.get(slug, Counter())
        weights = {w: (1 + math.log(n)) * math.log(1 + total / frequency[w])
                   for w, n in counts.items()}
        profiles.append(TopicProfile(slug, name, [label for label in labels if label], _unit(weights)))
    return TopicIndex(profiles)


def _unit(weights: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
    return {w: v / norm for w, v in weights.items()}


def _trie_pattern(keys: Iterable[str]) -> str:
    """A pattern matching any of ``keys``, longest first, shaped as their trie: at each
    position of a text the engine follows one branch per character, not one per key."""
    trie: dict = {}
    for key in keys:
        node = trie
        for ch in key:
            node = node.setdefault(ch, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        branches = [re.escape(ch) + pattern(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        group = f"(?:{'|'.join(branches)})"
        return f"{group}?" if "" in node else group

    return pattern(trie)


class TopicIndex:
    """Every topic's labels and words, indexed once per set of topics, so a section is
    matched against all of them in time that grows with the section, not with the number of
    topics: analysts create topics freely (914 after one run), and checking each topic's
    labels with a regex compiled per label and call made a 3,000-page PDF take 404 s.

    Labels are found by two patterns shaped as tries (Latin labels, which must be whole
    words, and the others), words through a list of the topics each word weighs in."""

    def __init__(self, profiles: Iterable[TopicProfile]) -> None:
        self.profiles = list(profiles)
        self._owners: dict[str, list[tuple[int, str]]] = {}
        self._postings: dict[str, list[tuple[int, float]]] = {}
        for n, profile in enumerate(self.profiles):
            for label in profile.labels:
                if key := normalise(label):
                    self._owners.setdefault(key, []).append((n, label))
            for word, weight in profile.weights.items():
                self._postings.setdefault(word, []).append((n, weight))
        # A match is the longest key at its position; the shorter keys of its kind it starts
        # with (華為 in 華為技術) are found at the same place, and kept when they name the
        # same topic (_drop_covered).
        self._prefixes = {key: [key[:i] for i in range(len(key), 0, -1)
                                if key[:i] in self._owners and key[:i].isascii() == key.isascii()]
                          for key in self._owners}
        latin = [key for key in self._owners if key.isascii()]
        other = [key for key in self._owners if not key.isascii()]
        self._matchers: list[tuple[re.Pattern[str], bool]] = []
        if latin:  # Short Latin labels (AI, 5G, BAT) must be whole words, not parts of others.
            self._matchers.append(
                (re.compile(rf"(?=(?<![a-z0-9])({_trie_pattern(latin)})(?![a-z0-9]))"), True))
        if other:
            self._matchers.append((re.compile(f"(?=({_trie_pattern(other)}))"), False))

    def __iter__(self):
        return iter(self.profiles)

    def __len__(self) -> int:
        return len(self.profiles)

    def labels_in(self, plain: str) -> dict[int, dict[str, list[int]]]:
        """Topic number → its labels found in the normalised text ``plain``, each with the
        positions where it was found."""
        found: dict[str, list[int]] = {}
        for matcher, whole_words in self._matchers:
            for match in matcher.finditer(plain):
                start = match.start()
                for key in self._prefixes[match.group(1)]:
                    end = start + len(key)
                    if whole_words and end < len(plain) and _LATIN_WORD(plain[end]):
                        continue
                    if not whole_words and not _stands_alone(plain, key, start, end):
                        continue
                    found.setdefault(key, []).append(start)
        self._drop_covered(found)
        labels: dict[int, dict[str, list[int]]] = {}
        for key, positions in found.items():
            for n, label in self._owners[key]:
                labels.setdefault(n, {})[label] = positions
        return labels

    def _drop_covered(self, found: dict[str, list[int]]) -> None:
        """A label found only inside a longer label of another topic is that topic's term:
        AI in 生成AI (an alias of AI規制) does not name 人工知能."""
        spans = sorted(((start, start + len(key), key) for key, starts in found.items()
                        for start in starts), key=lambda span: (span[0], -span[1]))
        for key in list(found):
            owners = {n for n, _label in self._owners[key]}
            kept = [start for start in found[key] if not any(
                other_start <= start and start + len(key) <= other_end and len(other) > len(key)
                and not owners & {n for n, _label in self._owners[other]}
                for other_start, other_end, other in spans if other_start <= start)]
            if kept:
                found[key] = kept
            else:
                del found[key]

    def shared_words(self, vector: dict[str, float]) -> dict[int, dict[str, float]]:
        """Topic number → the text's words it weighs in, with their product."""
        shared: dict[int, dict[str, float]] = {}
        for word, value in vector.items():
            for n, weight in self._postings.get(word, ()):
                shared.setdefault(n, {})[word] = value * weight
        return shared


def _stands_alone(plain: str, key: str, start: int, end: int) -> bool:
    """A short kanji or katakana label is not the end or middle of a longer word: it is
    not glued on its left to more of its script (与信 in 授与信託), nor, ending in katakana,
    to more katakana on its right (中ロ in 中ロシア). Kanji after it usually make a compound
    of the same term (華為技術, 中ロ関係), so they are allowed."""
    if len(key) > SHORT_LABEL:
        return True
    before = plain[start - 1] if start > 0 else ""
    after = plain[end] if end < len(plain) else ""
    return not any(script(key[0]) and before and script(before) for script in (_KANJI, _KATAKANA)) \
        and not (_KATAKANA(key[-1]) and after and _KATAKANA(after))


def _evidence(labels: dict[str, list[int]], shown: str, heading_chars: int) -> list[Found]:
    found = []
    for label, positions in sorted(labels.items(), key=lambda item: (-len(item[1]), item[0])):
        first = positions[0]
        end = first + len(normalise(label))
        context = (("…" if first > CONTEXT else "") + shown[max(first - CONTEXT, 0):end + CONTEXT]
                   + ("…" if end + CONTEXT < len(shown) else ""))
        found.append(Found(label=label, count=len(positions), in_heading=first < heading_chars,
                           context=re.sub(r"\s+", " ", context)))
    return found


def suggest(text: str, profiles: TopicIndex | Sequence[TopicProfile],
            limit: int = MAX_SUGGESTIONS, *, heading: str = "") -> list[Suggestion]:
    """The topics ``text`` (after ``heading``, if given) is most likely about, best first,
    each with its reasons. Pass the index ``build_index`` made: built here from plain
    profiles, it costs a build."""
    index = profiles if isinstance(profiles, TopicIndex) else TopicIndex(profiles)
    if heading:
        text = f"{heading}\n{text}"
    counts = words(text)
    vector = _unit({w: 1 + math.log(n) for w, n in counts.items()})
    plain = normalise(text)
    # The context is shown as written (NFKC only) where casefolding kept every position.
    shown = unicodedata.normalize("NFKC", text)
    shown = shown if len(shown) == len(plain) else plain
    found = index.labels_in(plain)
    shared_by_topic = index.shared_words(vector)
    scored = []
    for n in found.keys() | shared_by_topic.keys():
        shared = shared_by_topic.get(n, {})
        similarity = sum(shared.values())
        if n not in found and similarity < MIN_SIMILARITY:
            continue
        score = round(LABEL_SCORE * min(len(found.get(n, ())), 3) + similarity, 3)
        scored.append((-score, index.profiles[n].name, n, similarity))
    suggestions = []
    # Only the best are described; ties keep the topics' order, as a stable sort did.
    for negative, name, n, similarity in heapq.nsmallest(limit, scored):
        shared = shared_by_topic.get(n, {})
        top = sorted(shared, key=shared.get, reverse=True)[:5]
        suggestions.append(Suggestion(
            slug=index.profiles[n].slug, name=name, score=-negative,
            labels=sorted(found.get(n, ())),
            shared_words=top if similarity >= MIN_SIMILARITY else [],
            evidence=_evidence(found.get(n, {}), shown, len(heading) + 1 if heading else 0),
        ))
    return suggestions
