"""Fine-grained invalidation: a write makes stale exactly the cached pages that show what it
changed, and every other page is still served from the cache (rendered again: no; read from
the database: no).

Real commits with a shared (file) cache, as in production: inside a transaction, or with a
cache of one process, every write still makes every page stale (test_cache.py).
"""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from kb.editorial import services as editorial_services
from kb.library import services as library_services
from kb.models import Article, Passage, Section, Topic
from kb.search import index
from kb.site.cache import content_changed, dependencies, pages, stamps
from tests.html_forms import inline_post
from tests.passage_requests import api_request

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _shared_cache(settings, tmp_path, monkeypatch):
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(tmp_path / "cache"),
    }}
    # A loaded machine must not turn a hit into a due check half-way through a test.
    monkeypatch.setattr(stamps, "RECHECK_EVERY", 3600.0)


@pytest.fixture
def site(make_article):
    """Two articles sharing a topic (A: platformers and AI; B: platformers), and one apart
    (C: tax)."""
    topics = {slug: Topic.objects.create(slug=slug, name=name) for slug, name in
              [("platformers", "プラットフォーマー"), ("ai", "AI規制"), ("tax", "税制")]}
    a = make_article(title="アリババの戦略", slug="a",
                     sections=[("一", "アリババの本文", ["platformers", "ai"])])
    b = make_article(title="テンセントの戦略", slug="b",
                     sections=[("一", "テンセントの本文", ["platformers"])])
    c = make_article(title="税制の報告", slug="c", sections=[("一", "税制の本文", ["tax"])])
    return {"A": a, "B": b, "C": c, **topics}


LISTS = ["home", "article list", "changes", "search", "topic list", "matrix", "overview",
         "colours", "sitemap", "feed"]


def _pages(site) -> dict[str, str]:
    return {
        "A": site["A"].get_absolute_url(), "B": site["B"].get_absolute_url(),
        "C": site["C"].get_absolute_url(),
        "history A": reverse("kb:article_history", args=["a"]),
        "history C": reverse("kb:article_history", args=["c"]),
        "topic platformers": reverse("kb:topic", args=["platformers"]),
        "topic ai": reverse("kb:topic", args=["ai"]),
        "topic tax": reverse("kb:topic", args=["tax"]),
        "articles of platformers": reverse("kb:topic_articles", args=["platformers"]),
        "passages of tax": reverse("kb:topic_passages", args=["tax"]),
        "home": reverse("kb:home"), "article list": reverse("kb:articles"),
        "changes": reverse("kb:changes"), "search": f"{reverse('kb:search')}?q=本文",
        "topic list": reverse("kb:topics"), "matrix": reverse("kb:topic_matrix"),
        "overview": reverse("kb:topic_overview"), "colours": reverse("kb:topic_colours"),
        "sitemap": reverse("kb:sitemap"), "feed": reverse("kb:feed_articles"),
    }


@pytest.fixture
def rendered(site, monkeypatch):
    """``rendered()``: the names of the pages that were rendered again rather than served
    from the cache (each page asked for once, anonymously); the first call fills the cache."""
    seen = []
    render = pages._render

    def spy(view, request, *args):
        seen.append(request.path)  # each page has a path of its own here
        return render(view, request, *args)

    monkeypatch.setattr(pages, "_render", spy)

    def rendered(urls=None):
        urls = urls or _pages(site)
        seen.clear()
        reader = Client()
        for url in urls.values():
            assert reader.get(url).status_code in (200, 301, 404), url
        return {name for name, url in urls.items() if url.partition("?")[0] in seen}

    assert rendered() == set(_pages(site))  # all rendered and stored
    assert rendered() == set()  # all served from the cache
    return rendered


def _html(url):
    response = Client().get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


# What a save of article A's text changes: A's pages, its topics' pages and the lists.
A_EDITED = {"A", "history A", "topic platformers", "topic ai", "articles of platformers", *LISTS}
# And of its title: also the page of B, which names A among its related articles.
A_RENAMED = A_EDITED | {"B"}


@pytest.fixture
def reads(monkeypatch) -> list:
    """The keys of each read of the page cache (one round trip each)."""
    cache, found = stamps.page_cache(), []
    get_many = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys, **kw: found.append(keys) or get_many(keys))
    return found


def test_a_hit_is_one_cache_read_and_no_query_while_nothing_is_written(
        site, rendered, reads, django_assert_num_queries):
    url = site["A"].get_absolute_url()
    with django_assert_num_queries(0):
        assert "アリババの本文" in Client().get(url).content.decode()
    # The page with the global stamp, which no write has replaced since it was stored.
    assert len(reads) == 1


def test_after_another_write_a_hit_is_two_cache_reads_and_no_query(
        site, rendered, reads, django_assert_num_queries):
    Section.objects.filter(article=site["C"]).update(heading="一括で改めた見出し")
    content_changed(dependencies.article(site["C"].pk))  # a write A's page does not show
    Client().get(site["C"].get_absolute_url())  # this worker checks the new stamp once
    reads.clear()
    url = site["A"].get_absolute_url()
    with django_assert_num_queries(0):
        assert "アリババの本文" in Client().get(url).content.decode()
    # The page with the global stamp, then the stamps of what the page shows: unchanged.
    assert len(reads) == 2
    assert f"kb:stamp:article:{site['A'].pk}" in reads[1]
    # Kept under the new global stamp, the next hit reads the page alone.
    reads.clear()
    with django_assert_num_queries(0):
        assert "アリババの本文" in Client().get(url).content.decode()
    assert len(reads) == 1


def test_admin_article_save_refreshes_the_pages_showing_it_and_no_other(
    site, rendered, editor_client
):
    article = site["A"]
    response = editor_client.post(
        reverse("admin:kb_article_change", args=[article.pk]),
        inline_post(article, {"title": "アリババの新戦略", "sections-0-body": "書き換えた本文"}),
    )
    assert response.status_code == 302
    assert rendered() == A_RENAMED
    assert "書き換えた本文" in _html(article.get_absolute_url())
    assert "アリババの新戦略" in _html(site["B"].get_absolute_url())  # its related articles
    assert "書き換えた本文" in _html(reverse("kb:topic", args=["ai"]))
    assert "アリババの新戦略" in _html(reverse("kb:home"))


def test_admin_section_change_refreshes_its_old_and_new_topics(site, rendered, editor_client):
    section = site["A"].sections.get()
    response = editor_client.post(reverse("admin:kb_section_change", args=[section.pk]), {
        "article": site["A"].pk, "position": 1, "heading": "新しい見出し", "body": "本文",
        "topics": "platformers, tax", "loaded_version": section.version,
    })
    assert response.status_code == 302
    # Off AI, onto tax: C now shares a topic with A and B no longer shares AI (related
    # articles), tax lists A.
    assert rendered() == A_EDITED | {"B", "C", "topic tax", "passages of tax"}
    assert "新しい見出し" not in _html(reverse("kb:topic", args=["ai"]))
    assert "新しい見出し" in _html(reverse("kb:topic", args=["tax"]))


def test_a_section_edited_in_place_refreshes_the_pages_showing_it(site, rendered, editor_client):
    section = site["A"].sections.get()
    response = editor_client.post(
        reverse("kb:section_edit", args=["a", section.pk]),
        {"heading": "一", "body": "その場で直した本文", "topics": "platformers, ai",
         "loaded_version": section.version})
    assert response.status_code == 302
    assert rendered() == A_EDITED  # B names A, but not its text
    assert "その場で直した本文" in _html(reverse("kb:topic", args=["platformers"]))


def test_passage_writes_through_the_api_refresh_their_article_and_topics(site, rendered, analyst):
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    client.get(reverse("kb:home"))  # the CSRF cookie, as a browser receives it
    token = client.cookies["csrftoken"].value
    section = site["C"].sections.get()
    response = api_request(client, {"section": section.pk, "exact": "税制", "start16": 0,
                                    "end16": 2, "topics": ["tax"], "note": "分析メモ"}, token)
    assert response.status_code == 201, response.content
    passage_pages = {"C", "history C", "topic tax", "passages of tax", *LISTS}
    assert rendered() == passage_pages
    assert "分析メモ" in _html(reverse("kb:topic_passages", args=["tax"]))
    url = reverse("kb:api_passage", args=[response.json()["id"]])
    response = api_request(client, {"note": "書き直したメモ"}, token, method="patch", url=url)
    assert response.status_code == 200, response.content
    assert rendered() == passage_pages
    assert "書き直したメモ" in _html(reverse("kb:topic_passages", args=["tax"]))
    assert client.delete(url, headers={"x-csrftoken": token}).status_code == 204
    assert rendered() == passage_pages
    assert not Passage.objects.exists()


def test_a_topic_rename_refreshes_the_pages_showing_it(site, rendered):
    library_services.rename_topic(topic=site["tax"], name="租税", slug="sozei")
    # The old slug's pages now redirect; the new one is read where the topic shows.
    assert rendered() == {"C", "topic tax", "passages of tax", *LISTS}
    assert "租税" in _html(site["C"].get_absolute_url())


def test_an_admin_topic_edit_refreshes_the_pages_showing_it(site, rendered, editor_client):
    topic = site["tax"]
    response = editor_client.post(reverse("admin:kb_topic_change", args=[topic.pk]), {
        "name": "税制", "name_en": "Taxation", "slug": "tax", "description": "説明を**追加**。",
        "aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0",
        "aliases-MIN_NUM_FORMS": "0", "aliases-MAX_NUM_FORMS": "1000",
    })
    assert response.status_code == 302
    assert rendered() == {"C", "topic tax", "passages of tax", *LISTS}
    assert "説明を<strong>追加</strong>。" in _html(reverse("kb:topic", args=["tax"]))


def test_a_topic_merge_refreshes_the_pages_of_both_topics(site, rendered):
    library_services.merge_topics(source=site["tax"], target=site["ai"])
    # C is now tagged AI, which A's page shows as a chip and shares (related articles), and
    # the platformers page shows AI as a chip of A's section.
    assert rendered() == {"A", "C", "topic ai", "topic platformers", "topic tax",
                          "passages of tax", *LISTS}
    assert "税制の本文" in _html(reverse("kb:topic", args=["ai"]))
    assert "税制の報告" in _html(site["A"].get_absolute_url())


def test_an_import_refreshes_its_topics_and_the_lists(site, rendered):
    editorial_services.import_article(data=editorial_services.ArticleData(
        title="取り込んだ報告書", slug="imported", kind="report",
        sections=[editorial_services.SectionData(heading="一", body="新しい税の話", topics=["tax"])],
    ), user=None, source_name="report.pdf")
    # C shares tax with it: its related articles.
    assert rendered() == {"C", "topic tax", "passages of tax", *LISTS}
    assert "取り込んだ報告書" in _html(reverse("kb:topic", args=["tax"]))


def test_restoring_a_revision_refreshes_the_pages_showing_the_article(
    site, rendered, editor_client
):
    article = site["A"]
    editor_client.post(reverse("admin:kb_article_change", args=[article.pk]),
                       inline_post(article, {"sections-0-body": "書き換えた本文"}))
    rendered()  # fill the cache again
    old = Version.objects.get_for_object(article).last()
    response = editor_client.post(reverse("kb:article_restore", args=["a", old.pk]))
    assert response.status_code == 302
    assert rendered() == A_EDITED
    assert "アリババの本文" in _html(article.get_absolute_url())


def test_deleting_an_article_refreshes_the_pages_showing_it(site, rendered, editor_client):
    response = editor_client.post(reverse("admin:kb_article_delete", args=[site["C"].pk]),
                                  {"post": "yes"})
    assert response.status_code == 302
    assert rendered() == {"C", "history C", "topic tax", "passages of tax", *LISTS}
    assert Client().get(site["C"].get_absolute_url()).status_code == 404
    assert "税制の本文" not in _html(reverse("kb:topic", args=["tax"]))


def test_tagging_refreshes_every_topic_the_section_carries(site, rendered):
    section = site["C"].sections.get()
    section.topics.add(site["ai"])  # django-taggit's own write
    # A shares AI with C now; AI and tax co-occur on each other's pages; C's own pages.
    stale = {"A", "C", "history C", "topic ai", "topic tax", "passages of tax", *LISTS}
    assert rendered() == stale
    section.topics.remove(site["ai"])
    assert rendered() == stale
    assert "税制の本文" not in _html(reverse("kb:topic", args=["ai"]))


def test_a_search_index_rebuild_refreshes_only_the_lists(site, rendered):
    index.rebuild()
    assert rendered() == set(LISTS)


def test_a_bulk_write_without_keys_refreshes_everything(site, rendered):
    Article.objects.filter(pk=site["C"].pk).update(title="一括で改題")
    assert rendered() == set()  # update() sends no signal...
    content_changed()  # ...so bulk writers report the change: unknown means everything
    assert rendered() == set(_pages(site))
    assert "一括で改題" in _html(site["C"].get_absolute_url())


def test_a_bulk_write_reporting_its_article_refreshes_its_pages(site, rendered):
    Section.objects.filter(article=site["C"]).update(heading="一括で改めた見出し")
    # C's own pages, and its topics' pages, which show its sections.
    content_changed(dependencies.article(site["C"].pk), dependencies.tagged(site["tax"].pk))
    assert rendered() == {"C", "history C", "topic tax", "passages of tax"}
    assert "一括で改めた見出し" in _html(reverse("kb:topic", args=["tax"]))


def test_a_backup_import_refreshes_everything(site, rendered, tmp_path):
    path = tmp_path / "kb.json"
    call_command("export_kb", str(path))
    Article.objects.filter(pk=site["C"].pk).update(title="書き出した後の題")  # no signal
    call_command("import_kb", str(path), "--replace")
    assert rendered() == set(_pages(site))
    assert "税制の報告" in _html(reverse("kb:home"))


def test_a_page_that_declares_nothing_depends_on_every_write(site, rendered, monkeypatch):
    monkeypatch.setattr(dependencies, "page_dependencies",
                        lambda shown: frozenset({dependencies.EVERY_WRITE,
                                                 dependencies.EVERYTHING}))
    stamps.page_cache().clear()
    rendered()
    assert rendered() == set()
    Topic.objects.create(slug="unrelated", name="無関係")
    assert rendered() == set(_pages(site))
