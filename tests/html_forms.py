"""What a browser would post back from a page's form: the test client sends what the
page holds, not what the test thinks it holds. And, for tests that post an admin form without
loading it first, the article change form's data."""

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._select: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside or attrs.get("disabled") is not None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data.append((name, attrs.get("value", "on")))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.data.append((name, attrs.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data.append((self._select, attrs.get("value") or ""))

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            # The HTML parser drops the newline right after <textarea>, as browsers do.
            text = "".join(self._text)
            self.data.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_data(html: str, form_id: str) -> dict[str, str | list[str]]:
    """The fields of ``<form id=form_id>`` as the test client's ``post`` takes them."""
    parser = _FormParser(form_id)
    parser.feed(html)
    data: dict[str, str | list[str]] = {}
    for name, value in parser.data:
        if name in data:
            previous = data[name]
            data[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            data[name] = value
    return data


def inline_post(article, changes):
    """The admin change form's POST data for ``article`` and its sections, with ``changes``."""
    sections = list(article.sections.order_by("position"))
    data = {
        "title": article.title, "slug": article.slug, "kind": article.kind,
        "publisher": article.publisher, "authors": article.authors,
        "published_on": "", "source_url": "", "language": "ja", "summary": article.summary,
        "loaded_version": str(article.version),
        "sections-TOTAL_FORMS": str(len(sections)), "sections-INITIAL_FORMS": str(len(sections)),
        "sections-MIN_NUM_FORMS": "0", "sections-MAX_NUM_FORMS": "1000",
    }
    for i, section in enumerate(sections):
        data.update({
            f"sections-{i}-id": str(section.pk), f"sections-{i}-article": str(article.pk),
            f"sections-{i}-position": str(section.position), f"sections-{i}-heading": section.heading,
            f"sections-{i}-body": section.body,
            f"sections-{i}-topics": ", ".join(t.name for t in section.topics.all()),
        })
    data.update(changes)
    return data
