"""Readable diffs of Japanese text (pure functions, no database).

Japanese has no spaces between words, so a word diff would mark whole paragraphs as
changed. Texts are compared sentence by sentence first (。！？ and line ends), and the
sentences that changed are compared character by character. Every piece of text is
escaped; only the <ins>/<del> marks are HTML.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from html import escape

from django.utils.safestring import SafeString, mark_safe

# A sentence keeps its closing punctuation, brackets and line end, so joining the
# pieces gives back the text exactly.
_SENTENCE = re.compile(r"[^。！？!?\n]*(?:[。！？!?]+[」』）)]*\s*|\n+|$)")
# Equal runs longer than this many sentences are shortened to their ends.
CONTEXT_SENTENCES = 2


def split_sentences(text: str) -> list[str]:
    return [piece for piece in _SENTENCE.findall(text) if piece]


def _mark(tag: str, text: str) -> str:
    return f"<{tag}>{escape(text)}</{tag}>" if text else ""


def _diff_chars(old: str, new: str) -> str:
    out = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
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


def diff_text(old: str, new: str, *, shorten: bool = True) -> SafeString:
    """HTML showing how ``old`` became ``new``: <del> for removed, <ins> for added text."""
    a, b = split_sentences(old), split_sentences(new)
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    opcodes = matcher.get_opcodes()
    out = []
    for n, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            run = a[i1:i2]
            out.append(_shorten(run, n == 0, n == len(opcodes) - 1) if shorten
                       else escape("".join(run)))
        elif op == "replace":
            out.append(_diff_chars("".join(a[i1:i2]), "".join(b[j1:j2])))
        else:
            out.append(_mark("del", "".join(a[i1:i2])) + _mark("ins", "".join(b[j1:j2])))
    return mark_safe("".join(out))  # noqa: S308 (every text piece is escaped above)
