"""A minimal Wagtail site with one article page, the peer kb's uncached article page is held to.

Run with a Python that has Wagtail installed (bench/pages.py makes one under var/, apart from
kb's own venv). It writes a small Wagtail project into DIR (settings, one app whose page has
a StreamField of headings and rich-text paragraphs, a template rendering it the idiomatic way
with include_block), migrates its SQLite database and makes or replaces the page SLUG with the
sections read from JSON ({"title", "summary", "sections": [{"heading", "body"}]}):

    var/wagtail-venv/bin/python bench/wagtail_site.py DIR SLUG SECTIONS.json

It prints the page's path. Serve DIR with ``gunicorn benchsite.wsgi --chdir DIR``.
"""

from __future__ import annotations

import html
import json
import os
import sys
from pathlib import Path

SETTINGS = '''
from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "bench-only-" + "x" * 50
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
INSTALLED_APPS = [
    "benchsite",
    "wagtail.contrib.forms", "wagtail.contrib.redirects", "wagtail.embeds", "wagtail.sites",
    "wagtail.users", "wagtail.snippets", "wagtail.documents", "wagtail.images", "wagtail.search",
    "wagtail.admin", "wagtail", "modelcluster", "taggit",
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]
ROOT_URLCONF = "benchsite.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [], "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
WSGI_APPLICATION = "benchsite.wsgi.application"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}
# Production-like: templates cached (Django's default without DEBUG), persistent connections.
DATABASES["default"]["CONN_MAX_AGE"] = 600
USE_TZ = True
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static"
WAGTAIL_SITE_NAME = "bench"
WAGTAILADMIN_BASE_URL = "http://127.0.0.1"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
'''

MODELS = '''
from wagtail import blocks
from wagtail.fields import StreamField
from wagtail.models import Page


class ArticlePage(Page):
    summary = models.TextField(blank=True)
    body = StreamField([
        ("heading", blocks.CharBlock()),
        ("paragraph", blocks.RichTextBlock()),
    ], use_json_field=True)
'''

TEMPLATE = '''{% load wagtailcore_tags %}<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><title>{{ page.title }}</title></head>
<body><main><h1>{{ page.title }}</h1><p class="summary">{{ page.summary }}</p>
<nav><ol>{% for block in page.body %}{% if block.block_type == "heading" %}<li><a href="#s{{ forloop.counter }}">{{ block.value }}</a></li>{% endif %}{% endfor %}</ol></nav>
{% for block in page.body %}{% if block.block_type == "heading" %}<h2 id="s{{ forloop.counter }}">{{ block.value }}</h2>{% else %}<section>{% include_block block %}</section>{% endif %}{% endfor %}
</main></body></html>
'''

URLS = '''
from django.urls import include, path
from wagtail import urls as wagtail_urls

urlpatterns = [path("", include(wagtail_urls))]
'''

WSGI = '''
import os
from django.core.wsgi import get_wsgi_application
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchsite.settings")
application = get_wsgi_application()
'''


def write_project(root: Path) -> None:
    app = root / "benchsite"
    (app / "templates" / "benchsite").mkdir(parents=True, exist_ok=True)
    (app / "migrations").mkdir(exist_ok=True)
    files = {
        app / "__init__.py": "",
        app / "migrations" / "__init__.py": "",
        app / "settings.py": SETTINGS,
        app / "models.py": "from django.db import models\n" + MODELS,
        app / "urls.py": URLS,
        app / "wsgi.py": WSGI,
        app / "templates" / "benchsite" / "article_page.html": TEMPLATE,
    }
    for path, text in files.items():
        if not path.exists() or path.read_text() != text:
            path.write_text(text)


def paragraphs(body: str) -> list[str]:
    return [f"<p>{html.escape(p.strip())}</p>" for p in body.split("\n\n") if p.strip()]


def main() -> int:
    root, slug, source = Path(sys.argv[1]).resolve(), sys.argv[2], Path(sys.argv[3])
    root.mkdir(parents=True, exist_ok=True)
    write_project(root)
    sys.path.insert(0, str(root))
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchsite.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("makemigrations", "benchsite", verbosity=0)
    call_command("migrate", verbosity=0)
    from benchsite.models import ArticlePage
    from wagtail.models import Page

    data = json.loads(source.read_text())
    body = []
    for section in data["sections"]:
        body.append(("heading", section["heading"] or "—"))
        body.extend(("paragraph", p) for p in paragraphs(section["body"]) or ["<p></p>"])
    home = Page.objects.get(depth=2)
    ArticlePage.objects.filter(slug=slug).delete()
    page = ArticlePage(title=data["title"], slug=slug, summary=data.get("summary", ""))
    home.add_child(instance=page)
    page.body = body
    page.save_revision().publish()
    print(page.url_path[len(home.url_path) - 1:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
