"""Readable diffs of Japanese text (pure functions, no database).

Japanese has no spaces between words, so a word diff would mark whole paragraphs as
changed. Texts are compared sentence by sentence first (。！？ and line ends), and the
sentences that changed are compared character by character. Every piece of text is
escaped; only the <ins>/<del> marks are HTML.

The compare page is open to every reader, so its work is bounded: difflib's matcher is
quadratic on long runs (two 40,000-character sentences took 34 s), so every comparison it
makes is counted against a :class:`Budget`. When a comparison would overspend, that piece
falls back to the coarser level: changed sentences are shown removed and added whole, and a
text whose sentences cannot be matched within the budget is shown removed and added whole.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from html import escape
from itertools import accumulate

from django.utils.safestring import SafeString, mark_safe

# A sentence keeps its closing punctuation, brackets and line end, so joining the
# pieces gives back the text exactly.
_SENTENCE = re.compile(r"[^。！？!?\n]*(?:[。！？!?]+[」』）)]*\s*|\n+|$)")
# Equal runs longer than this many sentences are shortened to their ends.
CONTEXT_SENTENCES = 2
# Steps one comparison page may spend matching sentences, and characters within changed
# sentences (a step is one pair of elements the matcher looks at, or one element indexed).
# A step costs 0.04-0.13 µs (measured): a page's diffs take well under a second at most.
SENTENCE_STEPS = 4_000_000
CHARACTER_STEPS = 4_000_000


class Budget:
    """Steps a comparison may still spend; ``spent`` is what it has (tests read it)."""

    def __init__(self, steps: int) -> None:
        self.limit = steps
        self.spent = 0

    def take(self, steps: int) -> bool:
        """Spend ``steps`` if they are left; False (and nothing spent) if not."""
        if self.spent + steps > self.limit:
            return False
        self.spent += steps
        return True


class _OverBudget(Exception):
    pass


class _BoundedMatcher(SequenceMatcher):
    """difflib's matcher, charging each longest-match search its worst case before running it:
    the search visits, for each element of ``a`` in range, its occurrences in ``b``."""

    def __init__(self, a, b, budget: Budget) -> None:
        if not budget.take(2 * (len(a) + len(b))):
            raise _OverBudget
        super().__init__(None, a, b, autojunk=False)
        occurrences = {element: len(places) for element, places in self.b2j.items()}
        # _cost[i]: occurrences in b of a[0..i-1], so a range's cost is one subtraction.
        self._cost = [0, *accumulate(occurrences.get(element, 0) for element in a)]
        self._budget = budget

    def find_longest_match(self, alo=0, ahi=None, blo=0, bhi=None):
        ahi = len(self.a) if ahi is None else ahi
        if not self._budget.take(self._cost[ahi] - self._cost[alo] + (ahi - alo) + 1):
            raise _OverBudget
        return super().find_longest_match(alo, ahi, blo, bhi)


def _opcodes(a, b, budget: Budget) -> list[tuple[str, int, int, int, int]] | None:
    """difflib's opcodes for ``a`` → ``b``, or None if they cost more than ``budget`` has.
    The common start and end are taken off first: a small edit to a long text is cheap."""
    start, stop = 0, min(len(a), len(b))
    while start < stop and a[start] == b[start]:
        start += 1
    end = 0
    while end < stop - start and a[len(a) - 1 - end] == b[len(b) - 1 - end]:
        end += 1
    try:
        inner = _BoundedMatcher(a[start:len(a) - end], b[start:len(b) - end], budget).get_opcodes()
    except _OverBudget:
        return None
    ops = [("equal", 0, start, 0, start)] if start else []
    ops += [(op, i1 + start, i2 + start, j1 + start, j2 + start)
            for op, i1, i2, j1, j2 in inner if i1 != i2 or j1 != j2]
    if end:
        ops.append(("equal", len(a) - end, len(a), len(b) - end, len(b)))
    return ops


def split_sentences(text: str) -> list[str]:
    return [piece for piece in _SENTENCE.findall(text) if piece]


def _mark(tag: str, text: str) -> str:
    return f"<{tag}>{escape(text)}</{tag}>" if text else ""


def _diff_chars(old: str, new: str, budget: Budget) -> str:
    ops = _opcodes(old, new, budget)
    if ops is None:  # too long to compare character by character: whole sentences
        return _mark("del", old) + _mark("ins", new)
    out = []
    for op, i1, i2, j1, j2 in ops:
        if op == "equal":
            out.append(escape(old[i1:i2]))
        else:
            out.append(_mark("del", old[i1:i2]) + _mark("ins", new[j1:j2]))
    return "".join(out)


def _shorten(sentences: list[str], first: bool, last: bool) -> str:
    """An unchanged run: keep the sentences next to changes, elide the middle."""
    if len(sentences) <= 2 * CONTEXT_SENTENCES:
        return escape("".join(sentences))
    head = [] if first else sentences[:CONTEXT_SENTENCES]
    tail = [] if last else sentences[-CONTEXT_SENTENCES:]
    return escape("".join(head)) + '<span class="elided">…</span>' + escape("".join(tail))


class DiffBudget:
    """What one comparison (one page) may spend, at each of the two levels."""

    def __init__(self, sentences: int = SENTENCE_STEPS, characters: int = CHARACTER_STEPS) -> None:
        self.sentences = Budget(sentences)
        self.characters = Budget(characters)


def diff_text(old: str, new: str, *, shorten: bool = True,
              budget: DiffBudget | None = None) -> SafeString:
    """HTML showing how ``old`` became ``new``: <del> for removed, <ins> for added text.
    Pass one ``budget`` to every diff of a page to bound the page's work as a whole."""
    budget = budget or DiffBudget()
    a, b = split_sentences(old), split_sentences(new)
    opcodes = _opcodes(a, b, budget.sentences)
    if opcodes is None:
        opcodes = [("replace", 0, len(a), 0, len(b))]
        coarse = True
    else:
        coarse = False
    out = []
    for n, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            run = a[i1:i2]
            out.append(_shorten(run, n == 0, n == len(opcodes) - 1) if shorten
                       else escape("".join(run)))
        elif op == "replace" and not coarse:
            out.append(_diff_chars("".join(a[i1:i2]), "".join(b[j1:j2]), budget.characters))
        else:
            out.append(_mark("del", "".join(a[i1:i2])) + _mark("ins", "".join(b[j1:j2])))
    return mark_safe("".join(out))  # noqa: S308 (every text piece is escaped above)
