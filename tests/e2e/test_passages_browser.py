"""An analyst tags a passage in a real browser; the highlight survives a reload and the
topic page links back to it."""

import re

import pytest
from playwright.sync_api import expect

from kb.models import Passage, Topic
from kb.passages import services as passage_services
from tests.e2e.selection import drag_select

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BODY = "𠮷野家の調査。\n\nアリババは与信スコアの算出に**eCredital**のデータを使う。以上。"
QUOTE = "与信スコアの算出にeCreditalのデータ"


@pytest.fixture
def article(make_article):
    Topic.objects.create(slug="platformers", name="プラットフォーマー", name_en="Platformers")
    return make_article(title="与信の報告", sections=[("与信", BODY, ["platformers"])])


def test_analyst_tags_a_passage_and_finds_it_again_from_the_topic_page(
    page_as, live_server, article, analyst
):
    page = page_as(analyst)
    page.goto(live_server.url + article.get_absolute_url())
    drag_select(page, QUOTE)
    page.locator(".passage-adder").click()
    tag_input = page.locator("#passage-tag-input")
    expect(tag_input).to_be_focused()
    tag_input.fill("プラットフォーマー")
    tag_input.press("Enter")
    tag_input.fill("与信データ")  # a new free tag
    tag_input.press("Enter")
    page.locator("#passage-note-input").fill("スコアの根拠データ")
    page.locator(".passage-editor button[type=submit]").click()

    # Highlighted in place, no reload: the marks hold exactly the selected text.
    marks = page.locator("mark.passage")
    expect(marks.first).to_be_visible()
    assert "".join(marks.all_text_contents()) == QUOTE
    passage = Passage.objects.get()
    text = passage.section.plain_text
    # Stored in code points: 𠮷 before the quote counts once, not twice as in the browser.
    assert (passage.start, passage.end) == (text.index(QUOTE), text.index(QUOTE) + len(QUOTE))
    assert sorted(t.name for t in passage.topics.all()) == ["プラットフォーマー", "与信データ"]

    # Hovering shows tags, note and analyst.
    marks.first.hover()
    card = page.locator(".passage-card")
    expect(card).to_be_visible()
    expect(card).to_contain_text("与信データ")
    expect(card).to_contain_text("スコアの根拠データ")
    expect(card).to_contain_text("analyst")

    # Still there after a reload.
    page.reload()
    expect(page.locator(f"#passage-{passage.pk}")).to_have_text(QUOTE[: len("与信スコアの算出に")])
    assert "".join(page.locator("mark.passage").all_text_contents()) == QUOTE

    # The topic page links to it; following the link scrolls to it, visibly highlighted.
    page.goto(live_server.url + "/topics/platformers/")
    page.locator(f'.passage-list a[href$="#passage-{passage.pk}"]').click()
    page.wait_for_url(f"**#passage-{passage.pk}")
    target = page.locator(f"#passage-{passage.pk}")
    # Its topic's colour class (tc-…) sits among them too.
    expect(target).to_have_class(re.compile(r"^passage status-anchored\b.*\bis-target$"))
    expect(target).to_be_in_viewport()
    expect(target).to_be_focused()
    expect(page.locator(".passage-card")).to_contain_text("プラットフォーマー")  # keyboard focus shows it


def test_reader_sees_overlapping_highlights_but_cannot_tag(page_as, live_server, article, analyst):
    section = article.sections.get()
    for quote in ("与信スコア", "スコアの算出"):
        passage_services.create_passage(section=section, analyst=analyst, exact=quote, topics=["platformers"])
    page = page_as(None)
    page.goto(live_server.url + article.get_absolute_url())
    expect(page.locator("mark.passage")).to_have_count(3)  # スコア is inside both
    expect(page.locator("mark.passage mark.passage")).to_have_text("スコア")
    page.locator("mark.passage mark.passage").hover()
    expect(page.locator(".passage-card .passage-info")).to_have_count(2)
    expect(page.locator(".passage-card button")).to_have_count(0)  # nothing to edit
    drag_select(page, "eCreditalのデータ")
    page.wait_for_timeout(100)
    expect(page.locator(".passage-adder")).to_be_hidden()


def test_the_card_shows_the_same_date_as_the_topic_page(page_as, live_server, article, analyst,
                                                        frozen_clock):
    """Made at 23:30 UTC on 30 November: 1 December in Tokyo, the site's zone, on both."""
    passage_services.create_passage(section=article.sections.get(), analyst=analyst, exact="与信スコア",
                            topics=["platformers"])
    page = page_as(None)
    page.goto(live_server.url + "/topics/platformers/")
    expect(page.locator(".passage-list time")).to_have_text("2026-12-01")
    page.goto(live_server.url + article.get_absolute_url())
    page.locator("mark.passage").hover()
    expect(page.locator(".passage-card .byline")).to_contain_text("2026-12-01")


def test_analyst_reattaches_an_orphaned_passage_from_the_repair_list(page_as, live_server, article, analyst):
    section = article.sections.get()
    passage = passage_services.create_passage(section=section, analyst=analyst, exact="𠮷野家の調査",
                                      topics=["platformers"], note="残すメモ")
    section.body = "吉野家の新しい調査。\n\nアリババは与信スコアの算出に**eCredital**のデータを使う。以上。"
    passage_services.save_section(section=section)
    passage.refresh_from_db()
    assert passage.status == "orphaned"

    page = page_as(analyst)
    page.goto(live_server.url + "/passages/repair/")
    page.get_by_role("link", name="新しいテキストを選択").click()
    expect(page.locator("#passage-reattach")).to_contain_text("𠮷野家の調査")
    drag_select(page, "吉野家の新しい調査")
    page.locator(".passage-adder").click()
    expect(page.locator(".passage-editor .chosen")).to_contain_text("プラットフォーマー")
    expect(page.locator("#passage-note-input")).to_have_value("残すメモ")
    page.locator(".passage-editor button[type=submit]").click()
    expect(page.locator(f"#passage-{passage.pk}")).to_have_text("吉野家の新しい調査")
    expect(page.locator("#passage-reattach")).to_have_count(0)
    passage.refresh_from_db()
    assert (passage.status, passage.exact, passage.note) == ("anchored", "吉野家の新しい調査", "残すメモ")


def test_analyst_reattaches_a_passage_whose_section_was_deleted(
    page_as, live_server, make_article, analyst
):
    article = make_article(title="与信の報告", sections=[("残る節", BODY, []), ("消える節", "消える本文。", [])])
    gone = article.sections.get(heading="消える節")
    passage = passage_services.create_passage(section=gone, analyst=analyst, exact="消える本文",
                                      topics=["与信"], note="残すメモ")
    passage_services.delete_sections(sections=article.sections.filter(pk=gone.pk))

    page = page_as(analyst)
    page.goto(live_server.url + "/passages/repair/")
    expect(page.locator(f"#p{passage.pk}")).to_contain_text("（セクションは削除済み）")
    page.get_by_role("link", name="新しいテキストを選択").click()
    expect(page.locator("#passage-reattach")).to_contain_text("消える本文")
    drag_select(page, QUOTE)
    page.locator(".passage-adder").click()
    expect(page.locator("#passage-note-input")).to_have_value("残すメモ")
    page.locator(".passage-editor button[type=submit]").click()
    expect(page.locator("#passage-reattach")).to_have_count(0)
    expect(page.locator(f"#passage-{passage.pk}")).to_have_text("与信スコアの算出に")  # up to <strong>
    passage.refresh_from_db()
    assert (passage.status, passage.section.heading, passage.exact) == ("anchored", "残る節", QUOTE)


def test_tag_editor_shows_a_near_miss_as_the_existing_topic_and_a_new_tag_as_new(
    page_as, live_server, article, analyst
):
    Topic.objects.create(slug="sino-russian-tech", name="中ロ技術協力",
                         name_en="Sino-Russian tech partnership")
    page = page_as(analyst)
    page.goto(live_server.url + article.get_absolute_url())
    drag_select(page, QUOTE)
    page.locator(".passage-adder").click()
    tag_input = page.locator("#passage-tag-input")
    tag_input.fill("sino-russian tech")
    tag_input.press("Enter")
    tag_input.fill("与信データ")
    tag_input.press("Enter")
    chips = page.locator(".passage-editor .chips.chosen .chip")
    expect(chips).to_have_count(2)
    expect(chips.nth(0)).to_contain_text("中ロ技術協力")
    expect(chips.nth(0)).not_to_contain_text("新規")
    expect(chips.nth(1)).to_contain_text("与信データ")
    expect(chips.nth(1)).to_contain_text("新規")

    page.locator(".passage-editor button[type=submit]").click()
    expect(page.locator("mark.passage").first).to_be_visible()
    assert sorted(t.slug for t in Passage.objects.get().topics.all()) == ["sino-russian-tech", "与信データ"]
    assert Topic.objects.count() == 3
