"""The page cache shared by the workers (Redis, the file cache): a hit reads nothing from the
database, yet every committed write, a Redis restarted from an old snapshot and a stamp that
never reached the cache still give fresh pages.

Real commits (no test transaction around these tests), as in production: inside a
transaction the page cache reads the generation on every request instead.
"""

import pytest
import redis
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from kb.models import Article
from kb.passages import services as passage_services
from kb.site import cache as page_cache
from kb.site.cache import stamps
from tests.db_faults import DatabaseGoesAway

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def article(make_article):
    return make_article(title="アリババの戦略", sections=[("一", "旧い本文", [])])


@pytest.fixture
def file_cache(settings, tmp_path):
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(tmp_path / "cache"),
    }}


def _redis_cache(url):
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                        "LOCATION": url, "OPTIONS": {"socket_timeout": 1}}}


@pytest.fixture(params=["files", "redis"])
def shared_cache(request, settings, tmp_path):
    """A cache every worker shares: the file cache, or a Redis of the test's own."""
    if request.param == "files":
        request.getfixturevalue("file_cache")
        return None
    server = request.getfixturevalue("private_redis")
    settings.CACHES = _redis_cache(server.url)
    return server


@pytest.fixture(autouse=True)
def _no_check_on_a_slow_machine(monkeypatch):
    """A loaded machine must not turn a hit into a due check half-way through a test."""
    monkeypatch.setattr(stamps, "RECHECK_EVERY", 3600.0)


def _html(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _edit(article, body):
    section = article.sections.get()
    section.body = body
    passage_services.save_section(section=section, edited=True)


def test_a_hit_reads_nothing_from_the_database(
    client, shared_cache, article, django_assert_num_queries
):
    first = client.get(article.get_absolute_url())
    with django_assert_num_queries(0):
        second = client.get(article.get_absolute_url())
    assert "旧い本文" in second.content.decode()
    assert second["ETag"] == first["ETag"] and second["Last-Modified"] == first["Last-Modified"]


def test_committed_writes_refresh_every_page(client, shared_cache, article):
    url, home = article.get_absolute_url(), reverse("kb:home")
    assert "旧い本文" in _html(client, url) and "アリババの戦略" in _html(client, home)
    _edit(article, "新しい本文")
    assert "新しい本文" in _html(client, url)
    Article.objects.filter(pk=article.pk).update(title="一括で改題")
    page_cache.content_changed()  # bulk writers call the hook themselves
    assert "一括で改題" in _html(client, home)


def test_another_workers_write_refreshes_this_workers_pages(
    client, file_cache, article, monkeypatch, django_assert_num_queries
):
    url = article.get_absolute_url()
    _html(client, url)
    checked = stamps._checked_stamp
    _edit(article, "新しい本文")  # as if in another worker: this one's memory is unchanged
    monkeypatch.setattr(stamps, "_checked_stamp", checked)
    assert "新しい本文" in _html(client, url)
    with django_assert_num_queries(0):
        assert "新しい本文" in _html(client, url)


def test_a_page_rendered_inside_a_transaction_is_not_served_after_a_rollback(
    client, file_cache, article
):
    url = article.get_absolute_url()
    _html(client, url)
    with pytest.raises(RuntimeError), transaction.atomic():
        _edit(article, "消える本文")
        assert "消える本文" in _html(client, url)  # the writer's own view, stored as such
        raise RuntimeError
    html = _html(client, url)
    assert "旧い本文" in html and "消える本文" not in html


def test_redis_restarted_from_a_snapshot_older_than_a_write_serves_no_stale_page(
    client, settings, private_redis, article, monkeypatch, django_assert_num_queries
):
    settings.CACHES = _redis_cache(private_redis.url)
    url = article.get_absolute_url()
    assert "旧い本文" in _html(client, url)
    redis.Redis.from_url(private_redis.url).save()  # the snapshot, taken before the edit
    _edit(article, "新しい本文")
    # This worker serves nothing between the edit and the restart: the stamp it last
    # checked is the very one the snapshot brings back.
    private_redis.stop()
    assert private_redis.start().dbsize() > 0
    for _ in range(3):
        html = _html(client, url)
        assert "新しい本文" in html and "旧い本文" not in html
        monkeypatch.setattr(stamps, "_cache_down_until", 0.0)  # if the reconnect failed
    with django_assert_num_queries(0):
        assert "新しい本文" in _html(client, url)


def test_a_stamp_lost_after_a_commit_is_found_at_the_next_check(
    client, shared_cache, article, monkeypatch
):
    url = article.get_absolute_url()
    _html(client, url)
    with monkeypatch.context() as lost:
        lost.setattr(stamps, "restamp", lambda dependencies: None)  # the writer died after its commit
        _edit(article, "新しい本文")
    monkeypatch.setattr(stamps, "_checked_at", float("-inf"))  # RECHECK_EVERY is over
    assert "新しい本文" in _html(client, url)


def test_cached_pages_stay_readable_while_the_database_is_away(
    client, shared_cache, article, monkeypatch
):
    url = article.get_absolute_url()
    _html(client, url)
    with connection.execute_wrapper(DatabaseGoesAway()):
        assert "旧い本文" in _html(client, url)
        monkeypatch.setattr(stamps, "_checked_at", float("-inf"))  # a check is due: it fails
        assert "旧い本文" in _html(client, url)


def test_a_write_leaves_the_pages_not_showing_it_cached(
    client, shared_cache, article, make_article, django_assert_num_queries
):
    other = make_article(title="税制の報告", sections=[("一", "税制の本文", [])])
    url, other_url = article.get_absolute_url(), other.get_absolute_url()
    _html(client, url), _html(client, other_url)
    _edit(article, "新しい本文")
    assert "新しい本文" in _html(client, url)  # rendered again (and the stamp checked)
    with django_assert_num_queries(0):  # a hit: a render would read the database
        assert "税制の本文" in _html(client, other_url)
