import itertools
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.cache import cache

from kb import services
from kb.corpus import load_corpus

_numbers = itertools.count(1)


@pytest.fixture
def make_article(db):
    """Build an article through the real service: ``sections`` is a list of
    (heading, markdown body, [topic slugs or names])."""

    def make(title=None, sections=(("はじめに", "本文です。", ["platformers"]),), **fields):
        n = next(_numbers)
        data = services.ArticleData(
            title=title or f"記事{n}",
            slug=fields.pop("slug", f"article-{n}"),
            kind=fields.pop("kind", "column"),
            sections=[services.SectionData(heading=h, body=b, topics=t) for h, b, t in sections],
            **fields,
        )
        return services.create_article(data=data)

    return make


# 23:30 UTC is already the next day in Tokyo (the site's TIME_ZONE), and the next month:
# the hour at which a date taken in the wrong zone shows.
LATE_EVENING_UTC = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)


@pytest.fixture
def frozen_clock():
    """The clock stopped at ``LATE_EVENING_UTC`` (2026-12-01 08:30 in Tokyo) for the whole
    test, so a date-sensitive test passes at any hour. Yields time-machine's traveller:
    ``frozen_clock.move_to(...)`` or ``.shift(...)`` moves the clock."""
    with time_machine.travel(LATE_EVENING_UTC, tick=False) as traveller:
        yield traveller


@pytest.fixture
def corpus(db):
    """The five shipped reports and their topics, loaded as `make run` loads them."""
    return load_corpus()


def _user(django_user_model, username, group, is_staff=False):
    user = django_user_model.objects.create_user(username=username, password="pw-" + username)
    user.is_staff = is_staff
    user.save()
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(db, django_user_model):
    return _user(django_user_model, "editor", services.EDITOR_GROUP, is_staff=True)


@pytest.fixture
def analyst(db, django_user_model):
    return _user(django_user_model, "analyst", services.ANALYST_GROUP)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Each test starts with no cached page: the database is rolled back between tests,
    the local-memory cache is not."""
    cache.clear()
    yield
