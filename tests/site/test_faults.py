"""The database going away mid-request: a clear 503 page, and no partial write."""

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from kb.models import Article, Section
from tests.db_faults import DatabaseGoesAway
from tests.html_forms import inline_post


@pytest.fixture
def browser():
    return Client(raise_request_exception=False)


@pytest.fixture
def article(make_article):
    return make_article(title="元の題", sections=[("一", "元の本文", []), ("二", "二の本文", [])])


def _assert_unavailable_page(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "一時的に利用できません" in html and "データベース" in html


# Real transactions: no test transaction around them, so what is committed is what stays.
@pytest.mark.django_db(transaction=True)
def test_a_save_cut_off_half_way_writes_nothing(browser, editor, article):
    browser.force_login(editor)
    url = reverse("admin:kb_article_change", args=[article.pk])
    data = inline_post(article, {
        "title": "新しい題", "sections-0-body": "新しい本文", "sections-1-body": "新しい二",
    })
    # The article row is updated, then the connection drops on the first section.
    with connection.execute_wrapper(DatabaseGoesAway(lambda sql: sql.startswith("UPDATE")
                                                     and '"kb_section"' in sql)):
        response = browser.post(url, data)
    _assert_unavailable_page(response)
    article.refresh_from_db()
    assert article.title == "元の題"
    assert list(Section.objects.order_by("position").values_list("body", flat=True)) == [
        "元の本文", "二の本文"
    ]


def test_a_reader_page_without_a_database_explains_itself(browser, article):
    with connection.execute_wrapper(DatabaseGoesAway()):
        response = browser.get(article.get_absolute_url())
    _assert_unavailable_page(response)


def test_cached_pages_stay_readable_while_the_database_is_away(browser, article):
    assert "元の本文" in browser.get(article.get_absolute_url()).content.decode()
    with connection.execute_wrapper(DatabaseGoesAway()):
        response = browser.get(article.get_absolute_url())
        assert response.status_code == 200 and "元の本文" in response.content.decode()
        assert browser.get("/healthz").content == b"ok\n"


def test_other_errors_get_the_500_page(browser, article, monkeypatch):
    from kb.library import selectors

    def broken(slug):
        raise RuntimeError("bug")

    monkeypatch.setattr(selectors, "article_page", broken)
    response = browser.get(article.get_absolute_url())
    assert response.status_code == 500
    assert "サーバーエラー" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_failed_service_write_leaves_nothing():
    from kb.editorial import services as editorial_services

    data = editorial_services.ArticleData(
        title="途中で切れる", slug="cut", kind="report",
        sections=[editorial_services.SectionData(heading=str(i), body="本文") for i in range(3)],
    )
    cut = DatabaseGoesAway(lambda sql: "kb_taggedsection" in sql)
    with connection.execute_wrapper(cut), pytest.raises(OperationalError):
        editorial_services.create_article(data=data)
    assert not Article.objects.filter(slug="cut").exists()
    assert not Section.objects.exists()


# --- the page cache's Redis hanging: pages are rendered without it -------------------


def test_a_hung_redis_holds_no_page(browser, article, settings, private_redis, caplog,
                                    monkeypatch, django_assert_num_queries):
    from kb.site.cache import stamps
    from tests.prod_settings import prod_redis_cache

    settings.CACHES = prod_redis_cache(private_redis.url)
    url, home = article.get_absolute_url(), reverse("kb:home")
    assert "元の本文" in browser.get(url).content.decode()  # cached while Redis is well
    private_redis.freeze()  # SIGSTOP: connections open, nothing ever answers
    try:
        with caplog.at_level("WARNING", logger="kb.cache"):
            for page, text in [(url, "元の本文"), (home, "元の題"), (url, "元の本文")] * 2:
                response = browser.get(page)
                assert response.status_code == 200 and text in response.content.decode()
        # The first request waits for the socket timeout, then the worker leaves the cache
        # alone for a while: one warning per cache that uses Redis (the page cache, the
        # fragment cache), not one wait and one traceback per request.
        warnings = sorted(r.getMessage() for r in caplog.records if r.name == "kb.cache")
        assert [w.split(" unavailable")[0] for w in warnings] == ["fragment cache", "page cache"]
        assert all("rendering without it" in w for w in warnings)
    finally:
        private_redis.thaw()
    monkeypatch.setattr(stamps, "_cache_down_until", 0.0)  # as when the pause is over
    assert "元の本文" in browser.get(url).content.decode()
    with django_assert_num_queries(1):  # served from Redis again
        assert "元の本文" in browser.get(url).content.decode()


class Deadlock(Exception):
    sqlstate = "40P01"  # what psycopg reports for "deadlock detected"


class RowsCollide:
    """PostgreSQL choosing this save as a deadlock's victim, the first ``times`` times it
    updates a section."""

    def __init__(self, times):
        self.times = times

    def __call__(self, execute, sql, params, many, context):
        if self.times and sql.startswith("UPDATE") and '"kb_section"' in sql:
            self.times -= 1
            raise OperationalError("deadlock detected") from Deadlock()
        return execute(sql, params, many, context)


@pytest.mark.django_db(transaction=True)
def test_a_save_chosen_as_a_deadlock_victim_is_run_again(browser, editor, article):
    browser.force_login(editor)
    url = reverse("admin:kb_article_change", args=[article.pk])
    data = inline_post(article, {"title": "新しい題", "sections-0-body": "新しい本文"})
    with connection.execute_wrapper(RowsCollide(times=1)):
        response = browser.post(url, data)
    assert response.status_code == 302
    assert Section.objects.get(article=article, position=1).body == "新しい本文"


@pytest.mark.django_db(transaction=True)
def test_a_save_that_keeps_colliding_is_refused_with_the_input_kept(browser, editor, article):
    browser.force_login(editor)
    url = reverse("admin:kb_article_change", args=[article.pk])
    data = inline_post(article, {"title": "新しい題", "sections-0-body": "新しい本文"})
    with connection.execute_wrapper(RowsCollide(times=100)):
        response = browser.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "保存されていません：同じ時に別の編集者" in html and "新しい本文" in html
    article.refresh_from_db()
    assert article.title == "元の題"
