"""Production plumbing: the health probe, security headers, shared cache, JSON logs."""

import json
import logging
import sys

from django.urls import reverse

from kb.site.jsonlog import JsonFormatter
from tests.prod_settings import prod_redis_cache, prod_setting


def test_healthz_is_tiny_and_touches_no_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n" and response["Content-Type"] == "text/plain"


def test_pages_allow_only_the_sites_own_scripts(client, db):
    response = client.get(reverse("kb:home"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_production_shares_its_cache_between_workers():
    assert prod_setting("settings.CACHES['default']['BACKEND']").endswith("FileBasedCache")
    assert prod_setting("settings.CACHES['default']['BACKEND']",
                         REDIS_URL="redis://cache.internal:6379/0").endswith("RedisCache")
    assert prod_setting("settings.DATABASES['default']['CONN_MAX_AGE']") == "600"


def test_production_redis_gives_up_in_a_fraction_of_a_second():
    # A hung Redis (frozen, or a network black hole) must not hold every request for
    # redis-py's default timeouts: the page cache renders without it instead.
    options = prod_redis_cache("redis://cache.internal:6379/0")["default"]["OPTIONS"]
    assert 0 < options["socket_connect_timeout"] <= 0.5
    assert 0 < options["socket_timeout"] <= 0.5


def test_log_lines_are_json_with_the_exception():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1,
                                   "Internal Server Error: %s", ("/articles/x/",), sys.exc_info())
    record.status_code = 500
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "ERROR" and line["logger"] == "django.request"
    assert line["time"].endswith("Z")  # UTC, spelled as log collectors expect
    assert line["message"] == "Internal Server Error: /articles/x/"
    assert line["status_code"] == 500
    assert "ValueError: boom" in line["exception"]
