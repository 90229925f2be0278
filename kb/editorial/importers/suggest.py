"""Topic suggestions for a section's text (pure functions; the caller loads the topics).

Two signals, each shown to the editor as the reason for a suggestion:
- a topic's label, English label or alias appears in the text (ファーウェイ, 華為, Huawei);
- the text shares distinctive words with sections already tagged with the topic
  (cosine similarity of word weights; a "word" is a run of kanji, of katakana or of
  Latin letters and digits, which needs no dictionary).
"""

from __future__ import annotations

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
) -> list[TopicProfile]:
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
    return profiles


def _unit(weights: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
    return {w: v / norm for w, v in weights.items()}


def _label_found(label: str, text: str) -> bool:
    label = normalise(label)
    if label.isascii():
        # Short Latin labels (AI, 5G, BAT) must be whole words, not parts of others.
        return re.search(rf"(?<![a-z0-9]){re.escape(label)}(?![a-z0-9])", text) is not None
    return label in text


def suggest(text: str, profiles: Sequence[TopicProfile],
            limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
    """The topics ``text`` is most likely about, best first, each with its reasons."""
    plain = normalise(text)
    counts = words(text)
    vector = _unit({w: 1 + math.log(n) for w, n in counts.items()})
    suggestions = []
    for profile in profiles:
        labels = sorted({label for label in profile.labels if _label_found(label, plain)})
        shared = {w: vector[w] * profile.weights[w] for w in vector if w in profile.weights}
        similarity = sum(shared.values())
        if not labels and similarity < MIN_SIMILARITY:
            continue
        top = sorted(shared, key=shared.get, reverse=True)[:5]
        suggestions.append(Suggestion(
            slug=profile.slug, name=profile.name,
            score=round(LABEL_SCORE * min(len(labels), 3) + similarity, 3),
            labels=labels, shared_words=top if similarity >= MIN_SIMILARITY else [],
        ))
    suggestions.sort(key=lambda s: (-s.score, s.name))
    return suggestions[:limit]
