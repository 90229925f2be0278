"""Generated bad input costs little and never crashes (issue 19): Markdown full of wiki links,
escapes, entities and markup through the article service, and JSON bodies, well-formed or
not, through the passage API.

For every generated input:
- no exception escapes: a service saves or refuses with a ValidationError, the API answers
  201 or a 4xx with a message, and a refusal changes nothing;
- the stored HTML has no executable construct (script, on* attributes, javascript: URLs)
  and carries no class but kb's own;
- the work is bounded by the input: stored HTML and plain text grow at most linearly with the
  Markdown, wiki links stored are at most the "[[" written, a save costs a fixed number of
  queries whatever the number of links, and an answer's size is linear in its request.

CI runs a fixed, derandomised set of examples; ``HYPOTHESIS_PROFILE=long`` runs many more,
randomly (``pytest tests/test_bad_input.py`` with it set).
"""

import json
import os
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from kb.editorial import services as editorial_services
from kb.models import Link, Passage, Section
from kb.passages import services as passage_services
from tests.hostile import executable_parts

COMMON = settings(
    deadline=None,
    derandomize=True,  # CI runs the same examples every time
    database=None,
    # Each example runs in a savepoint rolled back at its end: the fixtures' rows are the
    # same for every example.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                           HealthCheck.data_too_large],
    print_blob=True,
)
PROFILES = {
    # No shrinking in CI: a failure prints its example as it was drawn.
    "ci": settings(COMMON, max_examples=40, phases=[Phase.explicit, Phase.generate]),
    "long": settings(COMMON, max_examples=1_000, derandomize=False),
}
PROFILE = PROFILES[os.environ.get("HYPOTHESIS_PROFILE", "ci")]

# What hostile Markdown is made of: wiki-link syntax, escapes, entities (with and without
# ';'), code spans, raw HTML, link and footnote definitions, line ends and bidi controls.
PIECES = [
    "[[", "]]", "|", "#", "topic:", "`", "``", "\\", "\\+", "&", "&#97", "&#13;", "&#x0;",
    "&amp;", "&lt;", ";", "<", ">", "*", "_", "[", "]", "(", ")", ":", "!", "\n", "\n\n",
    "    ", "- ", "1. ", "> ", "```\n", "~~~", "{: .passage onclick=x}", "[^1]", "[^1]: ",
    "[a]: ", "[a]", "*[a]: ", "javascript:alert(1)", "jav&#x09;ascript:", "data:text/html,x",
    " onerror=alert(1)", "<script>", "</script>", "<img src=x", "<a href=", '"', "'",
    '<span class="visually-hidden">', "https://evil.example/x.png", "\r", "\u202e", "\u3000",
    "記事A", "C++", "中国のデジタル経済", "プラットフォーマー",
]
_INSIDE = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=4)), max_size=4).map("".join)
WIKI_LINKS = st.tuples(_INSIDE, st.one_of(st.none(), _INSIDE)).map(
    lambda parts: f"[[{parts[0]}]]" if parts[1] is None else f"[[{parts[0]}|{parts[1]}]]")
MARKDOWN = st.lists(
    st.one_of(st.sampled_from(PIECES), WIKI_LINKS, st.text(max_size=6)), max_size=40
).map("".join)


class _Classes(HTMLParser):
    """The class attributes of every element (text may well say class="...")."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.update(value or "" for name, value in attrs if name == "class")


def _classes(html: str) -> set[str]:
    parser = _Classes()
    parser.feed(html)
    parser.close()
    return parser.found


def _in_savepoint(check):
    """Run ``check`` and roll back everything it wrote."""
    cache.clear()  # pages cached by an example rolled back must not outlive it
    # Query counts are read from this log, which stops growing at 9,000 entries.
    connection.queries_log.clear()
    with transaction.atomic():
        check()
        transaction.set_rollback(True)


@pytest.fixture
def article(make_article):
    make_article(title="記事A", slug="kiji-a")
    make_article(title="C++", slug="cpp")
    return make_article(title="対象", sections=[("一", "元の本文。", ["platformers"])])


def _save(article, body: str) -> None:
    section = article.sections.get()
    editorial_services.update_article(
        article=article, loaded_version=article.version, user=None,
        data=editorial_services.ArticleData(
            title=article.title, slug=article.slug, kind=article.kind,
            sections=[editorial_services.SectionData(
                heading=section.heading, body=body, topics=["platformers"],
                anchor=section.anchor)],
        ),
    )


def _queries_to_save(article, body: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        _save(article, body)
    return len(queries)


@pytest.fixture
def save_cost(article) -> int:
    """The queries of a save with two links (one found, one missing): a save's queries do
    not grow with the links written."""
    cost = []
    _in_savepoint(lambda: cost.append(_queries_to_save(article, "[[記事A]] と [[ない記事]]")))
    return cost[0]


@PROFILE
@given(body=MARKDOWN)
# What issue 19 found, always tried first.
@example(body="[[x|`code`]] [[C\\+\\+]] [[j&#97vascript]] [[記事A|&#13;]]")
@example(body='<span class="passage status-anchored">x</span> [[<span class="x">]]')
@example(body="*[a]: " + "x" * 2_000 + "\n\n" + "a " * 2_000)
@example(body="[a]: https://example.org/" + "x" * 2_000 + "\n\n" + "[a]\n\n" * 2_000)
def test_generated_markdown_is_saved_safe_or_refused_at_a_bounded_cost(article, save_cost, body):
    def check():
        before = list(Section.objects.values_list("body", "body_html"))
        try:
            with CaptureQueriesContext(connection) as queries:
                _save(article, body)
        except ValidationError:
            assert list(Section.objects.values_list("body", "body_html")) == before
            return
        section = Section.objects.get(article=article)
        html = section.body_html
        assert executable_parts(html) == [], (body, html)
        assert _classes(html) <= {"missing-link", ""}, html  # nh3 leaves class=""
        assert "\r" not in html  # a browser reads it as "\n": passages would not match
        assert len(html) <= 24 * len(body) + 200, (body, html)
        assert len(section.plain_text) <= 2 * len(body) + 16, (body, section.plain_text)
        assert Link.objects.filter(source=section).count() <= body.count("[[")
        assert len(queries) <= save_cost + 2, [q["sql"] for q in queries]

    _in_savepoint(check)


# JSON values of every kind, and raw bodies Python's parser or the database cannot take.
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=8,
)
RAW_JSON = st.one_of(
    st.integers(0, 30_000).map(lambda n: "[" * n + "]" * n),
    st.integers(1, 6_000).map(lambda n: "9" * n),
    st.sampled_from(['"\\ud800"', '"a\\udfffb"', '["\\udc00"]', "NaN", "-Infinity", "1e999",
                     '"\\u0000"', '"\\u202e"', "{", "]", '"']),
)


@pytest.fixture
def passage(article, analyst):
    section = article.sections.get()
    return passage_services.create_passage(
        section=section, analyst=analyst, exact="元の本文", start=0, topics=["platformers"])


def _request(section, fields: dict, raw: dict) -> str:
    """A passage request: the valid fields, some replaced by generated values or raw JSON."""
    body = {"section": section.pk, "exact": "本文", "start16": 1, "end16": 3,
            "topics": ["新しいタグ"], "note": "メモ", **fields}
    text = json.dumps(body, ensure_ascii=False)[:-1]
    return text + "".join(f", {json.dumps(k)}: {v}" for k, v in raw.items()) + "}"


FIELDS = st.sampled_from(["section", "exact", "start16", "end16", "topics", "note"])


@PROFILE
@given(
    fields=st.dictionaries(FIELDS, JSON_VALUES, max_size=3),
    raw=st.dictionaries(FIELDS, RAW_JSON, max_size=2),
    method=st.sampled_from(["post", "patch"]),
    whole=st.one_of(st.none(), RAW_JSON, JSON_VALUES.map(json.dumps)),
)
@example(fields={}, raw={"note": '"\\ud800"'}, method="post", whole=None)
@example(fields={}, raw={"topics": '["a\\udfffb"]'}, method="patch", whole=None)
@example(fields={}, raw={"note": "[" * 5_000 + "]" * 5_000}, method="post", whole=None)
@example(fields={}, raw={"start16": "9" * 5_000}, method="patch", whole=None)
def test_generated_json_gets_an_answer_never_a_500(passage, analyst, fields, raw, method, whole):
    client = Client(raise_request_exception=False)  # a 500 is a status, as users see it
    client.force_login(analyst)
    section = passage.section

    def check():
        body = whole if whole is not None else _request(section, fields, raw)
        before = list(Passage.objects.values_list("pk", "note", "exact", "start", "end"))
        url = (reverse("kb:api_passages") if method == "post"
               else reverse("kb:api_passage", args=[passage.pk]))
        response = getattr(client, method)(url, body, content_type="application/json")
        assert response.status_code in (200, 201, 400, 404, 409), (body[:200], response.content)
        answer = response.json()
        assert len(response.content) <= 4 * len(body.encode()) + 4_096
        if response.status_code >= 400:
            assert answer["error"]
            assert list(Passage.objects.values_list("pk", "note", "exact", "start", "end")) == before
            return
        page = Client().get(section.article.get_absolute_url())
        assert page.status_code == 200 and executable_parts(page.content.decode()) == []

    _in_savepoint(check)
