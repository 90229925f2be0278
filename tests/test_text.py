import pytest

from kb.text import html_to_text, render_markdown

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
