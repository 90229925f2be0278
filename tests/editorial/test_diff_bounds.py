"""The compare page is open to every reader: its diff costs a bounded amount of work at the
section size limit, and is computed once per pair of versions, whatever the query string."""

from __future__ import annotations

import random

from django.test import Client
from django.urls import reverse
from reversion.models import Version

from kb.editorial import revisions
from kb.editorial import services as editorial_services
from kb.editorial.diffs import CHARACTER_STEPS, SENTENCE_STEPS, DiffBudget, diff_text

LIMIT = 100_000  # characters in a section


def _unpunctuated(seed: int, size: int = LIMIT) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice("中国日本のデジタル経済とプラットフォーム") for _ in range(size))


def test_long_unpunctuated_sections_fall_back_to_whole_text_within_the_budget():
    # One 100,000-character "sentence" each: the character diff was quadratic (~15 min).
    old, new = _unpunctuated(1), _unpunctuated(2)
    budget = DiffBudget()
    html = diff_text(old, new, budget=budget)
    assert budget.characters.spent <= CHARACTER_STEPS
    assert budget.sentences.spent <= SENTENCE_STEPS
    assert html == f"<del>{old}</del><ins>{new}</ins>"


def test_a_small_edit_in_a_long_sentence_is_still_shown_character_by_character():
    old = _unpunctuated(3)
    new = old[:50_000] + "露" + old[50_001:]
    budget = DiffBudget()
    html = diff_text(old, new, budget=budget)
    assert f"<del>{old[50_000]}</del><ins>露</ins>" in html
    assert html.count("<del>") == 1
    assert budget.characters.spent < 10


def test_repeated_sentences_cannot_make_the_sentence_match_quadratic():
    # Every sentence equal to 50,000 others: each search would visit 50,000² pairs.
    old = "x。" + "a。" * 49_998 + "y。"
    new = "z。" + "a。" * 49_998 + "w。"
    budget = DiffBudget()
    html = diff_text(old, new, budget=budget)
    assert budget.sentences.spent <= SENTENCE_STEPS
    assert html.startswith("<del>x。") and html.endswith("w。</ins>")


def test_one_budget_bounds_a_whole_page_of_sections():
    rng = random.Random(4)
    budget = DiffBudget()
    for n in range(30):
        old = "。".join("".join(rng.choice("ab") for _ in range(200)) for _ in range(50))
        new = "。".join("".join(rng.choice("ab") for _ in range(200)) for _ in range(50))
        diff_text(f"見出し{n}。{old}", f"見出し{n}。{new}", budget=budget)
    assert budget.characters.spent <= CHARACTER_STEPS
    assert budget.sentences.spent <= SENTENCE_STEPS


def _article_with_two_long_versions(make_article):
    article = make_article(sections=[("一", _unpunctuated(5, 40_000), [])])
    section = article.sections.get()
    editorial_services.update_article(
        article=article, loaded_version=article.version, user=None,
        data=editorial_services.ArticleData(
            title=article.title, slug=article.slug, kind=article.kind,
            sections=[editorial_services.SectionData(
                heading="一", body=_unpunctuated(6, 40_000), anchor=section.anchor)]),
    )
    new, old = Version.objects.get_for_object(article)
    return article, old, new


def test_compare_page_computes_a_version_pairs_diff_once(make_article, monkeypatch):
    article, old, new = _article_with_two_long_versions(make_article)
    computed = []
    real_compare = revisions.compare
    monkeypatch.setattr(revisions, "compare",
                        lambda a, b: computed.append(1) or real_compare(a, b))
    url = reverse("kb:article_compare", args=[article.slug])
    reader = Client()
    first = reader.get(url, {"from": old.pk})
    # A new query string misses the page cache, but not the diff's.
    again = reader.get(url, {"from": old.pk, "x": "1"})
    explicit = reader.get(url, {"from": old.pk, "to": new.pk, "y": "2"})
    assert first.status_code == again.status_code == explicit.status_code == 200
    assert "<del>" in first.content.decode() and "<ins>" in again.content.decode()
    assert len(computed) == 1


def test_a_new_edit_gives_the_comparison_with_the_current_article_a_new_diff(make_article):
    article = make_article(sections=[("一", "中ロの協力。", [])])
    old = Version.objects.get_for_object(article).get()
    url = reverse("kb:article_compare", args=[article.slug])
    assert "<ins>" not in Client().get(url, {"from": old.pk}).content.decode()
    section = article.sections.get()
    editorial_services.update_article(
        article=article, loaded_version=article.version, user=None,
        data=editorial_services.ArticleData(
            title=article.title, slug=article.slug, kind=article.kind,
            sections=[editorial_services.SectionData(heading="一", body="中露の協力。",
                                                     anchor=section.anchor)]),
    )
    assert "中<del>ロ</del><ins>露</ins>の協力" in Client().get(
        url, {"from": old.pk, "z": "3"}).content.decode()
