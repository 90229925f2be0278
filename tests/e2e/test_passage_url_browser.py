"""A passage's URL opened in a browser lands on its highlight: the API answers text/html
with a redirect to the article page's #passage-<id>, which the page scrolls to and marks."""

import re

import pytest
from playwright.sync_api import expect

from kb.passages import services as passage_services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FILLER = "\n\n".join(["長い前置きの段落です。" * 20] * 8)


def test_opening_a_passage_url_scrolls_to_its_highlight(page_as, live_server, make_article,
                                                         analyst):
    article = make_article(title="長い報告", sections=[
        ("前置き", FILLER, []), ("本題", "アリババは与信スコアの算出にデータを使う。", []),
    ])
    passage = passage_services.create_passage(section=article.sections.get(heading="本題"),
                                              analyst=analyst, exact="与信スコア",
                                              topics=["与信"])
    page = page_as(None)  # a reader, with the link from a paper or a W3C client
    page.goto(f"{live_server.url}/api/passages/{passage.pk}/")
    page.wait_for_url(f"**{article.get_absolute_url()}#passage-{passage.pk}")
    target = page.locator(f"#passage-{passage.pk}")
    expect(target).to_have_text("与信スコア")
    # Its topic's colour class (tc-…) sits among them too.
    expect(target).to_have_class(re.compile(r"^passage status-anchored\b.*\bis-target$"))
    expect(target).to_be_in_viewport()
    assert page.evaluate("window.scrollY") > 0  # it had to scroll: the passage is far down
