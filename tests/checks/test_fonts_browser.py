"""On a machine without Japanese fonts (this one has none), Chromium draws Japanese text in
the shipped Noto Sans JP, and downloads only the subsets of the characters on the page."""

import pytest

pytestmark = [pytest.mark.once, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_japanese_text_loads_only_the_font_subsets_it_uses(browser, live_server, scene):
    context = browser.new_context()
    fonts = []
    context.on("request", lambda request: fonts.append(request.url)
               if request.url.endswith(".woff2") else None)
    page = context.new_page()
    page.goto(live_server.url + scene.article.get_absolute_url())
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.fonts.check('16px \"Noto Sans JP\"', '与信')")
    loaded = page.evaluate("""[...document.fonts].filter(f => f.family.includes('Noto Sans JP')
                              && f.status === 'loaded').length""")
    total = page.evaluate("[...document.fonts].filter(f => f.family.includes('Noto Sans JP')).length")
    context.close()
    assert total > 200
    assert 0 < loaded == len({url for url in fonts if "/static/kb/fonts/" in url}) < total / 4
