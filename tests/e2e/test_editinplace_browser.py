"""In a real browser: an editor edits one section in place (live preview, topic suggestions,
back at the anchor), and an analyst tags a passage with the keyboard alone."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from kb.models import Passage, Section, Topic
from kb.passages import services as passage_services
from tests.e2e.conftest import CHROMIUM

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FIRST = "アリババは与信スコアの算出にデータを使う。テンセントも同じデータを使う。"
QUOTE = "与信スコア"


@pytest.fixture
def article(make_article):
    Topic.objects.create(slug="platformers", name="プラットフォーマー", name_en="Platformers")
    return make_article(title="与信の報告", sections=[
        ("与信", FIRST, ["platformers"]),
        ("まとめ", "結論です。", []),
    ])


def test_an_editor_edits_one_section_in_place_and_lands_back_on_it(
        page_as, live_server, article, editor):
    section = article.sections.get(position=2)
    page = page_as(editor)
    page.goto(live_server.url + article.get_absolute_url())
    page.locator(f"#{section.anchor} .section-edit-link a").click()
    page.wait_for_load_state()

    body = page.locator("textarea[name=body]")
    expect(body).to_have_value("結論です。")
    body.fill("新しい**結論**です。\n\n<script>window.hacked = 1</script>")
    preview = page.locator("#section-preview")
    # The server's rendering, through the saved page's sanitiser.
    expect(preview.locator("strong")).to_have_text("結論")
    assert "<script" not in preview.inner_html()

    topics = page.locator("input[name=topics]")
    topics.click()
    topics.press_sequentially("platf")
    option = page.locator(".kb-topic-suggestions [role=option]").first
    expect(option).to_contain_text("プラットフォーマー")
    topics.press("ArrowDown")
    topics.press("Enter")
    expect(topics).to_have_value("プラットフォーマー, ")
    topics.press_sequentially("全く新しい話題")
    new_chip = page.locator(".kb-topic-chips .chip-new")
    expect(new_chip).to_contain_text("全く新しい話題")
    expect(page.locator(".kb-topic-chips .chip").first).not_to_have_class(re.compile("chip-new"))

    page.get_by_role("button", name=re.compile("保存|Save")).click()
    page.wait_for_url(re.compile(f"#{section.anchor}$"))
    assert page.url.endswith(f"{article.get_absolute_url()}#{section.anchor}")
    landed = page.locator(f"#{section.anchor}")
    expect(landed.locator("strong")).to_have_text("結論")
    expect(landed).to_be_in_viewport()
    saved = Section.objects.get(pk=section.pk)
    assert sorted(t.name for t in saved.topics.all()) == ["プラットフォーマー", "全く新しい話題"]
    assert page.evaluate("window.hacked") is None


@pytest.fixture
def caret_browsing_page(browser, live_server, client):
    """A page in a Chromium with caret browsing on (F7 in a desktop Chromium), as a
    keyboard-only reader uses it: a caret in the text that Shift+arrows extend."""
    caret_browser = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--enable-caret-browsing"],
    )

    def open_page(user):
        context = caret_browser.new_context(locale="ja-JP", viewport={"width": 1200, "height": 800})
        client.force_login(user)
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                              "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    caret_browser.close()


def _put_caret_before(page, quote):
    """Where a caret-browsing reader's arrows would leave the caret: just before ``quote``."""
    page.evaluate(
        """(quote) => {
          const body = document.querySelector('.section-body');
          const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
          while (walker.nextNode()) {
            const i = walker.currentNode.data.indexOf(quote);
            if (i >= 0) { document.getSelection().collapse(walker.currentNode, i); return; }
          }
        }""",
        quote,
    )


def test_a_keyboard_only_analyst_tags_a_passage_and_moves_between_highlights(
        caret_browsing_page, live_server, article, analyst):
    section = article.sections.get(position=1)
    passage_services.create_passage(section=section, analyst=analyst, exact="テンセント",
                                    topics=["プラットフォーマー"])
    page = caret_browsing_page(analyst)
    page.goto(live_server.url + article.get_absolute_url())

    # "/" goes to the search box.
    page.locator("body").press("/")
    expect(page.locator(".search-box input[type=search]")).to_be_focused()
    page.keyboard.press("Escape")
    page.locator("h1").click()

    _put_caret_before(page, QUOTE)
    for _ in QUOTE:
        page.keyboard.press("Shift+ArrowRight")
    assert page.evaluate("document.getSelection().toString()") == QUOTE
    page.keyboard.press("t")
    tag_input = page.locator("#passage-tag-input")
    expect(tag_input).to_be_focused()
    page.keyboard.type("プラットフォーマー")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator("#passage-note-input")).to_be_focused()
    page.keyboard.type("鍵盤だけで")  # "/" and "t" typed here are text, not shortcuts
    page.keyboard.type("/t")
    expect(page.locator("#passage-note-input")).to_have_value("鍵盤だけで/t")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Save

    made = page.locator("mark.passage", has_text=QUOTE)
    expect(made).to_be_focused()
    passage = Passage.objects.get(exact=QUOTE)
    assert [t.name for t in passage.topics.all()] == ["プラットフォーマー"]
    assert passage.note == "鍵盤だけで/t"

    # The card opens next to its highlight in the DOM.
    card = page.locator(".passage-card")
    expect(card).to_be_visible()
    assert made.evaluate("m => m.nextElementSibling === document.querySelector('.passage-card')")
    # Escape closes it and gives the focus back to the highlight, without reopening it.
    page.keyboard.press("Escape")
    expect(card).to_be_hidden()
    expect(made).to_be_focused()
    page.wait_for_timeout(400)
    expect(card).to_be_hidden()
    # Tab moves on to the next highlight (past the card's controls), whose card opens.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    expect(made).to_be_focused()
    page.keyboard.press("Tab")
    other = page.locator("mark.passage", has_text="テンセント")
    expect(other).to_be_focused()
    expect(card).to_be_visible()
    assert other.evaluate("m => m.nextElementSibling === document.querySelector('.passage-card')")
