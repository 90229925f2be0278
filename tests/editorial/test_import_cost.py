"""Import costs what its input's size allows: the Markdown heading pattern no longer
backtracks over runs of spaces, and topic labels are matched through an index built once
per set of topics, not a regex compiled per topic label and section."""

from __future__ import annotations

import importlib

import pytest

from kb.editorial.importers import build_profiles, suggest
from kb.editorial.importers.split import markdown_heading, split_sections

# The package exports a function under this module's name.
suggest_module = importlib.import_module("kb.editorial.importers.suggest")


def test_markdown_heading_pattern_costs_linear_time_on_runs_of_spaces():
    # "# a", 3,000 spaces and "x" took 126 s: the pattern backtracked over the spaces.
    text = "# a" + " " * 50_000 + "x\n\n本文です。"
    sections = split_sections(text)
    assert sections[0].heading.startswith("a") and sections[0].heading.endswith("x")
    assert markdown_heading("# a" + "　" * 50_000 + "#") == (1, "a")


@pytest.mark.parametrize("line,expected", [
    ("## 中ロの協力 ##", (2, "中ロの協力")),
    ("  ### 見出し", (3, "見出し")),
    ("###### 六", (6, "六")),
    ("####### 七", None),
    ("#見出し", None),
    ("#   ", None),
    ("# C#", (1, "C")),
])
def test_markdown_headings_are_read_as_before(line, expected):
    assert markdown_heading(line) == expected


class _CountingRe:
    """The ``re`` module, counting the patterns compiled or searched through it."""

    def __init__(self, real):
        self._real, self.calls = real, 0

    def __getattr__(self, name):
        attribute = getattr(self._real, name)
        if name in {"compile", "search", "match", "findall", "finditer", "fullmatch"}:
            def counted(*args, **kwargs):
                self.calls += 1
                return attribute(*args, **kwargs)
            return counted
        return attribute


def test_topic_labels_are_compiled_once_per_set_of_topics_not_per_section(monkeypatch):
    topics = [(f"t{n}", f"話題{n}", [f"話題{n}", f"Topic{n}"]) for n in range(500)]
    index = build_profiles(topics, {})
    counting = _CountingRe(suggest_module.re)
    monkeypatch.setattr(suggest_module, "re", counting)
    sections = [f"第{n}節では話題7と Topic12 を論じる。" for n in range(200)]
    found = [suggest(text, index) for text in sections]
    assert counting.calls == 0
    assert {s.slug for s in found[0]} == {"t7", "t12"}


def test_labels_found_inside_longer_labels_and_only_as_whole_latin_words():
    index = build_profiles([
        ("ai", "AI", ["AI"]), ("chips", "AI chips", ["AI chips"]), ("5g", "5G", ["5G"]),
        ("5g-net", "5G通信", ["5G通信"]), ("china", "中国", ["中国"]),
        ("china-ai", "中国AI", ["中国AI"]),
    ], {})
    # A label found only inside another topic's longer label names that topic only: the
    # longer label is the term the text uses (issue 16: AI inside 生成AI is not 人工知能).
    assert {s.slug for s in suggest("ＡＩ chips の輸出規制", index)} == {"chips"}
    assert {s.slug for s in suggest("AI chipset", index)} == {"ai"}
    assert {s.slug for s in suggest("x5G通信", index)} == {"5g-net"}
    assert {s.slug for s in suggest("中国AIの発展", index)} == {"china-ai"}
    assert {s.slug for s in suggest("中国AIとAI", index)} == {"china-ai", "ai"}
