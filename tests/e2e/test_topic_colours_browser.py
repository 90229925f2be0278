"""A passage's highlight takes its topic's colour in a real browser, under kb's CSP."""

import pytest

from kb.models import Topic
from kb.passages import services as passage_services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_highlight_and_chip_take_the_topics_colour_without_csp_violations(
    page_as, live_server, make_article, analyst
):
    Topic.objects.create(slug="fintech", name="デジタル金融", colour="#1f77b4")
    article = make_article(title="与信", sections=[("与信", "アリババの与信スコア。", ["fintech"])])
    passage_services.create_passage(section=article.sections.get(), analyst=analyst,
                                    exact="与信スコア", topics=["fintech"])
    page = page_as(None)
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto(live_server.url + article.get_absolute_url())
    mark = page.locator("mark.passage").first
    mark.wait_for()
    assert mark.evaluate("m => getComputedStyle(m).borderBottomColor") == "rgb(31, 119, 180)"
    chip = page.locator("a.chip.tc-fintech").first
    assert chip.evaluate("c => getComputedStyle(c).borderLeftColor") == "rgb(31, 119, 180)"
    assert violations == []
