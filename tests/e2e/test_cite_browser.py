"""An analyst selects text on page 2 of an imported PDF, tags it, clicks Cite and sees
"p. 2" (issue 12)."""

import pytest
from playwright.sync_api import expect

from kb.editorial import importing, services
from kb.models import Passage
from tests.e2e.selection import drag_select
from tests.pdfwriter import text_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAGE_ONE = "中国のデジタル経済報告\n\n中国政府はデジタル経済の発展を重視しており、\n各地で実験区を設けている。その成果は\n"
PAGE_TWO = "次のページでは地方政府の役割を見る。\n上海市は越境データ流通の試行を始めた。\n"
QUOTE = "上海市は越境データ流通"


def test_analyst_cites_a_passage_on_page_two(page_as, live_server, analyst):
    prepared = importing.prepare(content=text_pdf([PAGE_ONE, PAGE_TWO]), filename="report.pdf")
    article = services.import_article(data=prepared.data, user=None, source_name="report.pdf")
    page = page_as(analyst)
    page.goto(live_server.url + article.get_absolute_url())
    # The page-2 marker sits in the text, without changing the text a selection counts.
    expect(page.locator('.section-body .page-break[data-page="2"]')).to_have_count(1)
    drag_select(page, QUOTE)
    page.locator(".passage-adder").click()
    tag_input = page.locator("#passage-tag-input")
    tag_input.fill("上海")
    tag_input.press("Enter")
    page.locator(".passage-editor button[type=submit]").click()
    marks = page.locator("mark.passage")
    expect(marks.first).to_be_visible()
    assert "".join(marks.all_text_contents()) == QUOTE
    assert Passage.objects.get().page == 2

    marks.first.hover()
    page.locator(".passage-card a.cite").click()
    box = page.locator("#cite-box")
    expect(box).to_contain_text("p. 2")
    expect(box).to_contain_text('"locator": "2"')
