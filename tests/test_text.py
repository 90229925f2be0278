import pytest
from django.core.exceptions import ValidationError

from kb.text import html_to_text, render_markdown
from kb.validators import validate_markdown

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="https://evil.example"></iframe>',
    '<div onmouseover="alert(1)">hover</div>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
]


@pytest.mark.parametrize("source", HOSTILE)
def test_rendered_markdown_never_carries_script(source):
    html = render_markdown(source).lower()
    assert "<script" not in html
    assert "onerror" not in html and "onmouseover" not in html
    assert "javascript:" not in html
    assert "<iframe" not in html


def test_markdown_keeps_structure_and_japanese():
    html = render_markdown("## 見出し\n\n- デジタル一帯一路\n- 中ロ\n\n[出典](https://example.org/a)")
    assert "<h2>見出し</h2>" in html
    assert "<li>デジタル一帯一路</li>" in html
    assert 'href="https://example.org/a"' in html


def test_plain_text_is_the_text_content_of_the_html():
    html = render_markdown("第三者支払&amp;**金融包摂**\n\n𠮷野家")
    assert html_to_text(html) == "第三者支払&金融包摂\n𠮷野家"


def test_content_classes_are_a_whitelist():
    """Content could borrow the site's classes (a fake highlight, hidden text); only the
    classes kb's own Markdown extensions write survive."""
    html = render_markdown(
        '<span class="passage status-anchored">偽の強調</span>'
        '<span class="visually-hidden missing-link">隠す</span>'
    )
    assert "passage" not in html and "visually-hidden" not in html
    assert '<span class="missing-link">隠す</span>' in html


def test_external_images_are_links_unless_their_host_is_allowed(settings):
    """Readers' browsers fetch no third party's image by default: each shows as a link."""
    source = ('![地図](https://maps.example/a.png "出典") ![](//cdn.example/b.png)'
              ' ![社内](/static/kb/c.png) [![リンク画像](https://maps.example/d.png)](https://example.org/)'
              ' <img src="https://maps.example/e.png" alt="a<b">')
    settings.KB_CONTENT_IMAGE_HOSTS = []
    html = render_markdown(source)
    assert html.count("<img") == 1 and 'src="/static/kb/c.png"' in html
    assert ('<a href="https://maps.example/a.png" title="出典" rel="noopener noreferrer nofollow">'
            "地図</a>") in html
    assert ('<a href="//cdn.example/b.png" rel="noopener noreferrer nofollow">'
            "//cdn.example/b.png</a>") in html
    # Inside a link, an image is its text: links do not nest.
    assert '<a href="https://example.org/" rel="noopener noreferrer nofollow">リンク画像</a>' in html
    assert ">a&lt;b</a>" in html
    settings.KB_CONTENT_IMAGE_HOSTS = ["maps.example"]
    html = render_markdown(source)
    assert html.count("<img") == 4 and "cdn.example/b.png</a>" in html


@pytest.mark.parametrize("source", [
    # An abbreviation's title is repeated at every use of the word: 12 KB made 16 MB.
    "*[a]: " + "x" * 4_000 + "\n\n" + "a " * 4_000,
    # A link definition is copied into every reference to it, one paragraph each.
    "[a]: https://example.org/" + "x" * 4_000 + "\n\n" + "[a]\n\n" * 4_000,
    '[a]:\n  https://example.org/ "' + "t" * 4_000 + '"\n\n' + "![b][a]\n\n" * 4_000,
], ids=["abbreviation", "reference", "reference-title"])
def test_html_grows_in_proportion_to_the_markdown(source):
    assert len(render_markdown(source)) <= 20 * len(source)


def test_a_definition_used_too_often_is_explained():
    source = "[a]: https://example.org/" + "x" * 4_000 + "\n\n" + "[a]\n\n" * 4_000
    with pytest.raises(ValidationError) as refused:
        validate_markdown(source)
    assert refused.value.code == "markdown_references"
    validate_markdown("[a]: https://example.org/report\n\n" + "[a] を参照。\n\n" * 50)
