"""The page bench's work inside Django (run by bench/pages.py with the bench's environment).

``fixture``: the bench's users (an analyst, a second analyst, an editor; password from
BENCH_PASSWORD, renewed every run) and the pages to read, printed as JSON: the corpus's
largest article, which gets passages (made once, through kb's passage service) so its page
shows them; the biggest topic pages, each with the articles that lack
that topic (candidates for the edited article); the admin change URLs; the largest article's text, for
the Wagtail page of the same size.

``queries``: the number of SQL queries of each page (JSON {name: path} on stdin) for an
anonymous reader without any cache, an anonymous reader served from the page cache, and the
analyst (the second request of each, caches as configured), through Django's test client.

    python bench/pages_setup.py fixture|queries
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSAGES = 30  # on the largest article: two in three by the bench's analyst
USERS = [("bench-analyst", "analyst", False), ("bench-analyst-2", "analyst", False),
         ("bench-editor", "editor", True)]


def _users() -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    users = {}
    for username, group, staff in USERS:
        user, _ = get_user_model().objects.get_or_create(username=username)
        user.is_staff = staff
        user.set_password(os.environ["BENCH_PASSWORD"])
        user.save()
        user.groups.add(Group.objects.get(name=group))
        users[username] = user
    return users


def _passages(article, users: dict) -> int:
    from kb.passages import services as passage_services
    from kb.passages.models import Passage

    if not Passage.objects.filter(article=article, analyst=users["bench-analyst"]).exists():
        sections = [s for s in article.sections.order_by("position") if len(s.plain_text) >= 80]
        for i in range(PASSAGES):
            section = sections[i * len(sections) // PASSAGES]
            start = (i * 37) % (len(section.plain_text) - 60)
            passage_services.create_passage(
                section=section, analyst=users["bench-analyst" if i % 3 else "bench-analyst-2"],
                exact=section.plain_text[start:start + 40], start=start,
                topics=[f"bench-{i % 5}"], note="bench")
    return Passage.objects.filter(article=article).count()


def fixture() -> dict:
    from django.db.models import Sum
    from django.db.models.functions import Length
    from django.urls import reverse

    from kb.library.models import Article, Section, TaggedSection, Topic

    users = _users()
    article = (Article.objects.annotate(size=Sum(Length("sections__body")))
               .order_by("-size", "pk").first())
    passages = _passages(article, users)
    topics_of = defaultdict(set)
    for article_id, topic_id in TaggedSection.objects.values_list(
            "content_object__article_id", "tag_id"):
        topics_of[article_id].add(topic_id)
    sections_of = Counter(Section.objects.values_list("article_id", flat=True))
    tagged = Counter(TaggedSection.objects.values_list("tag_id", flat=True))
    pairs = []  # the biggest topics, each with the articles that do not have it
    for topic_id, _ in tagged.most_common():
        others = [pk for pk in sections_of if pk != article.pk and topic_id not in topics_of[pk]]
        if others:
            pairs.append((Topic.objects.get(pk=topic_id),
                          sorted(others, key=lambda pk: (sections_of[pk], pk))[:20]))
        if len(pairs) == 5:
            break
    edited = {a.pk: a for a in Article.objects.filter(pk__in={pk for _, c in pairs for pk in c})}
    return {
        "article": article.get_absolute_url(),
        "article_change": reverse("admin:kb_article_change", args=[article.pk]),
        "article_sections": sections_of[article.pk],
        "passages": passages,
        "pairs": [{"topic": topic.get_absolute_url(),
                   "candidates": [{"url": edited[pk].get_absolute_url(),
                                   "change": reverse("admin:kb_article_change", args=[pk]),
                                   "sections": sections_of[pk]} for pk in candidates]}
                  for topic, candidates in pairs],
        "analyst": "bench-analyst", "editor": "bench-editor",
        "text": {"title": article.title, "summary": article.summary,
                 "sections": list(article.sections.order_by("position").values("heading", "body"))},
    }


def queries(paths: dict[str, str]) -> dict:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    def count(client: Client, path: str) -> int | str:
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            status = client.get(path).status_code
        return len(captured) if status == 200 else f"status {status}"

    no_cache = {alias: {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
                for alias in settings.CACHES}
    analyst = Client(HTTP_HOST="127.0.0.1")
    if not analyst.login(username="bench-analyst", password=os.environ["BENCH_PASSWORD"]):
        raise SystemExit("the bench analyst could not log in")
    found = {}
    for name, path in paths.items():
        with override_settings(CACHES=no_cache):
            uncached = count(Client(HTTP_HOST="127.0.0.1"), path)
        found[name] = {"anonymous, no cache": uncached,
                       "anonymous, cached": count(Client(HTTP_HOST="127.0.0.1"), path),
                       "analyst": count(analyst, path)}
    return found


def main() -> int:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if sys.argv[1] == "fixture":
        print(json.dumps(fixture(), ensure_ascii=False))
    else:
        print(json.dumps(queries(json.load(sys.stdin))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
