"""Production plumbing: the health probe, security headers, shared cache, JSON logs."""

import json
import logging
import sys

from django.urls import reverse

from kb.jsonlog import JsonFormatter

from .test_settings import _manage

PROD_ENV = {"SECRET_KEY": "x" * 20 + "a-real-random-production-secret-key-0123456789",
            "ALLOWED_HOSTS": "kb.example.org"}


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


def _prod_setting(expression, **env):
    result = _manage("shell", "--no-imports", "-c",
                     f"from django.conf import settings; print({expression})",
                     **PROD_ENV, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_shares_its_cache_between_workers():
    assert _prod_setting("settings.CACHES['default']['BACKEND']").endswith("FileBasedCache")
    assert _prod_setting("settings.CACHES['default']['BACKEND']",
                         REDIS_URL="redis://cache.internal:6379/0").endswith("RedisCache")
    assert _prod_setting("settings.DATABASES['default']['CONN_MAX_AGE']") == "600"


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
