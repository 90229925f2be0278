"""Topic suggestions for a section's text (pure functions; the caller loads the topics).

Two signals, each shown to the editor as the reason for a suggestion:
- a topic's label, English label or alias appears in the text (ファーウェイ, 華為, Huawei);
- the text shares distinctive words with sections already tagged with the topic
  (cosine similarity of word weights; a "word" is a run of kanji, of katakana or of
  Latin letters and digits, which needs no dictionary).
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
class Suggestion:
    slug: str
    name: str
    score: float
    labels: list[str] = field(default_factory=list)  # labels found in the text
    shared_words: list[str] = field(default_factory=list)


def build_profiles(
    topics: Iterable[tuple[str, str, Sequence[str]]], tagged: dict[str, list[str]]
) -> TopicIndex:
    """``topics``: (slug, name, labels); ``tagged``: slug → texts of sections tagged with it."""
    documents = {slug: words("\n".join(texts)) for slug, texts in tagged.items()}
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


class TopicIndex:
    """Every topic's labels and words, indexed once per set of topics, so a section is
    matched against all of them in time that grows with the section, not with the number of
    topics: analysts create topics freely (914 after one run), and checking each topic's
    labels with a regex compiled per label and call made a 3,000-page PDF take 404 s.

    Labels are looked up by their first two characters among those the text holds, and
    words through a list of the topics each word weighs in."""

    def __init__(self, profiles: Iterable[TopicProfile]) -> None:
        self.profiles = list(profiles)
        self._labels: dict[str, dict[str, list[tuple[int, str]]]] = {}
        self._patterns: dict[str, re.Pattern[str]] = {}
        self._postings: dict[str, list[tuple[int, float]]] = {}
        for n, profile in enumerate(self.profiles):
            for label in profile.labels:
                key = normalise(label)
                if not key:
                    continue
                self._labels.setdefault(key[:2], {}).setdefault(key, []).append((n, label))
                if key.isascii() and key not in self._patterns:
                    # Short Latin labels (AI, 5G, BAT) must be whole words, not parts of others.
                    self._patterns[key] = re.compile(
                        rf"(?<![a-z0-9]){re.escape(key)}(?![a-z0-9])")
            for word, weight in profile.weights.items():
                self._postings.setdefault(word, []).append((n, weight))

    def __iter__(self):
        return iter(self.profiles)

    def __len__(self) -> int:
        return len(self.profiles)

    def labels_in(self, plain: str) -> dict[int, set[str]]:
        """Topic number → its labels found in the normalised text ``plain``."""
        starts = {plain[i:i + 2] for i in range(len(plain) - 1)} | set(plain)
        found: dict[int, set[str]] = {}
        for start in starts & self._labels.keys():
            for key, owners in self._labels[start].items():
                pattern = self._patterns.get(key)
                if pattern.search(plain) if pattern else key in plain:
                    for n, label in owners:
                        found.setdefault(n, set()).add(label)
        return found

    def shared_words(self, vector: dict[str, float]) -> dict[int, dict[str, float]]:
        """Topic number → the text's words it weighs in, with their product."""
        shared: dict[int, dict[str, float]] = {}
        for word, value in vector.items():
            for n, weight in self._postings.get(word, ()):
                shared.setdefault(n, {})[word] = value * weight
        return shared


def suggest(text: str, profiles: TopicIndex | Sequence[TopicProfile],
            limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
    """The topics ``text`` is most likely about, best first, each with its reasons. Pass
    the index ``build_profiles`` made: built here from plain profiles, it costs a build."""
    index = profiles if isinstance(profiles, TopicIndex) else TopicIndex(profiles)
    counts = words(text)
    vector = _unit({w: 1 + math.log(n) for w, n in counts.items()})
    found = index.labels_in(normalise(text))
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
        ))
    return suggestions
