"""In Chromium: axe-core finds no accessibility violation on any page, for a visitor and for
a logged-in editor, and nothing makes a 390-px-wide phone screen scroll sideways.

axe-core is vendored under vendor/ (with its licence) and injected by Playwright: kb never
serves it."""

from pathlib import Path

import pytest
from django.conf import settings

from tests.checks.pages import paths

pytestmark = [pytest.mark.once, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"


@pytest.fixture
def visits(browser, live_server, client, scene, editor):
    """Each page of ``paths`` in turn, in one browser page; the context bypasses kb's
    Content-Security-Policy only so that axe can be injected."""
    contexts = []

    def visit(user, language, viewport, admin=False):
        logged_in = user == "editor"
        context = browser.new_context(bypass_csp=True, viewport=viewport)
        contexts.append(context)
        cookies = [{"name": "django_language", "value": language, "url": live_server.url}]
        if logged_in:
            client.force_login(editor)
            cookies.append({"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                            "value": client.cookies[settings.SESSION_COOKIE_NAME].value})
        context.add_cookies(cookies)
        page = context.new_page()
        page.set_default_timeout(10_000)
        for name, path in paths(scene, logged_in=logged_in, admin=admin):
            response = page.goto(live_server.url + path)
            assert response.status == 200, (name, path, response.status)
            yield name, page

    yield visit
    for context in contexts:
        context.close()


@pytest.mark.parametrize("user", ["visitor", "editor"])
@pytest.mark.parametrize("language", ["ja", "en"])
def test_no_accessibility_violations(visits, user, language):
    found = []
    for name, page in visits(user, language, {"width": 1200, "height": 800}):
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate("""async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => `${v.id} (${v.impact}): ${v.help} — ` +
                v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
        }""")
        found += [f"{name}: {violation}" for violation in violations]
    assert found == [], f"{len(found)} violations:\n" + "\n".join(found)


@pytest.mark.parametrize("user", ["visitor", "editor"])
def test_no_page_scrolls_sideways_on_a_phone(visits, user):
    too_wide = []
    for name, page in visits(user, "en", {"width": 390, "height": 844}, admin=True):
        width = page.evaluate("document.scrollingElement.scrollWidth")
        if width > 390:
            culprits = page.evaluate("""() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > 391)
                .slice(0, 4).map(e => e.tagName + '.' + e.className + ' ' +
                                      Math.round(e.getBoundingClientRect().right))""")
            too_wide.append(f"{name}: {width}px wide ({culprits})")
    assert too_wide == [], "\n".join(too_wide)
