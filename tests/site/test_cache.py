"""The anonymous page cache: every write makes affected pages fresh, and personal pages never
come from it. Inside the test transaction (and with the local-memory cache) a hit reads the
generation, one small query; test_cache_stamps.py covers shared caches outside one."""

import json
import random
import re

import pytest
import redis
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from kb.editorial import services as editorial_services
from kb.editorial.corpus import load_corpus
from kb.library import services as library_services
from kb.models import Article, ContentChange, Section, Topic, TopicAlias
from kb.passages import services as passage_services
from kb.site import cache as page_cache
from kb.site.cache import generations, pages
from tests.html_forms import inline_post


@pytest.fixture
def client():
    """An anonymous reader; editors log in on their own clients so the two never mix."""
    return Client()


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def topic(db):
    return Topic.objects.create(slug="platformers", name="プラットフォーマー", name_en="Platformers")


@pytest.fixture
def article(topic, make_article):
    return make_article(title="アリババの戦略", sections=[("一", "旧い本文", ["platformers"])])


def _html(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def test_a_hit_costs_one_query_and_shows_the_same_page(
    client, article, django_assert_num_queries
):
    first = _html(client, article.get_absolute_url())
    with django_assert_num_queries(1):  # the content generation
        second = _html(client, article.get_absolute_url())
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert "旧い本文" in second
    assert token.sub("", first) == token.sub("", second)


def test_a_hit_carries_the_visitors_own_csrf_token(article):
    first = Client(enforce_csrf_checks=True)
    first.get(article.get_absolute_url())  # renders and caches the page with its token
    visitor = Client(enforce_csrf_checks=True)
    html = visitor.get(article.get_absolute_url()).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert "kbcsrf" not in html
    response = visitor.post(
        reverse("set_language"), {"language": "en", "next": "/", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302  # a 403 would mean the cached token was someone else's
    assert "Topics" in visitor.get(reverse("kb:home")).content.decode()


def test_text_that_looks_like_a_csrf_input_is_shown_as_written(make_article):
    """Only the site's own forms get the visitor's token: a section quoting a CSRF input
    (as an article about web security might) is the same text for every reader."""
    quoted = 'name="csrfmiddlewaretoken" value="' + "A" * 40 + '"'
    article = make_article(title="CSRF の解説", sections=[("例", quoted, [])])
    Client().get(article.get_absolute_url())  # renders and caches the page
    for visitor in (Client(), Client()):
        html = visitor.get(article.get_absolute_url()).content.decode()
        assert quoted in html
        tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        own = [t for t in tokens if t != "A" * 40]
        assert own and visitor.cookies["csrftoken"].value  # the language form's token
        assert "kbcsrf" not in html


def test_a_page_not_cached_still_carries_a_real_token(article):
    """A 404 from a cached view, or a HEAD, is rendered for the cache but never stored."""
    visitor = Client(raise_request_exception=False)
    for response in (visitor.get("/articles/no-such-article/"),
                     visitor.head(article.get_absolute_url())):
        assert b"kbcsrf" not in response.content
    html = visitor.get("/articles/no-such-article/").content.decode()
    assert re.search(r'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{32,64}"', html)


def test_pages_are_cached_per_language(client, article):
    assert "トピック" in _html(client, reverse("kb:home"), accept_language="ja")
    assert "Topics" in _html(client, reverse("kb:home"), accept_language="en")
    assert "トピック" in _html(client, reverse("kb:home"), accept_language="ja")


@pytest.mark.parametrize("who", ["editor", "analyst"])
def test_logged_in_pages_are_personal_and_never_cached(client, request, article, who):
    user = request.getfixturevalue(who)
    edit_link = reverse("admin:kb_article_change", args=[article.pk])
    assert edit_link not in _html(client, article.get_absolute_url())  # anonymous, now cached
    client.force_login(user)
    response = client.get(article.get_absolute_url())
    html = response.content.decode()
    logout_button = re.compile(r'<button type="submit" class="link">[^<]*' + user.username)
    assert logout_button.search(html)
    assert (edit_link in html) == (who == "editor")
    assert "private" in response["Cache-Control"]
    client.logout()
    anonymous = _html(client, article.get_absolute_url())
    assert edit_link not in anonymous and not logout_button.search(anonymous)


def test_etag_and_last_modified_give_304_until_the_content_changes(client, article, topic):
    url = article.get_absolute_url()
    response = client.get(url)
    assert response["ETag"] and response["Last-Modified"]
    assert "no-cache" in response["Cache-Control"]
    not_modified = client.get(url, headers={"if-none-match": response["ETag"]})
    assert not_modified.status_code == 304 and not_modified.content == b""
    since = client.get(url, headers={"if-modified-since": response["Last-Modified"]})
    assert since.status_code == 304
    Section.objects.get(article=article).topics.add(
        Topic.objects.create(slug="ai", name="AI規制")
    )
    changed = client.get(url, headers={"if-none-match": response["ETag"]})
    assert changed.status_code == 200 and "AI規制" in changed.content.decode()
    assert changed["ETag"] != response["ETag"]


def test_unknown_pages_are_not_cached(client, make_article):
    url = reverse("kb:article", args=["あとで書く"])
    assert client.get(url).status_code == 404
    make_article(slug="あとで書く", title="後から来た記事")
    assert "後から来た記事" in _html(client, url)


@pytest.mark.django_db(transaction=True)
def test_the_generation_changes_when_a_write_commits_and_not_when_it_rolls_back():
    # Real commits (no test transaction around this test), as in production.
    before = generations.total()
    with pytest.raises(RuntimeError), transaction.atomic():
        Topic.objects.create(slug="tax", name="税制")
        assert generations.total() != before  # the writer sees its own write
        raise RuntimeError
    assert generations.total() == before
    with transaction.atomic():
        Topic.objects.create(slug="ai", name="AI規制")
        Topic.objects.create(slug="data", name="データ制度")
    assert generations.total() != before
    # Folded after the commit: a row per dependency (each topic, the lists, "a write").
    assert ContentChange.objects.count() == 4
    assert ContentChange.objects.values("dependency").distinct().count() == 4


@pytest.mark.django_db(transaction=True)
def test_other_workers_see_the_new_generation_only_with_the_new_content(article):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's shared in-memory test database locks out concurrent readers")
    from threading import Thread

    def another_worker():
        seen = []

        def look():
            # The generation first, then the content, as reader_cache does.
            seen.append(generations.total())
            seen.append(Section.objects.get(article=article).body)
            connection.close()

        worker = Thread(target=look)
        worker.start()
        worker.join()
        return seen

    section = article.sections.get()
    before = another_worker()
    with transaction.atomic():
        section.body = "書き換えた本文"
        passage_services.save_section(section=section, edited=True)
        assert another_worker() == before  # neither the new generation nor the new text
    generation, body = another_worker()
    assert generation != before[0] and body == "書き換えた本文"


def test_workers_sharing_a_file_cache_share_its_pages(client, article, settings, tmp_path):
    location = str(tmp_path / "cache")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": location,
        }
    }
    response = client.get(article.get_absolute_url())
    another_worker = FileBasedCache(location, {})
    stored = another_worker.get(pages.page_key(response.wsgi_request))
    assert "旧い本文" in stored["content"].decode()


# --- every write path makes the affected pages fresh on the next request -------------


def _warm(client, *urls):
    return [_html(client, url) for url in urls]


def test_service_create_article_refreshes_home_and_topic_pages(client, topic, make_article):
    _warm(client, reverse("kb:home"), topic.get_absolute_url(), reverse("kb:topics"))
    make_article(title="新着の報告", sections=[("新節", "新しい内容", ["platformers"])])
    assert "新着の報告" in _html(client, reverse("kb:home"))
    assert "新しい内容" in _html(client, topic.get_absolute_url())
    assert "1 セクション" in _html(client, reverse("kb:topics"))


def test_admin_inline_section_edit_refreshes_article_and_topic_pages(
    client, editor_client, article, topic
):
    _warm(client, article.get_absolute_url(), topic.get_absolute_url())
    response = editor_client.post(
        reverse("admin:kb_article_change", args=[article.pk]),
        inline_post(article, {"sections-0-body": "書き換えた本文"}),
    )
    assert response.status_code == 302
    assert "書き換えた本文" in _html(client, article.get_absolute_url())
    assert "書き換えた本文" in _html(client, topic.get_absolute_url())


def test_admin_section_change_refreshes_the_article_page(client, editor_client, article):
    section = article.sections.get()
    _warm(client, article.get_absolute_url())
    response = editor_client.post(reverse("admin:kb_section_change", args=[section.pk]), {
        "article": article.pk, "position": 1, "heading": "新しい見出し", "body": "本文",
        "topics": "platformers", "loaded_version": section.version,
    })
    assert response.status_code == 302
    assert "新しい見出し" in _html(client, article.get_absolute_url())


def test_admin_topic_edit_refreshes_pages_showing_the_topic(client, editor_client, article, topic):
    other = Topic.objects.create(slug="ai", name="AI規制")
    _warm(client, article.get_absolute_url(), other.get_absolute_url(), reverse("kb:home"))
    response = editor_client.post(reverse("admin:kb_topic_change", args=[topic.pk]), {
        "name": "巨大プラットフォーム", "name_en": "Platformers", "slug": "platformers",
        "description": "説明を**追加**。", "see_also": [str(other.pk)],
        "aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0",
        "aliases-MIN_NUM_FORMS": "0", "aliases-MAX_NUM_FORMS": "1000",
    })
    assert response.status_code == 302
    assert "巨大プラットフォーム" in _html(client, article.get_absolute_url())  # chip label
    assert "巨大プラットフォーム" in _html(client, reverse("kb:home"))
    assert topic.get_absolute_url() in _html(client, other.get_absolute_url())  # see also
    assert "説明を<strong>追加</strong>。" in _html(client, topic.get_absolute_url())


def test_tagging_a_section_refreshes_the_topic_page(client, article, topic):
    other = Topic.objects.create(slug="ai", name="AI規制")
    assert "旧い本文" not in _html(client, other.get_absolute_url())
    article.sections.get().topics.add(other)
    assert "旧い本文" in _html(client, other.get_absolute_url())
    article.sections.get().topics.remove(other)
    assert "旧い本文" not in _html(client, other.get_absolute_url())


def test_alias_and_see_also_changes_invalidate(client, topic):
    other = Topic.objects.create(slug="ai", name="AI規制")
    _warm(client, other.get_absolute_url())
    topic.see_also.add(other)
    assert topic.get_absolute_url() in _html(client, other.get_absolute_url())
    before = generations.total()
    TopicAlias.objects.create(topic=topic, name="巨大IT")
    assert generations.total() != before


def test_admin_delete_refreshes_home_and_topic_pages(client, editor_client, article, topic):
    _warm(client, reverse("kb:home"), topic.get_absolute_url(), article.get_absolute_url())
    response = editor_client.post(
        reverse("admin:kb_article_delete", args=[article.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert "アリババの戦略" not in _html(client, reverse("kb:home"))
    assert "旧い本文" not in _html(client, topic.get_absolute_url())
    assert client.get(article.get_absolute_url()).status_code == 404


def test_corpus_import_refreshes_the_home_page(client, db, tmp_path):
    (tmp_path / "corpus").mkdir()
    (tmp_path / "topics.json").write_text(
        '[{"slug": "ai", "name": "AI規制", "name_en": "", "description": "", '
        '"aliases": [], "see_also": []}]', encoding="utf-8")
    (tmp_path / "corpus" / "01-report.json").write_text(
        '{"slug": "report", "title": "取り込んだ報告", "kind": "report", "publisher": "",'
        ' "authors": [], "published_on": null, "summary": "", "source_file": "x.txt",'
        ' "sections": [{"anchor": "s-1", "heading": "一", "body": "本文", "topics": ["ai"]}]}',
        encoding="utf-8")
    assert "取り込んだ報告" not in _html(client, reverse("kb:home"))
    load_corpus(tmp_path)
    assert "取り込んだ報告" in _html(client, reverse("kb:home"))


def test_bulk_writes_call_content_changed_themselves(client, article):
    _warm(client, reverse("kb:home"))
    Article.objects.filter(pk=article.pk).update(title="一括で改題")
    assert "一括で改題" not in _html(client, reverse("kb:home"))  # update() skips signals...
    page_cache.content_changed()  # ...so bulk writers call the one hook themselves
    assert "一括で改題" in _html(client, reverse("kb:home"))


def test_every_kb_model_is_watched():
    from django.apps import apps
    from django.db.models.signals import post_save

    for model in apps.get_app_config("kb").get_models(include_auto_created=True):
        assert post_save.has_listeners(model) == (model is not ContentChange), model


def test_create_article_service_is_atomic_and_invalidates(client, topic):
    _warm(client, reverse("kb:home"))
    editorial_services.create_article(data=editorial_services.ArticleData(
        title="サービス経由", slug="via-service", kind="column",
        sections=[editorial_services.SectionData(heading="h", body="b", topics=["platformers"])],
    ))
    assert "サービス経由" in _html(client, reverse("kb:home"))


def _data(text: str) -> str:
    """``text`` as the page's JSON data block (json_script) writes it."""
    return json.dumps(text)[1:-1]


def test_passage_writes_refresh_the_article_page(client, analyst, article, topic):
    section = article.sections.get()
    _warm(client, article.get_absolute_url())
    passage = passage_services.create_passage(section=section, analyst=analyst, exact="旧い",
                                      start=0, topics=["platformers"], note="分析メモ")
    assert _data("分析メモ") in _html(client, article.get_absolute_url())
    passage_services.update_passage(passage=passage, note="書き直したメモ")
    assert _data("書き直したメモ") in _html(client, article.get_absolute_url())
    passage_services.delete_passage(passage=passage)
    assert _data("書き直したメモ") not in _html(client, article.get_absolute_url())


def test_passage_writes_refresh_the_topic_pages_listing_passages(client, analyst, article, topic):
    urls = [topic.get_absolute_url(), reverse("kb:topic_passages", args=[topic.slug])]
    for url in urls:
        _warm(client, url)
    passage = passage_services.create_passage(section=article.sections.get(), analyst=analyst,
                                      exact="旧い", start=0, topics=["platformers"], note="分析メモ")
    for url in urls:
        assert "分析メモ" in _html(client, url)
    passage_services.delete_passage(passage=passage)
    for url in urls:
        assert "分析メモ" not in _html(client, url)


def test_a_new_article_refreshes_the_topics_article_list(client, topic, make_article):
    url = reverse("kb:topic_articles", args=[topic.slug])
    _warm(client, url)
    make_article(title="新しい報告", sections=[("一", "本文", ["platformers"])])
    assert "新しい報告" in _html(client, url)


def test_topic_rename_and_merge_refresh_every_page_showing_them(client, article, topic):
    other = Topic.objects.create(slug="ai", name="AI規制")
    article.sections.get().topics.add(other)
    _warm(client, article.get_absolute_url(), reverse("kb:topics"))
    library_services.rename_topic(topic=topic, name="巨大IT", slug="big-tech")
    assert "巨大IT" in _html(client, article.get_absolute_url())
    library_services.merge_topics(source=other, target=Topic.objects.get(slug="big-tech"))
    assert "AI規制" not in _html(client, reverse("kb:topics"))


def test_report_import_and_backup_restore_refresh_the_home_page(client, topic, tmp_path):
    _warm(client, reverse("kb:home"))
    editorial_services.import_article(data=editorial_services.ArticleData(
        title="取り込んだ報告書", slug="imported", kind="report",
        sections=[editorial_services.SectionData(heading="一", body="本文", topics=["platformers"])],
    ), user=None, source_name="report.pdf")
    assert "取り込んだ報告書" in _html(client, reverse("kb:home"))
    from kb.exchange import backup

    data = backup.export_data()
    data["articles"][0]["title"] = "復元された報告書"
    backup.restore(data=data, replace=True)
    assert "復元された報告書" in _html(client, reverse("kb:home"))


# --- search and history pages are cached too, and as fresh as the others ---------------


def test_search_page_and_api_are_cached_and_fresh_after_an_edit(
    client, article, django_assert_num_queries
):
    page, api = reverse("kb:search"), reverse("kb:api-search")
    assert "旧い<mark>本文</mark>" in _html(client, f"{page}?q=本文")
    assert client.get(api, {"q": "本文"}).json()["total"] == 1
    with django_assert_num_queries(2):  # one per hit
        assert "旧い<mark>本文</mark>" in _html(client, f"{page}?q=本文")
        assert client.get(api, {"q": "本文"}).json()["total"] == 1
    assert "<mark>書き換え</mark>" not in _html(client, f"{page}?q=書き換え")
    section = article.sections.get()
    section.body = "書き換えた本文"
    passage_services.save_section(section=section, edited=True)
    assert "<mark>書き換え</mark>た本文" in _html(client, f"{page}?q=書き換え")
    assert "書き換えた<mark>本文</mark>" in _html(client, f"{page}?q=本文")
    [hit] = client.get(api, {"q": "本文"}).json()["results"]
    assert hit["snippet"] == "書き換えた<mark>本文</mark>"


def test_rebuilding_the_search_index_refreshes_cached_search_pages(client, article):
    from kb.search import index
    from kb.search.backends import get_backend

    url = f"{reverse('kb:search')}?q=本文"
    get_backend().clear()  # an index lost, as after restoring a database without it
    index.SearchEntry.objects.all().delete()
    assert "旧い<mark>本文</mark>" not in _html(client, url)
    index.rebuild()
    assert "旧い<mark>本文</mark>" in _html(client, url)


def test_history_and_compare_pages_are_cached_and_fresh_after_an_edit(
    client, editor_client, article, django_assert_num_queries
):
    history = reverse("kb:article_history", args=[article.slug])
    _html(client, history)
    with django_assert_num_queries(1):
        _html(client, history)
    response = editor_client.post(
        reverse("admin:kb_article_change", args=[article.pk]),
        inline_post(article, {"sections-0-body": "書き換えた本文"}),
    )
    assert response.status_code == 302
    assert "editor" in _html(client, history)
    new, old = Version.objects.get_for_object(article)
    compare = reverse("kb:article_compare", args=[article.slug])
    assert "<ins>書き換えた</ins>" in _html(client, f"{compare}?from={old.pk}&to={new.pk}")
    with django_assert_num_queries(1):
        _html(client, f"{compare}?from={old.pk}&to={new.pk}")
    # Removing revisions (manage.py deleterevisions) touches no kb model.
    new.revision.delete()
    assert client.get(f"{compare}?from={old.pk}&to={new.pk}").status_code == 404


# --- the cache may lose keys, come back from an old snapshot, or hang -----------------


class ForgetfulCache(LocMemCache):
    """A cache that evicts whatever it likes: every read may find nothing."""

    def __init__(self, name, params):
        super().__init__(name, params)
        self.dice = random.Random(9)

    def get(self, key, default=None, version=None):
        return default if self.dice.random() < 0.5 else super().get(key, default, version)

    def get_many(self, keys, version=None):
        return {key: value for key, value in super().get_many(keys, version).items()
                if self.dice.random() >= 0.5}


@pytest.mark.parametrize("backend", [
    "django.core.cache.backends.dummy.DummyCache", f"{__name__}.ForgetfulCache",
])
def test_pages_are_right_with_a_cache_that_keeps_nothing(client, article, settings, backend):
    settings.CACHES = {"default": {"BACKEND": backend}}
    url, section = article.get_absolute_url(), article.sections.get()
    for n in range(12):
        section.body = f"第{n}版の本文"
        passage_services.save_section(section=section, edited=True)
        for _ in range(2):
            html = _html(client, url)
            assert f"第{n}版の本文" in html and f"第{n - 1}版の本文" not in html
            assert "アリババの戦略" in _html(client, reverse("kb:home"))


def _private_redis_cache(server):
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                        "LOCATION": server.url}}


def test_redis_restarted_from_an_old_snapshot_serves_no_stale_page(
    client, article, settings, private_redis, django_assert_num_queries
):
    settings.CACHES = _private_redis_cache(private_redis)
    url = article.get_absolute_url()
    assert "旧い本文" in _html(client, url)
    assert "旧い本文" in _html(client, url)  # a hit
    redis.Redis.from_url(private_redis.url).save()  # the snapshot, taken before the edit
    section = article.sections.get()
    section.body = "新しい本文"
    passage_services.save_section(section=section, edited=True)
    assert "新しい本文" in _html(client, url)
    private_redis.stop()
    restored = private_redis.start()  # loads dump.rdb: the page from before the edit
    assert restored.dbsize() > 0
    settings.CACHES = _private_redis_cache(private_redis)  # new connections to the new server
    for n in range(10):
        if n == 0:
            html = _html(client, url)  # the restored page is not current: rendered afresh
        else:
            with django_assert_num_queries(1):  # and stored again in the restarted Redis
                html = _html(client, url)
        assert "新しい本文" in html and "旧い本文" not in html


def test_writes_in_one_block_share_a_generation_row_until_a_page_reads_it(make_article, client):
    from django.db import transaction

    from kb.models import ContentChange

    article = make_article()
    before = ContentChange.objects.count()
    with transaction.atomic():
        article.sections.first().save()
        # Its article, its topic's pages, the lists, "a write".
        rows = ContentChange.objects.count() - before
        assert rows == 4
        for _ in range(4):
            article.sections.first().save()
        assert ContentChange.objects.count() == before + rows
        # A page read in between sees a generation that the next write must move on.
        assert client.get(article.get_absolute_url()).status_code == 200
        article.sections.first().save()
        assert ContentChange.objects.count() == before + 2 * rows
    # A rolled-back block's row is gone, so the next block writes its own.
    try:
        with transaction.atomic():
            article.sections.first().save()
            raise RuntimeError
    except RuntimeError:
        pass
    count = ContentChange.objects.count()
    with transaction.atomic():
        article.sections.first().save()
    assert ContentChange.objects.count() == count + rows


@pytest.mark.django_db(transaction=True)
def test_a_hit_makes_one_round_trip_with_health_checks_on(client, article, monkeypatch):
    """Production checks a kept connection before a request's first query (CONN_HEALTH_CHECKS):
    on a hit the generation query is that first query, and stands in for the check."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    url = article.get_absolute_url()
    _html(client, url)
    checks = []
    wrapper = connections["default"]
    is_usable = type(wrapper).is_usable
    monkeypatch.setattr(type(wrapper), "is_usable",
                        lambda self: checks.append(self.alias) or is_usable(self))
    # The state a new request finds under CONN_HEALTH_CHECKS (the test client skips it).
    connection.health_check_enabled, connection.health_check_done = True, False
    with CaptureQueriesContext(connection) as queries:
        assert "旧い本文" in _html(client, url)
    assert len(queries) == 1 and checks == []


@pytest.mark.django_db(transaction=True)
def test_a_hit_on_a_connection_the_server_dropped_reads_the_generation_again(client, article):
    if connection.vendor != "postgresql":
        pytest.skip("only a database server drops a connection")
    from threading import Thread

    url = article.get_absolute_url()
    _html(client, url)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        [pid] = cursor.fetchone()

    def another_worker_edits_and_the_server_drops_ours():
        section = article.sections.get()
        section.body = "書き換えた本文"
        passage_services.save_section(section=section, edited=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        connection.close()

    worker = Thread(target=another_worker_edits_and_the_server_drops_ours)
    worker.start()
    worker.join()
    connection.health_check_enabled, connection.health_check_done = True, False
    # Not the cached page served for want of a generation: the edit, on a new connection.
    assert "書き換えた本文" in _html(client, url)
