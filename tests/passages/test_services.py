"""Passages through the services: validation, and what section edits do to them."""

import pytest
from django.core.exceptions import ValidationError

from kb.models import Passage, Section, TaggedPassage, Topic
from kb.passages import services as passage_services

CREDIT = "アリババは与信スコアの算出にeCreditalのデータを使っている。"
BODY = f"電子商取引の拡大。{CREDIT}規制は今後強まる。"


@pytest.fixture
def section(make_article):
    article = make_article(sections=[("与信", BODY, ["platformers"]), ("次", "二番目の節。", [])])
    return article.sections.order_by("position").first()


def _tag(section, analyst, quote, topics=("platformers",), note="", occurrence=0):
    start = -1
    for _ in range(occurrence + 1):
        start = section.plain_text.index(quote, start + 1)
    return passage_services.create_passage(
        section=section, analyst=analyst, exact=quote, start=start, topics=list(topics), note=note
    )


def _edit(section, body):
    section.refresh_from_db()
    section.body = body
    return passage_services.save_section(section=section)


def test_create_passage_stores_selectors_version_and_tags(section, analyst):
    passage = _tag(section, analyst, "eCredital", topics=["platformers", "データ制度", "  "], note="要確認")
    passage.refresh_from_db()
    start = section.plain_text.index("eCredital")
    assert (passage.start, passage.end) == (start, start + len("eCredital"))
    assert passage.prefix == section.plain_text[max(0, start - 32) : start]
    assert passage.suffix == section.plain_text[start + 9 : start + 9 + 32]
    assert passage.section_version == section.version == 1
    assert passage.status == "anchored" and passage.note == "要確認"
    # An existing topic by slug, and a new free tag with a Japanese slug.
    assert sorted(t.slug for t in passage.topics.all()) == ["platformers", "データ制度"]


def test_tag_names_resolve_by_alias_and_case(section, analyst):
    topic = Topic.objects.get(slug="platformers")
    topic.aliases.create(name="Platformer企業")
    passage = _tag(section, analyst, "eCredital", topics=["platformer企業", "PLATFORMERS"])
    assert list(passage.topics.all()) == [topic]


@pytest.mark.parametrize(
    "quote,start,topics,code",
    [
        ("eCredital", 0, ["platformers"], "stale"),  # not at that position
        ("eCredital", None, [], "required"),  # no tag
        ("eCredital", None, ["  "], "required"),
        ("   ", 0, ["platformers"], "required"),
        ("の", None, ["platformers"], "ambiguous"),  # occurs several times
        ("ない文", None, ["platformers"], "stale"),
        ("eCredital", None, ["x" * 101], "invalid"),
    ],
)
def test_invalid_passages_are_refused_and_change_nothing(section, analyst, quote, start, topics, code):
    _tag(section, analyst, "規制")  # an existing passage and tag count to compare against
    topics_before, tags_before = Topic.objects.count(), TaggedPassage.objects.count()
    with pytest.raises(ValidationError) as err:
        passage_services.create_passage(section=section, analyst=analyst, exact=quote, start=start, topics=topics)
    assert err.value.code == code
    assert Passage.objects.count() == 1
    assert (Topic.objects.count(), TaggedPassage.objects.count()) == (topics_before, tags_before)


def test_quote_without_position_is_found_when_unique(section, analyst):
    passage = passage_services.create_passage(section=section, analyst=analyst, exact="eCredital", topics=["x"])
    assert section.plain_text[passage.start : passage.end] == "eCredital"


def test_passage_with_supplementary_characters(make_article, analyst):
    section = make_article(sections=[("s", "𠮷野家と𠮷田さんの与信。", [])]).sections.get()
    passage = _tag(section, analyst, "𠮷田さん")
    assert (passage.start, passage.end) == (4, 8)


def test_body_edit_bumps_version_and_text_inserted_before_moves_the_passage(section, analyst):
    passage = _tag(section, analyst, CREDIT)
    _edit(section, "はじめに、追記した一文。" + BODY)
    passage.refresh_from_db()
    section.refresh_from_db()
    assert section.version == 2
    assert passage.status == "moved"
    assert section.plain_text[passage.start : passage.end] == CREDIT
    assert passage.section_version == 1  # the version the quote was taken on


def test_edit_elsewhere_keeps_the_passage_anchored(section, analyst):
    passage = _tag(section, analyst, CREDIT)
    _edit(section, BODY + "追記。")
    passage.refresh_from_db()
    assert (passage.status, passage.start) == ("anchored", BODY.index(CREDIT))


def test_lightly_edited_passage_becomes_fuzzy_and_can_be_confirmed(section, analyst):
    passage = _tag(section, analyst, CREDIT)
    _edit(section, BODY.replace("使っている", "活用している"))
    passage.refresh_from_db()
    assert passage.status == "fuzzy"
    assert passage.exact == CREDIT  # the analyst's quote is kept until they confirm
    assert passage.current_text == CREDIT.replace("使っている", "活用している")
    passage_services.confirm_passage(passage=passage)
    passage.refresh_from_db()
    assert (passage.status, passage.exact, passage.section_version) == (
        "anchored", CREDIT.replace("使っている", "活用している"), 2,
    )


def test_deleted_text_orphans_the_passage_which_survives_and_can_be_reattached(section, analyst):
    passage = _tag(section, analyst, CREDIT, note="メモ")
    _edit(section, "電子商取引の拡大。規制は今後強まる。")
    passage.refresh_from_db()
    assert passage.status == "orphaned" and passage.note == "メモ"
    assert list(Passage.objects.needing_repair()) == [passage]
    with pytest.raises(ValidationError):
        passage_services.confirm_passage(passage=passage)
    section.refresh_from_db()
    passage_services.update_passage(passage=passage, exact="規制は今後強まる", start=section.plain_text.index("規制"))
    passage.refresh_from_db()
    assert (passage.status, passage.exact, passage.section_version) == ("anchored", "規制は今後強まる", 2)
    assert not Passage.objects.needing_repair().exists()


def test_orphan_comes_back_when_its_text_is_restored(section, analyst):
    passage = _tag(section, analyst, CREDIT)
    _edit(section, "全部書き直した。")
    _edit(section, BODY)
    passage.refresh_from_db()
    assert passage.status == "anchored"


def test_repeated_quote_follows_its_own_occurrence(make_article, analyst):
    body = "北京ではデータ取引所が開設された。上海でもデータ取引所が開設された。"
    section = make_article(sections=[("s", body, [])]).sections.get()
    second = _tag(section, analyst, "データ取引所", occurrence=1)
    _edit(section, "序。" * 5 + body.replace("北京では", "北京では昨年、"))
    second.refresh_from_db()
    section.refresh_from_db()
    assert second.status == "moved"
    assert section.plain_text[second.start - 4 : second.start] == "上海でも"


def test_reordering_sections_leaves_passages_anchored_and_versions_alone(section, analyst):
    passage = _tag(section, analyst, CREDIT)
    other = Section.objects.exclude(pk=section.pk).get()
    section.position, other.position = 2, 1
    passage_services.save_section(section=section)
    passage_services.save_section(section=other)
    passage.refresh_from_db()
    section.refresh_from_db()
    assert (passage.status, passage.section_id, section.version) == ("anchored", section.pk, 1)


def test_markup_only_edit_bumps_version_but_keeps_offsets(section, analyst):
    passage = _tag(section, analyst, CREDIT)
    _edit(section, BODY.replace("電子商取引", "**電子商取引**"))
    passage.refresh_from_db()
    assert passage.status == "anchored"
    assert Section.objects.get(pk=section.pk).version == 2


def test_update_passage_changes_tags_and_note_and_refuses_empty_tags(section, analyst):
    passage = _tag(section, analyst, CREDIT)
    passage_services.update_passage(passage=passage, topics=["規制"], note=" 更新 ")
    passage.refresh_from_db()
    assert [t.name for t in passage.topics.all()] == ["規制"] and passage.note == "更新"
    with pytest.raises(ValidationError):
        passage_services.update_passage(passage=passage, topics=[], note="消えない")
    passage.refresh_from_db()
    assert passage.note == "更新"


def test_stale_reattach_changes_nothing(section, analyst):
    passage = _tag(section, analyst, CREDIT, note="元")
    with pytest.raises(ValidationError) as err:
        passage_services.update_passage(passage=passage, exact="存在しない", start=0, note="新")
    assert err.value.code == "stale"
    passage.refresh_from_db()
    assert (passage.exact, passage.note) == (CREDIT, "元")


def test_delete_passage(section, analyst):
    passage = _tag(section, analyst, CREDIT)
    passage_services.delete_passage(passage=passage)
    assert not Passage.objects.exists() and not TaggedPassage.objects.exists()


@pytest.mark.parametrize("typed", [
    "sino-russian tech", "Sino_Russian_Tech", "ＳＩＮＯ－ＲＵＳＳＩＡＮ", "sino russian",
    "中ロ・技術協力", "中ロ 技術協力", "sino-russian tech partnership", "中露",
])
def test_a_near_miss_tag_finds_the_existing_topic(section, analyst, typed):
    """Case, width, spaces, hyphens, underscores and middle dots do not make a new topic:
    the tag is matched against slugs, both labels and aliases."""
    topic = Topic.objects.create(slug="sino-russian-tech", name="中ロ技術協力",
                                 name_en="Sino-Russian tech partnership")
    topic.aliases.create(name="Sino-Russian")
    topic.aliases.create(name="中露")
    count = Topic.objects.count()
    passage = _tag(section, analyst, "eCredital", topics=[typed])
    assert list(passage.topics.all()) == [topic]
    assert Topic.objects.count() == count
