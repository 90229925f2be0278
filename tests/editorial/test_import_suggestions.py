"""Topic suggestions cite their evidence; only topics named in the text are accepted by
default; the stored topic profiles follow every write without re-reading every section."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb.editorial import importing, profiles
from kb.editorial.importers import build_profiles, suggest, words
from kb.editorial.models import TopicWords
from kb.library import services as library_services
from kb.library.models import Section, TaggedSection, Topic
from kb.passages import services as passage_services

INDEX = build_profiles(
    [
        ("ai", "人工知能（AI）", ["人工知能（AI）", "AI", "人工知能"]),
        ("ai-regulation", "AI規制", ["AI規制", "生成AI"]),
        ("huawei-5g", "ファーウェイ・5G", ["ファーウェイ", "華為", "5G"]),
        ("sino-russian", "中ロ技術協力", ["中ロ技術協力", "中ロ", "中露"]),
        ("credit", "信用スコアリング・与信", ["与信", "信用スコア"]),
        ("silk-road", "デジタル一帯一路", ["デジタル一帯一路", "一帯一路"]),
    ],
    {"silk-road": ["デジタル化の進展と通信インフラの整備。沿線国のデジタル化。"]},
)


def _named(text: str) -> set[str]:
    return {s.slug for s in suggest(text, INDEX) if s.named}


@pytest.mark.parametrize("text,expected", [
    ("MAILとEMAILの送受信量が増えた。", set()),  # AI inside a Latin word
    ("AIを活用した行政サービス。", {"ai"}),
    ("中ロット生産の工場。", set()),  # 中ロ followed by more katakana: ロット
    ("中ロ関係は深化している。", {"sino-russian"}),  # a compound of the same term
    ("技術授与信託の仕組み。", set()),  # 与信 glued to 授 on its left
    ("与信審査の高度化。", {"credit"}),
    ("華為技術に対する制裁。", {"huawei-5g"}),
    ("Type 15GB のディスク。", set()),
])
def test_short_labels_are_found_only_as_words_of_their_own(text, expected):
    assert _named(text) == expected


def test_a_label_inside_another_topics_longer_label_names_that_topic_only():
    assert _named("生成AIの規則が施行された。") == {"ai-regulation"}
    assert _named("生成AIとAIの違い。") == {"ai", "ai-regulation"}


def test_a_suggestion_cites_the_label_how_many_times_and_where():
    found = suggest("華為は5G基地局を輸出する。華為の売上は伸びた。", INDEX, heading="ファーウェイの戦略")[0]
    assert found.slug == "huawei-5g" and found.named
    evidence = {e.label: e for e in found.evidence}
    assert (evidence["華為"].count, evidence["華為"].in_heading) == (2, False)
    assert "華為は5G基地局" in evidence["華為"].context
    assert (evidence["ファーウェイ"].count, evidence["ファーウェイ"].in_heading) == (1, True)
    assert "5G基地局" in evidence["5G"].context


def test_similarity_alone_is_shown_apart_and_never_accepted():
    found = suggest("地方のデジタル化の進展と通信インフラの整備が課題である。", INDEX)
    assert [(s.slug, s.named, s.evidence) for s in found] == [("silk-road", False, [])]
    assert found[0].shared_words


@pytest.fixture
def topics(db):
    made = {}
    for slug, name, alias in [("huawei-5g", "ファーウェイ・5G", "華為"),
                              ("silk-road", "デジタル一帯一路", "一帯一路")]:
        made[slug] = Topic.objects.create(slug=slug, name=name)
        made[slug].aliases.create(name=alias)
    return made


def _recounted() -> dict[str, Counter]:
    """What re-reading every tagged section's text gives."""
    texts: dict[str, list[str]] = {}
    for slug, text in TaggedSection.objects.values_list("tag__slug", "content_object__plain_text"):
        texts.setdefault(slug, []).append(text)
    return {slug: words("\n".join(t)) for slug, t in texts.items()}


def _stored() -> dict[str, Counter]:
    return {w.topic.slug: Counter(w.counts) for w in TopicWords.objects.select_related("topic")
            if w.counts}


def test_stored_profiles_follow_tags_edits_deletions_and_merges(make_article, topics):
    article = make_article(sections=[("華為", "華為の基地局輸出。", ["huawei-5g"]),
                                     ("沿線国", "一帯一路の沿線国の通信網。", ["silk-road"])])
    profiles.refresh_topic_words()
    assert _stored() == _recounted()
    first, second = article.sections.order_by("position")
    # Tagged by an import (new tag rows), a section edited, a tag removed, a section deleted.
    importing_data = importing.prepare(content="華為の研究開発拠点\n\n華為は欧州に研究所を置く。\n".encode(),
                                       filename="r.txt", accept_topics=True).data
    from kb.editorial import services as editorial_services
    editorial_services.import_article(data=importing_data, user=None, source_name="r.txt")
    second.body = "一帯一路の港湾と海底ケーブル。"
    passage_services.save_section(section=second)
    profiles.refresh_topic_words()
    assert _stored() == _recounted()
    first.topics.remove(topics["huawei-5g"])
    profiles.refresh_topic_words()
    assert _stored() == _recounted()
    passage_services.delete_sections(sections=Section.objects.filter(pk=second.pk))
    profiles.refresh_topic_words()
    assert _stored() == _recounted()
    first.topics.add(topics["silk-road"])
    library_services.merge_topics(source=topics["silk-road"], target=topics["huawei-5g"])
    profiles.refresh_topic_words()
    assert _stored() == _recounted()


def test_an_unchanged_kb_is_not_read_again(make_article, topics):
    """With nothing changed, bringing the profiles up to date rewrites no topic's counts
    and makes the same queries whether 2 or 40 sections are tagged."""
    def queries(count: int) -> list[str]:
        make_article(sections=[(f"節{n}", f"華為の話{n}。", ["huawei-5g", "silk-road"])
                               for n in range(count)])
        profiles.refresh_topic_words()
        with CaptureQueriesContext(connection) as captured:
            profiles.refresh_topic_words()
        return [q["sql"] for q in captured.captured_queries]

    few = queries(2)
    many = queries(40)
    assert len(few) == len(many)
    assert not any(sql.startswith("UPDATE") and "counts" in sql for sql in many)
