import itertools
import os
import signal
import socket
import subprocess
import time
from datetime import UTC, datetime

import pytest
import redis
import time_machine
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import override_settings

from kb.editorial import services as editorial_services
from kb.editorial.corpus import load_corpus
from kb.site import roles

_numbers = itertools.count(1)


@pytest.fixture(autouse=True, scope="session")
def _media_root(tmp_path_factory):
    """Originals written by any test (the corpus fixture keeps some) go to a temporary
    directory, never to the checkout's var/media."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture
def media_root(settings, tmp_path):
    """An empty MEDIA_ROOT of this test's own, to look at what was stored."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def make_article(db):
    """Build an article through the real service: ``sections`` is a list of
    (heading, markdown body, [topic slugs or names])."""

    def make(title=None, sections=(("はじめに", "本文です。", ["platformers"]),), **fields):
        n = next(_numbers)
        data = editorial_services.ArticleData(
            title=title or f"記事{n}",
            slug=fields.pop("slug", f"article-{n}"),
            kind=fields.pop("kind", "column"),
            sections=[editorial_services.SectionData(heading=h, body=b, topics=t) for h, b, t in sections],
            **fields,
        )
        return editorial_services.create_article(data=data)

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
    return _user(django_user_model, "editor", roles.EDITOR_GROUP, is_staff=True)


@pytest.fixture
def analyst(db, django_user_model):
    return _user(django_user_model, "analyst", roles.ANALYST_GROUP)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture(autouse=True)
def _empty_page_cache(monkeypatch):
    """Each test starts with no cached page: the database is rolled back between tests,
    the local-memory cache is not. Nor does it inherit another test's cache outage, nor a
    stamp another test checked."""
    from kb.site.cache import stamps

    monkeypatch.setattr(stamps, "_cache_down_until", 0.0)
    monkeypatch.setattr(stamps, "_checked_stamp", None)
    cache.clear()
    yield


class PrivateRedis:
    """A redis-server of the test's own on a free port: it may be stopped, frozen and
    restarted from its snapshot. (The shared one on 6379 is never touched.)"""

    def __init__(self, directory):
        self.directory = directory
        self.process = None
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        # No automatic snapshots: dump.rdb in ``directory`` is whatever the test SAVEd last.
        self.process = subprocess.Popen(
            ["/usr/bin/redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
            # A suite run under libfaketime (to check it at any hour) must not hand it to the
            # server: redis-server cannot start with it, and its clock is not under test.
            env={k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "FAKETIME")},
        )
        client = redis.Redis.from_url(self.url, socket_timeout=1)
        for _ in range(100):
            try:
                client.ping()
                return client
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self):
        self.process.send_signal(signal.SIGCONT)  # a frozen server cannot act on SIGTERM
        self.process.terminate()
        self.process.wait(timeout=10)

    def freeze(self):
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self):
        self.process.send_signal(signal.SIGCONT)


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()
